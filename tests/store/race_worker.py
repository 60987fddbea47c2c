"""Child-process side of the claim race (``test_claim_race.py``).

Kept free of pytest so a spawned child imports only what a real console would: each
child opens its own :class:`~agentdesk.store.db.Store` from the URL (on PostgreSQL the
schema comes from ``AGENTDESK_PG_SCHEMA``, inherited from the parent's environment).
"""

from __future__ import annotations

import json
import time
import traceback
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text

from agentdesk.desk import Desk
from agentdesk.store import ops
from agentdesk.store.db import Store

BARRIER_TIMEOUT_S = 120.0
CHILD_BUSY_TIMEOUT_S = 120.0
"""SQLite busy timeout in the workers. SQLite's busy handler is not fair: with 16
processes claiming in a tight loop on a loaded 2-core machine one of them can wait
seconds for the write lock. What the race must show is that BEGIN IMMEDIATE never
fails *at once* on a lock upgrade (the failure a deferred transaction has); how long a
starved writer waits depends on the CPU, so the workers wait as long as the race may
take rather than the console's 10 s."""


def seed(db: str, *, waiting: int, agents: int, queues: Sequence[str] = ("billing", "tech", "orders"),
         now: float = 1795615200.0) -> list[int]:
    """Queues, ``agents`` available agents (staffed on every queue) and ``waiting``
    waiting conversations with distinct waits and a spread of priorities, written in
    bulk (the set-up is not what is under test). Returns the agent ids."""
    store = Store.open(db)
    try:
        desk = Desk(store, clock=lambda: now, tone_fn=None)
        for name in queues:
            desk.create_queue(name, name.title())
        agent_ids = []
        for i in range(agents):
            a = desk.create_agent(f"agent{i:02d}", f"Agent {i:02d}", queues)
            desk.set_agent_status(a.id, "available")
            agent_ids.append(a.id)
        with store.write() as conn:
            conn.execute(text("INSERT INTO customer (name, email, phone, tier, created_at) "
                              "VALUES ('Race Customer', NULL, NULL, 'standard', :t)"), {"t": now})
            cust = conn.execute(text("SELECT max(id) FROM customer")).scalar_one()
            qids = [r[0] for r in conn.execute(text("SELECT id FROM queue ORDER BY id"))]
            rows = [
                {"cu": cust, "q": qids[i % len(qids)], "p": (i * 7) % 3, "t": now - waiting + i,
                 "pv": f"waiting customer {i}"}
                for i in range(waiting)
            ]
            conn.execute(text(
                "INSERT INTO conversation (customer_id, queue_id, channel, subject, status, priority, created_at, "
                "enqueued_at, claim_version, preview, updated_at) "
                "VALUES (:cu, :q, 'chat', '', 'waiting', :p, :t, :t, 0, :pv, :t)"), rows)
            ids = [r[0] for r in conn.execute(text("SELECT id FROM conversation ORDER BY id"))]
            conn.execute(text("INSERT INTO event (at, kind, conversation_id, agent_id, data) "
                              "VALUES (:at, 'arrived', :cid, NULL, '{}')"),
                         [{"at": now, "cid": cid} for cid in ids])
        return agent_ids
    finally:
        store.close()


def claim_worker(db: str, agent_id: int, mode: str, start, out, rounds: int = 0, lockstep=None) -> None:
    """Claim until nothing waits (or for ``rounds`` lock-stepped rounds) and report
    ``(agent_id, claimed ids, error text or None)`` on ``out``.

    Modes:

    * ``desk`` — :meth:`Desk.claim_next`, the product's claim;
    * ``naive`` — the idiomatic ORM pattern: read the first waiting row, then in a
      separate ordinary (deferred, not IMMEDIATE) transaction set it active and commit.
      With ``lockstep`` every worker reads before any writes, which is the interleaving
      that makes it double-claim; with ``desk`` the same lockstep proves it does not.
    """
    claimed: list[int] = []
    try:
        import agentdesk.store.db as dbmod

        dbmod.BUSY_TIMEOUT_S = CHILD_BUSY_TIMEOUT_S
        store = Store.open(db, pool_size=1)
        try:
            desk = Desk(store, tone_fn=None)
            start.wait(BARRIER_TIMEOUT_S)
            if mode == "desk" and lockstep is None:
                while (c := desk.claim_next(agent_id)) is not None:
                    claimed.append(c.conversation_id)
            elif mode == "desk":
                for _ in range(rounds):
                    lockstep.wait(BARRIER_TIMEOUT_S)
                    c = desk.claim_next(agent_id)
                    if c is not None:
                        claimed.append(c.conversation_id)
            elif mode == "naive":
                for _ in range(rounds):
                    cid = _naive_claim(store, agent_id, lockstep)
                    if cid is not None:
                        claimed.append(cid)
            else:
                raise ValueError(mode)
        finally:
            store.close()
        out.put((agent_id, claimed, None))
    except BaseException:  # report everything: the parent asserts there were none
        out.put((agent_id, claimed, traceback.format_exc()))


def _naive_claim(store: Store, agent_id: int, lockstep) -> int | None:
    with store.engine.connect() as conn:  # plain BEGIN: no BEGIN IMMEDIATE, no re-check
        with conn.begin():
            row = conn.execute(text(
                "SELECT id FROM conversation WHERE status = 'waiting' "
                "ORDER BY priority DESC, enqueued_at, id LIMIT 1")).first()
        if lockstep is not None:
            lockstep.wait(BARRIER_TIMEOUT_S)
        if row is None:
            return None
        now = time.time()
        with conn.begin():
            conn.execute(text(
                "UPDATE conversation SET status = 'active', assignee_id = :a, claim_version = claim_version + 1, "
                "claimed_at = :now, updated_at = :now WHERE id = :id"), {"a": agent_id, "now": now, "id": row[0]})
            ops.append_event(conn, "claimed", now, row[0], agent_id, {"naive": True})
        return int(row[0])


