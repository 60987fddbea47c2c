"""Services: the verbs of the product (claim, reply, hold, transfer, resolve …).

Each public method is one transaction on the store and returns plain data from
:mod:`agentdesk.domain`. Screens call these from worker threads, never from the UI
thread. Every state change appends its event in the same transaction, and every
write into a claimed conversation presents a :class:`~agentdesk.domain.Claim`, whose
version the store checks (see :mod:`agentdesk.store.ops`).

Errors a user can act on come out as :class:`~agentdesk.errors.AgentdeskError`
subclasses with a one-line message: :class:`~agentdesk.errors.StaleClaim` when this
console lost ownership, :class:`~agentdesk.errors.Conflict` when the conversation is
in a state the action does not apply to, :class:`~agentdesk.errors.NotFound`.
"""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, text

from agentdesk.domain import (
    DISPOSITION_CODES,
    AgentInfo,
    AgentStatus,
    AuthorKind,
    Change,
    Channel,
    Claim,
    ConversationView,
    CustomerInfo,
    EventKind,
    MessageView,
    PastContact,
    QueueInfo,
    Status,
    Tier,
    WaitingRow,
)
from agentdesk.errors import Conflict, NotFound, StaleClaim, UsageError
from agentdesk.safetext import preview as make_preview
from agentdesk.store import ops

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy.engine import Connection

    from agentdesk.store.db import Store

MAX_MESSAGE_CHARS = 20_000
MAX_NOTE_CHARS = 5_000
PRIORITY_BY_TIER = {Tier.STANDARD: 0, Tier.GOLD: 1, Tier.PLATINUM: 2}

ToneFn = Callable[[str, Sequence[str], float], "tuple[str | None, dict[str, Any]]"]
"""(text, earlier customer messages, waited seconds) -> (tone level or None, event data)."""


@dataclass(frozen=True, slots=True)
class IncomingMessage:
    """One customer message for :meth:`Desk.ingest_messages`."""

    conversation_id: int
    body: str
    client_id: str | None = None  # give one so a retried batch inserts nothing twice
    at: float | None = None


def tone_analyzer() -> ToneFn:
    """The tone engine as the services use it: level plus the signals and evidence
    (recorded in the ``tone`` event, which the monitor's escalation list reads)."""
    from agentdesk.scripts import ToneContext, analyze

    def tone(text_: str, earlier: Sequence[str], waited_s: float) -> tuple[str | None, dict[str, Any]]:
        result = analyze(text_, ToneContext.of(earlier=tuple(earlier), waited_s=waited_s))
        data = result.to_json()
        data["summary"] = result.summary()
        return str(result.level), data

    return tone


def new_client_id() -> str:
    """A client-generated message id: made before the first attempt, reused on retry.

    A UUID version 7 (RFC 9562: 48 bits of Unix time in milliseconds, then 74 random
    bits), as 32 hex digits. Time first means new ids land at the end of the unique
    index on ``message.client_id`` instead of on a random page of it: with a million
    messages stored, random (version 4) ids dirtied a different index page per message,
    and a batch's commit wrote all of them to the log. (Python 3.14 has ``uuid.uuid7``;
    this is the same layout, written out for 3.11.)"""
    ms = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")  # 80 bits, 74 used
    value = (ms & 0xFFFF_FFFF_FFFF) << 80 | 0x7 << 76 | (rand >> 68 & 0xFFF) << 64 | 0b10 << 62 | rand & (2**62 - 1)
    return f"{value:032x}"


_WAITING_SELECT = (
    "SELECT c.id, c.queue_id, c.priority, c.enqueued_at, cu.name, c.channel, c.preview, "
    "c.tone, cu.tier FROM conversation c JOIN customer cu ON cu.id = c.customer_id "
)
_WAITING_ORDER = " ORDER BY c.priority DESC, c.enqueued_at, c.id"


def _waiting_row(r: Sequence[Any]) -> WaitingRow:
    return WaitingRow(
        id=r[0], queue_id=r[1], priority=r[2], enqueued_at=r[3], customer_name=r[4],
        channel=r[5], preview=r[6], tone=r[7], tier=r[8],
    )


