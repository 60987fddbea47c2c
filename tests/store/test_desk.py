"""The service verbs on both backends: exact rows and exact events for every action,
each written in the same transaction as the state change; stale claims; idempotent
messages; claim order and skills; views; validation."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from sqlalchemy import text

from agentdesk.desk import MAX_MESSAGE_CHARS, MAX_NOTE_CHARS, Desk, new_client_id
from agentdesk.domain import DISPOSITION_CODES, Claim
from agentdesk.errors import Conflict, NotFound, StaleClaim, StoreError, UsageError
from agentdesk.store import ops
from tests.conftest import build_floor


@pytest.fixture
def desk(store, clock):
    """Without the tone engine, so each action's events are exactly its own (the
    engine's ``tone`` events are tested on their own below)."""
    return Desk(store, clock=clock, tone_fn=None)


# --------------------------------------------------------------------------- helpers

CONV_COLUMNS = ("status", "queue_id", "assignee_id", "claim_version", "claimed_at", "first_response_at",
                "hold_reason", "handoff_note", "disposition", "resolved_at", "enqueued_at", "updated_at",
                "priority", "preview", "tone", "csat")


def conv(desk: Desk, cid: int) -> dict:
    with desk.store.read() as conn:
        row = conn.execute(text(f"SELECT {', '.join(CONV_COLUMNS)} FROM conversation WHERE id = :id"),
                           {"id": cid}).one()
    return dict(zip(CONV_COLUMNS, row))


def messages(desk: Desk, cid: int) -> list[tuple]:
    """(kind, agent_id, body, created_at) in order."""
    with desk.store.read() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT kind, agent_id, body, created_at FROM message WHERE conversation_id = :id ORDER BY id"),
            {"id": cid})]


def events_after(desk: Desk, event_id: int) -> list[tuple]:
    """(kind, conversation_id, agent_id, data) of the events after ``event_id``."""
    return [(c.kind, c.conversation_id, c.agent_id, c.data) for c in desk.changes_since(event_id)]


def snapshot(desk: Desk) -> dict:
    """Everything an action could change, to prove a failed action changed nothing."""
    with desk.store.read() as conn:
        return {
            table: conn.execute(text(f"SELECT * FROM {table} ORDER BY 1")).all()
            for table in ("conversation", "message", "event", "agent", "customer", "queue", "agent_queue")
        }


def message_id(desk: Desk, cid: int, kind: str, body: str) -> int:
    with desk.store.read() as conn:
        return conn.execute(text("SELECT id FROM message WHERE conversation_id = :c AND kind = :k AND body = :b"),
                            {"c": cid, "k": kind, "b": body}).scalar_one()


# --------------------------------------------------------------------------- lifecycle


def test_full_lifecycle_rows_and_events(floor, clock):
    desk, alice, bob, q = floor.desk, floor.alice, floor.bob, floor.queues
    oldest = desk.waiting()[0]
    assert oldest.preview == "Hello, message 0" and oldest.queue_id == q["billing"].id
    cid = oldest.id
    t_arrived = conv(desk, cid)["enqueued_at"]

    # claim
    mark = desk.last_event_id()
    claim = desk.claim_next(alice.id)
    assert claim == Claim(cid, 1, alice.id)
    row = conv(desk, cid)
    assert row["status"] == "active" and row["assignee_id"] == alice.id
    assert row["claim_version"] == 1 and row["claimed_at"] == clock.now and row["updated_at"] == clock.now
    assert events_after(desk, mark) == [
        ("claimed", cid, alice.id, {"queue_id": q["billing"].id, "waited_s": clock.now - t_arrived, "version": 1}),
    ]
    assert cid not in {r.id for r in desk.waiting()}

    # reply
    clock.advance(30)
    mark = desk.last_event_id()
    mid = desk.reply(claim, "Hi Priya, I'm looking at your invoice now.\n\n")
    assert messages(desk, cid)[-1] == ("agent", alice.id, "Hi Priya, I'm looking at your invoice now.", clock.now)
    assert conv(desk, cid)["first_response_at"] == clock.now
    assert events_after(desk, mark) == [("message", cid, alice.id, {"message_id": mid, "author": "agent"})]
    first_response = clock.now

    # internal note
    clock.advance(10)
    mark = desk.last_event_id()
    nid = desk.note(claim, "Invoice 4411 was charged twice.")
    assert messages(desk, cid)[-1] == ("note", alice.id, "Invoice 4411 was charged twice.", clock.now)
    assert conv(desk, cid)["first_response_at"] == first_response, "a note is not a response"
    assert events_after(desk, mark) == [("note", cid, alice.id, {"message_id": nid, "author": "note"})]

    # hold: the reason is required
    before = snapshot(desk)
    for reason in ("", "   ", None):
        with pytest.raises(UsageError, match="reason"):
            desk.hold(claim, reason)
    assert snapshot(desk) == before
    clock.advance(5)
    mark = desk.last_event_id()
    desk.hold(claim, "  checking with the payments team  ")
    row = conv(desk, cid)
    assert row["status"] == "on_hold" and row["hold_reason"] == "checking with the payments team"
    assert messages(desk, cid)[-1] == ("system", None, "On hold: checking with the payments team", clock.now)
    assert events_after(desk, mark) == [("held", cid, alice.id, {"reason": "checking with the payments team"})]
    with pytest.raises(Conflict, match="cannot hold .* on hold"):
        desk.hold(claim, "again")

    # a note while on hold is allowed
    desk.note(claim, "Payments confirm the double charge.")

    # resume
    clock.advance(120)
    mark = desk.last_event_id()
    desk.resume(claim)
    row = conv(desk, cid)
    assert row["status"] == "active" and row["hold_reason"] is None
    assert messages(desk, cid)[-1] == ("system", None, "Resumed", clock.now)
    assert events_after(desk, mark) == [("resumed", cid, alice.id, {})]
    with pytest.raises(Conflict, match="cannot resume .* active"):
        desk.resume(claim)

    # transfer: note required, another queue required, unknown queue refused
    before = snapshot(desk)
    with pytest.raises(UsageError, match="hand-off note"):
        desk.transfer(claim, "tech", "  ")
    with pytest.raises(UsageError, match="already in that queue"):
        desk.transfer(claim, "billing", "same queue")
    with pytest.raises(NotFound, match="unknown queue 'nowhere'.*billing"):
        desk.transfer(claim, "nowhere", "a note")
    with pytest.raises(UsageError, match="too long"):
        desk.transfer(claim, "tech", "x" * (MAX_NOTE_CHARS + 1))
    assert snapshot(desk) == before
    clock.advance(20)
    mark = desk.last_event_id()
    handoff = "Double charge on invoice 4411 confirmed; needs a refund in the billing tool."
    desk.transfer(claim, "tech", handoff)
    row = conv(desk, cid)
    assert row["status"] == "waiting" and row["queue_id"] == q["tech"].id and row["assignee_id"] is None
    assert row["claim_version"] == 2, "a transfer ends the claim: the version moves on"
    assert row["enqueued_at"] == clock.now and row["handoff_note"] == handoff
    assert messages(desk, cid)[-2:] == [
        ("system", None, "Transferred from Billing to Technical support by Alice Moreau", clock.now),
        ("note", alice.id, f"Hand-off: {handoff}", clock.now),
    ]
    handoff_mid = message_id(desk, cid, "note", f"Hand-off: {handoff}")
    assert events_after(desk, mark) == [
        ("transferred", cid, alice.id, {"from_queue_id": q["billing"].id, "to_queue_id": q["tech"].id,
                                        "note": handoff, "message_id": handoff_mid}),
    ]
    assert cid in {r.id for r in desk.waiting([q["tech"].id])}
    assert cid not in {r.id for r in desk.waiting([q["billing"].id])}

    # alice's claim is dead
    with pytest.raises(StaleClaim):
        desk.reply(claim, "still there?")

    # bob takes it and sees the hand-off note first
    clock.advance(15)
    mark = desk.last_event_id()
    bob_claim = desk.claim(bob.id, cid)
    assert bob_claim == Claim(cid, 3, bob.id)
    view = desk.conversation(cid)
    assert view.handoff_note == handoff and view.assignee_name == "Bob Okafor" and view.status == "active"
    assert events_after(desk, mark) == [
        ("claimed", cid, bob.id, {"queue_id": q["tech"].id, "waited_s": 15.0, "version": 3}),
    ]

    # resolve: the disposition is validated
    before = snapshot(desk)
    with pytest.raises(UsageError, match="unknown disposition 'fixed'"):
        desk.resolve(bob_claim, "fixed")
    assert snapshot(desk) == before
    clock.advance(60)
    mark = desk.last_event_id()
    desk.resolve(bob_claim, "refund", "Refunded the duplicate charge.")
    row = conv(desk, cid)
    assert row["status"] == "resolved" and row["disposition"] == "refund" and row["resolved_at"] == clock.now
    assert row["assignee_id"] == bob.id
    assert messages(desk, cid)[-1] == ("note", bob.id, "Refunded the duplicate charge.", clock.now)
    note_mid = message_id(desk, cid, "note", "Refunded the duplicate charge.")
    assert events_after(desk, mark) == [
        ("resolved", cid, bob.id, {"disposition": "refund", "note_message_id": note_mid}),
    ]
    with pytest.raises(Conflict, match="cannot resolve .* resolved"):
        desk.resolve(bob_claim, "solved")

    # reopen (by alice this time): she takes it
    clock.advance(3600)
    mark = desk.last_event_id()
    again = desk.reopen(alice.id, cid, "  customer says the refund never arrived ")
    assert again == Claim(cid, 4, alice.id)
    row = conv(desk, cid)
    assert row["status"] == "active" and row["assignee_id"] == alice.id and row["claim_version"] == 4
    assert row["resolved_at"] is None and row["claimed_at"] == clock.now
    assert row["disposition"] is None, "an open conversation carries no disposition"
    assert messages(desk, cid)[-1] == ("system", None, "Reopened: customer says the refund never arrived",
                                       clock.now)
    assert events_after(desk, mark) == [
        ("reopened", cid, alice.id, {"by": "agent", "previous_disposition": "refund",
                                     "reason": "customer says the refund never arrived"}),
    ]
    with pytest.raises(StaleClaim):
        desk.reply(bob_claim, "hello from bob")
    with pytest.raises(Conflict, match="cannot reopen .* active"):
        desk.reopen(bob.id, cid)

    kinds = [c.kind for c in desk.events(cid)]
    assert kinds == ["arrived", "message", "claimed", "message", "note", "held", "note", "resumed",
                     "transferred", "claimed", "resolved", "reopened"]


