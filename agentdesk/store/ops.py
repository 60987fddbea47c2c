"""Low-level, backend-aware statements the services compose into transactions.

Everything that must be atomic under concurrent consoles is one statement:

* **claim** — ``UPDATE conversation … WHERE id = (SELECT id … WHERE status='waiting'
  AND <the agent is available> AND +queue_id IN <the agent's queues> ORDER BY priority
  DESC, enqueued_at, id LIMIT 1 [FOR NO KEY UPDATE SKIP LOCKED]) RETURNING …``, then its
  ``claimed`` event. On SQLite (:func:`claim_next_sqlite`) both run inside ``BEGIN
  IMMEDIATE`` (one writer at a time, no lock upgrade) on the driver connection, with an
  outer status re-check. On PostgreSQL (:func:`claim_next_pg`) they run inside the
  ``agentdesk_claim_next`` function (migration 0003, which explains its plan): one round
  trip, and its NOTIFY just after it commits; ``SKIP LOCKED`` lets concurrent claimers
  take different rows instead of queueing on the same one, and the row lock (taken
  after re-checking the row's latest version) closes the window a plain
  select-then-update leaves.
* **guarded writes** — every write into a claimed conversation carries the claim
  version (``… WHERE id=:id AND claim_version=:v AND assignee_id=:agent``); zero rows
  updated means this console lost ownership, and the whole transaction rolls back.
* **messages** — ``INSERT … ON CONFLICT (client_id) DO NOTHING``: a retry with the same
  client-generated id inserts nothing.
* **events** — appended in the same transaction as the state change they record.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from agentdesk.store.db import NOTIFY_CHANNEL  # noqa: F401  (re-exported; a store's own channel is on its connections)

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy.engine import Connection

NOTIFY_MAX_BYTES = 7900  # PostgreSQL rejects payloads of 8,000 bytes or more


def is_pg(conn: "Connection") -> bool:
    return conn.dialect.name == "postgresql"


def touch(conn: "Connection", conversation_id: int | None) -> None:
    """Remember that this transaction changed a conversation (for LISTEN/NOTIFY hints)."""
    ids = conn.info.setdefault("agentdesk_touched", set())
    ids.add(conversation_id if conversation_id is not None else 0)


def flush_notify(conn: "Connection") -> None:
    """Send at most one NOTIFY for the transaction, carrying only ids (hints)."""
    ids = conn.info.pop("agentdesk_touched", None)
    if not ids or not is_pg(conn):
        return
    payload = ",".join(str(int(i)) for i in sorted(ids))
    if len(payload.encode("ascii")) > NOTIFY_MAX_BYTES:
        payload = "*"  # too many to list: listeners re-query everything
    channel = conn.info.get("agentdesk_notify_channel", NOTIFY_CHANNEL)
    conn.execute(text("SELECT pg_notify(:ch, :payload)"), {"ch": channel, "payload": payload})


def append_event(
    conn: "Connection",
    kind: str,
    at: float,
    conversation_id: int | None = None,
    agent_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> int:
    row = conn.execute(
        text(
            "INSERT INTO event (at, kind, conversation_id, agent_id, data) "
            "VALUES (:at, :kind, :cid, :aid, :data) RETURNING id"
        ),
        {"at": at, "kind": str(kind), "cid": conversation_id, "aid": agent_id,
         "data": json.dumps(data or {}, ensure_ascii=False, separators=(",", ":"))},
    ).first()
    touch(conn, conversation_id)
    return int(row[0])


def insert_message(
    conn: "Connection",
    conversation_id: int,
    client_id: str,
    kind: str,
    body: str,
    at: float,
    agent_id: int | None = None,
) -> int | None:
    """Insert a message; returns its id, or None when ``client_id`` already exists."""
    row = conn.execute(
        text(
            "INSERT INTO message (conversation_id, client_id, kind, agent_id, body, created_at) "
            "VALUES (:cid, :client_id, :kind, :aid, :body, :at) "
            "ON CONFLICT (client_id) DO NOTHING RETURNING id"
        ),
        {"cid": conversation_id, "client_id": client_id, "kind": str(kind), "aid": agent_id,
         "body": body, "at": at},
    ).first()
    return int(row[0]) if row else None


def claim_next_sqlite(driver_conn: Any, agent_id: int, now: float, queue_ids: Iterable[int] | None = None):
    """SQLite: the claim for an agent on a sqlite3 connection that holds the write lock
    (``BEGIN IMMEDIATE``, see :meth:`Store.sqlite_write <agentdesk.store.db.Store.sqlite_write>`):
    one UPDATE that also checks the agent is ``available`` and, without ``queue_ids``,
    takes the agent's queues from ``agent_queue`` (none staffed: every queue) — the
    semantics of PostgreSQL's claim function — then its ``claimed`` event.

    SQLite has one write lock for the whole database, and what other consoles wait for is
    how long a claim holds it; with 8 consoles on 2 cores, a holder is often preempted
    mid-transaction, and the longer it holds, the likelier that is. Two statements on the
    driver connection hold it for about 0.1 ms, where the same work through SQLAlchemy
    (four statements) held it for 0.4 ms and set p99 at 55–113 ms.

    Returns ``(conversation_id, claim_version)``, or None when nothing was claimed (the
    caller finds out why)."""
    stmt, params = claim_next_sqlite_sql(agent_id, now, queue_ids)
    row = driver_conn.execute(stmt, params).fetchone()
    if row is None:
        return None
    cid, version, qid, enqueued_at = row
    driver_conn.execute(
        "INSERT INTO event (at, kind, conversation_id, agent_id, data) VALUES (?, 'claimed', ?, ?, ?)",
        (now, cid, agent_id, json.dumps({"queue_id": qid, "waited_s": round(now - enqueued_at, 3),
                                         "version": version}, separators=(",", ":"))))
    return int(cid), int(version)


def claim_next_sqlite_sql(agent_id: int, now: float, queue_ids: Iterable[int] | None = None) -> tuple[str, dict]:
    """The UPDATE of :func:`claim_next_sqlite` and its parameters (sqlite3 named style).

    ``+queue_id``: a filter on the rows of the ordered walk of
    ``ix_conversation_queue_order``, never an index condition. As a plain column it lets
    an index that starts ``(status, queue_id)`` answer the WHERE — and then every waiting
    row of those queues is sorted for each claim (SQLite picks that even after
    ``ANALYZE``; ``tests/team/test_claim_plan.py`` checks)."""
    params: dict[str, Any] = {"agent": int(agent_id), "now": float(now)}
    if queue_ids is None:
        queue_filter = ("AND (NOT EXISTS (SELECT 1 FROM agent_queue WHERE agent_id = :agent) "
                        "OR +queue_id IN (SELECT queue_id FROM agent_queue WHERE agent_id = :agent)) ")
    else:
        names = []
        for i, q in enumerate(queue_ids):
            params[f"q{i}"] = int(q)
            names.append(f":q{i}")
        queue_filter = f"AND +queue_id IN ({', '.join(names)}) "
    stmt = (
        "UPDATE conversation SET status = 'active', assignee_id = :agent, "
        "claim_version = claim_version + 1, claimed_at = :now, updated_at = :now "
        "WHERE id = (SELECT id FROM conversation WHERE status = 'waiting' "
        "AND (SELECT status FROM agent WHERE id = :agent) = 'available' "
        f"{queue_filter}ORDER BY priority DESC, enqueued_at, id LIMIT 1) "
        "AND status = 'waiting' "
        "RETURNING id, claim_version, queue_id, enqueued_at"
    )
    return stmt, params


CLAIM_NEXT_PG = "SELECT * FROM agentdesk_claim_next(%s, %s, %s::integer[])"


def claim_next_pg(driver_conn: Any, agent_id: int, now: float, channel: str,
                  queue_ids: Iterable[int] | None = None):
    """The PostgreSQL claim: one call of ``agentdesk_claim_next`` (created by migration
    0003, which documents it) on a psycopg connection in autocommit mode, so the call is
    its own transaction: availability, queues, claim and ``claimed`` event in one round
    trip. psycopg prepares the call after a few uses, and PL/pgSQL keeps the plans of
    the statements inside it for the session.

    The NOTIFY (the claimed id, a hint) follows in a transaction of its own once the
    claim has committed. PostgreSQL serialises the commits of notifying transactions on
    one lock held through the WAL flush; a transaction that only notifies writes no WAL,
    so it holds that lock for microseconds, and the claims commit side by side. If this
    process dies between the two, the hint is lost and other consoles see the claim at
    their next regular poll (at most 2 s later) — hints are never relied on.

    Returns ``(agent_status, agent_name, conversation_id, claim_version)`` — the last two
    None when nothing was claimed — or None for an unknown agent."""
    queues = None if queue_ids is None else [int(q) for q in queue_ids]
    row = driver_conn.execute(CLAIM_NEXT_PG, (int(agent_id), float(now), queues)).fetchone()
    if row is None:
        return None
    if row[2] is not None:
        driver_conn.execute("SELECT pg_notify(%s, %s)", (channel, str(int(row[2]))))
    return tuple(row)
