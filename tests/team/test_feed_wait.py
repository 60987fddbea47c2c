"""ChangeFeed.wait on both backends: another console's commit ends the wait early (a
LISTEN notification on PostgreSQL, a changed ``PRAGMA data_version`` on SQLite), and
the poll that follows delivers the change. SQLite specifics: the watch sees commits
from other processes, a poll with nothing committed sends no query at all, and a
feed whose watch cannot be opened falls back to plain polling."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time

import pytest
from sqlalchemy import event

from agentdesk import live
from agentdesk.desk import Desk
from agentdesk.live import ChangeFeed
from agentdesk.store.db import Store
from tests.conftest import build_floor


@pytest.fixture
def consoles(db_url, clock):
    a, b = Store.open(db_url), Store.open(db_url)
    desk_a, desk_b = Desk(a, clock=clock, tone_fn=None), Desk(b, clock=clock, tone_fn=None)
    floor = build_floor(desk_a, clock)
    feed = ChangeFeed.start(desk_b)
    yield floor, desk_a, desk_b, feed
    feed.close()
    a.close()
    b.close()


def settle(feed: ChangeFeed) -> None:
    """The first wait sets up the listener/watch and asks for a poll; then the feed is
    quiet until someone commits."""
    assert feed.wait(10) is True
    feed.poll()
    assert feed.wait(0.2) is False and feed.last_wake == "timeout"


def wait_in_thread(feed: ChangeFeed, timeout: float = 10.0):
    out: dict = {}

    def run():
        out["started"] = time.monotonic()
        out["woke"] = feed.wait(timeout)
        out["returned"] = time.monotonic()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, out


def test_another_consoles_commit_ends_the_wait(consoles):
    floor, desk_a, _, feed = consoles
    settle(feed)
    thread, out = wait_in_thread(feed)
    time.sleep(0.3)  # let it block (not a measurement)
    before = time.monotonic()
    claim = desk_a.claim_next(floor.alice.id)
    thread.join(15)
    assert out["woke"] is True and feed.last_wake in ("notified", "changed")
    assert before <= out["returned"] < out["started"] + 10
    assert feed.poll().removals == [claim.conversation_id]
    assert feed.mode in ("listen", "watch")


def test_a_change_between_poll_and_wait_is_not_missed(consoles):
    floor, desk_a, _, feed = consoles
    settle(feed)
    cid = desk_a.arrive(floor.customers[0].id, "tech", "chat", "quick question")
    assert feed.wait(10) is True  # it committed before the wait began
    assert [r.id for r in feed.poll().upserts] == [cid]


def test_a_burst_of_commits_is_one_wake_and_one_delta(consoles):
    floor, desk_a, _, feed = consoles
    settle(feed)
    ids = [desk_a.arrive(floor.customers[i].id, "billing", "chat", f"burst {i}") for i in range(5)]
    assert feed.wait(10) is True
    delta = feed.poll()
    assert sorted(r.id for r in delta.upserts) == sorted(ids)
    assert feed.poll() is None


# ------------------------------------------------------------------ SQLite


def test_sqlite_commit_from_another_process_ends_the_wait(sqlite_url, clock):
    store = Store.open(sqlite_url)
    desk = Desk(store, clock=clock, tone_fn=None)
    floor = build_floor(desk, clock, waiting=1)
    feed = ChangeFeed.start(desk)
    try:
        settle(feed)
        assert feed.mode == "watch"
        thread, out = wait_in_thread(feed, 30)
        code = textwrap.dedent(f"""
            from agentdesk.desk import Desk
            from agentdesk.store.db import Store
            store = Store.open({sqlite_url!r})
            desk = Desk(store, tone_fn=None)
            print(desk.arrive({floor.customers[0].id}, "orders", "email", "from another process"))
            store.close()
        """)
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        cid = int(done.stdout.strip())
        thread.join(35)
        assert out["woke"] is True and feed.last_wake == "changed"
        assert cid in {r.id for r in feed.poll().upserts}
    finally:
        feed.close()
        store.close()


def _statements(store):
    seen: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(store.engine, "before_cursor_execute", before)
    return seen, lambda: event.remove(store.engine, "before_cursor_execute", before)


def test_sqlite_poll_sends_no_query_when_nothing_was_committed(sqlite_url, clock):
    writer, reader = Store.open(sqlite_url), Store.open(sqlite_url)
    desk_w, desk_r = Desk(writer, clock=clock, tone_fn=None), Desk(reader, clock=clock, tone_fn=None)
    floor = build_floor(desk_w, clock, waiting=2)
    feed = ChangeFeed.start(desk_r)
    seen, stop = _statements(reader)
    try:
        settle(feed)
        seen.clear()
        for _ in range(5):
            assert feed.poll() is None
        assert seen == [], "nothing committed: the poll did not touch the database"
        desk_w.claim_next(floor.alice.id)
        delta = feed.poll()
        assert delta is not None and len(delta.removals) == 1
        assert any("FROM event" in s for s in seen)
    finally:
        stop()
        feed.close()
        writer.close()
        reader.close()


def test_sqlite_read_only_console_watches_too(sqlite_url, clock):
    """The supervisor's read-only store: its feed's watch is read-only as well."""
    writer = Store.open(sqlite_url)
    monitor = Store.open(sqlite_url, readonly=True)
    desk_w = Desk(writer, clock=clock, tone_fn=None)
    floor = build_floor(desk_w, clock, waiting=2)
    feed = ChangeFeed.start(Desk(monitor, clock=clock, tone_fn=None))
    try:
        settle(feed)
        assert feed.mode == "watch"
        desk_w.claim_next(floor.bob.id)
        assert feed.wait(10) is True and feed.last_wake == "changed"
        assert len(feed.poll().removals) == 1
    finally:
        feed.close()
        writer.close()
        monitor.close()


def test_sqlite_without_a_watch_falls_back_to_polling(sqlite_url, clock, monkeypatch):
    class Broken:
        def __init__(self, path):
            raise live.sqlite3.OperationalError("unable to open database file")

    monkeypatch.setattr(live, "_SqliteWatch", Broken)
    store = Store.open(sqlite_url)
    desk = Desk(store, clock=clock, tone_fn=None)
    floor = build_floor(desk, clock, waiting=1)
    feed = ChangeFeed.start(desk)
    try:
        assert feed.wait(0.05) is False and feed.mode == "poll"
        desk.claim_next(floor.alice.id)
        assert len(feed.poll().removals) == 1
    finally:
        feed.close()
        store.close()


def test_sqlite_close_ends_a_wait(sqlite_url, clock):
    store = Store.open(sqlite_url)
    feed = ChangeFeed.start(Desk(store, clock=clock, tone_fn=None))
    try:
        settle(feed)
        watch = feed._watch
        thread, out = wait_in_thread(feed, 30)
        time.sleep(0.2)
        feed.close()
        thread.join(10)
        assert not thread.is_alive() and out["woke"] is False
        assert feed.mode == "closed" and watch.version() is None
        assert feed.poll() is None
    finally:
        store.close()
