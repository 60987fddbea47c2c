"""The supervisor's wallboard: queues, agents, escalations, a chart and alerts.

Read-only: the screen has no action that writes, and the store under it is opened
read-only (see :mod:`agentdesk.monitor`). Data arrives as :class:`~agentdesk.monitor.Board`
snapshots from the app's worker (``apply_board``); the three lists are Line-API
:class:`~agentdesk.widgets.virtual_list.VirtualList` widgets; Tab moves between them and
Enter drills in (a queue → its waiting list, an agent → their conversation, an
escalation → its transcript). All text typed by people is shown inert (no markup, control
characters made visible).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Static

from agentdesk.keys import bindings_for
from agentdesk.safetext import inert, sanitize
from agentdesk.screens.help import HelpScreen
from agentdesk.widgets.monitor_boards import AgentBoard, EscalationBoard, QueueBoard
from agentdesk.widgets.monitor_chart import MonitorChart

if TYPE_CHECKING:  # pragma: no cover
    from agentdesk.monitor import Alert, Board
    from agentdesk.monitor_app import MonitorApp

SPANS = (4 * 3600.0, 8 * 3600.0, 3600.0)


class WallboardScreen(Screen[None]):
    BINDINGS = bindings_for("monitor")
    ACTION_SCOPES = ("monitor",)
    AUTO_FOCUS = "#mon-queues"
    DEFAULT_CSS = """
    WallboardScreen { layout: vertical; }
    #mon-status { height: 1; background: $primary 30%; padding: 0 1; }
    #mon-warning { height: auto; max-height: 2; background: $warning 25%; color: $text; padding: 0 1; display: none; }
    #mon-warning.shown { display: block; }
    #mon-alerts { height: 1; padding: 0 1; }
    #mon-alerts.quiet { color: $text-muted; }
    #mon-alerts.loud { background: $error 25%; text-style: bold; }
    .mon-header { height: 1; color: $text-muted; text-style: bold; background: $surface; }
    #mon-lists { height: 2fr; min-height: 4; }
    #mon-agents-pane { width: 1fr; }
    #mon-esc-pane { width: 1fr; border-left: vkey $panel; }
    #mon-chart { height: 1fr; min-height: 5; border-top: hkey $panel; }
    """

    app: "MonitorApp"

    def __init__(self) -> None:
        super().__init__()
        self.board: "Board | None" = None
        self.chart_queue: int | None = None
        self.span_index = 0

    def compose(self) -> ComposeResult:
        yield Static("", id="mon-status")
        yield Static("", id="mon-warning")
        yield Static("", id="mon-alerts", classes="quiet")
        yield Static("", id="mon-queues-header", classes="mon-header")
        yield QueueBoard(id="mon-queues")
        with Horizontal(id="mon-lists"):
            with Vertical(id="mon-agents-pane"):
                yield Static("", id="mon-agents-header", classes="mon-header")
                yield AgentBoard(id="mon-agents")
            with Vertical(id="mon-esc-pane"):
                yield Static("", id="mon-esc-header", classes="mon-header")
                yield EscalationBoard(id="mon-esc")
        yield MonitorChart(id="mon-chart")
        yield Footer()

    def on_mount(self) -> None:
        for board in self.query(QueueBoard), self.query(AgentBoard), self.query(EscalationBoard):
            board.first().loading = self.app.board is None
        self._render_status()
        self._render_headers()
        if self.app.board is not None:
            self.apply_board(self.app.board, replay=True)

    def on_resize(self) -> None:
        self.call_after_refresh(self._render_headers)

    # ------------------------------------------------------------ data in

    def apply_board(self, board: "Board", *, replay: bool = False) -> None:
        """A new snapshot from the worker. ``replay``: the app's latest board, given to a
        screen mounted after it arrived (escalations are then taken whole)."""
        self.board = board
        queues = self.query_one(QueueBoard)
        agents = self.query_one(AgentBoard)
        esc = self.query_one(EscalationBoard)
        for w in (queues, agents, esc):
            w.now = board.at
            w.figures_ready = board.figures_ready
            w.loading = False
        queues.set_rows([*board.queues, board.total])
        agents.set_rows(board.agents, presorted=True)
        esc.queue_names = {q.id: q.name for q in board.queues}
        if replay:
            esc.set_rows(self.app.escalations.values())
        elif board.escalations_full:
            esc.set_rows(board.escalation_upserts)
        else:
            esc.apply(board.escalation_upserts, board.escalation_removals)
            esc.refresh()
        self._render_status()
        self._render_alerts()
        self._render_chart()
        self._render_headers()
        self.call_after_refresh(self._render_headers)  # again once the lists have their size

    # ------------------------------------------------------------ rendering

    def _render_status(self) -> None:
        app = self.app
        board = self.board
        where = sanitize(app.db_display or "", single_line=True)
        left = Content.assemble(Content.styled("agentdesk monitor", "bold"), " · ",
                                Content.styled("READ-ONLY", "bold $success"), " · ", Content(where))
        if board is None:
            right = Content.styled("connecting…", "$text-muted")
        else:
            t = board.total
            clock = datetime.fromtimestamp(board.at).strftime("%H:%M:%S")
            sl = ("…" if not board.figures_ready else
                  "—" if t.metrics.service_level is None else f"{t.metrics.service_level:.0%}")
            right = Content.assemble(f"{t.waiting} waiting · SL today ", Content.styled(sl, "bold"), f" · {clock}")
        status = self.query_one("#mon-status", Static)
        width = max(1, status.size.width - 2) if status.size.width else 78
        gap = width - left.cell_length - right.cell_length
        if gap < 1:  # narrow: the figures matter more than the database path
            room = width - right.cell_length - len("agentdesk monitor · READ-ONLY · ") - 1
            where = ("…" + where[-(room - 1):]) if room > 8 else ""
            left = Content.assemble(Content.styled("agentdesk monitor", "bold"), " · ",
                                    Content.styled("READ-ONLY", "bold $success"),
                                    *((" · ", Content(where)) if where else ()))
            gap = width - left.cell_length - right.cell_length
        status.update(Content.assemble(left, " " * max(1, gap), right) if gap >= 1 else right)
        warn = self.query_one("#mon-warning", Static)
        if board is not None and board.warning:
            warn.update(inert("⚠ " + board.warning))
            warn.add_class("shown")
        else:
            warn.remove_class("shown")

    def _render_alerts(self) -> None:
        line = self.query_one("#mon-alerts", Static)
        board = self.board
        if board is None or not board.alerts:
            line.update(Content("✓ no alerts: every queue at its goal, no hostile customers"))
            line.set_class(True, "quiet")
            line.set_class(False, "loud")
            return
        parts = []
        for a in board.alerts[:4]:
            parts.append(("▲ " if a.kind == "queue" else "‼ ") + sanitize(a.text, single_line=True))
        more = len(board.alerts) - 4
        text = "   ".join(parts) + (f"   +{more} more (a: alerts)" if more > 0 else "")
        line.update(inert("ALERT  " + text, single_line=True))
        line.set_class(False, "quiet")
        line.set_class(True, "loud")

    def _render_headers(self) -> None:
        def width_of(widget_id: str) -> int:
            w = self.query_one(widget_id)
            return w.scrollable_content_region.width or w.size.width or self.size.width

        self.query_one("#mon-queues-header", Static).update(inert(QueueBoard.header(width_of("#mon-queues"))))
        self.query_one("#mon-agents-header", Static).update(inert(AgentBoard.header(width_of("#mon-agents"))))
        esc = self.query_one(EscalationBoard)
        count = esc.row_count if esc.loaded else None
        self.query_one("#mon-esc-header", Static).update(inert(EscalationBoard.header(width_of("#mon-esc"), count)))

    def _render_chart(self) -> None:
        board = self.board
        if board is None:
            return
        qid = self.chart_queue
        if qid is not None and qid not in board.chart.series:
            qid = self.chart_queue = None
        depth, sl = board.chart.series.get(qid, ((), ()))
        chart = self.query_one(MonitorChart)
        chart.reading = not board.figures_ready
        if qid is None:
            title = "all queues"
            goal = min((q.goal for q in board.queues), default=0.8)
        else:
            q = next((q for q in board.queues if q.id == qid), None)
            title = sanitize(q.name if q else "?", single_line=True)
            goal = q.goal if q else 0.8
        chart.set_data(depth, sl, step_s=board.chart.step_s, span_s=SPANS[self.span_index], goal=goal,
                       title=title)

    # ------------------------------------------------------------ actions

    def action_next_pane(self) -> None:
        order = [self.query_one(QueueBoard), self.query_one(AgentBoard), self.query_one(EscalationBoard)]
        focused = self.focused
        i = order.index(focused) if focused in order else -1
        order[(i + 1) % len(order)].focus()

    def action_open_selected(self) -> None:
        focused = self.focused
        if isinstance(focused, QueueBoard):
            row = focused.cursor_row
            if row is None:
                return
            if row.id is None:
                self.notify("Choose one queue to see its waiting list.", timeout=3)
                return
            from agentdesk.screens.monitor_queue import MonitorQueueScreen

            self.app.push_screen(MonitorQueueScreen(row.id, row.name))
        elif isinstance(focused, AgentBoard):
            row = focused.cursor_row
            if row is None:
                return
            if row.conversation_id is None:
                self.notify(f"{sanitize(row.display_name, single_line=True)} has no open conversation.", timeout=3)
                return
            self.app.watch_conversation(row.conversation_id)
        elif isinstance(focused, EscalationBoard):
            row = focused.cursor_row
            if row is not None:
                self.app.watch_conversation(row.id)

    def action_find_conversation(self) -> None:
        from agentdesk.screens.modals import AskNumber

        def chosen(number: int | None) -> None:
            if number is not None:
                self.app.watch_conversation(number)

        self.app.push_screen(AskNumber("Watch conversation number:"), chosen)

    def action_chart_queue(self) -> None:
        board = self.board
        ids: list[int | None] = [None, *[q.id for q in board.queues]] if board else [None]
        i = ids.index(self.chart_queue) if self.chart_queue in ids else 0
        self.chart_queue = ids[(i + 1) % len(ids)]
        self._render_chart()

    def action_chart_span(self) -> None:
        self.span_index = (self.span_index + 1) % len(SPANS)
        self._render_chart()

    def action_alerts(self) -> None:
        self.app.push_screen(AlertLogScreen(list(self.app.alert_log)))


class AlertLogScreen(ModalScreen[None]):
    """The alerts raised since the monitor started, newest first."""

    DEFAULT_CSS = """
    AlertLogScreen { align: center middle; }
    AlertLogScreen > VerticalScroll {
        width: 90; max-width: 100%; height: 80%; border: round $warning; background: $surface; padding: 0 1;
    }
    """
    BINDINGS = [Binding("escape,a,q", "close", "Close", id="alerts_close"),
                Binding("down,j", "scroll_down", "Down", show=False),
                Binding("up,k", "scroll_up", "Up", show=False)]

    def __init__(self, alerts: list["Alert"]) -> None:
        super().__init__()
        self.alerts = alerts

    def compose(self) -> ComposeResult:
        lines = [Content.styled("Alerts since the monitor started (newest first)", "bold $warning"),
                 Content.styled("Esc closes.", "$text-muted"), Content("")]
        if not self.alerts:
            lines.append(Content("No alerts yet."))
        icons = {"queue": "▲", "hostile": "‼", "recovered": "✓"}
        for a in reversed(self.alerts):
            stamp = datetime.fromtimestamp(a.at).strftime("%H:%M:%S")
            lines.append(Content.assemble(Content.styled(f"{stamp}  {icons.get(a.kind, '•')} ", "bold"),
                                          inert(a.text, single_line=True)))
        with VerticalScroll():
            yield Static(Content("\n").join(lines))

    def action_close(self) -> None:
        self.dismiss(None)

    def action_scroll_down(self) -> None:
        self.query_one(VerticalScroll).scroll_down()

    def action_scroll_up(self) -> None:
        self.query_one(VerticalScroll).scroll_up()


MONITOR_SCOPES = {
    "monitor_app": "Monitor: everywhere",
    "monitor": "Monitor: wallboard",
    "monitor_queue": "Monitor: waiting list",
    "monitor_conversation": "Monitor: conversation (watching)",
}


class MonitorHelpScreen(HelpScreen):
    """``?`` in the monitor: only the monitor's keys (the current screen's first)."""

    TITLE = "agentdesk monitor — keys"
    INTRO = ("The monitor only reads: nothing here changes a conversation. "
             "Esc closes this help; Ctrl+P opens the command palette.")

    def scope_titles(self) -> dict[str, str]:
        return dict(MONITOR_SCOPES)

    def extra_lines(self) -> list[Content]:
        return [Content.styled("Lists", "bold underline"),
                Content.assemble(Content.styled(f"  {'↑ ↓ PgUp PgDn':<16}", "bold $accent"),
                                 Content("Move the cursor (j/k too); Tab moves between panes"))]


__all__ = ["AlertLogScreen", "MonitorHelpScreen", "WallboardScreen"]
