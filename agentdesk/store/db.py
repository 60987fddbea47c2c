"""Opening the store: URL resolution, engine set-up per backend, schema checks and
turning driver errors into one-line messages.

SQLite (the default, in the user data directory):

* WAL journal, ``foreign_keys=ON``, ``synchronous=NORMAL``, a busy timeout;
* the driver's own transaction handling is switched off and SQLAlchemy emits the
  ``BEGIN`` itself (the documented pysqlite recipe), so a write transaction can start
  with ``BEGIN IMMEDIATE``: it takes the write lock up front, so two consoles racing to
  claim queue up on the busy timeout instead of failing with "database is locked" when
  a read lock would have to be upgraded;
* a database file that does not exist is never created implicitly (``mode=rw``), except
  by ``agentdesk db upgrade`` and ``agentdesk demo``;
* read-only (the supervisor monitor): ``mode=ro``, ``PRAGMA query_only``, and an
  authorizer that denies every write, ``ATTACH``/``DETACH`` and any ``PRAGMA`` that
  assigns a value — so neither a bug nor typed SQL can write.

PostgreSQL (a team's shared floor): ``postgresql+psycopg``; read-only connections use
``default_transaction_read_only`` as a second layer behind a SELECT-only role.
"""

from __future__ import annotations

import os
import random
import re
import sqlite3
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agentdesk.errors import NotFound as NotFoundError
from agentdesk.errors import ReadOnlyStore, SchemaMismatch, StoreError, UsageError  # noqa: E501

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy.engine import URL, Connection, Engine

NOTIFY_CHANNEL = "agentdesk"
PING_AFTER_IDLE_S = 10.0
"""PostgreSQL: a pooled connection idle longer than this is pinged before reuse."""
"""The LISTEN/NOTIFY channel of a store in PostgreSQL's default schema; a store in
another schema (``AGENTDESK_PG_SCHEMA``) has its own, see :func:`notify_channel`."""

SCHEMA_HEAD = "0003"
"""The Alembic revision this version of agentdesk expects (checked by a test against
the migration scripts, so opening a store does not need to import Alembic)."""

BUSY_TIMEOUT_S = 10.0


_IN_MEMORY = ("--db: an in-memory SQLite database cannot be shared between processes; "
              "give a file path")

