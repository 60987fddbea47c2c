"""Session recordings: the ``agentdesk.session`` JSON Lines format, version 1.

A session file holds one or more conversation recordings. Each recording is a
*header* line (``"type": "session"``) followed by its *event* lines
(``"type": "event"``), one JSON object per line, UTF-8. The full schema, with every
field and every rule checked here, is in ``docs/sessions.md``.

Everything here is pure: plain dataclasses in and out, no database, no UI. The store
converts its rows to :class:`Session` / :class:`SessionEvent` and back; the CLI calls
:func:`read_sessions` / :func:`write_sessions`.

Parsing is strict and all-or-nothing: the first problem raises
:class:`agentdesk.errors.InputFileError` naming the file and the line, and nothing
is returned. Unknown fields are rejected (so a typo does not silently lose data)
except names starting with ``x_``, which are reserved for extensions and ignored.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from agentdesk.domain import (
    DISPOSITION_CODES,
    AgentStatus,
    AuthorKind,
    Channel,
    EventKind,
    Tier,
    ToneLevel,
)
from agentdesk.errors import AgentdeskError, InputFileError

SCHEMA = "agentdesk.session"
VERSION = 1
"""The schema version this module reads and writes."""

MAX_LINE_BYTES = 1 << 20
"""Longest accepted line (1 MiB): a recording line is a message, not a blob."""

AUTHORS = tuple(a.value for a in AuthorKind)
KINDS = tuple(k.value for k in EventKind)
CHANNELS = tuple(c.value for c in Channel)
TIERS = tuple(t.value for t in Tier)
TONE_LEVELS = tuple(t.value for t in ToneLevel)
AGENT_STATUSES = tuple(s.value for s in AgentStatus)


class InvalidSession(AgentdeskError):
    """A :class:`Session` built in code breaks the format's rules (see
    :func:`validate_session`); files get :class:`InputFileError` instead."""

    exit_code = 2


# --------------------------------------------------------------------------- data


@dataclass(frozen=True, slots=True)
class Customer:
    name: str
    tier: str = "standard"
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class SessionEvent:
    """One entry of a recording's event log.

    ``data`` holds the kind-specific fields (see ``docs/sessions.md``); treat it as
    read-only.
    """

    seq: int
    at: float
    kind: str
    author: str | None = None
    agent: str | None = None
    body: str | None = None
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def is_message(self) -> bool:
        return self.kind == EventKind.MESSAGE

    @property
    def is_customer_message(self) -> bool:
        return self.kind == EventKind.MESSAGE and self.author == AuthorKind.CUSTOMER

    @property
    def is_agent_message(self) -> bool:
        return self.kind == EventKind.MESSAGE and self.author == AuthorKind.AGENT


@dataclass(frozen=True, slots=True)
class Session:
    """One conversation recording: its header fields and its events in ``seq`` order."""

    id: str
    queue: str
    channel: str
    subject: str
    customer: Customer
    created_at: float
    events: tuple[SessionEvent, ...] = ()
    title: str | None = None
    description: str | None = None
    tags: tuple[str, ...] = ()
    redacted: bool = False

    @property
    def messages(self) -> tuple[SessionEvent, ...]:
        return tuple(e for e in self.events if e.kind == EventKind.MESSAGE)

    @property
    def annotations(self) -> tuple[SessionEvent, ...]:
        return tuple(e for e in self.events if e.kind == EventKind.ANNOTATION)

    @property
    def agents(self) -> tuple[str, ...]:
        """Agent names in order of first appearance."""
        seen: dict[str, None] = {}
        for e in self.events:
            if e.agent:
                seen.setdefault(e.agent, None)
        return tuple(seen)

    @property
    def disposition(self) -> str | None:
        """The disposition of the last ``resolved`` event, if the session has one."""
        for e in reversed(self.events):
            if e.kind == EventKind.RESOLVED:
                return e.data.get("disposition")
        return None

    @property
    def ended_at(self) -> float:
        return self.events[-1].at if self.events else self.created_at

    def event(self, seq: int) -> SessionEvent:
        for e in self.events:
            if e.seq == seq:
                return e
        raise KeyError(seq)

    def with_annotation(
        self, target_seq: int, body: str, *, by: str | None = None, at: float | None = None
    ) -> Session:
        """A copy with a trainer's annotation on event ``target_seq`` appended.

        The annotation gets the next ``seq`` and, unless ``at`` is given, the time of
        the last event (so the timeline is unchanged). Raises :class:`InvalidSession`
        if the target does not exist or the body is empty.
        """
        if not any(e.seq == target_seq for e in self.events):
            raise InvalidSession(f"session {self.id!r}: no event with seq {target_seq} to annotate")
        if not isinstance(body, str) or not body.strip():
            raise InvalidSession("an annotation needs some text")
        last = self.events[-1]
        when = last.at if at is None else max(float(at), last.at)
        data: dict[str, Any] = {"target": target_seq}
        if by:
            data["by"] = by
        ev = SessionEvent(
            seq=last.seq + 1, at=when, kind=EventKind.ANNOTATION.value, author=None,
            agent=None, body=body, data=data,
        )
        return replace(self, events=self.events + (ev,))


# ------------------------------------------------------------------ validation core


class _Bad(Exception):
    """A rule broken; the caller adds where (file and line, or session and seq)."""


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _show(value: Any, limit: int = 40) -> str:
    text = json.dumps(value, ensure_ascii=True) if isinstance(value, str) else _type_name(value)
    return text if len(text) <= limit else text[: limit - 1] + "…\""


def _str(obj: Mapping[str, Any], key: str, *, required: bool, nonempty: bool = False,
         where: str = "") -> str | None:
    if key not in obj or obj[key] is None:
        if required:
            raise _Bad(f'missing "{where}{key}"')
        return None
    value = obj[key]
    if not isinstance(value, str):
        raise _Bad(f'"{where}{key}" must be text, got {_type_name(value)}')
    if nonempty and not value.strip():
        raise _Bad(f'"{where}{key}" must not be empty')
    return value


def _number(obj: Mapping[str, Any], key: str, *, required: bool, where: str = "",
            minimum: float | None = 0.0) -> float | None:
    if key not in obj or obj[key] is None:
        if required:
            raise _Bad(f'missing "{where}{key}"')
        return None
    value = obj[key]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Bad(f'"{where}{key}" must be a number, got {_type_name(value)}')
    try:
        as_float = float(value)
    except OverflowError:
        raise _Bad(f'"{where}{key}" is too large') from None
    if not math.isfinite(as_float):
        raise _Bad(f'"{where}{key}" must be a finite number')
    if minimum is not None and as_float < minimum:
        raise _Bad(f'"{where}{key}" must be at least {minimum:g}, got {as_float:g}')
    return as_float


def _int(obj: Mapping[str, Any], key: str, *, required: bool, where: str = "",
         minimum: int | None = None, maximum: int | None = None) -> int | None:
    if key not in obj or obj[key] is None:
        if required:
            raise _Bad(f'missing "{where}{key}"')
        return None
    value = obj[key]
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Bad(f'"{where}{key}" must be a whole number, got {_type_name(value)}')
    if minimum is not None and value < minimum:
        raise _Bad(f'"{where}{key}" must be at least {minimum}, got {value}')
    if maximum is not None and value > maximum:
        raise _Bad(f'"{where}{key}" must be at most {maximum}, got {value}')
    return value


def _choice(obj: Mapping[str, Any], key: str, choices: tuple[str, ...], *, required: bool,
            where: str = "") -> str | None:
    value = _str(obj, key, required=required, where=where)
    if value is not None and value not in choices:
        raise _Bad(f'"{where}{key}" must be one of {", ".join(choices)}; got {_show(value)}')
    return value


def _check_keys(obj: Mapping[str, Any], allowed: frozenset[str], what: str) -> None:
    for key in obj:
        if key not in allowed and not key.startswith("x_"):
            raise _Bad(
                f'unknown field "{key}" in {what} (known: {", ".join(sorted(allowed))}; '
                'extensions must start with "x_")'
            )


def _strip_ext(obj: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if not k.startswith("x_")}


HEADER_FIELDS = frozenset(
    {"type", "schema", "version", "id", "queue", "channel", "subject", "customer",
     "created_at", "title", "description", "tags", "redacted"}
)
CUSTOMER_FIELDS = frozenset({"name", "tier", "email", "phone"})
EVENT_FIELDS = frozenset({"type", "session", "seq", "at", "kind", "author", "agent", "body", "data"})


def _check_version(obj: Mapping[str, Any]) -> None:
    schema = obj.get("schema")
    if schema != SCHEMA:
        if schema is None:
            raise _Bad(f'missing "schema" (expected "{SCHEMA}")')
        raise _Bad(f'"schema" must be "{SCHEMA}", got {_show(schema)}')
    version = obj.get("version")
    if version is None:
        raise _Bad('missing "version"')
    if isinstance(version, bool) or not isinstance(version, int):
        raise _Bad(f'"version" must be a whole number, got {_type_name(version)}')
    if version > VERSION:
        raise _Bad(
            f"schema version {version} is newer than this agentdesk reads ({VERSION}); "
            "upgrade agentdesk to import this file"
        )
    if version < 1:
        raise _Bad(f'"version" must be 1 or more, got {version}')


def _header_from_obj(obj: Mapping[str, Any]) -> Session:
    _check_keys(obj, HEADER_FIELDS, "a session header")
    _check_version(obj)
    sid = _str(obj, "id", required=True, nonempty=True)
    assert sid is not None
    if len(sid) > 200:
        raise _Bad('"id" is longer than 200 characters')
    queue = _str(obj, "queue", required=True, nonempty=True)
    channel = _choice(obj, "channel", CHANNELS, required=True)
    subject = _str(obj, "subject", required=True)
    cust = obj.get("customer")
    if cust is None:
        raise _Bad('missing "customer"')
    if not isinstance(cust, dict):
        raise _Bad(f'"customer" must be an object, got {_type_name(cust)}')
    _check_keys(cust, CUSTOMER_FIELDS, '"customer"')
    name = _str(cust, "name", required=True, nonempty=True, where="customer.")
    tier = _choice(cust, "tier", TIERS, required=False, where="customer.") or "standard"
    email = _str(cust, "email", required=False, where="customer.")
    phone = _str(cust, "phone", required=False, where="customer.")
    created_at = _number(obj, "created_at", required=True)
    title = _str(obj, "title", required=False)
    description = _str(obj, "description", required=False)
    tags_raw = obj.get("tags", [])
    if tags_raw is None:
        tags_raw = []
    if not isinstance(tags_raw, list) or not all(isinstance(t, str) for t in tags_raw):
        raise _Bad('"tags" must be a list of text')
    redacted = obj.get("redacted", False)
    if not isinstance(redacted, bool):
        raise _Bad(f'"redacted" must be true or false, got {_type_name(redacted)}')
    return Session(
        id=sid, queue=queue or "", channel=channel or "", subject=subject or "",
        customer=Customer(name=name or "", tier=tier, email=email, phone=phone),
        created_at=created_at or 0.0, events=(), title=title, description=description,
        tags=tuple(tags_raw), redacted=redacted,
    )


def _check_data(kind: str, data: dict[str, Any], agent: str | None, seq: int) -> None:
    """The kind-specific rules (documented in docs/sessions.md, "Event kinds")."""
    w = "data."
    if kind == EventKind.ARRIVED:
        _str(data, "queue", required=False, where=w)
        _int(data, "priority", required=False, where=w)
    elif kind == EventKind.CLAIMED:
        if not agent:
            raise _Bad('a "claimed" event needs "agent" (who claimed it)')
    elif kind == EventKind.HELD:
        _str(data, "reason", required=False, where=w)
    elif kind == EventKind.TRANSFERRED:
        _str(data, "to_queue", required=True, nonempty=True, where=w)
        _str(data, "from_queue", required=False, where=w)
        _str(data, "to_agent", required=False, where=w)
        _str(data, "note", required=False, where=w)
    elif kind == EventKind.RESOLVED:
        _choice(data, "disposition", tuple(sorted(DISPOSITION_CODES)), required=True, where=w)
        _str(data, "summary", required=False, where=w)
    elif kind == EventKind.REOPENED:
        _str(data, "reason", required=False, where=w)
    elif kind == EventKind.AGENT_STATUS:
        _choice(data, "status", AGENT_STATUSES, required=True, where=w)
    elif kind == EventKind.WAIT_QUOTED:
        expected = _number(data, "expected_s", required=True, where=w)
        upper = _number(data, "upper_s", required=True, where=w)
        if expected is not None and upper is not None and upper < expected:
            raise _Bad(f'"data.upper_s" ({upper:g}) must not be below "data.expected_s" ({expected:g})')
        share = _number(data, "share", required=False, where=w)
        if share is not None and not 0.0 < share <= 1.0:
            raise _Bad(f'"data.share" must be above 0 and at most 1, got {share:g}')
        _int(data, "position", required=False, where=w, minimum=1)
        _str(data, "reason", required=False, where=w)
    elif kind in (EventKind.SUGGESTION_SHOWN, EventKind.SUGGESTION_USED,
                  EventKind.SUGGESTION_DISMISSED):
        _str(data, "script", required=False, where=w)
        _str(data, "text", required=False, where=w)
        _choice(data, "tone", TONE_LEVELS, required=False, where=w)
        ref = _int(data, "in_reply_to", required=False, where=w, minimum=1)
        if ref is not None and ref >= seq:
            raise _Bad('"data.in_reply_to" must name an earlier event')
    elif kind == EventKind.TONE:
        _choice(data, "level", TONE_LEVELS, required=True, where=w)
        signals = data.get("signals")
        if signals is not None and (
            not isinstance(signals, list) or not all(isinstance(s, str) for s in signals)
        ):
            raise _Bad('"data.signals" must be a list of text')
        ref = _int(data, "in_reply_to", required=False, where=w, minimum=1)
        if ref is not None and ref >= seq:
            raise _Bad('"data.in_reply_to" must name an earlier event')
    elif kind == EventKind.CSAT:
        _int(data, "score", required=True, where=w, minimum=1, maximum=5)
        _str(data, "comment", required=False, where=w)
    elif kind == EventKind.ANNOTATION:
        target = _int(data, "target", required=True, where=w, minimum=1)
        if target is not None and target >= seq:
            raise _Bad('"data.target" must name an earlier event of the session')
        _str(data, "by", required=False, where=w)


def _event_from_obj(obj: Mapping[str, Any]) -> tuple[str, SessionEvent]:
    """Check one event line on its own; returns (session id, event)."""
    _check_keys(obj, EVENT_FIELDS, "an event")
    sid = _str(obj, "session", required=True, nonempty=True)
    seq = _int(obj, "seq", required=True, minimum=1)
    at = _number(obj, "at", required=True)
    kind = _str(obj, "kind", required=True)
    if kind not in KINDS:
        raise _Bad(f'unknown kind {_show(kind)}; known kinds: {", ".join(KINDS)}')
    author = _choice(obj, "author", AUTHORS, required=False)
    agent = _str(obj, "agent", required=False, nonempty=True)
    body = _str(obj, "body", required=False)
    data = obj.get("data", {})
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise _Bad(f'"data" must be an object, got {_type_name(data)}')
    assert seq is not None and at is not None and sid is not None
    if kind == EventKind.MESSAGE:
        if author not in (AuthorKind.CUSTOMER, AuthorKind.AGENT, AuthorKind.SYSTEM):
            raise _Bad('a "message" event needs "author": customer, agent or system')
        if author == AuthorKind.AGENT and not agent:
            raise _Bad('an agent\'s message needs "agent" (who wrote it)')
    elif kind == EventKind.NOTE:
        if author != AuthorKind.NOTE:
            raise _Bad('a "note" event needs "author": "note"')
    elif author == AuthorKind.NOTE:
        raise _Bad('"author": "note" is only for "note" events')
    if kind in (EventKind.MESSAGE, EventKind.NOTE, EventKind.ANNOTATION):
        if body is None or not body.strip():
            raise _Bad(f'a "{kind}" event needs a non-empty "body"')
    _check_data(kind, data, agent, seq)
    return sid, SessionEvent(seq=seq, at=at, kind=kind, author=author, agent=agent,
                             body=body, data=data)


class _Order:
    """What the rules between events need to remember about one session."""

    __slots__ = ("header", "last", "seqs")

    def __init__(self, header: Session):
        self.header = header
        self.last: SessionEvent | None = None
        self.seqs: set[int] = set()

    def check(self, ev: SessionEvent) -> None:
        prev = self.last
        if prev is not None:
            if ev.seq <= prev.seq:
                raise _Bad(f'"seq" must increase within a session: {ev.seq} after {prev.seq}')
            if ev.at < prev.at:
                raise _Bad(
                    f'"at" goes back in time: {ev.at:.3f} is before the previous event '
                    f"(seq {prev.seq}, {prev.at:.3f})"
                )
        elif ev.at < self.header.created_at:
            raise _Bad(
                f'"at" ({ev.at:.3f}) is before the session\'s "created_at" '
                f"({self.header.created_at:.3f})"
            )
        target = None
        if ev.kind == EventKind.ANNOTATION:
            target = ev.data.get("target")
        elif ev.kind in (EventKind.TONE, EventKind.SUGGESTION_SHOWN, EventKind.SUGGESTION_USED,
                         EventKind.SUGGESTION_DISMISSED):
            target = ev.data.get("in_reply_to")
        if target is not None and target not in self.seqs:
            raise _Bad(f"refers to event seq {target}, which is not in session {self.header.id!r}")
        self.last = ev
        self.seqs.add(ev.seq)


# ------------------------------------------------------------------------ parsing


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in JSON")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f'duplicate field "{key}"')
        out[key] = value
    return out


def _decode_line(raw: str | bytes, path: str, lineno: int) -> str:
    if isinstance(raw, bytes):
        if len(raw) > MAX_LINE_BYTES:
            raise InputFileError(path, lineno, f"line is longer than {MAX_LINE_BYTES} bytes")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as err:
            raise InputFileError(
                path, lineno, f"not valid UTF-8 (byte {err.start + 1} of the line)"
            ) from None
    else:
        text = raw
        if len(text) > MAX_LINE_BYTES:
            raise InputFileError(path, lineno, f"line is longer than {MAX_LINE_BYTES} bytes")
    if lineno == 1 and text.startswith("\ufeff"):
        text = text[1:]
    return text


def _has_surrogate(value: Any) -> bool:
    """Whether a parsed value holds a lone surrogate (only a ``\\udXXX`` escape makes one);
    such text cannot be written back as UTF-8."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(_has_surrogate(k) or _has_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_surrogate(v) for v in value)
    return False


