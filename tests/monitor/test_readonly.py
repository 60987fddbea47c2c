"""Read-only below the UI: every write path through the monitor's own connection fails.

SQLite: the monitor's store is opened ``mode=ro`` with ``PRAGMA query_only`` and an
authorizer; we try plain writes, DDL, ATTACH of the same file read-write then a write
through it, turning ``query_only`` off, changing the journal mode, and the services'
own write verbs. PostgreSQL: a SELECT-only role created for the test (and dropped after)
refuses every write even after ``SET default_transaction_read_only = off`` or
``BEGIN READ WRITE``, on SQLAlchemy's connections and on the raw driver connection in
autocommit; a role that *can* write still cannot write through the monitor (every
transaction is ``READ ONLY``) and is reported by a warning.
"""

from __future__ import annotations

import hashlib
import sqlite3
import uuid

import pytest
from sqlalchemy import text

from agentdesk.errors import ReadOnlyStore, StoreError
from agentdesk.monitor import Monitor, role_privileges, role_warning
from tests.conftest import PG_URL

INSERT_QUEUE = "INSERT INTO queue (name, title, sl_target_s, sl_goal) VALUES ('evil', 'Evil', 60, 0.8)"
WRITES = [
    INSERT_QUEUE,
    "INSERT INTO event (at, kind, data) VALUES (0, 'note', '{}')",
    "UPDATE conversation SET status = 'resolved'",
    "UPDATE agent SET status = 'offline'",
    "DELETE FROM message",
    "DELETE FROM event",
    "CREATE TABLE evil (x INTEGER)",
    "CREATE INDEX ix_evil ON queue (title)",
    "DROP TABLE customer",
    "ALTER TABLE queue ADD COLUMN evil INTEGER",
]


def snapshot(store) -> dict[str, list]:
    """Every row of every table (to prove nothing changed)."""
    with store.read() as conn:
        return {t: [tuple(r) for r in conn.execute(text(f"SELECT * FROM {t} ORDER BY 1"))]
                for t in ("agent", "queue", "agent_queue", "customer", "conversation", "message", "event")}


def attempt(store, *statements: str) -> None:
    """Run statements in one read transaction of ``store`` (expected to fail)."""
    with store.read() as conn:
        for sql in statements:
            conn.exec_driver_sql(sql)


# ----------------------------------------------------------------------------- SQLite


@pytest.fixture
def sqlite_monitor(sqlite_url, clock):
    from agentdesk.desk import Desk
    from agentdesk.store.db import Store
    from tests.monitor.floor import busy_floor, fake_tone

    writer = Store.open(sqlite_url)
    busy_floor(Desk(writer, clock=clock, tone_fn=fake_tone), clock, hours=1)
    mon = Monitor.open(sqlite_url, clock=clock)
    mon.load()
    yield mon, writer
    mon.close()
    writer.close()


@pytest.mark.parametrize("sql", WRITES)
def test_sqlite_writes_fail_through_the_monitor(sqlite_monitor, sql):
    mon, writer = sqlite_monitor
    before = snapshot(writer)
    with pytest.raises(ReadOnlyStore):
        attempt(mon.store, sql)
    assert snapshot(writer) == before


def test_sqlite_attach_read_write_then_insert_fails(sqlite_monitor, tmp_path):
    mon, writer = sqlite_monitor
    path = mon.store.target.path
    before = snapshot(writer)
    for uri in (f"file:{path}?mode=rw", f"file:{path}?mode=rwc", str(path), str(tmp_path / "new.db")):
        with pytest.raises(ReadOnlyStore):
            attempt(mon.store, f"ATTACH '{uri}' AS rw", INSERT_QUEUE.replace("INTO queue", "INTO rw.queue"))
    assert not (tmp_path / "new.db").exists()
    # and straight on the driver connection, outside SQLAlchemy's transactions
    raw = mon.store.engine.raw_connection()
    try:
        with pytest.raises(sqlite3.DatabaseError):
            raw.driver_connection.execute(f"ATTACH 'file:{path}?mode=rw' AS rw")
        with pytest.raises(sqlite3.DatabaseError):
            raw.driver_connection.execute(INSERT_QUEUE)
    finally:
        raw.close()
    assert snapshot(writer) == before


@pytest.mark.parametrize("pragma", ["PRAGMA query_only = OFF", "PRAGMA query_only = 0", "PRAGMA main.query_only = false",
                                    "PRAGMA journal_mode = DELETE", "PRAGMA journal_mode = OFF",
                                    "PRAGMA writable_schema = ON", "PRAGMA foreign_keys = OFF",
                                    "PRAGMA user_version = 9", "PRAGMA wal_checkpoint(TRUNCATE)"])
