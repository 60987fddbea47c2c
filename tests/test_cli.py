"""The real console script in a subprocess (``python -m agentdesk …``): every error path
is one line on stderr starting with "Error:" (or Click's usage error), the documented
exit code, and never a traceback; plus the set-up commands' happy paths.

Exit codes (``agentdesk/cli/__init__.py``): 0 ok, 1 error, 2 bad usage or config,
3 database problem, 4 not found, 5 conflict.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from agentdesk.store.db import SCHEMA_HEAD
from tests.conftest import PG_SKIP_REASON, PG_URL

TIMEOUT_S = 60


def cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
        runner: list[str] | None = None, wrap: list[str] | None = None) -> subprocess.CompletedProcess:
    """Run agentdesk; the environment is the test's (conftest isolates the user's
    config and data folders), plus ``env``."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    full_env.setdefault("COLUMNS", "100")
    cmd = (wrap or []) + (runner or [sys.executable, "-m", "agentdesk"]) + list(args)
    return subprocess.run(cmd, cwd=cwd, env=full_env, capture_output=True, text=True, timeout=TIMEOUT_S,
                          stdin=subprocess.DEVNULL)


def cli_all(*commands: list[str], **kwargs) -> list[subprocess.CompletedProcess]:
    """Run several independent invocations side by side (each is mostly start-up)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(lambda args: cli(*args, **kwargs), commands))


ANSI = re.compile(r"\x1b(\[[0-9;?<>=$]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_])")


def no_traceback(res: subprocess.CompletedProcess) -> None:
    out = res.stdout + res.stderr
    assert "Traceback" not in out and 'File "' not in out, out


def one_line_error(res: subprocess.CompletedProcess, code: int, *words: str) -> str:
    no_traceback(res)
    assert res.returncode == code, (res.returncode, res.stderr)
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    line = lines[0]
    assert line.startswith("Error: "), line
    for w in words:
        assert w in line, (w, line)
    return line


def usage_error(res: subprocess.CompletedProcess, *words: str) -> None:
    """Click's usage error: exit 2, the reason on stderr, no traceback."""
    no_traceback(res)
    assert res.returncode == 2, (res.returncode, res.stderr)
    for w in words:
        assert w in res.stderr, (w, res.stderr)
    assert res.stdout == ""


@pytest.fixture
def db(tmp_path, sqlite_template) -> Path:
    """A migrated database with a queue (billing) and an agent (ann), made in-process
    (the commands that make one are tested on their own below)."""
    from agentdesk.desk import Desk
    from agentdesk.store.db import Store

    path = tmp_path / "floor.db"
    shutil.copyfile(sqlite_template, path)
    store = Store.open(str(path))
    try:
        desk = Desk(store, tone_fn=None)
        desk.create_queue("billing", "Billing")
        desk.create_agent("ann", "Ann")
    finally:
        store.close()
    return path


# ------------------------------------------------------------------ --db values


BAD_URLS = [
    ("postgresql+psycopg://ann@host:notaport/floor", ["not a database URL"]),
    ("://floor", ["not a database URL"]),
    ("mysql://ann@localhost/floor", ["'mysql' databases are not supported"]),
    ("postgresql+psycopg2://ann@localhost/floor", ["psycopg2 driver is not supported"]),
    ("sqlite://", ["in-memory"]),
    (":memory:", ["in-memory"]),
]


def test_bad_db_url_for_the_console(tmp_path):
    """`agentdesk desk` checks --db before the console takes over the terminal."""
    results = cli_all(*[["desk", "--agent", "ann", "--db", url] for url, _ in BAD_URLS], cwd=tmp_path)
    for (url, words), res in zip(BAD_URLS, results):
        one_line_error(res, 2, *words)
        assert "\x1b" not in res.stderr, (url, "the console must not start for a bad --db")
    assert os.listdir(tmp_path) == []


def test_bad_db_url_for_the_other_commands(tmp_path):
    commands = [["agents", "add", "bo"], ["db", "status"], ["db", "upgrade"]]
    runs = [(c, BAD_URLS[(2 * i) % len(BAD_URLS)]) for i, c in enumerate(commands)]
    results = cli_all(*[[*c, "--db", url] for c, (url, _) in runs], cwd=tmp_path)
    for (_, (_, words)), res in zip(runs, results):
        one_line_error(res, 2, *words)
    assert os.listdir(tmp_path) == []


def test_missing_database(tmp_path):
    path = tmp_path / "nope" / "floor.db"
    commands = [["agents", "add", "bo"], ["db", "status"], ["desk", "--agent", "ann"]]
    for res in cli_all(*[[*c, "--db", str(path)] for c in commands]):
        one_line_error(res, 3, "no database at", str(path), "agentdesk db upgrade --db")
        assert "\x1b" not in res.stderr
    assert not path.parent.exists()


