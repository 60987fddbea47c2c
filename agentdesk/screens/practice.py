"""Role-play: the trainee answers the customer at each agent turn of a recording.

For each practice prompt (:func:`agentdesk.replay.scoring.practice_prompts`) the screen
shows the conversation up to the customer's message(s), with the tone engine's evidence
highlighted, and a composer; the clock starts when the customer turn is shown. Ctrl+S
submits: the reply is scored (:class:`agentdesk.sessions.PracticeRun`, tone level from
the tone engine), and the turn's scorecard is shown, then the reply the agent actually
gave and the assistant's suggestions. ``n`` goes on. After the last turn (or Ctrl+F)
the overall scorecard is shown and, with ``--export``, written to the file (``e``
writes it anywhere).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Input, Label, Static, TextArea

from agentdesk.domain import MessageView
from agentdesk.keys import bindings_for
from agentdesk.replay.timeline import Turn, TurnKind
from agentdesk.safetext import sanitize
from agentdesk.widgets.format import channel_label
from agentdesk.widgets.replay_detail import DetailPane, card_content, literal, practice_result
from agentdesk.widgets.transcript import Transcript

if TYPE_CHECKING:  # pragma: no cover
    from agentdesk.replay.scoring import PracticePrompt
    from agentdesk.replay_app import ReplayApp
    from agentdesk.sessions import PracticeTurn, ReplaySource

ANSWERING, SCORING, SCORED, DONE = "answering", "scoring", "scored", "done"


def turn_message(turn: Turn, customer_name: str) -> MessageView:
    """A recorded turn as a transcript message (state changes become system lines)."""
    ev = turn.event
    if turn.kind is TurnKind.CUSTOMER:
        kind, author, body = "customer", customer_name, ev.body or ""
    elif turn.kind is TurnKind.AGENT:
        kind, author, body = "agent", ev.agent or "Agent", ev.body or ""
    elif turn.kind is TurnKind.NOTE:
        kind, author, body = "note", ev.agent or "note", ev.body or ""
    elif turn.kind is TurnKind.SYSTEM:
        kind, author, body = "system", "system", ev.body or ""
    else:
        kind, author, body = "system", "system", turn.label
    return MessageView(id=turn.index + 1, client_id="", kind=kind, author=author, body=body, created_at=ev.at)


class PracticeComposer(TextArea):
    """Where the trainee writes the reply."""

    DEFAULT_CSS = """
    PracticeComposer { height: 6; border: round $panel-lighten-2; }
    PracticeComposer:focus { border: round $accent; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(soft_wrap=True, tab_behavior="focus", **kwargs)


class ExportDialog(ModalScreen["str | None"]):
    """Ask where to write the scorecard."""

    DEFAULT_CSS = """
    ExportDialog { align: center middle; }
    ExportDialog > Vertical {
        width: 72; max-width: 95%; height: auto; border: round $accent; background: $surface; padding: 0 1;
    }
    ExportDialog Label.title { text-style: bold; padding: 0 0 1 0; }
    ExportDialog Label.hint { color: $text-muted; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="export_cancel")]

    def __init__(self, default: str) -> None:
        super().__init__()
        self.default = default

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Content("Write the scorecard to which file?"), classes="title")
            yield Input(value=self.default, id="export-path")
            yield Label(Content("Ends in .md (Markdown) or .json   Enter: write   Esc: cancel"), classes="hint")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        from agentdesk.errors import UsageError
        from agentdesk.sessions import card_format

        value = event.value.strip()
        try:
            card_format(value)
        except UsageError as exc:
            self.notify(str(exc), severity="warning", timeout=4, markup=False)
            return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class PracticeScreen(Screen[None]):
    BINDINGS = bindings_for("practice")
    ACTION_SCOPES = ("practice",)
    DEFAULT_CSS = """
    PracticeScreen #practice-header { height: 2; background: $boost; padding: 0 1; text-wrap: nowrap;
                                      text-overflow: ellipsis; }
    PracticeScreen #practice-transcript { height: 1fr; min-height: 4; }
    PracticeScreen #practice-result { height: 2fr; display: none; }
    PracticeScreen.-scored #practice-result { display: block; }
    PracticeScreen.-done #practice-result { display: block; height: 1fr; }
    PracticeScreen.-done #practice-transcript { display: none; }
    PracticeScreen #practice-hint { height: 1; padding: 0 1; color: $text-muted; }
    PracticeScreen.-scored #practice-hint, PracticeScreen.-done #practice-hint { display: none; }
    PracticeScreen.-scored PracticeComposer, PracticeScreen.-done PracticeComposer { display: none; }
    """

    app: "ReplayApp"

    def __init__(self, source: "ReplaySource", *, export: Path | None = None, trainee: str | None = None,
                 root: bool = False) -> None:
        super().__init__()
        from agentdesk.sessions import PracticeRun

        self.source = source
        self.export = export
        self.root = root
        self.practice = PracticeRun(source.session, trainee=trainee)
        self.phase = ANSWERING
        self.started_at: float | None = None
        self.last: "PracticeTurn | None" = None
        self.exported: str | None = None
        self._turns = self.practice.analysis.turns

    # ------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        session = self.source.session
        yield Static(id="practice-header")
        yield Transcript(clock=lambda: session.ended_at, id="practice-transcript")
        yield DetailPane(id="practice-result")
        yield Label("", id="practice-hint")
        yield PracticeComposer(id="practice-composer")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.set_interval(1.0, self._render_header)
        if not self.practice.prompts:
            self._finish()
            self.notify("This session has no customer turn answered by an agent: nothing to practise.",
                        severity="warning", timeout=5, markup=False)
            return
        self._show_prompt()

    @property
    def composer(self) -> PracticeComposer:
        return self.query_one(PracticeComposer)

    @property
    def result(self) -> DetailPane:
        return self.query_one(DetailPane)

    def _set_phase(self, phase: str) -> None:
        self.phase = phase
        self.set_class(phase == SCORED, "-scored")
        self.set_class(phase == DONE, "-done")
        self.refresh_bindings()
        self._render_header()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("submit", "reply"):
            return self.phase == ANSWERING
        if action == "next_turn":
            return self.phase == SCORED
        if action == "finish":
            return self.phase in (ANSWERING, SCORED)
        if action == "export_card":
            return self.phase == DONE and bool(self.practice.answered)
        return True

    # ------------------------------------------------------------ one prompt

    @property
    def number(self) -> int:
        """1-based number of the current (or last answered) prompt."""
        return min(len(self.practice.answered) + (1 if self.phase == ANSWERING else 0), len(self.practice.prompts))

    def _show_prompt(self) -> None:
        prompt = self.practice.current
        assert prompt is not None
        name = self.source.session.customer.name
        messages = [turn_message(t, name) for t in self._turns[: prompt.turn]]
        transcript = self.query_one(Transcript)
        transcript.set_messages(messages)
        self.call_after_refresh(transcript.scroll_end, animate=False, immediate=True, x_axis=False)
        composer = self.composer
        composer.clear()
        who = sanitize(self._turns[prompt.turn].event.agent or "the agent", single_line=True)
        self.query_one("#practice-hint", Label).update(Content.styled(
            f"You are {who} — write your reply below, then Ctrl+S", "$text-muted"))
        self.started_at = self.app.clock()  # timed from when the customer turn is shown
        self._set_phase(ANSWERING)
        composer.focus()
        self._prepare(prompt)

    @work(thread=True, exclusive=True, group="practice-prepare", exit_on_error=False)
    def _prepare(self, prompt: "PracticePrompt") -> None:
        """Tone evidence for the customer's messages and the suggestions, before the reply."""
        from agentdesk.errors import AgentdeskError

        try:
            highlights = {i + 1: list(self.practice.analysis.insight(i).tone.evidence) for i in prompt.customer_turns}
            self.practice.suggestions(prompt)
        except AgentdeskError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return
        self.app.call_from_thread(self._prepared, prompt, highlights)

    def _prepared(self, prompt: "PracticePrompt", highlights: dict[int, list[tuple[int, int]]]) -> None:
        if self.is_attached and self.practice.current is prompt:
            self.query_one(Transcript).set_highlights(highlights)

    def _render_header(self) -> None:
        s = self.source.session
        total = len(self.practice.prompts)
        parts = [Content.styled("Role-play", "bold $accent")]
        if self.practice.trainee:
            parts.append(Content.assemble(Content(" · "), literal(self.practice.trainee, "bold", single_line=True)))
        if self.phase == DONE:
            parts.append(Content(f" · finished: {len(self.practice.answered)} of {total} turn(s) answered"))
        else:
            parts.append(Content(f" · turn {self.number} of {total}"))
        prompt = self.practice.current
        if self.phase == ANSWERING and prompt is not None and self.started_at is not None:
            from agentdesk.replay.scoring import RESPONSE_TARGETS_S

            elapsed = max(0.0, self.app.clock() - self.started_at)
            target = RESPONSE_TARGETS_S.get(s.channel, RESPONSE_TARGETS_S["chat"])
            m, sec = divmod(int(elapsed), 60)
            style = "bold $error" if elapsed > target else "bold"
            parts.append(Content.assemble(Content(" · ⏱ "), Content.styled(f"{m}:{sec:02d}", style),
                                          Content.styled(f" (target {target:g} s)", "$text-muted")))
        elif self.phase == SCORED and self.last is not None:
            sc = self.last.score
            parts.append(Content.styled(f" · scored {sc.points:g}/{sc.max_points:g}", "bold"))
        title = s.title or s.subject or s.id
        line2 = Content.assemble(
            literal(title, "bold", single_line=True),
            Content.styled(f" · {channel_label(s.channel)} · ", "$text-muted"),
            literal(self.source.label, "$text-muted", single_line=True),
        )
        self.query_one("#practice-header", Static).update(Content("\n").join([Content.assemble(*parts), line2]))

    # ------------------------------------------------------------ actions

    def action_submit(self) -> None:
        # a priority key, run as soon as it arrives: read the reply only after the keys
        # typed before it have reached the composer (they wait in its queue)
        self.composer.call_later(self._submit)

    def _submit(self) -> None:
        if self.phase != ANSWERING:
            return
        reply = self.composer.text.strip()
        if not reply:
            self.notify("Write your reply first; Ctrl+S submits it.", timeout=2, markup=False)
            return
        elapsed = None if self.started_at is None else max(0.0, self.app.clock() - self.started_at)
        self._set_phase(SCORING)
        self._score(reply, elapsed)

    @work(thread=True, exclusive=True, group="practice-score", exit_on_error=False)
    def _score(self, reply: str, elapsed: float | None) -> None:
        from agentdesk.errors import AgentdeskError

        try:
            turn = self.practice.answer(reply, elapsed)
        except AgentdeskError as exc:
            self.app.call_from_thread(self._score_failed, str(exc))
            return
        self.app.call_from_thread(self._scored, turn)

    def _score_failed(self, message: str) -> None:
        self.notify(message, severity="error", markup=False)
        self._set_phase(ANSWERING)

    def _scored(self, turn: "PracticeTurn") -> None:
        self.last = turn
        self.result.show(practice_result(turn, len(self.practice.answered), len(self.practice.prompts), last=self.practice.done))
        self._set_phase(SCORED)
        self.result.focus()
        transcript = self.query_one(Transcript)
        self.call_after_refresh(transcript.scroll_end, animate=False, immediate=True, x_axis=False)

    def action_next_turn(self) -> None:
        if self.phase != SCORED:
            return
        if self.practice.done:
            self._finish()
        else:
            self._show_prompt()

    def action_reply(self) -> None:
        if self.phase == ANSWERING:
            self.composer.focus()

    def action_finish(self) -> None:
        if self.phase in (ANSWERING, SCORED):
            self._finish()

    def action_leave(self) -> None:
        if self.composer.has_focus:
            self.query_one(Transcript).focus()
        elif self.phase == DONE:
            if self.root:
                self.app.exit()
            else:
                self.app.pop_screen()
        elif self.phase == ANSWERING:
            self.notify("r: back to your reply · Ctrl+F: finish the role-play", timeout=3, markup=False)

    def _finish(self) -> None:
        self._set_phase(DONE)
        self.result.show(card_content(self.practice.card()))
        self.result.focus()
        if self.export is not None and self.practice.answered:
            self._write(str(self.export))

    def action_export_card(self) -> None:
        if self.phase != DONE or not self.practice.answered:
            return
        default = str(self.export) if self.export else f"scorecard-{self.source.session.id}.md"
        self.app.push_screen(ExportDialog(default), lambda path: path and self._write(path))

    @work(thread=True, exclusive=True, group="practice-export", exit_on_error=False)
    def _write(self, path: str) -> None:
        from agentdesk.errors import AgentdeskError
        from agentdesk.sessions import write_card

        try:
            fmt = write_card(self.practice.card(), path)
        except AgentdeskError as exc:
            self.app.call_from_thread(self.notify, f"The scorecard was not written: {exc}", severity="error",
                                      timeout=8, markup=False)
            return
        self.app.call_from_thread(self._written, path, fmt)

    def _written(self, path: str, fmt: str) -> None:
        self.exported = path
        self.result.show(card_content(self.practice.card(), exported=path), keep_scroll=True)
        self.notify(f"Scorecard written to {path} ({fmt}).", timeout=6, markup=False)


__all__ = ["ExportDialog", "PracticeComposer", "PracticeScreen", "turn_message"]