# What precheck() lets through without importing SQLAlchemy: a PostgreSQL URL with the
# psycopg driver (or none), an optional numeric port and a database name. Anything
# else goes through resolve(), which explains exactly what is wrong.
_PG_URL_OK = re.compile(
    r"^postgres(?:ql)?(?:\+psycopg)?://(?:[^@/?#]*@)?(?:\[[0-9A-Fa-f:.]+\]|[^:/?#@\[\]]*)(?::\d{1,5})?/[^/?#]+(?:\?.*)?$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class DbTarget:
    """What ``--db`` resolved to."""

    url: "URL"
    backend: str  # "sqlite" | "postgresql"
    path: Path | None  # the file, for SQLite
    display: str  # safe to print (no password)


def resolve(db: str | None, *, default_path: Path | None = None) -> DbTarget:
    """Turn a ``--db`` value (a SQLAlchemy URL or a file path) into a target.

    Raises :class:`UsageError` for a malformed URL or an unsupported backend.
    """
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    if db is None or db == "":
        if default_path is None:
            from agentdesk.config import default_db_path

            default_path = default_db_path()
        db = str(default_path)
    if "://" not in db and not db.startswith("sqlite:"):
        if db.strip() == ":memory:":
            raise UsageError(_IN_MEMORY)
        path = Path(db).expanduser().resolve()
        url = make_url("sqlite://").set(database=str(path))
        return DbTarget(url=url, backend="sqlite", path=path, display=str(path))
    try:
        url = make_url(db)
    except (ArgumentError, ValueError) as exc:
        raise UsageError(
            f"--db {db!r} is not a database URL or path ({exc}); use a file path or "
            "a URL such as postgresql+psycopg://user@host/dbname"
        ) from None
    backend = url.get_backend_name()
    driver = url.get_driver_name()
    if backend == "sqlite":
        if driver not in ("pysqlite", ""):
            raise UsageError(f"--db: SQLite driver {driver!r} is not supported; use sqlite:///PATH")
        database = url.database or ""
        if database in ("", ":memory:"):
            raise UsageError(_IN_MEMORY)
        path = Path(database).expanduser().resolve()
        url = url.set(database=str(path))
        return DbTarget(url=url, backend="sqlite", path=path, display=str(path))
    if backend in ("postgresql", "postgres"):
        if driver not in ("psycopg", "") and driver != "psycopg":
            if driver == "psycopg2":
                raise UsageError(
                    "--db: the psycopg2 driver is not supported; use postgresql+psycopg://…"
                )
            raise UsageError(f"--db: PostgreSQL driver {driver!r} is not supported; use postgresql+psycopg://…")
        url = url.set(drivername="postgresql+psycopg")
        if not url.database:
            raise UsageError("--db: the PostgreSQL URL names no database (…/dbname)")
        return DbTarget(url=url, backend="postgresql", path=None, display=url.render_as_string(hide_password=True))
    raise UsageError(
        f"--db: {backend!r} databases are not supported; agentdesk runs on SQLite "
        "(a file path) or PostgreSQL (postgresql+psycopg://…)"
    )


def precheck(db: str | None, *, default_path: Path | None = None, create: bool = False,
             agent: str | None = None) -> None:
    """Cheap checks before a console starts (no SQLAlchemy import): an unsupported
    scheme, a missing, corrupt or out-of-date SQLite file, or an unknown agent fails
    here, before the screen is taken over. (PostgreSQL is checked by the console's
    start-up worker, which reports the same one-line errors.)"""
    if db is None or db == "":
        if default_path is None:
            from agentdesk.config import default_db_path

            default_path = default_db_path()
        db = str(default_path)
    if db.strip() == ":memory:":
        raise UsageError(_IN_MEMORY)
    if "://" in db or db.startswith("sqlite:"):
        scheme = db.split(":", 1)[0].split("+", 1)[0].lower()
        if scheme not in ("sqlite", "postgresql", "postgres"):
            resolve(db)  # raises the full, explained UsageError
        if scheme != "sqlite":
            if not _PG_URL_OK.match(db):
                resolve(db)  # a driver, port or database name resolve() refuses
            return
        path_text = db.split(":///", 1)[1] if ":///" in db else ""
        if path_text.split("?", 1)[0] in ("", ":memory:"):
            resolve(db)  # raises: in-memory, or a driver resolve() explains
            return
        path = Path(path_text.split("?", 1)[0]).expanduser()
    else:
        path = Path(db).expanduser()
    if path.is_dir():
        raise StoreError(f"{path} is a folder, not a database file")
    if not create and not path.exists():
        raise StoreError(
            f"no database at {path}; create it with `agentdesk db upgrade --db {path}`, or try `agentdesk demo`"
        )
    if path.exists() and not create:
        _sqlite_precheck(path.resolve(), agent)


def _sqlite_precheck(path: Path, agent: str | None) -> None:
    """Schema revision and agent, read with the standard library's sqlite3 (read-only)."""
    from urllib.parse import quote

    target = DbTarget(url=None, backend="sqlite", path=path, display=str(path))  # type: ignore[arg-type]
    try:
        conn = sqlite3.connect(f"file:{quote(str(path), safe='/:')}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)
    except sqlite3.Error as exc:
        raise describe_error(exc, target) from None
    try:
        try:
            has = conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'").fetchone()
            rev = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] if has else None
        except sqlite3.Error as exc:
            raise describe_error(exc, target) from None
        _check_revision(rev, target)
        if agent is not None:
            try:
                row = conn.execute("SELECT 1 FROM agent WHERE name = ?", (agent,)).fetchone()
                known = [] if row is not None else [
                    r[0] for r in conn.execute("SELECT name FROM agent WHERE NOT simulated ORDER BY name")]
            except sqlite3.Error as exc:
                raise describe_error(exc, target) from None
            if row is None:
                hint = f"known agents: {', '.join(known)}" if known else "no agents yet"
                raise NotFoundError(
                    f"unknown agent {agent!r} ({hint}); add one with `agentdesk agents add {agent}`")
    finally:
        conn.close()


def _check_revision(rev: str | None, target: DbTarget) -> None:
    cmd = f"agentdesk db upgrade --db {target.display}"
    if rev is None:
        raise SchemaMismatch(f"database {target.display} has no agentdesk schema; run `{cmd}`")
    if rev == SCHEMA_HEAD:
        return
    if _rev_number(rev) < _rev_number(SCHEMA_HEAD):
        raise SchemaMismatch(
            f"database {target.display} schema is behind (revision {rev}, this agentdesk "
            f"needs {SCHEMA_HEAD}); run `{cmd}`"
        )
    raise SchemaMismatch(
        f"database {target.display} schema is ahead (revision {rev}, this agentdesk "
        f"knows up to {SCHEMA_HEAD}); upgrade agentdesk (`pip install -U agentdesk`)"
    )


# --- SQLite authorizer for read-only connections ---------------------------------

_SQLITE_WRITE_ACTIONS = {
    getattr(sqlite3, name)
    for name in (
        "SQLITE_INSERT",
        "SQLITE_UPDATE",
        "SQLITE_DELETE",
        "SQLITE_CREATE_INDEX",
        "SQLITE_CREATE_TABLE",
        "SQLITE_CREATE_TEMP_INDEX",
        "SQLITE_CREATE_TEMP_TABLE",
        "SQLITE_CREATE_TEMP_TRIGGER",
        "SQLITE_CREATE_TEMP_VIEW",
        "SQLITE_CREATE_TRIGGER",
        "SQLITE_CREATE_VIEW",
        "SQLITE_CREATE_VTABLE",
        "SQLITE_DROP_INDEX",
        "SQLITE_DROP_TABLE",
        "SQLITE_DROP_TEMP_INDEX",
        "SQLITE_DROP_TEMP_TABLE",
        "SQLITE_DROP_TEMP_TRIGGER",
        "SQLITE_DROP_TEMP_VIEW",
        "SQLITE_DROP_TRIGGER",
        "SQLITE_DROP_VIEW",
        "SQLITE_DROP_VTABLE",
        "SQLITE_ALTER_TABLE",
        "SQLITE_REINDEX",
        "SQLITE_ANALYZE",
        "SQLITE_ATTACH",
        "SQLITE_DETACH",
    )
    if hasattr(sqlite3, name)
}
# Pragmas a read-only console may read (never with an argument) ...
_SQLITE_READ_PRAGMAS = {"data_version", "table_info", "index_list", "index_info", "schema_version",
                        "user_version", "query_only", "journal_mode", "foreign_keys", "busy_timeout",
                        "page_count", "page_size", "freelist_count", "compile_options"}
# ... and introspection pragmas whose argument is a table or index name, not a value.
_SQLITE_INTROSPECTION_PRAGMAS = {"table_info", "table_xinfo", "index_list", "index_info", "index_xinfo",
                                 "foreign_key_list"}


def readonly_authorizer(action: int, arg1: str | None, arg2: str | None, db: str | None, source: str | None) -> int:
    """sqlite3 authorizer: deny writes, ATTACH/DETACH, functions that load code,
    and every PRAGMA that assigns a value or is not a known harmless read."""
    if action in _SQLITE_WRITE_ACTIONS:
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_PRAGMA:
        name = (arg1 or "").lower()
        if name in _SQLITE_INTROSPECTION_PRAGMAS or (arg2 is None and name in _SQLITE_READ_PRAGMAS):
            return sqlite3.SQLITE_OK
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_FUNCTION and (arg2 or "").lower() in ("load_extension", "writefile", "edit"):
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_TRANSACTION and (arg1 or "").upper() not in ("BEGIN", "COMMIT", "ROLLBACK"):
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


# --- error translation -------------------------------------------------------------


def describe_error(exc: BaseException, target: DbTarget, *, readonly: bool = False) -> StoreError:
    """Turn a driver error into a one-line, actionable StoreError (``readonly``: the
    error came from a read-only connection, so do not suggest the monitor)."""
    msg = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    low = msg.lower()
    where = target.display
    if target.backend == "sqlite":
        if "file is not a database" in low or "malformed" in low or "not a database" in low:
            return StoreError(f"{where} is not an agentdesk database (SQLite says: {msg}); check the --db path")
        if "database is locked" in low or "database table is locked" in low:
            return StoreError(f"database {where} is locked by another program; close it or try again")
        if "readonly" in low or "read-only" in low:
            hint = (
                "check the permissions of the file and of its folder (SQLite keeps -wal and -shm "
                "files beside it)"
            )
            if not readonly:
                hint += ", or use `agentdesk monitor` to watch without writing"
            return ReadOnlyStore(f"database {where} is read-only ({msg}); {hint}")
        if "unable to open" in low:
            path = target.path
            if path is not None and path.exists() and not (
                os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
            ):
                # A read-only file system (or folder): SQLite cannot create the -shm
                # file a WAL database needs and reports "unable to open".
                return ReadOnlyStore(
                    f"database {where} is read-only ({msg}); check the permissions of the file and of its "
                    "folder, and that the file system is writable (SQLite keeps -wal and -shm files beside it)"
                )
            return StoreError(f"cannot open database {where} ({msg}); check that the path and its folder exist")
        if "not authorized" in low:
            return ReadOnlyStore(f"this connection to {where} is read-only: writing is not allowed ({msg})")
        if "disk i/o" in low or "disk is full" in low or "database or disk is full" in low:
            return StoreError(f"database {where}: {msg}")
    else:
        if "read-only transaction" in low or "read-write mode must be set" in low:
            return ReadOnlyStore(f"this connection to {where} is read-only: writing is not allowed ({msg})")
        if "permission denied" in low:
            # The role lacks a grant: a supervisor's SELECT-only login, or an agent's
            # login asked to do an administrator's job.
            return ReadOnlyStore(
                f"the database login in {where} is not allowed to do this ({msg}); "
                "the grants for agents and supervisors are in docs/team.md"
            )
        # Checked before "connection failed": psycopg reports a missing database as a
        # failed connection, but the server answered and the fix is different.
        if "does not exist" in low and "database" in low:
            return StoreError(f"PostgreSQL database in {where} does not exist; create it first (createdb)")
        if "connection refused" in low or "could not connect" in low or "connection failed" in low or "timeout" in low:
            return StoreError(f"cannot connect to PostgreSQL at {where} ({msg}); is the server running?")
        if "password authentication failed" in low or "authentication" in low:
            return StoreError(f"PostgreSQL refused the login for {where} ({msg})")
        if "could not translate host name" in low or "name or service not known" in low:
            return StoreError(f"cannot resolve the PostgreSQL host in {where} ({msg})")
    return StoreError(f"database {where}: {msg}")


_DB_ERRORS: tuple[type[BaseException], ...] | None = None


def db_errors() -> tuple[type[BaseException], ...]:
    """The exception types that mean "the database said no" (lazy: imports SQLAlchemy)."""
    global _DB_ERRORS
    if _DB_ERRORS is None:
        from sqlalchemy import exc as sa_exc

        errors: tuple[type[BaseException], ...] = (
            sa_exc.OperationalError, sa_exc.DatabaseError, sa_exc.InterfaceError, sqlite3.Error)
        # psycopg's own errors come up as they are from statements sent on its connection
        # (single_statement). Only a PostgreSQL store imports psycopg (50 ms); SQLite
        # consoles never need to.
        psycopg = sys.modules.get("psycopg")
        if psycopg is None:
            return errors
        errors += (psycopg.Error,)
        _DB_ERRORS = errors
    return _DB_ERRORS


# --- the store ---------------------------------------------------------------------


class Store:
    """One database, its engine and how to run transactions on it.

    ``read()`` and ``write()`` yield a SQLAlchemy Core connection inside a transaction
    that commits on success and rolls back on any exception; driver errors come out as
    :class:`StoreError` with a one-line message. On SQLite ``write()`` begins with
    ``BEGIN IMMEDIATE``.
    """

    def __init__(self, target: DbTarget, engine: "Engine", *, readonly: bool,
                 notify_channel: str = NOTIFY_CHANNEL) -> None:
        self.target = target
        self.engine = engine
        self.readonly = readonly
        self.notify_channel = notify_channel
        """The channel this store's write transactions NOTIFY (PostgreSQL)."""
        self._local = threading.local()
        self._single: Any = None  # PostgreSQL: the connection single_statement() keeps
        self._single_lock = threading.Lock()
        self._single_used = 0.0
        self._gate: Any = False  # SQLite: the claim gate, opened on the first claim (None: none)

    @property
    def backend(self) -> str:
        return self.target.backend

    @property
    def is_sqlite(self) -> bool:
        return self.target.backend == "sqlite"

    @classmethod
    def open(
        cls,
        db: str | None = None,
        *,
        create: bool = False,
        readonly: bool = False,
        check_schema: bool = True,
        default_path: Path | None = None,
        pool_size: int = 5,
    ) -> "Store":
        target = resolve(db, default_path=default_path)
        if target.backend == "sqlite":
            assert target.path is not None
            if not target.path.exists():
                if not create:
                    raise StoreError(
                        f"no database at {target.display}; create it with "
                        f"`agentdesk db upgrade --db {target.display}`, or try `agentdesk demo`"
                    )
                try:
                    target.path.parent.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    raise StoreError(f"cannot create the folder for {target.display} ({exc.strerror})") from None
            elif target.path.is_dir():
                raise StoreError(f"{target.display} is a folder, not a database file")
            engine = _sqlite_engine(target, readonly=readonly, create=create)
            channel = NOTIFY_CHANNEL
        else:
            schema = os.environ.get("AGENTDESK_PG_SCHEMA") or None
            channel = notify_channel(schema)
            engine = _postgres_engine(target, readonly=readonly, pool_size=pool_size, schema=schema,
                                      channel=channel)
        store = cls(target, engine, readonly=readonly, notify_channel=channel)
        try:
            store.ping()
            if check_schema:
                store.check_schema()
        except BaseException:
            engine.dispose()
            raise
        return store

    def close(self) -> None:
        checkpointer = getattr(self, "_checkpointer", None)
        if checkpointer is not None:
            checkpointer.stop()
            self._checkpointer = None
        with self._single_lock:
            self._drop_single()
        if self._gate:
            self._gate.close()
        self._gate = False
        self.engine.dispose()

    # transactions ---------------------------------------------------------------

    @contextmanager
    def read(self) -> Iterator["Connection"]:
        with self._tx(immediate=False) as conn:
            yield conn

    @contextmanager
    def write(self) -> Iterator["Connection"]:
        if self.readonly:
            raise ReadOnlyStore(f"this connection to {self.target.display} is read-only: writing is not allowed")
        if self.is_sqlite and getattr(self, "_checkpointer", None) is None:
            self._checkpointer = WalCheckpointer.start(self.target)
        with self._tx(immediate=True) as conn:
            yield conn

    @contextmanager
    def sqlite_write(self) -> Iterator[sqlite3.Connection]:
        """SQLite: a pooled sqlite3 connection inside ``BEGIN IMMEDIATE`` (holding the
        database's write lock), committed on success and rolled back on any exception —
        for a short, hot write sent on the driver itself (the claim), where SQLAlchemy's
        per-statement cost would lengthen the time every other console waits for the
        lock. These writes queue for the lock through :class:`_ClaimGate`. Errors come
        out as :class:`StoreError`."""
        if self.readonly:
            raise ReadOnlyStore(f"this connection to {self.target.display} is read-only: writing is not allowed")
        if not self.is_sqlite:
            raise TypeError("sqlite_write() is for SQLite; see single_statement() for PostgreSQL")
        if getattr(self, "_checkpointer", None) is None:
            self._checkpointer = WalCheckpointer.start(self.target)
        errors = db_errors()
        if self._gate is False:
            with self._single_lock:  # (PostgreSQL's lock; free on SQLite)
                if self._gate is False:
                    self._gate = _ClaimGate.open(str(self.target.path))
        gate = self._gate
        try:
            with self.engine.connect() as conn:
                driver = conn.connection.driver_connection
                with gate.held() if gate is not None else nullcontext():
                    _begin_immediate(driver)
                    try:
                        yield driver
                    except BaseException:
                        driver.execute("ROLLBACK")
                        raise
                    driver.execute("COMMIT")
        except errors as exc:
            raise describe_error(exc, self.target, readonly=self.readonly) from exc

    @contextmanager
    def single_statement(self) -> Iterator[Any]:
        """PostgreSQL: a psycopg connection in autocommit mode, for writes that are each
        one self-contained statement (its own implicit transaction: one round trip
        instead of BEGIN, statements, COMMIT) — the claim. Errors come out as
        :class:`StoreError`.

        The store keeps one pooled connection checked out for this, behind a lock, so
        the hot path skips the pool's checkout, its isolation-level switch and its reset
        (about 0.1 ms of CPU a claim, a tenth of what a claim costs the machine). It gets
        the pool's checks by hand: a connection the server wrote to while idle (its
        goodbye before closing it) or idle past PING_AFTER_IDLE_S is pinged, and a broken
        one is replaced; one that breaks while in use is dropped and the error reported."""
        if self.readonly:
            raise ReadOnlyStore(f"this connection to {self.target.display} is read-only: writing is not allowed")
        if self.is_sqlite:
            raise TypeError("single_statement() is for PostgreSQL; SQLite writes go through write()")
        import psycopg

        errors = db_errors()
        with self._single_lock:
            try:
                driver = self._single_connection()
                try:
                    yield driver
                except psycopg.OperationalError:
                    self._drop_single(broken=True)
                    raise
                finally:
                    self._single_used = time.monotonic()
            except errors as exc:
                raise describe_error(exc, self.target, readonly=self.readonly) from exc

    def _single_connection(self) -> Any:
        """The kept connection (lock held), checked or replaced as the pool would."""
        if self._single is not None and not _still_good(self._single.driver_connection, self._single_used):
            self._drop_single(broken=True)
        if self._single is None:
            fairy = self.engine.raw_connection()
            try:
                fairy.driver_connection.autocommit = True
            except BaseException:
                fairy.invalidate()
                raise
            self._single = fairy
        return self._single.driver_connection

    def _drop_single(self, *, broken: bool = False) -> None:
        fairy, self._single = self._single, None
        if fairy is None:
            return
        try:
            if broken or fairy.driver_connection.closed:
                fairy.invalidate()
            else:
                fairy.driver_connection.autocommit = False
                fairy.close()  # back to the pool
        except Exception:
            pass

    @contextmanager
    def _tx(self, *, immediate: bool) -> Iterator["Connection"]:
        errors = db_errors()
        try:
            with self.engine.connect() as conn:
                if immediate and self.is_sqlite:
                    conn = conn.execution_options(sqlite_immediate=True)
                # conn.info lives as long as the pooled DBAPI connection: ids touched by
                # a transaction that rolled back (or by one not run through write())
                # must not ride along in this transaction's NOTIFY.
                conn.info.pop("agentdesk_touched", None)
                with conn.begin():
                    yield conn
                    if immediate:
                        from agentdesk.store.ops import flush_notify

                        flush_notify(conn)
        except errors as exc:
            raise describe_error(exc, self.target, readonly=self.readonly) from exc
        except UnicodeEncodeError as exc:
            # Text the drivers cannot encode (a lone surrogate, e.g. from a non-UTF-8
            # command-line argument): bad input, not a crash.
            bad = exc.object[exc.start:exc.end] if isinstance(exc.object, str) else ""
            raise UsageError(
                f"text contains characters that cannot be stored ({exc.reason}: {bad!r}); use valid UTF-8"
            ) from exc

    def ping(self) -> None:
        from sqlalchemy import text

        with self.read() as conn:
            conn.execute(text("SELECT 1"))
            if self.is_sqlite:
                # Touch the file header: "file is not a database" shows up here.
                conn.exec_driver_sql("SELECT count(*) FROM sqlite_master")

    def schema_revision(self) -> str | None:
        from sqlalchemy import text

        with self.read() as conn:
            if self.is_sqlite:
                has = conn.exec_driver_sql(
                    "SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'"
                ).first()
            else:
                has = conn.execute(text("SELECT to_regclass('alembic_version')")).scalar()
            if not has:
                return None
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()

    def check_schema(self) -> None:
        _check_revision(self.schema_revision(), self.target)

    # change detection -----------------------------------------------------------

    def last_event_id(self, conn: "Connection | None" = None) -> int:
        from sqlalchemy import text

        q = text("SELECT coalesce(max(id), 0) FROM event")
        if conn is not None:
            return int(conn.execute(q).scalar() or 0)
        with self.read() as c:
            return int(c.execute(q).scalar() or 0)


def _rev_number(rev: str) -> int:
    try:
        return int(rev.split("_")[0])
    except ValueError:
        return 1 << 30  # an unknown revision is treated as newer


WAL_AUTOCHECKPOINT_PAGES = 10_000
CHECKPOINT_EVERY_S = 0.25


class WalCheckpointer:
    """Copies the write-ahead log into the database from a background thread.

    SQLite's default runs that copy (with an fsync) inside whichever commit pushes the
    log past 1,000 pages, so every few hundred writes one claim or reply pays tens of
    milliseconds: the slowest 1 % of claims were all checkpoints. A ``PASSIVE``
    checkpoint every quarter second on a connection of its own takes that work off the
    write path (it never waits for, or blocks, a writer). Started by the first write
    transaction of a writable SQLite store; stopped by :meth:`Store.close`.
    """

    def __init__(self, target: DbTarget) -> None:
        from urllib.parse import quote

        self._conn = sqlite3.connect(f"file:{quote(str(target.path), safe='/:')}?mode=rw", uri=True,
                                     timeout=BUSY_TIMEOUT_S, check_same_thread=False, isolation_level=None)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="agentdesk-wal-checkpoint", daemon=True)

    @classmethod
    def start(cls, target: DbTarget) -> "WalCheckpointer | None":
        try:
            checkpointer = cls(target)
        except sqlite3.Error:
            return None  # the commit-time checkpoint still keeps the log bounded
        checkpointer._thread.start()
        return checkpointer

    def _run(self) -> None:
        while not self._stop.wait(CHECKPOINT_EVERY_S):
            try:
                self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            except sqlite3.Error:
                continue  # busy or gone for a moment: try again next time

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        try:
            self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            self._conn.close()
        except sqlite3.Error:
            pass


