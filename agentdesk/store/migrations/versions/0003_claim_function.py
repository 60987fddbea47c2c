"""PostgreSQL: the claim as one server-side function, ``agentdesk_claim_next``

A console's "take the next conversation" was nine round trips on PostgreSQL (a pool
ping, BEGIN, the agent's availability, its queues, SET LOCAL, the claim, the ``claimed``
event, the NOTIFY, COMMIT), each statement planned afresh. With 32 consoles and the server sharing a 2-core
machine, every round trip is CPU on both sides, and the claim rate is what that CPU
allows (about 530 claims/s). Sent as one statement, the planning alone cost the server
0.3 ms a claim; PL/pgSQL keeps each statement's plan for the session, so the whole claim
is now one round trip and about 0.25 ms of server time.

The function runs with the caller's rights (SECURITY INVOKER, the default): it can do
nothing its caller could not do with plain statements, and a SELECT-only login fails
at its UPDATE. ``SET enable_sort = off`` holds while it runs and ends with it: the
planner's other way to find "the first waiting row in queue order" is to sort every
waiting row, which it picks when the table's statistics say few rows wait (a bulk load
not analysed yet, or statistics taken while the queue was empty) — an 80 ms sort per
claim at 100,000 waiting. Without sorting, the only plan is the ordered walk of
``ix_conversation_queue_order`` that stops at the first unlocked row.

Semantics, the same as :meth:`agentdesk.desk.Desk.claim_next` on SQLite:

* unknown agent: no row;
* an agent not ``available``: one row with its status and name, nothing claimed;
* queues: ``p_queues`` when given, else the agent's ``agent_queue`` rows, else (an agent
  staffed on no queue) every queue;
* the first waiting conversation in queue order (priority, then time entered, then id)
  that no other transaction holds (``FOR NO KEY UPDATE SKIP LOCKED``: a concurrent
  ``claimed`` event's foreign-key lock must not make a claimer skip a customer);
* claimed: the row becomes ``active`` with a new claim version and its ``claimed`` event
  is appended, in the caller's transaction.

The NOTIFY that tells other consoles is not sent from here but by the caller, after the
claim has committed (:func:`agentdesk.store.ops.claim_next_pg`): PostgreSQL serialises
the commits of all transactions that notify (one global lock, held through the commit's
WAL flush), which halved the claim rate with 32 consoles (4,700 → 2,400 claims/s).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

CLAIM_FUNCTION = """
CREATE OR REPLACE FUNCTION agentdesk_claim_next(
    p_agent integer, p_now double precision, p_queues integer[] DEFAULT NULL)
RETURNS TABLE (agent_status text, agent_name text, conversation_id integer, claim_version integer)
LANGUAGE plpgsql
VOLATILE
SET enable_sort = off
AS $claim$
DECLARE
    v_status text;
    v_name text;
    v_queues integer[];
    v_id integer;
    v_version integer;
    v_queue integer;
    v_enqueued double precision;
BEGIN
    SELECT a.status, a.name INTO v_status, v_name FROM agent a WHERE a.id = p_agent;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF v_status = 'available' THEN
        v_queues := coalesce(p_queues,
                             (SELECT array_agg(s.queue_id) FROM agent_queue s WHERE s.agent_id = p_agent));
        UPDATE conversation c
           SET status = 'active', assignee_id = p_agent, claim_version = c.claim_version + 1,
               claimed_at = p_now, updated_at = p_now
         WHERE c.id = (SELECT w.id FROM conversation w
                        WHERE w.status = 'waiting'
                          AND (v_queues IS NULL OR +w.queue_id = ANY (v_queues))
                        ORDER BY w.priority DESC, w.enqueued_at, w.id
                        LIMIT 1
                          FOR NO KEY UPDATE SKIP LOCKED)
        RETURNING c.id, c.claim_version, c.queue_id, c.enqueued_at
             INTO v_id, v_version, v_queue, v_enqueued;
        IF v_id IS NOT NULL THEN
            INSERT INTO event (at, kind, conversation_id, agent_id, data)
            VALUES (p_now, 'claimed', v_id, p_agent,
                    json_build_object('queue_id', v_queue,
                                      'waited_s', round((p_now - v_enqueued)::numeric, 3),
                                      'version', v_version));
        END IF;
    END IF;
    agent_status := v_status;
    agent_name := v_name;
    conversation_id := v_id;
    claim_version := v_version;
    RETURN NEXT;
END
$claim$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(CLAIM_FUNCTION)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS agentdesk_claim_next(integer, double precision, integer[])")
