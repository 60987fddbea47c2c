"""Concurrency on a shared floor.

* PostgreSQL row locks: a claim skips a row another transaction holds (``SKIP
  LOCKED``) instead of waiting for it; writes that queue on one conversation's row lock
  are re-checked against the row the first one committed, so a console whose claim was
  ended by the write ahead of it fails cleanly (StaleClaim or Conflict, nothing
  written).
* Both backends: several consoles (processes) claim, reply, hold, transfer and resolve
  while an intake process brings customers in; a watching console that only applies
  the change feed's deltas ends with exactly the database's queue, every claim has one
  winner, and the feed was woken by the others' commits.

The 16-process claim race (2,000 waiting, 0 double claims, 0 left behind, 0 errors,
on both backends) is ``tests/store/test_claim_race.py``; this file does not repeat it.
"""

from __future__ import annotations

import multiprocessing as mp
import queue as queue_mod
import threading
import time
from collections import Counter

import pytest
from sqlalchemy import text

from agentdesk.desk import Desk
from agentdesk.domain import Claim
from agentdesk.errors import Conflict, StaleClaim
from agentdesk.live import ChangeFeed
from agentdesk.store.db import Store
from tests.conftest import build_floor
from tests.team import floor_worker
from tests.team.conftest import psycopg_dsn


def counts(desk: Desk, cid: int) -> tuple[int, int]:
    with desk.store.read() as conn:
        return (conn.execute(text("SELECT count(*) FROM message WHERE conversation_id = :c"), {"c": cid}).scalar(),
                conn.execute(text("SELECT count(*) FROM event WHERE conversation_id = :c"), {"c": cid}).scalar())


