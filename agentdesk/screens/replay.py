"""The trainer's replay: a session list, turn-by-turn playback and annotations.

:class:`ReplayScreen` plays a recording with its original timing × speed (long
silences capped, see :class:`~agentdesk.replay.timeline.Timeline`). The upper list holds
the turns played so far (virtualised: one line per turn, only the visible ones
rendered); the cursor selects the turn the lower pane explains. At a customer turn the
pane shows the tone engine's reading with its evidence highlighted in the text, the
suggestions the engine makes *now*, what the agent actually answered (and how it
scores), and the wait quote against the actual wait. ``a`` annotates the selected turn;
the note is saved with the session (see :func:`agentdesk.sessions.save_annotation`).

The engines run in worker threads: the selected turn first, then every customer turn in
the background (so the list's tone markers fill in). Nothing here blocks the UI thread.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Label, Static, TextArea

from agentdesk.keys import bindings_for
from agentdesk.replay.timeline import Timeline, Turn, TurnKind
from agentdesk.safetext import sanitize
from agentdesk.widgets.format import channel_label
from agentdesk.widgets.replay_detail import DetailPane, literal, turn_content
from agentdesk.widgets.replay_turns import SessionChoiceList, TurnList, fmt_offset, one_line, who
from agentdesk.widgets.virtual_list import VirtualList

if TYPE_CHECKING:  # pragma: no cover
    from agentdesk.replay_app import ReplayApp
    from agentdesk.sessions import ReplaySource, SavedAnnotation, SessionChoice

TICK_S = 0.1
WARM_POST_S = 0.2
"""The background analysis sends its results to the screen at most this often."""
BULK_ROWS = 64
"""Above this many turns added or removed at once, the list is rebuilt instead."""


def _source_label(source: "ReplaySource") -> str:
    label = sanitize(source.label, single_line=True)
    if source.redacted_view:
        label += " · redacted view"
    return label


class PickerScreen(Screen[None]):
    """Choose a session to replay (Enter) or to practise (p)."""

    BINDINGS = bindings_for("replay_pick")
    ACTION_SCOPES = ("replay_pick",)
    AUTO_FOCUS = "SessionChoiceList"
    DEFAULT_CSS = """
    PickerScreen #pick-header { height: 2; background: $boost; padding: 0 1; }
    PickerScreen #pick-columns { height: 1; color: $text-muted; text-style: bold; background: $surface; }
    PickerScreen #pick-desc { height: 3; padding: 0 1; color: $text-muted; background: $boost; }
    """

    app: "ReplayApp"

    def __init__(self, choices: Sequence["SessionChoice"], *, title: str, practice: bool = False) -> None:
        super().__init__()
        self.choices = list(choices)
        self.title_text = title
        self.practice = practice
        self._loading = False

    def compose(self) -> ComposeResult:
        yield Static(id="pick-header")
        yield Static(id="pick-columns")
        yield SessionChoiceList(id="pick-list")
        yield Static(id="pick-desc")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        enter = "role-play" if self.practice else "replay"
        self.query_one("#pick-header", Static).update(Content.assemble(
            Content.styled("agentdesk replay", "bold $accent"),
            Content.styled(f"  {len(self.choices)} ", "bold"),
            literal(self.title_text, single_line=True),
            Content("\n"),
            Content.styled(f"Enter: {enter} · p: role-play (you answer and are scored)", "$text-muted"),
        ))
        self.query_one(SessionChoiceList).set_rows(self.choices)
        self._columns()

    def on_resize(self) -> None:
        self._columns()

    def _columns(self) -> None:
        width = self.query_one(SessionChoiceList).scrollable_content_region.width or self.size.width
        self.query_one("#pick-columns", Static).update(literal(SessionChoiceList.header(width)))

    @on(VirtualList.Highlighted)
    def _highlighted(self, event: VirtualList.Highlighted) -> None:
        row = self.query_one(SessionChoiceList).cursor_row
        desc = self.query_one("#pick-desc", Static)
        if row is None:
            desc.update("")
            return
        end = f"Ended: {row.disposition}. " if row.disposition else ""
        desc.update(literal(f"{end}{row.description}"))

    def action_open_replay(self) -> None:
        self._open(self.practice)

    def action_open_practice(self) -> None:
        self._open(True)

    def action_close(self) -> None:
        self.app.exit()

    def _open(self, practice: bool) -> None:
        row = self.query_one(SessionChoiceList).cursor_row
        if row is None or row.load is None or self._loading:
            return
        self._loading = True
        self._load(row, practice)

    @work(thread=True, exclusive=True, group="pick-load", exit_on_error=False)
    def _load(self, row: "SessionChoice", practice: bool) -> None:
        from agentdesk.errors import AgentdeskError

        try:
            source = row.load()  # type: ignore[misc]
            if practice:
                from agentdesk.replay.scoring import practice_prompts

                if not practice_prompts(source.session):
                    raise AgentdeskError("this session has no customer turn answered by an agent: "
                                         "nothing to practise; replay it instead (Enter)")
        except AgentdeskError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self._loaded, source, practice)

    def _failed(self, message: str) -> None:
        self._loading = False
        self.notify(message, severity="error", timeout=6, markup=False)

    def _loaded(self, source: "ReplaySource", practice: bool) -> None:
        self._loading = False
        self.app.push_screen(self.app.session_screen(source, practice=practice))


class AnnotateDialog(ModalScreen["str | None"]):
    """A small editor for a trainer's note on one turn."""

    DEFAULT_CSS = """
    AnnotateDialog { align: center middle; }
    AnnotateDialog > Vertical {
        width: 76; max-width: 98%; height: auto; max-height: 95%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    AnnotateDialog Label.title { text-style: bold; }
    AnnotateDialog Label.hint { color: $text-muted; }
    AnnotateDialog Static.quote { color: $text-muted; max-height: 3; }
    AnnotateDialog TextArea { height: 6; }
    """
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="annotate_save", priority=True),
        Binding("escape", "cancel", "Cancel", id="annotate_cancel", priority=True),
    ]

    def __init__(self, turn: Turn, total: int) -> None:
        super().__init__()
        self.turn = turn
        self.total = total

    def compose(self) -> ComposeResult:
        t = self.turn
        with Vertical():
            yield Label(Content(f"Trainer's note on turn {t.index + 1} of {self.total} ({who(t)}, "
                                f"{fmt_offset(t.offset_s)})"), classes="title")
            yield Static(literal(one_line(t)[:230]), classes="quote")
            if t.annotations:
                yield Label(Content(f"{len(t.annotations)} note(s) already on this turn; this one is added."),
                            classes="hint")
            yield TextArea(id="annotation", soft_wrap=True)
            yield Label(Content("Ctrl+S: save with the session   Esc: cancel"), classes="hint")

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    def action_save(self) -> None:
        # Ctrl+S is a priority key: read the note after the keys typed before it
        self.query_one(TextArea).call_later(self._save)

    def _save(self) -> None:
        text = self.query_one(TextArea).text.strip()
        if not text:
            self.notify("Write the note first (or Esc to cancel).", severity="warning", timeout=2, markup=False)
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ReplayScreen(Screen[None]):
    BINDINGS = bindings_for("replay")
    ACTION_SCOPES = ("replay",)
    AUTO_FOCUS = "TurnList"
    DEFAULT_CSS = """
    ReplayScreen #replay-header { height: 2; background: $boost; padding: 0 1; text-wrap: nowrap;
                                  text-overflow: ellipsis; }
    ReplayScreen #replay-turns { height: 2fr; min-height: 4; }
    ReplayScreen #replay-detail { height: 3fr; min-height: 6; }
    """

    app: "ReplayApp"

    def __init__(self, source: "ReplaySource", *, speed: float = 1.0, max_gap_s: float | None = 30.0,
                 root: bool = False) -> None:
        super().__init__()
        from agentdesk.sessions import ReplayAnalysis

        self.source = source
        self.root = root
        self.timeline = Timeline(source.session, speed=speed, max_gap_s=max_gap_s)
        self.analysis = ReplayAnalysis(source.session, turns=self.timeline.turns)
        self.selected: int | None = None
        self._last_tick: float | None = None
        self._saving = False

    # ------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield Static(id="replay-header")
        yield TurnList(compressed=self.timeline.compressed, id="replay-turns")
        yield DetailPane(id="replay-detail")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        if self.timeline.turns:
            self.timeline.seek(0)
        self.turn_list.set_rows(self.timeline.visible)
        self._sync_list(follow=True)
        self._render_header()
        self.set_interval(TICK_S, self._tick)
        self._warm()

    @property
    def turn_list(self) -> TurnList:
        return self.query_one(TurnList)

    @property
    def detail(self) -> DetailPane:
        return self.query_one(DetailPane)

    # ------------------------------------------------------------ playback

    def _tick(self) -> None:
        now = self.app.monotonic()
        if not self.timeline.playing:
            self._last_tick = None
            return
        elapsed = 0.0 if self._last_tick is None else max(0.0, now - self._last_tick)
        self._last_tick = now
        if self.timeline.advance(elapsed):
            self._sync_list(follow=True)
        self._render_header()

    def _sync_list(self, *, follow: bool) -> None:
        """Make the list show exactly the turns played so far; with ``follow``, select
        the newest one."""
        lst = self.turn_list
        visible = self.timeline.visible
        have = lst.row_count
        if abs(have - len(visible)) > BULK_ROWS:  # a long jump: rebuild (one pass) rather than row by row
            lst.set_rows(visible, presorted=True)
        elif have < len(visible):
            lst.apply(upserts=visible[have:])
        elif have > len(visible):
            lst.apply(removals=[t.index for t in lst.rows[len(visible):]])
        if follow and self.timeline.position >= 0:
            lst.move_to_key(self.timeline.position)
        self.selected = lst.cursor_key if lst.row_count else None
        self._show_selected()
        self._render_header()

    def _render_header(self) -> None:
        tl = self.timeline
        s = self.source.session
        total = len(tl.turns)
        if tl.playing:
            state = Content.styled(f"▶ playing {tl.speed:g}×", "bold $success")
        else:
            state = Content.styled(f"⏸ paused {tl.speed:g}×", "bold $warning")
        current = tl.current
        at = current.offset_s if current is not None else 0.0
        end = tl.turns[-1].offset_s if tl.turns else 0.0
        parts = [state, Content(f" · turn {tl.position + 1} of {total} · {fmt_offset(at)[1:]} of {fmt_offset(end)[1:]}")]
        if tl.playing and (wait := tl.time_until_next()) is not None:
            parts.append(Content.styled(f" · next in {wait:.0f} s", "$text-muted"))
        elif tl.at_end and total:
            parts.append(Content.styled(" · end of the recording", "$text-muted"))
        title = s.title or s.subject or s.id
        line2 = Content.assemble(
            literal(title, "bold", single_line=True),
            Content.styled(f" · {channel_label(s.channel)} · ", "$text-muted"),
            literal(s.queue, "$text-muted", single_line=True),
            Content.styled(" · " + _source_label(self.source), "$text-muted"),
        )
        self.query_one("#replay-header", Static).update(Content("\n").join([Content.assemble(*parts), line2]))

    # ------------------------------------------------------------ the detail pane

    @on(VirtualList.Highlighted)
    def _highlighted(self, event: VirtualList.Highlighted) -> None:
        if event.list_view is not self.turn_list:
            return
        if event.key != self.selected:
            self.selected = event.key
            self._show_selected()

    def _show_selected(self) -> None:
        from agentdesk.sessions import wait_at

        if self.selected is None or not self.timeline.turns:
            self.detail.show(Content.styled(
                "Nothing played yet. → steps to the first turn, Space plays." if self.timeline.turns
                else "This recording has no turns to play.", "italic $text-muted"))
            return
        turn = self.timeline.turns[self.selected]
        insight = self.analysis.cached(turn.index) if turn.kind is TurnKind.CUSTOMER else None
        if turn.kind is TurnKind.CUSTOMER and insight is None:
            self._analyse(turn.index)
        self.detail.show(turn_content(
            turn, total=len(self.timeline.turns), insight=insight, analysing=insight is None,
            wait=wait_at(self.timeline.turns, turn.index), compressed=self.timeline.compressed(turn),
        ))

    @work(thread=True, exclusive=True, group="replay-analyse", exit_on_error=False)
    def _analyse(self, index: int) -> None:
        from agentdesk.errors import AgentdeskError

        try:
            insight = self.analysis.insight(index)
        except AgentdeskError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return
        self.app.call_from_thread(self._analysed, index, insight.tone.level)

    @work(thread=True, exclusive=True, group="replay-warm", exit_on_error=False)
    def _warm(self) -> None:
        """Analyse every customer turn in the background (the list's tone markers)."""
        from textual.worker import get_current_worker

        from agentdesk.errors import AgentdeskError

        worker = get_current_worker()
        batch: list[tuple[int, str]] = []
        last_post = time.monotonic()
        for index in self.analysis.customer_indices():
            if worker.is_cancelled:
                return
            try:
                batch.append((index, self.analysis.insight(index).tone.level))
            except AgentdeskError:
                continue
            time.sleep(0)  # let the UI thread run between turns
            if time.monotonic() - last_post >= WARM_POST_S:
                self.app.call_from_thread(self._analysed_many, batch)
                batch, last_post = [], time.monotonic()
        if batch and not worker.is_cancelled:
            self.app.call_from_thread(self._analysed_many, batch)

    def _analysed_many(self, levels: list[tuple[int, str]]) -> None:
        for index, level in levels:
            self._analysed(index, level)

    def _analysed(self, index: int, level: str) -> None:
        if not self.is_attached:
            return
        self.turn_list.set_level(index, level)
        if self.selected == index:
            self.detail.show(turn_content(
                self.timeline.turns[index], total=len(self.timeline.turns), insight=self.analysis.cached(index),
                wait=self._wait(index), compressed=self.timeline.compressed(self.timeline.turns[index]),
            ), keep_scroll=True)

    def _wait(self, index: int):
        from agentdesk.sessions import wait_at

        return wait_at(self.timeline.turns, index)

    # ------------------------------------------------------------ actions

    def action_toggle_play(self) -> None:
        tl = self.timeline
        if not tl.playing and tl.at_end and tl.turns:
            tl.seek(-1)  # from the end, play again from the start
            self._sync_list(follow=True)
        tl.toggle()
        self._last_tick = self.app.monotonic() if tl.playing else None
        self._render_header()

    def action_step_forward(self) -> None:
        if self.timeline.step_forward() is None:
            self.notify("That was the last turn.", timeout=2, markup=False)
        self._sync_list(follow=True)

    def action_step_back(self) -> None:
        if self.timeline.position < 0:
            return
        self.timeline.step_back()
        self._sync_list(follow=True)

    def action_next_customer(self) -> None:
        if self.timeline.jump_to_next_customer() is None:
            self.notify("No customer turn after this one.", timeout=2, markup=False)
            return
        self._sync_list(follow=True)

    def action_previous_customer(self) -> None:
        if self.timeline.jump_to_previous_customer() is None:
            self.notify("No customer turn before this one.", timeout=2, markup=False)
            return
        self._sync_list(follow=True)

    def action_faster(self) -> None:
        self.timeline.faster()
        self._render_header()

    def action_slower(self) -> None:
        self.timeline.slower()
        self._render_header()

    def action_first_turn(self) -> None:
        if self.timeline.turns:
            self.timeline.seek(0)
            self._sync_list(follow=True)

    def action_last_turn(self) -> None:
        if self.timeline.turns:
            self.timeline.seek(len(self.timeline.turns) - 1)
            self._sync_list(follow=True)

    def action_switch_pane(self) -> None:
        if self.detail.has_focus:
            self.turn_list.focus()
        else:
            self.detail.focus()

    def action_back(self) -> None:
        if self.root:
            self.app.exit()
        else:
            self.app.pop_screen()

    def action_roleplay(self) -> None:
        if not self.analysis.prompts:
            self.notify("This session has no customer turn answered by an agent: nothing to practise.",
                        severity="warning", timeout=4, markup=False)
            return
        self.timeline.pause()
        self._render_header()
        self.app.push_screen(self.app.session_screen(self.source, practice=True))

    def action_annotate(self) -> None:
        if self.selected is None:
            self.notify("Step to a turn first (→), then annotate it.", timeout=3, markup=False)
            return
        if self._saving:
            self.notify("Still saving the last note…", timeout=2, markup=False)
            return
        self.timeline.pause()
        self._render_header()
        turn = self.timeline.turns[self.selected]

        def done(text: str | None) -> None:
            if text:
                self._saving = True
                self._save(turn.index, turn.event.seq, text)

        self.app.push_screen(AnnotateDialog(turn, len(self.timeline.turns)), done)

    @work(thread=True, exclusive=True, group="replay-annotate", exit_on_error=False)
    def _save(self, index: int, seq: int, text: str) -> None:
        from agentdesk.errors import AgentdeskError
        from agentdesk.sessions import save_annotation

        try:
            store = self.app.store() if self.source.origin == "conversation" else None
            saved = save_annotation(self.source, seq, text, by=self.app.options.trainer, store=store,
                                    clock=self.app.clock)
        except AgentdeskError as exc:
            self.app.call_from_thread(self._save_failed, str(exc))
            return
        self.app.call_from_thread(self._saved, saved)

    def _save_failed(self, message: str) -> None:
        self._saving = False
        self.notify(f"The note was not saved: {message}", severity="error", timeout=8, markup=False)

    def _saved(self, saved: "SavedAnnotation") -> None:
        self._saving = False
        old = self.timeline
        self.source = saved.source
        tl = Timeline(saved.source.session, speed=old.speed, max_gap_s=old.max_gap_s)
        tl.seek(old.position)
        self.timeline = tl
        self.analysis.turns = tl.turns
        self.turn_list.compressed = tl.compressed
        self.turn_list.set_rows(tl.visible)
        self._show_selected()
        self._render_header()
        self.notify(f"Note {saved.where}.", timeout=8, markup=False)


__all__ = ["AnnotateDialog", "PickerScreen", "ReplayScreen"]
