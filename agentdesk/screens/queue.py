"""The queue screen: who waits and for how long; claim the next one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static

from agentdesk.app import Connected
from agentdesk.keys import bindings_for
from agentdesk.safetext import inert
from agentdesk.widgets.banner import QueueBanner
from agentdesk.widgets.queue_view import QueueView
from agentdesk.widgets.status import StatusBar

if TYPE_CHECKING:  # pragma: no cover
    from agentdesk.app import AgentDeskApp
    from agentdesk.domain import AgentInfo, Claim
    from agentdesk.live import Delta
    from agentdesk.waits import Board


class QueueScreen(Screen[None]):
    BINDINGS = bindings_for("queue")
    ACTION_SCOPES = ("queue",)
    AUTO_FOCUS = "QueueView"

    app: "AgentDeskApp"

    def compose(self) -> ComposeResult:
        yield StatusBar(clock=self.app.clock, id="status")
        yield QueueBanner(clock=self.app.clock, id="banner")
        with Vertical(id="queue-pane"):
            yield Static("", id="queue-header")
            yield QueueView(clock=self.app.clock, id="queue")
        yield Footer()

    _opening: int | None = None  # the conversation being read to open

    QUOTE_EVERY_S = 10.0  # quotes refresh at least this often, and soon after the queue changes

    def on_mount(self) -> None:
        self.query_one(QueueView).loading = self.app.desk is None
        self._update_header()
        self.set_interval(1.0, self._tick)
        self.set_interval(self.QUOTE_EVERY_S, self._request_quotes)
        self._quote_timer = None

    def on_resize(self) -> None:
        self._update_header()

    def _update_header(self) -> None:
        view = self.query_one(QueueView)
        width = view.scrollable_content_region.width or self.size.width
        self.query_one("#queue-header", Static).update(inert(QueueView.header(width)))

    def _tick(self) -> None:
        view = self.query_one(QueueView)
        view.refresh()  # waits tick: only visible rows are re-rendered
        self.query_one(QueueBanner).refresh_stats(view.queue_stats())
        self.query_one(StatusBar).refresh()

    # ------------------------------------------------------------ data in

    def handle_connected(self, message: Connected) -> None:
        view = self.query_one(QueueView)
        view.queue_names = {q.id: q.name for q in message.queues}
        view.queue_targets = {q.id: q.sl_target_s for q in message.queues}
        if message.index is not None:
            view.set_index(message.index)  # built in the worker: O(1) here
        else:
            view.set_rows(message.rows, presorted=True)
        view.loading = False
        banner = self.query_one(QueueBanner)
        banner.set_queues(message.queues)
        banner.refresh_stats(view.queue_stats())
        self.query_one(StatusBar).agent = message.agent
        view.focus()
        self._request_quotes()

    def apply_delta(self, delta: "Delta") -> None:
        view = self.query_one(QueueView)
        if not view.loaded:
            return
        view.apply(delta.upserts, delta.removals)
        self.query_one(QueueBanner).refresh_stats(view.queue_stats())
        if delta.upserts or delta.removals or delta.agents_changed:
            # the queue changed: re-quote soon (a burst of changes collapses into one);
            # on a long queue, where quoting everyone takes a while, not more than about
            # a fifth of the time (100,000 waiting: about every 2 s while it changes)
            if self._quote_timer is None:
                delay = min(self.QUOTE_EVERY_S, max(1.0, 4 * self.app.quote_cost_s))
                self._quote_timer = self.set_timer(delay, self._request_quotes)

    def waits_ready(self) -> None:
        """The wait engine has warmed up: quote now rather than at the next interval."""
        self._request_quotes()

    def request_quotes(self) -> None:
        """Quote the queue as it is now (also what the app asks after a quote that ran
        while another request came in)."""
        if self._quote_timer is not None:
            self._quote_timer.stop()
        self._request_quotes()

    def _request_quotes(self) -> None:
        self._quote_timer = None
        view = self.query_one(QueueView)
        if view.loaded:
            self.app.refresh_quotes(view.queue_keys())

    @on(QueueView.RowsWanted)
    def _rows_wanted(self, event: QueueView.RowsWanted) -> None:
        """Rows coming into view whose text is not loaded yet: read them by id."""
        event.stop()
        if self.app.desk is not None:
            self._fetch_rows(event.keys)

    @work(thread=True, group="queue-rows", exit_on_error=False, description="read queue rows coming into view")
    def _fetch_rows(self, ids: list[int]) -> None:
        from agentdesk.errors import AgentdeskError

        view = self.query_one(QueueView)
        try:
            found = self.app.desk.waiting_rows(ids)
        except AgentdeskError:
            found = {}  # asked again when they are next in view
        self.app.call_from_thread(view.fill, [r for r in found.values() if r is not None], ids)

    def apply_quotes(self, board: "Board") -> None:
        from agentdesk.widgets.banner import BannerQuote

        self.query_one(QueueView).set_queue_bounds({qid: q.bounds for qid, q in board.queues.items()})
        self.query_one(QueueBanner).set_quotes({
            qid: BannerQuote(q.arrival.bound_s, q.arrival.reason) for qid, q in board.queues.items()
        })

    def agent_changed(self, agent: "AgentInfo") -> None:
        self.query_one(StatusBar).agent = agent

    # ------------------------------------------------------------ actions

    def _ready(self) -> bool:
        if self.app.desk is None or self.app.agent is None:
            self.notify("Still connecting to the store…", timeout=2)
            return False
        return True

    def action_claim_next(self) -> None:
        if self._ready():
            self._claim(None)

    def action_claim_selected(self) -> None:
        key = self.query_one(QueueView).cursor_key
        if key is None:
            self.notify("No one is waiting.", timeout=2)
            return
        if self._ready():
            self._claim(key)

    @work(thread=True, exclusive=True, group="claim", exit_on_error=False)
    def _claim(self, conversation_id: int | None) -> None:
        from agentdesk.errors import AgentdeskError

        desk, agent = self.app.desk, self.app.agent
        try:
            if conversation_id is None:
                claim = desk.claim_next(agent.id)
                if claim is None:
                    self.app.call_from_thread(self.notify, "No one is waiting in your queues.", timeout=3)
                    return
            else:
                claim = desk.claim(agent.id, conversation_id)
        except AgentdeskError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="warning", timeout=4)
            return
        self.app.call_from_thread(self._open_conversation, claim.conversation_id, claim)

    def _open_conversation(self, conversation_id: int, claim: "Claim | None" = None) -> None:
        """Read the conversation (its latest messages) first, then push its screen with
        them: the screen's first frame shows the transcript."""
        view = self.query_one(QueueView)
        if claim is not None:
            view.apply(removals=[conversation_id])
        self._opening = conversation_id
        self._prefetch(conversation_id, claim)

    @work(thread=True, group="open", exit_on_error=False)
    def _prefetch(self, conversation_id: int, claim: "Claim | None") -> None:
        from agentdesk.errors import AgentdeskError
        from agentdesk.screens.conversation import FIRST_PAGE

        desk, agent = self.app.desk, self.app.agent
        try:
            conv = desk.conversation(conversation_id, message_limit=FIRST_PAGE)
            mine = claim
            if mine is None and agent is not None and conv.assignee_id == agent.id:
                mine = desk.current_claim(agent.id, conversation_id)
        except AgentdeskError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(self._push_conversation, conversation_id, claim, (conv, mine))

    def _push_conversation(self, conversation_id: int, claim: "Claim | None", preloaded) -> None:
        from agentdesk.screens.conversation import ConversationScreen

        if self._opening != conversation_id:
            return  # another conversation was asked for meanwhile
        self._opening = None
        self.app.push_screen(ConversationScreen(conversation_id, claim=claim, preloaded=preloaded))

    def action_open_selected(self) -> None:
        key = self.query_one(QueueView).cursor_key
        if key is not None and self._ready():
            self._open_conversation(key)

    def action_cursor_top(self) -> None:
        self.query_one(QueueView).action_cursor_top()

    def action_cursor_bottom(self) -> None:
        self.query_one(QueueView).action_cursor_bottom()

    def action_my_conversations(self) -> None:
        if self._ready():
            self._load_mine()

    @work(thread=True, exclusive=True, group="mine", exit_on_error=False)
    def _load_mine(self) -> None:
        from agentdesk.errors import AgentdeskError

        try:
            mine = self.app.desk.my_conversations(self.app.agent.id)
        except AgentdeskError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(self._pick_mine, mine)

    def _pick_mine(self, mine: list) -> None:
        from agentdesk.screens.modals import PickConversation

        if not mine:
            self.notify("You have no open conversations.", timeout=3)
            return

        def chosen(conversation_id: int | None) -> None:
            if conversation_id is not None:
                self._open_conversation(conversation_id)

        self.app.push_screen(PickConversation(mine, clock=self.app.clock), chosen)

    def action_find_conversation(self) -> None:
        from agentdesk.screens.modals import AskNumber

        def chosen(number: int | None) -> None:
            if number is not None and self._ready():
                self._open_conversation(number)

        self.app.push_screen(AskNumber("Open conversation number:"), chosen)