# --------------------------------------------------------------------------- checks


@dataclass
class RaceReport:
    """What went wrong in a claim race (empty lists: nothing)."""

    claimed_by_several_workers: dict[int, list[int]] = field(default_factory=dict)
    claimed_events_not_one: dict[int, int] = field(default_factory=dict)
    event_agent_mismatch: list[int] = field(default_factory=list)
    left_waiting: list[int] = field(default_factory=list)
    never_claimed: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def double_claims(self) -> int:
        """Claims beyond the first, counted per conversation over both sources."""
        by_workers = sum(len(v) - 1 for v in self.claimed_by_several_workers.values())
        by_events = sum(n - 1 for n in self.claimed_events_not_one.values() if n > 1)
        return max(by_workers, by_events)

    @property
    def ok(self) -> bool:
        return not (self.claimed_by_several_workers or self.claimed_events_not_one or self.event_agent_mismatch
                    or self.left_waiting or self.never_claimed or self.errors)


def check_race(all_ids: Iterable[int], results: Mapping[int, Sequence[int]],
               claimed_events: Sequence[tuple[int, int]], final_rows: Mapping[int, tuple[str, int | None]],
               errors: Sequence[str] = ()) -> RaceReport:
    """Compare what each worker believes it claimed with the event log and the rows.

    ``results``: agent id -> conversation ids it was told it won; ``claimed_events``:
    (conversation id, agent id) of every ``claimed`` event; ``final_rows``:
    conversation id -> (status, assignee id).
    """
    report = RaceReport(errors=[e for e in errors if e])
    owners: dict[int, list[int]] = {}
    for agent, ids in results.items():
        for cid in ids:
            owners.setdefault(cid, []).append(agent)
    report.claimed_by_several_workers = {cid: a for cid, a in owners.items() if len(a) > 1}
    per_conv = Counter(cid for cid, _ in claimed_events)
    all_ids = list(all_ids)
    report.claimed_events_not_one = {cid: per_conv.get(cid, 0) for cid in all_ids if per_conv.get(cid, 0) != 1}
    event_owner = {cid: agent for cid, agent in claimed_events}
    for cid in all_ids:
        status, assignee = final_rows[cid]
        if status == "waiting":
            report.left_waiting.append(cid)
        if cid not in owners:
            report.never_claimed.append(cid)
        elif per_conv.get(cid) == 1 and (event_owner[cid] != assignee or owners[cid] != [assignee]):
            report.event_agent_mismatch.append(cid)
    return report


def read_outcome(db: str) -> tuple[list[int], list[tuple[int, int]], dict[int, tuple[str, int | None]], list[dict]]:
    """All conversation ids, the claimed events, the final rows, and the claimed
    events' data, straight from the database."""
    store = Store.open(db)
    try:
        with store.read() as conn:
            ids = [r[0] for r in conn.execute(text("SELECT id FROM conversation ORDER BY id"))]
            ev = conn.execute(text(
                "SELECT conversation_id, agent_id, data FROM event WHERE kind = 'claimed' ORDER BY id")).all()
            rows = {r[0]: (r[1], r[2]) for r in conn.execute(text(
                "SELECT id, status, assignee_id FROM conversation"))}
    finally:
        store.close()
    data = [json.loads(d) if isinstance(d, str) else d for _, _, d in ev]
    return ids, [(c, a) for c, a, _ in ev], rows, data


def run_race(db: str, agent_ids: Sequence[int], mode: str = "desk", *, rounds: int = 0,
             lockstep: bool = False, timeout_s: float = 240.0) -> dict[str, Any]:
    """Start one spawned process per agent, release them together, collect results."""
    import multiprocessing as mp
    import queue as queue_mod

    ctx = mp.get_context("spawn")
    start = ctx.Barrier(len(agent_ids))
    step = ctx.Barrier(len(agent_ids)) if lockstep else None
    out = ctx.Queue()
    procs = [ctx.Process(target=claim_worker, args=(db, aid, mode, start, out, rounds, step), daemon=True)
             for aid in agent_ids]
    for p in procs:
        p.start()
    results: dict[int, list[int]] = {}
    errors: list[str] = []
    deadline = time.monotonic() + timeout_s
    try:
        while len(results) < len(procs):
            try:
                agent, claimed, err = out.get(timeout=0.5)
            except queue_mod.Empty:
                # A worker that died before reporting (e.g. it could not even start)
                # must not make the parent wait out the whole timeout.
                if all(not p.is_alive() for p in procs) or time.monotonic() > deadline:
                    try:  # a last report may still be in the pipe
                        agent, claimed, err = out.get(timeout=1.0)
                    except queue_mod.Empty:
                        codes = sorted({p.exitcode for p in procs})
                        errors.append(f"{len(results)} of {len(procs)} workers reported; exit codes {codes}")
                        break
                else:
                    continue
            results[agent] = claimed
            if err:
                errors.append(err)
    finally:
        for p in procs:
            p.join(timeout=10)
            if p.is_alive():
                p.terminate()
                p.join()
    for p in procs:
        if p.exitcode not in (0, None) and not errors:
            errors.append(f"worker exited with code {p.exitcode}")
    return {"results": results, "errors": errors}
