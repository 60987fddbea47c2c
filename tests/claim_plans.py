"""Test helper: the plans of the statements inside PostgreSQL's ``agentdesk_claim_next``
for the calls a piece of code made (see :mod:`agentdesk.store.explain`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from agentdesk.store import explain, ops


@contextmanager
def recorded_claims() -> Iterator[list[tuple]]:
    """Record the parameters of every ``agentdesk_claim_next`` call sent meanwhile."""
    import psycopg

    calls: list[tuple] = []
    send = psycopg.Connection.execute

    def execute(conn, query, params=None, **kw):
        if query == ops.CLAIM_NEXT_PG:
            calls.append(tuple(params))
        return send(conn, query, params, **kw)

    with pytest.MonkeyPatch.context() as m:
        m.setattr(psycopg.Connection, "execute", execute)
        yield calls


def update_plans(store, call: Callable[[], object]) -> list[list[str]]:
    """Run ``call``; for each claim it sent, replay the claim (rolled back) under
    auto_explain and return the plan of its UPDATE. Skips when auto_explain cannot be
    loaded (it needs a superuser)."""
    with recorded_claims() as calls:
        call()
    plans = []
    for agent, now, queues in calls:
        with store.engine.connect() as conn:
            try:
                got = explain.claim_plans(conn.connection.driver_connection, agent, now, queue_ids=queues)
            except explain.PlanUnavailable as exc:
                pytest.skip(f"cannot see the plans inside agentdesk_claim_next: {exc}")
            finally:
                conn.rollback()
        plans.append(explain.claim_update_plan(got))
    return plans


def sqlite_claim_plans(store, call: Callable[[], object]) -> list[tuple[str, list[str]]]:
    """SQLite: run ``call``; for each claim it sent (on the driver connection, see
    :func:`agentdesk.store.ops.claim_next_sqlite`), the statement and its
    ``EXPLAIN QUERY PLAN`` lines."""
    sent: list[tuple[str, dict]] = []
    build = ops.claim_next_sqlite_sql

    def recording(*args, **kwargs):
        sent.append(build(*args, **kwargs))
        return sent[-1]

    with pytest.MonkeyPatch.context() as m:
        m.setattr(ops, "claim_next_sqlite_sql", recording)
        call()
    out = []
    for statement, params in sent:
        with store.engine.connect() as conn:
            out.append((statement, [r[3] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params)]))
            conn.rollback()
    return out