def test_resolve_without_note_and_from_hold(floor):
    desk = floor.desk
    claim = desk.claim_next(floor.alice.id)
    desk.hold(claim, "waiting for the courier")
    mark = desk.last_event_id()
    n = len(messages(desk, claim.conversation_id))
    desk.resolve(claim, "follow_up", "   ")
    assert len(messages(desk, claim.conversation_id)) == n, "a blank note adds no message"
    row = conv(desk, claim.conversation_id)
    assert row["status"] == "resolved" and row["hold_reason"] is None
    assert events_after(desk, mark) == [("resolved", claim.conversation_id, floor.alice.id,
                                         {"disposition": "follow_up"})]


@pytest.mark.parametrize("disposition", sorted(DISPOSITION_CODES))
def test_every_listed_disposition_is_accepted(desk, clock, disposition):
    floor = build_floor(desk, clock, waiting=1)
    claim = desk.claim_next(floor.alice.id)
    desk.resolve(claim, disposition)
    assert conv(desk, claim.conversation_id)["disposition"] == disposition


def test_wrap_up_then_resolve(floor, clock):
    """After-call work: the customer has gone, the agent finishes notes, then resolves."""
    desk = floor.desk
    claim = desk.claim_next(floor.alice.id)
    desk.hold(claim, "checking stock")
    clock.advance(30)
    mark = desk.last_event_id()
    desk.wrap_up(claim)
    row = conv(desk, claim.conversation_id)
    assert row["status"] == "wrap_up" and row["hold_reason"] is None and row["updated_at"] == clock.now
    assert events_after(desk, mark) == [("wrap_up", claim.conversation_id, floor.alice.id, {})]
    with pytest.raises(Conflict, match="cannot wrap up .* wrap up"):
        desk.wrap_up(claim)
    with pytest.raises(Conflict, match="cannot hold"):
        desk.hold(claim, "no")
    desk.note(claim, "Customer will call back about the colour.")
    assert [m[0] for m in desk.my_conversations(floor.alice.id)] == [claim.conversation_id]
    desk.resolve(claim, "follow_up")
    assert conv(desk, claim.conversation_id)["status"] == "resolved"


def test_system_message(floor, clock):
    desk = floor.desk
    cid = desk.waiting()[0].id
    before = conv(desk, cid)
    mark = desk.last_event_id()
    client_id = new_client_id()
    mid = desk.system_message(cid, "Caller is still holding.", client_id=client_id)
    assert messages(desk, cid)[-1] == ("system", None, "Caller is still holding.", clock.now)
    assert events_after(desk, mark) == [("message", cid, None, {"message_id": mid, "author": "system"})]
    assert conv(desk, cid) == before, "a system line changes neither the state nor the preview"
    assert desk.system_message(cid, "Caller is still holding.", client_id=client_id) is None
    assert len(events_after(desk, mark)) == 1
    with pytest.raises(NotFound):
        desk.system_message(999, "nobody")
    with pytest.raises(UsageError):
        desk.system_message(cid, "  ")