def _split_lines(source: str | bytes | Iterable[str | bytes]) -> Iterator[str | bytes]:
    if isinstance(source, str):
        yield from source.split("\n")
    elif isinstance(source, bytes | bytearray):
        yield from bytes(source).split(b"\n")
    else:
        yield from source


def parse_sessions(
    source: str | bytes | Iterable[str | bytes], path: str = "<input>"
) -> list[Session]:
    """Parse and validate a whole session file.

    ``source`` is the file's text or bytes, or an iterable of its lines (with or
    without line endings). Blank lines are skipped. Returns the sessions in the
    order of their header lines. Raises :class:`InputFileError` (with the line
    number) at the first problem, or when the file holds no session.
    """
    sessions: dict[str, Session] = {}
    events: dict[str, list[SessionEvent]] = {}
    order: dict[str, _Order] = {}
    lineno = 0
    for lineno, raw in enumerate(_split_lines(source), start=1):
        text = _decode_line(raw, path, lineno).rstrip("\r\n")
        if not text.strip():
            continue
        try:
            obj = json.loads(text, parse_constant=_reject_constant,
                             object_pairs_hook=_no_duplicates)
        except json.JSONDecodeError as err:
            raise InputFileError(path, lineno, f"not valid JSON ({err.msg}, column {err.colno})") from None
        except (ValueError, RecursionError) as err:
            detail = str(err) if isinstance(err, ValueError) else "nested too deeply"
            raise InputFileError(path, lineno, f"not valid JSON ({detail})") from None
        if not isinstance(obj, dict):
            raise InputFileError(path, lineno, f"expected a JSON object, got {_type_name(obj)}")
        if "\\u" in text and _has_surrogate(obj):
            raise InputFileError(path, lineno, "text contains an unpaired surrogate escape (\\ud800–\\udfff)")
        kind = obj.get("type")
        try:
            if kind == "session":
                header = _header_from_obj(obj)
                if header.id in sessions:
                    raise _Bad(f"session {header.id!r} appears twice in the file")
                sessions[header.id] = header
                events[header.id] = []
                order[header.id] = _Order(header)
            elif kind == "event":
                sid, ev = _event_from_obj(obj)
                if sid not in sessions:
                    raise _Bad(
                        f"event for session {sid!r}, whose header line has not appeared yet "
                        '(a "type": "session" line must come before its events)'
                    )
                order[sid].check(ev)
                events[sid].append(ev)
            elif kind is None:
                raise _Bad('missing "type" (expected "session" or "event")')
            else:
                raise _Bad(f'"type" must be "session" or "event", got {_show(kind)}')
        except _Bad as bad:
            raise InputFileError(path, lineno, str(bad)) from None
    if not sessions:
        raise InputFileError(path, None, "no session found (the file has no \"type\": \"session\" line)")
    return [replace(s, events=tuple(events[sid])) for sid, s in sessions.items()]


