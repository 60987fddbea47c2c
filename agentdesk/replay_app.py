"""``agentdesk replay``: the trainer's app (Textual), separate from the agent console.

Three screens: a session list (:class:`~agentdesk.screens.replay.PickerScreen`) when no
session is named, the replay itself (:class:`~agentdesk.screens.replay.ReplayScreen`)
and role-play (:class:`~agentdesk.screens.practice.PracticeScreen`). Same CSS
conventions as the console (``app.tcss``); keys come from :mod:`agentdesk.keys`
(scopes ``replay_pick``, ``replay`` and ``practice``), so the footer, the help screen
(``?``), the command palette and the README cannot disagree.

The CLI loads the session before the app starts (a bad file, an unknown sample or
conversation is a one-line error, with no screen taken over). Everything slower —
the engines' analysis of each turn, saving annotations, the database for a stored
conversation, writing a scorecard — runs in worker threads after the first frame.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.screen import Screen

from agentdesk.keys import ACTIONS, bindings_for, display_key
from agentdesk.ui_base import AgentdeskBaseApp

_ACTION_KEYS = {a.id: a.key for a in ACTIONS}
_NAMED_KEYS = {"space", "plus", "minus", "equals_sign", "left", "right"}

if TYPE_CHECKING:  # pragma: no cover
    from agentdesk.config import Settings
    from agentdesk.sessions import ReplaySource, SessionChoice
    from agentdesk.store.db import Store


@dataclass
class ReplayOptions:
    """What ``agentdesk replay`` was asked to do."""

    source: "ReplaySource | None" = None
    """The session to open at once; None opens the session list."""
    choices: Sequence["SessionChoice"] = ()
    choices_title: str = "Sample sessions"
    practice: bool = False
    """Open role-play instead of replay (and Enter in the list starts role-play)."""
    export: Path | None = None
    """Role-play: write the overall scorecard here at the end (.md or .json)."""
    trainee: str | None = None
    trainer: str | None = None
    """Who annotations are by (``data.by``)."""
    speed: float = 1.0
    max_gap_s: float | None = 30.0
    db: str | None = None
    """The database of a ``--conversation`` source (annotations are saved there)."""
    extra: dict[str, Any] = field(default_factory=dict)


class ReplayApp(AgentdeskBaseApp[None]):
    """Replay and role-play of recorded and sample sessions."""

    CSS_PATH = "app.tcss"
    TITLE = "agentdesk replay"
    BINDINGS = [b for b in bindings_for("app") if b.id in ("help", "quit")]
    ENABLE_COMMAND_PALETTE = True

    def __init__(self, settings: "Settings", options: ReplayOptions, *,
                 clock: Callable[[], float] = time.time,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        super().__init__(settings)
        self.options = options
        self.clock = clock
        self.monotonic = monotonic
        self._store: "Store | None" = None
        self._store_lock = threading.Lock()

    def on_mount(self) -> None:
        self.apply_keymap()
        opts = self.options
        if opts.source is not None:
            self.push_screen(self.session_screen(opts.source, practice=opts.practice, root=True))
        else:
            from agentdesk.screens.replay import PickerScreen

            self.push_screen(PickerScreen(opts.choices, title=opts.choices_title, practice=opts.practice))

    def session_screen(self, source: "ReplaySource", *, practice: bool, root: bool = False) -> Screen:
        if practice:
            from agentdesk.screens.practice import PracticeScreen

            return PracticeScreen(source, export=self.options.export, trainee=self.options.trainee, root=root)
        from agentdesk.screens.replay import ReplayScreen

        return ReplayScreen(source, speed=self.options.speed, max_gap_s=self.options.max_gap_s, root=root)

    # ------------------------------------------------------------ the database (lazily)

    def store(self) -> "Store":
        """The database of a stored conversation, opened on first use (call from a worker)."""
        with self._store_lock:
            if self._store is None:
                from agentdesk.store.db import Store

                self._store = Store.open(self.options.db)
            return self._store

    def on_unmount(self) -> None:
        if self._store is not None:
            self._store.close()

    # ------------------------------------------------------------ errors

    def get_key_display(self, binding) -> str:
        """The footer shows a binding's first key as the help screen does (→ for
        "right,l"), or the user's own key from the key map."""
        keymap = getattr(self, "_keymap", {}) or {}
        keys = keymap.get(binding.id) if binding.id else None
        if keys is None and binding.id in _ACTION_KEYS:
            keys = _ACTION_KEYS[binding.id]
        if keys and ("," in keys or keys.split(",")[0] in _NAMED_KEYS):
            return display_key(keys)
        return super().get_key_display(binding)

    # ------------------------------------------------------------ actions

    def action_help(self) -> None:
        from agentdesk.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    async def action_quit(self) -> None:
        self.exit()



__all__ = ["ReplayApp", "ReplayOptions"]