def test_phone_call_arrives_with_a_system_note(desk, clock):
    build_floor(desk, clock, waiting=0)
    caller = desk.create_customer("Caller")
    mark = desk.last_event_id()
    cid = desk.arrive(caller.id, "orders", "phone", "Incoming call: asks about a late parcel", author="system")
    assert messages(desk, cid) == [("system", None, "Incoming call: asks about a late parcel", clock.now)]
    mid = message_id(desk, cid, "system", "Incoming call: asks about a late parcel")
    assert [e for e in events_after(desk, mark) if e[0] != "arrived"] == [
        ("message", cid, None, {"message_id": mid, "author": "system"})]
    with pytest.raises(UsageError, match="customer or the system"):
        desk.arrive(caller.id, "orders", "phone", "x", author="agent")


def test_the_tone_engine_runs_by_default(store, clock):
    """``Desk(store)`` runs the tone engine on customer messages and records what it
    found in a ``tone`` event written with the message."""
    toned = Desk(store, clock=clock)
    build_floor(Desk(store, clock=clock, tone_fn=None), clock, waiting=0)
    rae = toned.create_customer("Rae")
    mark = toned.last_event_id()
    cid = toned.arrive(rae.id, "billing", "chat", "This is ridiculous, third time I ask! I want a refund NOW!!")
    evs = events_after(toned, mark)
    assert [e[0] for e in evs] == ["arrived", "message", "tone"]
    tone = evs[2][3]
    assert tone["message_id"] == evs[1][3]["message_id"]
    assert tone["level"] == conv(toned, cid)["tone"] and tone["level"] in ("upset", "hostile")
    assert tone["signals"] and tone["summary"]
    mark = toned.last_event_id()
    toned.system_message(cid, "Auto-reply sent")
    assert [e[0] for e in events_after(toned, mark)] == ["message"], "system lines are not toned"


def test_transfer_from_hold_clears_the_reason(floor):
    desk = floor.desk
    claim = desk.claim_next(floor.alice.id)
    desk.hold(claim, "looking it up")
    desk.transfer(claim, floor.queues["orders"].id, "Order question, not billing.")
    row = conv(desk, claim.conversation_id)
    assert row["status"] == "waiting" and row["hold_reason"] is None
    assert row["queue_id"] == floor.queues["orders"].id


def test_reopen_an_abandoned_conversation(floor):
    desk = floor.desk
    cid = desk.waiting()[0].id
    assert desk.abandon(cid)
    claim = desk.reopen(floor.bob.id, cid)
    assert conv(desk, cid)["status"] == "active"
    assert desk.events(cid)[-1].data == {"by": "agent", "previous_disposition": None, "reason": ""}
    assert messages(desk, cid)[-1][2] == "Reopened"
    desk.reply(claim, "Sorry we missed you earlier.")


def test_reopen_unknown_conversation(floor):
    with pytest.raises(NotFound, match="no conversation #999"):
        floor.desk.reopen(floor.alice.id, 999)


# ------------------------------------------------------------ atomicity of each action


def _boom(*_args, **_kwargs):
    raise RuntimeError("injected failure after the state change")


def _actions(floor):
    """(name, prepare() -> action callable) for every state-changing verb."""
    desk, alice, bob = floor.desk, floor.alice, floor.bob

    def claimed():
        return desk.claim_next(alice.id)

    def on_hold():
        c = claimed()
        desk.hold(c, "checking")
        return c

    def resolved():
        c = claimed()
        desk.resolve(c, "solved")
        return c

    return {
        "claim_next": lambda: (lambda: desk.claim_next(alice.id)),
        "claim": lambda: (lambda cid=desk.waiting()[0].id: desk.claim(bob.id, cid)),
        "reply": lambda: (lambda c=claimed(): desk.reply(c, "hello")),
        "note": lambda: (lambda c=claimed(): desk.note(c, "internal")),
        "hold": lambda: (lambda c=claimed(): desk.hold(c, "checking")),
        "resume": lambda: (lambda c=on_hold(): desk.resume(c)),
        "wrap_up": lambda: (lambda c=claimed(): desk.wrap_up(c)),
        "system_message": lambda: (lambda cid=desk.waiting()[0].id: desk.system_message(cid, "caller on hold")),
        "transfer": lambda: (lambda c=claimed(): desk.transfer(c, "orders", "over to orders")),
        "resolve": lambda: (lambda c=claimed(): desk.resolve(c, "solved", "done")),
        "reopen": lambda: (lambda c=resolved(): desk.reopen(bob.id, c.conversation_id)),
        "arrive": lambda: (lambda: desk.arrive(floor.customers[0].id, "billing", "email", "new question")),
        "customer_message": lambda: (lambda cid=desk.waiting()[0].id: desk.customer_message(cid, "hello?")),
        "customer_reopens": lambda: (lambda c=resolved(): desk.customer_message(c.conversation_id, "not fixed")),
        "abandon": lambda: (lambda cid=desk.waiting()[0].id: desk.abandon(cid)),
        "agent_status": lambda: (lambda: desk.set_agent_status(alice.id, "away")),
        "csat": lambda: (lambda c=resolved(): desk.set_csat(c.conversation_id, 4)),
    }


ACTION_NAMES = ["claim_next", "claim", "reply", "note", "hold", "resume", "wrap_up", "system_message",
                "transfer", "resolve", "reopen",
                "arrive", "customer_message", "customer_reopens", "abandon", "agent_status", "csat"]


def _one_statement(desk, action: str) -> bool:
    """claim_next goes to the driver directly (PostgreSQL: one call of the claim function;
    SQLite: two statements inside BEGIN IMMEDIATE), so there is no Python step between
    its state change and its event to break: the database refuses the event instead."""
    return action == "claim_next"


@contextmanager
def _claimed_events_rejected(desk):
    """The database itself refuses the ``claimed`` event (a CHECK constraint on
    PostgreSQL, a trigger on SQLite), after the claim's UPDATE ran."""
    if desk.store.is_sqlite:
        add = ("CREATE TRIGGER boom_no_claimed BEFORE INSERT ON event WHEN NEW.kind = 'claimed' "
               "BEGIN SELECT RAISE(ABORT, 'boom_no_claimed'); END")
        drop = "DROP TRIGGER boom_no_claimed"
    else:
        add = "ALTER TABLE event ADD CONSTRAINT boom_no_claimed CHECK (kind <> 'claimed') NOT VALID"
        drop = "ALTER TABLE event DROP CONSTRAINT boom_no_claimed"
    with desk.store.write() as conn:
        conn.execute(text(add))
    try:
        yield
    finally:
        with desk.store.write() as conn:
            conn.execute(text(drop))


@pytest.mark.parametrize("action", ACTION_NAMES)
def test_event_and_state_change_are_one_transaction(desk, clock, monkeypatch, action):
    """Make the event append fail after the state UPDATE ran: the whole action rolls
    back — no state change, no message, no event."""
    floor = build_floor(desk, clock)
    run = _actions(floor)[action]()
    before = snapshot(desk)
    if _one_statement(desk, action):
        with _claimed_events_rejected(desk), pytest.raises(StoreError, match="boom_no_claimed"):
            run()
    else:
        monkeypatch.setattr(ops, "append_event", _boom)
        with pytest.raises(RuntimeError, match="injected"):
            run()
    assert snapshot(desk) == before
    monkeypatch.undo()
    run()  # and the same action succeeds once nothing fails
    assert snapshot(desk) != before