def read_sessions(path: str | Path) -> list[Session]:
    """Read and validate the session file at ``path`` (see :func:`parse_sessions`)."""
    p = Path(path)
    try:
        with p.open("rb") as fh:
            return parse_sessions(fh, str(p))
    except OSError as err:
        raise InputFileError(str(p), None, f"cannot read the file: {err.strerror or err}") from None


# ---------------------------------------------------------------- serialising


def _drop_none(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if v is not None}


def header_record(session: Session) -> dict[str, Any]:
    """The header line of ``session`` as a JSON-ready dict."""
    customer = _drop_none({
        "name": session.customer.name, "tier": session.customer.tier,
        "email": session.customer.email, "phone": session.customer.phone,
    })
    rec: dict[str, Any] = {
        "type": "session", "schema": SCHEMA, "version": VERSION, "id": session.id,
        "queue": session.queue, "channel": session.channel, "subject": session.subject,
        "customer": customer, "created_at": session.created_at,
    }
    if session.title is not None:
        rec["title"] = session.title
    if session.description is not None:
        rec["description"] = session.description
    if session.tags:
        rec["tags"] = list(session.tags)
    if session.redacted:
        rec["redacted"] = True
    return rec


def event_record(session_id: str, event: SessionEvent) -> dict[str, Any]:
    """One event line as a JSON-ready dict."""
    return {
        "type": "event", "session": session_id, "seq": event.seq, "at": event.at,
        "kind": event.kind, "author": event.author, "agent": event.agent,
        "body": event.body, "data": dict(event.data),
    }


