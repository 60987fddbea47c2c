"""Opening the store: every way it can fail gives one actionable line, and a store that
opens is configured as documented (WAL, foreign keys, busy timeout, BEGIN IMMEDIATE,
read-only enforced by the connection itself)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

import agentdesk.store.db as dbmod
from agentdesk.errors import AgentdeskError, ReadOnlyStore, SchemaMismatch, StoreError, UsageError
from agentdesk.store import migrate
from agentdesk.store.db import SCHEMA_HEAD, Store, precheck, resolve
from tests.conftest import PG_SKIP_REASON, PG_URL

# --------------------------------------------------------------------------- helpers


def one_line(exc: BaseException) -> str:
    msg = str(exc)
    assert msg and "\n" not in msg, f"not a one-line message: {msg!r}"
    assert "Traceback" not in msg
    return msg


def open_error(db: str, **kwargs) -> AgentdeskError:
    with pytest.raises(AgentdeskError) as info:
        store = Store.open(db, **kwargs)
        store.close()
    one_line(info.value)
    return info.value


def sqlite_files(path: Path) -> list[str]:
    """The database file and its companions that exist (db, -wal, -shm, -journal)."""
    return [p.name for p in (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm", "-journal")))
            if p.exists()]


@pytest.fixture
def pg_admin():
    if not PG_URL:
        pytest.skip(PG_SKIP_REASON)
    engine = create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    yield engine
    engine.dispose()


@pytest.fixture
def empty_pg(pg_admin, monkeypatch) -> str:
    """An empty PostgreSQL schema (no tables), selected through AGENTDESK_PG_SCHEMA."""
    schema = f"agentdesk_open_{uuid.uuid4().hex[:8]}"
    with pg_admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    monkeypatch.setenv("AGENTDESK_PG_SCHEMA", schema)
    yield PG_URL
    with pg_admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_db(request, tmp_path) -> str:
    """A reachable database that holds no agentdesk schema, on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "empty.db"
        sqlite3.connect(path).close()
        return str(path)
    return request.getfixturevalue("empty_pg")


# ------------------------------------------------------------------ URLs and paths


