"""Child-process side of ``test_concurrency.py``: consoles and a channel integration
working one floor at the same time. Free of pytest, like ``tests/store/race_worker``;
each child opens its own store from the URL (the PostgreSQL schema comes from the
inherited ``AGENTDESK_PG_SCHEMA``)."""

from __future__ import annotations

import random
import traceback

BARRIER_TIMEOUT_S = 120.0
QUEUES = ("billing", "tech", "orders")


def console(db: str, agent_id: int, cycles: int, seed: int, start, out) -> None:
    """An agent working the queue: claim, reply, then transfer, hold-and-resolve or
    resolve. Reports ``("console", agent_id, [(conversation id, version)], error)``."""
    claimed: list[tuple[int, int]] = []
    try:
        import agentdesk.store.db as dbmod

        dbmod.BUSY_TIMEOUT_S = 120.0  # see race_worker.CHILD_BUSY_TIMEOUT_S
        from agentdesk.desk import Desk
        from agentdesk.store.db import Store

        rng = random.Random(seed)
        store = Store.open(db, pool_size=1)
        try:
            desk = Desk(store, tone_fn=None)
            start.wait(BARRIER_TIMEOUT_S)
            for i in range(cycles):
                claim = desk.claim_next(agent_id)
                if claim is None:
                    continue
                claimed.append((claim.conversation_id, claim.version))
                desk.reply(claim, f"Thanks for waiting, this is reply {i}.")
                roll = rng.random()
                if roll < 0.35:
                    here = desk.conversation(claim.conversation_id, message_limit=1).queue_name
                    desk.transfer(claim, rng.choice([q for q in QUEUES if q != here]), f"hand-off {i}")
                elif roll < 0.5:
                    desk.hold(claim, "checking the order")
                    desk.resume(claim)
                    desk.resolve(claim, "solved")
                else:
                    desk.resolve(claim, "solved", "done")
        finally:
            store.close()
        out.put(("console", agent_id, claimed, None))
    except BaseException:
        out.put(("console", agent_id, claimed, traceback.format_exc()))


def intake(db: str, customer_id: int, arrivals: int, seed: int, start, out) -> None:
    """A channel integration: new contacts, follow-ups from waiting customers, and
    customers giving up. Reports ``("intake", 0, [new conversation ids], error)``."""
    made: list[int] = []
    try:
        import agentdesk.store.db as dbmod

        dbmod.BUSY_TIMEOUT_S = 120.0
        from agentdesk.desk import Desk
        from agentdesk.store.db import Store

        rng = random.Random(seed)
        store = Store.open(db, pool_size=1)
        try:
            desk = Desk(store, tone_fn=None)
            start.wait(BARRIER_TIMEOUT_S)
            for i in range(arrivals):
                made.append(desk.arrive(customer_id, rng.choice(QUEUES), "chat", f"new contact {i}"))
                waiting = desk.waiting(limit=20)
                if waiting and rng.random() < 0.5:
                    desk.customer_message(rng.choice(waiting).id, f"hello? still waiting ({i})")
                if waiting and rng.random() < 0.1:
                    desk.abandon(rng.choice(waiting).id)
        finally:
            store.close()
        out.put(("intake", 0, made, None))
    except BaseException:
        out.put(("intake", 0, made, traceback.format_exc()))
