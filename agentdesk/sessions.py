"""Session recordings as a service: between the store and :class:`~agentdesk.replay.session.Session`,
and what a trainer's replay and role-play need on top of the pure replay engine.

* **Export** (:func:`export_sessions`): a conversation's event log and messages become
  one recording in the ``agentdesk.session`` format (``docs/sessions.md``), redacted
  by default; the file is written atomically, so a failure (redaction included)
  leaves nothing behind.
* **Import** (:func:`import_sessions`): recordings go into the store in **one
  transaction** — queues, agents and customers created as needed, messages with their
  client ids, every event — all or nothing. A recording whose messages are already in
  the store (same client ids) is skipped, so importing the same file twice is harmless.
* **Sources and annotations** (:func:`load_source`, :func:`save_annotation`): what a
  replay shows and where a trainer's note on a turn is kept — an ``annotation`` event
  in the store, the session file itself (rewritten atomically), or for a packaged
  sample a copy in the user data folder.
* **Analysis** (:class:`ReplayAnalysis`): at each customer turn, the tone engine's
  reading (with its evidence) and the suggestions the engine makes *now*, what the agent
  actually answered and how that answer scores, and the wait quote against the wait.
* **Role-play** (:class:`PracticeRun`): the trainee's replies scored with
  :mod:`agentdesk.replay.scoring`, the tone level coming from the tone engine.

Deterministic: nothing here reads a clock except where a time is passed in, and the
engines are pure; the same recording with the same engines (:func:`engine_version`)
gives the same suggestions and the same scores.

Layering: this is a service. It imports SQLAlchemy, the store and the engines lazily,
inside the functions that need them, so the replay UI starts without them.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agentdesk.domain import DISPOSITION_CODES, TONE_SEVERITY, AuthorKind, EventKind, Tier
from agentdesk.errors import Conflict, InputFileError, NotFound, UsageError
from agentdesk.replay.session import (
    KINDS,
    TONE_LEVELS,
    Customer,
    Session,
    SessionEvent,
    read_sessions,
    session_lines,
    write_sessions,
)
from agentdesk.replay.timeline import Turn, TurnKind, WaitCheck, build_turns

if TYPE_CHECKING:  # pragma: no cover
    from sqlalchemy.engine import Connection

    from agentdesk.replay.scoring import PracticePrompt, Scorecard, TurnScore
    from agentdesk.scripts.loader import Library
    from agentdesk.scripts.tone import ToneResult
    from agentdesk.store.db import Store

SESSION_ID_PREFIX = "conversation-"
"""Exported recordings are called ``conversation-<id>`` (the store's conversation id)."""

_CLIENT_ID_NS = uuid.UUID("6f1c8a52-5d0e-4f7e-9a43-2b9a4c3e1d07")
"""Namespace of the client ids derived for recorded messages that carry none."""

_PRIORITY_BY_TIER = {Tier.STANDARD.value: 0, Tier.GOLD.value: 1, Tier.PLATINUM.value: 2}


# ============================================================================ --since


_RELATIVE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|secs|m|min|mins|h|hr|hrs|d|day|days|w|wk|wks)\s*$", re.I)
_UNIT_S = {"s": 1, "sec": 1, "secs": 1, "m": 60, "min": 60, "mins": 60, "h": 3600, "hr": 3600, "hrs": 3600,
           "d": 86400, "day": 86400, "days": 86400, "w": 604800, "wk": 604800, "wks": 604800}


def parse_since(value: str, *, now: float | None = None) -> float:
    """The epoch seconds meant by a ``--since`` value.

    Accepted: a relative age — ``90m``, ``24h``, ``7d``, ``2w`` (also ``s``, ``min``,
    ``hrs``, ``days``…), meaning that long before ``now``; an ISO date ``2026-11-01``
    (midnight) or date and time ``2026-11-01T09:30`` / ``2026-11-01 09:30:00`` (local
    time) or with an offset ``2026-11-01T09:30+01:00`` / ``…Z`` (UTC). A time in the
    future is refused.
    """
    now = time.time() if now is None else now
    text = (value or "").strip()
    m = _RELATIVE.match(text)
    if m:
        return now - float(m.group(1)) * _UNIT_S[m.group(2).lower()]
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            d = date.fromisoformat(text)
            ts = datetime(d.year, d.month, d.day).timestamp()
        else:
            ts = datetime.fromisoformat(text).timestamp()
    except (ValueError, OverflowError, OSError):
        raise UsageError(
            f"--since {value!r} is not a date or an age; use an ISO date (2026-11-01), a date and time "
            "(2026-11-01T09:30, local time, or with +01:00 / Z) or an age such as 90m, 24h, 7d, 2w"
        ) from None
    if ts > now:
        raise UsageError(f"--since {value!r} is in the future; nothing could have been recorded since")
    return ts


# ==================================================================== store -> session


@dataclass(frozen=True)
class Recording:
    """A conversation read from the store as a session, and the store event behind
    each ``seq`` (so an annotation can name the event it is about)."""

    session: Session
    conversation_id: int
    event_ids: dict[int, int] = field(default_factory=dict)
    """seq -> store event id."""
    skipped_events: int = 0
    """Store events with no place in a recording (unknown kinds, references to missing rows)."""


def _loads(data: Any) -> dict[str, Any]:
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except ValueError:
            return {}
    return dict(data) if isinstance(data, dict) else {}


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    value = float(value)
    return value if math.isfinite(value) and value >= 0 else None


# Keys the store keeps for itself (ids, derivable values); never exported.
_STORE_ONLY = {
    EventKind.MESSAGE: {"message_id", "author"},
    EventKind.NOTE: {"message_id", "author"},
    EventKind.ARRIVED: {"queue_id", "channel", "queue", "customer_id"},
    EventKind.CLAIMED: {"queue_id", "waited_s", "version"},
    EventKind.TRANSFERRED: {"from_queue_id", "to_queue_id", "message_id", "from_queue", "to_queue"},
    EventKind.RESOLVED: {"note_message_id", "summary"},
    EventKind.REOPENED: {"by"},
    EventKind.ABANDONED: {"waited_s"},
    EventKind.TONE: {"message_id", "in_reply_to", "in_reply_to_event_id", "signals"},
    EventKind.SUGGESTION_SHOWN: {"message_id", "level", "script_id", "in_reply_to", "in_reply_to_event_id"},
    EventKind.SUGGESTION_USED: {"message_id", "level", "script_id", "in_reply_to", "in_reply_to_event_id"},
    EventKind.SUGGESTION_DISMISSED: {"message_id", "level", "script_id", "in_reply_to", "in_reply_to_event_id"},
    EventKind.ANNOTATION: {"body", "target_event_id", "target"},
}


