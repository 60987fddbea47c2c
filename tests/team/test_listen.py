"""Live across terminals on PostgreSQL: LISTEN/NOTIFY as hints, the log as the truth.

* a commit by another console wakes :meth:`ChangeFeed.wait` (it returns because of the
  notification, long before its timeout) and the poll that follows delivers it;
* one write transaction sends at most one notification, carrying only conversation
  ids, never more than PostgreSQL's payload limit (``*`` instead), and nothing from a
  transaction that rolled back;
* junk payloads anyone could send are ignored or, at worst, cause one harmless poll;
* a listener whose connection is killed reconnects, and the feed delivers every
  change made while it was down (from the event log: NOTIFY replays nothing);
* ``close()`` ends a wait in progress and releases the server connection;
* two stores in one database (schemas) do not wake each other.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from contextlib import contextmanager

import pytest
from sqlalchemy import text

from agentdesk.desk import Desk
from agentdesk.errors import StaleClaim, StoreError
from agentdesk.live import ChangeFeed
from agentdesk.store import ops
from agentdesk.store.db import Store, notify_channel
from agentdesk.store.listen import PgListener
from tests.conftest import build_floor
from tests.team.conftest import psycopg_dsn

pytestmark = pytest.mark.postgres


@pytest.fixture
def two(pg_url, clock):
    """Two consoles' stores on one database, and a floor built through the first."""
    a, b = Store.open(pg_url), Store.open(pg_url)
    desk_a, desk_b = Desk(a, clock=clock, tone_fn=None), Desk(b, clock=clock, tone_fn=None)
    floor = build_floor(desk_a, clock)
    yield floor, desk_a, desk_b
    a.close()
    b.close()


@pytest.fixture
def feed(two):
    """The second console's change feed."""
    f = ChangeFeed.start(two[2])
    yield f
    f.close()


def listening(feed: ChangeFeed) -> None:
    """The first wait connects the listener and asks for a poll (to catch up on
    anything that committed before LISTEN)."""
    assert feed.wait(10) is True
    assert feed.last_wake == "connected" and feed.mode == "listen"
    feed.poll()


@contextmanager
def raw_listen(url: str, channel: str):
    """A plain psycopg LISTEN connection, independent of the code under test."""
    import psycopg
    from psycopg import sql

    conn = psycopg.connect(psycopg_dsn(url), autocommit=True)
    try:
        conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
        yield conn
    finally:
        conn.close()


def received(conn, settle: float = 1.0) -> list:
    """Every notification that arrives within ``settle`` seconds (all of them were
    sent by transactions that have already committed)."""
    return list(conn.notifies(timeout=settle))