def _sqlite_engine(target: DbTarget, *, readonly: bool, create: bool) -> "Engine":
    from sqlalchemy import create_engine, event
    from sqlalchemy.pool import QueuePool

    mode = "ro" if readonly else ("rwc" if create else "rw")
    path = str(target.path)
    uri = "file:" + _uri_quote(path) + f"?mode={mode}"

    def creator() -> sqlite3.Connection:
        conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, check_same_thread=False,
                               isolation_level=None)
        return conn

    engine = create_engine(
        "sqlite://",
        creator=creator,
        poolclass=QueuePool,
        pool_size=4,
        max_overflow=8,
        pool_pre_ping=False,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        cur.execute("PRAGMA foreign_keys = ON")
        if readonly:
            cur.execute("PRAGMA query_only = ON")
            cur.close()
            dbapi_conn.set_authorizer(readonly_authorizer)
            return
        try:
            mode_row = cur.execute("PRAGMA journal_mode").fetchone()
            if mode_row and str(mode_row[0]).lower() != "wal":
                cur.execute("PRAGMA journal_mode = WAL")
        except sqlite3.DatabaseError:
            # A file that is not a database fails here; ping() reports it clearly.
            pass
        cur.execute("PRAGMA synchronous = NORMAL")
        # Checkpoints run in the background (WalCheckpointer); a commit only pays for one
        # itself if the log grows this large anyway (e.g. no writer has the thread running).
        cur.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT_PAGES}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: "Connection") -> None:
        if conn.get_execution_options().get("sqlite_immediate"):
            _begin_immediate(conn.connection.driver_connection)
        else:
            conn.exec_driver_sql("BEGIN")

    return engine


