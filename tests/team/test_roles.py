"""The roles in docs/team.md, for real: the test creates throw-away roles (random
names), runs the grant blocks *from the document* against the test schema, and checks
that an agent's login can do the whole console workflow but cannot delete, rewrite the
logs, alter tables or administer the floor; that a supervisor's login reads everything
and can write nothing, even with the read-only session default switched off; and that
the intake login can bring customers in. Every role is dropped afterwards."""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from agentdesk.desk import Desk
from agentdesk.errors import ReadOnlyStore
from agentdesk.live import ChangeFeed
from agentdesk.store.db import Store
from tests.conftest import build_floor
from tests.team.conftest import psycopg_dsn

pytestmark = pytest.mark.postgres

DOC = Path(__file__).resolve().parents[2] / "docs" / "team.md"


def doc_block(marker: str) -> str:
    """The ```sql block that follows ``<!-- agentdesk:MARKER …-->`` in docs/team.md."""
    text = DOC.read_text(encoding="utf-8")
    m = re.search(rf"<!-- agentdesk:{re.escape(marker)}\b[^>]*-->\s*```sql\n(.*?)```", text, re.S)
    assert m, f"docs/team.md has no {marker} block"
    return m.group(1)


def statements(sql: str) -> list[str]:
    body = "\n".join(line for line in sql.splitlines() if not line.strip().startswith("--"))
    return [s.strip() for s in body.split(";") if s.strip()]


@pytest.fixture
def roles(pg_url, admin):
    """Group and login roles named as in the docs, with a random suffix; the docs'
    grant blocks run with those names, the test schema and the test database."""
    suffix = uuid.uuid4().hex[:10]
    names = {
        "agentdesk_agent": f"adk_agent_{suffix}",
        "agentdesk_supervisor": f"adk_super_{suffix}",
        "agentdesk_intake": f"adk_intake_{suffix}",
        "alice": f"adk_alice_{suffix}",
        "sam": f"adk_sam_{suffix}",
    }
    schema = os.environ["AGENTDESK_PG_SCHEMA"]
    database = make_url(pg_url).database

    def adapt(sql: str) -> str:
        for doc_name, real in names.items():
            sql = re.sub(rf"\b{doc_name}\b", real, sql)
        sql = re.sub(r"\bSCHEMA public\b", f'SCHEMA "{schema}"', sql)
        return re.sub(r"\bDATABASE agentdesk\b", f'DATABASE "{database}"', sql)

    created = []
    try:
        # block 1 of the docs, minus the database and the owner (the test's are used)
        for doc_name in ("agentdesk_agent", "agentdesk_supervisor"):
            admin.execute(f'CREATE ROLE "{names[doc_name]}" NOLOGIN')
            created.append(names[doc_name])
        admin.execute(f'CREATE ROLE "{names["alice"]}" LOGIN IN ROLE "{names["agentdesk_agent"]}"')
        created.append(names["alice"])
        admin.execute(f'CREATE ROLE "{names["sam"]}" LOGIN IN ROLE "{names["agentdesk_supervisor"]}"')
        created.append(names["sam"])
        for stmt in statements(adapt(doc_block("grants"))):
            admin.execute(stmt)
        created.append(names["agentdesk_intake"])  # created by the intake block itself
        for stmt in statements(adapt(doc_block("grants-intake"))):
            admin.execute(stmt)
        yield {k: make_url(pg_url).set(username=v).render_as_string(hide_password=False) for k, v in names.items()}
    finally:
        for role in reversed(created):
            if admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
                admin.execute(f'DROP OWNED BY "{role}"')
                admin.execute(f'DROP ROLE "{role}"')
        left = admin.execute("SELECT rolname FROM pg_roles WHERE rolname LIKE %s", (f"%{suffix}",)).fetchall()
        assert left == [], left


@pytest.fixture
def floor_url(pg_url, clock):
    """The floor, built by the owner (the test's superuser)."""
    store = Store.open(pg_url)
    build_floor(Desk(store, clock=clock, tone_fn=None), clock)
    store.close()
    return pg_url


def raw(url: str):
    import psycopg

    return psycopg.connect(psycopg_dsn(url), autocommit=True,
                           options=f"-c search_path={os.environ['AGENTDESK_PG_SCHEMA']}")


def refused(conn, sql: str) -> bool:
    import psycopg

    try:
        conn.execute(sql)
    except psycopg.errors.InsufficientPrivilege:
        return True
    return False


def test_an_agent_login_works_the_whole_floor(floor_url, roles, clock):
    store = Store.open(roles["alice"])
    try:
        desk = Desk(store, clock=clock, tone_fn=None)
        alice = desk.agent("alice")
        desk.set_agent_status(alice.id, "away")
        desk.set_agent_status(alice.id, "available")
        claim = desk.claim_next(alice.id)
        desk.reply(claim, "Hello, I'm looking into it now.")
        desk.note(claim, "customer is calm")
        desk.hold(claim, "checking the invoice")
        desk.resume(claim)
        desk.transfer(claim, "orders", "needs a refund on order 1142")
        again = desk.claim(alice.id, claim.conversation_id)
        desk.wrap_up(again)
        desk.resolve(again, "solved", "refund issued")
        reopened = desk.reopen(alice.id, claim.conversation_id, "customer wrote back")
        desk.resolve(reopened, "solved")
        waiting = desk.waiting()[0]
        desk.queue_update(alice.id, waiting.id, "You are next in line.")
        desk.record("wait_quoted", conversation_id=waiting.id, agent_id=alice.id, data={"p90_s": 120})
        assert [c.kind for c in desk.events(claim.conversation_id)] == [
            "arrived", "message", "claimed", "message", "note", "held", "resumed", "transferred", "claimed",
            "wrap_up", "resolved", "reopened", "resolved"]
        assert desk.agent("alice").status == "available"
        assert desk.conversation(claim.conversation_id).status == "resolved"
    finally:
        store.close()