def gone(admin, pid: int) -> bool:
    """Wait (up to 10 s) until a server process has left pg_stat_activity."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if admin.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone()[0] == 0:
            return True
        time.sleep(0.05)
    return False


# ------------------------------------------------------------------ waking


def test_a_commit_by_another_console_wakes_the_wait(two, feed):
    floor, desk_a, _ = two
    listening(feed)
    assert feed.poll() is None
    out: dict = {}

    def waiter():
        out["started"] = time.monotonic()
        out["woke"] = feed.wait(10)
        out["returned"] = time.monotonic()

    thread = threading.Thread(target=waiter)
    thread.start()
    time.sleep(0.3)  # let it block in the wait (not a measurement)
    before_write = time.monotonic()
    cid = desk_a.arrive(floor.customers[0].id, "tech", "chat", "is anyone there?")
    thread.join(15)
    assert not thread.is_alive()
    assert out["woke"] is True and feed.last_wake == "notified"
    assert out["returned"] >= before_write, "woken by the commit, not before it"
    assert out["returned"] - out["started"] < 10, "the notification ended the wait, not its timeout"
    assert cid in feed.listener.stats.hinted
    delta = feed.poll()
    assert [r.id for r in delta.upserts] == [cid]


def test_without_changes_the_wait_times_out(two, feed):
    listening(feed)
    assert feed.wait(0.3) is False and feed.last_wake == "timeout"
    assert feed.poll() is None


def test_a_console_hears_its_own_commits_too(two, feed):
    """Harmless: one extra poll that finds exactly its own change."""
    floor, _, desk_b = two
    listening(feed)
    claim = desk_b.claim_next(floor.bob.id)
    assert feed.wait(10) is True and feed.last_wake == "notified"
    assert feed.poll().removals == [claim.conversation_id]


# ------------------------------------------------------------------ what is sent


def test_one_notification_per_transaction_with_only_ids(two, pg_url):
    floor, desk_a, _ = two
    store = desk_a.store
    with store.read() as conn:
        events_before = conn.execute(text("SELECT count(*) FROM event")).scalar()
    with raw_listen(pg_url, store.notify_channel) as ln:
        claim = desk_a.claim_next(floor.alice.id)  # one event
        desk_a.transfer(claim, "orders", "over to orders")  # rows, messages, one event
        new_cid = desk_a.arrive(floor.customers[1].id, "billing", "chat", "hello")  # two events
        waiting = sorted(r.id for r in desk_a.waiting())
        # one transaction, three events for every waiting conversation
        desk_a.record_many([("wait_quoted", cid, None, {"n": n}) for cid in waiting for n in range(3)])
        desk_a.set_agent_status(floor.bob.id, "away")  # no conversation: id 0
        notes = received(ln)
    with store.read() as conn:
        events_after = conn.execute(text("SELECT count(*) FROM event")).scalar()
    assert events_after - events_before == 1 + 1 + 2 + 3 * len(waiting) + 1
    assert [n.payload for n in notes] == [
        str(claim.conversation_id),
        str(claim.conversation_id),
        str(new_cid),
        ",".join(str(c) for c in waiting),
        "0",
    ]
    assert {n.channel for n in notes} == {store.notify_channel}


def test_writes_that_fail_or_touch_nothing_send_nothing(two, pg_url):
    floor, desk_a, _ = two
    claim = desk_a.claim_next(floor.alice.id)
    desk_a.transfer(claim, "orders", "over to orders")
    with raw_listen(pg_url, desk_a.store.notify_channel) as ln:
        with pytest.raises(StaleClaim):
            desk_a.reply(claim, "too late")  # guarded write refused: rolled back
        desk_a.create_queue("returns", "Returns")  # no event, nothing to tell consoles
        assert received(ln, settle=0.5) == []


def test_a_huge_transaction_sends_a_star_not_an_oversized_payload(pg_url):
    """2,000 conversation ids take ~8,900 bytes: over PostgreSQL's 8,000-byte
    limit, so the payload is ``*`` (re-query everything) and the write succeeds."""
    from tests.store.race_worker import seed

    seed(pg_url, waiting=2000, agents=1)
    store = Store.open(pg_url)
    try:
        desk = Desk(store, tone_fn=None)
        ids = [r.id for r in desk.waiting()]
        assert len(",".join(map(str, ids))) > 8000
        with raw_listen(pg_url, store.notify_channel) as ln:
            desk.record_many([("wait_quoted", cid, None, {}) for cid in ids])
            notes = received(ln)
        assert [n.payload for n in notes] == ["*"]
        assert ops.NOTIFY_MAX_BYTES < 8000
    finally:
        store.close()


def test_ids_from_a_rolled_back_transaction_do_not_ride_along(pg_url):
    """The touched ids live on the pooled connection: neither a transaction that
    rolled back nor one run outside Store.write() may leak them into the next
    transaction's notification."""
    store = Store.open(pg_url, pool_size=1)
    try:
        with raw_listen(pg_url, store.notify_channel) as ln:
            with pytest.raises(RuntimeError):
                with store.write() as conn:
                    ops.touch(conn, 4242)
                    raise RuntimeError("changed my mind")
            with store.engine.connect() as conn:  # not through write(): no notify
                with conn.begin():
                    ops.touch(conn, 5151)
            with store.write() as conn:
                ops.touch(conn, 7)
            assert [n.payload for n in received(ln)] == ["7"]
    finally:
        store.close()


# ------------------------------------------------------------------ untrusted payloads

PURE_JUNK = [
    "",
    "x",
    "-1",
    "1e9",
    "0x10",
    "١٢",  # digits, but not ASCII
    "99999999999999999999",  # does not fit a BIGINT
    "*,*",
    "'; DELETE FROM conversation; --",
    "[@click=app.quit]x[/]",
    "\x1b[2J\x1b]0;pwned\x07",
    "a" * 7999,
]


def test_junk_payloads_are_harmless(two, feed, admin):
    floor, desk_a, desk_b = two
    listening(feed)
    channel = desk_b.store.notify_channel
    counts_before = desk_b.queue_counts()
    for payload in PURE_JUNK:
        admin.execute("SELECT pg_notify(%s, %s)", (channel, payload))
    # nothing usable: the wait is not even woken
    assert feed.wait(1.0) is False
    # the example: junk around one id-shaped token is one harmless poll
    admin.execute("SELECT pg_notify(%s, %s)", (channel, "DROP TABLE; 1,2,x"))
    assert feed.wait(10) is True and feed.last_wake == "notified"
    stats = feed.listener.stats
    assert stats.ignored == len(PURE_JUNK) and stats.notifications == 1
    assert stats.hinted == {2}
    assert feed.poll() is None, "a hint is never data: nothing changed, nothing is delivered"
    assert desk_b.queue_counts() == counts_before
    # the feed still works for real changes
    claim = desk_a.claim_next(floor.alice.id)
    assert feed.wait(10) is True
    assert feed.poll().removals == [claim.conversation_id]