LOCK_SUFFIX = "-claims.lock"
"""The file beside a SQLite database that orders the consoles' claims (see _ClaimGate)."""


class _ClaimGate:
    """A queue, across the consoles on this machine, for claims on one SQLite file.

    SQLite's write lock cannot be waited for without polling, and consoles that poll for
    it (each claim trying ``BEGIN IMMEDIATE`` every fraction of a millisecond) spend CPU
    the lock holder needs. Claims first take an exclusive ``flock`` on a lock file beside
    the database: a console that finds it taken sleeps in the kernel and is woken when it
    is released, so claimers wait without running. Measured with 8 consoles claiming back
    to back at 100,000 waiting: 3,400 → 5,400 claims/s and half the CPU per claim; with
    32, 1,000 → 4,200 claims/s.

    The gate only orders claims; ``BEGIN IMMEDIATE`` still decides who writes, so other
    writes (which do not take the gate) and other programs stay correct, and a claim
    holding the gate waits for them at most BUSY_TIMEOUT_S before failing as before. A
    separate file, not the database itself: SQLite locks the database with fcntl locks,
    which some systems merge with flock. Where the file cannot be created (a read-only
    folder) claims go without the gate. Each store opens its own (flock excludes per open
    file, so two stores in one process queue like two consoles) and closes it with itself."""

    def __init__(self, fd: int, fcntl: Any) -> None:
        self._thread_lock = threading.Lock()  # a store's threads share its open file
        self._fd: int | None = fd
        self._fcntl = fcntl

    @classmethod
    def open(cls, db_path: str) -> "_ClaimGate | None":
        try:
            import fcntl  # POSIX only: elsewhere claims go without the gate

            fd = os.open(db_path + LOCK_SUFFIX, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
        except (ImportError, OSError):
            return None
        return cls(fd, fcntl)

    def close(self) -> None:
        with self._thread_lock:
            fd, self._fd = self._fd, None
            if fd is not None:
                os.close(fd)

    @contextmanager
    def held(self) -> Iterator[None]:
        fcntl = self._fcntl
        with self._thread_lock:
            fd = self._fd
            if fd is None:  # closed with its store: nothing to order
                yield
                return
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)


