"""The agent console (Textual).

Start-up does the minimum before the first frame: this module imports only Textual;
the store, SQLAlchemy and the services are imported and opened in a worker thread
after the first frame (:meth:`AgentDeskApp._connect`), and the screens fill in as the
data arrives. Every piece of I/O runs in a worker; results come back as messages.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual import work
from textual.message import Message

from agentdesk.keys import bindings_for
from agentdesk.ui_base import AgentdeskBaseApp

if TYPE_CHECKING:  # pragma: no cover
    from agentdesk.config import Settings
    from agentdesk.desk import Desk
    from agentdesk.domain import AgentInfo, QueueInfo, WaitingRow
    from agentdesk.live import Delta
    from agentdesk.waits import Board, WaitBoard


LISTEN_POLL_S = 2.0
"""Poll interval while PostgreSQL notifications are arriving (they wake the loop earlier)."""


@dataclass
class Connected(Message):
    """The store is open and the first data is loaded: ``rows`` is the head of the
    queue (full rows); ``index``, when given, places every waiting conversation
    (a :class:`~agentdesk.widgets.queue_view.QueueIndex` built in the worker)."""

    queues: list["QueueInfo"]
    rows: list["WaitingRow"]
    agent: "AgentInfo"
    index: Any = None


@dataclass
class LiveDelta(Message):
    """Changes made by anyone since the last poll (one message per poll)."""

    delta: "Delta"


@dataclass
class AgentChanged(Message):
    agent: "AgentInfo"


@dataclass
class QuotesReady(Message):
    """Fresh wait quotes for every queue (from the quote worker)."""

    board: "Board"


@dataclass
class StartOptions:
    """How the console starts: which store and agent, and extras for the demo."""

    db: str | None = None
    agent: str | None = None
    create: bool = False
    prepare: Callable[["Desk"], str] | None = None  # demo: seed the store, returns the agent name
    start_background: Callable[["Desk"], Any] | None = None  # demo: start simulated traffic
    poll_interval: float = 0.25


HEAD_ROWS = 256
"""Queue rows read in full when the console connects (more than a tall terminal shows);
the rest of the queue is placed by key and its rows are read as they come into view."""


class AgentDeskApp(AgentdeskBaseApp[None]):
    """``agentdesk desk``: the queue, conversations and every agent action."""

    CSS_PATH = "app.tcss"
    TITLE = "agentdesk"
    BINDINGS = bindings_for("app")
    HELP_SCOPES = ("app", "queue", "conversation", "composer")
    PALETTE_APP_SCOPES = ("app",)
    """The action scopes the help screen lists for this app."""
    ENABLE_COMMAND_PALETTE = True

    def __init__(self, settings: "Settings", options: StartOptions | None = None, *,
                 clock: Callable[[], float] = time.time) -> None:
        super().__init__(settings)
        self.options = options or StartOptions(db=settings.db, agent=settings.agent)
        self.clock = clock
        self.desk: "Desk | None" = None
        self.agent: "AgentInfo | None" = None
        self.queues: dict[int, "QueueInfo"] = {}
        self._background: Any = None
        self._feed: Any = None
        self.waits: "WaitBoard | None" = None
        self._early_changes: list | None = []  # changes seen while the wait board warms up
        self._quoting = False
        self._quote_again = False
        self._quote_cost_s = 0.0

    # ------------------------------------------------------------ start-up

    def on_mount(self) -> None:
        self.apply_keymap()
        from agentdesk.screens.queue import QueueScreen

        self.push_screen(QueueScreen())

    def on_ready(self) -> None:
        """The first frame is on screen: only now open the store (in a worker)."""
        self._connect()

    @work(thread=True, exclusive=True, group="connect", exit_on_error=False)
    def _connect(self) -> None:
        from agentdesk.errors import AgentdeskError

        try:
            self._open()
        except AgentdeskError as exc:
            self.call_from_thread(self.fail, str(exc), exc.exit_code)

    def _first_look(self):
        """The first screen's data straight from a local SQLite file (stdlib only), for a
        plain console; ``None`` otherwise (see :mod:`agentdesk.store.peek`)."""
        opts = self.options
        if opts.prepare is not None or opts.create or not opts.agent:
            return None
        from agentdesk.store.peek import first_look, sqlite_path

        path = sqlite_path(opts.db)
        return None if path is None else first_look(path, opts.agent, head=HEAD_ROWS)

    def _open(self) -> None:
        from agentdesk.widgets.queue_view import QueueIndex

        # On a local SQLite store the queue goes on screen before SQLAlchemy and the
        # services have even been imported.
        look = self._first_look()
        if look is not None:
            index = QueueIndex.build(look.keys, look.head, presorted=True)
            self.post_message(Connected(look.queues, look.head, look.agent, index))
            del index

        from agentdesk.desk import Desk
        from agentdesk.domain import AgentStatus
        from agentdesk.errors import UsageError
        from agentdesk.live import ChangeFeed
        from agentdesk.store.db import Store

        opts = self.options
        store = Store.open(opts.db, create=opts.create, check_schema=opts.prepare is None)
        desk = Desk(store, clock=self.clock)
        agent_name = opts.prepare(desk) if opts.prepare else opts.agent
        if not agent_name:
            raise UsageError(
                "no agent given: use --agent NAME, set AGENTDESK_AGENT, or put agent = \"NAME\" in the config file"
            )
        agent = desk.agent(agent_name)
        agent = desk.set_agent_status(agent.id, AgentStatus.AVAILABLE)
        if look is not None:
            # changes since the first look's snapshot reach the screens as deltas
            feed = ChangeFeed(desk, look.last_event_id)
            queues = look.queues
            self.desk = desk
            self.agent = agent
            self.queues = {q.id: q for q in queues}
            self._feed = feed
            self.post_message(AgentChanged(agent))  # now available: the screens show it
        else:
            feed = ChangeFeed.start(desk)  # before the rows, so no change falls between
            # Every waiting conversation's key (one covering-index read) and the text of
            # the head of the queue; rows further down are read as they come into view.
            keys, head = desk.waiting_index(head=HEAD_ROWS)
            queues = desk.queues()
            index = QueueIndex.build(keys, head, presorted=True)  # here, not on the UI thread
            self.desk = desk
            self.agent = agent
            self.queues = {q.id: q for q in queues}
            self._feed = feed
            self.post_message(Connected(queues, head, agent, index))
            del keys, head, index
        if opts.start_background:
            self._background = opts.start_background(desk)
        self._live_loop()
        # The wait engine warms from the event log after the queue is on screen; the
        # first quotes follow as soon as it is ready. Changes the feed delivers while it
        # warms are kept and handed over, minus those its warm-up already read.
        since = desk.last_event_id()
        board = self._wait_board(desk)
        self.call_from_thread(self._waits_ready, board, since)
        # Warm what opening a conversation needs, so the first one opens as fast as the rest.
        import agentdesk.assist  # noqa: F401
        import agentdesk.screens.conversation  # noqa: F401

        # Everything loaded so far lives as long as the console: take it out of the
        # cyclic garbage collector's full passes, which otherwise walk every module,
        # class and widget (hundreds of thousands of objects) and stop every thread,
        # keypresses included, for 25–70 ms several times a minute.
        import gc

        if self.is_running:  # (on_unmount unfreezes; a console closing early skips this)
            gc.collect()
            gc.freeze()

    def _waits_ready(self, board: "WaitBoard | None", since: int) -> None:
        early, self._early_changes = self._early_changes, None
        if board is None:
            return
        board.feed([c for c in early or () if c.event_id > since])
        self.waits = board
        self._for_screens("waits_ready")

    def _wait_board(self, desk: "Desk") -> "WaitBoard | None":
        """The wait-quote service, warmed from the recent event log (None if it cannot be)."""
        from agentdesk.errors import AgentdeskError
        from agentdesk.waits import WaitBoard

        board = WaitBoard(desk, coverage=self.settings.wait_coverage)
        try:
            board.load()
        except AgentdeskError as exc:
            self.call_from_thread(self.notify, f"Wait quotes are unavailable: {exc}", severity="warning")
            return None
        return board

    def refresh_quotes(self, keys_by_queue: dict[int, list]) -> None:
        """Quote every waiting conversation in a worker; the result arrives as QuotesReady.

        One quote at a time: a request made while one runs is remembered, and the
        screens are asked for fresh keys when it ends (requests collapse into one)."""
        if self.waits is None:
            return
        if self._quoting:
            self._quote_again = True
            return
        self._quoting = True
        self._quote(keys_by_queue)

    @property
    def quote_cost_s(self) -> float:
        """How long the last quote of every waiting conversation took (wall clock)."""
        return self._quote_cost_s

    # (a description: Textual would otherwise repr() 100,000 keys on the UI thread)
    @work(thread=True, group="quotes", exit_on_error=False, description="quote every waiting conversation")
    def _quote(self, keys_by_queue: dict[int, list]) -> None:
        from agentdesk.errors import AgentdeskError

        started = time.perf_counter()
        try:
            board = self.waits.quote(keys_by_queue)
        except AgentdeskError as exc:
            self.call_from_thread(self.notify, f"Could not refresh wait quotes: {exc}", severity="warning")
            board = None
        finally:
            self._quote_cost_s = time.perf_counter() - started
            try:
                self.call_from_thread(self._quote_finished)
            except RuntimeError:  # the app has closed meanwhile
                pass
        if board is not None:
            self.post_message(QuotesReady(board))

    def _quote_finished(self) -> None:
        self._quoting = False
        if self._quote_again:
            self._quote_again = False
            self._for_screens("request_quotes")

    def _for_screens(self, method: str, *args: object) -> None:
        """Hand a worker's result to every screen on the stack that takes it. A result
        that arrives while the app is shutting down (the screens' widgets already
        removed) is dropped instead of failing on a widget that is gone."""
        from textual.css.query import NoMatches

        for screen in list(self.screen_stack):
            handler = getattr(screen, method, None)
            if handler is None:
                continue
            try:
                handler(*args)
            except NoMatches:
                if self._exit or not self._running or screen._closing or screen._closed:
                    return
                raise

    def on_quotes_ready(self, message: QuotesReady) -> None:
        self._for_screens("apply_quotes", message.board)

    @work(thread=True, exclusive=True, group="live", exit_on_error=False)
    def _live_loop(self) -> None:
        """Poll the change feed and post one delta per poll (bursts collapse into one)."""
        from agentdesk.errors import AgentdeskError
        from textual.worker import get_current_worker

        worker = get_current_worker()
        interval = self.options.poll_interval
        failures = 0
        while not worker.is_cancelled:
            try:
                delta = self._feed.poll()
                failures = 0
            except AgentdeskError as exc:
                failures += 1
                if failures == 3:
                    self.call_from_thread(self.notify, f"Lost the database: {exc}. Retrying…",
                                          severity="error", timeout=6)
                delta = None
                time.sleep(min(5.0, interval * 2 ** failures))
            if delta is not None:
                self.post_message(LiveDelta(delta))
            # Until the next poll, or earlier when told of a change. With LISTEN/NOTIFY a
            # change (or a lost connection) wakes the loop at once, so it can sleep longer.
            listening = getattr(self._feed, "mode", "") == "listen"
            self._feed.wait(max(interval, LISTEN_POLL_S) if listening else interval)

    def on_connected(self, message: Connected) -> None:
        self._for_screens("handle_connected", message)

    def on_live_delta(self, message: LiveDelta) -> None:
        if self.waits is not None:
            self.waits.feed(message.delta.changes)
        elif self._early_changes is not None:
            self._early_changes.extend(message.delta.changes)
        self._for_screens("apply_delta", message.delta)

    def on_agent_changed(self, message: AgentChanged) -> None:
        self.agent = message.agent
        self._for_screens("agent_changed", message.agent)

    # ------------------------------------------------------------ actions

    def action_help(self) -> None:
        from agentdesk.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_toggle_available(self) -> None:
        if self.desk is None or self.agent is None:
            return
        from agentdesk.domain import AgentStatus

        new = AgentStatus.AWAY if self.agent.status == AgentStatus.AVAILABLE else AgentStatus.AVAILABLE
        self._set_status(str(new))

    @work(thread=True, exclusive=True, group="status", exit_on_error=False)
    def _set_status(self, status: str) -> None:
        from agentdesk.errors import AgentdeskError

        try:
            agent = self.desk.set_agent_status(self.agent.id, status)
        except AgentdeskError as exc:
            self.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.post_message(AgentChanged(agent))
        self.call_from_thread(self.notify, f"You are {status}.", timeout=2)

    async def action_quit(self) -> None:
        self._go_offline()

    @work(thread=True, exclusive=True, group="quit", exit_on_error=False)
    def _go_offline(self) -> None:
        from agentdesk.errors import AgentdeskError

        try:
            if self.desk is not None and self.agent is not None:
                self.desk.set_agent_status(self.agent.id, "offline")
        except AgentdeskError:
            pass
        self.call_from_thread(self.exit)

    def on_unmount(self) -> None:
        if self._background is not None and hasattr(self._background, "stop"):
            self._background.stop()
        import gc

        gc.unfreeze()  # what start-up froze becomes collectable again (an app embedded or tested)
        if self._feed is not None:
            self._feed.close()  # the LISTEN connection or the data_version watcher

    # ------------------------------------------------------------ palette
