"""A first look at a SQLite store with the standard library only.

The console's queue should be on screen as soon as possible after its first frame.
Importing SQLAlchemy alone takes 0.15–0.35 s on the reference machine, so for a local
SQLite store the console reads what its first screen needs — every waiting
conversation's queue-order key, the head of the queue with its text, the queues, the
agent, and the id of the last event — with :mod:`sqlite3`, read-only, in one
transaction (one snapshot), while SQLAlchemy and the services load behind it. The
change feed then starts from that event id, so nothing committed after the snapshot is
missed.

The statements are the services' own (:meth:`agentdesk.desk.Desk.waiting_index`,
:meth:`~agentdesk.desk.Desk.queues`, :meth:`~agentdesk.desk.Desk.agent`); a test
checks that both give the same answer. Anything unusual (a PostgreSQL URL, a file that
is missing, locked, at another schema revision, an unknown agent) returns ``None``,
and the console opens the store the usual way, which reports the problem.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from agentdesk.domain import AgentInfo, QueueInfo, WaitingRow

HEAD_SQL = (
    "SELECT c.id, c.queue_id, c.priority, c.enqueued_at, cu.name, c.channel, c.preview, "
    "c.tone, cu.tier FROM conversation c JOIN customer cu ON cu.id = c.customer_id "
    "WHERE c.status = 'waiting' ORDER BY c.priority DESC, c.enqueued_at, c.id LIMIT ?"
)
KEYS_SQL = "SELECT -priority, enqueued_at, id, queue_id FROM conversation WHERE status = 'waiting'"


@dataclass(frozen=True)
class FirstLook:
    """What a console's first screen needs, from one snapshot."""

    last_event_id: int
    queues: list[QueueInfo]
    agent: AgentInfo
    keys: list[tuple[int, float, int, int]]  # sorted: queue order
    head: list[WaitingRow]


def sqlite_path(db: str | None) -> Path | None:
    """The SQLite file ``--db`` names, without importing SQLAlchemy (None: not a plain
    local SQLite file, or not sure — let the store decide)."""
    if db is None or db == "":
        from agentdesk.config import default_db_path

        return default_db_path()
    if db.strip() == ":memory:":
        return None
    if "://" in db or db.startswith("sqlite:"):
        if not db.lower().startswith("sqlite:///") or "?" in db:
            return None
        db = db[len("sqlite:///"):]
        if not db or db == ":memory:":
            return None
    return Path(db).expanduser()


def first_look(path: Path, agent_name: str, *, head: int) -> FirstLook | None:
    """Read the first screen's data from the SQLite file at ``path`` (see the module
    docs); ``None`` if it cannot be done cheaply and surely."""
    from agentdesk.store.db import BUSY_TIMEOUT_S, SCHEMA_HEAD

    if not path.is_file():
        return None
    try:
        conn = sqlite3.connect(f"file:{quote(str(path.resolve()), safe='/:')}?mode=ro", uri=True,
                               timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
    except sqlite3.Error:
        return None
    try:
        conn.execute("BEGIN")
        rev = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        if rev is None or rev[0] != SCHEMA_HEAD:
            return None
        agent_row = conn.execute(
            "SELECT id, name, display_name, status, status_since, simulated FROM agent WHERE name = ?",
            (agent_name,)).fetchone()
        if agent_row is None:
            return None
        skills = tuple(r[0] for r in conn.execute(
            "SELECT queue_id FROM agent_queue WHERE agent_id = ? ORDER BY queue_id", (agent_row[0],)))
        last_event_id = int(conn.execute("SELECT coalesce(max(id), 0) FROM event").fetchone()[0] or 0)
        keys = conn.execute(KEYS_SQL).fetchall()
        rows = [WaitingRow(*r) for r in conn.execute(HEAD_SQL, (int(head),))] if head > 0 else []
        queues = [QueueInfo(*r) for r in conn.execute(
            "SELECT id, name, title, sl_target_s, sl_goal FROM queue ORDER BY id")]
        conn.execute("COMMIT")
    except sqlite3.Error:
        return None
    finally:
        conn.close()
    keys.sort()
    agent = AgentInfo(agent_row[0], agent_row[1], agent_row[2], agent_row[3], agent_row[4], skills,
                      bool(agent_row[5]))
    return FirstLook(last_event_id, queues, agent, keys, rows)


__all__ = ["FirstLook", "first_look", "sqlite_path"]
