"""Fixtures for the monitor tests: a busy floor on each backend (SQLite, and PostgreSQL
where AGENTDESK_TEST_PG_URL is set)."""

from __future__ import annotations

import pytest

from agentdesk.desk import Desk
from agentdesk.store.db import Store
from tests.monitor.floor import Built, busy_floor, fake_tone


@pytest.fixture
def writer(db_url, clock):
    """A read-write desk on the test database (the agents' side), with the fake tone engine."""
    store = Store.open(db_url)
    yield Desk(store, clock=clock, tone_fn=fake_tone)
    store.close()


@pytest.fixture
def floor(writer, clock) -> Built:
    return busy_floor(writer, clock)


@pytest.fixture
def monitor(db_url, clock, floor):
    from agentdesk.monitor import Monitor

    mon = Monitor.open(db_url, clock=clock)
    yield mon
    mon.close()
