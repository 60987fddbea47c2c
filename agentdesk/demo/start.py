"""Starting ``agentdesk demo``: kept free of heavy imports, because it runs before the
console's first frame. Seeding (:mod:`.loader`) and the simulated traffic
(:mod:`.driver`) are imported in the console's start-up worker."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from agentdesk.app import StartOptions
    from agentdesk.desk import Desk

HUMAN_AGENT = "you"


def demo_start_options(path: Path, *, reset: bool = False, rate: float = 4.0, seed: int | None = None,
                       simulate: bool = True) -> "StartOptions":
    """How ``agentdesk demo`` starts the console: seed (or refresh) the demo store in
    the console's start-up worker, then run simulated traffic in the background."""
    from agentdesk.app import StartOptions

    path = Path(path).expanduser()
    if reset:
        remove_demo_files(path)

    def prepare(desk: "Desk") -> str:
        from agentdesk.demo.loader import prepare_for_console

        return prepare_for_console(desk, seed)

    def start(desk: "Desk") -> Any:
        if not simulate:
            return None
        from agentdesk.demo.driver import DemoDriver

        driver = DemoDriver(desk, rate_per_min=rate, seed=seed)
        driver.start()
        return driver

    return StartOptions(db=str(path), agent=HUMAN_AGENT, create=True, prepare=prepare, start_background=start)


def remove_demo_files(path: Path) -> None:
    from agentdesk.store.db import LOCK_SUFFIX

    for suffix in ("", "-wal", "-shm", "-journal", LOCK_SUFFIX):
        p = Path(str(path) + suffix)
        if p.exists():
            p.unlink()