BUSY_STEP_MIN_S = 0.0002
BUSY_STEP_MAX_S = 0.001
"""First and longest pause between two attempts to take SQLite's write lock (chosen with
``bench/claims.py``: 8 consoles at 100,000 waiting, p99 / max 19 / 50 ms, against 28 /
87 ms for 0.1–2 ms steps and 30 / 167 ms for 1–10 ms; SQLite's own busy handler starved
some consoles for over 2 s)."""


def _begin_immediate(dbapi_conn: sqlite3.Connection) -> None:
    """``BEGIN IMMEDIATE``, waiting for the write lock in short, jittered steps.

    SQLite's own busy handler (``busy_timeout``) sleeps 1, 2, 5, 10, 15, 20, 25 … 100 ms
    between attempts, so with 8 consoles claiming at once a claim that loses the lock a
    few times waits 100 ms or more for a lock held for a fraction of a millisecond, while
    another console that keeps winning never waits. Here the lock is tried without
    SQLite's handler and retried after BUSY_STEP_MIN_S, growing to BUSY_STEP_MAX_S,
    jittered so waiting consoles do not retry in step; after BUSY_TIMEOUT_S the error
    goes up as before ("database is locked"). Only the start of a write transaction waits: once it holds the lock, nothing inside
    it can be refused, and readers never wait in WAL mode. (Fairer, not faster: SQLite's
    handler gave a lower p99 in a run where a few consoles slept for seconds.)"""
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    step = BUSY_STEP_MIN_S
    dbapi_conn.execute("PRAGMA busy_timeout = 0")
    try:
        while True:
            try:
                dbapi_conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc) or time.monotonic() >= deadline:
                    raise
            time.sleep(step * (0.5 + random.random()))
            step = min(step * 1.5, BUSY_STEP_MAX_S)
    finally:
        dbapi_conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF == sqlite3.SQLITE_BUSY
    return "locked" in str(exc)


