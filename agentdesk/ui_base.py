"""What every agentdesk Textual app shares: plain-text notifications, one-line exits,
no silent worker failures, the user's theme and key map.

The agent console (:mod:`agentdesk.app`), the supervisor's monitor
(:mod:`agentdesk.monitor_app`) and the trainer's replay (:mod:`agentdesk.replay_app`)
all derive from :class:`AgentdeskBaseApp`.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from textual.app import App, SystemCommand
from textual.screen import Screen

if TYPE_CHECKING:  # pragma: no cover
    from agentdesk.config import Settings

R = TypeVar("R")


class AgentdeskBaseApp(App[R]):
    PALETTE_APP_SCOPES: tuple[str, ...] = ()
    """Action scopes (from :mod:`agentdesk.keys`) the palette offers on every screen."""

    def __init__(self, settings: "Settings") -> None:
        super().__init__()
        self.settings = settings
        self.error_message: str | None = None
        self.error_code = 0
        self.last_worker_error: BaseException | None = None
        if settings.theme:
            self.theme = settings.theme if settings.theme in self.available_themes else "textual-dark"

    def apply_keymap(self) -> None:
        """The user's ``[keys]`` remapping (binding ids from :mod:`agentdesk.keys`)."""
        if self.settings.keys:
            self.set_keymap(dict(self.settings.keys))

    def notify(self, message: str, *, title: str = "", severity: Any = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        """Notifications are plain text, always: their messages quote names, queue titles,
        file names and errors that anyone may have typed, and must never be parsed as
        markup (control characters are made visible too)."""
        from agentdesk.safetext import sanitize

        kwargs = {} if timeout is None else {"timeout": timeout}
        super().notify(sanitize(message), title=sanitize(title), severity=severity, markup=False, **kwargs)

    def fail(self, message: str, code: int = 1) -> None:
        """Leave with a one-line error (printed by the CLI after the terminal is restored)."""
        self.error_message = message
        self.error_code = code
        self.exit(return_code=code)

    def on_worker_state_changed(self, event) -> None:
        """A worker that failed with a bug must not fail silently."""
        from textual.worker import WorkerState

        if event.state == WorkerState.ERROR:
            error = event.worker.error
            self.log.error(f"worker {event.worker.name} failed: {error!r}")
            self.notify(f"Something went wrong ({type(error).__name__}: {error}). Your work is saved; "
                        "please report this.", severity="error", timeout=10)
            self.last_worker_error = error

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The command palette lists the actions that apply on the current screen (its
        ``ACTION_SCOPES``, where its ``check_action`` allows them) and the app's own."""
        from agentdesk.keys import ACTIONS

        yield from super().get_system_commands(screen)
        screen_scopes = set(getattr(screen, "ACTION_SCOPES", ()))
        for action in ACTIONS:
            if action.id in ("help", "quit") or action.scope == "composer":
                continue
            if action.scope in self.PALETTE_APP_SCOPES:
                target: Any = self
            elif action.scope in screen_scopes:
                if screen.check_action(action.action.split("(")[0], ()) is not True:
                    continue
                target = screen
            else:
                continue
            yield SystemCommand(action.description, action.help, partial(self.run_action, action.action, target))
