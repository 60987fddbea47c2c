"""The queries the console and the services run use the intended indexes.

Each check calls a real service method, captures every SQL statement it sent (with its
parameters) and asks the database for the plan of each one, so the test follows the
code rather than a copy of its SQL.

* SQLite, a few thousand rows, no ANALYZE (what a user's database looks like): no
  statement scans ``conversation``, ``message``, ``event`` or ``customer`` without an
  index, the named index is used, and the queue and the claim read the waiting rows
  in index order (no temporary B-tree to sort them).
* PostgreSQL, 20,000 conversations after ANALYZE: no sequential scan of
  ``conversation``, ``message`` or ``event``; the claim walks
  ``ix_conversation_queue_order`` in order under ``LockRows`` (no sort of the waiting
  rows). The planner may hash-join the customer table for the full queue query (it
  reads every waiting row anyway); that join is not an index miss on the queue.
"""

from __future__ import annotations

import random
import re
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from sqlalchemy import create_engine, event, text

from agentdesk.desk import Desk
from agentdesk.store.db import Store
from tests.claim_plans import sqlite_claim_plans, update_plans
from agentdesk.store.migrate import upgrade
from tests.conftest import PG_SKIP_REASON, PG_URL

NOW = 1795615200.0


@dataclass
class Planned:
    desk: Desk
    backend: str
    skilled_agent: int
    free_agent: int
    busy_conversation: int

    def plans(self, call: Callable[[], object]) -> list[tuple[str, list[str]]]:
        """Run ``call`` and return (statement, plan lines) for each statement it sent."""
        store = self.desk.store
        out = []
        with _captured(store) as seen:
            if store.is_sqlite:  # and the claim, if it was sent on the driver connection
                out += sqlite_claim_plans(store, call)
            else:  # and the statements inside the claim function, if it was called
                out += [("agentdesk_claim_next: UPDATE conversation SET status = 'active'", plan)
                        for plan in update_plans(store, call)]
        for statement, params in seen:
            if not statement.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE", "WITH")):
                continue
            with store.engine.connect() as conn:
                if store.is_sqlite:
                    plan = [r[3] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params)]
                else:
                    plan = [r[0] for r in conn.exec_driver_sql("EXPLAIN " + statement, params)]
                conn.rollback()
            out.append((statement, plan))
        return out