@pytest.mark.parametrize(
    "db, words",
    [
        ("postgresql+psycopg://user@host:notaport/db", ["not a database URL", "postgresql+psycopg://"]),
        ("://nothing", ["not a database URL"]),
        ("mysql://user@localhost/agentdesk", ["'mysql'", "not supported", "SQLite", "PostgreSQL"]),
        ("mysql+pymysql://user@localhost/agentdesk", ["'mysql'", "not supported"]),
        ("oracle://scott@db/orcl", ["'oracle'", "not supported"]),
        ("postgresql+psycopg2://user@localhost/agentdesk", ["psycopg2", "postgresql+psycopg://"]),
        ("postgresql+asyncpg://user@localhost/agentdesk", ["'asyncpg'", "not supported"]),
        ("postgresql+psycopg://user@localhost", ["names no database"]),
        ("sqlite://", ["in-memory", "file path"]),
        ("sqlite:///:memory:", ["in-memory", "file path"]),
        (":memory:", ["in-memory", "file path"]),
        ("sqlite+aiosqlite:///x.db", ["'aiosqlite'", "not supported"]),
    ],
)
def test_bad_url_is_a_one_line_usage_error(db, words, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    err = open_error(db)
    assert isinstance(err, UsageError), err
    msg = one_line(err)
    for word in words:
        assert word in msg, (word, msg)
    assert os.listdir(tmp_path) == [], "a refused URL must not create anything"


@pytest.mark.parametrize(
    "db",
    [
        "mysql://user@localhost/agentdesk",
        "postgresql+psycopg2://user@localhost/agentdesk",
        "postgresql+psycopg://user@host:notaport/db",
        "postgresql+psycopg://user@localhost",
        "sqlite://",
        ":memory:",
    ],
)
def test_precheck_refuses_bad_urls_before_a_console_starts(db):
    """``precheck`` runs before the screen is taken over: everything ``resolve`` would
    refuse must be refused here already."""
    with pytest.raises(UsageError) as info:
        precheck(db)
    one_line(info.value)


def test_precheck_accepts_good_targets(tmp_path, sqlite_url):
    precheck(sqlite_url)
    precheck(f"sqlite:///{sqlite_url}")
    precheck("postgresql+psycopg://user:secret@db.example.com:5432/floor")
    precheck("postgresql://user@db.example.com/floor")
    precheck("postgresql+psycopg://user@[::1]:5432/floor?sslmode=require")
    precheck("postgres://u:p%40ss@localhost/floor")
    precheck(str(tmp_path / "new.db"), create=True)


def test_precheck_reads_the_schema_and_the_agent_without_writing(sqlite_url, clock):
    """Before the console takes over the terminal: the schema revision and the agent
    are checked read-only, and each problem is the same one line as later."""
    from agentdesk.desk import Desk
    from agentdesk.errors import NotFound

    store = Store.open(sqlite_url)
    desk = Desk(store, clock=clock, tone_fn=None)
    desk.create_agent("ann", "Ann")
    desk.create_agent("sim-1", "Simulated", simulated=True)
    store.close()
    before = Path(sqlite_url).read_bytes()
    precheck(sqlite_url, agent="ann")
    with pytest.raises(NotFound) as info:
        precheck(sqlite_url, agent="nobody")
    msg = one_line(info.value)
    assert "unknown agent 'nobody'" in msg and "known agents: ann)" in msg, "simulated agents are not offered"
    assert "agentdesk agents add nobody" in msg
    assert Path(sqlite_url).read_bytes() == before


def test_precheck_schema_and_file_problems(tmp_path, sqlite_url):
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    with pytest.raises(SchemaMismatch, match="no agentdesk schema; run `agentdesk db upgrade"):
        precheck(str(empty))
    precheck(str(empty), create=True)  # `db upgrade` and the demo create the schema themselves
    for rev, word in (("0000", "behind"), ("9999", "ahead")):
        raw = sqlite3.connect(sqlite_url)
        raw.execute("UPDATE alembic_version SET version_num = ?", (rev,))
        raw.commit()
        raw.close()
        with pytest.raises(SchemaMismatch) as info:
            precheck(sqlite_url, agent="ann")
        assert word in one_line(info.value)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all\n" * 200)
    with pytest.raises(StoreError) as info:
        precheck(str(junk))
    assert "not an agentdesk database" in one_line(info.value)


def test_precheck_on_a_locked_database(sqlite_url, short_busy):
    holder = sqlite3.connect(sqlite_url, isolation_level=None)
    holder.execute("PRAGMA journal_mode = DELETE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("INSERT INTO queue (name, title, sl_target_s, sl_goal) VALUES ('x', 'X', 60, 0.8)")
    try:
        with pytest.raises(StoreError) as info:
            precheck(sqlite_url, agent="ann")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert "locked by another program" in one_line(info.value)


def test_resolve_paths_and_urls(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    t = resolve("rel.db")
    assert t.backend == "sqlite" and t.path == tmp_path / "rel.db"
    t = resolve(f"sqlite:///{tmp_path}/x.db")
    assert t.backend == "sqlite" and t.path == tmp_path / "x.db"
    t = resolve("postgresql://ann:hunter2@db.example.com:5433/floor")
    assert t.backend == "postgresql"
    assert t.url.drivername == "postgresql+psycopg"
    assert "hunter2" not in t.display and "***" in t.display, "the display form must hide the password"
    t = resolve(None, default_path=tmp_path / "d" / "agentdesk.db")
    assert t.path == tmp_path / "d" / "agentdesk.db"


def test_default_database_lives_in_the_user_data_folder(tmp_path):
    """conftest points XDG_DATA_HOME at a temporary folder."""
    t = resolve(None)
    assert t.path is not None
    assert str(t.path).startswith(os.environ["XDG_DATA_HOME"])
    assert t.path.name == "agentdesk.db"


# ------------------------------------------------------------------ SQLite files


@pytest.mark.parametrize("as_url", [False, True])
def test_missing_file_names_the_command_and_creates_nothing(tmp_path, as_url):
    path = tmp_path / "sub" / "nope.db"
    err = open_error(f"sqlite:///{path}" if as_url else str(path))
    assert isinstance(err, StoreError)
    msg = one_line(err)
    assert "no database at" in msg and str(path) in msg
    assert "agentdesk db upgrade --db" in msg
    assert not path.parent.exists(), "a failed open must not create the folder"
    with pytest.raises(StoreError):
        precheck(str(path))


def test_missing_file_is_created_only_on_request(tmp_path):
    path = tmp_path / "sub" / "new.db"
    store = Store.open(str(path), create=True, check_schema=False)
    try:
        assert store.schema_revision() is None
    finally:
        store.close()
    assert path.is_file()


def test_folder_is_not_a_database(tmp_path):
    folder = tmp_path / "adir"
    folder.mkdir()
    err = open_error(str(folder))
    assert isinstance(err, StoreError)
    assert "is a folder" in one_line(err) and str(folder) in str(err)
    err = open_error(str(folder), create=True)
    assert "is a folder" in str(err)
    with pytest.raises(StoreError, match="is a folder"):
        precheck(str(folder))
    assert os.listdir(folder) == []


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"name,email\nPriya,p@example.com\n" * 200, id="csv-text"),
        pytest.param(bytes(range(256)) * 40, id="binary"),
        pytest.param(os.urandom(16384), id="random"),
        pytest.param(b"SQLite format 3\x00" + b"\xff" * 4000, id="damaged-header"),
    ],
)
def test_corrupt_file_is_not_a_database(tmp_path, content):
    path = tmp_path / "notes.db"
    path.write_bytes(content)
    err = open_error(str(path))
    assert type(err) is StoreError
    msg = one_line(err)
    assert str(path) in msg
    assert "not an agentdesk database" in msg or "not a database" in msg, msg
    assert path.read_bytes() == content, "opening must not modify a file that is not ours"
    assert sqlite_files(path) == ["notes.db"]


