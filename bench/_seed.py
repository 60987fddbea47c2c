"""A fast seeder for the scale benchmarks: a contact centre on a bad day.

    python bench/_seed.py --waiting 100000 [--messages 1000000] [--out PATH]

Builds a migrated agentdesk SQLite store (the real Alembic schema, every index) with
raw ``sqlite3`` ``executemany`` in one transaction:

* four queues and 40 agents (``alice`` is staffed on every queue);
* ``waiting`` waiting conversations (one customer each; priorities from the
  customers' tiers; enqueued over the last three hours, so some are minutes old) and
  ``HISTORY`` resolved ones from the last eleven hours (claimed after a realistic wait,
  resolved after a realistic handle time), so the wait engine warms from a full
  twelve-hour event window;
* ``messages`` messages in all (default 1,000,000): one waiting conversation —
  :data:`SeedInfo.big_conversation`, in the middle of the queue — holds ``BIG``
  (1,000), the rest are spread over every conversation;
* the event log a live floor would have written: ``arrived``, one ``message`` event per
  message, ``claimed`` and ``resolved`` — in time order, as consoles append them.

Rows are generated from a fixed random seed; times are relative to the moment of
seeding. :func:`cached_store` keeps one seeded file per size under
``/tmp/agentdesk-bench`` (never in the repository) and rebuilds it when it is older
than :data:`MAX_AGE_S` (the wait engine reads the last twelve hours of events, so an
old file would benchmark a colder start). Benchmarks work on a copy
(:func:`working_copy`), never on the cached file.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sqlite3
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

CACHE_DIR = Path("/tmp/agentdesk-bench")
SEED_VERSION = 5  # bump when the generated data changes
MAX_AGE_S = 4 * 3600.0
HISTORY = 50_000
BIG = 1_000

QUEUES = [  # name, title, service-level target (s), goal
    ("billing", "Billing", 60, 0.8),
    ("tech", "Technical support", 120, 0.8),
    ("orders", "Orders", 60, 0.8),
    ("general", "General", 300, 0.7),
]
CHANNELS = ["chat"] * 6 + ["email"] * 2 + ["phone", "social"]
TIERS = ["standard"] * 16 + ["gold"] * 3 + ["platinum"]
PRIORITY = {"standard": 0, "gold": 1, "platinum": 2}
FIRST = ["Priya", "Tom", "Lucía", "Kenji", "Amara", "Jonas", "Fatima", "Oliver", "Mei", "Sven", "Aisha",
         "Mateo", "Chloé", "Dmitri", "Nia", "Lars", "Sofia", "Rahul", "Hannah", "Kwame", "Yuki", "Elif",
         "Diego", "Ingrid", "Omar", "Zanele", "Pierre", "Anya", "Tariq", "Maren"]
LAST = ["Raman", "Becker", "Gómez", "Watanabe", "Nwosu", "Berg", "Zahra", "Quinn", "Lin", "Larsen",
        "Okafor", "Moreau", "Rossi", "Novak", "Haddad", "Kowalski", "Silva", "Andersson", "Tanaka",
        "Mensah", "O'Brien", "Fischer", "Costa", "Ivanova", "Dubois", "Park", "Nakamura", "Ali", "Schmidt"]
OPENERS = [
    "Hi, I was charged twice for my subscription this month and I need the second charge refunded.",
    "My order hasn't arrived yet and the tracking page has said 'in transit' for six days now.",
    "I can't log in to my account since the update — it keeps saying my password is wrong.",
    "Hello, I'd like to change the delivery address on the order I placed this morning.",
    "The router you sent keeps dropping the connection every evening around 8pm.",
    "Why is my bill £40 higher than last month? Nothing changed on my side.",
    "I've been waiting for a refund for three weeks. This is getting ridiculous.",
    "Can you tell me whether the premium plan includes international calls?",
    "The app crashes every time I open the payments screen on my phone.",
    "I received the wrong size and need to exchange it before Friday, please.",
    "Please cancel my account. I've asked twice already and nobody has replied.",
    "Is there a way to split one invoice across two cost centres?",
]
REPLIES = [
    "Thanks for waiting — I'm looking at your account now.",
    "I'm sorry about the trouble. Could you confirm the email address on the account?",
    "I can see the duplicate charge; I've started the refund and it should reach you in 3–5 working days.",
    "Thanks, that helps. One moment while I check with the warehouse.",
    "I understand how frustrating this is. Here's what I can do right away.",
    "Could you try signing out and back in, then tell me what you see?",
    "I've updated the address; you'll get a confirmation email shortly.",
]
FOLLOWUPS = [
    "Ok thanks.",
    "Yes it's the same email as on the order.",
    "Still nothing on my side, I just checked again.",
    "That worked, thank you!",
    "I already tried that twice. It does not help.",
    "Can you put that in writing please? I need it for my records, because last time the person I spoke "
    "to promised a call back and it never happened, and I had to explain everything again from the start.",
    "Any update? It's been a while.",
    "Great, and will I get an email when it ships?",
]


@dataclass
class SeedInfo:
    path: str
    waiting: int
    messages: int
    seeded_at: float
    big_conversation: int
    agent: str = "alice"
    seconds: float = 0.0


def _schema(path: Path) -> None:
    """An empty store at the current schema head (through the real migrations)."""
    from agentdesk.store.db import Store
    from agentdesk.store.migrate import upgrade

    store = Store.open(str(path), create=True, check_schema=False)
    try:
        upgrade(store)
    finally:
        store.close()


def seed(path: Path, *, waiting: int, messages: int = 1_000_000, history: int = HISTORY, big: int = BIG,
         rnd_seed: int = 7, now: float | None = None) -> SeedInfo:
    """Write a seeded store to ``path`` (replacing it). Returns what was seeded."""
    t_start = time.perf_counter()
    now = time.time() if now is None else now
    rnd = random.Random(rnd_seed)
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        p.unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    _schema(path)

    conn = sqlite3.connect(str(path), isolation_level=None)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -400000")
    conn.execute("BEGIN")
    # Secondary indexes are dropped during the bulk insert and rebuilt from their own
    # (migration-made) definitions afterwards: same indexes, built in one sorted pass.
    index_sql = [r[0] for r in conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        "AND tbl_name IN ('conversation', 'message', 'event', 'customer')")]
    for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            "AND tbl_name IN ('conversation', 'message', 'event', 'customer')").fetchall():
        conn.execute(f'DROP INDEX "{name}"')

    conn.executemany("INSERT INTO queue (id, name, title, sl_target_s, sl_goal) VALUES (?, ?, ?, ?, ?)",
                     [(i + 1, *q) for i, q in enumerate(QUEUES)])
    qids = [i + 1 for i in range(len(QUEUES))]
    agents = [(1, "alice", "Alice Moreau", "offline", now - 3600, 0, now - 86400 * 90)]
    for i in range(2, 41):
        status = "available" if i % 3 else ("away" if i % 2 else "offline")
        agents.append((i, f"agent{i:02d}", f"{rnd.choice(FIRST)} {rnd.choice(LAST)}", status,
                       now - rnd.uniform(60, 7200), 1, now - 86400 * 60))
    conn.executemany("INSERT INTO agent (id, name, display_name, status, status_since, simulated, created_at) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?)", agents)
    skills = [(1, q) for q in qids] + [(a, qids[(a + k) % len(qids)]) for a in range(2, 41) for k in range(2)]
    conn.executemany("INSERT INTO agent_queue (agent_id, queue_id) VALUES (?, ?)", skills)

    n_customers = waiting + history // 2
    tiers = [rnd.choice(TIERS) for _ in range(n_customers)]
    conn.executemany(
        "INSERT INTO customer (id, name, email, phone, tier, created_at) VALUES (?, ?, ?, NULL, ?, ?)",
        ((i + 1, f"{FIRST[i % 30]} {LAST[(i * 7 + i // 30) % 29]}", f"customer{i + 1}@example.com",
          tiers[i], now - 86400 * 200) for i in range(n_customers)))

    # conversations, numbered in order of arrival (as the store numbers them): ids and
    # times go together, so recent conversations sit close together on disk
    drafts = []  # (customer, queue, channel, status, priority, created, enqueued, assignee, claimed, resolved)
    for _k in range(history):
        cust = rnd.randint(1, n_customers)
        arrived = now - rnd.uniform(1800, 11 * 3600)
        claimed = arrived + rnd.expovariate(1 / 90.0)
        resolved = claimed + 60 + rnd.expovariate(1 / 420.0)
        drafts.append((cust, rnd.choice(qids), rnd.choice(CHANNELS), "resolved",
                       PRIORITY[tiers[cust - 1]], arrived, arrived, rnd.randint(1, 40), claimed, min(resolved, now)))
    for k in range(waiting):
        cust = k + 1
        arrived = now - rnd.uniform(5, 3 * 3600)
        drafts.append((cust, rnd.choice(qids), rnd.choice(CHANNELS), "waiting",
                       PRIORITY[tiers[cust - 1]], arrived, arrived, None, None, None))
    drafts.sort(key=lambda d: d[5])
    convs = [(i + 1, *d) for i, d in enumerate(drafts)]
    # (id, customer, queue, channel, status, priority, created, enqueued, assignee, claimed, resolved)
    del drafts
    # the big conversation: a long-running email thread, back in the queue, mid-queue
    waiting_sorted = sorted((c for c in convs if c[4] == "waiting"), key=lambda c: (-c[5], c[7], c[0]))
    big_conv = waiting_sorted[len(waiting_sorted) // 2][0]

    # messages, then events, each in time order (ids increase with time, as they would)
    extra = max(0, messages - (len(convs) - 1) - big)  # every conversation has one; the big one ``big``
    per_conv = [1] * len(convs)
    per_conv[big_conv - 1] = big
    others = len(convs)
    for _ in range(extra):
        k = rnd.randrange(others - 1)  # any conversation but the big one (exactly ``big``)
        per_conv[k if k < big_conv - 1 else k + 1] += 1
    surplus = sum(per_conv) - messages
    i = 0
    while surplus > 0 and i < len(per_conv):  # tiny stores: trim to the exact count
        if per_conv[i] > 1 and i != big_conv - 1:
            per_conv[i] -= 1
            surplus -= 1
        else:
            i += 1
    msgs = []  # (time, conversation, kind, agent, body)
    for c, n in zip(convs, per_conv):
        cid, _cu, _q, _ch, status, _p, created, enqueued, assignee, claimed, resolved = c
        end = resolved if status == "resolved" else now - 1
        start = created - (86400 * 20 if cid == big_conv else 0)
        step = max(0.001, (end - start) / max(1, n))
        t = start
        for j in range(n):
            if j == 0:
                msgs.append((t, cid, "customer", None, rnd.choice(OPENERS)))
            elif j % 2 and (assignee or cid == big_conv):
                msgs.append((t, cid, "agent", assignee or 1 + j % 40, rnd.choice(REPLIES)))
            else:
                msgs.append((t, cid, "customer", None, rnd.choice(FOLLOWUPS)))
            t += step * rnd.uniform(0.5, 1.0)
    msgs.sort(key=lambda m: m[0])
    last_customer: dict[int, str] = {}
    for m in msgs:
        if m[2] == "customer":
            last_customer[m[1]] = m[4]

    from agentdesk.safetext import preview

    def conv_rows():
        for c in convs:
            cid, cu, q, ch, status, p, created, enqueued, assignee, claimed, resolved = c
            yield (cid, cu, q, ch, f"Contact {cid}", status, p, created, enqueued, assignee,
                   1 if status != "waiting" else 0, claimed, claimed, resolved,
                   "solved" if status == "resolved" else None,
                   preview(last_customer.get(cid, ""), 200), None, resolved or enqueued)

    conn.executemany(
        "INSERT INTO conversation (id, customer_id, queue_id, channel, subject, status, priority, created_at, "
        "enqueued_at, assignee_id, claim_version, claimed_at, first_response_at, resolved_at, disposition, "
        "preview, tone, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", conv_rows())
    conn.executemany(
        "INSERT INTO message (id, conversation_id, client_id, kind, agent_id, body, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        ((i + 1, m[1], f"seed-{i + 1:09d}", m[2], m[3], m[4], m[0]) for i, m in enumerate(msgs)))

    events = []  # (time, kind, conversation, agent, data)
    for i, m in enumerate(msgs):
        events.append((m[0], "message", m[1], m[3], f'{{"message_id":{i + 1},"author":"{m[2]}"}}'))
    for c in convs:
        cid, _cu, q, ch, status, p, created, enqueued, assignee, claimed, resolved = c
        events.append((enqueued - 1e-6, "arrived", cid, None,
                       json.dumps({"queue_id": q, "channel": ch, "priority": p}, separators=(",", ":"))))
        if status == "resolved":
            events.append((claimed, "claimed", cid, assignee, json.dumps(
                {"queue_id": q, "waited_s": round(claimed - enqueued, 3), "version": 1}, separators=(",", ":"))))
            events.append((resolved, "resolved", cid, assignee, '{"disposition":"solved"}'))
    events.sort(key=lambda e: e[0])
    conn.executemany("INSERT INTO event (at, kind, conversation_id, agent_id, data) VALUES (?, ?, ?, ?, ?)",
                     events)
    for sql in index_sql:
        conn.execute(sql)
    conn.execute("COMMIT")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()
    return SeedInfo(str(path), waiting, len(msgs), now, big_conv, seconds=time.perf_counter() - t_start)


def _info_path(path: Path) -> Path:
    return path.with_suffix(".json")


def cached_store(waiting: int, messages: int = 1_000_000, *, rebuild: bool = False,
                 log=lambda s: print(s, file=sys.stderr)) -> SeedInfo:
    """The cached seeded store for this size (built if missing, stale or ``rebuild``)."""
    path = CACHE_DIR / f"seed-v{SEED_VERSION}-{waiting}w-{messages}m.db"
    info_path = _info_path(path)
    if not rebuild and path.exists() and info_path.exists():
        info = SeedInfo(**json.loads(info_path.read_text()))
        if time.time() - info.seeded_at < MAX_AGE_S:
            return info
    log(f"seeding {waiting:,} waiting conversations and {messages:,} messages into {path} …")
    info = seed(path, waiting=waiting, messages=messages)
    info_path.write_text(json.dumps(asdict(info)))
    log(f"  seeded in {info.seconds:.1f} s")
    return info


def working_copy(info: SeedInfo, directory: Path) -> SeedInfo:
    """A copy of a seeded store that a benchmark may write to."""
    src = Path(info.path)
    dst = Path(directory) / src.name
    shutil.copyfile(src, dst)
    return SeedInfo(**{**asdict(info), "path": str(dst)})


def main() -> None:
    parser = argparse.ArgumentParser(description="Seed a large agentdesk store for the benchmarks.")
    parser.add_argument("--waiting", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, help="write here instead of the cache")
    args = parser.parse_args()
    if args.out:
        info = seed(args.out, waiting=args.waiting, messages=args.messages)
    else:
        info = cached_store(args.waiting, args.messages, rebuild=True)
    print(json.dumps(asdict(info)))


if __name__ == "__main__":
    main()
