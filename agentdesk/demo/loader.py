"""Putting a demo plan into the store, and starting the demo console.

The plan (:func:`agentdesk.demo.generate.build_plan`) is replayed step by step into the
same rows and events the services write live — messages with their client ids, system
lines for holds and transfers, hand-off notes, one event per step — in one transaction,
so a half-built demo never exists. A reused demo database is moved forward in time to
"now" on start, so the queue looks alive again rather than a day old.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from agentdesk.domain import AgentStatus, AuthorKind, EventKind, Status
from agentdesk.safetext import preview
from agentdesk.demo.start import HUMAN_AGENT, remove_demo_files
from agentdesk.store import ops

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy.engine import Connection

    from agentdesk.app import StartOptions
    from agentdesk.desk import Desk
    from agentdesk.demo.generate import DemoPlan, PlanConversation

HUMAN_DISPLAY = "You (demo)"
SHIFT_AFTER_S = 300.0  # a demo store idle for longer than this is moved forward to now

_TIME_COLUMNS = {
    "agent": ("status_since", "created_at"),
    "customer": ("created_at",),
    "conversation": ("created_at", "enqueued_at", "claimed_at", "first_response_at", "resolved_at", "updated_at"),
    "message": ("created_at",),
    "event": ("at",),
}


def prepare_demo_store(path: Path, *, reset: bool = False, seed: int | None = None) -> str:
    """Create (or refresh) a demo store at ``path`` outside the console (benchmarks, tests)."""
    from agentdesk.desk import Desk
    from agentdesk.store.db import Store

    path = Path(path)
    if reset:
        remove_demo_files(path)
    store = Store.open(str(path), create=True, check_schema=False)
    try:
        return _prepare(Desk(store), seed)
    finally:
        store.close()


def prepare_for_console(desk: "Desk", seed: int | None) -> str:
    """Seed or refresh the demo store the console has opened; returns the agent to log in as."""
    return _prepare(desk, seed)


def _prepare(desk: "Desk", seed: int | None) -> str:
    from agentdesk.store.migrate import upgrade

    upgrade(desk.store)
    with desk.store.read() as conn:
        seeded = conn.execute(text("SELECT count(*) FROM queue")).scalar()
        last = conn.execute(text("SELECT max(at) FROM event")).scalar()
    if not seeded:
        from agentdesk.demo.generate import build_plan

        plan = build_plan(seed=seed if seed is not None else 20240, now=desk.clock())
        load_plan(desk, plan)
    elif last is not None and desk.clock() - last > SHIFT_AFTER_S:
        shift_times(desk, desk.clock() - last)
    return HUMAN_AGENT


def shift_times(desk: "Desk", delta: float) -> None:
    """Move every timestamp forward by ``delta`` seconds (one transaction): the time
    columns, and the one time kept inside event data, a wait quote's ``at`` (the moment
    it was given; the quote audit measures waits from it). The demo store is SQLite."""
    with desk.store.write() as conn:
        for table, columns in _TIME_COLUMNS.items():
            sets = ", ".join(f"{c} = {c} + :d" for c in columns)
            conn.execute(text(f"UPDATE {table} SET {sets}"), {"d": delta})
        conn.execute(text(
            "UPDATE event SET data = json_set(data, '$.at', json_extract(data, '$.at') + :d) "
            "WHERE kind = 'wait_quoted' AND json_type(data, '$.at') IN ('integer', 'real')"), {"d": delta})


def load_plan(desk: "Desk", plan: "DemoPlan") -> None:
    """Write a whole plan in one transaction."""
    tone_fn = desk.tone_fn
    with desk.store.write() as conn:
        queue_ids: dict[str, int] = {}
        queue_titles: dict[str, str] = {}
        for q in plan.queues:
            queue_ids[q.name] = conn.execute(text(
                "INSERT INTO queue (name, title, sl_target_s, sl_goal) VALUES (:n, :t, :s, :g) RETURNING id"),
                {"n": q.name, "t": q.title, "s": q.sl_target_s, "g": q.sl_goal}).scalar_one()
            queue_titles[q.name] = q.title
        agent_ids: dict[str, int] = {}
        agent_names: dict[str, str] = {}
        agents = list(plan.agents)
        for a in agents:
            agent_ids[a.name] = _insert_agent(conn, a.name, a.display_name, a.status, plan.now, a.simulated)
            agent_names[a.name] = a.display_name
            for qname in a.queues:
                conn.execute(text("INSERT INTO agent_queue (agent_id, queue_id) VALUES (:a, :q)"),
                             {"a": agent_ids[a.name], "q": queue_ids[qname]})
        human = _insert_agent(conn, HUMAN_AGENT, HUMAN_DISPLAY, AgentStatus.OFFLINE, plan.now, False)
        agent_ids[HUMAN_AGENT] = human
        customer_ids: dict[str, int] = {}
        for c in plan.customers:
            customer_ids[c.key] = conn.execute(text(
                "INSERT INTO customer (name, email, phone, tier, created_at) VALUES (:n, :e, :p, :t, :c) RETURNING id"),
                {"n": c.name, "e": c.email, "p": c.phone, "t": c.tier, "c": c.created_at}).scalar_one()
        for conv in plan.conversations():
            _load_conversation(conn, conv, customer_ids[conv.customer], queue_ids, queue_titles, agent_ids,
                               agent_names, tone_fn)


def _insert_agent(conn: "Connection", name: str, display: str, status: str, now: float, simulated: bool) -> int:
    return conn.execute(text(
        "INSERT INTO agent (name, display_name, status, status_since, simulated, created_at) "
        "VALUES (:n, :d, :s, :now, :sim, :c) RETURNING id"),
        {"n": name, "d": display, "s": str(status), "now": now, "sim": simulated, "c": now - 86400 * 365}).scalar_one()


def _load_conversation(conn: "Connection", conv: "PlanConversation", customer_id: int, queue_ids: dict[str, int],
                       queue_titles: dict[str, str], agent_ids: dict[str, int], agent_names: dict[str, str],
                       tone_fn: Any) -> None:
    first_queue = queue_ids[conv.first_queue]
    cid = conn.execute(text(
        "INSERT INTO conversation (customer_id, queue_id, channel, subject, status, priority, created_at, "
        "enqueued_at, claim_version, preview, updated_at) VALUES (:cu, :q, :ch, :s, 'waiting', :p, :c, :c, 0, '', :c) "
        "RETURNING id"),
        {"cu": customer_id, "q": first_queue, "ch": conv.channel, "s": conv.subject[:300], "p": conv.priority,
         "c": conv.created_at}).scalar_one()
    version = 0
    queue_id = first_queue
    enqueued_at = conv.created_at
    claimed_at = first_response = resolved_at = None
    last_customer = ""
    earlier: list[str] = []
    last_customer_id = None
    opening_note = ""  # a phone call's opening call note, the preview when the customer wrote nothing
    # a transfer or reopen raises the priority by one (priority_for); the arrival had the base
    bumped = any(s.kind in (EventKind.TRANSFERRED, EventKind.REOPENED) for s in conv.steps)
    arrival_priority = max(0, conv.priority - 1) if bumped else conv.priority
    for step in conv.steps:
        agent_id = agent_ids.get(step.agent) if step.agent else None
        kind = step.kind
        if kind in (EventKind.MESSAGE, EventKind.NOTE):
            author = step.author_kind or AuthorKind.CUSTOMER
            mid = ops.insert_message(conn, cid, step.client_id or f"demo:{cid}:{step.at}", author,
                                     step.body or "", step.at, agent_id)
            ops.append_event(conn, EventKind.NOTE if author == AuthorKind.NOTE else EventKind.MESSAGE, step.at, cid,
                             agent_id, {"message_id": mid, "author": str(author)})
            if author == AuthorKind.CUSTOMER:
                if last_customer:
                    earlier.append(last_customer)
                last_customer = step.body or ""
                last_customer_id = mid
            elif author == AuthorKind.AGENT and first_response is None:
                first_response = step.at
            elif author == AuthorKind.SYSTEM and not last_customer:
                opening_note = step.body or ""
        elif kind == EventKind.ARRIVED:
            ops.append_event(conn, kind, step.at, cid, None,
                             {"queue_id": queue_id, "channel": conv.channel, "priority": arrival_priority})
        elif kind == EventKind.CLAIMED:
            version += 1
            claimed_at = step.at
            ops.append_event(conn, kind, step.at, cid, agent_id,
                             {"queue_id": queue_id, "waited_s": round(step.at - enqueued_at, 3), "version": version})
        elif kind == EventKind.HELD:
            ops.insert_message(conn, cid, f"demo:{cid}:held:{step.at}", AuthorKind.SYSTEM,
                               f"On hold: {step.note or ''}", step.at)
            ops.append_event(conn, kind, step.at, cid, agent_id, {"reason": step.note or ""})
        elif kind == EventKind.RESUMED:
            ops.insert_message(conn, cid, f"demo:{cid}:resumed:{step.at}", AuthorKind.SYSTEM, "Resumed", step.at)
            ops.append_event(conn, kind, step.at, cid, agent_id, {})
        elif kind == EventKind.TRANSFERRED:
            to_queue = queue_ids[step.queue] if step.queue else queue_id
            who = agent_names.get(step.agent or "", "an agent")
            ops.insert_message(conn, cid, f"demo:{cid}:tr:{step.at}", AuthorKind.SYSTEM,
                               f"Transferred from {_title(queue_titles, queue_ids, queue_id)} to "
                               f"{_title(queue_titles, queue_ids, to_queue)} by {who}", step.at)
            mid = ops.insert_message(conn, cid, f"demo:{cid}:handoff:{step.at}", AuthorKind.NOTE,
                                     f"Hand-off: {step.note or ''}", step.at, agent_id)
            ops.append_event(conn, kind, step.at, cid, agent_id,
                             {"from_queue_id": queue_id, "to_queue_id": to_queue, "note": step.note or "",
                              "message_id": mid})
            version += 1
            queue_id = to_queue
            enqueued_at = step.at
        elif kind == EventKind.RESOLVED:
            resolved_at = step.at
            ops.append_event(conn, kind, step.at, cid, agent_id, {"disposition": step.disposition})
        elif kind == EventKind.REOPENED:
            version += 1
            resolved_at = None
            enqueued_at = step.at
            ops.append_event(conn, kind, step.at, cid, agent_id,
                             {"by": "agent" if agent_id else "customer", "reason": ""})
        elif kind == EventKind.ABANDONED:
            version += 1
            ops.append_event(conn, kind, step.at, cid, None, {"waited_s": round(step.at - enqueued_at, 3)})
        else:  # wrap_up and anything else that changes no row here
            ops.append_event(conn, kind, step.at, cid, agent_id, {})
    tone = None
    if tone_fn is not None and last_customer and conv.status in (Status.WAITING, Status.ACTIVE, Status.ON_HOLD):
        waited = max(0.0, conv.steps[-1].at - enqueued_at) if conv.status == Status.WAITING else 0.0
        tone, data = tone_fn(last_customer, earlier[-5:], waited)
        if tone is not None:
            ops.append_event(conn, EventKind.TONE, conv.steps[-1].at, cid, None, {"message_id": last_customer_id, **data})
    assignee = agent_ids.get(conv.assignee) if conv.assignee else None
    conn.execute(text(
        "UPDATE conversation SET status = :st, queue_id = :q, enqueued_at = :enq, assignee_id = :a, "
        "claim_version = :v, claimed_at = :ca, first_response_at = :fr, resolved_at = :ra, hold_reason = :hr, "
        "handoff_note = :hn, disposition = :d, preview = :pv, tone = :tone, updated_at = :up WHERE id = :id"),
        {"st": conv.status, "q": queue_ids[conv.queue], "enq": conv.enqueued_at, "a": assignee, "v": version,
         "ca": claimed_at, "fr": first_response, "ra": resolved_at, "hr": conv.hold_reason,
         "hn": conv.handoff_note, "d": conv.disposition, "pv": preview(last_customer or opening_note, 200), "tone": tone,
         "up": conv.last_at, "id": cid})


def _title(titles: dict[str, str], ids: dict[str, int], queue_id: int) -> str:
    for name, qid in ids.items():
        if qid == queue_id:
            return titles[name]
    return "another queue"


__all__ = ["HUMAN_AGENT", "load_plan", "prepare_demo_store", "prepare_for_console", "shift_times"]
