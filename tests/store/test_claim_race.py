"""The multi-process claim race: 16 spawned processes, each with its own store, claim
2,000 waiting conversations as fast as they can. Every conversation must be claimed
exactly once (by what the workers were told and by the event log), none left behind,
no errors in any child — on SQLite and on PostgreSQL.

"No errors" includes no lock error: a claim never fails at once on a lock upgrade (the
failure BEGIN IMMEDIATE prevents). The workers wait for the write lock as long as the
race may take (``race_worker.CHILD_BUSY_TIMEOUT_S``) because SQLite's busy handler is
unfair and a starved writer's wait depends on the CPU, not on the code under test.

The harness is proven able to see a double claim: the idiomatic select-then-update
claimer, run in the same harness with every worker reading before any writes,
double-claims, and the checks catch it; the product's claim under the very same
lockstep does not.
"""

from __future__ import annotations

import pytest

from tests.store.race_worker import check_race, read_outcome, run_race, seed

PROCESSES = 16
WAITING = 2000
LOCKSTEP_WORKERS = 4

pytestmark = pytest.mark.slow


def _report(db_url: str, outcome: dict):
    ids, events, rows, data = read_outcome(db_url)
    report = check_race(ids, outcome["results"], events, rows, outcome["errors"])
    return ids, report, data


def test_concurrent_claims_never_double_claim(db_url):
    agents = seed(db_url, waiting=WAITING, agents=PROCESSES)
    outcome = run_race(db_url, agents, "desk")
    ids, report, data = _report(db_url, outcome)
    assert len(ids) == WAITING
    assert report.errors == [], report.errors[0]
    assert report.claimed_by_several_workers == {}
    assert report.claimed_events_not_one == {}
    assert report.event_agent_mismatch == []
    assert report.left_waiting == [] and report.never_claimed == []
    assert report.double_claims == 0 and report.ok
    assert sum(len(v) for v in outcome["results"].values()) == WAITING
    assert all(d["version"] == 1 for d in data)
    # the work was shared: no single process can have done it all while the rest waited
    busy = [aid for aid, got in outcome["results"].items() if got]
    assert len(busy) >= 2, {a: len(v) for a, v in outcome["results"].items()}
    # and each worker's claims follow queue order (priority, then wait): no worker
    # ever took a conversation that should have gone before one it already had
    key = _queue_order(db_url)
    for got in outcome["results"].values():
        assert [key[c] for c in got] == sorted(key[c] for c in got)


def _queue_order(db_url: str) -> dict[int, tuple]:
    from sqlalchemy import text

    from agentdesk.store.db import Store

    store = Store.open(db_url)
    try:
        with store.read() as conn:
            return {r[0]: (-r[1], r[2], r[0]) for r in conn.execute(
                text("SELECT id, priority, enqueued_at FROM conversation"))}
    finally:
        store.close()


def test_lockstep_claims_with_the_real_claim_stay_single(sqlite_url):
    """Same lockstep as the naive run below: all workers released at once, every
    round. The product's claim still gives every worker a different conversation."""
    agents = seed(sqlite_url, waiting=LOCKSTEP_WORKERS * 5, agents=LOCKSTEP_WORKERS)
    outcome = run_race(sqlite_url, agents, "desk", rounds=5, lockstep=True)
    ids, report, _ = _report(sqlite_url, outcome)
    assert report.ok, report
    assert sorted(len(v) for v in outcome["results"].values()) == [5] * LOCKSTEP_WORKERS


def test_naive_select_then_update_is_caught(sqlite_url):
    """The idiomatic ORM claim (read a waiting row, then set it active in an ordinary
    deferred transaction; no BEGIN IMMEDIATE, no status re-check) in the same harness:
    with every worker reading before any writes, they all take the same row, and the
    checks report it."""
    agents = seed(sqlite_url, waiting=30, agents=LOCKSTEP_WORKERS)
    outcome = run_race(sqlite_url, agents, "naive", rounds=3, lockstep=True)
    ids, report, data = _report(sqlite_url, outcome)
    assert report.errors == [], report.errors[0]
    assert not report.ok
    # every round, all workers read the same first row before any of them writes it
    assert report.double_claims == 3 * (LOCKSTEP_WORKERS - 1), report
    assert len(report.claimed_by_several_workers) >= 1
    assert any(n > 1 for n in report.claimed_events_not_one.values())
    assert all(d == {"naive": True} for d in data)


# ------------------------------------------------------------------ the detector itself


def test_detector_on_a_clean_log():
    results = {1: [10, 12], 2: [11]}
    events = [(10, 1), (11, 2), (12, 1)]
    rows = {10: ("active", 1), 11: ("active", 2), 12: ("active", 1)}
    report = check_race([10, 11, 12], results, events, rows)
    assert report.ok and report.double_claims == 0


def test_detector_on_synthetic_double_claims():
    # 10 was claimed by workers 1 and 2 (two events, two believers); 12 was never
    # claimed and is still waiting; 13 has one event but the wrong owner on the row.
    results = {1: [10, 11], 2: [10, 13]}
    events = [(10, 1), (11, 1), (10, 2), (13, 2)]
    rows = {10: ("active", 2), 11: ("active", 1), 12: ("waiting", None), 13: ("active", 1)}
    report = check_race([10, 11, 12, 13], results, events, rows, errors=["", "Traceback: boom"])
    assert report.claimed_by_several_workers == {10: [1, 2]}
    assert report.claimed_events_not_one == {10: 2, 12: 0}
    assert report.left_waiting == [12] and report.never_claimed == [12]
    assert report.event_agent_mismatch == [13]
    assert report.errors == ["Traceback: boom"]
    assert report.double_claims == 1 and not report.ok


def test_detector_sees_a_double_claim_the_workers_hid():
    """A double claim with one claimed event per writer shows in the log even when the
    workers' own reports were lost."""
    events = [(10, 1), (10, 2)]
    report = check_race([10], {1: [10]}, events, {10: ("active", 2)})
    assert report.claimed_events_not_one == {10: 2} and report.double_claims == 1