def test_sqlite_pragma_assignments_fail_and_query_only_stays_on(sqlite_monitor, pragma):
    mon, writer = sqlite_monitor
    before = snapshot(writer)
    with pytest.raises(ReadOnlyStore):
        attempt(mon.store, pragma, INSERT_QUEUE)
    with mon.store.read() as conn:
        assert conn.exec_driver_sql("PRAGMA query_only").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    assert snapshot(writer) == before


def test_sqlite_the_monitors_own_code_cannot_write(sqlite_monitor):
    mon, writer = sqlite_monitor
    before = snapshot(writer)
    with pytest.raises(ReadOnlyStore):
        with mon.store.write():
            pass
    agent = mon.desk.agents()[0]
    waiting = mon.desk.waiting()[0]
    for verb in (lambda: mon.desk.set_agent_status(agent.id, "away"),
                 lambda: mon.desk.claim(agent.id, waiting.id),
                 lambda: mon.desk.record("note", conversation_id=waiting.id),
                 lambda: mon.desk.create_queue("evil", "Evil")):
        with pytest.raises(ReadOnlyStore):
            verb()
    assert snapshot(writer) == before


def test_sqlite_monitor_refuses_a_read_write_store(sqlite_url):
    from agentdesk.store.db import Store

    store = Store.open(sqlite_url)
    try:
        with pytest.raises(ValueError, match="read-only"):
            Monitor(store)
    finally:
        store.close()


def test_watching_the_floor_leaves_no_trace(sqlite_monitor):
    """Loading, polling, drilling into conversations and waiting lists change nothing:
    the database file's bytes are the same afterwards."""
    mon, writer = sqlite_monitor
    with writer.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    path = mon.store.target.path

    def digest() -> tuple[str, int]:
        wal = path.with_name(path.name + "-wal")
        return hashlib.sha256(path.read_bytes()).hexdigest(), wal.stat().st_size if wal.exists() else 0

    before = digest()
    for q in mon.desk.queues():
        mon.request_waiting(q.id)
    mon.poll()
    for row in mon.desk.waiting():
        mon.conversation(row.id)
        mon.messages_after(row.id, None)
    mon.board()
    assert digest() == before


# ----------------------------------------------------------------------------- PostgreSQL


@pytest.fixture
def pg_floor(pg_schema, clock):
    from agentdesk.desk import Desk
    from agentdesk.store.db import Store
    from tests.conftest import fresh_pg
    from tests.monitor.floor import busy_floor, fake_tone

    url = fresh_pg(pg_schema)
    writer = Store.open(url)
    busy_floor(Desk(writer, clock=clock, tone_fn=fake_tone), clock, hours=1)
    yield url, writer
    writer.close()


@pytest.fixture
def pg_role(pg_schema):
    """A role for the test: ``grant(role)`` runs the GRANTs the README documents."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    name = f"agentdesk_ro_{uuid.uuid4().hex[:10]}"
    password = uuid.uuid4().hex
    admin = create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE ROLE {name} LOGIN PASSWORD '{password}'"))
        conn.execute(text(f'GRANT USAGE ON SCHEMA "{pg_schema}" TO {name}'))
        conn.execute(text(f'GRANT SELECT ON ALL TABLES IN SCHEMA "{pg_schema}" TO {name}'))
    url = make_url(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1)).set(
        username=name, password=password).render_as_string(hide_password=False)

    class Role:
        def __init__(self) -> None:
            self.name, self.url = name, url

        def grant(self, sql: str) -> None:
            with admin.connect() as conn:
                conn.execute(text(sql.format(role=name, schema=pg_schema)))

    try:
        yield Role()
    finally:
        with admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = :r"),
                         {"r": name})
            conn.execute(text(f"DROP OWNED BY {name}"))
            conn.execute(text(f"DROP ROLE {name}"))
        admin.dispose()


PG_ESCAPES = [
    (INSERT_QUEUE,),
    ("UPDATE conversation SET status = 'resolved'",),
    ("DELETE FROM event",),
    ("TRUNCATE message CASCADE",),
    ("CREATE TABLE evil (x integer)",),
    ("DROP TABLE customer CASCADE",),
    ("SET default_transaction_read_only = off", INSERT_QUEUE),
    ("SET TRANSACTION READ WRITE", INSERT_QUEUE),
    ("COMMIT", "BEGIN READ WRITE", INSERT_QUEUE),
    ("SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE", INSERT_QUEUE),
]


REFUSALS = ("read-only", "permission denied", "read-write mode must be set before any query")


def refused(store, statements) -> str:
    """Run ``statements`` through ``store`` and return PostgreSQL's refusal (one line)."""
    with pytest.raises(StoreError) as info:
        attempt(store, *statements)
    message = str(info.value)
    assert "\n" not in message and any(r in message for r in REFUSALS), message
    return message


