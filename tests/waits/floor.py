"""A floor with a few busy hours behind it, so the wait-quote engine is warm."""

from __future__ import annotations

import random

from agentdesk.desk import Desk
from agentdesk.store.db import Store
from tests.conftest import FakeClock

HOURS = 3


def busy_history(url: str, *, seed: int = 3, contacts: int = 110, waiting: int = 5) -> FakeClock:
    """``contacts`` finished chats on the billing queue over the last hours (3 agents, a
    real single-server-per-agent process), then ``waiting`` customers in line now."""
    rng = random.Random(seed)
    clock = FakeClock()
    end = clock.now
    store = Store.open(url)
    desk = Desk(store, clock=clock, tone_fn=None)
    desk.create_queue("billing", "Billing", 60, 0.8)
    agents = [desk.create_agent(f"sim{i}", f"Sim {i}", ["billing"], simulated=True) for i in range(3)]
    human = desk.create_agent("alice", "Alice Moreau", ["billing"])
    clock.now = end - HOURS * 3600
    for a in agents:
        desk.set_agent_status(a.id, "available")
    customer = desk.create_customer("Regular Customer", "regular@example.com", created_at=clock.now - 86400)
    # arrivals, then each agent serves the queue in order: an event-driven replay
    arrivals = sorted(end - HOURS * 3600 + rng.uniform(0, HOURS * 3600 - 1800) for _ in range(contacts))
    free_at = [clock.now] * len(agents)
    plan = []
    for t in arrivals:
        k = min(range(len(agents)), key=lambda i: free_at[i])
        start = max(t, free_at[k]) + rng.uniform(1, 5)
        handle = rng.lognormvariate(5.3, 0.5)
        free_at[k] = start + handle
        plan.append((t, start, start + handle, k))
    timeline = []
    for i, (t, start, stop, k) in enumerate(plan):
        timeline += [(t, 0, i), (start, 1, i), (stop, 2, i)]
    assert max(stop for _t, _s, stop, _k in plan) < end - 400, "the history must end before now"
    conv: dict[int, int] = {}
    claims: dict[int, object] = {}
    for at, what, i in sorted(timeline):
        clock.now = at
        if what == 0:
            conv[i] = desk.arrive(customer.id, "billing", "chat", f"question {i}", subject=f"q{i}")
        elif what == 1:
            claims[i] = desk.claim(agents[plan[i][3]].id, conv[i])
        else:
            desk.resolve(claims[i], "solved")
    clock.now = end - 300
    for i in range(waiting):
        clock.advance(30)
        c = desk.create_customer(f"Waiting {i}", f"w{i}@example.com", created_at=clock.now - 86400)
        desk.arrive(c.id, "billing", "chat", f"I need help {i}", subject=f"waiting {i}")
    # two agents busy right now, one available
    for k in range(2):
        clock.advance(1)
        conv_id = desk.arrive(customer.id, "billing", "chat", "in service", subject="busy")
        desk.claim(agents[k].id, conv_id)
    clock.now = end
    store.close()
    return clock
