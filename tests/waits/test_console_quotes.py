"""Wait quotes in the console: the banner, each row's bound, the customer update, the
audit events and `agentdesk waits report`."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from agentdesk.desk import Desk
from agentdesk.screens.conversation import Composer, ConversationScreen
from agentdesk.store.db import Store
from agentdesk.widgets.banner import QueueBanner
from agentdesk.widgets.queue_view import QueueView
from tests.ui.helpers import connected, make_app, screen_text, wait_for
from tests.waits.floor import busy_history


@pytest.fixture
def warm(sqlite_url):
    clock = busy_history(sqlite_url)
    return sqlite_url, clock


def _events(url, kind):
    store = Store.open(url)
    try:
        with store.read() as conn:
            from sqlalchemy import text

            rows = conn.execute(text("SELECT conversation_id, data FROM event WHERE kind = :k ORDER BY id"),
                                {"k": kind}).all()
        return [(r[0], json.loads(r[1]) if isinstance(r[1], str) else r[1]) for r in rows]
    finally:
        store.close()


async def _quoted_queue(pilot) -> QueueView:
    """The console connected, with wait quotes on its queue."""
    await connected(pilot)
    view = pilot.app.screen.query_one(QueueView)
    await wait_for(pilot, lambda: bool(view.bounds), what="quotes")
    return view


async def test_banner_rows_and_first_quotes(warm):
    url, clock = warm
    app = make_app(url, clock=clock)
    async with app.run_test(size=(120, 30)) as pilot:
        await connected(pilot)
        banner = app.screen.query_one(QueueBanner)
        view = app.screen.query_one(QueueView)
        await wait_for(pilot, lambda: banner.quotes and view.bounds, what="the first quotes")
        quote = banner.quotes[1]
        assert quote.bound_s is not None, quote.reason  # a warm floor gets an honest number
        assert "in line" in quote.reason and "agents" in quote.reason
        shown = screen_text(app)
        assert "new: at most" in shown
        # rows get their bound, non-decreasing along the queue; those at the front, with an
        # agent free, are in a situation the warm-up had too few outcomes for: they
        # honestly get no number
        bounds = [view.bounds[r.id] for r in view.rows]
        numbers = [b for b in bounds if b is not None]
        assert len(numbers) >= 3, bounds
        assert numbers == sorted(numbers) and bounds[-1] is not None
        assert "≤" in shown
    first = _events(url, "wait_quoted")
    assert len(first) == 5 and all(d["kind"] == "first" for _c, d in first)
    assert all(d["position"] >= 1 and "mean_handle_s" in d and "reason" in d for _c, d in first)
    assert sum(d["bound_s"] is not None for _c, d in first) >= 3


async def test_wait_update_for_a_waiting_customer(warm):
    url, clock = warm
    app = make_app(url, clock=clock)
    async with app.run_test(size=(120, 30)) as pilot:
        view = await _quoted_queue(pilot)
        target = view.rows[2]
        view.move_to_key(target.id)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationScreen) and app.screen.view is not None,
                       what="the waiting conversation")
        screen = app.screen
        await pilot.press("w")
        composer = screen.query_one(Composer)
        await wait_for(pilot, lambda: "in line" in composer.text, what="the update text")
        text = composer.text
        assert text.startswith("You're 3rd in line. It should take at most ")
        minutes = int(text.split("at most ")[1].split()[0])
        assert minutes * 60 >= view.bounds[target.id] > (minutes - 1) * 60  # rounded up to a whole minute
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: composer.text == "", what="sent")
    store = Store.open(url)
    try:
        conv = Desk(store, tone_fn=None).conversation(target.id)
    finally:
        store.close()
    assert conv.status == "waiting"  # the customer keeps their place
    assert conv.messages[-1].kind == "agent" and conv.messages[-1].body == text
    updates = [(c, d) for c, d in _events(url, "wait_quoted") if d["kind"] == "update"]
    assert updates and updates[0][0] == target.id and updates[0][1]["position"] == 3


async def test_report_after_outcomes(warm):
    url, clock = warm
    app = make_app(url, clock=clock)
    async with app.run_test(size=(120, 30)) as pilot:
        await _quoted_queue(pilot)
        await wait_for(pilot, lambda: len(_events(url, "wait_quoted")) == 5, what="recorded")
    # one customer (who was quoted a bound) is answered within it, one gives up early
    store = Store.open(url)
    desk = Desk(store, clock=clock, tone_fn=None)
    clock.advance(30)
    waiting = desk.waiting()
    desk.claim(desk.agent("sim2").id, waiting[-2].id)
    desk.abandon(waiting[-1].id)
    store.close()
    res = subprocess.run([sys.executable, "-m", "agentdesk", "waits", "report", "--db", url, "--json"],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    figures = json.loads(res.stdout)["billing"]
    assert figures["quotes"] == 5
    assert figures["counted"] == 1  # the abandoned one gave up before its bound: left out
    assert figures["coverage"] == 1.0
    text = subprocess.run([sys.executable, "-m", "agentdesk", "waits", "report", "--db", url],
                          capture_output=True, text=True, timeout=60).stdout
    assert "billing" in text and "100.0%" in text


async def test_an_update_to_a_customer_on_another_channel_does_not_call_it_a_chat(warm):
    """The queue's contacts are chats: an email customer's update says "requests are
    taking about …", not "chats"."""
    url, clock = warm
    store = Store.open(url)
    try:
        desk = Desk(store, clock=clock, tone_fn=None)
        cust = desk.create_customer("Erin Walsh", "erin@example.com")
        mail = desk.arrive(cust.id, "billing", "email", "Please confirm my refund.", subject="refund")
    finally:
        store.close()
    app = make_app(url, clock=clock)
    async with app.run_test(size=(120, 30)) as pilot:
        view = await _quoted_queue(pilot)
        await wait_for(pilot, lambda: view.bounds.get(mail, 0) != 0, what="the email's quote")
        view.move_to_key(mail)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationScreen) and app.screen.view is not None,
                       what="the waiting conversation")
        await pilot.press("w")
        composer = app.screen.query_one(Composer)
        await wait_for(pilot, lambda: "in line" in composer.text, what="the update text")
        assert "requests are taking about" in composer.text and "chats" not in composer.text
