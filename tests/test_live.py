"""The change feed: deltas of the waiting queue from the event log, and PostgreSQL's
out-of-order commits (an earlier id that becomes visible after a later one) are
delivered, not lost."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from agentdesk.desk import Desk
from agentdesk.live import GAP_GRACE_S, ChangeFeed
from agentdesk.store import ops
from agentdesk.store.db import Store
from tests.conftest import FakeClock, build_floor, fresh_pg


@pytest.fixture
def desk(store, clock):
    """Without the tone engine: the deltas here count each action's own events."""
    return Desk(store, clock=clock, tone_fn=None)


class Ticker:
    """A monotonic clock for the feed's gap bookkeeping, moved by hand."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_nothing_changed_means_no_delta(floor):
    feed = ChangeFeed(floor.desk, floor.desk.last_event_id())
    assert feed.poll() is None
    assert feed.poll() is None


def test_arrival_is_an_upsert(floor, clock):
    desk = floor.desk
    feed = ChangeFeed(desk, desk.last_event_id())
    cid = desk.arrive(floor.customers[0].id, "tech", "email", "My router keeps dropping")
    delta = feed.poll()
    assert [c.kind for c in delta.changes] == ["arrived", "message"]
    assert delta.conversation_ids == {cid}
    assert delta.upserts == [row for row in desk.waiting() if row.id == cid]
    assert delta.upserts[0].preview == "My router keeps dropping"
    assert delta.removals == []
    assert feed.poll() is None, "a change is delivered once"


def test_claim_and_abandon_are_removals(floor):
    desk = floor.desk
    rows = desk.waiting()
    feed = ChangeFeed(desk, desk.last_event_id())
    claim = desk.claim_next(floor.alice.id)
    desk.abandon(rows[1].id)
    delta = feed.poll()
    assert [c.kind for c in delta.changes] == ["claimed", "abandoned"]
    assert sorted(delta.removals) == sorted([claim.conversation_id, rows[1].id])
    assert delta.upserts == []


def test_transfer_and_follow_up_are_upserts(floor):
    desk = floor.desk
    claim = desk.claim_next(floor.alice.id)
    other = desk.waiting()[0]
    feed = ChangeFeed(desk, desk.last_event_id())
    desk.transfer(claim, "orders", "wrong queue")
    desk.customer_message(other.id, "hello?? anyone")
    delta = feed.poll()
    by_id = {r.id: r for r in delta.upserts}
    assert set(by_id) == {claim.conversation_id, other.id}
    assert by_id[claim.conversation_id].queue_id == floor.queues["orders"].id
    assert by_id[other.id].preview == "hello?? anyone"
    assert delta.removals == []


def test_a_burst_is_one_delta_with_each_conversation_once(floor):
    desk = floor.desk
    feed = ChangeFeed(desk, desk.last_event_id())
    cid = desk.arrive(floor.customers[0].id, "billing", "chat", "first")
    for i in range(5):
        desk.customer_message(cid, f"follow-up {i}")
    claim = desk.claim(floor.bob.id, cid)
    desk.reply(claim, "here now")
    delta = feed.poll()
    assert len(delta.changes) == 2 + 5 + 2
    assert delta.removals == [cid] and delta.upserts == []
    assert [c.event_id for c in delta.changes] == sorted(c.event_id for c in delta.changes)


def test_rows_can_be_skipped(floor):
    desk = floor.desk
    feed = ChangeFeed(desk, desk.last_event_id())
    desk.claim_next(floor.alice.id)
    delta = feed.poll(with_rows=False)
    assert [c.kind for c in delta.changes] == ["claimed"]
    assert delta.upserts == [] and delta.removals == []


def test_agent_status_changes_are_flagged(floor):
    desk = floor.desk
    feed = ChangeFeed(desk, desk.last_event_id())
    desk.set_agent_status(floor.bob.id, "away")
    delta = feed.poll()
    assert delta.agents_changed and delta.conversation_ids == set()
    assert delta.upserts == [] and delta.removals == []
    desk.record("wait_quoted", data={})
    assert not feed.poll().agents_changed


def test_a_long_backlog_arrives_in_pages(floor):
    desk = floor.desk
    feed = ChangeFeed(desk, desk.last_event_id())
    desk.record_many([("wait_quoted", None, None, {"i": i}) for i in range(2500)])
    first = feed.poll(with_rows=False)
    second = feed.poll(with_rows=False)
    assert len(first.changes) == 2000 and len(second.changes) == 500
    assert [c.data["i"] for c in first.changes + second.changes] == list(range(2500))
    assert feed.poll() is None


def test_two_consoles_see_each_others_changes(db_url, clock):
    """Two stores on the same database, as two consoles would have."""
    a = Store.open(db_url)
    b = Store.open(db_url)
    try:
        desk_a, desk_b = Desk(a, clock=clock, tone_fn=None), Desk(b, clock=clock, tone_fn=None)
        floor = build_floor(desk_a, clock)
        feed_b = ChangeFeed(desk_b, desk_b.last_event_id())
        claim = desk_a.claim_next(floor.alice.id)
        delta = feed_b.poll()
        assert delta.removals == [claim.conversation_id]
    finally:
        a.close()
        b.close()


def test_gap_tracking_is_on_for_postgresql_only(desk):
    assert ChangeFeed(desk, 0).track_gaps is (desk.store.backend == "postgresql")
    assert ChangeFeed.start(desk).track_gaps is (desk.store.backend == "postgresql")


def test_start_at_the_end_of_the_log(desk, clock):
    feed = ChangeFeed.start(desk)
    assert feed.last_id == 0 and feed.poll() is None
    floor = build_floor(desk, clock)
    feed = ChangeFeed.start(desk)
    assert feed.last_id == desk.last_event_id()
    assert feed.poll() is None
    claim = desk.claim_next(floor.alice.id)
    assert feed.poll().removals == [claim.conversation_id]


# ------------------------------------------------------------------ PostgreSQL gaps


@pytest.fixture
def pg_desk(pg_schema):
    store = Store.open(fresh_pg(pg_schema))
    clock = FakeClock()
    desk = Desk(store, clock=clock, tone_fn=None)
    build_floor(desk, clock)
    yield desk
    store.close()


def _open_event(desk: Desk, kind: str = "wait_quoted", cid: int | None = None):
    """Append an event in a transaction that stays open; returns (connection,
    transaction, event id)."""
    conn = desk.store.engine.connect()
    tx = conn.begin()
    eid = ops.append_event(conn, kind, desk.clock(), cid, None, {"late": True})
    return conn, tx, eid


@pytest.mark.postgres
def test_an_earlier_id_committed_later_is_delivered(pg_desk):
    desk = pg_desk
    feed = ChangeFeed(desk, desk.last_event_id(), clock=Ticker())
    assert feed.track_gaps
    conn, tx, early = _open_event(desk)
    try:
        later = desk.record("wait_quoted", data={"late": False})
        assert later > early
        first = feed.poll(with_rows=False)
        assert [c.event_id for c in first.changes] == [later]
        assert feed.poll() is None, "the open transaction is still invisible"
        tx.commit()
    finally:
        conn.close()
    second = feed.poll(with_rows=False)
    assert [c.event_id for c in second.changes] == [early]
    assert second.changes[0].data == {"late": True}
    assert feed.poll() is None, "delivered once"


@pytest.mark.postgres
def test_a_late_claim_reaches_the_queue(pg_desk):
    """The same with a real state change: another console's claim commits after a
    later event; the conversation still leaves this console's queue."""
    desk = pg_desk
    cid = desk.waiting()[0].id
    feed = ChangeFeed(desk, desk.last_event_id(), clock=Ticker())
    conn = desk.store.engine.connect()
    tx = conn.begin()
    conn.execute(text("UPDATE conversation SET status = 'active', assignee_id = :a, "
                      "claim_version = claim_version + 1 WHERE id = :id"), {"a": 1, "id": cid})
    ops.append_event(conn, "claimed", desk.clock(), cid, 1, {"version": 1})
    try:
        other = desk.arrive(1, "tech", "chat", "meanwhile a new customer")
        delta = feed.poll()
        assert [r.id for r in delta.upserts] == [other] and cid not in delta.removals
        tx.commit()
    finally:
        conn.close()
    delta = feed.poll()
    assert [c.kind for c in delta.changes] == ["claimed"]
    assert delta.removals == [cid]


