"""The vocabulary of agentdesk: states, kinds and plain data passed between layers.

Nothing here imports Textual or the database. Rows coming out of the store are turned
into these frozen dataclasses before any screen sees them (the pattern of
``elia_chat/database/converters.py``), so widgets never hold a live ORM object.

Times are UTC epoch seconds (``float``) everywhere: they compare and subtract cheaply,
they mean the same thing on SQLite and PostgreSQL, and the wait-time engines work in
seconds anyway.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Status(StrEnum):
    """Conversation states (see DESIGN.md, glossary)."""

    WAITING = "waiting"
    ACTIVE = "active"
    ON_HOLD = "on_hold"
    WRAP_UP = "wrap_up"
    RESOLVED = "resolved"
    ABANDONED = "abandoned"


OPEN_STATUSES = (Status.ACTIVE, Status.ON_HOLD, Status.WRAP_UP)
"""States in which a conversation belongs to an agent (it has an assignee)."""


class Channel(StrEnum):
    CHAT = "chat"
    EMAIL = "email"
    PHONE = "phone"
    SOCIAL = "social"


class AgentStatus(StrEnum):
    AVAILABLE = "available"
    AWAY = "away"
    OFFLINE = "offline"


class AuthorKind(StrEnum):
    """Who wrote a message. ``note`` is internal: the customer never sees it."""

    CUSTOMER = "customer"
    AGENT = "agent"
    SYSTEM = "system"
    NOTE = "note"


class EventKind(StrEnum):
    """Kinds in the append-only event log. Each is written in the same transaction as
    the state change it records."""

    ARRIVED = "arrived"
    CLAIMED = "claimed"
    MESSAGE = "message"  # customer or agent message (data: message id, author kind)
    NOTE = "note"
    HELD = "held"
    RESUMED = "resumed"
    TRANSFERRED = "transferred"
    WRAP_UP = "wrap_up"
    RESOLVED = "resolved"
    REOPENED = "reopened"
    ABANDONED = "abandoned"
    AGENT_STATUS = "agent_status"  # agent available / away / offline
    WAIT_QUOTED = "wait_quoted"
    SUGGESTION_SHOWN = "suggestion_shown"
    SUGGESTION_USED = "suggestion_used"
    SUGGESTION_DISMISSED = "suggestion_dismissed"
    TONE = "tone"  # tone level of a customer message changed the conversation's tone
    CSAT = "csat"
    ANNOTATION = "annotation"  # a trainer's note on a turn (replay)


class Tier(StrEnum):
    STANDARD = "standard"
    GOLD = "gold"
    PLATINUM = "platinum"


DISPOSITIONS: tuple[tuple[str, str], ...] = (
    ("solved", "Solved"),
    ("workaround", "Solved with a workaround"),
    ("info_provided", "Information provided"),
    ("refund", "Refund or credit issued"),
    ("replacement", "Replacement sent"),
    ("escalated", "Escalated to another team"),
    ("follow_up", "Follow-up scheduled"),
    ("no_response", "Customer stopped responding"),
    ("duplicate", "Duplicate of another contact"),
    ("spam", "Spam or abuse"),
)
"""Disposition codes an agent can resolve with, and their labels."""

DISPOSITION_CODES = frozenset(code for code, _ in DISPOSITIONS)


class ToneLevel(StrEnum):
    """Overall tone of a customer turn (the tone engine's output)."""

    CALM = "calm"
    CONCERNED = "concerned"
    UPSET = "upset"
    HOSTILE = "hostile"


TONE_SEVERITY = {None: 0, "calm": 0, "concerned": 1, "upset": 2, "hostile": 3}


@dataclass(frozen=True, slots=True)
class QueueInfo:
    id: int
    name: str
    title: str
    sl_target_s: int
    sl_goal: float


@dataclass(frozen=True, slots=True)
class AgentInfo:
    id: int
    name: str
    display_name: str
    status: str
    status_since: float
    queue_ids: tuple[int, ...] = ()
    simulated: bool = False


@dataclass(frozen=True, slots=True)
class WaitingRow:
    """One line of the queue screen: a waiting conversation and what to show for it."""

    id: int
    queue_id: int
    priority: int
    enqueued_at: float
    customer_name: str
    channel: str
    preview: str
    tone: str | None
    tier: str = "standard"

    @property
    def sort_key(self) -> tuple[int, float, int]:
        """Queue order: higher priority first, then longest waiting, then id."""
        return (-self.priority, self.enqueued_at, self.id)


@dataclass(frozen=True, slots=True)
class CustomerInfo:
    id: int
    name: str
    email: str | None
    phone: str | None
    tier: str
    created_at: float


@dataclass(frozen=True, slots=True)
class PastContact:
    id: int
    created_at: float
    channel: str
    queue: str
    subject: str
    status: str
    disposition: str | None


@dataclass(frozen=True, slots=True)
class MessageView:
    id: int
    client_id: str
    kind: str
    author: str
    body: str
    created_at: float


@dataclass(frozen=True, slots=True)
class ConversationView:
    """Everything the conversation screen needs, read in one transaction."""

    id: int
    queue_id: int
    queue_name: str
    channel: str
    subject: str
    status: str
    priority: int
    created_at: float
    enqueued_at: float
    assignee_id: int | None
    assignee_name: str | None
    claim_version: int
    hold_reason: str | None
    handoff_note: str | None
    disposition: str | None
    tone: str | None
    customer: CustomerInfo
    messages: tuple[MessageView, ...]
    history: tuple[PastContact, ...] = ()
    total_messages: int = 0


@dataclass(frozen=True, slots=True)
class Claim:
    """Proof of ownership: every write into a conversation presents it, and the store
    refuses the write when the conversation's claim version has moved on."""

    conversation_id: int
    version: int
    agent_id: int


@dataclass(frozen=True, slots=True)
class Change:
    """One event seen by a change feed: enough for a console to know what to re-query."""

    event_id: int
    kind: str
    conversation_id: int | None
    agent_id: int | None
    at: float
    data: dict = field(default_factory=dict)
