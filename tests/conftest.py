"""Shared fixtures: a fresh, migrated store per test on SQLite and (where
AGENTDESK_TEST_PG_URL is set) on PostgreSQL, a controllable clock, and a small floor.

PostgreSQL isolation: each test session migrates its own schema
(``agentdesk_test_<pid>_<random>``, selected through ``AGENTDESK_PG_SCHEMA``, which
child processes inherit) and each test starts from empty tables; the schema is dropped
at the end, so runs can repeat.
"""

from __future__ import annotations

import os
import shutil
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

os.environ.setdefault("TZ", "UTC")
time.tzset()

PG_URL = os.environ.get("AGENTDESK_TEST_PG_URL")
PG_SKIP_REASON = (
    "PostgreSQL tests need AGENTDESK_TEST_PG_URL, e.g. "
    "postgresql+psycopg://postgres@127.0.0.1:5432/test (.ci/run sets it)"
)
TABLES = ("event", "message", "conversation", "agent_queue", "customer", "queue", "agent")

# A fixed "now" for deterministic tests: Wednesday 2026-11-25 14:00:00 UTC.
T0 = 1795615200.0


class FakeClock:
    """A clock tests move by hand."""

    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> float:
        self.now += seconds
        return self.now


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory, monkeypatch):
    """Never read or write the real user's config or data folders."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    for name in ("AGENTDESK_DB", "AGENTDESK_AGENT", "AGENTDESK_CONFIG", "AGENTDESK_THEME"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    from agentdesk.store.db import Store
    from agentdesk.store.migrate import upgrade

    path = tmp_path_factory.mktemp("template") / "template.db"
    store = Store.open(str(path), create=True, check_schema=False)
    upgrade(store)
    with store.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return path


@pytest.fixture(scope="session")
def pg_schema() -> Iterator[str]:
    if not PG_URL:
        pytest.skip(PG_SKIP_REASON)
    from sqlalchemy import create_engine, text

    from agentdesk.store.db import Store
    from agentdesk.store.migrate import upgrade

    schema = f"agentdesk_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    old = os.environ.get("AGENTDESK_PG_SCHEMA")
    os.environ["AGENTDESK_PG_SCHEMA"] = schema
    store = Store.open(PG_URL, check_schema=False)
    upgrade(store)
    store.close()
    try:
        yield schema
    finally:
        if old is None:
            os.environ.pop("AGENTDESK_PG_SCHEMA", None)
        else:
            os.environ["AGENTDESK_PG_SCHEMA"] = old
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def fresh_pg(schema: str) -> str:
    from sqlalchemy import create_engine, text

    engine = create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://", 1),
                           connect_args={"options": f"-c search_path={schema}"})
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return PG_URL


@pytest.fixture
def sqlite_url(tmp_path, sqlite_template) -> str:
    path = tmp_path / "agentdesk.db"
    shutil.copyfile(sqlite_template, path)
    return str(path)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path, sqlite_template) -> str:
    """A fresh, migrated, empty database (run once per backend)."""
    if request.param == "sqlite":
        path = tmp_path / "agentdesk.db"
        shutil.copyfile(sqlite_template, path)
        return str(path)
    schema = request.getfixturevalue("pg_schema")
    return fresh_pg(schema)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(db_url):
    from agentdesk.store.db import Store

    s = Store.open(db_url)
    yield s
    s.close()


@pytest.fixture
def desk(store, clock):
    from agentdesk.desk import Desk

    return Desk(store, clock=clock)


@dataclass
class Floor:
    desk: object
    queues: dict
    alice: object
    bob: object
    customers: list


def build_floor(desk, clock: FakeClock, waiting: int = 6) -> Floor:
    """Three queues, two agents (available), customers and ``waiting`` waiting contacts
    with distinct waits (the oldest first)."""
    queues = {
        "billing": desk.create_queue("billing", "Billing", 60, 0.8),
        "tech": desk.create_queue("tech", "Technical support", 120, 0.8),
        "orders": desk.create_queue("orders", "Orders", 60, 0.8),
    }
    alice = desk.create_agent("alice", "Alice Moreau", ["billing", "tech", "orders"])
    bob = desk.create_agent("bob", "Bob Okafor", ["billing", "tech", "orders"])
    desk.set_agent_status(alice.id, "available")
    desk.set_agent_status(bob.id, "available")
    customers = []
    names = ["Priya Raman", "Tom Becker", "Lucía Gómez", "Kenji Watanabe", "Amara Nwosu", "Jonas Berg",
             "Fatima Zahra", "Oliver Quinn", "Mei Lin", "Sven Larsen"]
    start = clock.now
    for i in range(waiting):
        c = desk.create_customer(names[i % len(names)], f"c{i}@example.com", tier="standard",
                                 created_at=start - 86400 * 30)
        customers.append(c)
        queue = ["billing", "tech", "orders"][i % 3]
        desk.arrive(c.id, queue, "chat", f"Hello, message {i}", subject=f"Question {i}",
                    at=start - 600 + i * 60)
    return Floor(desk, queues, alice, bob, customers)


@pytest.fixture
def floor(desk, clock) -> Floor:
    return build_floor(desk, clock)
