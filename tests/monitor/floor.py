"""A deterministic floor for the monitor tests: three hours of traffic played through the
real services with a fake clock, and a fake tone engine (so the tests do not depend on
the real one's model)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from agentdesk.desk import Desk

# word -> (level, tone, signal level)
TONE_WORDS = {
    "useless": ("hostile", "abuse", "high"),
    "ridiculous": ("upset", "frustration", "high"),
    "cancel": ("upset", "churn_risk", "medium"),
    "worried": ("concerned", "anxiety", "medium"),
}
SEVERITY = {"calm": 0, "concerned": 1, "upset": 2, "hostile": 3}


def fake_tone(text: str, earlier: Sequence[str], waited_s: float) -> tuple[str | None, dict[str, Any]]:
    """Levels and evidence spans from a few words (the shape the real engine records)."""
    low = text.lower()
    signals = []
    level = "calm"
    for word, (lvl, tone, sig_level) in TONE_WORDS.items():
        start = low.find(word)
        if start >= 0:
            signals.append({"tone": tone, "level": sig_level, "evidence": [[start, start + len(word)]]})
            if SEVERITY[lvl] > SEVERITY[level]:
                level = lvl
    summary = f"{level}: " + (", ".join(f"{s['tone']} ({s['level']})" for s in signals) or "no signal")
    return level, {"level": level, "needs_deescalation": level in ("upset", "hostile"), "signals": signals,
                   "summary": summary}


@dataclass
class Built:
    desk: Desk
    queues: dict[str, Any]
    agents: dict[str, Any]
    waiting: list[int] = field(default_factory=list)
    open: dict[str, int] = field(default_factory=dict)
    hostile: int | None = None


CALM = ["Hello, I have a question about my last invoice.", "Hi, the router light keeps blinking orange.",
        "Where is my parcel? The tracking has not moved.", "Can I change the delivery address please?",
        "My direct debit date is wrong, can you move it?", "The app logs me out every few minutes."]


def busy_floor(desk: Desk, clock, *, hours: float = 3.0, seed: int = 7) -> Built:
    """Queues billing (60 s, 80 %), tech (120 s, 80 %), orders (60 s, 90 %); five agents;
    ``hours`` of arrivals answered, held, transferred, resolved and abandoned; at the
    end (the clock's time on entry) some wait, agents are busy, on hold, in wrap-up,
    away and offline, one customer is hostile and two are upset."""
    rng = random.Random(seed)
    end = clock.now
    clock.now = end - hours * 3600
    queues = {
        "billing": desk.create_queue("billing", "Billing", 60, 0.8),
        "tech": desk.create_queue("tech", "Technical support", 120, 0.8),
        "orders": desk.create_queue("orders", "Orders", 60, 0.9),
    }
    names = {"alice": "Alice Moreau", "bob": "Bob Okafor", "carol": "Carol Diaz", "dave": "Dave Lin",
             "erin": "Erin Walsh"}
    agents = {n: desk.create_agent(n, d, ["billing", "tech", "orders"]) for n, d in names.items()}
    for a in agents.values():
        desk.set_agent_status(a.id, "available")
    customers = [desk.create_customer(f"Customer {i:02d}", f"c{i}@example.com",
                                      tier=["standard", "standard", "gold"][i % 3], created_at=clock.now - 86400 * 90)
                 for i in range(30)]
    built = Built(desk, queues, agents)
    # -- the past hours: one arrival every ~6 minutes, each with a fate
    t = clock.now
    plan: list[tuple[float, int, str, tuple]] = []  # (at, order, action, args)
    order = 0
    qnames = list(queues)
    while t < end - 900:
        t += rng.uniform(200, 520)
        order += 1
        q = qnames[order % 3]
        plan.append((t, order, "arrive", (order, q)))
        fate = rng.random()
        wait = rng.choice([20, 45, 70, 150, 400])
        if fate < 0.12:
            plan.append((t + wait, order, "abandon", (order,)))
            continue
        agent = rng.choice(list(agents))
        handle = rng.uniform(180, 900)
        plan.append((t + wait, order, "claim", (order, agent)))
        plan.append((t + wait + 40, order, "reply", (order,)))
        if fate > 0.8:
            plan.append((t + wait + 90, order, "hold", (order,)))
            plan.append((t + wait + 150, order, "resume", (order,)))
        if 0.7 < fate <= 0.8:
            plan.append((t + wait + 120, order, "transfer", (order, "tech" if q != "tech" else "billing")))
            plan.append((t + wait + 200, order, "claim", (order, agent)))
        plan.append((t + wait + handle, order, "resolve", (order,)))
        if fate > 0.5:
            plan.append((t + wait + handle + 60, order, "csat", (order, 1 + int(fate * 10) % 5)))
    plan.sort()
    cids: dict[int, int] = {}
    claims: dict[int, Any] = {}
    for at, _o, action, args in plan:
        if at > end - 600:
            continue
        clock.now = at
        _act(desk, built, customers, cids, claims, action, args)
    # -- now: who is where
    clock.now = end - 400
    for i, (q, text) in enumerate([("billing", "This is ridiculous, I was charged twice"),
                                   ("tech", "I'm worried the alarm is not working"),
                                   ("orders", CALM[2]), ("billing", CALM[0]), ("tech", CALM[1]),
                                   ("orders", "Honestly you are useless, where is my order?")]):
        clock.now = end - 400 + i * 50
        cid = desk.arrive(customers[20 + i].id, q, "chat", text, subject=text[:30])
        built.waiting.append(cid)
        if "useless" in text:
            built.hostile = cid
        desk.record("wait_quoted", conversation_id=cid, data={"kind": "first", "queue": q, "at": clock.now,
                                                               "expected_s": 90.0, "bound_s": 240.0, "position": 1})
    clock.now = end - 120
    busy = desk.claim(agents["alice"].id, built.waiting.pop(0))  # the upset billing customer
    desk.reply(busy, "I'm sorry about the double charge, let me look at it now.")
    built.open["alice"] = busy.conversation_id
    clock.now = end - 90
    held = desk.claim(agents["bob"].id, built.waiting.pop(0))
    desk.hold(held, "Checking with the alarm team")
    built.open["bob"] = held.conversation_id
    clock.now = end - 60
    wrap = desk.claim(agents["carol"].id, built.waiting.pop(0))
    desk.wrap_up(wrap)
    built.open["carol"] = wrap.conversation_id
    clock.now = end - 30
    desk.set_agent_status(agents["dave"].id, "away")
    desk.set_agent_status(agents["erin"].id, "offline")
    clock.now = end
    return built


def _act(desk: Desk, built: Built, customers, cids: dict, claims: dict, action: str, args: tuple) -> None:
    from agentdesk.errors import AgentdeskError

    n = args[0]
    try:
        if action == "arrive":
            q = args[1]
            text = CALM[n % len(CALM)]
            cids[n] = desk.arrive(customers[n % 20].id, q, "chat", text, subject=text[:30])
            desk.record("wait_quoted", conversation_id=cids[n],
                        data={"kind": "first", "queue": q, "at": desk.clock(), "expected_s": 60.0,
                              "bound_s": 180.0, "position": 1})
        elif action == "abandon":
            desk.abandon(cids[n])
        elif action == "claim":
            claims[n] = desk.claim(built.agents[args[1]].id, cids[n])
        elif action == "reply":
            desk.reply(claims[n], "Thanks for waiting, I'm on it.")
        elif action == "hold":
            desk.hold(claims[n], "Checking with another team")
        elif action == "resume":
            desk.resume(claims[n])
        elif action == "transfer":
            desk.transfer(claims[n], args[1], "Needs the other team")
        elif action == "resolve":
            desk.resolve(claims[n], "solved")
        elif action == "csat":
            desk.set_csat(cids[n], args[1])
    except (AgentdeskError, KeyError):
        pass  # a step whose conversation took another turn (e.g. claimed after a transfer)
