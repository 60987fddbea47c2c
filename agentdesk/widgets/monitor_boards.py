"""The wallboard's lists: queues, agents and escalations, on :class:`VirtualList`.

Each is a Line-API list (no widget per row); rows are the monitor service's frozen
rows (:mod:`agentdesk.monitor`) and the time-dependent cells (longest wait, time in
state, how long an upset customer has waited) are computed from the board's clock
(:attr:`now`), so a repaint costs only the visible rows. Text typed by people (queue
and agent names, customers, evidence words) is sanitised and never parsed as markup:
rows are built from plain :class:`~rich.segment.Segment` strings.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING, Any

from rich.segment import Segment
from rich.style import Style

from agentdesk.safetext import sanitize
from agentdesk.widgets.format import fmt_wait
from agentdesk.widgets.queue_view import col, fit
from agentdesk.widgets.virtual_list import VirtualList

if TYPE_CHECKING:  # pragma: no cover
    from agentdesk.monitor import AgentRow, EscalationRow, QueueRow


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def secs(value: float | None) -> str:
    return "—" if value is None else fmt_wait(value)


class MonitorBoard(VirtualList):
    """A VirtualList that knows the board's clock."""

    DEFAULT_CSS = """
    MonitorBoard { height: 1fr; scrollbar-size-vertical: 1; }
    MonitorBoard > .board--dim { color: $text-muted; }
    MonitorBoard > .board--good { color: $success; }
    MonitorBoard > .board--warn { color: $warning; }
    MonitorBoard > .board--bad { color: $error; text-style: bold; }
    MonitorBoard > .board--accent { color: $accent; text-style: bold; }
    MonitorBoard > .board--total { text-style: bold; }
    MonitorBoard > .board--hostile { color: $error; text-style: bold reverse; }
    MonitorBoard > .board--upset { color: $warning; text-style: bold; }
    """
    COMPONENT_CLASSES = VirtualList.COMPONENT_CLASSES | {
        "board--dim", "board--good", "board--warn", "board--bad", "board--accent", "board--total",
        "board--hostile", "board--upset",
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.now = 0.0
        self.figures_ready = True  # False while the day's figures are still being read

    def st(self, name: str) -> Style:
        return self.get_component_rich_style(f"board--{name}")


# ----------------------------------------------------------------------------- queues


class QueueBoard(MonitorBoard):
    """Per queue: waiting, longest wait, service level today, ASA, abandonment, quotes held;
    the last row is every queue together."""

    DEFAULT_CSS = """
    QueueBoard { height: auto; max-height: 9; }
    """

    # (title, width) of the columns after the name, in the order they are dropped when narrow
    BASE = (("wait", 5), ("longest", 8), ("SL today", 10), ("ASA", 7), ("aband", 6), ("quotes held", 12))
    EXTRA = (("answered", 9), ("AHT", 7), ("1st resp", 9), ("FCR", 6))

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(key=lambda r: -1 if r.id is None else r.id,
                         sort_key=lambda r: (r.id is None, r.id or 0), empty_text="No queues yet.", **kwargs)

    @classmethod
    def columns(cls, width: int) -> tuple[int, list[tuple[str, int]]]:
        cols = list(cls.BASE)
        fixed = sum(w for _, w in cols)
        for extra in cls.EXTRA:
            if width - fixed - extra[1] >= 22:
                cols.append(extra)
                fixed += extra[1]
        return max(8, min(24, width - fixed)), cols

    @classmethod
    def header(cls, width: int) -> str:
        name_w, cols = cls.columns(width)
        return fit(" queue", name_w) + "".join(_right(t, w) for t, w in cols)

    def row_token(self, row: "QueueRow") -> Hashable:
        oldest = row.oldest_enqueued_at
        return (self.figures_ready, None if oldest is None else int(self.now - oldest))

    def render_row(self, row: "QueueRow", index: int, width: int, selected: bool) -> list[Segment]:
        name_w, cols = self.columns(width)
        m = row.metrics
        total = row.id is None
        base = self.st("total") if total else Style()
        name = ("▲ " if row.breach and not total else "  ") + sanitize(row.name, single_line=True)
        segs = [Segment(fit(name, name_w), base + (self.st("bad") if row.breach and not total else Style()))]
        longest = None if row.oldest_enqueued_at is None else max(0.0, self.now - row.oldest_enqueued_at)
        for title, w in cols:
            style = base
            if not self.figures_ready and title not in ("wait", "longest"):
                segs.append(Segment(_right("…", w), base + self.st("dim")))
                continue
            if title == "wait":
                text = str(row.waiting)
            elif title == "longest":
                text = secs(longest)
                if longest is not None and not total and row.target_s:
                    if longest >= 3 * row.target_s:
                        style += self.st("bad")
                    elif longest >= row.target_s:
                        style += self.st("warn")
            elif title == "SL today":
                text = pct(m.service_level)
                if m.service_level is None:
                    style += self.st("dim")
                elif not total:
                    text += " ▼" if m.service_level < row.goal else "  "
                    style += self.st("bad" if row.breach else ("warn" if m.service_level < row.goal else "good"))
                else:
                    text += "  "
            elif title == "ASA":
                text = secs(m.asa_s)
            elif title == "aband":
                text = pct(m.abandon_rate)
            elif title == "quotes held":
                text = "—" if m.quotes_held is None else f"{m.quotes_held:.0%} of {m.quotes_counted}"
                if m.quotes_held is None:
                    style += self.st("dim")
            elif title == "answered":
                text = f"{m.answered}/{m.offered}"
            elif title == "AHT":
                text = secs(m.aht_s)
            elif title == "1st resp":
                text = secs(m.first_response_s)
            elif title == "FCR":
                text = pct(m.fcr)
            else:  # pragma: no cover
                text = ""
            segs.append(Segment(_right(text, w), style))
        return segs


# ----------------------------------------------------------------------------- agents


STATE_STYLES = {"busy": "accent", "on hold": "warn", "wrap-up": "dim", "available": "good", "away": "warn",
                "offline": "dim"}
SHORT_STATES = {"available": "avail", "on hold": "hold", "wrap-up": "wrap", "offline": "off"}


class AgentBoard(MonitorBoard):
    """Agents: state, time in state, current conversation, conversations handled today."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(key=lambda r: r.id, sort_key=lambda r: r.sort_key, empty_text="No agents.", **kwargs)

    @staticmethod
    def layout(width: int) -> tuple[int, int, int]:
        """(name, state, conversation) widths; fixed besides: time 7, done 5."""
        state_w = 10 if width >= 56 else 6
        rest = max(0, width - state_w - 7 - 5)
        name_w = max(8, min(20, rest * 9 // 20))
        return name_w, state_w, max(0, rest - name_w)

    @classmethod
    def header(cls, width: int) -> str:
        name_w, state_w, conv_w = cls.layout(width)
        return (col(" agent", name_w) + col("state", state_w) + col("for", 7) + fit("conversation", conv_w)
                + _right("done", 5))

    def row_token(self, row: "AgentRow") -> Hashable:
        return (self.figures_ready, int(self.now - row.since))

    def render_row(self, row: "AgentRow", index: int, width: int, selected: bool) -> list[Segment]:
        name_w, state_w, conv_w = self.layout(width)
        state = row.state
        style = self.st(STATE_STYLES.get(state, "dim"))
        label = state if state_w >= 10 else SHORT_STATES.get(state, state)
        conv = ""
        if row.conversation_id is not None:
            conv = f"#{row.conversation_id} {sanitize(row.customer or '', single_line=True)}"
            if row.others:
                conv += f" +{row.others}"
        name = " " + sanitize(row.display_name, single_line=True)
        return [
            Segment(col(name, name_w), self.st("dim") if row.status == "offline" else Style()),
            Segment(col(label, state_w), style),
            Segment(col(fmt_wait(max(0.0, self.now - row.since)), 7), self.st("dim")),
            Segment(fit(conv, conv_w), Style()),
            Segment(_right(str(row.handled_today) if self.figures_ready else "…", 5), self.st("dim")),
        ]


# ----------------------------------------------------------------------------- escalations


class EscalationBoard(MonitorBoard):
    """Upset and hostile customers, most severe first, then longest waiting, with the words
    that gave them away."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(key=lambda r: r.id, sort_key=lambda r: r.sort_key,
                         empty_text="No upset customers right now.", **kwargs)
        self.queue_names: dict[int, str] = {}

    @staticmethod
    def layout(width: int) -> tuple[int, int, int]:
        """(id, customer, evidence) widths; fixed besides: marker 2, wait 7."""
        id_w = 7 if width >= 50 else 6
        rest = max(0, width - 2 - id_w - 7)
        name_w = max(6, min(18, rest * 2 // 5))
        return id_w, name_w, max(0, rest - name_w)

    @classmethod
    def header(cls, width: int, count: int | None = None) -> str:
        id_w, name_w, ev_w = cls.layout(width)
        why = "why" if count is None else f"why · {count} upset/hostile"
        return "  " + col("#", id_w) + col("customer", name_w) + col("wait", 7) + fit(why, ev_w)

    def row_token(self, row: "EscalationRow") -> Hashable:
        return int(self.now - row.enqueued_at)

    def render_row(self, row: "EscalationRow", index: int, width: int, selected: bool) -> list[Segment]:
        id_w, name_w, ev_w = self.layout(width)
        hostile = row.level == "hostile"
        marker = "‼ " if hostile else "! "
        summary = row.summary
        if summary.startswith(f"{row.level}: "):
            summary = summary[len(row.level) + 2:]
        why = ", ".join(f"“{w}”" for w in row.evidence) or summary or row.level
        where = row.assignee if row.assignee else self.queue_names.get(row.queue_id, "")
        if where and ev_w > 30:
            why = f"{why} · {sanitize(where, single_line=True)}"
        return [
            Segment(marker, self.st("hostile" if hostile else "upset")),
            Segment(col(f"#{row.id}", id_w), self.st("dim")),
            Segment(col(sanitize(row.customer, single_line=True), name_w), Style(bold=True)),
            Segment(col(fmt_wait(max(0.0, self.now - row.enqueued_at)), 7),
                    self.st("warn") if row.status == "waiting" else self.st("dim")),
            Segment(fit(sanitize(why, single_line=True), ev_w), Style()),
        ]


def _right(text: str, width: int) -> str:
    """Right-aligned in ``width`` cells (one cell of gap on the left)."""
    if width <= 1:
        return " " * max(0, width)
    body = fit(text, width - 1) if len(text) >= width - 1 else text
    return body.rjust(width)
