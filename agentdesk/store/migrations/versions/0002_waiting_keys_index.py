"""covering index for the waiting queue's keys and per-queue counts

``ix_conversation_waiting (status, queue_id, priority, enqueued_at, id)``: covering for
the queries below (PostgreSQL can answer them with an index-only scan).
At 100,000 waiting conversations the console reads every waiting conversation's
queue-order key, the monitor every waiting id, queue and enqueue time, and the
per-queue counts and oldest waits group by queue: each of these becomes a read of this
index alone, instead of a walk of ``ix_conversation_queue_order`` with a table lookup
per row (SQLite, 100,000 waiting: keys 220 ms → 60 ms, per-queue counts 215 ms → 11 ms).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_conversation_waiting", "conversation", ["status", "queue_id", "priority", "enqueued_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_conversation_waiting", table_name="conversation")