def validate_session(session: Session) -> None:
    """Check a :class:`Session` built in code against every rule the parser applies.

    Raises :class:`InvalidSession` naming the session and the event's ``seq``.
    """
    try:
        record = header_record(session)
        if _has_surrogate(record):
            raise _Bad("text contains an unpaired surrogate, which UTF-8 cannot carry")
        header = _header_from_obj(_strip_ext(record))
    except _Bad as bad:
        raise InvalidSession(f"session {session.id!r}: {bad}") from None
    order = _Order(header)
    for ev in session.events:
        try:
            if not isinstance(ev, SessionEvent):
                raise _Bad(f"not a SessionEvent: {type(ev).__name__}")
            if not isinstance(ev.data, Mapping):
                raise _Bad(f'"data" must be a mapping, got {type(ev.data).__name__}')
            rec = event_record(session.id, ev)
            # a round trip through JSON catches values JSON cannot carry (NaN, objects)
            try:
                rec = json.loads(json.dumps(rec, allow_nan=False))
            except (TypeError, ValueError) as err:
                raise _Bad(f"not representable as JSON ({err})") from None
            if _has_surrogate(rec):
                raise _Bad("text contains an unpaired surrogate, which UTF-8 cannot carry")
            _, checked = _event_from_obj(rec)
            order.check(checked)
        except _Bad as bad:
            seq = getattr(ev, "seq", "?")
            raise InvalidSession(f"session {session.id!r}, event seq {seq}: {bad}") from None


