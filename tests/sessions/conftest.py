"""Fixtures for the session service tests: a conversation worked through the console's
services (so its event log has every kind the services write), with personal data in
the customer's row and in the messages."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from agentdesk.assist import assist, record_shown, record_used
from agentdesk.desk import Desk

EMAIL = "priya.raman@example.com"
PHONE = "+44 7700 900461"
OTHER_EMAIL = "p.raman.work@example.org"
OTHER_PHONE = "07700 900983"
NAME = "Priya Raman"


@dataclass
class Worked:
    desk: Desk
    conversation_id: int
    other_id: int
    alice: object
    bob: object


def table_counts(store) -> dict[str, tuple[int, int]]:
    """(rows, max id) of every table: equal before and after means nothing was written."""
    from sqlalchemy import text

    out = {}
    with store.read() as conn:
        for table in ("queue", "agent", "customer", "conversation", "message", "event"):
            n, top = conn.execute(text(f"SELECT count(*), coalesce(max(id), 0) FROM {table}")).one()
            out[table] = (int(n), int(top))
        out["agent_queue"] = (int(conn.execute(text("SELECT count(*) FROM agent_queue")).scalar()), 0)
    return out


def work_conversation(desk: Desk, clock) -> Worked:
    """A conversation through arrival (tone on), quote, claim, suggestions, reply, note,
    hold/resume, transfer with a hand-off, a second claim, resolve with a note and CSAT;
    and a second, still-waiting conversation."""
    desk.create_queue("billing", "Billing", 60, 0.8)
    desk.create_queue("tech", "Technical support", 120, 0.8)
    alice = desk.create_agent("alice", "Alice Moreau", ["billing", "tech"])
    bob = desk.create_agent("bob", "Bob Okafor", ["billing", "tech"])
    desk.set_agent_status(alice.id, "available")
    desk.set_agent_status(bob.id, "available")
    customer = desk.create_customer(NAME, EMAIL, PHONE, "gold", created_at=clock.now - 86400 * 90)
    cid = desk.arrive(customer.id, "billing", "chat",
                      f"This is the THIRD time I'm writing. You charged me twice! Call me on {PHONE} "
                      f"or mail {EMAIL}. Priya", subject="Charged twice")
    desk.record("wait_quoted", conversation_id=cid,
                data={"expected_s": 90.0, "upper_s": 240.0, "share": 0.9, "position": 2,
                      "reason": "You're 2nd in line."})
    clock.advance(100)
    claim = desk.claim(alice.id, cid)
    helper = assist(desk, desk.conversation(cid), agent_name="Alice Moreau", now=clock.now)
    record_shown(desk, cid, alice.id, helper)
    if helper.suggestions:
        record_used(desk, cid, alice.id, helper, helper.suggestions[0].script_id)
    clock.advance(20)
    desk.reply(claim, "Hi Priya, I'm so sorry about the double charge. I'm checking it now.")
    clock.advance(5)
    desk.note(claim, f"Customer's other address is {OTHER_EMAIL}, mobile {OTHER_PHONE}.")
    clock.advance(30)
    desk.customer_message(cid, "ok. please hurry, I need that money back this week")
    clock.advance(10)
    desk.hold(claim, "asking payments")
    clock.advance(60)
    desk.resume(claim)
    clock.advance(10)
    desk.transfer(claim, "tech", "Double charge confirmed by payments; refund needs tech to unlock the account.")
    clock.advance(40)
    claim2 = desk.claim(bob.id, cid)
    clock.advance(15)
    desk.reply(claim2, "Hello again Priya, I've unlocked the account and the refund is on its way: 3-5 days.")
    clock.advance(5)
    desk.resolve(claim2, "refund", "Refund of the duplicate issued.")
    desk.set_csat(cid, 4)
    other = desk.create_customer("Tom Becker", "tom.becker@example.net", "+1 415 555 0132", created_at=clock.now)
    clock.advance(3)
    other_id = desk.arrive(other.id, "tech", "email", "My router shows an orange light since this morning.",
                           subject="Orange light")
    return Worked(desk, cid, other_id, alice, bob)


@pytest.fixture
def worked(desk, clock) -> Worked:
    return work_conversation(desk, clock)
