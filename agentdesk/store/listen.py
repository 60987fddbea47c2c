"""PostgreSQL LISTEN for the change feed: a dedicated connection that wakes a console
as soon as another console commits a change.

What a notification is, and is not
-----------------------------------
Every write transaction sends at most one ``pg_notify`` on the store's channel, after
its last statement, carrying the ids of the conversations it touched (``0`` for a
change that belongs to no conversation, ``*`` when the list would be too long; see
:func:`agentdesk.store.ops.flush_notify`). A notification is only a **hint** that it
is worth reading the event log now:

* any role that can connect may ``NOTIFY`` any channel, so a payload is untrusted
  text: :func:`parse_payload` accepts ASCII decimal ids and ``*`` and ignores
  everything else, and nothing read from a payload is ever used as data — the feed
  re-queries the event log, which is the only source of truth;
* a listener that was disconnected gets nothing it missed, so after (re)connecting
  :meth:`PgListener.wait` reports ``connected`` and the caller reads the log: every
  change that committed while it was away is there;
* identical notifications in one transaction collapse, and a burst of transactions
  collapses into one wake-up here (at most one every :data:`MIN_WAKE_GAP_S`).

The connection
--------------
Autocommit, separate from the store's pool (a pooled connection cannot sit in
``LISTEN``), with TCP keepalives so a silently dead network is noticed, and an
``application_name`` that shows it in ``pg_stat_activity``. Waiting is a
``select()`` on its socket and on a wake-up socket pair, so :meth:`PgListener.close`
from another thread interrupts a wait at once. A lost connection (a server restart,
``pg_terminate_backend``, a network failure) is reconnected with exponential
back-off and jitter (0.1 s doubling to 2 s, the first attempt at once); while it is
down, waits last at most :data:`DOWN_POLL_S`, so the caller keeps reading the log and
a console never falls more than that behind.

LISTEN needs a session: behind PgBouncer it works only in session pooling mode.
"""

from __future__ import annotations

import random
import re
import select
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import psycopg

    from agentdesk.store.db import Store

MIN_WAKE_GAP_S = 0.05
"""A notification wakes a waiter at once, but never sooner than this after the
previous wake-up: a busy floor (hundreds of commits a second) costs each console at
most 20 reads of the log a second, not one per commit."""

DOWN_POLL_S = 1.0
"""While the listener is disconnected, waits end after at most this long, so the
caller keeps reading the event log (catching up) whatever timeout it asked for."""

BACKOFF_FIRST_S = 0.1
BACKOFF_MAX_S = 2.0
CONNECT_TIMEOUT_S = 5

MAX_HINT_IDS = 4096
"""How many hinted ids a listener keeps between two waits (beyond that it records
"everything may have changed")."""

_ID_TOKEN = re.compile(r"[0-9]{1,18}")  # ASCII only (str.isdigit accepts '١٢'); fits BIGINT


@dataclass(frozen=True)
class Hint:
    """What a well-formed payload says: these conversation ids (0: no conversation)
    changed, or everything may have (``every``). A hint, never data."""

    ids: frozenset[int] = frozenset()
    every: bool = False


def parse_payload(payload: object) -> Hint | None:
    """Read a notification payload defensively: comma-separated ASCII decimal ids, or
    ``*``. Tokens that are not ids are ignored; None when nothing in it is usable.
    Never raises."""
    if not isinstance(payload, str) or not payload or len(payload) > 8000:  # PostgreSQL's limit
        return None
    if payload.strip() == "*":
        return Hint(every=True)
    ids: set[int] = set()
    for token in payload.split(","):  # at most 4,000 tokens: the payload is ≤ 8,000 characters
        token = token.strip()
        if _ID_TOKEN.fullmatch(token):
            ids.add(int(token))
    if not ids:
        return None
    return Hint(ids=frozenset(ids))


# What PgListener.wait() reports.
WOKE_NOTIFIED = "notified"  # a well-formed notification arrived
WOKE_CONNECTED = "connected"  # (re)connected and listening: read the log to catch up
WOKE_LOST = "lost"  # the connection was just lost: read the log
TIMED_OUT = "timeout"  # nothing arrived
CLOSED = "closed"  # close() was called

WOKEN = frozenset({WOKE_NOTIFIED, WOKE_CONNECTED, WOKE_LOST})