@pytest.mark.parametrize("action", ["reply", "hold", "transfer", "resolve", "claim_next", "customer_reopens"])
def test_a_database_error_mid_action_rolls_back(desk, clock, monkeypatch, action):
    """The same with a real driver error (a statement the database rejects) after the
    state change: a one-line StoreError and nothing persisted."""
    floor = build_floor(desk, clock)
    run = _actions(floor)[action]()
    before = snapshot(desk)
    real = ops.append_event

    def broken(conn, *args, **kwargs):
        conn.execute(text("INSERT INTO event (id) VALUES (NULL)"))  # violates NOT NULL

    if _one_statement(desk, action):
        with _claimed_events_rejected(desk), pytest.raises(StoreError) as info:
            run()
    else:
        monkeypatch.setattr(ops, "append_event", broken)
        with pytest.raises(StoreError) as info:
            run()
    assert "\n" not in str(info.value)
    assert snapshot(desk) == before
    monkeypatch.setattr(ops, "append_event", real)


def test_a_failed_guarded_write_leaves_no_trace(floor):
    """Transfer looks up both queues before its guarded UPDATE; a stale claim fails the
    guard and nothing of the transaction remains."""
    desk = floor.desk
    claim = desk.claim_next(floor.alice.id)
    desk.transfer(claim, "tech", "to tech")
    before = snapshot(desk)
    with pytest.raises(StaleClaim):
        desk.transfer(claim, "orders", "to orders")
    assert snapshot(desk) == before


# ------------------------------------------------------------ stale claims


def _every_write(desk, claim):
    return {
        "reply": lambda: desk.reply(claim, "a reply"),
        "note": lambda: desk.note(claim, "a note"),
        "hold": lambda: desk.hold(claim, "a reason"),
        "resume": lambda: desk.resume(claim),
        "wrap_up": lambda: desk.wrap_up(claim),
        "transfer": lambda: desk.transfer(claim, "orders", "a hand-off"),
        "resolve": lambda: desk.resolve(claim, "solved", "closing"),
    }


def _assert_all_stale(desk, claim, who: str | None = None):
    before = snapshot(desk)
    for name, write in _every_write(desk, claim).items():
        with pytest.raises(StaleClaim) as info:
            write()
        msg = str(info.value)
        assert "changed hands" in msg and "not saved" in msg, (name, msg)
        if who:
            assert who in msg, (name, msg)
    assert snapshot(desk) == before


def test_stale_after_transfer(floor):
    desk = floor.desk
    claim = desk.claim_next(floor.alice.id)
    desk.transfer(claim, "tech", "needs tech")
    _assert_all_stale(desk, claim)
    desk.claim(floor.bob.id, claim.conversation_id)
    _assert_all_stale(desk, claim, who="Bob Okafor has it now")


def test_stale_after_someone_reclaims(floor):
    desk = floor.desk
    claim = desk.claim_next(floor.alice.id)
    desk.resolve(claim, "solved")
    bob_claim = desk.reopen(floor.bob.id, claim.conversation_id)
    _assert_all_stale(desk, claim, who="Bob Okafor")
    desk.reply(bob_claim, "bob can write")


def test_stale_when_the_same_agent_claims_again(floor):
    """The version, not only the assignee, decides: alice's old claim from before a
    transfer is dead even after alice takes the conversation again."""
    desk = floor.desk
    old = desk.claim_next(floor.alice.id)
    desk.transfer(old, "tech", "bounce")
    new = desk.claim(floor.alice.id, old.conversation_id)
    assert new.version == old.version + 2
    _assert_all_stale(desk, old)
    desk.reply(new, "works with the new claim")


def test_stale_after_the_customer_reopens(floor):
    desk = floor.desk
    claim = desk.claim_next(floor.alice.id)
    desk.resolve(claim, "solved")
    desk.customer_message(claim.conversation_id, "It broke again.")
    _assert_all_stale(desk, claim)


def test_forged_claim_is_refused(floor):
    desk = floor.desk
    claim = desk.claim_next(floor.alice.id)
    forged = Claim(claim.conversation_id, claim.version, floor.bob.id)
    _assert_all_stale(desk, forged)
    with pytest.raises(NotFound):
        desk.reply(Claim(999, 1, floor.alice.id), "nobody home")


def test_current_claim_after_a_restart(floor):
    desk = floor.desk
    claim = desk.claim_next(floor.alice.id)
    assert desk.current_claim(floor.alice.id, claim.conversation_id) == claim
    assert desk.current_claim(floor.bob.id, claim.conversation_id) is None
    desk.resolve(claim, "solved")
    assert desk.current_claim(floor.alice.id, claim.conversation_id) is None


# ------------------------------------------------------------ idempotent messages


def _count(desk, sql, **params):
    with desk.store.read() as conn:
        return conn.execute(text(sql), params).scalar()


def test_reply_retry_with_the_same_client_id_inserts_once(floor):
    desk = floor.desk
    claim = desk.claim_next(floor.alice.id)
    cid = claim.conversation_id
    client_id = new_client_id()
    first = desk.reply(claim, "On it!", client_id=client_id)
    mark = desk.last_event_id()
    second = desk.reply(claim, "On it!", client_id=client_id)
    assert first == second
    assert _count(desk, "SELECT count(*) FROM message WHERE client_id = :c", c=client_id) == 1
    assert _count(desk, "SELECT count(*) FROM event WHERE kind = 'message' AND conversation_id = :c "
                        "AND agent_id IS NOT NULL", c=cid) == 1
    assert desk.last_event_id() == mark, "a retry writes no event"


def test_note_retry_is_idempotent(floor):
    desk = floor.desk
    claim = desk.claim_next(floor.alice.id)
    client_id = new_client_id()
    assert desk.note(claim, "n", client_id=client_id) == desk.note(claim, "n", client_id=client_id)
    assert _count(desk, "SELECT count(*) FROM event WHERE kind = 'note'") == 1


def test_retry_after_the_claim_was_lost_inserts_nothing_and_does_not_fail(floor):
    """The reply landed, the console crashed before it heard so, the conversation
    moved on; the retry must neither duplicate the message nor report an error for a
    message that is in fact saved."""
    desk = floor.desk
    claim = desk.claim_next(floor.alice.id)
    client_id = new_client_id()
    mid = desk.reply(claim, "Refund issued.", client_id=client_id)
    desk.transfer(claim, "tech", "over to tech")
    desk.claim(floor.bob.id, claim.conversation_id)
    mark = desk.last_event_id()
    before = snapshot(desk)
    assert desk.reply(claim, "Refund issued.", client_id=client_id) == mid
    assert snapshot(desk) == before and desk.last_event_id() == mark
    # but a new message with the dead claim is refused
    with pytest.raises(StaleClaim):
        desk.reply(claim, "Refund issued.", client_id=new_client_id())