class Desk:
    """The service layer over one :class:`~agentdesk.store.db.Store`. Thread-safe: every
    call runs in its own transaction on a pooled connection."""

    def __init__(self, store: "Store", *, clock: Callable[[], float] = time.time,
                 tone_fn: ToneFn | None | bool = True) -> None:
        """``tone_fn``: True (the default) runs the tone engine on customer messages;
        None/False skips it (bulk loads, benchmarks); or pass your own function."""
        self.store = store
        self.clock = clock
        self.tone_fn: ToneFn | None = tone_analyzer() if tone_fn is True else (tone_fn or None)

    # ------------------------------------------------------------------ set-up

    def create_queue(self, name: str, title: str, sl_target_s: int = 60, sl_goal: float = 0.8) -> QueueInfo:
        name = name.strip().lower()
        if not name:
            raise UsageError("a queue needs a name")
        with self.store.write() as conn:
            if conn.execute(text("SELECT 1 FROM queue WHERE name = :n"), {"n": name}).first():
                raise Conflict(f"queue {name!r} already exists")
            qid = conn.execute(
                text("INSERT INTO queue (name, title, sl_target_s, sl_goal) VALUES (:n, :t, :s, :g) RETURNING id"),
                {"n": name, "t": title, "s": int(sl_target_s), "g": float(sl_goal)},
            ).scalar_one()
        return QueueInfo(qid, name, title, int(sl_target_s), float(sl_goal))

    def create_agent(self, name: str, display_name: str | None = None, queues: Iterable[str] = (),
                     *, simulated: bool = False, status: str = AgentStatus.OFFLINE) -> AgentInfo:
        name = name.strip()
        if not name or len(name) > 64:
            raise UsageError("an agent name must be 1 to 64 characters")
        now = self.clock()
        with self.store.write() as conn:
            if conn.execute(text("SELECT 1 FROM agent WHERE name = :n"), {"n": name}).first():
                raise Conflict(f"agent {name!r} already exists")
            aid = conn.execute(
                text("INSERT INTO agent (name, display_name, status, status_since, simulated, created_at) "
                     "VALUES (:n, :d, :s, :now, :sim, :now) RETURNING id"),
                {"n": name, "d": display_name or name, "s": str(status), "now": now, "sim": simulated},
            ).scalar_one()
            qids = self._queue_ids(conn, queues)
            for qid in qids:
                conn.execute(text("INSERT INTO agent_queue (agent_id, queue_id) VALUES (:a, :q)"), {"a": aid, "q": qid})
        return AgentInfo(aid, name, display_name or name, str(status), now, tuple(qids), simulated)

    def create_customer(self, name: str, email: str | None = None, phone: str | None = None,
                        tier: str = Tier.STANDARD, created_at: float | None = None) -> CustomerInfo:
        if tier not in {t.value for t in Tier}:
            raise UsageError(f"unknown tier {tier!r}")
        created = self.clock() if created_at is None else created_at
        with self.store.write() as conn:
            cid = conn.execute(
                text("INSERT INTO customer (name, email, phone, tier, created_at) "
                     "VALUES (:n, :e, :p, :t, :c) RETURNING id"),
                {"n": name[:200], "e": email, "p": phone, "t": tier, "c": created},
            ).scalar_one()
        return CustomerInfo(cid, name[:200], email, phone, tier, created)

    def _queue_ids(self, conn: "Connection", queues: Iterable[str | int]) -> list[int]:
        ids = []
        for q in queues:
            ids.append(self._queue_id(conn, q))
        return ids

    def _queue_id(self, conn: "Connection", queue: str | int) -> int:
        if isinstance(queue, int):
            row = conn.execute(text("SELECT id FROM queue WHERE id = :q"), {"q": queue}).first()
        else:
            row = conn.execute(text("SELECT id FROM queue WHERE name = :q"), {"q": queue.strip().lower()}).first()
        if row is None:
            names = ", ".join(r[0] for r in conn.execute(text("SELECT name FROM queue ORDER BY name")))
            raise NotFound(f"unknown queue {queue!r} (queues: {names or 'none yet'})")
        return int(row[0])

    # ------------------------------------------------------------------ reads

    def queues(self) -> list[QueueInfo]:
        with self.store.read() as conn:
            return [QueueInfo(*r) for r in conn.execute(
                text("SELECT id, name, title, sl_target_s, sl_goal FROM queue ORDER BY id"))]

    def agents(self) -> list[AgentInfo]:
        with self.store.read() as conn:
            skills: dict[int, list[int]] = {}
            for aid, qid in conn.execute(text("SELECT agent_id, queue_id FROM agent_queue ORDER BY queue_id")):
                skills.setdefault(aid, []).append(qid)
            return [
                AgentInfo(r[0], r[1], r[2], r[3], r[4], tuple(skills.get(r[0], ())), bool(r[5]))
                for r in conn.execute(text(
                    "SELECT id, name, display_name, status, status_since, simulated FROM agent ORDER BY name"))
            ]

    def agent(self, name: str) -> AgentInfo:
        """The agent with this login name; NotFound lists the known ones."""
        for a in self.agents():
            if a.name == name:
                return a
        known = [a.name for a in self.agents() if not a.simulated]
        hint = f"known agents: {', '.join(known)}" if known else "no agents yet"
        raise NotFound(
            f"unknown agent {name!r} ({hint}); add one with `agentdesk agents add {name}`"
        )

    def agent_by_id(self, agent_id: int) -> AgentInfo:
        for a in self.agents():
            if a.id == agent_id:
                return a
        raise NotFound(f"unknown agent id {agent_id}")

    def waiting(self, queue_ids: Iterable[int] | None = None, limit: int | None = None) -> list[WaitingRow]:
        """Waiting conversations in queue order (priority, then longest wait)."""
        sql = _WAITING_SELECT + "WHERE c.status = 'waiting'"
        params: dict[str, Any] = {}
        stmt_extra = []
        if queue_ids is not None:
            sql += " AND c.queue_id IN :qids"
            params["qids"] = list(queue_ids)
            stmt_extra.append(bindparam("qids", expanding=True))
        sql += _WAITING_ORDER
        if limit is not None:
            sql += " LIMIT :limit"
            params["limit"] = int(limit)
        stmt = text(sql)
        if stmt_extra:
            stmt = stmt.bindparams(*stmt_extra)
        with self.store.read() as conn:
            return [_waiting_row(r) for r in conn.execute(stmt, params)]

    def waiting_index(self, head: int = 0) -> tuple[list[tuple[int, float, int, int]], list[WaitingRow]]:
        """Every waiting conversation's queue-order key ``(-priority, enqueued_at, id,
        queue_id)`` in queue order, and the full rows of the first ``head`` of them,
        read in one transaction (one snapshot).

        What a console needs to place, count and position a whole queue without reading
        every row's text: the keys come from the covering index
        ``ix_conversation_waiting`` alone (no table or customer lookups) and are fetched
        as plain tuples straight from the driver (100,000 keys in well under 100 ms on
        SQLite). Rows further down are read by id when they are shown
        (:meth:`waiting_rows`)."""
        with self.store.read() as conn:
            # Plain DB-API tuples that already are the keys: no Row objects and no copy
            # for 100,000 rows; sorted here (the index is in queue, then priority order).
            cursor = conn.connection.cursor()
            try:
                cursor.execute("SELECT -priority, enqueued_at, id, queue_id FROM conversation "
                               "WHERE status = 'waiting'")
                keys = cursor.fetchall()
            finally:
                cursor.close()
            rows = []
            if head > 0:
                rows = [_waiting_row(r) for r in conn.execute(
                    text(_WAITING_SELECT + "WHERE c.status = 'waiting'" + _WAITING_ORDER + " LIMIT :limit"),
                    {"limit": int(head)})]
        if keys and not isinstance(keys[0], tuple):
            keys = [tuple(k) for k in keys]
        keys.sort()
        return keys, rows

    def waiting_rows(self, ids: Iterable[int]) -> dict[int, WaitingRow | None]:
        """Current queue rows for these conversations (None: no longer waiting)."""
        ids = list(dict.fromkeys(int(i) for i in ids))
        out: dict[int, WaitingRow | None] = {i: None for i in ids}
        if not ids:
            return out
        # Rows by primary key, the status checked here: with "AND c.status = 'waiting'"
        # in the WHERE, PostgreSQL statistics taken while the queue was short make the
        # planner walk every waiting row of ix_conversation_queue_order instead (10 ms
        # per console per change at 50,000 waiting).
        stmt = text(_WAITING_SELECT.replace("SELECT ", "SELECT c.status, ", 1) + "WHERE c.id IN :ids").bindparams(
            bindparam("ids", expanding=True))
        with self.store.read() as conn:
            for start in range(0, len(ids), 500):
                for r in conn.execute(stmt, {"ids": ids[start:start + 500]}):
                    if r[0] == Status.WAITING:
                        out[r[1]] = _waiting_row(r[1:])
        return out

    def queue_counts(self) -> dict[int, tuple[int, float | None]]:
        """Per queue: (waiting count, oldest enqueued_at)."""
        with self.store.read() as conn:
            rows = conn.execute(text(
                "SELECT queue_id, count(*), min(enqueued_at) FROM conversation "
                "WHERE status = 'waiting' GROUP BY queue_id")).all()
        return {r[0]: (int(r[1]), r[2]) for r in rows}

    def my_conversations(self, agent_id: int) -> list[tuple[int, str, str, str, float]]:
        """(id, status, customer name, subject, updated_at) of an agent's open conversations."""
        with self.store.read() as conn:
            return [tuple(r) for r in conn.execute(text(
                "SELECT c.id, c.status, cu.name, c.subject, c.updated_at FROM conversation c "
                "JOIN customer cu ON cu.id = c.customer_id "
                "WHERE c.assignee_id = :a AND c.status IN ('active', 'on_hold', 'wrap_up') "
                "ORDER BY c.updated_at DESC"), {"a": agent_id})]

    def conversation(self, conversation_id: int, *, message_limit: int | None = None) -> ConversationView:
        """A conversation with its customer, history and (the latest ``message_limit``) messages."""
        with self.store.read() as conn:
            row = conn.execute(text(
                "SELECT c.id, c.queue_id, q.name, c.channel, c.subject, c.status, c.priority, c.created_at, "
                "c.enqueued_at, c.assignee_id, a.display_name, c.claim_version, c.hold_reason, "
                "c.handoff_note, c.disposition, c.tone, cu.id, cu.name, cu.email, cu.phone, cu.tier, cu.created_at "
                "FROM conversation c JOIN queue q ON q.id = c.queue_id "
                "JOIN customer cu ON cu.id = c.customer_id LEFT JOIN agent a ON a.id = c.assignee_id "
                "WHERE c.id = :id"), {"id": conversation_id}).first()
            if row is None:
                raise NotFound(f"no conversation #{conversation_id}")
            total = int(conn.execute(text("SELECT count(*) FROM message WHERE conversation_id = :id"),
                                     {"id": conversation_id}).scalar() or 0)
            messages = self._messages(conn, conversation_id, limit=message_limit)
            history = tuple(PastContact(*r) for r in conn.execute(text(
                "SELECT c.id, c.created_at, c.channel, q.name, c.subject, c.status, c.disposition "
                "FROM conversation c JOIN queue q ON q.id = c.queue_id "
                "WHERE c.customer_id = :cu AND c.id != :id ORDER BY c.created_at DESC LIMIT 20"),
                {"cu": row[16], "id": conversation_id}))
        customer = CustomerInfo(row[16], row[17], row[18], row[19], row[20], row[21])
        return ConversationView(
            id=row[0], queue_id=row[1], queue_name=row[2], channel=row[3], subject=row[4], status=row[5],
            priority=row[6], created_at=row[7], enqueued_at=row[8], assignee_id=row[9], assignee_name=row[10],
            claim_version=row[11], hold_reason=row[12], handoff_note=row[13], disposition=row[14], tone=row[15],
            customer=customer, messages=tuple(messages), history=history, total_messages=total,
        )

    def messages(self, conversation_id: int, *, before_id: int | None = None,
                 after_id: int | None = None, limit: int | None = None) -> list[MessageView]:
        with self.store.read() as conn:
            return self._messages(conn, conversation_id, before_id=before_id, after_id=after_id, limit=limit)

    def _messages(self, conn: "Connection", conversation_id: int, *, before_id: int | None = None,
                  after_id: int | None = None, limit: int | None = None) -> list[MessageView]:
        sql = ("SELECT m.id, m.client_id, m.kind, coalesce(a.display_name, cu.name), m.body, m.created_at "
               "FROM message m JOIN conversation c ON c.id = m.conversation_id "
               "JOIN customer cu ON cu.id = c.customer_id LEFT JOIN agent a ON a.id = m.agent_id "
               "WHERE m.conversation_id = :id")
        params: dict[str, Any] = {"id": conversation_id}
        if before_id is not None:
            sql += " AND m.id < :before"
            params["before"] = before_id
        if after_id is not None:
            sql += " AND m.id > :after"
            params["after"] = after_id
        if limit is not None:
            sql += " ORDER BY m.id DESC LIMIT :limit"
            params["limit"] = int(limit)
            rows = list(conn.execute(text(sql), params))[::-1]
        else:
            rows = list(conn.execute(text(sql + " ORDER BY m.id"), params))
        out = []
        for r in rows:
            author = r[3] if r[2] in (AuthorKind.CUSTOMER, AuthorKind.AGENT, AuthorKind.NOTE) else "system"
            out.append(MessageView(r[0], r[1], r[2], author, r[4], r[5]))
        return out

    def changes_since(self, event_id: int, limit: int = 2000) -> list[Change]:
        """Events after ``event_id`` in order: the change feed consoles poll."""
        with self.store.read() as conn:
            rows = conn.execute(text(
                "SELECT id, kind, conversation_id, agent_id, at, data FROM event WHERE id > :id "
                "ORDER BY id LIMIT :n"), {"id": event_id, "n": limit}).all()
        return _changes(rows)

    def changes_in(self, event_ids: Sequence[int]) -> list[Change]:
        """These events, if they are visible now (a change feed filling gaps)."""
        if not event_ids:
            return []
        stmt = text("SELECT id, kind, conversation_id, agent_id, at, data FROM event WHERE id IN :ids "
                    "ORDER BY id").bindparams(bindparam("ids", expanding=True))
        with self.store.read() as conn:
            rows = conn.execute(stmt, {"ids": [int(i) for i in event_ids]}).all()
        return _changes(rows)

    def events(self, conversation_id: int) -> list[Change]:
        """A conversation's whole event log in order (its recording)."""
        with self.store.read() as conn:
            rows = conn.execute(text(
                "SELECT id, kind, conversation_id, agent_id, at, data FROM event WHERE conversation_id = :c "
                "ORDER BY id"), {"c": conversation_id}).all()
        return _changes(rows)


    def last_event_id(self) -> int:
        return self.store.last_event_id()

    def recent_event_ids(self, window: int) -> list[int]:
        """Visible event ids among the ``window`` ids below and up to the highest one,
        in one statement (one snapshot): where a change feed starts, and which ids
        below it are still in flight."""
        with self.store.read() as conn:
            return [int(r[0]) for r in conn.execute(text(
                "SELECT id FROM event WHERE id > (SELECT coalesce(max(id), 0) FROM event) - :w ORDER BY id"),
                {"w": int(window)})]

    # ------------------------------------------------------------------ customer side

    def arrive(self, customer_id: int, queue: str | int, channel: str, body: str, *, subject: str = "",
               priority: int | None = None, at: float | None = None, client_id: str | None = None,
               author: str = AuthorKind.CUSTOMER) -> int:
        """A customer contact arrives and starts waiting; returns the conversation id.
        ``author`` is ``system`` for a phone call's opening call note."""
        if author not in (AuthorKind.CUSTOMER, AuthorKind.SYSTEM):
            raise UsageError(f"an arriving message is written by the customer or the system, not {author!r}")
        if channel not in {c.value for c in Channel}:
            raise UsageError(f"unknown channel {channel!r}")
        body = _check_body(body, "message")
        now = self.clock() if at is None else at
        with self.store.write() as conn:
            qid = self._queue_id(conn, queue)
            tier_row = conn.execute(text("SELECT tier FROM customer WHERE id = :c"), {"c": customer_id}).first()
            if tier_row is None:
                raise NotFound(f"no customer #{customer_id}")
            if priority is None:
                priority = PRIORITY_BY_TIER.get(tier_row[0], 0)
            tone, tone_data = self._tone(body, (), 0.0) if author == AuthorKind.CUSTOMER else (None, {})
            cid = conn.execute(text(
                "INSERT INTO conversation (customer_id, queue_id, channel, subject, status, priority, created_at, "
                "enqueued_at, claim_version, preview, tone, updated_at) VALUES (:cu, :q, :ch, :s, 'waiting', :p, "
                ":now, :now, 0, :pv, :tone, :now) RETURNING id"),
                {"cu": customer_id, "q": qid, "ch": channel, "s": subject[:300], "p": int(priority), "now": now,
                 "pv": make_preview(body, 200), "tone": tone}).scalar_one()
            ops.append_event(conn, EventKind.ARRIVED, now, cid, None,
                             {"queue_id": qid, "channel": channel, "priority": int(priority),
                              "customer_id": int(customer_id)})
            mid = ops.insert_message(conn, cid, client_id or new_client_id(), author, body, now)
            if mid is None:
                raise Conflict("this message was already recorded (duplicate client id)")
            ops.append_event(conn, EventKind.MESSAGE, now, cid, None, {"message_id": mid, "author": str(author)})
            if tone is not None:
                ops.append_event(conn, EventKind.TONE, now, cid, None, {"message_id": mid, **tone_data})
        return int(cid)

    def customer_message(self, conversation_id: int, body: str, *, client_id: str | None = None,
                         at: float | None = None) -> int | None:
        """A customer writes into their conversation. A resolved or abandoned conversation
        reopens into its queue. Returns the message id (None if it was a retry)."""
        body = _check_body(body, "message")
        now = self.clock() if at is None else at
        client_id = client_id or new_client_id()
        with self.store.write() as conn:
            if self._existing_message(conn, client_id) is not None:
                return None
            row = conn.execute(text("SELECT status, enqueued_at FROM conversation WHERE id = :id"),
                               {"id": conversation_id}).first()
            if row is None:
                raise NotFound(f"no conversation #{conversation_id}")
            status, enqueued_at = row
            earlier = [r[0] for r in conn.execute(text(
                "SELECT body FROM message WHERE conversation_id = :id AND kind = 'customer' "
                "ORDER BY id DESC LIMIT 5"), {"id": conversation_id})][::-1]
            waited = max(0.0, now - enqueued_at) if status == Status.WAITING else 0.0
            tone, tone_data = self._tone(body, earlier, waited)
            if status in (Status.RESOLVED, Status.ABANDONED):
                conn.execute(text(
                    "UPDATE conversation SET status = 'waiting', assignee_id = NULL, enqueued_at = :now, "
                    "claim_version = claim_version + 1, disposition = NULL, resolved_at = NULL, "
                    "updated_at = :now WHERE id = :id"), {"now": now, "id": conversation_id})
                ops.append_event(conn, EventKind.REOPENED, now, conversation_id, None,
                                 {"by": "customer", "from": status})
            conn.execute(text(
                "UPDATE conversation SET preview = :pv, tone = coalesce(:tone, tone), updated_at = :now "
                "WHERE id = :id"), {"pv": make_preview(body, 200), "tone": tone, "now": now, "id": conversation_id})
            mid = ops.insert_message(conn, conversation_id, client_id, AuthorKind.CUSTOMER, body, now)
            if mid is None:
                return None
            ops.append_event(conn, EventKind.MESSAGE, now, conversation_id, None,
                             {"message_id": mid, "author": "customer"})
            if tone is not None:
                ops.append_event(conn, EventKind.TONE, now, conversation_id, None, {"message_id": mid, **tone_data})
        return mid

    def ingest_messages(self, batch: Sequence["IncomingMessage"]) -> int:
        """Customer messages in bulk (a channel integration catching up, an import): one
        transaction, each message written exactly as :meth:`customer_message` writes it —
        the row with its client id (a retry inserts nothing), its ``message`` event, the
        conversation's preview — with one statement per kind of row for the whole batch.
        The tone engine reads the newest message of each conversation in the batch.
        A message into a resolved or abandoned conversation reopens it, as one at a time
        would. Returns how many messages were new."""
        if not batch:
            return 0
        now = self.clock()
        items = []
        for m in batch:
            body = _check_body(m.body, "message")
            items.append((int(m.conversation_id), body, m.client_id or new_client_id(),
                          now if m.at is None else float(m.at)))
        ids = sorted({cid for cid, *_ in items})
        with self.store.write() as conn:
            status: dict[int, tuple[str, float]] = {}
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                stmt = text("SELECT id, status, enqueued_at FROM conversation WHERE id IN :ids").bindparams(
                    bindparam("ids", expanding=True))
                status.update({r[0]: (r[1], r[2]) for r in conn.execute(stmt, {"ids": chunk})})
            missing = [cid for cid in ids if cid not in status]
            if missing:
                raise NotFound(f"no conversation #{missing[0]}")
            reopen = [cid for cid in ids if status[cid][0] in (Status.RESOLVED, Status.ABANDONED)]
            if reopen:
                # rare: write the first message of each such conversation the one-at-a-time way
                first = {}
                for item in items:
                    first.setdefault(item[0], item)
                for cid in reopen:
                    conn.execute(text(
                        "UPDATE conversation SET status = 'waiting', assignee_id = NULL, enqueued_at = :now, "
                        "claim_version = claim_version + 1, disposition = NULL, resolved_at = NULL, "
                        "updated_at = :now WHERE id = :id"), {"now": first[cid][3], "id": cid})
                    ops.append_event(conn, EventKind.REOPENED, first[cid][3], cid, None,
                                     {"by": "customer", "from": status[cid][0]})
                    status[cid] = (Status.WAITING, first[cid][3])
            # multi-row INSERT … ON CONFLICT DO NOTHING RETURNING: the ids of the rows this
            # batch added; a retried message conflicts and returns nothing
            new_ids: dict[str, int] = {}
            for start in range(0, len(items), 400):
                chunk = items[start:start + 400]
                rows = _insert_returning(
                    conn, "INSERT INTO message (conversation_id, client_id, kind, agent_id, body, created_at) VALUES ",
                    "(?, ?, 'customer', NULL, ?, ?)", [(cid, client, body, at) for cid, body, client, at in chunk],
                    " ON CONFLICT (client_id) DO NOTHING RETURNING client_id, id")
                new_ids.update({r[0]: int(r[1]) for r in rows})
            fresh = [item for item in items if item[2] in new_ids]
            _executemany(conn, "INSERT INTO event (at, kind, conversation_id, agent_id, data) "
                         "VALUES (?, 'message', ?, NULL, ?)",
                         [(at, cid, json.dumps({"message_id": new_ids[client], "author": "customer"},
                                               separators=(",", ":"))) for cid, _body, client, at in fresh])
            latest: dict[int, tuple[str, float, int]] = {}
            for cid, body, client, at in fresh:
                latest[cid] = (body, at, new_ids[client])
            updates, tone_events = [], []
            for cid, (body, at, mid) in latest.items():
                st, enqueued = status[cid]
                waited = max(0.0, at - enqueued) if st == Status.WAITING else 0.0
                tone, tone_data = self._tone(body, (), waited)
                updates.append((make_preview(body, 200), tone, at, cid))
                if tone is not None:
                    tone_events.append((at, cid, json.dumps({"message_id": mid, **tone_data}, ensure_ascii=False,
                                                            separators=(",", ":"))))
                ops.touch(conn, cid)
            _executemany(conn, "UPDATE conversation SET preview = ?, tone = coalesce(?, tone), updated_at = ? "
                         "WHERE id = ?", updates)
            _executemany(conn, "INSERT INTO event (at, kind, conversation_id, agent_id, data) "
                         "VALUES (?, 'tone', ?, NULL, ?)", tone_events)
        return len(fresh)

    def _client_ids(self, conn: "Connection", client_ids: Sequence[str]) -> dict[str, int]:
        """Message id by client id, for those of ``client_ids`` that exist."""
        out: dict[str, int] = {}
        stmt = text("SELECT client_id, id FROM message WHERE client_id IN :c").bindparams(
            bindparam("c", expanding=True))
        for start in range(0, len(client_ids), 500):
            out.update({r[0]: int(r[1]) for r in conn.execute(stmt, {"c": list(client_ids[start:start + 500])})})
        return out

    def abandon(self, conversation_id: int, *, at: float | None = None) -> bool:
        """A waiting customer gives up. Returns False if it was no longer waiting."""
        now = self.clock() if at is None else at
        with self.store.write() as conn:
            row = conn.execute(text(
                "UPDATE conversation SET status = 'abandoned', claim_version = claim_version + 1, updated_at = :now "
                "WHERE id = :id AND status = 'waiting' RETURNING enqueued_at"),
                {"now": now, "id": conversation_id}).first()
            if row is None:
                return False
            ops.append_event(conn, EventKind.ABANDONED, now, conversation_id, None,
                             {"waited_s": round(now - row[0], 3)})
        return True

    def _tone(self, body: str, earlier: Sequence[str], waited_s: float) -> tuple[str | None, dict[str, Any]]:
        if self.tone_fn is None:
            return None, {}
        return self.tone_fn(body, earlier, waited_s)

    # ------------------------------------------------------------------ agent side

    def set_agent_status(self, agent_id: int, status: str) -> AgentInfo:
        if status not in {s.value for s in AgentStatus}:
            raise UsageError(f"unknown agent status {status!r}")
        now = self.clock()
        with self.store.write() as conn:
            row = conn.execute(text("SELECT status FROM agent WHERE id = :a"), {"a": agent_id}).first()
            if row is None:
                raise NotFound(f"unknown agent id {agent_id}")
            if row[0] != status:
                conn.execute(text("UPDATE agent SET status = :s, status_since = :now WHERE id = :a"),
                             {"s": status, "now": now, "a": agent_id})
                ops.append_event(conn, EventKind.AGENT_STATUS, now, None, agent_id, {"status": status, "from": row[0]})
        return self.agent_by_id(agent_id)

    def _require_available(self, conn: "Connection", agent_id: int) -> None:
        row = conn.execute(text("SELECT status, name FROM agent WHERE id = :a"), {"a": agent_id}).first()
        if row is None:
            raise NotFound(f"unknown agent id {agent_id}")
        if row[0] != AgentStatus.AVAILABLE:
            raise Conflict(f"{row[1]} is {row[0]}: become available before claiming")

    def claim_next(self, agent_id: int, queue_ids: Iterable[int] | None = None) -> Claim | None:
        """Take the first waiting conversation in queue order (from the agent's queues, or
        ``queue_ids``). Exactly one console wins each conversation. None if nothing waits."""
        now = self.clock()
        if not self.store.is_sqlite:
            return self._claim_next_pg(agent_id, queue_ids, now)
        with self.store.sqlite_write() as driver:
            row = ops.claim_next_sqlite(driver, agent_id, now, None if queue_ids is None else list(queue_ids))
            if row is None:
                agent = driver.execute("SELECT status, name FROM agent WHERE id = ?", (agent_id,)).fetchone()
        if row is None:
            if agent is None:
                raise NotFound(f"unknown agent id {agent_id}")
            if agent[0] != AgentStatus.AVAILABLE:
                raise Conflict(f"{agent[1]} is {agent[0]}: become available before claiming")
            return None
        return Claim(row[0], row[1], agent_id)

    def _claim_next_pg(self, agent_id: int, queue_ids: Iterable[int] | None, now: float) -> Claim | None:
        """The same claim on PostgreSQL: one call of the server-side claim function, then
        its NOTIFY (see :func:`ops.claim_next_pg`)."""
        with self.store.single_statement() as driver:
            row = ops.claim_next_pg(driver, agent_id, now, self.store.notify_channel,
                                    None if queue_ids is None else list(queue_ids))
        if row is None:
            raise NotFound(f"unknown agent id {agent_id}")
        status, name, cid, version = row
        if cid is not None:
            return Claim(int(cid), int(version), agent_id)
        if status != AgentStatus.AVAILABLE:
            raise Conflict(f"{name} is {status}: become available before claiming")
        return None

    def claim(self, agent_id: int, conversation_id: int) -> Claim:
        """Take this waiting conversation; Conflict if someone else was faster."""
        now = self.clock()
        with self.store.write() as conn:
            self._require_available(conn, agent_id)
            row = conn.execute(text(
                "UPDATE conversation SET status = 'active', assignee_id = :agent, claim_version = claim_version + 1, "
                "claimed_at = :now, updated_at = :now WHERE id = :id AND status = 'waiting' "
                "RETURNING claim_version, queue_id, enqueued_at"),
                {"agent": agent_id, "now": now, "id": conversation_id}).first()
            if row is None:
                raise self._why_not(conn, conversation_id, "claim")
            version, qid, enqueued_at = row
            ops.append_event(conn, EventKind.CLAIMED, now, conversation_id, agent_id,
                             {"queue_id": qid, "waited_s": round(now - enqueued_at, 3), "version": version})
        return Claim(conversation_id, int(version), agent_id)

    def current_claim(self, agent_id: int, conversation_id: int) -> Claim | None:
        """This agent's claim on a conversation it holds (after a restart), else None."""
        with self.store.read() as conn:
            row = conn.execute(text(
                "SELECT claim_version FROM conversation WHERE id = :id AND assignee_id = :a "
                "AND status IN ('active', 'on_hold', 'wrap_up')"), {"id": conversation_id, "a": agent_id}).first()
        return Claim(conversation_id, int(row[0]), agent_id) if row else None

    def reply(self, claim: Claim, body: str, *, client_id: str | None = None) -> int:
        """Send a reply to the customer. Idempotent for the same ``client_id``."""
        return self._agent_message(claim, body, AuthorKind.AGENT, client_id)

    def note(self, claim: Claim, body: str, *, client_id: str | None = None) -> int:
        """Add an internal note (never shown to the customer)."""
        return self._agent_message(claim, body, AuthorKind.NOTE, client_id)

    def _agent_message(self, claim: Claim, body: str, kind: AuthorKind, client_id: str | None) -> int:
        body = _check_body(body, "note" if kind == AuthorKind.NOTE else "reply",
                           MAX_NOTE_CHARS if kind == AuthorKind.NOTE else MAX_MESSAGE_CHARS)
        now = self.clock()
        client_id = client_id or new_client_id()
        with self.store.write() as conn:
            existing = self._existing_message(conn, client_id)
            if existing is not None:
                return existing  # a retry of a write that already landed
            first = ", first_response_at = coalesce(first_response_at, :now)" if kind == AuthorKind.AGENT else ""
            self._guarded(conn, claim, f"updated_at = :now{first}", {"now": now},
                          statuses=(Status.ACTIVE, Status.ON_HOLD, Status.WRAP_UP), action="write")
            mid = ops.insert_message(conn, claim.conversation_id, client_id, kind, body, now, claim.agent_id)
            if mid is None:  # a concurrent retry won the insert
                existing = self._existing_message(conn, client_id)
                assert existing is not None
                return existing
            ops.append_event(conn, EventKind.NOTE if kind == AuthorKind.NOTE else EventKind.MESSAGE, now,
                             claim.conversation_id, claim.agent_id, {"message_id": mid, "author": str(kind)})
        return mid

    def queue_update(self, agent_id: int, conversation_id: int, body: str, *,
                     client_id: str | None = None) -> int:
        """Tell a waiting customer how things stand without taking the conversation: an
        agent message into a conversation that stays in the queue. Idempotent per
        ``client_id``."""
        body = _check_body(body, "update")
        now = self.clock()
        client_id = client_id or new_client_id()
        with self.store.write() as conn:
            existing = self._existing_message(conn, client_id)
            if existing is not None:
                return existing
            n = conn.execute(text("UPDATE conversation SET updated_at = :now WHERE id = :id AND status = 'waiting'"),
                             {"now": now, "id": conversation_id}).rowcount
            if n != 1:
                raise self._why_not(conn, conversation_id, "send an update to")
            mid = ops.insert_message(conn, conversation_id, client_id, AuthorKind.AGENT, body, now, agent_id)
            ops.append_event(conn, EventKind.MESSAGE, now, conversation_id, agent_id,
                             {"message_id": mid, "author": "agent", "queue_update": True})
        return int(mid)

    def hold(self, claim: Claim, reason: str) -> None:
        reason = (reason or "").strip()
        if not reason:
            raise UsageError("say why the conversation goes on hold (the reason is required)")
        now = self.clock()
        with self.store.write() as conn:
            self._guarded(conn, claim, "status = 'on_hold', hold_reason = :r, updated_at = :now",
                          {"r": reason[:500], "now": now}, statuses=(Status.ACTIVE,), action="hold")
            self._system(conn, claim.conversation_id, f"On hold: {reason[:500]}", now)
            ops.append_event(conn, EventKind.HELD, now, claim.conversation_id, claim.agent_id, {"reason": reason[:500]})

    def resume(self, claim: Claim) -> None:
        now = self.clock()
        with self.store.write() as conn:
            self._guarded(conn, claim, "status = 'active', hold_reason = NULL, updated_at = :now",
                          {"now": now}, statuses=(Status.ON_HOLD,), action="resume")
            self._system(conn, claim.conversation_id, "Resumed", now)
            ops.append_event(conn, EventKind.RESUMED, now, claim.conversation_id, claim.agent_id, {})

    def wrap_up(self, claim: Claim) -> None:
        """The customer has left; the agent finishes notes before resolving (after-call work)."""
        now = self.clock()
        with self.store.write() as conn:
            self._guarded(conn, claim, "status = 'wrap_up', hold_reason = NULL, updated_at = :now", {"now": now},
                          statuses=(Status.ACTIVE, Status.ON_HOLD), action="wrap up")
            ops.append_event(conn, EventKind.WRAP_UP, now, claim.conversation_id, claim.agent_id, {})

    def system_message(self, conversation_id: int, body: str, *, client_id: str | None = None,
                       at: float | None = None) -> int | None:
        """A line written by the system into a conversation (e.g. a caller still holding)."""
        body = _check_body(body, "message")
        now = self.clock() if at is None else at
        with self.store.write() as conn:
            if conn.execute(text("SELECT 1 FROM conversation WHERE id = :id"), {"id": conversation_id}).first() is None:
                raise NotFound(f"no conversation #{conversation_id}")
            mid = ops.insert_message(conn, conversation_id, client_id or new_client_id(), AuthorKind.SYSTEM, body, now)
            if mid is not None:
                ops.append_event(conn, EventKind.MESSAGE, now, conversation_id, None,
                                 {"message_id": mid, "author": "system"})
        return mid

    def transfer(self, claim: Claim, queue: str | int, note: str) -> None:
        """Send the conversation back to waiting on another queue, with a hand-off note the
        next agent sees first. The claim ends here."""
        note = (note or "").strip()
        if not note:
            raise UsageError("a transfer needs a hand-off note, so the customer never repeats themselves")
        if len(note) > MAX_NOTE_CHARS:
            raise UsageError(f"the hand-off note is too long (at most {MAX_NOTE_CHARS} characters)")
        now = self.clock()
        with self.store.write() as conn:
            to_qid = self._queue_id(conn, queue)
            from_row = conn.execute(text(
                "SELECT q.id, q.title FROM conversation c JOIN queue q ON q.id = c.queue_id WHERE c.id = :id"),
                {"id": claim.conversation_id}).first()
            if from_row is None:
                raise NotFound(f"no conversation #{claim.conversation_id}")
            if from_row[0] == to_qid:
                raise UsageError("the conversation is already in that queue; choose another queue")
            to_title = conn.execute(text("SELECT title FROM queue WHERE id = :q"), {"q": to_qid}).scalar_one()
            self._guarded(conn, claim,
                          "status = 'waiting', queue_id = :q, assignee_id = NULL, enqueued_at = :now, "
                          "handoff_note = :note, hold_reason = NULL, updated_at = :now",
                          {"q": to_qid, "note": note, "now": now},
                          statuses=(Status.ACTIVE, Status.ON_HOLD, Status.WRAP_UP), action="transfer",
                          bump_version=True)
            agent_name = conn.execute(text("SELECT display_name FROM agent WHERE id = :a"),
                                      {"a": claim.agent_id}).scalar_one()
            self._system(conn, claim.conversation_id,
                         f"Transferred from {from_row[1]} to {to_title} by {agent_name}", now)
            mid = ops.insert_message(conn, claim.conversation_id, new_client_id(), AuthorKind.NOTE,
                                     f"Hand-off: {note}", now, claim.agent_id)
            ops.append_event(conn, EventKind.TRANSFERRED, now, claim.conversation_id, claim.agent_id,
                             {"from_queue_id": from_row[0], "to_queue_id": to_qid, "note": note, "message_id": mid})

    def resolve(self, claim: Claim, disposition: str, note: str | None = None) -> None:
        if disposition not in DISPOSITION_CODES:
            raise UsageError(f"unknown disposition {disposition!r} (choose one of: {', '.join(sorted(DISPOSITION_CODES))})")
        now = self.clock()
        with self.store.write() as conn:
            self._guarded(conn, claim,
                          "status = 'resolved', disposition = :d, resolved_at = :now, hold_reason = NULL, "
                          "updated_at = :now", {"d": disposition, "now": now},
                          statuses=(Status.ACTIVE, Status.ON_HOLD, Status.WRAP_UP), action="resolve")
            data: dict[str, Any] = {"disposition": disposition}
            if note and note.strip():
                mid = ops.insert_message(conn, claim.conversation_id, new_client_id(), AuthorKind.NOTE,
                                         note.strip()[:MAX_NOTE_CHARS], now, claim.agent_id)
                data["note_message_id"] = mid
            ops.append_event(conn, EventKind.RESOLVED, now, claim.conversation_id, claim.agent_id, data)

    def reopen(self, agent_id: int, conversation_id: int, reason: str = "") -> Claim:
        """Reopen a resolved (or abandoned) conversation and take it."""
        now = self.clock()
        with self.store.write() as conn:
            # The old disposition goes into the event; the row's is cleared (an open
            # conversation has none). Locked on PostgreSQL so both come from one version.
            lock = " FOR UPDATE" if ops.is_pg(conn) else ""
            previous = conn.execute(text(f"SELECT disposition FROM conversation WHERE id = :id{lock}"),
                                    {"id": conversation_id}).scalar()
            row = conn.execute(text(
                "UPDATE conversation SET status = 'active', assignee_id = :a, claim_version = claim_version + 1, "
                "claimed_at = :now, resolved_at = NULL, disposition = NULL, updated_at = :now "
                "WHERE id = :id AND status IN ('resolved', 'abandoned') RETURNING claim_version"),
                {"a": agent_id, "now": now, "id": conversation_id}).first()
            if row is None:
                raise self._why_not(conn, conversation_id, "reopen")
            self._system(conn, conversation_id, "Reopened" + (f": {reason.strip()}" if reason.strip() else ""), now)
            ops.append_event(conn, EventKind.REOPENED, now, conversation_id, agent_id,
                             {"by": "agent", "previous_disposition": previous, "reason": reason.strip()})
        return Claim(conversation_id, int(row[0]), agent_id)

    def set_csat(self, conversation_id: int, score: int) -> None:
        if not 1 <= int(score) <= 5:
            raise UsageError("CSAT is a score from 1 to 5")
        now = self.clock()
        with self.store.write() as conn:
            n = conn.execute(text("UPDATE conversation SET csat = :s WHERE id = :id"),
                             {"s": int(score), "id": conversation_id}).rowcount
            if not n:
                raise NotFound(f"no conversation #{conversation_id}")
            ops.append_event(conn, EventKind.CSAT, now, conversation_id, None, {"score": int(score)})

    def record(self, kind: str, *, conversation_id: int | None = None, agent_id: int | None = None,
               data: dict[str, Any] | None = None, at: float | None = None) -> int:
        """Append an event that changes no state (wait_quoted, suggestion_shown …)."""
        now = self.clock() if at is None else at
        with self.store.write() as conn:
            return ops.append_event(conn, kind, now, conversation_id, agent_id, data)

    def record_many(self, events: Sequence[tuple[str, int | None, int | None, dict[str, Any]]],
                    at: float | None = None) -> None:
        """Append several state-free events in one transaction (e.g. a batch of quotes)."""
        if not events:
            return
        now = self.clock() if at is None else at
        with self.store.write() as conn:
            for kind, cid, aid, data in events:
                ops.append_event(conn, kind, now, cid, aid, data)

    # ------------------------------------------------------------------ helpers

    def _existing_message(self, conn: "Connection", client_id: str) -> int | None:
        row = conn.execute(text("SELECT id FROM message WHERE client_id = :c"), {"c": client_id}).first()
        return int(row[0]) if row else None

    def _system(self, conn: "Connection", conversation_id: int, body: str, at: float) -> None:
        ops.insert_message(conn, conversation_id, new_client_id(), AuthorKind.SYSTEM, body, at)

    def _guarded(self, conn: "Connection", claim: Claim, assignments: str, params: dict[str, Any], *,
                 statuses: Sequence[str], action: str, bump_version: bool = False) -> None:
        """Apply an update only if this claim still owns the conversation in one of
        ``statuses``; otherwise raise StaleClaim/Conflict (and the transaction rolls back)."""
        bump = ", claim_version = claim_version + 1" if bump_version else ""
        stmt = text(
            f"UPDATE conversation SET {assignments}{bump} WHERE id = :id AND claim_version = :v "
            "AND assignee_id = :agent AND status IN :statuses"
        ).bindparams(bindparam("statuses", expanding=True))
        n = conn.execute(stmt, {**params, "id": claim.conversation_id, "v": claim.version,
                                "agent": claim.agent_id, "statuses": [str(s) for s in statuses]}).rowcount
        if n != 1:
            raise self._why_not(conn, claim.conversation_id, action, claim)

    def _why_not(self, conn: "Connection", conversation_id: int, action: str, claim: Claim | None = None) -> Exception:
        row = conn.execute(text(
            "SELECT c.status, c.claim_version, c.assignee_id, a.display_name FROM conversation c "
            "LEFT JOIN agent a ON a.id = c.assignee_id WHERE c.id = :id"), {"id": conversation_id}).first()
        if row is None:
            return NotFound(f"no conversation #{conversation_id}")
        status, version, assignee, assignee_name = row
        label = str(status).replace("_", " ")
        if claim is not None and (version != claim.version or assignee != claim.agent_id):
            who = f"{assignee_name} has it now" if assignee_name and assignee != claim.agent_id else f"it is {label} now"
            return StaleClaim(
                f"conversation #{conversation_id} changed hands ({who}); your {action} was not saved"
            )
        if action == "claim":
            who = f" by {assignee_name}" if assignee_name else ""
            return Conflict(f"conversation #{conversation_id} is already taken{who} (it is {label})")
        return Conflict(f"cannot {action} conversation #{conversation_id}: it is {label}")