def test_notifications_on_other_channels_do_not_wake(two, feed, admin):
    listening(feed)
    admin.execute("SELECT pg_notify('agentdesk_other', '1')")
    admin.execute("SELECT pg_notify(%s, '1')", (feed.listener.channel + "x",))
    assert feed.wait(0.5) is False


# ------------------------------------------------------------------ losing the connection


def test_a_killed_listener_reconnects_and_the_feed_catches_up(two, feed, admin):
    floor, desk_a, _ = two
    listening(feed)
    old_pid = feed.listener.backend_pid
    assert admin.execute("SELECT pg_terminate_backend(%s)", (old_pid,)).fetchone()[0] is True
    assert gone(admin, old_pid)
    # changes made while the listener is down: no NOTIFY can reach it
    claim = desk_a.claim_next(floor.alice.id)
    desk_a.reply(claim, "hello, I'm on it")
    new_cid = desk_a.arrive(floor.customers[2].id, "orders", "email", "where is my parcel")
    # the wait notices the lost connection and says "poll now"
    assert feed.wait(10) is True and feed.last_wake == "lost"
    assert feed.mode == "reconnecting"
    delta = feed.poll()  # catch-up comes from the event log
    assert delta.removals == [claim.conversation_id]
    assert [r.id for r in delta.upserts] == [new_cid]
    assert [c.kind for c in delta.changes] == ["claimed", "message", "arrived", "message"]
    # it reconnects at once and asks for one more poll (changes between loss and LISTEN)
    assert feed.wait(10) is True and feed.last_wake == "connected"
    assert feed.mode == "listen"
    new_pid = feed.listener.backend_pid
    assert new_pid not in (None, old_pid)
    assert feed.poll() is None
    assert feed.listener.stats.lost == 1 and feed.listener.stats.connects == 2
    # and NOTIFY works again on the new connection
    desk_a.abandon(new_cid)
    assert feed.wait(10) is True and feed.last_wake == "notified"
    assert feed.poll().removals == [new_cid]


def test_every_connection_of_a_console_killed(two, feed, admin):
    """A server-side purge of the console's connections (its pool and its listener):
    the pool replaces them on the next read (their sockets have the server's goodbye
    waiting, so they are checked before use), the listener on the next wait."""
    floor, desk_a, desk_b = two
    listening(feed)
    engine = desk_b.store.engine
    with engine.connect() as c1, engine.connect() as c2, engine.connect() as c3:
        pids = [c.exec_driver_sql("SELECT pg_backend_pid()").scalar() for c in (c1, c2, c3)]
    pids.append(feed.listener.backend_pid)
    for pid in pids:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    for pid in pids:
        assert gone(admin, pid)
    cid = desk_a.arrive(floor.customers[3].id, "billing", "chat", "back again")
    assert feed.wait(10) is True and feed.last_wake == "lost"
    assert [r.id for r in feed.poll().upserts] == [cid]
    assert feed.wait(10) is True and feed.last_wake == "connected"


def test_a_claim_after_the_server_closed_its_connection(two, admin):
    """The connection a console keeps for claims was terminated by the server while idle:
    the next claim notices (the server's goodbye is waiting on the socket), reconnects
    and claims, without an error and without a ping for a connection in regular use."""
    floor, _desk_a, desk_b = two
    assert desk_b.claim_next(floor.bob.id) is not None
    pid = desk_b.store._single.driver_connection.info.backend_pid
    admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    assert gone(admin, pid)
    claim = desk_b.claim_next(floor.bob.id)
    assert claim is not None
    assert desk_b.store._single.driver_connection.info.backend_pid != pid
    assert [e.kind for e in desk_b.events(claim.conversation_id)][-1] == "claimed"


def test_a_claim_whose_connection_breaks_mid_way_fails_cleanly_then_works(two, admin):
    """Killed between the check and the claim (a network drop): a one-line error, nothing
    written, and the next claim reconnects."""
    floor, _desk_a, desk_b = two
    assert desk_b.claim_next(floor.bob.id) is not None
    pid = desk_b.store._single.driver_connection.info.backend_pid
    before = len(desk_b.waiting())
    import agentdesk.store.db as dbmod

    real = dbmod._has_input
    dbmod._has_input = lambda _conn: False  # the check sees nothing, as after a silent drop
    try:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        assert gone(admin, pid)
        with pytest.raises(StoreError) as info:
            desk_b.claim_next(floor.bob.id)
        assert "\n" not in str(info.value)
    finally:
        dbmod._has_input = real
    assert len(desk_b.waiting()) == before
    assert desk_b.claim_next(floor.bob.id) is not None