def session_lines(session: Session, *, validate: bool = True) -> list[str]:
    """``session`` as JSON Lines (without line endings): its header, then its events."""
    if validate:
        validate_session(session)
    dump = _dumper()
    return [dump(header_record(session))] + [dump(event_record(session.id, e)) for e in session.events]


def _dumper():
    encoder = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(", ", ": "))
    return encoder.encode


def dump_sessions(sessions: Iterable[Session], *, validate: bool = True) -> str:
    """The whole file's text for ``sessions`` (each line ends with ``\\n``).

    Raises :class:`InvalidSession` if a session breaks a rule, or two share an id.
    """
    out: list[str] = []
    seen: set[str] = set()
    for s in sessions:
        if s.id in seen:
            raise InvalidSession(f"session {s.id!r} appears twice")
        seen.add(s.id)
        out.extend(session_lines(s, validate=validate))
    return "".join(line + "\n" for line in out)


def write_sessions(path: str | Path, sessions: Iterable[Session]) -> int:
    """Validate, then write ``sessions`` to ``path`` (atomically: a temporary file
    renamed into place). Returns the number of sessions written."""
    sessions = list(sessions)
    text = dump_sessions(sessions)
    p = Path(path)
    tmp = p.with_name(p.name + ".tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(p)
    except OSError as err:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
        raise InputFileError(str(p), None, f"cannot write the file: {err.strerror or err}") from None
    return len(sessions)