def test_empty_file_has_no_schema(tmp_path):
    path = tmp_path / "empty.db"
    path.touch()
    err = open_error(str(path))
    assert isinstance(err, SchemaMismatch)
    assert f"agentdesk db upgrade --db {path}" in one_line(err)


# ------------------------------------------------------------- read-only files
#
# SQLite's permission checks are the kernel's, and root ignores file modes. When the
# suite runs as root, each scenario runs with the effective uid of ``nobody`` (seteuid,
# restored afterwards) in a folder that user can reach, so the kernel enforces modes
# exactly as it does for an ordinary user.


@contextmanager
def _unprivileged():
    if os.geteuid() != 0:
        yield
        return
    os.seteuid(_nobody_uid())
    try:
        yield
    finally:
        os.seteuid(0)


def _nobody_uid() -> int:
    import pwd

    try:
        return pwd.getpwnam("nobody").pw_uid
    except KeyError:  # pragma: no cover - every Linux has it
        return 65534


@pytest.fixture
def perm_dir(tmp_path):
    """A folder the (possibly unprivileged) test user owns and can reach."""
    if os.geteuid() != 0:
        yield tmp_path
        return
    base = Path(tempfile.mkdtemp(prefix="agentdesk-perm-", dir="/tmp"))
    os.chmod(base, 0o755)
    work = base / "work"
    work.mkdir()
    os.chown(work, _nobody_uid(), -1)
    try:
        yield work
    finally:
        for p in (work, *work.rglob("*")):
            if p.is_dir():
                os.chmod(p, 0o755)
        shutil.rmtree(base)


def _own(path: Path) -> None:
    if os.geteuid() == 0:
        os.chown(path, _nobody_uid(), -1)