def _insert_returning(conn: "Connection", head: str, row: str, rows: Sequence[tuple], tail: str) -> list:
    """One multi-row ``INSERT … VALUES (…), (…) … RETURNING`` (``?`` placeholders)."""
    if not rows:
        return []
    sql = head + ", ".join([row] * len(rows)) + tail
    if conn.dialect.name == "postgresql":
        sql = sql.replace("?", "%s")
    params = tuple(v for r in rows for v in r)
    return conn.exec_driver_sql(sql, params).fetchall()


def _executemany(conn: "Connection", sql: str, rows: Sequence[tuple]) -> None:
    """One statement for many rows on the driver's ``executemany`` (``?`` placeholders,
    rewritten for psycopg): the bulk path, without per-row compiling."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        sql = sql.replace("?", "%s")
    conn.exec_driver_sql(sql, list(rows))


def _changes(rows: Sequence[Sequence[Any]]) -> list[Change]:
    out = []
    for r in rows:
        data = r[5]
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except ValueError:
                data = {}
        out.append(Change(int(r[0]), r[1], r[2], r[3], r[4], data or {}))
    return out


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _check_body(body: str, what: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    if not isinstance(body, str):
        raise UsageError(f"the {what} must be text")
    # A lone surrogate (from a JSON import, say) cannot be stored as UTF-8; keep the
    # rest of the message and mark the spot, as a UTF-8 decoder would.
    body = _LONE_SURROGATE.sub("\ufffd", body)
    if not body.strip():
        raise UsageError(f"the {what} is empty")
    if len(body) > limit:
        raise UsageError(f"the {what} is too long ({len(body):,} characters; at most {limit:,})")
    return body.rstrip()