def test_customer_message_retry_is_idempotent(floor):
    desk = floor.desk
    cid = desk.waiting()[0].id
    client_id = new_client_id()
    mid = desk.customer_message(cid, "hello? still waiting", client_id=client_id)
    assert mid is not None
    before = snapshot(desk)
    assert desk.customer_message(cid, "hello? still waiting", client_id=client_id) is None
    assert snapshot(desk) == before
    assert _count(desk, "SELECT count(*) FROM message WHERE client_id = :c", c=client_id) == 1


def test_customer_retry_does_not_reopen_twice(floor):
    desk = floor.desk
    claim = desk.claim_next(floor.alice.id)
    desk.resolve(claim, "solved")
    client_id = new_client_id()
    desk.customer_message(claim.conversation_id, "Still broken.", client_id=client_id)
    bob = desk.claim(floor.bob.id, claim.conversation_id)
    desk.resolve(bob, "solved")
    before = snapshot(desk)
    assert desk.customer_message(claim.conversation_id, "Still broken.", client_id=client_id) is None
    assert snapshot(desk) == before, "a retried message must not reopen a conversation again"


def test_arrive_with_a_used_client_id_creates_nothing(floor):
    desk = floor.desk
    client_id = new_client_id()
    desk.arrive(floor.customers[0].id, "billing", "chat", "first", client_id=client_id)
    before = snapshot(desk)
    with pytest.raises(Conflict, match="already recorded"):
        desk.arrive(floor.customers[0].id, "billing", "chat", "first", client_id=client_id)
    assert snapshot(desk) == before


# ------------------------------------------------------------ customer side


def test_arrive_rows_and_events(desk, clock):
    floor = build_floor(desk, clock, waiting=0)
    gold = desk.create_customer("Ines Duarte", "ines@example.com", "+351 21 000 0000", tier="gold")
    mark = desk.last_event_id()
    cid = desk.arrive(gold.id, "Orders", "email", "Where is my parcel?\n\nOrder 7781.", subject="Parcel")
    row = conv(desk, cid)
    assert row["status"] == "waiting" and row["priority"] == 1 and row["claim_version"] == 0
    assert row["queue_id"] == floor.queues["orders"].id and row["enqueued_at"] == clock.now
    assert row["preview"] == "Where is my parcel? Order 7781." and row["assignee_id"] is None
    mid = message_id(desk, cid, "customer", "Where is my parcel?\n\nOrder 7781.")
    assert events_after(desk, mark) == [
        ("arrived", cid, None, {"queue_id": floor.queues["orders"].id, "channel": "email", "priority": 1,
                                "customer_id": gold.id}),
        ("message", cid, None, {"message_id": mid, "author": "customer"}),
    ]
    plat = desk.create_customer("Ada Park", tier="platinum")
    assert conv(desk, desk.arrive(plat.id, "orders", "chat", "hi"))["priority"] == 2
    assert conv(desk, desk.arrive(plat.id, "orders", "chat", "hi", priority=7))["priority"] == 7


def test_arrive_preview_is_inert(desk, clock):
    build_floor(desk, clock, waiting=0)
    cu = desk.create_customer("Eve")
    cid = desk.arrive(cu.id, "billing", "chat", "\x1b]52;c;ZXZpbA==\x07[@click=app.quit]pay[/]\u202egnp.exe")
    preview = conv(desk, cid)["preview"]
    assert "\x1b" not in preview and "\x07" not in preview and "\u202e" not in preview
    assert "[@click=app.quit]pay[/]" in preview
    body = messages(desk, cid)[0][2]
    assert body.startswith("\x1b]52"), "the stored message keeps exactly what the customer sent"


def test_tone_function_is_recorded(desk, clock):
    seen = []

    def tone_fn(body, earlier, waited):
        seen.append((body, tuple(earlier), waited))
        return ("upset", {"level": "upset", "evidence": ["ridiculous"]}) if "ridiculous" in body else (None, {})

    build_floor(desk, clock, waiting=0)
    toned = Desk(desk.store, clock=clock, tone_fn=tone_fn)
    cid = toned.arrive(desk.create_customer("Tom").id, "billing", "chat", "My bill is wrong")
    assert conv(desk, cid)["tone"] is None
    clock.advance(90)
    mark = desk.last_event_id()
    mid = toned.customer_message(cid, "This is ridiculous")
    assert conv(desk, cid)["tone"] == "upset"
    assert events_after(desk, mark) == [
        ("message", cid, None, {"message_id": mid, "author": "customer"}),
        ("tone", cid, None, {"message_id": mid, "level": "upset", "evidence": ["ridiculous"]}),
    ]
    assert seen[-1] == ("This is ridiculous", ("My bill is wrong",), 90.0)
    toned.customer_message(cid, "ok thanks")
    assert conv(desk, cid)["tone"] == "upset", "a calm message does not erase the tone"


def test_customer_message_into_a_waiting_or_active_conversation(floor, clock):
    desk = floor.desk
    cid = desk.waiting()[0].id
    enq = conv(desk, cid)["enqueued_at"]
    clock.advance(5)
    desk.customer_message(cid, "hello?\nstill waiting")
    row = conv(desk, cid)
    assert row["status"] == "waiting" and row["enqueued_at"] == enq, "a follow-up keeps the place in line"
    assert row["preview"] == "hello? still waiting"
    claim = desk.claim(floor.alice.id, cid)
    desk.customer_message(cid, "thanks for picking this up")
    assert conv(desk, cid)["status"] == "active"
    desk.reply(claim, "You're welcome.")


@pytest.mark.parametrize("ending", ["resolved", "abandoned"])
def test_customer_message_reopens_into_waiting(floor, clock, ending):
    desk = floor.desk
    cid = desk.waiting()[0].id
    if ending == "resolved":
        claim = desk.claim(floor.alice.id, cid)
        desk.resolve(claim, "solved")
    else:
        desk.abandon(cid)
    version = conv(desk, cid)["claim_version"]
    clock.advance(3600)
    mark = desk.last_event_id()
    mid = desk.customer_message(cid, "It happened again.")
    row = conv(desk, cid)
    assert row["status"] == "waiting" and row["assignee_id"] is None
    assert row["claim_version"] == version + 1
    assert row["disposition"] is None and row["resolved_at"] is None
    assert row["enqueued_at"] == clock.now
    assert events_after(desk, mark) == [
        ("reopened", cid, None, {"by": "customer", "from": ending}),
        ("message", cid, None, {"message_id": mid, "author": "customer"}),
    ]
    assert desk.waiting()[-1].id == cid, "it joins the end of the line"


def test_customer_message_unknown_conversation(floor):
    with pytest.raises(NotFound):
        floor.desk.customer_message(999, "hello")