def _copy_template(sqlite_template: Path, folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    _own(folder)
    path = folder / "agentdesk.db"
    shutil.copyfile(sqlite_template, path)
    _own(path)
    return path


def test_read_only_file_refuses_writes_with_a_clear_line(perm_dir, sqlite_template):
    from agentdesk.desk import Desk

    path = _copy_template(sqlite_template, perm_dir / "ro-file")
    os.chmod(path, 0o444)
    with _unprivileged():
        with pytest.raises(PermissionError):
            open(path, "r+b").close()  # the kernel really enforces the mode here
        store = Store.open(str(path))
        try:
            desk = Desk(store, tone_fn=None)
            assert desk.queues() == []  # reading still works
            with pytest.raises(ReadOnlyStore) as info:
                desk.create_queue("billing", "Billing")
        finally:
            store.close()
        msg = one_line(info.value)
        assert "read-only" in msg and str(path) in msg and "permission" in msg
        # the supervisor's read-only connection reads it fine
        ro = Store.open(str(path), readonly=True)
        try:
            assert Desk(ro, tone_fn=None).queues() == []
        finally:
            ro.close()
    os.chmod(path, 0o644)
    check = Store.open(str(path))
    try:
        with check.read() as conn:
            assert conn.execute(text("SELECT count(*) FROM queue")).scalar() == 0
    finally:
        check.close()


def test_read_only_folder_gives_a_clear_line(perm_dir, sqlite_template):
    """A writable file in a read-only folder: SQLite cannot create the -wal/-shm files
    beside it, so it cannot even be read in WAL mode; the message says what to check."""
    folder = perm_dir / "ro-folder"
    path = _copy_template(sqlite_template, folder)
    os.chmod(folder, 0o555)
    try:
        with _unprivileged():
            with pytest.raises(PermissionError):
                (folder / "probe").touch()
            for readonly in (False, True):
                err = open_error(str(path), readonly=readonly)
                assert isinstance(err, ReadOnlyStore), err
                msg = one_line(err)
                assert "read-only" in msg and str(path) in msg
                assert "folder" in msg, msg
                if readonly:
                    assert "agentdesk monitor" not in msg, "the monitor itself cannot be the way out"
    finally:
        os.chmod(folder, 0o755)
    assert sorted(os.listdir(folder)) == ["agentdesk.db"]


def test_read_only_file_and_folder(perm_dir, sqlite_template):
    folder = perm_dir / "ro-both"
    path = _copy_template(sqlite_template, folder)
    os.chmod(path, 0o444)
    os.chmod(folder, 0o555)
    try:
        with _unprivileged():
            err = open_error(str(path))
            assert isinstance(err, ReadOnlyStore)
            assert str(path) in one_line(err)
            err = open_error(str(path), create=True, check_schema=False)
            assert isinstance(err, ReadOnlyStore)
    finally:
        os.chmod(folder, 0o755)


def test_cannot_create_in_a_read_only_folder(perm_dir):
    folder = perm_dir / "locked-parent"
    folder.mkdir()
    _own(folder)
    os.chmod(folder, 0o555)
    try:
        with _unprivileged():
            err = open_error(str(folder / "sub" / "new.db"), create=True, check_schema=False)
            assert isinstance(err, StoreError)
            assert "cannot create the folder" in one_line(err)
            err = open_error(str(folder / "new.db"), create=True, check_schema=False)
            assert isinstance(err, StoreError)
            assert str(folder / "new.db") in one_line(err)
    finally:
        os.chmod(folder, 0o755)
    assert os.listdir(folder) == []


# ------------------------------------------------------------------ locking


@pytest.fixture
def short_busy(monkeypatch):
    monkeypatch.setattr(dbmod, "BUSY_TIMEOUT_S", 0.1)


def test_locked_database_write_fails_with_one_line(sqlite_url, short_busy):
    from agentdesk.desk import Desk

    holder = sqlite3.connect(sqlite_url, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        store = Store.open(sqlite_url)  # WAL: readers are not blocked by a writer
        try:
            desk = Desk(store, tone_fn=None)
            assert desk.queues() == []
            with pytest.raises(StoreError) as info:
                desk.create_queue("billing", "Billing")
        finally:
            store.close()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    msg = one_line(info.value)
    assert "locked" in msg and sqlite_url in msg and "try again" in msg
    store = Store.open(sqlite_url)
    try:
        assert Desk(store, tone_fn=None).create_queue("billing", "Billing").name == "billing"
    finally:
        store.close()


def test_locked_rollback_journal_database_fails_at_open(sqlite_url, short_busy):
    """A database another program keeps in rollback-journal mode and locks exclusively
    cannot even be read: the open fails with the same one line."""
    holder = sqlite3.connect(sqlite_url, isolation_level=None)
    holder.execute("PRAGMA journal_mode = DELETE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("INSERT INTO queue (name, title, sl_target_s, sl_goal) VALUES ('x', 'X', 60, 0.8)")
    try:
        err = open_error(sqlite_url)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert type(err) is StoreError
    assert "locked by another program" in one_line(err)


# ------------------------------------------------------------------ PostgreSQL


def test_unreachable_postgres_is_one_line():
    err = open_error("postgresql+psycopg://agentdesk@127.0.0.1:1/agentdesk")
    assert type(err) is StoreError
    msg = one_line(err)
    assert "cannot connect to PostgreSQL" in msg and "127.0.0.1:1" in msg
    assert "is the server running" in msg


def test_postgres_password_never_shown():
    err = open_error("postgresql+psycopg://agentdesk:s3cret-pw@127.0.0.1:1/agentdesk")
    assert "s3cret-pw" not in str(err)


@pytest.mark.postgres
def test_missing_postgres_database_says_create_it(pg_admin):
    from sqlalchemy.engine import make_url

    name = f"agentdesk_missing_{uuid.uuid4().hex[:8]}"
    url = make_url(PG_URL).set(drivername="postgresql+psycopg", database=name)
    err = open_error(url.render_as_string(hide_password=False))
    assert type(err) is StoreError
    msg = one_line(err)
    assert name in msg and "does not exist" in msg and "createdb" in msg
    assert "is the server running" not in msg, "the server answered; the database is what is missing"


# ------------------------------------------------------------------ schema checks


def test_schema_head_matches_the_migration_scripts():
    assert migrate.head_revision() == SCHEMA_HEAD


def test_no_schema_names_the_upgrade_command(empty_db):
    err = open_error(empty_db)
    assert isinstance(err, SchemaMismatch)
    msg = one_line(err)
    assert "no agentdesk schema" in msg
    assert "`agentdesk db upgrade --db " in msg


def _migrated_with_revision(db: str, revision: str) -> None:
    store = Store.open(db, create=True, check_schema=False)
    try:
        migrate.upgrade(store)
        with store.write() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
    finally:
        store.close()


def test_schema_behind_names_the_upgrade_command(empty_db):
    _migrated_with_revision(empty_db, "0000")
    err = open_error(empty_db)
    assert isinstance(err, SchemaMismatch)
    msg = one_line(err)
    assert "behind" in msg and "0000" in msg and SCHEMA_HEAD in msg
    assert "`agentdesk db upgrade --db " in msg


def test_schema_ahead_names_the_upgrade_of_agentdesk(empty_db):
    _migrated_with_revision(empty_db, "9999")
    err = open_error(empty_db)
    assert isinstance(err, SchemaMismatch)
    msg = one_line(err)
    assert "ahead" in msg and "9999" in msg
    assert "pip install -U agentdesk" in msg
    # opening without the check (what `db status` does) still works
    store = Store.open(empty_db, check_schema=False)
    try:
        assert store.schema_revision() == "9999"
    finally:
        store.close()


def test_unknown_revision_counts_as_ahead(empty_db):
    _migrated_with_revision(empty_db, "a1b2c3d4e5f6")
    err = open_error(empty_db)
    assert isinstance(err, SchemaMismatch) and "ahead" in str(err)


def test_upgrade_is_idempotent(empty_db):
    store = Store.open(empty_db, create=True, check_schema=False)
    try:
        assert migrate.upgrade(store) == (None, SCHEMA_HEAD)
        with store.write() as conn:
            conn.execute(text("INSERT INTO queue (name, title, sl_target_s, sl_goal) VALUES ('q', 'Q', 60, 0.8)"))
        assert migrate.upgrade(store) == (SCHEMA_HEAD, SCHEMA_HEAD)
        with store.read() as conn:
            assert conn.execute(text("SELECT name FROM queue")).scalars().all() == ["q"]
            assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
        store.check_schema()
    finally:
        store.close()


def test_upgrade_with_a_percent_encoded_url(tmp_path, request):
    """A password with "@" or a path with a space is percent-encoded in the URL; the
    migration runner must not choke on the "%" (ConfigParser interpolation)."""
    folder = tmp_path / "100% mine"
    folder.mkdir()
    store = Store.open(str(folder / "desk:1.db"), create=True, check_schema=False)
    try:
        assert migrate.upgrade(store) == (None, SCHEMA_HEAD)
    finally:
        store.close()
    if PG_URL:
        from sqlalchemy.engine import make_url

        request.getfixturevalue("empty_pg")  # a fresh schema; the server trusts any password
        url = make_url(PG_URL).set(drivername="postgresql+psycopg", password="p@ss%w0rd")
        pg = Store.open(url.render_as_string(hide_password=False), check_schema=False)
        try:
            assert migrate.upgrade(pg) == (None, SCHEMA_HEAD)
        finally:
            pg.close()


def test_migrations_build_exactly_the_models(store):
    """The Alembic scripts and the SQLModel tables describe the same schema."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from agentdesk.store.models import metadata

    with store.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
        if store.is_sqlite:
            # Autogenerate cannot compare an expression index ("priority DESC") on
            # SQLite and reports it as removed and re-added; check it by hand instead.
            diffs = [d for d in diffs if not (isinstance(d, tuple) and d[0] in ("remove_index", "add_index")
                                               and d[1].name == "ix_conversation_queue_order")]
            cols = conn.exec_driver_sql("PRAGMA index_xinfo(ix_conversation_queue_order)").all()
            keyed = [(r[2], r[3]) for r in cols if r[5]]  # (column name, descending)
            assert keyed == [("status", 0), ("priority", 1), ("enqueued_at", 0), ("id", 0)]
    assert diffs == []


# ------------------------------------------------------------------ SQLite settings


def test_sqlite_writer_connection_settings(sqlite_url):
    store = Store.open(sqlite_url)
    try:
        with store.write() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == int(dbmod.BUSY_TIMEOUT_S * 1000)
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
            assert conn.exec_driver_sql("PRAGMA query_only").scalar() == 0
    finally:
        store.close()


def test_new_sqlite_database_is_wal(tmp_path):
    path = tmp_path / "fresh.db"
    store = Store.open(str(path), create=True, check_schema=False)
    try:
        migrate.upgrade(store)
    finally:
        store.close()
    raw = sqlite3.connect(path)
    try:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        raw.close()


def test_foreign_keys_are_enforced(store):
    with pytest.raises(StoreError):
        with store.write() as conn:
            conn.execute(text("INSERT INTO agent_queue (agent_id, queue_id) VALUES (999, 999)"))


def test_write_transactions_take_the_write_lock_up_front(sqlite_url):
    """``write()`` begins with BEGIN IMMEDIATE: another writer is shut out before the
    transaction has written anything; ``read()`` takes no write lock."""
    store = Store.open(sqlite_url)
    other = sqlite3.connect(sqlite_url, isolation_level=None, timeout=0)
    try:
        with store.read() as conn:
            conn.execute(text("SELECT count(*) FROM queue")).scalar()
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
        with store.write() as conn:
            conn.execute(text("SELECT count(*) FROM queue")).scalar()
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
    finally:
        other.close()
        store.close()


def test_a_failed_write_rolls_back_everything(store):
    with pytest.raises(RuntimeError):
        with store.write() as conn:
            conn.execute(text("INSERT INTO queue (name, title, sl_target_s, sl_goal) VALUES ('q', 'Q', 60, 0.8)"))
            raise RuntimeError("boom")
    with store.read() as conn:
        assert conn.execute(text("SELECT count(*) FROM queue")).scalar() == 0


def test_driver_errors_inside_a_transaction_become_store_errors(store):
    with pytest.raises(StoreError) as info:
        with store.write() as conn:
            conn.execute(text("INSERT INTO queue (name, title, sl_target_s, sl_goal) VALUES ('q', 'Q', 60, 0.8)"))
            conn.execute(text("INSERT INTO queue (name, title, sl_target_s, sl_goal) VALUES ('q', 'Q', 60, 0.8)"))
    one_line(info.value)
    with store.read() as conn:
        assert conn.execute(text("SELECT count(*) FROM queue")).scalar() == 0


# ------------------------------------------------------------------ read-only store


@pytest.fixture
def ro_sqlite(sqlite_url):
    store = Store.open(sqlite_url, readonly=True)
    yield store
    store.close()


@pytest.mark.parametrize(
    "sql",
    [
        "INSERT INTO queue (name, title, sl_target_s, sl_goal) VALUES ('q', 'Q', 60, 0.8)",
        "UPDATE queue SET title = 'x'",
        "DELETE FROM conversation",
        "CREATE TABLE t (x)",
        "CREATE TEMP TABLE t (x)",
        "CREATE INDEX ix_x ON queue (title)",
        "CREATE TRIGGER tr AFTER INSERT ON queue BEGIN SELECT 1; END",
        "CREATE VIEW v AS SELECT 1",
        "DROP TABLE event",
        "DROP INDEX ix_event_at",
        "ALTER TABLE queue ADD COLUMN x INTEGER",
        "REINDEX",
        "ANALYZE",
        "PRAGMA query_only = OFF",
        "PRAGMA query_only = 0",
        "PRAGMA main.query_only = OFF",
        "PRAGMA journal_mode = DELETE",
        "PRAGMA foreign_keys = OFF",
        "PRAGMA user_version = 5",
        "PRAGMA writable_schema = ON",
        "PRAGMA wal_checkpoint(TRUNCATE)",
        "SELECT load_extension('/tmp/evil')",
    ],
)
def test_read_only_store_refuses_writes(ro_sqlite, sql):
    with pytest.raises(ReadOnlyStore) as info:
        with ro_sqlite.read() as conn:
            conn.exec_driver_sql(sql)
    one_line(info.value)
    with ro_sqlite.read() as conn:
        assert conn.exec_driver_sql("PRAGMA query_only").scalar() == 1


def test_read_only_store_refuses_attach_for_writing(ro_sqlite, tmp_path):
    """The classic escape: attach the same file again in read-write mode and write
    through the attached name."""
    path = ro_sqlite.target.path
    target = tmp_path / "other.db"
    for sql in (f"ATTACH 'file:{path}?mode=rw' AS rw", f"ATTACH '{target}' AS other"):
        with pytest.raises(ReadOnlyStore):
            with ro_sqlite.read() as conn:
                conn.exec_driver_sql(sql)
                conn.exec_driver_sql("INSERT INTO rw.queue (name, title, sl_target_s, sl_goal) "
                                     "VALUES ('q', 'Q', 60, 0.8)")
    assert not target.exists()
    raw = ro_sqlite.engine.raw_connection()
    try:  # also outside any transaction, straight on the driver connection
        for sql in (f"VACUUM INTO '{target}'", "VACUUM", f"ATTACH 'file:{path}?mode=rw' AS rw"):
            with pytest.raises(sqlite3.DatabaseError):
                raw.driver_connection.execute(sql)
    finally:
        raw.close()
    assert not target.exists()
    with ro_sqlite.read() as conn:
        assert conn.execute(text("SELECT count(*) FROM queue")).scalar() == 0


def test_read_only_store_refuses_write_transactions(ro_sqlite):
    with pytest.raises(ReadOnlyStore):
        with ro_sqlite.write():
            pass


def test_read_only_store_reads(sqlite_url, clock):
    from agentdesk.desk import Desk
    from tests.conftest import build_floor

    writer = Store.open(sqlite_url)
    build_floor(Desk(writer, clock=clock, tone_fn=None), clock)
    ro = Store.open(sqlite_url, readonly=True)
    try:
        desk = Desk(ro, tone_fn=None)
        assert len(desk.waiting()) == 6
        assert {q.name for q in desk.queues()} == {"billing", "tech", "orders"}
        with ro.read() as conn:
            v1 = conn.exec_driver_sql("PRAGMA data_version").scalar()
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert [r[1] for r in conn.exec_driver_sql("PRAGMA table_info(queue)")][:2] == ["id", "name"]
            assert conn.exec_driver_sql("PRAGMA index_list(conversation)").all()
        Desk(writer, clock=clock, tone_fn=None).create_queue("returns", "Returns")
        with ro.read() as conn:
            # data_version changes when another connection commits: a cheap change probe
            assert conn.exec_driver_sql("PRAGMA data_version").scalar() != v1
        assert "returns" in {q.name for q in desk.queues()}
        assert ro.last_event_id() == writer.last_event_id()
    finally:
        ro.close()
        writer.close()


@pytest.mark.postgres
def test_read_only_postgres_refuses_writes(pg_schema):
    from tests.conftest import fresh_pg

    db_url = fresh_pg(pg_schema)
    ro = Store.open(db_url, readonly=True)
    try:
        with pytest.raises(ReadOnlyStore) as info:
            with ro.read() as conn:
                conn.execute(text("INSERT INTO queue (name, title, sl_target_s, sl_goal) VALUES ('q', 'Q', 60, 0.8)"))
        one_line(info.value)
        with pytest.raises(ReadOnlyStore):
            with ro.write():
                pass
        with ro.read() as conn:
            assert conn.execute(text("SELECT count(*) FROM queue")).scalar() == 0
    finally:
        ro.close()
