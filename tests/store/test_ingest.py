"""Desk.ingest_messages: customer messages in bulk, written exactly like one at a time."""

from __future__ import annotations

import pytest

from agentdesk.desk import Desk, IncomingMessage
from agentdesk.errors import NotFound, UsageError
from tests.conftest import build_floor


def _count(desk, sql):
    from sqlalchemy import text

    with desk.store.read() as conn:
        return conn.execute(text(sql)).scalar()


def test_a_batch_writes_rows_events_and_previews(store, clock):
    desk = Desk(store, clock=clock)
    floor = build_floor(desk, clock, waiting=3)
    ids = [r.id for r in desk.waiting()]
    before_msgs = _count(desk, "SELECT count(*) FROM message")
    batch = [IncomingMessage(ids[i % 3], f"update {i}", client_id=f"c-{i}") for i in range(9)]
    assert desk.ingest_messages(batch) == 9
    assert _count(desk, "SELECT count(*) FROM message") == before_msgs + 9
    for cid in ids:
        view = desk.conversation(cid)
        mine = [m for m in view.messages if m.client_id.startswith("c-")]
        assert [m.body for m in mine] == [b.body for b in batch if b.conversation_id == cid]
        assert view.status == "waiting"
        events = [e for e in desk.events(cid) if e.kind == "message" and e.data.get("message_id") in {m.id for m in mine}]
        assert len(events) == 3 and all(e.data["author"] == "customer" for e in events)
        row = desk.waiting_rows([cid])[cid]
        assert row.preview == mine[-1].body  # the newest message is the preview
    assert floor.customers


def test_a_retried_batch_inserts_nothing_twice(store, clock):
    desk = Desk(store, clock=clock, tone_fn=None)
    build_floor(desk, clock, waiting=2)
    cid = desk.waiting()[0].id
    batch = [IncomingMessage(cid, "hello again", client_id="retry-1"), IncomingMessage(cid, "anyone?", client_id="retry-2")]
    assert desk.ingest_messages(batch) == 2
    msgs = _count(desk, "SELECT count(*) FROM message")
    events = _count(desk, "SELECT count(*) FROM event")
    assert desk.ingest_messages(batch) == 0
    assert _count(desk, "SELECT count(*) FROM message") == msgs
    assert _count(desk, "SELECT count(*) FROM event") == events


def test_a_message_into_a_resolved_conversation_reopens_it(store, clock):
    desk = Desk(store, clock=clock, tone_fn=None)
    floor = build_floor(desk, clock, waiting=2)
    claim = desk.claim_next(floor.alice.id)
    desk.resolve(claim, "solved")
    clock.advance(60)
    assert desk.ingest_messages([IncomingMessage(claim.conversation_id, "it broke again", client_id="x")]) == 1
    view = desk.conversation(claim.conversation_id)
    assert view.status == "waiting" and view.enqueued_at == clock.now
    assert [e.kind for e in desk.events(claim.conversation_id)][-2:] == ["reopened", "message"]


def test_a_bad_batch_writes_nothing(store, clock):
    desk = Desk(store, clock=clock, tone_fn=None)
    build_floor(desk, clock, waiting=1)
    cid = desk.waiting()[0].id
    msgs = _count(desk, "SELECT count(*) FROM message")
    with pytest.raises(NotFound):
        desk.ingest_messages([IncomingMessage(cid, "fine"), IncomingMessage(999_999, "nowhere")])
    with pytest.raises(UsageError):
        desk.ingest_messages([IncomingMessage(cid, "fine"), IncomingMessage(cid, "   ")])
    assert _count(desk, "SELECT count(*) FROM message") == msgs


def test_client_ids_are_uuid7_and_sort_by_time():
    """New message ids land at the end of the client-id index (time first), stay unique,
    and are valid RFC 9562 version-7 UUIDs."""
    import time
    import uuid

    from agentdesk.desk import new_client_id

    first = new_client_id()
    time.sleep(0.002)
    batch = [new_client_id() for _ in range(2000)]
    time.sleep(0.002)
    last = new_client_id()
    assert len(set(batch)) == len(batch)
    assert all(first < x < last for x in batch)
    for x in (first, batch[0], last):
        u = uuid.UUID(x)
        assert len(x) == 32 and u.version == 7 and u.variant == uuid.RFC_4122
        assert abs(int(x[:12], 16) / 1000 - time.time()) < 60  # its first 48 bits are now, in ms