def test_abandon(floor, clock):
    desk = floor.desk
    cid = desk.waiting()[0].id
    enq = conv(desk, cid)["enqueued_at"]
    mark = desk.last_event_id()
    assert desk.abandon(cid) is True
    row = conv(desk, cid)
    assert row["status"] == "abandoned" and row["claim_version"] == 1
    assert events_after(desk, mark) == [("abandoned", cid, None, {"waited_s": clock.now - enq})]
    assert desk.abandon(cid) is False
    claimed = desk.claim_next(floor.alice.id)
    before = snapshot(desk)
    assert desk.abandon(claimed.conversation_id) is False, "an active conversation cannot be abandoned"
    assert snapshot(desk) == before
    assert desk.abandon(999) is False


# ------------------------------------------------------------ claiming


def test_away_and_offline_agents_cannot_claim(floor):
    desk = floor.desk
    desk.set_agent_status(floor.alice.id, "away")
    before = snapshot(desk)
    with pytest.raises(Conflict, match="alice is away: become available"):
        desk.claim_next(floor.alice.id)
    with pytest.raises(Conflict, match="alice is away"):
        desk.claim(floor.alice.id, desk.waiting()[0].id)
    assert snapshot(desk) == before
    carol = desk.create_agent("carol", "Carol Diaz")
    assert carol.status == "offline"
    with pytest.raises(Conflict, match="carol is offline"):
        desk.claim_next(carol.id)
    with pytest.raises(NotFound):
        desk.claim_next(12345)
    desk.set_agent_status(floor.alice.id, "available")
    assert desk.claim_next(floor.alice.id) is not None


def test_agent_status_events(floor, clock):
    desk = floor.desk
    mark = desk.last_event_id()
    clock.advance(7)
    info = desk.set_agent_status(floor.alice.id, "away")
    assert info.status == "away" and info.status_since == clock.now
    desk.set_agent_status(floor.alice.id, "away")  # no change, no event
    desk.set_agent_status(floor.alice.id, "offline")
    assert events_after(desk, mark) == [
        ("agent_status", None, floor.alice.id, {"status": "away", "from": "available"}),
        ("agent_status", None, floor.alice.id, {"status": "offline", "from": "away"}),
    ]
    with pytest.raises(UsageError, match="unknown agent status 'busy'"):
        desk.set_agent_status(floor.alice.id, "busy")
    with pytest.raises(NotFound):
        desk.set_agent_status(999, "away")


def test_claim_order_priority_then_wait_then_id(desk, clock):
    floor = build_floor(desk, clock, waiting=0)
    cu = desk.create_customer("Sam")
    t = clock.now
    ids = {}
    # (label, priority, enqueued_at): ties on both priority and wait are broken by id
    for label, prio, at in [("p0-old", 0, t - 500), ("p1-new", 1, t - 10), ("p0-oldest", 0, t - 900),
                            ("p2", 2, t - 1), ("p1-old", 1, t - 400), ("p0-tie-a", 0, t - 300),
                            ("p0-tie-b", 0, t - 300)]:
        ids[label] = desk.arrive(cu.id, "billing", "chat", label, priority=prio, at=at)
    expected = ["p2", "p1-old", "p1-new", "p0-oldest", "p0-old", "p0-tie-a", "p0-tie-b"]
    assert [r.preview for r in desk.waiting()] == expected
    assert [r.sort_key for r in desk.waiting()] == sorted(r.sort_key for r in desk.waiting())
    got = []
    while (c := desk.claim_next(floor.alice.id)) is not None:
        got.append(c.conversation_id)
    assert got == [ids[label] for label in expected]
    assert desk.claim_next(floor.alice.id) is None


def test_claim_next_respects_the_agents_queues(floor):
    desk = floor.desk
    q = floor.queues
    tess = desk.create_agent("tess", "Tess", ["tech"])
    desk.set_agent_status(tess.id, "available")
    got = []
    while (c := desk.claim_next(tess.id)) is not None:
        got.append(conv(desk, c.conversation_id)["queue_id"])
    assert got == [q["tech"].id, q["tech"].id]
    assert {r.queue_id for r in desk.waiting()} == {q["billing"].id, q["orders"].id}
    # an explicit queue list overrides the skills
    c = desk.claim_next(tess.id, [q["orders"].id])
    assert conv(desk, c.conversation_id)["queue_id"] == q["orders"].id
    assert desk.claim_next(tess.id, []) is None
    # an agent without skills takes from every queue
    any_ = desk.create_agent("any", "Any Queue")
    desk.set_agent_status(any_.id, "available")
    assert desk.claim_next(any_.id) is not None


def test_claim_a_specific_conversation(floor):
    desk = floor.desk
    rows = desk.waiting()
    target = rows[3]
    claim = desk.claim(floor.bob.id, target.id)
    assert claim.conversation_id == target.id and claim.version == 1
    before = snapshot(desk)
    with pytest.raises(Conflict, match=f"#{target.id} is already taken by Bob Okafor"):
        desk.claim(floor.alice.id, target.id)
    with pytest.raises(NotFound, match="no conversation #999"):
        desk.claim(floor.alice.id, 999)
    assert snapshot(desk) == before
    assert desk.claim_next(floor.alice.id).conversation_id == rows[0].id


def test_claim_next_on_an_empty_queue(desk, clock):
    floor = build_floor(desk, clock, waiting=0)
    mark = desk.last_event_id()
    assert desk.claim_next(floor.alice.id) is None
    assert desk.last_event_id() == mark


# ------------------------------------------------------------ views


def test_conversation_view_history_and_messages(desk, clock):
    floor = build_floor(desk, clock, waiting=0)
    cu = desk.create_customer("Priya Raman", "priya@example.com", "+44 20 7946 0000", tier="gold",
                              created_at=clock.now - 10 * 86400)
    past = []
    for days, queue, disposition in [(9, "billing", "refund"), (5, "orders", "solved"), (2, "tech", None)]:
        pid = desk.arrive(cu.id, queue, "email", f"old issue {days}", subject=f"Issue {days}",
                          at=clock.now - days * 86400)
        past.append(pid)
        if disposition:
            c = desk.claim(floor.alice.id, pid)
            desk.resolve(c, disposition)
    other = desk.create_customer("Someone Else")
    desk.arrive(other.id, "billing", "chat", "not mine")
    cid = desk.arrive(cu.id, "billing", "chat", "msg 0", subject="Today")
    claim = desk.claim(floor.alice.id, cid)
    for i in range(1, 8):
        clock.advance(1)
        desk.customer_message(cid, f"msg {i}") if i % 2 else desk.reply(claim, f"msg {i}")

    view = desk.conversation(cid)
    assert view.customer.name == "Priya Raman" and view.customer.tier == "gold"
    assert view.customer.email == "priya@example.com" and view.customer.phone == "+44 20 7946 0000"
    assert view.queue_name == "billing" and view.status == "active" and view.assignee_name == "Alice Moreau"
    assert view.claim_version == claim.version and view.priority == 1
    assert [h.id for h in view.history] == [past[2], past[1], past[0]], "newest first, not this one"
    assert [(h.queue, h.status, h.disposition, h.subject) for h in view.history] == [
        ("tech", "waiting", None, "Issue 2"), ("orders", "resolved", "solved", "Issue 5"),
        ("billing", "resolved", "refund", "Issue 9")]
    assert [m.body for m in view.messages] == [f"msg {i}" for i in range(8)]
    assert view.total_messages == 8
    assert [m.author for m in view.messages[:3]] == ["Priya Raman", "Priya Raman", "Alice Moreau"]
    assert [m.kind for m in view.messages[:3]] == ["customer", "customer", "agent"]

    limited = desk.conversation(cid, message_limit=3)
    assert [m.body for m in limited.messages] == ["msg 5", "msg 6", "msg 7"]
    assert limited.total_messages == 8
    ids = [m.id for m in view.messages]
    assert [m.body for m in desk.messages(cid, before_id=ids[5], limit=2)] == ["msg 3", "msg 4"]
    assert [m.body for m in desk.messages(cid, after_id=ids[5])] == ["msg 6", "msg 7"]
    desk.hold(claim, "checking")
    system = desk.conversation(cid).messages[-1]
    assert system.kind == "system" and system.author == "system"
    with pytest.raises(NotFound, match="no conversation #999"):
        desk.conversation(999)