def test_an_agent_login_cannot_delete_rewrite_or_administer(floor_url, roles, clock):
    with raw(roles["alice"]) as conn:
        for sql in [
            "DELETE FROM event",
            "DELETE FROM conversation",
            "TRUNCATE message",
            "UPDATE event SET kind = 'forged'",
            "UPDATE message SET body = 'rewritten'",
            "UPDATE agent SET name = 'boss'",
            "UPDATE agent SET simulated = true",
            "INSERT INTO queue (name, title, sl_target_s, sl_goal) VALUES ('x', 'X', 60, 0.8)",
            "INSERT INTO agent_queue (agent_id, queue_id) VALUES (1, 1)",
            "INSERT INTO customer (name, tier, created_at) VALUES ('x', 'standard', 0)",
            "UPDATE alembic_version SET version_num = '9999'",
            "DROP TABLE event",
            "ALTER TABLE conversation ADD COLUMN x int",
            "CREATE TABLE mine (a int)",
        ]:
            assert refused(conn, sql), sql
    store = Store.open(roles["alice"])
    try:
        with pytest.raises(ReadOnlyStore) as info:
            Desk(store, clock=clock, tone_fn=None).create_queue("returns", "Returns")
        msg = str(info.value)
        assert "permission denied" in msg and "\n" not in msg
    finally:
        store.close()


def test_a_supervisor_login_reads_everything_and_writes_nothing(floor_url, roles, clock):
    monitor = Store.open(roles["sam"], readonly=True)
    misconfigured = Store.open(roles["sam"])  # a supervisor who started `agentdesk desk`
    try:
        desk = Desk(monitor, clock=clock, tone_fn=None)
        rows = desk.waiting()
        assert len(rows) == 6 and {q.name for q in desk.queues()} == {"billing", "tech", "orders"}
        assert desk.conversation(rows[0].id).messages
        alice = desk.agent("alice")
        with pytest.raises(ReadOnlyStore):
            desk.claim_next(alice.id)
        with pytest.raises(ReadOnlyStore) as info:
            Desk(misconfigured, clock=clock, tone_fn=None).claim_next(alice.id)
        assert "permission denied" in str(info.value)
    finally:
        monitor.close()
        misconfigured.close()
    with raw(roles["sam"]) as conn:
        conn.execute("SET default_transaction_read_only = off")  # the role is the boundary
        for sql in [
            "UPDATE conversation SET status = 'active'",
            "UPDATE agent SET status = 'away'",
            "INSERT INTO event (at, kind, data) VALUES (0, 'forged', '{}')",
            "INSERT INTO message (conversation_id, client_id, kind, body, created_at) "
            "VALUES (1, 'x', 'note', 'x', 0)",
            "DELETE FROM event",
            "TRUNCATE event",
            "CREATE TABLE mine (a int)",
        ]:
            assert refused(conn, sql), sql


def test_a_supervisor_console_is_live_on_a_select_only_login(floor_url, roles, clock):
    """LISTEN needs no privilege: the read-only monitor is woken by an agent's claim."""
    monitor = Store.open(roles["sam"], readonly=True)
    agent = Store.open(roles["alice"])
    feed = ChangeFeed.start(Desk(monitor, clock=clock, tone_fn=None))
    try:
        assert feed.wait(10) is True and feed.last_wake == "connected"
        feed.poll()
        desk = Desk(agent, clock=clock, tone_fn=None)
        claim = desk.claim_next(desk.agent("alice").id)
        assert feed.wait(10) is True and feed.last_wake == "notified"
        assert feed.poll().removals == [claim.conversation_id]
    finally:
        feed.close()
        monitor.close()
        agent.close()


def test_the_intake_login_brings_customers_in(floor_url, roles, clock):
    store = Store.open(roles["agentdesk_intake"])
    try:
        desk = Desk(store, clock=clock, tone_fn=None)
        customer = desk.create_customer("Nadia Haddad", "nadia@example.com", tier="gold")
        cid = desk.arrive(customer.id, "billing", "chat", "My card was charged twice")
        desk.customer_message(cid, "hello? still waiting")
        assert desk.abandon(cid)
        desk.customer_message(cid, "sorry, I'm back")  # reopens into the queue
        desk.set_csat(cid, 4)
        assert desk.conversation(cid).status == "waiting"
    finally:
        store.close()
    with raw(roles["agentdesk_intake"]) as conn:
        for sql in ["DELETE FROM conversation", "UPDATE message SET body = 'x'", "UPDATE event SET kind = 'x'",
                    "UPDATE conversation SET assignee_id = NULL, claimed_at = 0",
                    "UPDATE agent SET status = 'away'"]:
            assert refused(conn, sql), sql