def test_folder_is_not_a_database(tmp_path):
    for res in cli_all(["agents", "list", "--db", str(tmp_path)], ["desk", "--agent", "ann", "--db", str(tmp_path)]):
        one_line_error(res, 3, "is a folder")


def test_corrupt_database(tmp_path):
    text_file, random_file = tmp_path / "orders.db", tmp_path / "noise.db"
    text_file.write_bytes(b"Customer,Order\nAnn,1\n" * 100)
    random_file.write_bytes(os.urandom(8192))
    before = {p: p.read_bytes() for p in (text_file, random_file)}
    runs = [["agents", "list", "--db", str(text_file)], ["db", "upgrade", "--db", str(text_file)],
            ["agents", "add", "bo", "--db", str(random_file)], ["db", "status", "--db", str(random_file)]]
    for res in cli_all(*runs):
        one_line_error(res, 3, "not an agentdesk database")
    assert {p: p.read_bytes() for p in before} == before


LOCKED_RUNNER = [
    sys.executable, "-c",
    "import sys; import agentdesk.store.db as d; d.BUSY_TIMEOUT_S = 0.2; "
    "sys.argv[0] = 'agentdesk'; from agentdesk.cli import main; main()",
]


def test_locked_database(db):
    """Another program holds an exclusive lock: a write command fails after the busy
    timeout (shortened to 0.2 s in the child, through the same entry point)."""
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        for res in cli_all(["agents", "add", "bo", "--db", str(db)], ["queues", "add", "tech", "--db", str(db)],
                           runner=LOCKED_RUNNER):
            one_line_error(res, 3, "locked by another program", str(db))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert "bo" not in cli("agents", "list", "--db", str(db)).stdout