def test_history_is_capped(desk, clock):
    build_floor(desk, clock, waiting=0)
    cu = desk.create_customer("Frequent Flyer")
    for i in range(25):
        desk.arrive(cu.id, "billing", "chat", f"contact {i}", at=clock.now - (30 - i) * 3600)
    cid = desk.arrive(cu.id, "billing", "chat", "today")
    history = desk.conversation(cid).history
    assert len(history) == 20
    assert [h.created_at for h in history] == sorted((h.created_at for h in history), reverse=True)


def test_waiting_rows_for_ids_that_left_the_queue(floor):
    desk = floor.desk
    rows = desk.waiting()
    claim = desk.claim_next(floor.alice.id)
    desk.abandon(rows[1].id)
    got = desk.waiting_rows([rows[0].id, rows[1].id, rows[2].id, rows[2].id, 999])
    assert list(got) == [rows[0].id, rows[1].id, rows[2].id, 999]
    assert got[rows[0].id] is None and got[rows[1].id] is None and got[999] is None
    assert got[rows[2].id] == rows[2]
    assert desk.waiting_rows([]) == {}
    desk.transfer(claim, "orders", "back in line")
    back = desk.waiting_rows([claim.conversation_id])[claim.conversation_id]
    assert back is not None and back.queue_id == floor.queues["orders"].id


def test_waiting_rows_in_chunks(desk, clock):
    """More ids than one IN list holds (the service splits them)."""
    build_floor(desk, clock, waiting=0)
    cu = desk.create_customer("Many")
    ids = [desk.arrive(cu.id, "billing", "chat", f"m{i}") for i in range(3)]
    got = desk.waiting_rows(list(range(1, 1200)) + ids)
    assert len(got) == 1199 and all(got[i] is not None for i in ids)
    assert sum(v is not None for v in got.values()) == 3


def test_queue_counts_agents_and_my_conversations(floor, clock):
    desk, q = floor.desk, floor.queues
    start = clock.now
    counts = desk.queue_counts()
    assert counts == {q["billing"].id: (2, clock.now - 600), q["tech"].id: (2, clock.now - 540),
                      q["orders"].id: (2, clock.now - 480)}
    c1 = desk.claim_next(floor.alice.id)
    clock.advance(1)
    c2 = desk.claim_next(floor.alice.id)
    desk.hold(c2, "wait")
    c3 = desk.claim_next(floor.bob.id)
    desk.resolve(c3, "solved")
    # message 0 (billing), 1 (tech) and 2 (orders) were taken; message 3 is billing's oldest
    assert desk.queue_counts() == {q["billing"].id: (1, start - 420), q["tech"].id: (1, start - 360),
                                   q["orders"].id: (1, start - 300)}
    mine = desk.my_conversations(floor.alice.id)
    assert [(m[0], m[1]) for m in mine] == [(c2.conversation_id, "on_hold"), (c1.conversation_id, "active")]
    assert desk.my_conversations(floor.bob.id) == []
    assert [a.name for a in desk.agents()] == ["alice", "bob"]
    assert desk.agents()[0].queue_ids == (q["billing"].id, q["tech"].id, q["orders"].id)
    assert desk.agent("bob").display_name == "Bob Okafor"
    assert desk.agent_by_id(floor.bob.id).name == "bob"
    with pytest.raises(NotFound, match="unknown agent 'nobody' .*known agents: alice, bob.*agents add nobody"):
        desk.agent("nobody")
    assert [x.name for x in desk.queues()] == ["billing", "tech", "orders"]


def test_waiting_filters_and_limits(floor):
    desk, q = floor.desk, floor.queues
    assert len(desk.waiting(limit=4)) == 4
    assert [r.preview for r in desk.waiting([q["tech"].id])] == ["Hello, message 1", "Hello, message 4"]
    assert desk.waiting([]) == []


# ------------------------------------------------------------ change feed reads


def test_changes_since_and_changes_in(floor):
    desk = floor.desk
    start = desk.last_event_id()
    claim = desk.claim_next(floor.alice.id)
    desk.reply(claim, "hi")
    desk.record("wait_quoted", conversation_id=claim.conversation_id, data={"p90_s": 120})
    changes = desk.changes_since(start)
    assert [c.kind for c in changes] == ["claimed", "message", "wait_quoted"]
    assert [c.event_id for c in changes] == list(range(start + 1, start + 4))
    assert all(isinstance(c.data, dict) for c in changes)
    assert changes[2].data == {"p90_s": 120}
    assert desk.changes_since(start, limit=2) == changes[:2]
    assert desk.changes_since(desk.last_event_id()) == []
    assert desk.changes_in([changes[2].event_id, changes[0].event_id, 10**9]) == [changes[0], changes[2]]
    assert desk.changes_in([]) == []


def test_record_many_and_csat(floor, clock):
    desk = floor.desk
    mark = desk.last_event_id()
    desk.record_many([("wait_quoted", 1, None, {"s": 1}), ("suggestion_shown", 1, floor.alice.id, {"id": "x"})])
    desk.record_many([])
    assert [(k, c, a) for k, c, a, _ in events_after(desk, mark)] == [
        ("wait_quoted", 1, None), ("suggestion_shown", 1, floor.alice.id)]
    claim = desk.claim_next(floor.alice.id)
    desk.resolve(claim, "solved")
    desk.set_csat(claim.conversation_id, 5)
    assert conv(desk, claim.conversation_id)["csat"] == 5
    assert desk.events(claim.conversation_id)[-1].data == {"score": 5}
    for bad in (0, 6):
        with pytest.raises(UsageError):
            desk.set_csat(claim.conversation_id, bad)
    with pytest.raises(NotFound):
        desk.set_csat(999, 3)


def test_unicode_and_json_event_data_round_trip(floor):
    desk = floor.desk
    data = {"note": "Grüße — 你好 👋", "nested": {"list": [1, 2.5, None, True]}}
    eid = desk.record("annotation", data=data)
    assert desk.changes_in([eid])[0].data == data