@contextmanager
def _captured(store: Store) -> Iterator[list[tuple[str, object]]]:
    seen: list[tuple[str, object]] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    event.listen(store.engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(store.engine, "before_cursor_execute", before)


def _populate(store: Store, *, conversations: int, per_conversation: int) -> Planned:
    """Queues, two agents, customers with history, a few percent waiting."""
    desk = Desk(store, clock=lambda: NOW, tone_fn=None)
    for name in ("billing", "tech", "orders"):
        desk.create_queue(name, name.title())
    skilled = desk.create_agent("alice", "Alice", ["billing", "tech"])
    free = desk.create_agent("bob", "Bob")
    for a in (skilled, free):
        desk.set_agent_status(a.id, "available")
    rnd = random.Random(7)
    customers = max(10, conversations // 3)
    with store.write() as conn:
        conn.execute(text("INSERT INTO customer (name, email, phone, tier, created_at) "
                          "VALUES (:n, NULL, NULL, 'standard', 0)"),
                     [{"n": f"Customer {i}"} for i in range(customers)])
        rows = []
        for i in range(conversations):
            status = "waiting" if i % 50 == 0 else rnd.choice(["resolved"] * 8 + ["active", "abandoned"])
            rows.append({"cu": rnd.randint(1, customers), "q": rnd.randint(1, 3), "st": status,
                         "p": rnd.randint(0, 2), "t": NOW - conversations + i,
                         "a": skilled.id if status == "active" else None})
        conn.execute(text(
            "INSERT INTO conversation (customer_id, queue_id, channel, subject, status, priority, created_at, "
            "enqueued_at, assignee_id, claim_version, preview, updated_at) "
            "VALUES (:cu, :q, 'chat', '', :st, :p, :t, :t, :a, 1, '', :t)"), rows)
        n = conversations * per_conversation
        conn.execute(text("INSERT INTO message (conversation_id, client_id, kind, agent_id, body, created_at) "
                          "VALUES (:c, :cid, 'customer', NULL, 'hello', :t)"),
                     [{"c": rnd.randint(1, conversations), "cid": uuid.uuid4().hex, "t": i} for i in range(n)])
        conn.execute(text("INSERT INTO event (at, kind, conversation_id, agent_id, data) "
                          "VALUES (:t, 'message', :c, NULL, '{}')"),
                     [{"t": i, "c": rnd.randint(1, conversations)} for i in range(n)])
        busy = conn.execute(text("SELECT id FROM conversation WHERE status = 'active' ORDER BY id LIMIT 1")).scalar()
    return Planned(desk, store.backend, skilled.id, free.id, busy)


@pytest.fixture(scope="module")
def sqlite_planned(sqlite_template, tmp_path_factory):
    path = tmp_path_factory.mktemp("plans") / "plans.db"
    shutil.copyfile(sqlite_template, path)
    store = Store.open(str(path))
    planned = _populate(store, conversations=3000, per_conversation=3)
    yield planned
    store.close()


@pytest.fixture(scope="module")
def pg_planned(pg_schema):
    """Its own schema (other tests truncate the shared one), analysed."""
    if not PG_URL:
        pytest.skip(PG_SKIP_REASON)
    import os

    schema = f"agentdesk_plans_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    old = os.environ.get("AGENTDESK_PG_SCHEMA")
    os.environ["AGENTDESK_PG_SCHEMA"] = schema
    store = None
    try:
        store = Store.open(PG_URL, check_schema=False)
        upgrade(store)
        planned = _populate(store, conversations=20000, per_conversation=1)
        with store.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
        yield planned
    finally:
        if store is not None:
            store.close()
        os.environ["AGENTDESK_PG_SCHEMA"] = old if old is not None else ""
        if old is None:
            os.environ.pop("AGENTDESK_PG_SCHEMA")
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def planned(request) -> Planned:
    return request.getfixturevalue("sqlite_planned" if request.param == "sqlite" else "pg_planned")


# name -> (call, indexes of which at least one must appear in the plans)
QUERY_INDEX = "ix_conversation_queue_order"
CHECKS: dict[str, tuple[Callable[[Planned], object], tuple[str, ...]]] = {
    "queue": (lambda p: p.desk.waiting(), (QUERY_INDEX,)),
    "queue, one queue": (lambda p: p.desk.waiting([1]), (QUERY_INDEX, "ix_conversation_queue_status")),
    "claim, agent's queues": (lambda p: p.desk.claim_next(p.skilled_agent), (QUERY_INDEX,)),
    "claim, any queue": (lambda p: p.desk.claim_next(p.free_agent), (QUERY_INDEX,)),
    "per-queue counts": (lambda p: p.desk.queue_counts(),
                         (QUERY_INDEX, "ix_conversation_queue_status", "ix_conversation_waiting")),
    "agent's conversations": (lambda p: p.desk.my_conversations(p.skilled_agent), ("ix_conversation_assignee",)),
    "conversation view": (lambda p: p.desk.conversation(p.busy_conversation, message_limit=200),
                          ("ix_message_conversation",)),
    "customer history": (lambda p: p.desk.conversation(p.busy_conversation), ("ix_conversation_customer",)),
    "transcript page": (lambda p: p.desk.messages(p.busy_conversation, before_id=10**9, limit=50),
                        ("ix_message_conversation",)),
    "recording": (lambda p: p.desk.events(p.busy_conversation), ("ix_event_conversation",)),
    "change feed": (lambda p: p.desk.changes_since(p.desk.last_event_id() - 5), ("PRIMARY KEY", "event_pkey")),
    "change feed gaps": (lambda p: p.desk.changes_in([3, 5, 8]), ("PRIMARY KEY", "event_pkey")),
    "queue deltas": (lambda p: p.desk.waiting_rows([1, 50, 100, 4000]), ("PRIMARY KEY", "conversation_pkey")),
    "last event": (lambda p: p.desk.last_event_id(), ("SEARCH event", "event_pkey")),
    "idempotent reply": (lambda p: p.desk.reply(p.desk.current_claim(p.skilled_agent, p.busy_conversation),
                                                "retry-safe", client_id="plan-check-1"),
                         ("sqlite_autoindex_message", "message_client_id_key")),
}

BIG_TABLES = ("conversation", "message", "event", "customer")
SQLITE_ALIASES = {"c": "conversation", "m": "message", "cu": "customer", "conversation": "conversation",
                  "message": "message", "event": "event", "customer": "customer"}


def _full_scans(backend: str, plan: list[str]) -> list[str]:
    bad = []
    for line in plan:
        if backend == "sqlite":
            m = re.match(r"\s*SCAN (\w+)(.*)", line)
            if m and SQLITE_ALIASES.get(m.group(1)) in BIG_TABLES and "INDEX" not in m.group(2):
                bad.append(line)
        else:
            m = re.search(r"Seq Scan on (\w+)", line)
            # customer may be hash-joined for the whole queue (see the module docstring)
            if m and m.group(1) in ("conversation", "message", "event"):
                bad.append(line)
    return bad


@pytest.mark.parametrize("name", list(CHECKS))
def test_query_uses_its_index(planned, name):
    call, wanted = CHECKS[name]
    plans = planned.plans(lambda: call(planned))
    assert plans, "the call sent no statement to check"
    text_of_all = "\n".join(f"{stmt}\n  " + "\n  ".join(plan) for stmt, plan in plans)
    for stmt, plan in plans:
        assert _full_scans(planned.backend, plan) == [], text_of_all
    assert any(w in line for _, plan in plans for line in plan for w in wanted), text_of_all


def _plan_of(planned: Planned, call, marker: str) -> list[str]:
    for stmt, plan in planned.plans(call):
        if marker in stmt:
            return plan
    raise AssertionError(f"no statement containing {marker!r}")


def test_queue_is_read_in_index_order(planned):
    """The queue screen's query gets its rows in queue order from the index on SQLite
    (PostgreSQL may bitmap-scan and sort the waiting rows: a few hundred, not the
    table)."""
    for call in (lambda: planned.desk.waiting(), lambda: planned.desk.waiting([1])):
        plan = _plan_of(planned, call, "ORDER BY c.priority DESC")
        joined = "\n".join(plan)
        assert QUERY_INDEX in joined or "ix_conversation_queue_status" in joined, joined
        if planned.backend == "sqlite":
            assert "TEMP B-TREE" not in joined, joined


def test_claim_walks_the_queue_index_in_order(planned):
    """The claim's subquery stops at the first waiting row: an ordered index walk (and,
    on PostgreSQL, row locking on that walk), never a sort of every waiting row."""
    for agent in (planned.skilled_agent, planned.free_agent):
        plan = _plan_of(planned, lambda: planned.desk.claim_next(agent), "UPDATE conversation SET status = 'active'")
        joined = "\n".join(plan)
        if planned.backend == "sqlite":
            assert re.search(rf"SEARCH conversation USING (COVERING )?INDEX {QUERY_INDEX} \(status=\?\)", joined), joined
            assert "TEMP B-TREE" not in joined, joined
            assert "USING INTEGER PRIMARY KEY (rowid=?)" in joined, joined
        else:
            assert f"Index Scan using {QUERY_INDEX}" in joined, joined
            assert "LockRows" in joined and "Sort" not in joined, joined
            assert "conversation_pkey" in joined, joined