def _uri_quote(path: str) -> str:
    from urllib.parse import quote

    return quote(path, safe="/:")


def notify_channel(schema: str | None) -> str:
    """The NOTIFY channel of a store: ``agentdesk`` in the default schema, else
    ``agentdesk:<schema>`` (hashed when longer than PostgreSQL's 63-byte identifier
    limit). Channels are per database, not per schema: without this, two stores in
    one database (two floors, or parallel test runs) would wake each other."""
    if not schema:
        return NOTIFY_CHANNEL
    name = f"{NOTIFY_CHANNEL}:{schema}"
    if len(name.encode("utf-8")) > 63:
        import hashlib

        name = f"{NOTIFY_CHANNEL}:{hashlib.sha256(schema.encode('utf-8')).hexdigest()[:32]}"
    return name


def _has_input(dbapi_conn: Any) -> bool:
    """Whether the server has written to this idle connection (no round trip)."""
    import select

    try:
        poller = select.poll()
        poller.register(dbapi_conn.fileno(), select.POLLIN | select.POLLERR | select.POLLHUP)
        return bool(poller.poll(0))
    except (OSError, ValueError):
        return True


def _still_good(dbapi_conn: Any, idle_since: float | None) -> bool:
    """Whether an idle psycopg connection can be used again (``idle_since``: when it was
    last put down; None: fresh from connect).

    A ping on every reuse is a round trip per claim, a third of a claim's cost. An idle
    connection has nothing to read, so a readable socket means the server wrote to it —
    when a backend is terminated or the server shuts down it sends a FATAL error and
    closes — and only then, or after PING_AFTER_IDLE_S idle (a silent network drop;
    PgBouncer's server_check_delay works the same way), is the connection pinged."""
    if dbapi_conn.closed or dbapi_conn.broken:
        return False
    if idle_since is None or (time.monotonic() - idle_since <= PING_AFTER_IDLE_S and not _has_input(dbapi_conn)):
        return True
    try:
        dbapi_conn.execute("SELECT 1")
        if not dbapi_conn.autocommit:
            dbapi_conn.rollback()  # the ping's SELECT opened a transaction
    except Exception:
        return False
    return True


