"""``agentdesk monitor``: the supervisor's live wallboard (Textual), read-only.

Start-up does the minimum before the first frame: this module imports only Textual and
the key registry. After the first frame (:meth:`MonitorApp.on_ready`) a worker opens the
store read-only (:meth:`agentdesk.monitor.Monitor.open`), loads the floor, posts the
first :class:`~agentdesk.monitor.Board` and then keeps polling the change feed
(``ChangeFeed.wait`` between polls, 0.25 s by default): a board is posted when anything
changed, and at least once a second. Screens only render boards; every read runs in a
worker. Alerts raised by the model become notifications and stay on the alert line
while they hold.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import work
from textual.message import Message

from agentdesk.keys import ACTIONS, bindings_for, display_key
from agentdesk.ui_base import AgentdeskBaseApp

if TYPE_CHECKING:  # pragma: no cover
    from agentdesk.config import Settings
    from agentdesk.monitor import Alert, Board, EscalationRow, Monitor

_ACTION_KEYS = {a.id: a.key for a in ACTIONS}
_NAMED_KEYS = {"question_mark", "slash", "escape", "end", "home"}


@dataclass
class BoardMessage(Message):
    board: "Board"


class MonitorApp(AgentdeskBaseApp[None]):
    """The supervisor monitor."""

    TITLE = "agentdesk monitor"
    BINDINGS = bindings_for("monitor_app")
    ENABLE_COMMAND_PALETTE = True

    def __init__(self, settings: "Settings", *, db: str | None = None, clock: Callable[[], float] = time.time,
                 poll_interval: float = 0.25) -> None:
        super().__init__(settings)
        self.db = db if db is not None else settings.db
        self.clock = clock
        self.poll_interval = poll_interval
        self.monitor: "Monitor | None" = None
        self.board: "Board | None" = None
        self.escalations: dict[int, "EscalationRow"] = {}
        self.alert_log: list["Alert"] = []
        self.db_display: str | None = None

    # ------------------------------------------------------------ start-up

    def on_mount(self) -> None:
        self.apply_keymap()
        from agentdesk.screens.monitor import WallboardScreen

        self.push_screen(WallboardScreen())

    def on_ready(self) -> None:
        """The first frame is on screen: only now open the store (in a worker)."""
        self._run()

    @work(thread=True, exclusive=True, group="monitor", exit_on_error=False)
    def _run(self) -> None:
        from textual.worker import get_current_worker

        from agentdesk.errors import AgentdeskError
        from agentdesk.monitor import Monitor

        worker = get_current_worker()
        try:
            monitor = Monitor.open(self.db, clock=self.clock, fcr_reopen_days=self.settings.fcr_reopen_days)
            self.db_display = monitor.store.target.display
            board = monitor.load()
        except AgentdeskError as exc:
            self.call_from_thread(self.fail, str(exc), exc.exit_code)
            return
        self.monitor = monitor
        self.post_message(BoardMessage(board))  # who waits, agents, escalations: at once
        try:
            board = monitor.load_figures()  # then the day's figures and the chart
        except AgentdeskError as exc:
            self.call_from_thread(self.fail, str(exc), exc.exit_code)
            return
        self.post_message(BoardMessage(board))
        failures = 0
        while not worker.is_cancelled:
            monitor.feed.wait(self.poll_interval)  # until the next poll, or earlier when told of a change
            if worker.is_cancelled:
                break
            try:
                board = monitor.poll()
                failures = 0
            except AgentdeskError as exc:
                failures += 1
                if failures == 3:
                    self.call_from_thread(self.notify, f"Lost the database: {exc}. Retrying…",
                                          severity="error", timeout=6)
                time.sleep(min(5.0, self.poll_interval * 2 ** failures))
                continue
            if board is not None:
                self.post_message(BoardMessage(board))

    def on_unmount(self) -> None:
        if self.monitor is not None:
            self.monitor.close()

    # ------------------------------------------------------------ boards

    def on_board_message(self, message: BoardMessage) -> None:
        board = message.board
        self.board = board
        if board.escalations_full:
            self.escalations = {r.id: r for r in board.escalation_upserts}
        else:
            for cid in board.escalation_removals:
                self.escalations.pop(cid, None)
            for r in board.escalation_upserts:
                self.escalations[r.id] = r
        self.alert_log.extend(board.new_alerts)
        del self.alert_log[:-500]
        hostile = [a for a in board.new_alerts if a.kind == "hostile"]
        for alert in board.new_alerts:
            if alert.kind == "hostile" and len(hostile) > 2:
                continue  # a burst: one notification below, every alert in the log (a)
            severity = {"hostile": "error", "queue": "warning"}.get(alert.kind, "information")
            self.notify(alert.text, title="Alert" if alert.kind != "recovered" else "", severity=severity,
                        timeout=8)
        if len(hostile) > 2:
            ids = ", ".join(f"#{a.conversation_id}" for a in hostile[:6]) + (" …" if len(hostile) > 6 else "")
            self.notify(f"{len(hostile)} customers turned hostile: {ids} (a: alerts)", title="Alert",
                        severity="error", timeout=8)
        for screen in self.screen_stack:
            if hasattr(screen, "apply_board"):
                screen.apply_board(board)

    def watch_conversation(self, conversation_id: int) -> None:
        from agentdesk.screens.monitor_conversation import MonitorConversationScreen

        if self.monitor is None:
            self.notify("Still connecting to the store…", timeout=2)
            return
        self.push_screen(MonitorConversationScreen(conversation_id))

    # ------------------------------------------------------------ errors and notices

    # ------------------------------------------------------------ keys and palette

    def action_help(self) -> None:
        from agentdesk.screens.help import HelpScreen
        from agentdesk.screens.monitor import MonitorHelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(MonitorHelpScreen(self.screen))

    async def action_quit(self) -> None:
        self.exit()

    def get_key_display(self, binding) -> str:
        keymap = getattr(self, "_keymap", {}) or {}
        keys = keymap.get(binding.id) if binding.id else None
        if keys is None and binding.id in _ACTION_KEYS:
            keys = _ACTION_KEYS[binding.id]
        if keys and ("," in keys or keys.split(",")[0] in _NAMED_KEYS):
            return display_key(keys)
        return super().get_key_display(binding)



__all__ = ["BoardMessage", "MonitorApp"]