def _read_only_wrap(folder: Path) -> list[str] | None:
    """How to make ``folder`` read-only for one child process: permissions for an
    ordinary user; for root (whom permissions do not stop) a read-only bind mount in
    a private mount namespace, gone when the child exits."""
    if os.geteuid() != 0:
        os.chmod(folder / "floor.db", 0o444)
        os.chmod(folder, 0o555)
        return []
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("running as root without unshare(1): no way to make a file read-only for root")
    probe = subprocess.run([unshare, "-m", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"running as root and unshare -m is not permitted here ({probe.stderr.decode().strip()})")
    f = str(folder)
    return [unshare, "-m", "sh", "-c",
            f'mount --bind "{f}" "{f}" && mount -o remount,ro,bind "{f}" && exec "$@"', "sh"]


def test_read_only_database_refuses_a_write_command(tmp_path, db):
    folder = tmp_path / "ro"
    folder.mkdir()
    shutil.copyfile(db, folder / "floor.db")
    target = str(folder / "floor.db")
    wrap = _read_only_wrap(folder)
    try:
        for res in cli_all(["agents", "add", "bo", "--db", target], ["queues", "add", "tech", "--db", target],
                           wrap=wrap):
            line = one_line_error(res, 3, "read-only", target)
            assert "permission" in line
    finally:
        os.chmod(folder, 0o755)
        os.chmod(folder / "floor.db", 0o644)
    assert sorted(os.listdir(folder)) == ["floor.db"]


def test_unreachable_postgres():
    res = cli("agents", "list", "--db", "postgresql+psycopg://ann:pw@127.0.0.1:1/floor")
    line = one_line_error(res, 3, "cannot connect to PostgreSQL", "is the server running")
    assert ":pw@" not in line


@pytest.mark.postgres
def test_missing_postgres_database():
    if not PG_URL:
        pytest.skip(PG_SKIP_REASON)
    from sqlalchemy.engine import make_url

    name = f"agentdesk_nope_{uuid.uuid4().hex[:8]}"
    url = make_url(PG_URL).set(drivername="postgresql+psycopg", database=name)
    res = cli("agents", "list", "--db", url.render_as_string(hide_password=False))
    one_line_error(res, 3, name, "does not exist", "createdb")


def test_database_without_schema(tmp_path):
    path = tmp_path / "other.db"
    sqlite3.connect(path).close()
    listing, status = cli_all(["agents", "list", "--db", str(path)], ["db", "status", "--db", str(path)])
    one_line_error(listing, 3, "no agentdesk schema", f"agentdesk db upgrade --db {path}")
    assert status.returncode == 0 and "schema:   none" in status.stdout


def test_database_ahead_of_this_agentdesk(db):
    conn = sqlite3.connect(db)
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.commit()
    conn.close()
    listing, status = cli_all(["agents", "list", "--db", str(db)], ["db", "status", "--db", str(db)])
    one_line_error(listing, 3, "ahead", "9999", "pip install -U agentdesk")
    assert status.returncode == 0 and "schema:   9999" in status.stdout


# ------------------------------------------------------------------ agents


def test_unknown_agent_is_one_line(db):
    """`agentdesk desk --agent nobody` ends with the one-line error and exit code 4."""
    res = cli("desk", "--agent", "nobody", "--db", str(db), env={"TERM": "xterm-256color"})
    no_traceback(res)
    assert res.returncode == 4
    # (Should the console ever start before this check, its terminal codes would come
    # first; what the user reads once the terminal is restored is the last line.)
    last = ANSI.sub("", res.stderr).strip().splitlines()[-1].strip()
    assert last.startswith("Error: unknown agent 'nobody'"), last
    assert "known agents: ann" in last and "agentdesk agents add nobody" in last


def test_unknown_agent_fails_before_the_ui_starts(db):
    res = cli("desk", "--agent", "nobody", "--db", str(db), env={"TERM": "xterm-256color"})
    one_line_error(res, 4, "unknown agent 'nobody'")
    assert "\x1b" not in res.stderr + res.stdout, "the UI started before the error"


def test_no_agent_given(db):
    """A usage error, refused before the UI starts."""
    res = cli("desk", "--db", str(db))
    one_line_error(res, 2, "no agent given", "--agent", "AGENTDESK_AGENT")
    assert "\x1b" not in res.stderr


def test_no_command_without_agent_is_the_console_and_its_error(db):
    res = cli(env={"AGENTDESK_DB": str(db)})
    one_line_error(res, 2, "no agent given")


# ------------------------------------------------------------------ bad options


BAD_OPTIONS = [
    (["demo", "--rate", "-1"], ["--rate"]),
    (["demo", "--rate", "lots"], ["--rate"]),
    (["demo", "--bogus"], ["No such option", "--bogus"]),
    (["desk", "--agnet", "ann"], ["No such option"]),
    (["queues", "add", "tech", "--goal", "2"], ["--goal"]),
    (["queues", "add", "tech", "--target", "0"], ["--target"]),
    (["agents", "add"], ["Missing argument"]),
    (["db", "frobnicate"], ["No such command"]),
    (["frobnicate"], ["No such command"]),
]


def test_bad_options_are_usage_errors(tmp_path):
    for (args, words), res in zip(BAD_OPTIONS, cli_all(*[a for a, _ in BAD_OPTIONS], cwd=tmp_path)):
        usage_error(res, *words)
    assert os.listdir(tmp_path) == []


# ------------------------------------------------------------------ config files


def test_malformed_config_file(tmp_path, db):
    bad = tmp_path / "bad.toml"
    bad.write_text('agent = "ann"\ndb = \n', encoding="utf-8")
    a, b, c = cli_all(["agents", "list", "--db", str(db), "--config", str(bad)],
                      ["desk", "--db", str(db), "--config", str(bad)],
                      ["queues", "list", "--db", str(db)], env={"AGENTDESK_CONFIG": str(bad)})
    for res in (a, b, c):
        one_line_error(res, 2, str(bad), "not valid TOML", "line 2")


BAD_CONFIGS = [
    ('agent = "ann"\ncolour = "red"\n', ["line 2", "unknown key 'colour'"]),
    ('[wait]\ncoverage = 3\n', ["line 2", "'wait.coverage'"]),
    ('[keys]\nclaim_nxt = "ctrl+n"\n', ["line 2", "'keys.claim_nxt' is not an action id"]),
    ('agent = 7\n', ["line 1", "'agent'"]),
]


def test_invalid_config_values(tmp_path, db):
    paths = []
    for i, (body, _) in enumerate(BAD_CONFIGS):
        paths.append(tmp_path / f"config{i}.toml")
        paths[-1].write_text(body, encoding="utf-8")
    results = cli_all(*[["agents", "list", "--db", str(db), "--config", str(p)] for p in paths])
    for path, (_, words), res in zip(paths, BAD_CONFIGS, results):
        one_line_error(res, 2, str(path), *words)


def test_missing_named_config_file(tmp_path, db):
    one_line_error(cli("agents", "list", "--db", str(db), "--config", str(tmp_path / "typo.toml")), 2,
                   "does not exist")


def test_bad_environment_value(db):
    one_line_error(cli("agents", "list", "--db", str(db), env={"AGENTDESK_WAIT_COVERAGE": "lots"}), 2,
                   "AGENTDESK_WAIT_COVERAGE")


# ------------------------------------------------------------------ happy paths


def test_db_upgrade_creates_and_is_idempotent(tmp_path):
    path = tmp_path / "sub" / "floor.db"
    res = cli("db", "upgrade", "--db", str(path))
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == f"{path}: schema upgraded from empty to revision {SCHEMA_HEAD}"
    res = cli("db", "upgrade", "--db", str(path))
    assert res.returncode == 0
    assert res.stdout.strip() == f"{path}: schema already at revision {SCHEMA_HEAD}"
    assert res.stderr == ""


def test_db_status(db):
    res = cli("db", "status", "--db", str(db))
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[0] == f"database: {db} (sqlite)"
    assert lines[1] == f"schema:   {SCHEMA_HEAD} (this agentdesk needs {SCHEMA_HEAD})"
    counts = dict(line.split(":") for line in lines[2:])
    assert {k: int(v.strip().replace(",", "")) for k, v in counts.items()} == {
        "queues": 1, "agents": 1, "customers": 0, "conversations": 0, "messages": 0, "events": 0}


def test_queues_and_agents(db):
    res = cli("queues", "add", "tech", "--title", "Technical support", "--target", "120", "--goal", "0.9",
              "--db", str(db))
    assert (res.returncode, res.stdout.strip()) == (0, "added queue tech")
    res = cli("queues", "list", "--db", str(db))
    assert res.returncode == 0
    assert res.stdout.splitlines() == [
        "billing          Billing                  80% within 60s   0 waiting",
        "tech             Technical support        90% within 120s   0 waiting",
    ]
    res = cli("agents", "add", "bo", "--display-name", "Bo Lindqvist", "--queues", "tech, billing", "--db", str(db))
    assert (res.returncode, res.stdout.strip()) == (0, "added agent bo")
    res = cli("agents", "list", "--db", str(db))
    assert res.returncode == 0
    rows = [line.split() for line in res.stdout.splitlines()]
    assert rows == [["ann", "offline", "all", "queues"], ["bo", "offline", "billing,", "tech"]]


def test_set_up_conflicts_and_unknowns(db):
    a, b, c = cli_all(["queues", "add", "billing", "--db", str(db)], ["agents", "add", "ann", "--db", str(db)],
                      ["agents", "add", "cy", "--queues", "billing,returns", "--db", str(db)])
    one_line_error(a, 5, "queue 'billing' already exists")
    one_line_error(b, 5, "agent 'ann' already exists")
    one_line_error(c, 4, "unknown queue 'returns'")
    assert "cy" not in cli("agents", "list", "--db", str(db)).stdout


def test_database_from_environment_and_config(tmp_path, db):
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'db = "{db}"\n', encoding="utf-8")
    other = tmp_path / "other.db"
    from_env, from_file, from_option = cli_all(
        ["agents", "list"], ["agents", "list", "--config", str(cfg)],
        ["agents", "list", "--db", str(other), "--config", str(cfg)],  # --db beats both
        env={"AGENTDESK_DB": str(db)})
    assert from_env.returncode == 0 and from_env.stdout.startswith("ann")
    assert from_file.returncode == 0 and from_file.stdout.startswith("ann")
    one_line_error(from_option, 3, str(other))
    res = cli("agents", "list", "--config", str(cfg))
    assert res.returncode == 0 and res.stdout.startswith("ann"), "the file alone names the database"