@pytest.mark.postgres
def test_a_rolled_back_id_is_given_up_after_the_grace_period(pg_desk):
    desk = pg_desk
    ticker = Ticker()
    looked_up: list[list[int]] = []
    real_changes_in = desk.changes_in

    def spy(ids):
        looked_up.append(sorted(ids))
        return real_changes_in(ids)

    desk.changes_in = spy
    feed = ChangeFeed(desk, desk.last_event_id(), clock=ticker)
    conn, tx, lost = _open_event(desk)
    later = desk.record("wait_quoted", data={})
    assert [c.event_id for c in feed.poll(with_rows=False).changes] == [later]
    tx.rollback()
    conn.close()
    ticker.t += GAP_GRACE_S / 2
    assert feed.poll() is None
    assert looked_up[-1] == [lost], "still looking for it within the grace period"
    ticker.t += GAP_GRACE_S
    n = len(looked_up)
    assert feed.poll() is None
    assert feed.poll() is None
    assert len(looked_up) == n, "after the grace period the lost id is no longer queried"
    newer = desk.record("wait_quoted", data={})
    assert [c.event_id for c in feed.poll(with_rows=False).changes] == [newer]


@pytest.mark.postgres
@pytest.mark.parametrize("how", ["start", "constructor"])
def test_a_transaction_in_flight_when_the_feed_starts_is_delivered(pg_desk, how):
    """A console starts (reads the last event id) while another console's transaction
    holds an id below it: when that transaction commits, the change still arrives."""
    desk = pg_desk
    conn, tx, early = _open_event(desk)
    try:
        later = desk.record("wait_quoted", data={})
        if how == "start":
            feed = ChangeFeed.start(desk, clock=Ticker())
        else:
            feed = ChangeFeed(desk, desk.last_event_id(), clock=Ticker())
        assert feed.last_id == later
        assert feed.poll() is None
        tx.commit()
    finally:
        conn.close()
    delta = feed.poll(with_rows=False)
    assert delta is not None and [c.event_id for c in delta.changes] == [early]
    assert feed.poll() is None


@pytest.mark.postgres
def test_many_interleaved_late_commits(pg_desk):
    desk = pg_desk
    feed = ChangeFeed(desk, desk.last_event_id(), clock=Ticker())
    held = [_open_event(desk) for _ in range(3)]
    visible = [desk.record("wait_quoted", data={"n": i}) for i in range(3)]
    seen = [c.event_id for c in feed.poll(with_rows=False).changes]
    for conn, tx, _ in reversed(held):
        tx.commit()
        conn.close()
        delta = feed.poll(with_rows=False)
        seen += [c.event_id for c in delta.changes]
    assert sorted(seen) == sorted(visible + [eid for _, _, eid in held])
    assert len(seen) == len(set(seen))
