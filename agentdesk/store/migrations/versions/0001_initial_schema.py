"""initial schema: agents, queues, customers, conversations, messages, events

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agent",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column("display_name", sa.String(120), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("status_since", sa.Float(), nullable=False),
        sa.Column("simulated", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
    )
    op.create_table(
        "customer",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(320), nullable=True),
        sa.Column("phone", sa.String(64), nullable=True),
        sa.Column("tier", sa.String(16), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
    )
    op.create_table(
        "queue",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column("title", sa.String(120), nullable=False),
        sa.Column("sl_target_s", sa.Integer(), nullable=False),
        sa.Column("sl_goal", sa.Float(), nullable=False),
    )
    op.create_table(
        "agent_queue",
        sa.Column("agent_id", sa.Integer(), sa.ForeignKey("agent.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("queue_id", sa.Integer(), sa.ForeignKey("queue.id", ondelete="CASCADE"), primary_key=True),
    )
    op.create_table(
        "conversation",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("customer_id", sa.Integer(), sa.ForeignKey("customer.id"), nullable=False),
        sa.Column("queue_id", sa.Integer(), sa.ForeignKey("queue.id"), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("enqueued_at", sa.Float(), nullable=False),
        sa.Column("assignee_id", sa.Integer(), sa.ForeignKey("agent.id"), nullable=True),
        sa.Column("claim_version", sa.Integer(), nullable=False),
        sa.Column("claimed_at", sa.Float(), nullable=True),
        sa.Column("first_response_at", sa.Float(), nullable=True),
        sa.Column("hold_reason", sa.String(500), nullable=True),
        sa.Column("handoff_note", sa.String(), nullable=True),
        sa.Column("disposition", sa.String(32), nullable=True),
        sa.Column("resolved_at", sa.Float(), nullable=True),
        sa.Column("preview", sa.String(200), nullable=False),
        sa.Column("tone", sa.String(16), nullable=True),
        sa.Column("csat", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.Float(), nullable=False),
    )
    op.create_index(
        "ix_conversation_queue_order",
        "conversation",
        ["status", sa.text("priority DESC"), "enqueued_at", "id"],
    )
    op.create_index("ix_conversation_queue_status", "conversation", ["queue_id", "status", "enqueued_at"])
    op.create_index("ix_conversation_assignee", "conversation", ["assignee_id", "status"])
    op.create_index("ix_conversation_customer", "conversation", ["customer_id", "created_at"])
    op.create_table(
        "message",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("conversation_id", sa.Integer(), sa.ForeignKey("conversation.id"), nullable=False),
        sa.Column("client_id", sa.String(64), nullable=False, unique=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("agent_id", sa.Integer(), sa.ForeignKey("agent.id"), nullable=True),
        sa.Column("body", sa.String(), nullable=False),
        sa.Column("created_at", sa.Float(), nullable=False),
    )
    op.create_index("ix_message_conversation", "message", ["conversation_id", "id"])
    op.create_table(
        "event",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("at", sa.Float(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("conversation_id", sa.Integer(), sa.ForeignKey("conversation.id"), nullable=True),
        sa.Column("agent_id", sa.Integer(), sa.ForeignKey("agent.id"), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
    )
    op.create_index("ix_event_conversation", "event", ["conversation_id", "id"])
    op.create_index("ix_event_kind_at", "event", ["kind", "at"])
    op.create_index("ix_event_at", "event", ["at"])


def downgrade() -> None:
    for table in ("event", "message", "conversation", "agent_queue", "queue", "customer", "agent"):
        op.drop_table(table)
