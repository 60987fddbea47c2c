"""Lists of the replay: the turns played so far, and the sessions to choose from.

Both are :class:`~agentdesk.widgets.virtual_list.VirtualList` subclasses on the Line
API: one line per row, only the visible rows rendered, so a recording with thousands
of turns (or a file with thousands of sessions) scrolls and steps at once. Every text
shown is sanitised (:func:`agentdesk.safetext.sanitize`) and never parsed as markup.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.actions import SkipAction
from textual.binding import Binding

from agentdesk.replay.timeline import Turn, TurnKind
from agentdesk.safetext import sanitize
from agentdesk.widgets.format import channel_label, fmt_wait, tone_marker
from agentdesk.widgets.queue_view import col, fit
from agentdesk.widgets.virtual_list import VirtualList


def fmt_offset(seconds: float) -> str:
    """``+01:46``, ``+1:02:03`` (time since the start of the recording)."""
    s = int(max(0.0, seconds))
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    return f"+{h}:{m:02d}:{sec:02d}" if h else f"+{m:02d}:{sec:02d}"


WHO = {
    TurnKind.CUSTOMER: "Customer",
    TurnKind.SYSTEM: "System",
    TurnKind.NOTE: "Note",
    TurnKind.EVENT: "·",
}


def who(turn: Turn) -> str:
    """Who wrote the turn (the agent's name for agent turns)."""
    if turn.kind is TurnKind.AGENT:
        return sanitize(turn.event.agent or "Agent", single_line=True)
    if turn.kind is TurnKind.NOTE and turn.event.agent:
        return "Note " + sanitize(turn.event.agent, single_line=True)
    return WHO[turn.kind]


def one_line(turn: Turn) -> str:
    """The turn in one line: a message's text, or the label of a state change."""
    if turn.kind is TurnKind.EVENT:
        return sanitize(turn.label, single_line=True)
    return sanitize(turn.text or turn.label, single_line=True)


class TurnList(VirtualList[Turn]):
    """The turns shown so far, oldest first; the cursor selects the turn the detail
    panel explains (playback moves it to each new turn)."""

    DEFAULT_CSS = """
    TurnList { height: 1fr; }
    TurnList > .turns--time { color: $text-muted; }
    TurnList > .turns--customer { color: $accent; text-style: bold; }
    TurnList > .turns--agent { color: $success; text-style: bold; }
    TurnList > .turns--system { color: $text-muted; text-style: italic; }
    TurnList > .turns--note { color: $warning; text-style: bold; }
    TurnList > .turns--event { color: $text-muted; }
    TurnList > .turns--dim { color: $text-muted; }
    TurnList > .turns--tone-concerned { color: $warning; }
    TurnList > .turns--tone-upset { color: $warning; text-style: bold; }
    TurnList > .turns--tone-hostile { color: $error; text-style: bold reverse; }
    TurnList > .turns--annotated { color: $accent; text-style: bold; }
    TurnList > .turns--bad { color: $error; text-style: bold; }
    TurnList > .turns--good { color: $success; }
    """
    COMPONENT_CLASSES = VirtualList.COMPONENT_CLASSES | {
        "turns--time", "turns--customer", "turns--agent", "turns--system", "turns--note", "turns--event",
        "turns--dim", "turns--tone-concerned", "turns--tone-upset", "turns--tone-hostile", "turns--annotated",
        "turns--bad", "turns--good",
    }

    def __init__(self, *, compressed: Callable[[Turn], bool] | None = None, id: str | None = None) -> None:
        super().__init__(key=lambda t: t.index, sort_key=lambda t: t.index,
                         empty_text="Nothing played yet: press → to step or Space to play.", id=id)
        self.compressed = compressed or (lambda t: False)
        self.levels: dict[int, str] = {}
        """Engine tone level of customer turns, as they are analysed."""

    # Left/right and Home/End belong to the replay (step, first/last turn), not to
    # scrolling this list: skipping them lets the screen's bindings have them.
    def action_scroll_left(self) -> None:
        raise SkipAction()

    def action_scroll_right(self) -> None:
        raise SkipAction()

    def action_scroll_home(self, *args: Any, **kwargs: Any) -> None:
        raise SkipAction()

    def action_scroll_end(self, *args: Any, **kwargs: Any) -> None:
        raise SkipAction()

    def set_level(self, index: int, level: str) -> None:
        if self.levels.get(index) != level:
            self.levels[index] = level
            self.invalidate(index)

    def row_token(self, row: Turn) -> Any:
        return (self.levels.get(row.index), len(row.annotations))

    def render_row(self, row: Turn, index: int, width: int, selected: bool) -> list[Segment]:
        style = self.get_component_rich_style
        gap = "»" if self.compressed(row) else " "
        time_text = col(gap + fmt_offset(row.offset_s), 10)
        level = self.levels.get(row.index) or row.tone_level
        if row.annotations:
            marker, marker_style = "✎ ", style("turns--annotated")
        elif row.kind is TurnKind.CUSTOMER and level:
            mark, cls = tone_marker(level)
            marker, marker_style = mark + " ", style(f"turns--tone-{cls}") if cls else style("turns--dim")
        elif row.wait is not None:
            ok = row.wait.within_bound
            marker, marker_style = ("✓ " if ok else "✗ "), style("turns--good" if ok else "turns--bad")
        else:
            marker, marker_style = "  ", Style()
        kind_style = style(f"turns--{row.kind.value}")
        name_w = min(14, max(6, width // 6))
        segs = [
            Segment(time_text, style("turns--time")),
            Segment(marker, marker_style),
            Segment(col(who(row), name_w), kind_style),
        ]
        rest = max(0, width - 10 - 2 - name_w)
        body_style = style("turns--event") if row.kind in (TurnKind.EVENT, TurnKind.SYSTEM) else Style()
        if rest:
            segs.append(Segment(fit(one_line(row), rest), body_style))
        return segs


class SessionChoiceList(VirtualList[Any]):
    """Sessions to choose from (``agentdesk replay`` without a session): title, channel,
    messages, length and how it ended."""

    DEFAULT_CSS = """
    SessionChoiceList { height: 1fr; }
    SessionChoiceList > .choices--dim { color: $text-muted; }
    SessionChoiceList > .choices--tag { color: $accent; }
    """
    COMPONENT_CLASSES = VirtualList.COMPONENT_CLASSES | {"choices--dim", "choices--tag"}
    BINDINGS = [
        Binding("home", "cursor_top", "First", show=False),
        Binding("end", "cursor_bottom", "Last", show=False),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(key=lambda c: c.key, sort_key=lambda c: c.order, empty_text="No sessions.", id=id)

    @staticmethod
    def header(width: int) -> str:
        return fit(" " + col("chan", 7) + col("msgs", 5) + col("length", 8) + "title", width)

    def render_row(self, row: Any, index: int, width: int, selected: bool) -> list[Segment]:
        style = self.get_component_rich_style
        dim = style("choices--dim")
        length = fmt_wait(row.duration_s)
        segs = [
            Segment(" " + col(channel_label(row.channel), 7), dim),
            Segment(col(str(row.messages), 5), dim),
            Segment(col(length, 8), dim),
        ]
        rest = max(0, width - 21)
        title = sanitize(row.title, single_line=True)
        tags = sanitize(" ".join(f"#{t}" for t in row.tags[:3]), single_line=True)
        if rest and tags and cell_len(title) + cell_len(tags) + 2 <= rest:
            segs.append(Segment(title + "  ", Style(bold=True)))
            segs.append(Segment(fit(tags, rest - cell_len(title) - 2), style("choices--tag")))
        elif rest:
            segs.append(Segment(fit(title, rest), Style(bold=True)))
        return segs
