"""SQLite's single write lock: a console that finds it taken waits in short steps and
then gets it; one that cannot get it in time gets a one-line error and writes nothing."""

from __future__ import annotations

import sqlite3
import threading

import pytest

import agentdesk.store.db as dbmod
from agentdesk.desk import Desk
from agentdesk.errors import StoreError
from agentdesk.store.db import Store
from tests.conftest import FakeClock, build_floor


@pytest.fixture
def floor_on_sqlite(sqlite_url):
    store = Store.open(sqlite_url)
    clock = FakeClock()
    try:
        yield build_floor(Desk(store, clock=clock, tone_fn=None), clock), sqlite_url
    finally:
        store.close()


def _hold_write_lock(path: str, release: threading.Event, taken: threading.Event) -> threading.Thread:
    """Another program holds the write lock (BEGIN IMMEDIATE) until ``release`` is set."""

    def run() -> None:
        db = sqlite3.connect(path, timeout=5, isolation_level=None)
        try:
            db.execute("BEGIN IMMEDIATE")
            taken.set()
            release.wait(10)
            db.execute("COMMIT")
        finally:
            db.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert taken.wait(5)
    return thread


def _claimed(desk: Desk) -> int:
    with desk.store.read() as conn:
        return conn.exec_driver_sql("SELECT count(*) FROM event WHERE kind = 'claimed'").scalar()


def test_a_claim_waits_for_the_write_lock_then_takes_it(floor_on_sqlite):
    floor, path = floor_on_sqlite
    release, taken = threading.Event(), threading.Event()
    holder = _hold_write_lock(path, release, taken)
    result: list[object] = []
    claimer = threading.Thread(target=lambda: result.append(floor.desk.claim_next(floor.alice.id)))
    claimer.start()
    claimer.join(0.3)
    assert claimer.is_alive() and not result  # still waiting for the lock
    release.set()
    claimer.join(10)
    holder.join(10)
    assert result and result[0] is not None
    assert _claimed(floor.desk) == 1


def test_a_lock_never_released_gives_a_clear_error_and_writes_nothing(floor_on_sqlite, monkeypatch):
    floor, path = floor_on_sqlite
    monkeypatch.setattr(dbmod, "BUSY_TIMEOUT_S", 0.3)
    release, taken = threading.Event(), threading.Event()
    holder = _hold_write_lock(path, release, taken)
    try:
        with pytest.raises(StoreError, match="locked by another program") as info:
            floor.desk.claim_next(floor.alice.id)
        assert "\n" not in str(info.value)
    finally:
        release.set()
        holder.join(10)
    assert _claimed(floor.desk) == 0
    # the connection went back to the pool in a usable state, with its busy timeout restored
    assert floor.desk.claim_next(floor.alice.id) is not None
    with floor.desk.store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == int(0.3 * 1000)


def test_claims_queue_through_a_lock_file_beside_the_database(floor_on_sqlite, sqlite_url):
    """Two consoles in one process (two stores) claiming from threads at once: every
    conversation once, through the claim gate's lock file."""
    from pathlib import Path

    from agentdesk.store.db import LOCK_SUFFIX

    floor, path = floor_on_sqlite
    other = Store.open(sqlite_url)
    try:
        desks = [floor.desk, Desk(other, clock=floor.desk.clock, tone_fn=None)]
        got: list[int] = []

        def claim_all(desk, agent_id):
            while (c := desk.claim_next(agent_id)) is not None:
                got.append(c.conversation_id)

        threads = [threading.Thread(target=claim_all, args=(d, a.id))
                   for d, a in zip(desks, (floor.alice, floor.bob))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert len(got) == len(set(got)) == 6 and _claimed(floor.desk) == 6
        assert Path(path + LOCK_SUFFIX).exists()
    finally:
        other.close()


def test_claims_work_where_the_lock_file_cannot_be_made(floor_on_sqlite):
    from pathlib import Path

    from agentdesk.store.db import LOCK_SUFFIX

    floor, path = floor_on_sqlite
    Path(path + LOCK_SUFFIX).mkdir()  # in the way: the gate cannot open it
    assert floor.desk.claim_next(floor.alice.id) is not None
    assert floor.desk.store._gate is None
