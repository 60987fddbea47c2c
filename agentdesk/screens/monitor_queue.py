"""One queue's waiting list in the monitor (read-only): who waits, in queue order.

Reuses the console's :class:`~agentdesk.widgets.queue_view.QueueView` (virtualised,
positions and per-queue counts maintained incrementally). The list is asked of the
monitor's worker, which sends it in the next board, so the first rows and later deltas
arrive in order on one stream; Enter watches a conversation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static

from agentdesk.keys import bindings_for
from agentdesk.safetext import inert, sanitize
from agentdesk.widgets.queue_view import QueueView

if TYPE_CHECKING:  # pragma: no cover
    from agentdesk.monitor import Board
    from agentdesk.monitor_app import MonitorApp


class MonitorQueueScreen(Screen[None]):
    BINDINGS = bindings_for("monitor_queue")
    ACTION_SCOPES = ("monitor_queue",)
    AUTO_FOCUS = "QueueView"
    DEFAULT_CSS = """
    MonitorQueueScreen { layout: vertical; }
    #mq-title { height: 1; background: $primary 30%; padding: 0 1; }
    #mq-header { height: 1; color: $text-muted; text-style: bold; background: $surface; }
    #mq-pane { height: 1fr; }
    """

    app: "MonitorApp"

    def __init__(self, queue_id: int, queue_name: str) -> None:
        super().__init__()
        self.queue_id = queue_id
        self.queue_name = queue_name

    def compose(self) -> ComposeResult:
        yield Static("", id="mq-title")
        with Vertical(id="mq-pane"):
            yield Static("", id="mq-header")
            yield QueueView(clock=self.app.clock, id="mq-list")
        yield Footer()

    def on_mount(self) -> None:
        view = self.query_one(QueueView)
        view.show_bounds = False  # the monitor computes no wait quotes: no empty ≤max column
        view.loading = True
        view.empty_text = "No one is waiting in this queue."
        board = self.app.board
        if board is not None:
            view.queue_names = {q.id: q.name for q in board.queues}
            view.queue_targets = {q.id: q.target_s for q in board.queues}
        self._render_title()
        self._render_header()
        if self.app.monitor is not None:
            self.app.monitor.request_waiting(self.queue_id)

    def on_resize(self) -> None:
        self._render_header()

    def _render_header(self) -> None:
        view = self.query_one(QueueView)
        width = view.scrollable_content_region.width or self.size.width
        self.query_one("#mq-header", Static).update(inert(QueueView.header(width, bounds=False)))

    def _render_title(self) -> None:
        view = self.query_one(QueueView)
        n = view.row_count if view.loaded else None
        count = "…" if n is None else str(n)
        self.query_one("#mq-title", Static).update(Content.assemble(
            Content.styled("agentdesk monitor", "bold"), " · ",
            Content.styled("READ-ONLY", "bold $success"), " · waiting in ",
            Content.styled(sanitize(self.queue_name, single_line=True), "bold"), f": {count}"))

    # ------------------------------------------------------------ data in

    def apply_board(self, board: "Board") -> None:
        view = self.query_one(QueueView)
        view.queue_names = {q.id: q.name for q in board.queues}
        view.queue_targets = {q.id: q.target_s for q in board.queues}
        rows = board.waiting_lists.get(self.queue_id)
        if rows is not None:
            view.set_rows(rows, presorted=True)
            view.loading = False
        elif view.loaded:
            upserts = [r for r in board.waiting_upserts if r.queue_id == self.queue_id]
            gone = [r.id for r in board.waiting_upserts if r.queue_id != self.queue_id]
            view.apply(upserts, [*board.waiting_removals, *gone])
        view.refresh()  # waits tick
        self._render_title()

    # ------------------------------------------------------------ actions

    def action_open_selected(self) -> None:
        row = self.query_one(QueueView).cursor_row
        if row is not None:
            self.app.watch_conversation(row.id)

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_cursor_top(self) -> None:
        self.query_one(QueueView).action_cursor_top()

    def action_cursor_bottom(self) -> None:
        self.query_one(QueueView).action_cursor_bottom()
