"""What the wallboard looks like at 80×24 and at 130×40 (SVG snapshots; update with
--snapshot-update after an intended change, and look at the diff). The floor and the
clock are fixed, so the picture is too."""

from __future__ import annotations

import pytest

from agentdesk.desk import Desk
from agentdesk.store.db import Store
from tests.conftest import FakeClock
from tests.monitor.floor import busy_floor, fake_tone
from tests.monitor.test_ui import make_monitor, ready


@pytest.fixture
def snap_url(sqlite_url):
    clock = FakeClock()
    store = Store.open(sqlite_url)
    busy_floor(Desk(store, clock=clock, tone_fn=fake_tone), clock)
    store.close()
    return sqlite_url


async def _settle(pilot) -> None:
    await ready(pilot)
    app = pilot.app
    app.db_display = "floor.db"  # the test's temporary path differs from run to run
    app.screen._render_status()
    await pilot.pause(0.2)


@pytest.mark.parametrize("size", [(80, 24), (130, 40)], ids=["80x24", "130x40"])
def test_wallboard(snap_compare, snap_url, size):
    app = make_monitor(snap_url, FakeClock())
    assert snap_compare(app, terminal_size=size, run_before=_settle)


def test_watching_a_conversation_80x24(snap_compare, snap_url):
    app = make_monitor(snap_url, FakeClock())

    async def run_before(pilot) -> None:
        from agentdesk.screens.monitor_conversation import MonitorConversationScreen
        from tests.monitor.test_ui import wait_for

        await _settle(pilot)
        await pilot.press("tab", "tab", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, MonitorConversationScreen)
                       and app.screen.view is not None)
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
