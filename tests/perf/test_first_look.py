"""The console's first look at a SQLite store (stdlib only, before SQLAlchemy loads):
the same answers as the services, nothing missed between it and the change feed, and
a fall back to the usual path whenever it cannot be sure."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from agentdesk.app import AgentDeskApp
from agentdesk.desk import Desk
from agentdesk.store.db import Store
from agentdesk.store.peek import first_look, sqlite_path
from agentdesk.widgets.queue_view import QueueView
from tests.conftest import build_floor
from tests.ui.helpers import connected, make_app, wait_for


def _floor(url: str, clock, waiting: int = 9) -> None:
    store = Store.open(url)
    try:
        desk = Desk(store, clock=clock, tone_fn=None)
        floor = build_floor(desk, clock, waiting=waiting)
        gold = desk.create_customer("Gold Member", tier="gold")
        desk.arrive(gold.id, "tech", "email", "Priority please", at=clock.now - 30)
        desk.claim_next(floor.bob.id)  # one fewer waiting, an event in the log
    finally:
        store.close()


def test_same_answers_as_the_services(sqlite_url, clock):
    _floor(sqlite_url, clock)
    look = first_look(Path(sqlite_url), "alice", head=4)
    assert look is not None
    store = Store.open(sqlite_url)
    try:
        desk = Desk(store, clock=clock, tone_fn=None)
        keys, head = desk.waiting_index(head=4)
        assert look.keys == keys
        assert look.head == head
        assert look.queues == desk.queues()
        assert look.agent == desk.agent("alice")
        assert look.last_event_id == desk.last_event_id()
    finally:
        store.close()


def test_falls_back_when_it_cannot_be_sure(sqlite_url, clock, tmp_path):
    _floor(sqlite_url, clock)
    assert first_look(Path(sqlite_url), "nobody", head=4) is None  # unknown agent: the store reports it
    assert first_look(tmp_path / "missing.db", "alice", head=4) is None
    conn = sqlite3.connect(sqlite_url)
    conn.execute("UPDATE alembic_version SET version_num = '0001'")
    conn.commit()
    conn.close()
    assert first_look(Path(sqlite_url), "alice", head=4) is None  # another schema revision
    assert sqlite_path("postgresql+psycopg://u@h/db") is None
    assert sqlite_path("sqlite:///:memory:") is None and sqlite_path(":memory:") is None
    assert sqlite_path("sqlite:////tmp/x.db") == Path("/tmp/x.db")
    assert sqlite_path("~/desk.db") == Path("~/desk.db").expanduser()


async def test_nothing_is_missed_between_the_first_look_and_the_feed(sqlite_url, clock, monkeypatch):
    """A conversation that arrives just after the first look's snapshot, before the
    change feed starts, still reaches the queue."""
    _floor(sqlite_url, clock)
    late: list[int] = []
    original = AgentDeskApp._first_look

    def look_then_arrive(self):
        look = original(self)
        assert look is not None  # the fast path is taken on a plain local store
        store = Store.open(sqlite_url)
        try:
            desk = Desk(store, clock=clock, tone_fn=None)
            late.append(desk.arrive(desk.create_customer("Just In").id, "orders", "chat", "Hi!"))
        finally:
            store.close()
        return look

    monkeypatch.setattr(AgentDeskApp, "_first_look", look_then_arrive)
    app = make_app(sqlite_url, clock=clock)
    async with app.run_test(size=(110, 30)) as pilot:
        await connected(pilot)
        view = app.screen.query_one(QueueView)
        await wait_for(pilot, lambda: late and view.index_of(late[0]) is not None, what="the late arrival")
        await wait_for(pilot, lambda: app.agent is not None and app.agent.status == "available",
                       what="the agent to be available")
        assert view.row_count == 10  # nine from the floor + the gold member − one claimed + the late one