def test_a_listener_that_cannot_connect_keeps_the_waits_short():
    attempts = []

    def refuse():
        attempts.append(time.monotonic())
        raise ConnectionRefusedError("connection refused")

    listener = PgListener(refuse, "agentdesk")
    try:
        # the caller asked for 30 s, but a disconnected listener returns within
        # DOWN_POLL_S so the console keeps reading the log meanwhile
        assert listener.wait(30) == "timeout"
        assert listener.state == "down" and listener.last_error == "connection refused"
        assert listener.stats.failed_attempts == len(attempts) >= 1
    finally:
        listener.close()
    assert listener.state == "closed" and listener.wait(5) == "closed"


def test_reconnection_backs_off_with_jitter_up_to_two_seconds():
    import random

    class Clock:
        t = 100.0

        def __call__(self):
            return self.t

    clock = Clock()
    listener = PgListener(lambda: None, "agentdesk", clock=clock, rng=random.Random(7))
    try:
        delays = []
        for _ in range(8):
            listener._failed(RuntimeError("refused"))
            delays.append(listener._next_attempt - clock.t)
        nominal = [0.1, 0.2, 0.4, 0.8, 1.6, 2.0, 2.0, 2.0]
        for got, want in zip(delays, nominal):
            assert want * 0.8 <= got <= want * 1.2
        assert len(set(delays)) == len(delays), "jittered: consoles do not reconnect in lockstep"
        listener._lost("terminated")
        assert listener._next_attempt == clock.t, "after a loss the first attempt is immediate"
    finally:
        listener.close()


# ------------------------------------------------------------------ closing


def test_close_ends_a_wait_and_releases_the_connection(two, feed, admin):
    listening(feed)
    pid = feed.listener.backend_pid
    out = {}
    thread = threading.Thread(target=lambda: out.setdefault("woke", feed.wait(30)))
    thread.start()
    time.sleep(0.2)
    feed.close()
    thread.join(10)
    assert not thread.is_alive() and out["woke"] is False
    assert feed.mode == "closed" and feed.last_wake == "closed"
    assert gone(admin, pid)
    assert feed.poll() is None, "a closed feed can still be polled"
    feed.close()  # twice is fine


def test_a_feed_that_is_never_waited_on_opens_no_listener(two):
    feed = ChangeFeed.start(two[2])
    feed.poll()
    assert feed.listener is None and feed.mode == "poll"
    feed.close()


def test_listen_false_is_plain_polling(two):
    feed = ChangeFeed.start(two[2], listen=False)
    try:
        assert feed.wait(0.05) is False and feed.listener is None and feed.mode == "poll"
    finally:
        feed.close()


# ------------------------------------------------------------------ two floors, one database


def test_stores_in_two_schemas_do_not_wake_each_other(pg_url, clock, monkeypatch):
    from sqlalchemy import create_engine

    from agentdesk.store.migrate import upgrade

    here = os.environ["AGENTDESK_PG_SCHEMA"]
    other = f"agentdesk_test_other_{uuid.uuid4().hex[:8]}"
    admin = create_engine(pg_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{other}"'))
    try:
        monkeypatch.setenv("AGENTDESK_PG_SCHEMA", other)
        store_other = Store.open(pg_url, check_schema=False)
        upgrade(store_other)
        monkeypatch.setenv("AGENTDESK_PG_SCHEMA", here)
        store_here = Store.open(pg_url)
        try:
            assert store_here.notify_channel == notify_channel(here) != store_other.notify_channel
            desk_here = Desk(store_here, clock=clock, tone_fn=None)
            desk_other = Desk(store_other, clock=clock, tone_fn=None)
            build_floor(desk_here, clock, waiting=2)
            floor_other = build_floor(desk_other, clock, waiting=2)
            feed = ChangeFeed.start(desk_here)
            try:
                listening(feed)
                desk_other.claim_next(floor_other.alice.id)
                assert feed.wait(0.5) is False, "the other floor's commit did not wake this one"
                desk_here.claim_next(desk_here.agent("alice").id)
                assert feed.wait(10) is True and feed.last_wake == "notified"
            finally:
                feed.close()
        finally:
            store_here.close()
            store_other.close()
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{other}" CASCADE'))
        admin.dispose()


def test_channel_names_fit_postgresql_identifiers():
    assert notify_channel(None) == "agentdesk" and notify_channel("") == "agentdesk"
    assert notify_channel("floor2") == "agentdesk:floor2"
    long = notify_channel("x" * 200)
    assert len(long.encode()) <= 63 and long != notify_channel("x" * 201)
    assert len(notify_channel("é" * 40).encode()) <= 63