# ------------------------------------------------------------ validation


@pytest.mark.parametrize("body", ["", "   ", "\n\t\n"])
def test_empty_messages_are_refused(floor, body):
    desk = floor.desk
    claim = desk.claim_next(floor.alice.id)
    before = snapshot(desk)
    for call in (lambda: desk.reply(claim, body), lambda: desk.note(claim, body),
                 lambda: desk.customer_message(claim.conversation_id, body),
                 lambda: desk.arrive(floor.customers[0].id, "billing", "chat", body)):
        with pytest.raises(UsageError, match="empty"):
            call()
    assert snapshot(desk) == before


def test_oversized_messages_are_refused(floor):
    desk = floor.desk
    claim = desk.claim_next(floor.alice.id)
    before = snapshot(desk)
    with pytest.raises(UsageError, match="too long .*20,001 characters; at most 20,000"):
        desk.reply(claim, "x" * (MAX_MESSAGE_CHARS + 1))
    with pytest.raises(UsageError, match="note is too long"):
        desk.note(claim, "x" * (MAX_NOTE_CHARS + 1))
    with pytest.raises(UsageError, match="too long"):
        desk.customer_message(claim.conversation_id, "x" * (MAX_MESSAGE_CHARS + 1))
    with pytest.raises(UsageError):
        desk.reply(claim, None)  # type: ignore[arg-type]
    assert snapshot(desk) == before
    desk.reply(claim, "x" * MAX_MESSAGE_CHARS)
    desk.note(claim, "y" * MAX_NOTE_CHARS)


def test_unknown_names_are_refused(floor):
    desk = floor.desk
    cu = floor.customers[0].id
    before = snapshot(desk)
    with pytest.raises(NotFound, match="unknown queue 'returns' \\(queues: billing, orders, tech\\)"):
        desk.arrive(cu, "returns", "chat", "hello")
    with pytest.raises(NotFound, match="unknown queue 999"):
        desk.arrive(cu, 999, "chat", "hello")
    with pytest.raises(UsageError, match="unknown channel 'fax'"):
        desk.arrive(cu, "billing", "fax", "hello")
    with pytest.raises(NotFound, match="no customer #999"):
        desk.arrive(999, "billing", "chat", "hello")
    with pytest.raises(UsageError, match="unknown tier 'diamond'"):
        desk.create_customer("Zed", tier="diamond")
    with pytest.raises(NotFound, match="unknown queue 'returns'"):
        desk.create_agent("dora", "Dora", ["billing", "returns"])
    with pytest.raises(Conflict, match="queue 'billing' already exists"):
        desk.create_queue("  Billing ", "Billing again")
    with pytest.raises(Conflict, match="agent 'alice' already exists"):
        desk.create_agent("alice")
    for bad in ("", "   ", "x" * 65):
        with pytest.raises(UsageError, match="1 to 64"):
            desk.create_agent(bad)
    with pytest.raises(UsageError, match="needs a name"):
        desk.create_queue("  ", "Nameless")
    assert snapshot(desk) == before, "a refused set-up call leaves nothing half-made"


def test_create_agent_with_queues_is_atomic(desk, clock):
    build_floor(desk, clock, waiting=0)
    with pytest.raises(NotFound):
        desk.create_agent("dora", "Dora", ["billing", "nope"])
    assert "dora" not in {a.name for a in desk.agents()}
    dora = desk.create_agent("dora", None, ["orders", "billing"])
    assert dora.display_name == "dora" and len(dora.queue_ids) == 2


def test_services_do_not_import_the_ui():
    """The service layer sits below the UI: importing it loads no Textual."""
    import subprocess
    import sys

    code = "import sys, agentdesk.desk, agentdesk.live; sys.exit('textual' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_lone_surrogates_in_customer_text_are_replaced_not_fatal(floor):
    """A lone surrogate (a JSON import can produce one) cannot be stored as UTF-8: the
    message is kept with U+FFFD in its place."""
    desk = floor.desk
    cid = desk.arrive(floor.customers[0].id, "billing", "chat", "refund \ud800 please")
    assert messages(desk, cid)[0][2] == "refund \ufffd please"
    claim = desk.claim(floor.alice.id, cid)
    desk.reply(claim, "done \udfff")
    assert messages(desk, cid)[-1][2] == "done \ufffd"


def test_text_that_cannot_be_stored_is_a_usage_error(floor):
    """Elsewhere (a name from a non-UTF-8 command line, decoded with surrogateescape)
    it is refused with one line, and nothing is written."""
    desk = floor.desk
    before = snapshot(desk)
    with pytest.raises(UsageError) as info:
        desk.create_agent("ren\udce9e")
    msg = str(info.value)
    assert "cannot be stored" in msg and "\\udce9" in msg and "\n" not in msg
    with pytest.raises(UsageError):
        desk.create_queue("caf\udce9", "Caf\udce9")
    assert snapshot(desk) == before


# ------------------------------------------------------------ concurrent consoles (threads)


def _race(calls):
    """Run the calls at the same moment from separate threads (each on its own pooled
    connection); returns each call's result or the exception it raised."""
    import threading

    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(i, call):
        barrier.wait(30)
        try:
            results[i] = call()
        except Exception as exc:  # collected and checked by the caller
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_concurrent_claims_of_one_conversation_have_one_winner(desk, clock):
    floor = build_floor(desk, clock, waiting=1)
    agents = [floor.alice, floor.bob]
    for i in range(4):
        a = desk.create_agent(f"extra{i}", f"Extra {i}")
        desk.set_agent_status(a.id, "available")
        agents.append(a)
    cid = desk.waiting()[0].id
    results = _race([lambda a=a: desk.claim(a.id, cid) for a in agents])
    winners = [r for r in results if isinstance(r, Claim)]
    losers = [r for r in results if isinstance(r, Conflict)]
    assert len(winners) == 1 and len(losers) == len(agents) - 1, results
    assert all("already taken" in str(e) for e in losers)
    assert [c.kind for c in desk.events(cid)].count("claimed") == 1
    assert conv(desk, cid)["assignee_id"] == winners[0].agent_id


def test_concurrent_writes_with_one_claim_are_serialised(desk, clock):
    """Consoles holding the same claim race two transfers and a resolve: whichever
    lands first ends the claim's right to the others, so exactly one applies."""
    floor = build_floor(desk, clock, waiting=1)
    claim = desk.claim_next(floor.alice.id)
    results = _race([lambda: desk.transfer(claim, "tech", "to tech"),
                     lambda: desk.transfer(claim, "orders", "to orders"),
                     lambda: desk.resolve(claim, "solved")])
    ok = [r for r in results if r is None]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(ok) == 1 and len(refused) == 2, results
    kinds = [c.kind for c in desk.events(claim.conversation_id)]
    assert sum(k in ("transferred", "resolved") for k in kinds) == 1
    row = conv(desk, claim.conversation_id)
    assert (row["status"], row["claim_version"]) in (("waiting", 2), ("resolved", 1))