def blocked_on_locks(watch, n: int, timeout: float = 20.0) -> bool:
    """Wait until ``n`` server processes wait on a lock for an UPDATE of conversation."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        waiting = watch.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND query ILIKE 'UPDATE conversation%%' AND datname = current_database()").fetchone()[0]
        if waiting >= n:
            return True
        time.sleep(0.02)
    return False


def in_thread(call):
    out: dict = {}

    def run():
        try:
            out["result"] = call()
        except Exception as exc:  # checked by the caller
            out["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    return thread, out


# ------------------------------------------------------------------ PostgreSQL row locks


@pytest.mark.postgres
def test_a_claim_skips_a_row_another_transaction_holds(pg_url, admin, clock):
    store = Store.open(pg_url)
    try:
        desk = Desk(store, clock=clock, tone_fn=None)
        floor = build_floor(desk, clock, waiting=3)
        first, second, _ = [r.id for r in desk.waiting()]
        with admin.transaction():
            admin.execute("SELECT id FROM conversation WHERE id = %s FOR UPDATE", (first,))
            thread, out = in_thread(lambda: desk.claim_next(floor.alice.id))
            thread.join(20)
            assert not thread.is_alive(), "the claim waited for the locked row instead of skipping it"
            assert out["result"].conversation_id == second
        # released: the skipped row is next in line again
        assert desk.claim_next(floor.bob.id).conversation_id == first
    finally:
        store.close()


@pytest.mark.postgres
@pytest.mark.parametrize("first_write", ["transfer", "resolve"])
def test_writes_queued_on_one_row_lock_are_rechecked(pg_url, admin, clock, first_write):
    """Two consoles holding the same claim: the first write in the lock queue ends the
    claim, the second is re-checked against the committed row and refused, leaving no
    message, event or row change behind."""
    import psycopg

    store = Store.open(pg_url)
    watch = psycopg.connect(psycopg_dsn(pg_url), autocommit=True)
    try:
        desk = Desk(store, clock=clock, tone_fn=None)
        floor = build_floor(desk, clock, waiting=1)
        claim = desk.claim_next(floor.alice.id)
        cid = claim.conversation_id
        writes = {
            "transfer": lambda: desk.transfer(claim, "orders", "over to orders"),
            "resolve": lambda: desk.resolve(claim, "solved", "sorted"),
        }
        second_write = "resolve" if first_write == "transfer" else "transfer"
        before_messages, before_events = counts(desk, cid)
        with admin.transaction():
            admin.execute("SELECT id FROM conversation WHERE id = %s FOR UPDATE", (cid,))
            t1, out1 = in_thread(writes[first_write])
            assert blocked_on_locks(watch, 1)
            t2, out2 = in_thread(writes[second_write])
            assert blocked_on_locks(watch, 2)
        t1.join(20)
        t2.join(20)
        assert "error" not in out1, out1
        assert isinstance(out2.get("error"), Conflict), out2
        if first_write == "transfer":
            assert isinstance(out2["error"], StaleClaim) and "changed hands" in str(out2["error"])
        else:
            assert "it is resolved" in str(out2["error"])
        messages, events = counts(desk, cid)
        written = {"transfer": (2, 1), "resolve": (1, 1)}[first_write]  # system + hand-off / note
        assert (messages - before_messages, events - before_events) == written
        view = desk.conversation(cid)
        assert view.status == ("waiting" if first_write == "transfer" else "resolved")
        assert view.claim_version == (2 if first_write == "transfer" else 1)
    finally:
        watch.close()
        store.close()


@pytest.mark.postgres
def test_a_stale_reply_queued_behind_a_steal_writes_nothing(pg_url, admin, clock):
    """Bob takes over (transfer back to the queue and claim) while Alice's old console
    is still sending a reply that waits on the same row: it must not land."""
    import psycopg

    store = Store.open(pg_url)
    watch = psycopg.connect(psycopg_dsn(pg_url), autocommit=True)
    try:
        desk = Desk(store, clock=clock, tone_fn=None)
        floor = build_floor(desk, clock, waiting=1)
        claim = desk.claim_next(floor.alice.id)
        cid = claim.conversation_id
        before = counts(desk, cid)

        def steal():
            desk.transfer(claim, "tech", "bob will take it")
            return desk.claim(floor.bob.id, cid)

        with admin.transaction():
            admin.execute("SELECT id FROM conversation WHERE id = %s FOR UPDATE", (cid,))
            t1, out1 = in_thread(steal)
            assert blocked_on_locks(watch, 1)
            t2, out2 = in_thread(lambda: desk.reply(claim, "still here!"))
            assert blocked_on_locks(watch, 2)
        t1.join(20)
        t2.join(20)
        assert isinstance(out1.get("result"), Claim), out1
        assert isinstance(out2.get("error"), StaleClaim), out2
        bodies = [m.body for m in desk.conversation(cid).messages]
        assert "still here!" not in bodies
        assert counts(desk, cid)[1] - before[1] == 2  # transferred, claimed: no message event
        assert desk.conversation(cid).assignee_id == floor.bob.id
    finally:
        watch.close()
        store.close()


# ------------------------------------------------------------------ a floor in processes

CONSOLES = 4
CYCLES = 50
ARRIVALS = 80
WAITING = 150


def _apply(view: dict, delta) -> None:
    if delta is None:
        return
    for row in delta.upserts:
        view[row.id] = row
    for cid in delta.removals:
        view.pop(cid, None)


@pytest.mark.slow
def test_a_watching_console_stays_identical_to_the_floor(db_url):
    from tests.store.race_worker import seed

    agents = seed(db_url, waiting=WAITING, agents=CONSOLES)
    store = Store.open(db_url)
    desk = Desk(store, tone_fn=None)
    with store.read() as conn:
        customer = conn.execute(text("SELECT max(id) FROM customer")).scalar_one()
    feed = ChangeFeed.start(desk)
    view = {r.id: r for r in desk.waiting()}
    ctx = mp.get_context("spawn")
    start = ctx.Barrier(CONSOLES + 1)
    out = ctx.Queue()
    procs = [ctx.Process(target=floor_worker.console, args=(db_url, a, CYCLES, i, start, out), daemon=True)
             for i, a in enumerate(agents)]
    procs.append(ctx.Process(target=floor_worker.intake, args=(db_url, customer, ARRIVALS, 99, start, out),
                             daemon=True))
    wakes: Counter = Counter()
    reports = []
    try:
        for p in procs:
            p.start()
        deadline = time.monotonic() + 300
        while len(reports) < len(procs) and time.monotonic() < deadline:
            feed.wait(0.5)
            wakes[feed.last_wake] += 1
            _apply(view, feed.poll())
            try:
                while True:
                    reports.append(out.get_nowait())
            except queue_mod.Empty:
                pass
            if all(not p.is_alive() for p in procs) and out.empty() and len(reports) < len(procs):
                time.sleep(1.0)
                if out.empty():
                    break
        for p in procs:
            p.join(30)
        # everything has committed: the feed catches up with the last changes
        for _ in range(3):
            feed.wait(0.2)
            _apply(view, feed.poll())
        errors = [r[3] for r in reports if r[3]]
        assert len(reports) == len(procs), f"{len(reports)} of {len(procs)} workers reported"
        assert errors == [], errors[0]
        assert view == {r.id: r for r in desk.waiting()}, "the live view drifted from the database"
        # one winner per claim: each (conversation, claim version) was won once
        won = [tuple(x) for r in reports if r[0] == "console" for x in r[2]]
        assert len(won) == len(set(won)) and len(won) > CONSOLES
        logged, last = [], 0
        while batch := desk.changes_since(last):
            logged += [(c.conversation_id, c.data.get("version")) for c in batch if c.kind == "claimed"]
            last = batch[-1].event_id
        assert Counter(logged) == Counter(won)
        # the watching console was woken by the others' commits, not only by its timeout
        assert wakes["notified"] + wakes["changed"] > 0, wakes
    finally:
        for p in procs:
            if p.is_alive():
                p.terminate()
                p.join()
        feed.close()
        store.close()