def _clean(value: Any) -> Any:
    """Only JSON-plain values survive (the store may hold anything a future writer put there)."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items() if _clean_ok(v)}
    if isinstance(value, list):
        return [_clean(v) for v in value if _clean_ok(v)]
    return value


def _clean_ok(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    return value is None or isinstance(value, str | int | bool | dict | list)


def read_recording(conn: "Connection", conversation_id: int) -> Recording:
    """One conversation of the store as a :class:`Session` (not redacted).

    Its events in log order become the recording's events (``seq`` 1, 2, …); message and
    note events carry the message text and, in ``data.client_id``, the message's client
    id. Store ids become names (queues, agents) or ``seq`` references (``in_reply_to``,
    annotation targets). Times are made non-decreasing (two consoles' clocks can
    disagree by a little). Raises :class:`NotFound` for an unknown conversation.
    """
    from sqlalchemy import text

    row = conn.execute(text(
        "SELECT c.id, c.channel, c.subject, c.created_at, c.queue_id, cu.name, cu.email, cu.phone, cu.tier "
        "FROM conversation c JOIN customer cu ON cu.id = c.customer_id WHERE c.id = :id"),
        {"id": conversation_id}).first()
    if row is None:
        raise NotFound(f"no conversation #{conversation_id} in this database")
    cid, channel, subject, created_at, current_qid, cname, email, phone, tier = row
    queues = {int(r[0]): r[1] for r in conn.execute(text("SELECT id, name FROM queue"))}
    messages = {
        int(r[0]): r for r in conn.execute(text(
            "SELECT id, client_id, kind, agent_id, body, created_at FROM message WHERE conversation_id = :c"),
            {"c": cid})
    }
    events = conn.execute(text(
        "SELECT id, kind, agent_id, at, data FROM event WHERE conversation_id = :c ORDER BY id"), {"c": cid}).all()
    agent_ids = {r[2] for r in events if r[2] is not None} | {m[3] for m in messages.values() if m[3] is not None}
    agents: dict[int, str] = {}
    if agent_ids:
        from sqlalchemy import bindparam

        stmt = text("SELECT id, name FROM agent WHERE id IN :ids").bindparams(bindparam("ids", expanding=True))
        agents = {int(r[0]): r[1] for r in conn.execute(stmt, {"ids": sorted(agent_ids)})}

    def agent_name(agent_id: int | None) -> str | None:
        if agent_id is None:
            return None
        return agents.get(agent_id) or f"agent #{agent_id}"

    arrival_queue: str | None = None
    out: list[SessionEvent] = []
    event_ids: dict[int, int] = {}
    seq_of_event: dict[int, int] = {}
    seq_of_message: dict[int, int] = {}
    skipped = 0
    prev_at = float(created_at)
    for eid, kind, agent_id, at, raw in events:
        data = _loads(raw)
        if kind not in KINDS or kind == EventKind.AGENT_STATUS:
            skipped += 1
            continue
        ev = _export_event(kind, data, agent_name(agent_id), messages, queues, agent_name,
                           seq_of_message, seq_of_event)
        if ev is None:
            skipped += 1
            continue
        if kind == EventKind.ARRIVED and arrival_queue is None:
            arrival_queue = ev.data.get("queue")
        seq = len(out) + 1
        when = max(prev_at, float(at))
        ev = replace(ev, seq=seq, at=when)
        out.append(ev)
        event_ids[seq] = int(eid)
        seq_of_event[int(eid)] = seq
        if kind in (EventKind.MESSAGE, EventKind.NOTE):
            seq_of_message[int(data["message_id"])] = seq
        prev_at = when
    session = Session(
        id=f"{SESSION_ID_PREFIX}{cid}",
        queue=arrival_queue or queues.get(current_qid) or "unknown",
        channel=channel,
        subject=subject or "",
        customer=Customer(name=(cname or "").strip() or "(no name)", tier=tier or "standard",
                          email=email or None, phone=phone or None),
        created_at=float(created_at),
        events=tuple(out),
    )
    return Recording(session, int(cid), event_ids, skipped)


def _export_event(kind: str, data: dict[str, Any], agent: str | None, messages: dict[int, Any],
                  queues: dict[int, str], agent_name: Callable[[int | None], str | None],
                  seq_of_message: dict[int, int], seq_of_event: dict[int, int]) -> SessionEvent | None:
    """One store event as a session event (seq and time set by the caller); None when it
    cannot be represented (a reference to a row that is gone, a value out of range)."""
    kept = {k: v for k, v in _clean(data).items() if k not in _STORE_ONLY.get(kind, set())}
    author = body = None

    def reply_to() -> int | None:
        mid = data.get("message_id")
        if isinstance(mid, int) and mid in seq_of_message:
            return seq_of_message[mid]
        eid = data.get("in_reply_to_event_id")
        return seq_of_event.get(eid) if isinstance(eid, int) else None

    if kind in (EventKind.MESSAGE, EventKind.NOTE):
        m = messages.get(data.get("message_id"))
        if m is None or not (m[4] or "").strip():
            return None
        mkind = m[2]
        if kind == EventKind.NOTE or mkind == AuthorKind.NOTE:
            kind, author = EventKind.NOTE.value, AuthorKind.NOTE.value
        elif mkind in (AuthorKind.CUSTOMER, AuthorKind.AGENT, AuthorKind.SYSTEM):
            author = mkind
        else:
            return None
        agent = agent_name(m[3]) if author in (AuthorKind.AGENT, AuthorKind.NOTE) else None
        if author == AuthorKind.AGENT and not agent:
            agent = "unknown agent"
        body = m[4]
        kept["client_id"] = m[1]
    elif kind == EventKind.ARRIVED:
        q = queues.get(data.get("queue_id")) or (data.get("queue") if isinstance(data.get("queue"), str) else None)
        kept = {**({"queue": q} if q else {}), **kept}
        if not isinstance(kept.get("priority", 0), int) or isinstance(kept.get("priority"), bool):
            kept.pop("priority", None)
    elif kind == EventKind.CLAIMED:
        if not agent:
            return None
    elif kind == EventKind.TRANSFERRED:
        to_q = queues.get(data.get("to_queue_id")) or data.get("to_queue")
        from_q = queues.get(data.get("from_queue_id")) or data.get("from_queue")
        if not isinstance(to_q, str) or not to_q.strip():
            return None
        extra = {"from_queue": from_q} if isinstance(from_q, str) and from_q else {}
        kept = {**extra, "to_queue": to_q, **kept}
    elif kind == EventKind.RESOLVED:
        if kept.get("disposition") not in DISPOSITION_CODES:
            return None
        note = messages.get(data.get("note_message_id"))
        summary = note[4] if note is not None else data.get("summary")
        if isinstance(summary, str) and summary.strip():
            kept["summary"] = summary
    elif kind == EventKind.WAIT_QUOTED:
        expected = _num(data.get("expected_s"))
        upper = _num(data.get("upper_s", data.get("bound_s")))
        if expected is None or upper is None or upper < expected:
            return None
        kept.pop("bound_s", None)
        kept.pop("coverage", None)
        kept["expected_s"], kept["upper_s"] = expected, upper
        share = _num(data.get("share", data.get("coverage")))
        kept.pop("share", None)
        if share is not None and 0 < share <= 1:
            kept["share"] = share
        pos = data.get("position")
        if not (isinstance(pos, int) and not isinstance(pos, bool) and pos >= 1):
            kept.pop("position", None)
        if not isinstance(kept.get("reason", ""), str):
            kept.pop("reason", None)
    elif kind == EventKind.TONE:
        if data.get("level") not in TONE_LEVELS:
            return None
        signals = []
        for s in data.get("signals") or ():
            name = s.get("tone") if isinstance(s, dict) else s
            if isinstance(name, str):
                signals.append(name)
        kept["signals"] = signals
        ref = reply_to()
        if ref is not None:
            kept["in_reply_to"] = ref
    elif kind in (EventKind.SUGGESTION_SHOWN, EventKind.SUGGESTION_USED, EventKind.SUGGESTION_DISMISSED):
        script = data.get("script_id", data.get("script"))
        if isinstance(script, str) and script:
            kept["script"] = script
        if not isinstance(kept.get("text", ""), str):
            kept.pop("text", None)
        if data.get("level") in TONE_LEVELS:
            kept["tone"] = data["level"]
        elif kept.get("tone") not in TONE_LEVELS:
            kept.pop("tone", None)
        ref = reply_to()
        if ref is not None:
            kept["in_reply_to"] = ref
    elif kind == EventKind.CSAT:
        score = data.get("score")
        if not (isinstance(score, int) and not isinstance(score, bool) and 1 <= score <= 5):
            return None
    elif kind == EventKind.ANNOTATION:
        body = data.get("body")
        target = seq_of_event.get(data.get("target_event_id"))
        if not isinstance(body, str) or not body.strip() or target is None:
            return None
        kept["target"] = target
        agent = None
    for key in ("reason", "note", "comment", "summary"):
        if key in kept and not isinstance(kept[key], str):
            kept.pop(key)
    return SessionEvent(seq=1, at=0.0, kind=str(kind), author=author, agent=agent, body=body, data=kept)


# ============================================================================ export


@dataclass(frozen=True)
class ExportResult:
    path: str
    sessions: int
    events: int
    messages: int
    redacted: bool
    skipped_events: int = 0
    conversation_ids: tuple[int, ...] = ()


def conversations_since(store: "Store", since: float) -> list[int]:
    """Ids of the conversations created at or after ``since`` (oldest first)."""
    from sqlalchemy import text

    with store.read() as conn:
        return [int(r[0]) for r in conn.execute(text(
            "SELECT id FROM conversation WHERE created_at >= :t ORDER BY created_at, id"), {"t": since})]


def recordings(store: "Store", conversation_ids: Iterable[int]) -> Iterator[Recording]:
    """Each conversation read in its own short read transaction (a long export never
    holds a snapshot open for minutes)."""
    for cid in conversation_ids:
        with store.read() as conn:
            yield read_recording(conn, int(cid))


def export_sessions(store: "Store", output: str | Path, *, conversation_ids: Sequence[int] | None = None,
                    since: float | None = None, redact: bool = True, keep_agents: bool = False,
                    stdout: Any = None) -> ExportResult:
    """Write conversations of ``store`` as a session file at ``output`` (``"-"``: ``stdout``).

    Give ``conversation_ids`` or ``since`` (epoch seconds; conversations created then or
    later). Each recording is redacted with :func:`agentdesk.replay.redact.redact_session`
    unless ``redact`` is False, then validated. The file is written to a temporary file
    next to ``output`` and renamed into place only when every recording succeeded: a
    :class:`~agentdesk.replay.redact.RedactionError` (or any other error) leaves no file
    and no partial output. Raises :class:`NotFound` for an unknown conversation or when
    nothing matches.
    """
    if (conversation_ids is None) == (since is None):
        raise UsageError("give either --conversation ID (repeatable) or --since DATE")
    if conversation_ids is not None:
        ids = list(dict.fromkeys(int(i) for i in conversation_ids))
    else:
        ids = conversations_since(store, float(since))  # type: ignore[arg-type]
        if not ids:
            when = datetime.fromtimestamp(float(since)).isoformat(sep=" ", timespec="minutes")  # type: ignore[arg-type]
            raise NotFound(f"no conversation was created since {when}; nothing was written")
    redact_fn = None
    if redact:
        from agentdesk.replay.redact import redact_session

        redact_fn = redact_session
    counts = {"events": 0, "messages": 0, "skipped": 0}

    def lines() -> Iterator[str]:
        for rec in recordings(store, ids):
            session = rec.session
            if redact_fn is not None:
                session = redact_fn(session, keep_agents=keep_agents)
            counts["events"] += len(session.events)
            counts["messages"] += sum(1 for e in session.events if e.kind == EventKind.MESSAGE)
            counts["skipped"] += rec.skipped_events
            for line in session_lines(session):
                yield line + "\n"

    target = str(output)
    if target == "-":
        text_out = "".join(lines())  # everything first: an error leaves stdout untouched
        (stdout or _stdout()).write(text_out)
    else:
        _atomic_write_lines(Path(target), lines())
    return ExportResult(target, len(ids), counts["events"], counts["messages"], redact_fn is not None,
                        counts["skipped"], tuple(ids))


def _stdout() -> Any:
    import sys

    return sys.stdout


def _atomic_write_lines(path: Path, lines: Iterable[str]) -> None:
    """Write to a temporary file beside ``path`` and rename it into place; on any error
    remove the temporary file and leave ``path`` as it was."""
    if path.is_dir():
        raise InputFileError(str(path), None, "is a folder; give a file name such as export.jsonl")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.exists():
        raise InputFileError(str(path), None, f"cannot write the file: folder {parent} does not exist")
    tmp = parent / f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp"
    try:
        with tmp.open("w", encoding="utf-8", newline="\n") as fh:
            for line in lines:
                fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise InputFileError(str(path), None, f"cannot write the file: {err.strerror or err}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text_atomic(path: str | Path, text_: str) -> None:
    """Write ``text_`` to ``path`` atomically (temporary file, then rename)."""
    _atomic_write_lines(Path(path), [text_])


# ============================================================================ import


@dataclass(frozen=True)
class ImportedSession:
    session_id: str
    conversation_id: int
    status: str
    queue: str
    skipped: bool = False
    """True when the recording was already in the store (its messages' client ids)."""


@dataclass(frozen=True)
class ImportResult:
    sessions: tuple[ImportedSession, ...]
    events: int
    messages: int
    created_queues: tuple[str, ...] = ()
    created_agents: tuple[str, ...] = ()

    @property
    def imported(self) -> tuple[ImportedSession, ...]:
        return tuple(s for s in self.sessions if not s.skipped)

    @property
    def skipped(self) -> tuple[ImportedSession, ...]:
        return tuple(s for s in self.sessions if s.skipped)


def message_client_id(session: Session, event: SessionEvent) -> str:
    """The client id of a recorded message: ``data.client_id`` when the recording carries
    one (exports do), else one derived from the session id and the message's content,
    so importing the same recording again is recognised."""
    given = event.data.get("client_id")
    if isinstance(given, str) and given.strip() and len(given) <= 64:
        return given
    key = "\x1f".join((session.id, str(event.seq), repr(event.at), event.author or "", event.agent or "",
                       event.body or ""))
    return uuid.uuid5(_CLIENT_ID_NS, key).hex


@dataclass
class _FinalState:
    status: str = "waiting"
    queue: str = ""
    enqueued_at: float = 0.0
    assignee: str | None = None
    version: int = 0
    claimed_at: float | None = None
    first_response_at: float | None = None
    hold_reason: str | None = None
    handoff_note: str | None = None
    disposition: str | None = None
    resolved_at: float | None = None
    preview: str = ""
    tone: str | None = None
    csat: int | None = None
    updated_at: float = 0.0
    priority: int | None = None


def final_state(session: Session) -> _FinalState:
    """Where the recorded conversation ended up (status, queue, assignee …), by folding
    its events the way the services would have changed the conversation row."""
    from agentdesk.safetext import preview

    st = _FinalState(queue=session.queue, enqueued_at=session.created_at, updated_at=session.created_at)
    for e in session.events:
        d = e.data
        k = e.kind
        if k == EventKind.ARRIVED:
            st.status, st.enqueued_at = "waiting", e.at
            if isinstance(d.get("queue"), str) and d["queue"].strip():
                st.queue = d["queue"]
            if st.priority is None and isinstance(d.get("priority"), int):
                st.priority = int(d["priority"])
        elif k == EventKind.CLAIMED:
            st.status, st.assignee, st.claimed_at = "active", e.agent, e.at
            st.version += 1
        elif k == EventKind.HELD:
            st.status, st.hold_reason = "on_hold", (d.get("reason") or "on hold")[:500]
        elif k == EventKind.RESUMED:
            st.status, st.hold_reason = "active", None
        elif k == EventKind.TRANSFERRED:
            st.status, st.queue, st.assignee, st.enqueued_at = "waiting", d["to_queue"], None, e.at
            st.handoff_note, st.hold_reason = d.get("note") or st.handoff_note, None
            st.version += 1
        elif k == EventKind.WRAP_UP:
            st.status, st.hold_reason = "wrap_up", None
        elif k == EventKind.RESOLVED:
            st.status, st.disposition, st.resolved_at, st.hold_reason = "resolved", d["disposition"], e.at, None
        elif k == EventKind.REOPENED:
            st.version += 1
            st.disposition = st.resolved_at = None
            if e.agent:
                st.status, st.assignee, st.claimed_at = "active", e.agent, e.at
            else:
                st.status, st.assignee, st.enqueued_at = "waiting", None, e.at
        elif k == EventKind.ABANDONED:
            st.status = "abandoned"
            st.version += 1
        elif k == EventKind.MESSAGE:
            if e.author == AuthorKind.CUSTOMER:
                st.preview = preview(e.body, 200)
            elif e.author == AuthorKind.AGENT and st.first_response_at is None:
                st.first_response_at = e.at
        elif k == EventKind.TONE:
            st.tone = d.get("level")
        elif k == EventKind.CSAT:
            st.csat = int(d["score"])
        if k not in (EventKind.ANNOTATION, EventKind.AGENT_STATUS):
            st.updated_at = max(st.updated_at, e.at)
    if st.priority is None:
        st.priority = _PRIORITY_BY_TIER.get(session.customer.tier, 0)
    return st


class _Importer:
    """Everything one import writes, inside the caller's single transaction."""

    def __init__(self, conn: "Connection") -> None:
        from sqlalchemy import text

        self.conn = conn
        self.text = text
        self.queue_ids: dict[str, int] = {}
        self.queue_titles: dict[int, str] = {}
        self.agent_ids: dict[str, int] = {}
        self.created_queues: list[str] = []
        self.created_agents: list[str] = []
        for qid, name, title in conn.execute(text("SELECT id, name, title FROM queue")):
            self.queue_ids[name] = int(qid)
            self.queue_titles[int(qid)] = title

    def queue(self, name: str, at: float) -> int:
        key = name.strip().lower()[:64] or "imported"
        if key not in self.queue_ids:
            title = key.replace("_", " ").replace("-", " ").title()[:120]
            qid = self.conn.execute(self.text(
                "INSERT INTO queue (name, title, sl_target_s, sl_goal) VALUES (:n, :t, 60, 0.8) RETURNING id"),
                {"n": key, "t": title}).scalar_one()
            self.queue_ids[key] = int(qid)
            self.queue_titles[int(qid)] = title
            self.created_queues.append(key)
        return self.queue_ids[key]

    def agent(self, name: str | None, at: float) -> int | None:
        if not name:
            return None
        key = name.strip()[:64]
        if key not in self.agent_ids:
            row = self.conn.execute(self.text("SELECT id FROM agent WHERE name = :n"), {"n": key}).first()
            if row is None:
                aid = self.conn.execute(self.text(
                    "INSERT INTO agent (name, display_name, status, status_since, simulated, created_at) "
                    "VALUES (:n, :d, 'offline', :t, :sim, :t) RETURNING id"),
                    {"n": key, "d": name.strip()[:120], "t": at, "sim": False}).scalar_one()
                self.created_agents.append(key)
                row = (aid,)
            self.agent_ids[key] = int(row[0])
        return self.agent_ids[key]

    def existing_client_ids(self, client_ids: list[str]) -> dict[str, int]:
        from sqlalchemy import bindparam

        if not client_ids:
            return {}
        stmt = self.text("SELECT client_id, conversation_id FROM message WHERE client_id IN :ids").bindparams(
            bindparam("ids", expanding=True))
        found: dict[str, int] = {}
        for start in range(0, len(client_ids), 500):
            for cid, conv in self.conn.execute(stmt, {"ids": client_ids[start:start + 500]}):
                found[cid] = int(conv)
        return found

    def add(self, session: Session) -> "ImportedSession | tuple[int, int, int, _FinalState]":
        """Insert one recording; returns (events written, messages written, conversation
        id, final state), or the :class:`ImportedSession` of a recording that is already
        in the store."""
        from agentdesk.store import ops

        text = self.text
        conn = self.conn
        real = [e for e in session.events if e.kind in (EventKind.MESSAGE, EventKind.NOTE)]
        client_ids = [message_client_id(session, e) for e in real]
        if len(set(client_ids)) != len(client_ids):
            dup = next(c for c in client_ids if client_ids.count(c) > 1)
            raise Conflict(f"session {session.id!r}: two messages share the client id {dup!r}; nothing was imported")
        existing = self.existing_client_ids(client_ids)
        if existing:
            if len(existing) == len(client_ids) and len(set(existing.values())) == 1:
                conv = next(iter(existing.values()))
                row = conn.execute(text(
                    "SELECT c.status, q.name FROM conversation c JOIN queue q ON q.id = c.queue_id WHERE c.id = :id"),
                    {"id": conv}).first()
                return ImportedSession(session.id, conv, row[0] if row else "?", row[1] if row else "?", skipped=True)
            raise Conflict(
                f"session {session.id!r}: {len(existing)} of its {len(client_ids)} messages are already in the "
                "store (same client ids) but not all of them; nothing was imported"
            )
        st = final_state(session)
        for e in session.events:  # every queue and agent the recording names exists first
            if e.kind == EventKind.ARRIVED and isinstance(e.data.get("queue"), str):
                self.queue(e.data["queue"], e.at)
            if e.kind == EventKind.TRANSFERRED:
                if isinstance(e.data.get("from_queue"), str) and e.data["from_queue"].strip():
                    self.queue(e.data["from_queue"], e.at)
                self.queue(e.data["to_queue"], e.at)
            self.agent(e.agent, e.at)
        first_qid = self.queue(session.queue, session.created_at)
        final_qid = self.queue(st.queue, session.created_at)
        c = session.customer
        customer_id = conn.execute(text(
            "INSERT INTO customer (name, email, phone, tier, created_at) VALUES (:n, :e, :p, :t, :c) RETURNING id"),
            {"n": c.name[:200], "e": (c.email or None) and c.email[:320], "p": (c.phone or None) and c.phone[:64],
             "t": c.tier, "c": session.created_at}).scalar_one()
        conv = int(conn.execute(text(
            "INSERT INTO conversation (customer_id, queue_id, channel, subject, status, priority, created_at, "
            "enqueued_at, assignee_id, claim_version, claimed_at, first_response_at, hold_reason, handoff_note, "
            "disposition, resolved_at, preview, tone, csat, updated_at) VALUES (:cu, :q, :ch, :s, :st, :p, :cr, "
            ":enq, :a, :v, :cl, :fr, :hr, :ho, :d, :ra, :pv, :tone, :csat, :up) RETURNING id"),
            {"cu": customer_id, "q": final_qid, "ch": session.channel, "s": session.subject[:300],
             "st": st.status, "p": st.priority, "cr": session.created_at, "enq": st.enqueued_at,
             "a": self.agent(st.assignee, session.created_at) if st.status in ("active", "on_hold", "wrap_up")
             else None,
             "v": st.version, "cl": st.claimed_at, "fr": st.first_response_at, "hr": st.hold_reason,
             "ho": st.handoff_note, "d": st.disposition, "ra": st.resolved_at, "pv": st.preview[:200],
             "tone": st.tone, "csat": st.csat, "up": st.updated_at}).scalar_one())

        event_of_seq: dict[int, int] = {}
        message_of_seq: dict[int, int] = {}
        queue_now, enqueued_at, version = first_qid, session.created_at, 0
        n_events = n_messages = 0
        client_id_of = dict(zip((e.seq for e in real), client_ids))

        def message(kind: str, body: str, at: float, agent_id: int | None, client_id: str | None = None) -> int:
            nonlocal n_messages
            mid = ops.insert_message(conn, conv, client_id or uuid.uuid4().hex, kind, body, at, agent_id)
            if mid is None:
                raise Conflict(f"session {session.id!r}: message client id {client_id!r} is already in the store; "
                               "nothing was imported")
            n_messages += 1
            return mid

        def system(body: str, at: float) -> None:
            message(AuthorKind.SYSTEM.value, body, at, None)

        for e in session.events:
            d = {k: v for k, v in e.data.items()}
            aid = self.agent(e.agent, e.at)
            k = e.kind
            if k in (EventKind.MESSAGE, EventKind.NOTE):
                d.pop("client_id", None)
                author = AuthorKind.NOTE.value if k == EventKind.NOTE else (e.author or "system")
                mid = message(author, e.body or "", e.at, aid if author in ("agent", "note") else None,
                              client_id_of[e.seq])
                message_of_seq[e.seq] = mid
                data = {"message_id": mid, "author": author, **d}
            elif k == EventKind.ARRIVED:
                if isinstance(d.get("queue"), str) and d["queue"].strip():
                    queue_now = self.queue(d["queue"], e.at)
                enqueued_at = e.at
                d.pop("queue", None)
                data = {"queue_id": queue_now, "channel": session.channel, **d}
            elif k == EventKind.CLAIMED:
                version += 1
                data = {"queue_id": queue_now, "waited_s": round(max(0.0, e.at - enqueued_at), 3),
                        "version": version, **d}
            elif k == EventKind.HELD:
                system(f"On hold: {d.get('reason')}" if d.get("reason") else "On hold", e.at)
                data = d
            elif k == EventKind.RESUMED:
                system("Resumed", e.at)
                data = d
            elif k == EventKind.TRANSFERRED:
                from_qid = queue_now
                to_qid = self.queue(d.pop("to_queue"), e.at)
                if isinstance(d.get("from_queue"), str) and d["from_queue"].strip():
                    from_qid = self.queue(d["from_queue"], e.at)
                d.pop("from_queue", None)
                who = e.agent or "an agent"
                system(f"Transferred from {self.queue_titles.get(from_qid, '?')} to "
                       f"{self.queue_titles.get(to_qid, '?')} by {who}", e.at)
                note_id = message(AuthorKind.NOTE.value, f"Hand-off: {d['note']}", e.at, aid) if d.get("note") else None
                queue_now, enqueued_at = to_qid, e.at
                version += 1
                data = {"from_queue_id": from_qid, "to_queue_id": to_qid, **d}
                if note_id is not None:
                    data["message_id"] = note_id
            elif k == EventKind.RESOLVED:
                summary = d.pop("summary", None)
                data = dict(d)
                if isinstance(summary, str) and summary.strip():
                    data["note_message_id"] = message(AuthorKind.NOTE.value, summary, e.at, aid)
            elif k == EventKind.REOPENED:
                system("Reopened" + (f": {d['reason']}" if d.get("reason") else ""), e.at)
                version += 1
                enqueued_at = e.at if not e.agent else enqueued_at
                data = {"by": "agent" if e.agent else "customer", **d}
            elif k == EventKind.ABANDONED:
                version += 1
                data = {"waited_s": round(max(0.0, e.at - enqueued_at), 3), **d}
            elif k == EventKind.TONE:
                data = self._with_reply_ref(d, message_of_seq, event_of_seq)
                data["signals"] = [{"tone": s} for s in d.get("signals") or ()]
            elif k in (EventKind.SUGGESTION_SHOWN, EventKind.SUGGESTION_USED, EventKind.SUGGESTION_DISMISSED):
                data = self._with_reply_ref(d, message_of_seq, event_of_seq)
                if "script" in data:
                    data["script_id"] = data.pop("script")
                if "tone" in data:
                    data["level"] = data.pop("tone")
            elif k == EventKind.ANNOTATION:
                target = d.pop("target")
                data = {"body": e.body, "target_event_id": event_of_seq[target], **d}
            else:
                data = d
            event_of_seq[e.seq] = ops.append_event(conn, k, e.at, conv, aid, data)
            n_events += 1
        return n_events, n_messages, conv, st

    @staticmethod
    def _with_reply_ref(d: dict[str, Any], message_of_seq: dict[int, int],
                        event_of_seq: dict[int, int]) -> dict[str, Any]:
        data = dict(d)
        ref = data.pop("in_reply_to", None)
        if ref is not None:
            if ref in message_of_seq:
                data["message_id"] = message_of_seq[ref]
            elif ref in event_of_seq:
                data["in_reply_to_event_id"] = event_of_seq[ref]
        return data


def import_sessions(store: "Store", sessions: Sequence[Session]) -> ImportResult:
    """Put ``sessions`` into the store in one transaction: all of them, or (on any
    error) none. Recordings already in the store (all their messages' client ids are
    there, in one conversation) are skipped and reported as such; a recording of which
    only some messages are there is a :class:`Conflict`, and nothing is imported."""
    out: list[ImportedSession] = []
    n_events = n_messages = 0
    with store.write() as conn:
        imp = _Importer(conn)
        for s in sessions:
            res = imp.add(s)
            if isinstance(res, ImportedSession):
                out.append(res)
                continue
            ev, msg, conv, st = res
            n_events += ev
            n_messages += msg
            out.append(ImportedSession(s.id, conv, st.status, st.queue.strip().lower()[:64]))
        return ImportResult(tuple(out), n_events, n_messages, tuple(imp.created_queues), tuple(imp.created_agents))


def import_file(store: "Store", path: str | Path) -> ImportResult:
    """Read and validate the whole file first (a bad line names its line number and
    nothing is imported), then :func:`import_sessions`."""
    return import_sessions(store, read_sessions(path))


# ====================================================================== replay sources


@dataclass(frozen=True)
class ReplaySource:
    """What is being replayed and where a trainer's annotations go."""

    session: Session
    origin: str
    """``file``, ``sample`` or ``conversation``."""
    label: str
    """Where it comes from, for the screen (``sample lost-parcel-anxious``, a path …)."""
    path: Path | None = None
    """``file``: the session file; ``sample``: the annotated copy, once there is one."""
    sample: str | None = None
    conversation_id: int | None = None
    db: str | None = None
    event_ids: dict[int, int] = field(default_factory=dict)
    """``conversation``: seq -> store event id."""
    redacted_view: bool = False
    """The session shown is a redacted copy (``--redact``); annotations still go to the original."""

    def with_session(self, session: Session, **changes: Any) -> "ReplaySource":
        return replace(self, session=session, **changes)


@dataclass(frozen=True)
class SessionChoice:
    """One line of the session list (``agentdesk replay`` with no session given)."""

    key: str
    order: int
    title: str
    channel: str
    messages: int
    duration_s: float
    tags: tuple[str, ...] = ()
    description: str = ""
    disposition: str | None = None
    load: Callable[[], ReplaySource] | None = field(default=None, compare=False, repr=False)
    """Loads the session (called in a worker thread)."""


def sample_choices(*, redact: bool = False) -> list[SessionChoice]:
    """The packaged samples as choices (title order is the file order: by name)."""
    from agentdesk.replay.samples import list_samples

    return [
        SessionChoice(
            key=info.name, order=i, title=info.title, channel=info.channel, messages=info.messages,
            duration_s=info.duration_s, tags=info.tags, description=info.description,
            disposition=info.disposition,
            load=lambda name=info.name: load_sample_source(name, redact=redact),
        )
        for i, info in enumerate(list_samples())
    ]


def file_choices(path: str | Path, sessions: Sequence[Session], *, redact: bool = False) -> list[SessionChoice]:
    """The sessions of one file as choices, in file order."""
    out = []
    for i, s in enumerate(sessions):
        title = s.title or s.subject or s.id
        out.append(SessionChoice(
            key=s.id, order=i, title=f"{title}" if title == s.id else f"{title} ({s.id})", channel=s.channel,
            messages=len(s.messages), duration_s=s.ended_at - s.created_at, tags=s.tags,
            description=s.description or "", disposition=s.disposition,
            load=lambda sid=s.id: load_file_source(path, sid, redact=redact, sessions=list(sessions)),
        ))
    return out


def annotated_samples_dir() -> Path:
    """Where annotated copies of the packaged samples are kept (the samples themselves are
    part of the installed package and never written)."""
    from agentdesk.config import data_dir

    return data_dir() / "annotated-samples"


def sample_copy_path(name: str) -> Path:
    return annotated_samples_dir() / f"{name}.jsonl"


def load_sample_source(name: str, *, redact: bool = False) -> ReplaySource:
    """A packaged sample — or, once a trainer has annotated it, their annotated copy."""
    from agentdesk.replay.samples import load_sample

    original = load_sample(name)  # NotFound with close matches for a bad name
    copy = sample_copy_path(name)
    session, path = original, None
    if copy.is_file():
        found = [s for s in read_sessions(copy) if s.id == original.id]
        if found:
            session, path = found[0], copy
    label = f"sample {name}" + (" (your annotated copy)" if path else "")
    return _maybe_redacted(ReplaySource(session, "sample", label, path=path, sample=name), redact)


def load_file_sessions(path: str | Path) -> list[Session]:
    p = Path(path)
    if p.is_dir():
        raise InputFileError(str(p), None, "is a folder, not a session file")
    if not p.exists():
        raise InputFileError(str(p), None, "file not found")
    return read_sessions(p)


def load_file_source(path: str | Path, session_id: str | None = None, *, redact: bool = False,
                     sessions: list[Session] | None = None) -> ReplaySource:
    sessions = sessions if sessions is not None else load_file_sessions(path)
    if session_id is None:
        chosen = sessions[0]
    else:
        match = [s for s in sessions if s.id == session_id]
        if not match:
            ids = ", ".join(s.id for s in sessions[:8]) + (" …" if len(sessions) > 8 else "")
            raise NotFound(f"{path}: no session {session_id!r} (sessions in the file: {ids})")
        chosen = match[0]
    return _maybe_redacted(ReplaySource(chosen, "file", str(path), path=Path(path)), redact)


def load_conversation_source(store: "Store", conversation_id: int, *, redact: bool = False,
                             db: str | None = None) -> ReplaySource:
    with store.read() as conn:
        rec = read_recording(conn, conversation_id)
    return _maybe_redacted(ReplaySource(rec.session, "conversation", f"conversation #{conversation_id}",
                                        conversation_id=conversation_id, db=db, event_ids=rec.event_ids), redact)


def _maybe_redacted(source: ReplaySource, redact: bool) -> ReplaySource:
    if not redact:
        return source
    from agentdesk.replay.redact import redact_session

    return replace(source, session=redact_session(source.session), redacted_view=True)


@dataclass(frozen=True)
class SavedAnnotation:
    source: ReplaySource
    """The source with the annotation added (show this one from now on)."""
    where: str
    """Where it was saved, in words (for a notification)."""


def save_annotation(source: ReplaySource, target_seq: int, body: str, *, by: str | None = None,
                    store: "Store | None" = None, clock: Callable[[], float] = time.time) -> SavedAnnotation:
    """Save a trainer's annotation on event ``target_seq`` of the source's session.

    * ``conversation``: an ``annotation`` event appended to the conversation in the store
      (``data``: ``body``, ``target_event_id``, ``by``); ``store`` must be open on it.
    * ``file``: the file is read again, the annotation added to that session, and the
      whole file rewritten atomically (other sessions in it are kept as they are).
    * ``sample``: the packaged sample is never written; the annotation goes to a copy
      in the user data folder (:func:`sample_copy_path`), which later replays open.
    """
    body = (body or "").strip()
    if not body:
        raise UsageError("an annotation needs some text")
    if len(body) > 5000:
        raise UsageError(f"the annotation is too long ({len(body):,} characters; at most 5,000)")
    by = (by or "").strip() or None
    shown = source.session
    if not any(e.seq == target_seq for e in shown.events):
        raise NotFound(f"session {shown.id!r} has no event {target_seq} to annotate")
    if source.origin == "conversation":
        if store is None or source.conversation_id is None:
            raise UsageError("saving an annotation on a stored conversation needs the database")
        event_id = source.event_ids.get(target_seq)
        if event_id is None:
            raise NotFound(f"event {target_seq} of conversation #{source.conversation_id} is not in the store")
        from sqlalchemy import text

        from agentdesk.store import ops

        now = clock()
        with store.write() as conn:
            if conn.execute(text("SELECT 1 FROM event WHERE id = :e AND conversation_id = :c"),
                            {"e": event_id, "c": source.conversation_id}).first() is None:
                raise NotFound(f"event {target_seq} of conversation #{source.conversation_id} is no longer in the store")
            data: dict[str, Any] = {"body": body, "target_event_id": event_id}
            if by:
                data["by"] = by
            new_id = ops.append_event(conn, EventKind.ANNOTATION, now, source.conversation_id, None, data)
        updated = shown.with_annotation(target_seq, body, by=by, at=now)
        ids = dict(source.event_ids)
        ids[updated.events[-1].seq] = new_id
        return SavedAnnotation(source.with_session(updated, event_ids=ids),
                               f"saved in the database with conversation #{source.conversation_id}")
    if source.origin == "file":
        assert source.path is not None
        path = source.path
        where = f"saved in {path}"
    elif source.origin == "sample":
        assert source.sample is not None
        path = sample_copy_path(source.sample)
        where = (f"saved in your copy of the sample: {path} (the packaged sample is read-only; "
                 f"`agentdesk replay --sample {source.sample}` opens the copy)")
    else:  # pragma: no cover - guarded by the dataclass users
        raise UsageError(f"cannot save annotations for a {source.origin!r} source")
    if source.origin == "sample" and not path.exists():
        from agentdesk.replay.samples import load_sample

        sessions = [load_sample(source.sample)]  # type: ignore[arg-type]
        path.parent.mkdir(parents=True, exist_ok=True)
    else:
        sessions = read_sessions(path)
    index = next((i for i, s in enumerate(sessions) if s.id == shown.id), None)
    if index is None:
        raise NotFound(f"{path}: session {shown.id!r} is no longer in the file; the annotation was not saved")
    stored = sessions[index]
    if not any(e.seq == target_seq for e in stored.events):
        raise NotFound(f"{path}: session {shown.id!r} no longer has event {target_seq}; the annotation was not saved")
    stored = stored.with_annotation(target_seq, body, by=by)
    sessions[index] = stored
    write_sessions(path, sessions)
    view = stored if not source.redacted_view else shown.with_annotation(target_seq, body, by=by)
    return SavedAnnotation(source.with_session(view, path=path, label=(
        f"sample {source.sample} (your annotated copy)" if source.origin == "sample" else source.label)), where)


# ====================================================================== engine version


_ENGINE_FILES = ("tone.py", "lexicon.py", "suggestions.py", "loader.py", "tone_model.json")


def engine_version() -> str:
    """A short fingerprint of everything that decides replay suggestions and scores: the
    tone engine, its model, the script library, the suggestion rules and the scorecard
    rules. Same fingerprint, same recording → same suggestions and same scores."""
    return _engine_version()


_engine_cache: list[str] = []
_engine_lock = threading.Lock()


def _engine_version() -> str:
    with _engine_lock:
        if _engine_cache:
            return _engine_cache[0]
        from importlib import resources

        from agentdesk.replay.scoring import SCORING_VERSION

        digest = hashlib.sha256()
        root = resources.files("agentdesk.scripts")
        for name in _ENGINE_FILES:
            digest.update(name.encode() + b"\0" + root.joinpath(name).read_bytes())
        lib = root.joinpath("library")
        for entry in sorted(lib.iterdir(), key=lambda e: e.name):
            if entry.name.endswith(".toml"):
                digest.update(entry.name.encode() + b"\0" + entry.read_bytes())
        digest.update(SCORING_VERSION.encode())
        value = f"engine-{digest.hexdigest()[:12]}"
        _engine_cache.append(value)
        return value


# ============================================================================ analysis


@dataclass(frozen=True)
class ToneView:
    """The tone engine's reading of one customer turn."""

    level: str
    needs_deescalation: bool
    summary: str
    signals: tuple[tuple[str, str], ...]
    """(label, level) strongest first."""
    spans: tuple[tuple[int, int, str], ...]
    """Evidence spans in the turn's text (start, end, tone), merged and sorted."""
    notes: tuple[str, ...] = ()

    @property
    def evidence(self) -> tuple[tuple[int, int], ...]:
        return tuple((s, e) for s, e, _ in self.spans)


@dataclass(frozen=True)
class SuggestionView:
    script_id: str
    title: str
    step: str
    reason: str
    text: str
    """The script with the placeholders the recording can fill filled in."""


@dataclass(frozen=True)
class AnswerView:
    """What the agent in the recording answered to a customer turn."""

    turn: int
    agent: str | None
    text: str
    response_s: float | None
    score: "TurnScore | None" = None


@dataclass(frozen=True)
class WaitView:
    """The wait quote in force at a point of the recording, against the actual wait."""

    expected_s: float
    upper_s: float
    share: float | None
    reason: str | None
    waited_s: float
    settled: bool
    """True once the wait ended (claimed or abandoned); before, ``waited_s`` is so far."""
    answered: bool | None = None

    @property
    def within_bound(self) -> bool:
        return self.waited_s <= self.upper_s


@dataclass(frozen=True)
class TurnInsight:
    """Everything the replay shows about a customer turn beyond its text."""

    turn: int
    tone: ToneView
    recorded_tone: str | None
    suggestions: tuple[SuggestionView, ...]
    waited_s: float
    """How long the customer had been waiting for an answer when they wrote this."""
    answer: AnswerView | None
    engine: str

    def to_json(self) -> dict[str, Any]:
        """Plain data (for determinism checks and exports)."""
        from agentdesk.replay.scoring import card_dict, scorecard

        answer = None
        if self.answer is not None:
            answer = {"turn": self.answer.turn, "agent": self.answer.agent, "text": self.answer.text,
                      "response_s": self.answer.response_s}
            if self.answer.score is not None:
                answer["score"] = card_dict(scorecard([self.answer.score], session_id="-"))["turns"][0]
        return {
            "turn": self.turn,
            "tone": {"level": self.tone.level, "summary": self.tone.summary, "signals": list(self.tone.signals),
                     "spans": [list(s) for s in self.tone.spans], "notes": list(self.tone.notes)},
            "recorded_tone": self.recorded_tone,
            "suggestions": [{"script": s.script_id, "title": s.title, "step": s.step, "reason": s.reason,
                             "text": s.text} for s in self.suggestions],
            "waited_s": self.waited_s,
            "answer": answer,
            "engine": self.engine,
        }


def first_name(name: str | None) -> str:
    parts = (name or "").split()
    return parts[0] if parts else "there"


def fmt_duration(seconds: float | None) -> str:
    """``42 s``, ``3 min 05 s``, ``1 h 02 min``."""
    if seconds is None:
        return "—"
    s = int(round(max(0.0, seconds)))
    if s < 60:
        return f"{s} s"
    m, sec = divmod(s, 60)
    if m < 60:
        return f"{m} min {sec:02d} s" if sec else f"{m} min"
    h, m = divmod(m, 60)
    return f"{h} h {m:02d} min"


def wait_at(turns: Sequence[Turn], position: int) -> WaitView | None:
    """The wait quote in force at ``position`` and how the wait went: the last quote
    since the conversation (re-)entered a queue, against the wait that followed it (if
    it has ended by ``position``) or the wait so far. None when no quote was recorded."""
    quote: SessionEvent | None = None
    enqueued_at: float | None = None
    settled: WaitCheck | None = None
    last_at = None
    for t in turns[: position + 1]:
        k = t.event.kind
        last_at = t.event.at
        if k in (EventKind.ARRIVED, EventKind.TRANSFERRED, EventKind.REOPENED):
            enqueued_at, quote, settled = t.event.at, None, None
        elif k == EventKind.WAIT_QUOTED:
            quote, settled = t.event, None
            if enqueued_at is None:
                enqueued_at = turns[0].event.at if turns else t.event.at
        elif k in (EventKind.CLAIMED, EventKind.ABANDONED) and quote is not None:
            settled = t.wait
    if quote is None or last_at is None:
        return None
    d = quote.data
    share = d.get("share")
    reason = d.get("reason")
    if settled is not None:
        return WaitView(float(d["expected_s"]), float(d["upper_s"]), share, reason, settled.waited_s, True,
                        settled.answered)
    return WaitView(float(d["expected_s"]), float(d["upper_s"]), share, reason,
                    max(0.0, last_at - (enqueued_at or last_at)), False)


HOSTILE_WINDOW = 40
"""Earlier hostile customer turns are counted among the last 40 (as the console's
assistant does: it reads the latest 40 customer messages)."""


class ReplayAnalysis:
    """The engines' view of a recording, turn by turn, computed on demand and cached.

    Thread-safe (screens call it from worker threads). For customer turn ``i``:

    * tone: :func:`agentdesk.scripts.tone.analyze` on the turn's text, with the
      customer's earlier messages (the last four) and how long they had waited for an
      answer when they wrote it (since they entered the queue if no agent had written
      yet, else since their earliest unanswered message);
    * suggestions: :func:`agentdesk.scripts.suggestions.suggest` with the conversation's
      state at that turn (wait, transferred, agent replies so far, earlier hostile
      turns, the quoted bound) and without the scripts recorded as used before;
      placeholders filled from the recording (customer's first name, the answering
      agent, the queue, the session id);
    * answer: the agent's reply (consecutive agent messages within 90 s are one
      reply, as in role-play) and its score on the role-play scorecard.
    """

    def __init__(self, session: Session, *, library: "Library | None" = None,
                 turns: Sequence[Turn] | None = None) -> None:
        self.session = session
        self.turns: tuple[Turn, ...] = tuple(turns) if turns is not None else build_turns(session)
        self._library = library
        self._lock = threading.RLock()
        self._tones: dict[int, "ToneResult"] = {}
        self._insights: dict[int, TurnInsight] = {}
        self._prompts: tuple[PracticePrompt, ...] | None = None
        self._answer_of: dict[int, PracticePrompt] | None = None
        self._index_state()

    def _index_state(self) -> None:
        """One pass over the turns: the conversation's state before each turn, so a
        turn's analysis costs the same at turn 5 and at turn 5,000."""
        n = len(self.turns)
        self._customers = [t.index for t in self.turns if t.kind is TurnKind.CUSTOMER]
        self._enqueued = [self.session.created_at] * n
        self._last_agent: list[float | None] = [None] * n
        self._unanswered: list[float | None] = [None] * n
        self._transferred = [False] * n
        self._agent_replies = [0] * n
        self._last_actor: list[str | None] = [None] * n
        self._used: list[tuple[int, str]] = []  # (index of the turn, script) of scripts recorded as used
        self._quote: list[SessionEvent | None] = [None] * n  # the wait quote in force at each turn
        quote: SessionEvent | None = None
        enqueued, last_agent, unanswered, transferred, replies, actor = self.session.created_at, None, None, False, 0, None
        for i, t in enumerate(self.turns):
            self._enqueued[i], self._last_agent[i], self._unanswered[i] = enqueued, last_agent, unanswered
            self._transferred[i], self._agent_replies[i], self._last_actor[i] = transferred, replies, actor
            k = t.event.kind
            if k in (EventKind.ARRIVED, EventKind.TRANSFERRED, EventKind.REOPENED):
                enqueued, quote = t.event.at, None
            elif k == EventKind.WAIT_QUOTED:
                quote = t.event
            self._quote[i] = quote
            transferred = transferred or k == EventKind.TRANSFERRED
            if t.kind is TurnKind.AGENT:
                last_agent, unanswered, replies = t.event.at, None, replies + 1
            elif t.kind is TurnKind.CUSTOMER and unanswered is None:
                unanswered = t.event.at
            if t.event.agent:
                actor = t.event.agent
            for sug in t.suggestions:
                if sug.kind == EventKind.SUGGESTION_USED and isinstance(sug.data.get("script"), str):
                    self._used.append((i, sug.data["script"]))

    @property
    def library(self) -> "Library":
        if self._library is None:
            from agentdesk.scripts.loader import default_library

            self._library = default_library()
        return self._library

    @property
    def prompts(self) -> "tuple[PracticePrompt, ...]":
        with self._lock:
            if self._prompts is None:
                from agentdesk.replay.scoring import practice_prompts

                self._prompts = practice_prompts(self.session)
                self._answer_of = {}
                for p in self._prompts:
                    for ct in p.customer_turns:
                        self._answer_of[ct] = p
            return self._prompts

    def customer_indices(self) -> list[int]:
        return list(self._customers)

    def _customers_before(self, index: int, limit: int) -> list[int]:
        from bisect import bisect_left

        end = bisect_left(self._customers, index)
        return self._customers[max(0, end - limit):end]

    def waited_s(self, index: int) -> float:
        """How long the customer had waited for an answer when they wrote turn ``index``."""
        at = self.turns[index].event.at
        if self._last_agent[index] is None:
            return max(0.0, at - self._enqueued[index])
        unanswered = self._unanswered[index]
        return max(0.0, at - unanswered) if unanswered is not None else 0.0

    def tone(self, index: int) -> "ToneResult":
        """The tone engine's reading of customer turn ``index`` (in context)."""
        with self._lock:
            cached = self._tones.get(index)
            if cached is not None:
                return cached
            turn = self.turns[index]
            if turn.kind is not TurnKind.CUSTOMER:
                raise UsageError(f"turn {index} is not a customer turn")
            from agentdesk.scripts.tone import ToneContext, analyze

            earlier = [self.turns[i].text or "" for i in self._customers_before(index, 4)]
            result = analyze(turn.text or "", ToneContext.of(earlier=earlier, waited_s=self.waited_s(index)))
            self._tones[index] = result
            return result

    def engine_level(self, index: int) -> str:
        return str(self.tone(index).level)

    def cached(self, index: int) -> TurnInsight | None:
        """The insight of turn ``index`` if it has been computed (never computes)."""
        return self._insights.get(index)

    def insight(self, index: int) -> TurnInsight:
        """What the replay shows at customer turn ``index`` (cached)."""
        with self._lock:
            cached = self._insights.get(index)
            if cached is not None:
                return cached
            insight = self._compute(index)
            self._insights[index] = insight
            return insight

    def _compute(self, index: int) -> TurnInsight:
        from agentdesk.scripts.suggestions import ConversationState, fill_slots, suggest

        turn = self.turns[index]
        result = self.tone(index)
        hostile = sum(1 for i in self._customers_before(index, HOSTILE_WINDOW) if self.engine_level(i) == "hostile")
        used = {script for i, script in self._used if i < index}
        quote = self._quote[index]
        bound = None
        if quote is not None:
            bound = f"{max(1, math.ceil(float(quote.data['upper_s']) / 60.0 - 1e-9))} minutes"
        state = ConversationState(
            waited_s=self.waited_s(index),
            transferred=self._transferred[index],
            agent_replies=self._agent_replies[index],
            hostile_turns=hostile,
            wait_bound=bound,
        )
        answer = self._answer(index)
        agent = answer.agent if answer is not None else self._last_actor[index]
        values = {
            "customer_first_name": first_name(self.session.customer.name),
            "agent_name": first_name(agent) if agent else None,
            "queue_name": self.session.queue,
            "ticket_id": self.session.id,
        }
        if bound:
            values["wait_bound"] = bound
        suggestions = tuple(
            SuggestionView(s.script_id, s.title, str(s.step), s.reason, fill_slots(s.text, values).text)
            for s in suggest(result, state, self.library, used_ids=used)
        )
        spans = tuple(result.evidence_spans())
        tone = ToneView(
            level=str(result.level), needs_deescalation=bool(result.needs_deescalation), summary=result.summary(),
            signals=tuple((s.label, str(s.level)) for s in result.signals), spans=spans,
            notes=tuple(n for s in result.signals for n in s.notes),
        )
        return TurnInsight(index, tone, turn.tone_level, suggestions, state.waited_s, answer, engine_version())

    def _answer(self, index: int) -> AnswerView | None:
        from agentdesk.replay.scoring import score_reply

        self.prompts  # noqa: B018 - fills _answer_of
        assert self._answer_of is not None
        prompt = self._answer_of.get(index)
        if prompt is None:
            return None
        ref_turn = self.turns[prompt.turn]
        earlier = [p.reference for p in self.prompts if p.turn < prompt.turn]
        score = score_reply(
            prompt.reference, customer_text=prompt.customer_text, tone=self.prompt_tone(prompt),
            response_s=prompt.reference_response_s, channel=self.session.channel, reference=None,
            turn=prompt.turn, earlier_replies=earlier,
        )
        return AnswerView(prompt.turn, ref_turn.event.agent, prompt.reference, prompt.reference_response_s, score)

    def prompt_tone(self, prompt: "PracticePrompt") -> str | None:
        """The tone level a role-play turn is scored against: the most severe engine
        reading among the customer messages being answered."""
        levels = [self.engine_level(i) for i in prompt.customer_turns]
        if not levels:
            return prompt.tone
        return max(levels, key=lambda lv: TONE_SEVERITY.get(lv, 0))


# ============================================================================ role-play


@dataclass(frozen=True)
class PracticeTurn:
    """One answered role-play turn: the prompt, the trainee's reply and its score."""

    prompt: "PracticePrompt"
    reply: str
    score: "TurnScore"
    suggestions: tuple[SuggestionView, ...]


class PracticeRun:
    """A trainee answering a recording's agent turns. Pure: times are passed in.

    For each :func:`~agentdesk.replay.scoring.practice_prompts` prompt, the trainee's
    reply is scored with :func:`~agentdesk.replay.scoring.score_reply` — tone from
    :meth:`ReplayAnalysis.prompt_tone`, response time as measured by the caller,
    the channel's target, the trainee's earlier replies (so a second apology is not
    demanded), the recorded reply as the reference.
    """

    def __init__(self, session: Session, *, trainee: str | None = None,
                 analysis: ReplayAnalysis | None = None) -> None:
        self.session = session
        self.trainee = (trainee or "").strip() or None
        self.analysis = analysis or ReplayAnalysis(session)
        self.answered: list[PracticeTurn] = []

    @property
    def prompts(self) -> "tuple[PracticePrompt, ...]":
        return self.analysis.prompts

    @property
    def done(self) -> bool:
        return len(self.answered) >= len(self.prompts)

    @property
    def current(self) -> "PracticePrompt | None":
        return None if self.done else self.prompts[len(self.answered)]

    def tone(self, prompt: "PracticePrompt") -> str | None:
        return self.analysis.prompt_tone(prompt)

    def suggestions(self, prompt: "PracticePrompt") -> tuple[SuggestionView, ...]:
        """What the engine suggests for the latest customer message of the prompt."""
        return self.analysis.insight(prompt.customer_turns[-1]).suggestions

    def answer(self, reply: str, response_s: float | None) -> PracticeTurn:
        """Score ``reply`` to the current prompt and move on."""
        from agentdesk.replay.scoring import score_reply

        prompt = self.current
        if prompt is None:
            raise UsageError("every turn of this session has been answered")
        score = score_reply(
            reply, customer_text=prompt.customer_text, tone=self.tone(prompt),
            response_s=None if response_s is None else max(0.0, float(response_s)),
            channel=self.session.channel, reference=prompt.reference, turn=prompt.turn,
            earlier_replies=[t.reply for t in self.answered],
        )
        turn = PracticeTurn(prompt, reply, score, self.suggestions(prompt))
        self.answered.append(turn)
        return turn

    def card(self) -> "Scorecard":
        from agentdesk.replay.scoring import scorecard

        return scorecard([t.score for t in self.answered], session_id=self.session.id,
                         title=self.session.title or self.session.subject or None, trainee=self.trainee)


CARD_FORMATS = (".md", ".json")


def card_format(path: str | Path) -> str:
    """``md`` or ``json`` from the file name; :class:`UsageError` for anything else."""
    suffix = Path(path).suffix.lower()
    if suffix not in CARD_FORMATS:
        raise UsageError(f"--export {str(path)!r}: the scorecard is written as Markdown (.md) or JSON (.json); "
                         "end the file name with one of them")
    return suffix[1:]


def card_text(card: "Scorecard", fmt: str) -> str:
    """The card as ``card.md`` or ``card.json`` (:mod:`agentdesk.replay.scoring`), with
    the engine fingerprint added (``engine`` in JSON, a line in Markdown)."""
    from agentdesk.replay.scoring import card_dict, card_markdown

    if fmt == "json":
        data = card_dict(card)
        data["engine"] = engine_version()
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    md = card_markdown(card)
    marker = f"- Rules: {card.rules}"
    return md.replace(marker, f"{marker}\n- Engine: {engine_version()}", 1)


def write_card(card: "Scorecard", path: str | Path) -> str:
    """Write the card to ``path`` (format from the extension), atomically. Returns the format."""
    fmt = card_format(path)
    write_text_atomic(path, card_text(card, fmt))
    return fmt


__all__ = [
    "AnswerView",
    "ExportResult",
    "ImportResult",
    "ImportedSession",
    "PracticeRun",
    "PracticeTurn",
    "Recording",
    "ReplayAnalysis",
    "ReplaySource",
    "SavedAnnotation",
    "SessionChoice",
    "SuggestionView",
    "ToneView",
    "TurnInsight",
    "WaitView",
    "card_format",
    "card_text",
    "engine_version",
    "file_choices",
    "sample_choices",
    "export_sessions",
    "final_state",
    "fmt_duration",
    "import_file",
    "import_sessions",
    "load_conversation_source",
    "load_file_source",
    "load_file_sessions",
    "load_sample_source",
    "message_client_id",
    "parse_since",
    "read_recording",
    "sample_copy_path",
    "save_annotation",
    "wait_at",
    "write_card",
    "write_text_atomic",
]