def _pg_counts(writer) -> dict[str, int]:
    with writer.read() as conn:
        return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar()
                for t in ("queue", "conversation", "message", "event", "customer")}


@pytest.mark.postgres
@pytest.mark.parametrize("statements", PG_ESCAPES, ids=lambda s: " ; ".join(s)[:60])
def test_pg_select_only_role_refuses_every_write(pg_floor, pg_role, clock, statements):
    url, writer = pg_floor
    mon = Monitor.open(pg_role.url, clock=clock)
    try:
        assert mon.warning is None  # SELECT-only: nothing to warn about
        before = _pg_counts(writer)
        refused(mon.store, statements)
        assert _pg_counts(writer) == before
    finally:
        mon.close()


@pytest.mark.postgres
def test_pg_select_only_role_refuses_writes_on_a_raw_autocommit_connection(pg_floor, pg_role, clock):
    """Even bypassing SQLAlchemy and every read-only transaction setting, the role says no."""
    import psycopg

    url, writer = pg_floor
    mon = Monitor.open(pg_role.url, clock=clock)
    try:
        board = mon.load()  # and it works: the floor is there
        assert board.total.waiting == 3 and len(board.agents) == 5
        before = _pg_counts(writer)
        raw = mon.store.engine.raw_connection()
        try:
            dbapi = raw.driver_connection
            dbapi.rollback()
            dbapi.autocommit = True
            dbapi.execute("SET default_transaction_read_only = off")
            for sql in (INSERT_QUEUE, "DELETE FROM event", "CREATE TABLE evil (x integer)"):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    dbapi.execute(sql)
        finally:
            raw.invalidate()
        assert _pg_counts(writer) == before
    finally:
        mon.close()


@pytest.mark.postgres
def test_pg_monitor_code_path_cannot_write(pg_floor, pg_role, clock):
    url, writer = pg_floor
    mon = Monitor.open(pg_role.url, clock=clock)
    try:
        with pytest.raises(ReadOnlyStore):
            with mon.store.write():
                pass
        agent = mon.desk.agents()[0]
        with pytest.raises(ReadOnlyStore):
            mon.desk.set_agent_status(agent.id, "away")
    finally:
        mon.close()


@pytest.mark.postgres
def test_pg_writing_role_is_warned_about_and_still_cannot_write(pg_floor, clock):
    """The second layer: a role that could write (the test server's superuser) still
    cannot write through the monitor: its own code never opens a writable transaction,
    and inside any transaction it opens no SQL can switch to read-write.

    Only the role stops SQL that first *ends* the monitor's transaction (``COMMIT``) and
    opens its own (``BEGIN READ WRITE``): PostgreSQL applies a redundant BEGIN's modes
    when no query has run yet. That is why the monitor's role must be SELECT-only
    (tested above) and why the wallboard warns when it is not."""
    url, writer = pg_floor
    mon = Monitor.open(url, clock=clock)
    try:
        assert mon.warning and "can write" in mon.warning and "SELECT-only role" in mon.warning
        before = _pg_counts(writer)
        for statements in PG_ESCAPES:
            if statements[0] != "COMMIT":
                refused(mon.store, statements)
        with pytest.raises(ReadOnlyStore):
            with mon.store.write():
                pass
        # the connection's session default was switched off above, yet the next
        # transaction is read-only again
        with mon.store.read() as conn:
            assert conn.exec_driver_sql("SHOW transaction_read_only").scalar() == "on"
        assert _pg_counts(writer) == before
    finally:
        mon.close()


@pytest.mark.postgres
def test_pg_role_warning_names_what_it_may_write(pg_floor, pg_role, clock):
    from agentdesk.store.db import Store

    pg_role.grant('GRANT INSERT, UPDATE ON "{schema}".event, "{schema}".conversation TO {role}')
    store = Store.open(pg_role.url, readonly=True)
    try:
        p = role_privileges(store)
        assert p["superuser"] is False and p["user"] == pg_role.name
        assert p["tables"] == {"conversation": ["INSERT", "UPDATE"], "event": ["INSERT", "UPDATE"]}
        warning = role_warning(store)
        assert "INSERT/UPDATE conversation, event" in warning
    finally:
        store.close()
