"""Fixtures for the team-mode tests: PostgreSQL-only stores (skipped with the usual
reason when AGENTDESK_TEST_PG_URL is not set) and a raw psycopg connection to the
same schema for what a console never does (terminating backends, forging NOTIFYs,
holding row locks)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.conftest import PG_SKIP_REASON, PG_URL, fresh_pg


def psycopg_dsn(url: str) -> str:
    """A libpq connection string for a SQLAlchemy ``postgresql+psycopg://`` URL."""
    from sqlalchemy.engine import make_url

    u = make_url(url)
    parts = {"host": u.host or "", "port": u.port or "", "dbname": u.database or "",
             "user": u.username or "", "password": u.password or ""}
    return " ".join(f"{k}={v}" for k, v in parts.items() if v != "")


@pytest.fixture
def pg_url(request) -> str:
    """A fresh, migrated, empty PostgreSQL store (the session's test schema)."""
    if not PG_URL:
        pytest.skip(PG_SKIP_REASON)
    schema = request.getfixturevalue("pg_schema")
    return fresh_pg(schema)


@pytest.fixture
def admin(pg_url) -> Iterator[object]:
    """A superuser psycopg connection (autocommit) with the test schema on its path."""
    import psycopg

    schema = os.environ["AGENTDESK_PG_SCHEMA"]
    conn = psycopg.connect(psycopg_dsn(pg_url), autocommit=True, options=f"-c search_path={schema}")
    try:
        yield conn
    finally:
        conn.close()