def test_default_database_location(tmp_path):
    """Without --db, AGENTDESK_DB or a config entry, the database is agentdesk.db in
    the user data folder (conftest points XDG_DATA_HOME at a temporary folder)."""
    res = cli("db", "upgrade")
    assert res.returncode == 0, res.stderr
    expected = Path(os.environ["XDG_DATA_HOME"]) / "agentdesk" / "agentdesk.db"
    assert expected.is_file() and str(expected) in res.stdout


def test_help_lists_the_commands():
    res = cli("--help")
    assert res.returncode == 0
    for command in ("desk", "demo", "db", "agents", "queues"):
        assert command in res.stdout


@pytest.mark.postgres
def test_set_up_on_postgres(pg_schema):
    from tests.conftest import fresh_pg

    url = fresh_pg(pg_schema)  # the child inherits AGENTDESK_PG_SCHEMA
    assert cli("db", "upgrade", "--db", url).stdout.strip().endswith(f"schema already at revision {SCHEMA_HEAD}")
    assert cli("queues", "add", "billing", "--db", url).returncode == 0
    assert cli("agents", "add", "ann", "--queues", "billing", "--db", url).returncode == 0
    res, status = cli_all(["agents", "list", "--db", url], ["db", "status", "--db", url])
    assert res.returncode == 0 and res.stdout.split() == ["ann", "offline", "billing"]
    assert "(postgresql)" in status.stdout and re.search(r"agents:\s+1\b", status.stdout)
