"""What the console looks like at 80×24 (SVG snapshots; update with --snapshot-update
after an intended change, and look at the diff)."""

from __future__ import annotations

import pytest

from agentdesk.desk import Desk
from agentdesk.screens.conversation import Composer, ConversationScreen
from agentdesk.store.db import Store
from tests.conftest import FakeClock
from tests.ui.helpers import connected, make_app, wait_for


async def settled(pilot):
    """Connected, and the first wait quotes are on screen (they arrive from a worker)."""
    from agentdesk.widgets.banner import QueueBanner

    await connected(pilot)
    await wait_for(pilot, lambda: bool(pilot.app.screen.query_one(QueueBanner).quotes), what="quotes")

SAMPLES = [
    ("Priya Raman", "gold", "billing", "chat", "I was charged twice for my March invoice, can you refund one?"),
    ("Tom Becker", "standard", "tech", "email", "Hello,\n\nThe hub keeps dropping off the Wi-Fi since the update. "
     "I have restarted it three times already.\n\nTom"),
    ("Lucía Gómez", "platinum", "orders", "phone", "Caller reports the parcel was marked delivered but never arrived."),
    ("Kenji Watanabe", "standard", "billing", "chat", "THIS IS THE THIRD TIME I'M ASKING. Where is my refund???"),
    ("Amara Nwosu", "standard", "tech", "social", "@help how do I reset the thermostat schedule?"),
    ("Jonas Berg", "gold", "orders", "chat", "thanks so much for sorting the delivery last week!"),
]


@pytest.fixture
def snap_url(sqlite_url):
    clock = FakeClock()
    store = Store.open(sqlite_url)
    desk = Desk(store, clock=clock)
    desk.create_queue("billing", "Billing", 60, 0.8)
    desk.create_queue("tech", "Technical support", 120, 0.8)
    desk.create_queue("orders", "Orders", 60, 0.8)
    alice = desk.create_agent("alice", "Alice Moreau")
    desk.set_agent_status(alice.id, "available")
    for i, (name, tier, queue, channel, text) in enumerate(SAMPLES):
        c = desk.create_customer(name, f"{name.split()[0].lower()}@example.com", "+44 7700 900123", tier,
                                 created_at=clock.now - 86400 * 400)
        desk.arrive(c.id, queue, channel, text, subject=text.split("\n")[0][:40], at=clock.now - 900 + i * 97)
    store.close()
    return sqlite_url


def test_queue_screen_80x24(snap_compare, snap_url):
    app = make_app(snap_url, clock=FakeClock())

    async def ready(pilot):
        await settled(pilot)
        await pilot.press("down")

    assert snap_compare(app, terminal_size=(80, 24), run_before=ready)


def test_conversation_screen_80x24(snap_compare, snap_url):
    app = make_app(snap_url, clock=FakeClock())

    async def ready(pilot):
        await settled(pilot)
        await pilot.press("down", "c")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationScreen) and app.screen.mine)
        composer = app.screen.query_one(Composer)
        composer.cursor_blink = False
        await wait_for(pilot, lambda: composer.has_focus)
        await pilot.press(*"Hi Priya, let me check that invoice.")
        await pilot.pause(0.1)

    assert snap_compare(app, terminal_size=(80, 24), run_before=ready)


def test_help_screen_80x24(snap_compare, snap_url):
    app = make_app(snap_url, clock=FakeClock())

    async def ready(pilot):
        await settled(pilot)
        await pilot.press("question_mark")
        await pilot.pause(0.1)

    assert snap_compare(app, terminal_size=(80, 24), run_before=ready)


def test_queue_screen_with_quotes_80x24(snap_compare, sqlite_url):
    from tests.waits.floor import busy_history

    clock = busy_history(sqlite_url)
    app = make_app(sqlite_url, clock=clock)

    async def ready(pilot):
        await settled(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=ready)