def _postgres_engine(target: DbTarget, *, readonly: bool, pool_size: int, schema: str | None = None,
                     channel: str = NOTIFY_CHANNEL) -> "Engine":
    from sqlalchemy import create_engine, event
    from sqlalchemy import exc as sa_exc

    connect_args: dict[str, Any] = {"connect_timeout": 5}
    options = []
    if readonly:
        options.append("-c default_transaction_read_only=on")
    if schema:
        # Used by the test suite to isolate each run in its own schema.
        options.append(f"-c search_path={schema}")
    if options:
        connect_args["options"] = " ".join(options)
    engine = create_engine(
        target.url,
        connect_args=connect_args,
        pool_size=pool_size,
        max_overflow=pool_size * 2,
        # Not pool_pre_ping: a ping on every checkout is a round trip on every claim
        # and write. A connection is checked only after it sat idle (below).
        pool_pre_ping=False,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(_dbapi_conn: Any, record: Any) -> None:
        record.info["agentdesk_notify_channel"] = channel  # read by ops.flush_notify

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_conn: Any, record: Any) -> None:
        record.info["agentdesk_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        # The pessimistic check of SQLAlchemy's pooling guide, without its round trip on
        # every checkout (pool_pre_ping): see _still_good. A failed check raises
        # DisconnectionError, and the pool replaces the connection before anyone uses it.
        if not _still_good(dbapi_conn, record.info.get("agentdesk_idle_since")):
            raise sa_exc.DisconnectionError("the connection was lost while it sat in the pool")

    return engine
