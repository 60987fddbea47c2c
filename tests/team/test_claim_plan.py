"""The claim's plan does not depend on the table's statistics or on other indexes.

With 20,000 waiting conversations, under three kinds of statistics — none (a bulk load
not analysed yet), taken while the queue was empty (then a storm of arrivals), and
fresh — the claim :meth:`Desk.claim_next` runs (inside the ``agentdesk_claim_next``
function, seen through auto_explain) walks ``ix_conversation_queue_order`` in order under ``LockRows`` with no sort of the waiting
rows, and find the claimed row by primary key; the live feed's re-query of changed
rows (:meth:`Desk.waiting_rows`) goes by primary key too. (With statistics from an
empty queue the planner otherwise scans every waiting row for both; without statistics
it sorts all of them for every claim.) On SQLite, with and without ``ANALYZE``, the
claim walks the same index without a temporary B-tree, even though an index starting
``(status, queue_id)`` could answer its WHERE clause.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event

from agentdesk.desk import Desk
from agentdesk.store.db import Store
from tests.claim_plans import sqlite_claim_plans, update_plans


WAITING = 20_000
NOW = 1795615200.0


def _seed(store: Store) -> None:
    with store.write() as conn:
        db = conn.connection.driver_connection
        with db.cursor() as cur:
            cur.executemany("INSERT INTO queue (name, title, sl_target_s, sl_goal) VALUES (%s, %s, 60, 0.8)",
                            [("billing", "Billing"), ("tech", "Tech"), ("orders", "Orders"), ("vip", "VIP")])
            cur.execute("INSERT INTO agent (name, display_name, status, status_since, simulated, created_at) "
                        "VALUES ('alice', 'Alice', 'available', 0, false, 0), "
                        "('bob', 'Bob', 'available', 0, false, 0)")
            # alice works three of the four queues (a queue filter); bob works all (none)
            cur.execute("INSERT INTO agent_queue (agent_id, queue_id) SELECT a.id, q.id FROM agent a, queue q "
                        "WHERE a.name = 'alice' AND q.name <> 'vip'")
            cur.execute("INSERT INTO customer (name, tier, created_at) VALUES ('C', 'standard', 0)")
            with cur.copy("COPY conversation (customer_id, queue_id, channel, subject, status, priority, "
                          "created_at, enqueued_at, claim_version, preview, updated_at) FROM STDIN") as copy:
                for i in range(WAITING):
                    t = NOW - WAITING + i
                    copy.write_row((1, 1 + i % 4, "chat", "", "waiting", 1 if i % 10 == 3 else 0, t, t, 0, "", t))


def _claim_plans(desk: Desk, agent: str) -> list[str]:
    """Claim for ``agent``; return the plan of the UPDATE inside the claim function."""
    claimed = []
    plans = update_plans(desk.store, lambda: claimed.append(desk.claim_next(desk.agent(agent).id)))
    assert claimed[0] is not None and len(plans) == 1  # one claim, one round trip
    return plans[0]


def _rows_plan(desk: Desk, ids: list[int]) -> list[str]:
    store = desk.store
    seen: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    event.listen(store.engine, "before_cursor_execute", capture)
    try:
        desk.waiting_rows(ids)
    finally:
        event.remove(store.engine, "before_cursor_execute", capture)
    statement, params = next((s, p) for s, p in seen if "FROM conversation c" in s)
    with store.engine.connect() as conn:
        return [r[0] for r in conn.exec_driver_sql("EXPLAIN (COSTS OFF) " + statement, params)]


def _check_claim(plan: list[str]) -> None:
    text = "\n".join(plan)
    assert "Sort" not in text, text
    assert re.search(r"LockRows[\s\S]*Index Scan using ix_conversation_queue_order", text), text
    # the row to update is found by primary key, not by walking the waiting rows
    scans = [line for line in plan if "Scan" in line and re.search(r" on conversation( |$)", line)]
    ordered = [line for line in scans if "ix_conversation_queue_order" in line]
    others = [line for line in scans if line not in ordered]
    assert len(ordered) == 1 and others and all("conversation_pkey" in line for line in others), text


def _autocommit(store: Store, sql: str) -> None:
    with store.engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(sql)


@pytest.mark.postgres
def test_the_claim_plan_holds_under_any_statistics(pg_url):
    store = Store.open(pg_url)
    try:
        _seed(store)
        desk = Desk(store, tone_fn=None)
        states = []
        # 1. a bulk load nobody has analysed yet
        states.append("no statistics")
        for agent in ("alice", "bob"):
            _check_claim(_claim_plans(desk, agent))
        assert "conversation_pkey" in "\n".join(_rows_plan(desk, [5, 500, 15000]))
        # 2. statistics taken while the queue was empty, then a storm of arrivals
        with store.write() as conn:
            conn.exec_driver_sql("UPDATE conversation SET status = 'resolved'")
        _autocommit(store, "VACUUM ANALYZE conversation")
        with store.write() as conn:
            conn.exec_driver_sql("UPDATE conversation SET status = 'waiting' WHERE id %% 3 <> 0")
        states.append("statistics from an empty queue")
        for agent in ("alice", "bob"):
            _check_claim(_claim_plans(desk, agent))
        rows_plan = "\n".join(_rows_plan(desk, [5, 500, 15000]))
        assert "conversation_pkey" in rows_plan and "ix_conversation_queue_order" not in rows_plan, rows_plan
        # 3. fresh statistics
        _autocommit(store, "ANALYZE conversation")
        states.append("fresh statistics")
        for agent in ("alice", "bob"):
            _check_claim(_claim_plans(desk, agent))
        assert len(states) == 3
    finally:
        store.close()


@pytest.mark.postgres
def test_the_sort_setting_stays_inside_the_claims_transaction(pg_url):
    """The function's ``SET enable_sort = off`` ends with the call: the next transaction
    on the same pooled connection sorts normally."""
    store = Store.open(pg_url, pool_size=1)
    try:
        _seed(store)
        desk = Desk(store, tone_fn=None)
        desk.claim_next(desk.agent("bob").id)
        with store.read() as conn:
            assert conn.exec_driver_sql("SHOW enable_sort").scalar() == "on"
    finally:
        store.close()


def test_the_sqlite_claim_walks_the_queue_order_index(sqlite_url):
    import sqlite3

    db = sqlite3.connect(sqlite_url)
    try:
        with db:
            db.executemany("INSERT INTO queue (name, title, sl_target_s, sl_goal) VALUES (?, ?, 60, 0.8)",
                           [("billing", "Billing"), ("tech", "Tech"), ("orders", "Orders"), ("vip", "VIP")])
            db.execute("INSERT INTO agent (name, display_name, status, status_since, simulated, created_at) "
                       "VALUES ('alice', 'Alice', 'available', 0, 0, 0), ('bob', 'Bob', 'available', 0, 0, 0)")
            db.execute("INSERT INTO agent_queue (agent_id, queue_id) SELECT a.id, q.id FROM agent a, queue q "
                       "WHERE a.name = 'alice' AND q.name <> 'vip'")
            db.execute("INSERT INTO customer (name, tier, created_at) VALUES ('C', 'standard', 0)")
            db.executemany(
                "INSERT INTO conversation (customer_id, queue_id, channel, subject, status, priority, created_at, "
                "enqueued_at, claim_version, preview, updated_at) VALUES (1, ?, 'chat', '', ?, ?, ?, ?, 0, '', ?)",
                [(1 + i % 4, "waiting" if i % 5 else "resolved", 1 if i % 10 == 3 else 0, NOW - i, NOW - i, NOW - i)
                 for i in range(WAITING)])
    finally:
        db.close()
    store = Store.open(sqlite_url)
    try:
        desk = Desk(store, tone_fn=None)
        for analysed in (False, True):
            if analysed:
                with store.engine.connect() as conn:
                    conn.exec_driver_sql("ANALYZE")
            for agent in ("alice", "bob"):
                claimed = []
                (statement, plan), = sqlite_claim_plans(
                    store, lambda: claimed.append(desk.claim_next(desk.agent(agent).id)))
                assert claimed[0] is not None
                text = "\n".join(plan)
                assert "ix_conversation_queue_order" in text and "TEMP B-TREE" not in text, (analysed, agent, text)
    finally:
        store.close()