@dataclass
class ListenerStats:
    """Counters for diagnostics and tests."""

    notifications: int = 0  # well-formed notifications received
    ignored: int = 0  # notifications whose payload had nothing usable
    connects: int = 0  # successful LISTENs (the first one included)
    lost: int = 0  # connections lost
    failed_attempts: int = 0  # connection attempts that failed
    hinted: set[int] = field(default_factory=set)  # ids named since the last wake (bounded)
    every: bool = False  # a '*' arrived since the last wake


class PgListener:
    """A dedicated LISTEN connection. ``wait()`` is called from one thread (the
    console's live loop); ``close()`` may be called from any thread."""

    def __init__(self, connect: Callable[[], "psycopg.Connection"], channel: str, *,
                 clock: Callable[[], float] = time.monotonic, rng: random.Random | None = None) -> None:
        self._connect_fn = connect
        self.channel = channel
        self.clock = clock
        self._rng = rng or random.Random()
        self._conn: psycopg.Connection | None = None
        self._lock = threading.Lock()  # held by wait(); close() takes it after waking the waiter
        self._closed = False
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._next_attempt = 0.0  # monotonic time of the next connection attempt
        self._backoff = 0.0
        self._last_wake = float("-inf")
        self._pending = False  # a notification arrived but the wake was held back (gap)
        self.stats = ListenerStats()
        self.last_error: str | None = None

    # -------------------------------------------------------------- state

    @property
    def state(self) -> str:
        """``listening``, ``down`` (lost or never reached; retrying) or ``closed``."""
        if self._closed:
            return "closed"
        return "listening" if self._conn is not None else "down"

    @property
    def backend_pid(self) -> int | None:
        """The server process of the LISTEN connection (None while down)."""
        conn = self._conn
        try:
            return conn.info.backend_pid if conn is not None and not conn.closed else None
        except Exception:  # a broken connection  # pragma: no cover
            return None

    # -------------------------------------------------------------- waiting

    def wait(self, timeout: float) -> str:
        """Block until a notification arrives, the connection changes state, or
        ``timeout`` seconds pass; returns one of the ``WOKE_*`` reasons (the caller
        should read the log now), :data:`TIMED_OUT` or :data:`CLOSED`."""
        deadline = self.clock() + max(0.0, timeout)
        with self._lock:
            if self._closed:
                return CLOSED
            self.stats.hinted.clear()
            self.stats.every = False
            if self._conn is None:
                reason = self._wait_down(deadline)
            else:
                reason = self._wait_listening(deadline)
            if reason in WOKEN:
                self._last_wake = self.clock()
            return reason

    def _wait_down(self, deadline: float) -> str:
        """Not connected: try to (re)connect when the back-off allows, and return
        within DOWN_POLL_S either way so the caller keeps reading the log."""
        limit = min(deadline, self.clock() + DOWN_POLL_S)
        while True:
            if self.clock() >= self._next_attempt and self._try_connect():
                return WOKE_CONNECTED
            now = self.clock()
            if now >= limit:
                return TIMED_OUT
            if self._sleep(min(limit, self._next_attempt) - now):
                return CLOSED

    def _wait_listening(self, deadline: float) -> str:
        conn = self._conn
        assert conn is not None
        # Whatever already arrived (or a lost connection) is seen without waiting.
        got = self._drain()
        if got is None:
            return WOKE_LOST
        if got:
            self._pending = True
        while True:
            now = self.clock()
            if self._pending:
                # Wake now, unless the previous wake was less than MIN_WAKE_GAP_S ago:
                # then keep collecting until the gap has passed (or the deadline).
                wake_at = min(deadline, self._last_wake + MIN_WAKE_GAP_S)
                if now >= wake_at:
                    self._pending = False
                    return WOKE_NOTIFIED
                remaining = wake_at - now
            else:
                remaining = deadline - now
                if remaining <= 0:
                    return TIMED_OUT
            try:
                sock = conn.fileno()
            except Exception:
                self._lost("the connection is gone")
                return WOKE_LOST
            try:
                ready, _, _ = select.select([sock, self._wake_r], [], [], remaining)
            except (OSError, ValueError) as exc:
                self._lost(str(exc))
                return WOKE_LOST
            if self._wake_r in ready:
                self._drain_wake()
                if self._closed:
                    return CLOSED
            if sock in ready:
                got = self._drain()
                if got is None:
                    return WOKE_LOST
                if got:
                    self._pending = True

    def _drain(self) -> int | None:
        """Read every notification that has arrived, without blocking. Returns how
        many well-formed ones there were, or None when the connection is lost."""
        conn = self._conn
        if conn is None:
            return None
        try:
            notes = list(conn.notifies(timeout=0))
        except Exception as exc:  # psycopg.OperationalError: lost; anything else: broken too
            self._lost(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
            return None
        if conn.closed or conn.broken:  # pragma: no cover - defensive
            self._lost("the connection is closed")
            return None
        good = 0
        for note in notes:
            hint = parse_payload(note.payload) if note.channel == self.channel else None
            if hint is None:
                self.stats.ignored += 1
                continue
            good += 1
            self.stats.notifications += 1
            if hint.every:
                self.stats.every = True
            elif len(self.stats.hinted) < MAX_HINT_IDS:
                self.stats.hinted.update(hint.ids)
            else:
                self.stats.every = True
        return good

    # -------------------------------------------------------------- connection

    def _try_connect(self) -> bool:
        try:
            conn = self._connect_fn()
        except Exception as exc:
            self._failed(exc)
            return False
        try:
            from psycopg import sql

            conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))
        except Exception as exc:
            _close_quietly(conn)
            self._failed(exc)
            return False
        if self._closed:  # close() gave up waiting for this attempt
            _close_quietly(conn)
            return False
        self._conn = conn
        self._backoff = 0.0
        self._pending = False
        self.last_error = None
        self.stats.connects += 1
        return True

    def _failed(self, exc: BaseException) -> None:
        self.stats.failed_attempts += 1
        self.last_error = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        self._backoff = BACKOFF_FIRST_S if self._backoff == 0 else min(BACKOFF_MAX_S, self._backoff * 2)
        self._next_attempt = self.clock() + self._backoff * self._rng.uniform(0.8, 1.2)

    def _lost(self, why: str) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            _close_quietly(conn)
        self.stats.lost += 1
        self.last_error = why
        self._pending = False
        self._backoff = 0.0
        self._next_attempt = self.clock()  # the first reconnection attempt is immediate

    # -------------------------------------------------------------- closing

    def _sleep(self, seconds: float) -> bool:
        """Sleep, interruptibly; True when close() interrupted it."""
        if seconds > 0:
            try:
                ready, _, _ = select.select([self._wake_r], [], [], seconds)
            except (OSError, ValueError):  # closed under us
                return True
            if ready:
                self._drain_wake()
        return self._closed

    def _drain_wake(self) -> None:
        try:
            while self._wake_r.recv(512):
                pass
        except (BlockingIOError, OSError):
            pass

    def close(self) -> None:
        """Stop listening and release the connection (interrupts a wait in progress)."""
        if self._closed:
            return
        self._closed = True
        try:
            self._wake_w.send(b"x")
        except OSError:  # pragma: no cover
            pass
        # A wait returns at once when woken; only a connection attempt in progress
        # (at most CONNECT_TIMEOUT_S) can hold the lock longer.
        locked = self._lock.acquire(timeout=CONNECT_TIMEOUT_S + 1)
        try:
            conn, self._conn = self._conn, None
            if conn is not None:
                _close_quietly(conn)
            for sock in (self._wake_r, self._wake_w):
                sock.close()
        finally:
            if locked:
                self._lock.release()


def _close_quietly(conn: Any) -> None:
    try:
        conn.close()
    except Exception:  # pragma: no cover - closing a broken connection
        pass


def listener_for(store: "Store", **kwargs: Any) -> PgListener:
    """A listener on ``store``'s database and channel, connecting with the store's own
    URL and credentials (a supervisor's SELECT-only role can LISTEN too)."""
    import psycopg

    engine = store.engine
    cargs, ckwargs = engine.dialect.create_connect_args(engine.url)
    ckwargs.pop("context", None)  # SQLAlchemy's adapters: not needed for LISTEN
    ckwargs.update(
        autocommit=True,
        connect_timeout=CONNECT_TIMEOUT_S,
        application_name="agentdesk listener",
        keepalives=1,
        keepalives_idle=30,
        keepalives_interval=10,
        keepalives_count=3,
    )

    def connect() -> "psycopg.Connection":
        return psycopg.connect(*cargs, **ckwargs)

    return PgListener(connect, store.notify_channel, **kwargs)
