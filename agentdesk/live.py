"""Keeping a console live: the change feed.

Every action writes an event, so the event log doubles as a change feed: a console
remembers the last event id it has seen and asks for newer ones (an index range scan
on the primary key that returns nothing when nothing changed, so polling a few times a
second costs microseconds). From the conversation ids in those events it re-queries
just those rows and applies them as a delta; nothing is rescanned.

On PostgreSQL, ids from concurrent transactions can commit out of order (id 41 may
become visible after id 42). The feed therefore keeps a short window of ids it has not
seen yet below the highest one and looks again for them until they appear or a grace
period passes (a rolled-back transaction leaves a permanent gap). That includes the
ids just below where the feed starts: a transaction still in flight when a console
starts must reach it when it commits. :meth:`ChangeFeed.start` takes the starting
point and those ids from one statement (one snapshot); create the feed with it
*before* reading the rows it will keep current.

Between polls a console calls :meth:`ChangeFeed.wait`, which returns as soon as it is
worth polling again:

* **PostgreSQL** — a dedicated ``LISTEN`` connection
  (:class:`agentdesk.store.listen.PgListener`): another console's commit wakes the
  wait at once. Notifications are hints only (their payloads are untrusted and never
  used as data); the poll re-reads the event log. A lost listener connection wakes the
  wait (poll now), reconnects with back-off, and wakes it again once listening, so a
  console catches up from the log — it gets nothing it missed from NOTIFY — and while
  it is disconnected no wait lasts more than a second.
* **SQLite** — ``PRAGMA data_version`` on a dedicated read connection, checked every
  50 ms: it changes when any other connection commits, so the wait ends within 50 ms of
  a change, and :meth:`ChangeFeed.poll` skips the query entirely when nothing was
  committed since the last one.

:meth:`ChangeFeed.close` releases the connection the feed holds.
"""

from __future__ import annotations

import sqlite3
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from agentdesk.domain import Change, WaitingRow

SQLITE_WATCH_STEP_S = 0.05
"""How often a SQLite feed checks ``PRAGMA data_version`` while waiting."""

GAP_GRACE_S = 5.0
START_WINDOW = 256
"""How many ids below its starting point a feed checks for transactions in flight."""


@dataclass
class Delta:
    """What changed since the last poll, ready for a screen to apply."""

    changes: list[Change]
    upserts: list[WaitingRow] = field(default_factory=list)
    removals: list[int] = field(default_factory=list)

    @property
    def conversation_ids(self) -> set[int]:
        return {c.conversation_id for c in self.changes if c.conversation_id is not None}

    @property
    def agents_changed(self) -> bool:
        return any(c.kind == "agent_status" for c in self.changes)


class _SqliteWatch:
    """``PRAGMA data_version`` on a private read-only connection: the number changes
    whenever another connection (in any process) commits to the database."""

    def __init__(self, path: str) -> None:
        from urllib.parse import quote

        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = sqlite3.connect(
            f"file:{quote(path, safe='/:')}?mode=ro", uri=True, check_same_thread=False,
            isolation_level=None, timeout=1.0)

    def version(self) -> int | None:
        """The current data version, or None when it cannot be read (then the feed
        falls back to plain polling)."""
        with self._lock:
            if self._conn is None:
                return None
            try:
                return int(self._conn.execute("PRAGMA data_version").fetchone()[0])
            except sqlite3.Error:
                return None

    def close(self) -> None:
        with self._lock:
            conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()


def _close_all(resources: list[Any]) -> None:
    for r in resources:
        try:
            r.close()
        except Exception:  # pragma: no cover - closing at exit
            pass


class ChangeFeed:
    """Polls a :class:`~agentdesk.desk.Desk` for events after the last one seen, and
    waits between polls until something changes (see the module docs)."""

    def __init__(self, desk, last_event_id: int, *, clock: Callable[[], float] = time.monotonic,
                 track_gaps: bool | None = None, listen: bool = True) -> None:
        """``listen=False``: no LISTEN connection or data-version watch; :meth:`wait`
        just sleeps (plain polling)."""
        self.desk = desk
        self.last_id = last_event_id
        self.clock = clock
        self.track_gaps = desk.store.backend == "postgresql" if track_gaps is None else track_gaps
        self._gaps: dict[int, float] = {}  # missing id -> first noticed (monotonic)
        self.listen = listen
        self.last_wake: str | None = None
        """Why the last :meth:`wait` returned: notified, connected, lost, changed
        (SQLite), timeout or closed."""
        self._closed = threading.Event()
        self._setup_lock = threading.Lock()
        self._listener: Any = None  # PgListener, made on the first wait()
        self._listener_failed = False
        self._watch: _SqliteWatch | None = None  # made on first use
        self._watch_failed = False
        self._polled_version: int | None = None  # SQLite data_version at the last poll
        self._resources: list[Any] = []
        # Whatever the feed opens is closed when it is garbage-collected or at exit,
        # even if nobody calls close().
        self._finalizer = weakref.finalize(self, _close_all, self._resources)
        if self.track_gaps and last_event_id > 0:
            low = max(0, last_event_id - START_WINDOW)
            visible = [c.event_id for c in desk.changes_since(low, limit=last_event_id - low)]
            self._note_missing(low, last_event_id, visible)

    @classmethod
    def start(cls, desk, *, clock: Callable[[], float] = time.monotonic,
              track_gaps: bool | None = None, listen: bool = True) -> "ChangeFeed":
        """A feed from the current end of the log, its starting point and the ids in
        flight below it read in one statement. Create it before reading the rows it
        keeps current: anything that commits afterwards is delivered."""
        feed = cls(desk, 0, clock=clock, track_gaps=False, listen=listen)
        feed.track_gaps = desk.store.backend == "postgresql" if track_gaps is None else track_gaps
        visible = desk.recent_event_ids(START_WINDOW)
        feed.last_id = max(visible, default=0)
        if feed.track_gaps and feed.last_id:
            feed._note_missing(max(0, feed.last_id - START_WINDOW), feed.last_id, visible)
        return feed

    def _note_missing(self, low: int, high: int, visible: list[int]) -> None:
        """Ids in (low, high] not visible yet are gaps to look for."""
        now = self.clock()
        seen = set(visible)
        for eid in range(low + 1, high + 1):
            if eid not in seen:
                self._gaps.setdefault(eid, now)

    # ------------------------------------------------------------ waiting

    @property
    def mode(self) -> str:
        """How the feed learns of changes right now: ``listen`` (PostgreSQL LISTEN is
        connected), ``reconnecting`` (it is not; polling the log meanwhile), ``watch``
        (SQLite data version), ``poll`` (plain polling) or ``closed``."""
        if self._closed.is_set():
            return "closed"
        if self.desk.store.backend == "postgresql" and self.listen:
            if self._listener is None:  # not waited on yet, or LISTEN is unavailable
                return "poll"
            return "listen" if self._listener.state == "listening" else "reconnecting"
        if self.desk.store.backend == "sqlite" and self.listen and not self._watch_failed:
            return "watch"
        return "poll"

    @property
    def listener(self):
        """The PostgreSQL :class:`~agentdesk.store.listen.PgListener` (None before the
        first wait, on SQLite, or with ``listen=False``)."""
        return self._listener

    def wait(self, timeout: float) -> bool:
        """Block until it is worth polling again: at most ``timeout`` seconds (a
        connection attempt to a PostgreSQL server may take up to its 5 s connect
        timeout). True when something may have changed (a notification, a changed
        data version, a listener that just connected or was just lost); False when
        the time ran out (or the feed is closed). Poll after it either way."""
        if self._closed.is_set():
            self.last_wake = "closed"
            time.sleep(max(0.0, timeout))  # a loop that keeps calling must not spin
            return False
        backend = self.desk.store.backend
        if self.listen and backend == "postgresql":
            listener = self._pg_listener()
            if listener is not None:
                from agentdesk.store.listen import CLOSED, WOKEN

                reason = listener.wait(timeout)
                self.last_wake = reason
                if reason == CLOSED:
                    return False
                return reason in WOKEN
        elif self.listen and backend == "sqlite":
            watch = self._sqlite_watch()
            if watch is not None:
                return self._wait_sqlite(watch, timeout)
        self.last_wake = "timeout"
        self._closed.wait(max(0.0, timeout))
        return False

    def _pg_listener(self):
        with self._setup_lock:
            if self._listener is None and not self._listener_failed and not self._closed.is_set():
                from agentdesk.store.listen import listener_for

                try:
                    self._listener = listener_for(self.desk.store)
                except Exception:  # no psycopg, an unusable URL …: poll instead
                    self._listener_failed = True
                    return None
                self._resources.append(self._listener)
            return self._listener

    def _sqlite_watch(self) -> _SqliteWatch | None:
        with self._setup_lock:
            if self._watch is None and not self._watch_failed and not self._closed.is_set():
                path = self.desk.store.target.path
                try:
                    watch = _SqliteWatch(str(path))
                    ok = watch.version() is not None
                except sqlite3.Error:
                    watch, ok = None, False
                if not ok:
                    if watch is not None:
                        watch.close()
                    self._watch_failed = True
                    return None
                self._watch = watch
                self._resources.append(watch)
            return self._watch

    def _wait_sqlite(self, watch: _SqliteWatch, timeout: float) -> bool:
        deadline = time.monotonic() + max(0.0, timeout)
        base = self._polled_version
        while True:
            v = watch.version()
            if v is None:
                self._watch_failed = True
                self.last_wake = "timeout"
                self._closed.wait(max(0.0, deadline - time.monotonic()))
                return False
            if base is None or v != base:
                self.last_wake = "changed"
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.last_wake = "timeout"
                return False
            if self._closed.wait(min(SQLITE_WATCH_STEP_S, remaining)):
                self.last_wake = "closed"
                return False

    def close(self) -> None:
        """Release what the feed holds open (the LISTEN connection, the SQLite watch)
        and end a wait in progress. The feed can still poll afterwards."""
        self._closed.set()
        with self._setup_lock:
            self._finalizer()  # closes every resource once
            self._watch_failed = True

    # ------------------------------------------------------------ polling

    def poll(self, *, with_rows: bool = True) -> Delta | None:
        version = None
        watch = self._watch if not self._watch_failed else None
        if watch is not None and not self._gaps:
            version = watch.version()
            if version is not None and version == self._polled_version:
                return None  # nothing was committed since the last poll
        changes = self.desk.changes_since(self.last_id)
        if self._gaps:
            changes = self._fill_gaps() + changes
        if version is not None:
            self._polled_version = version  # read before the query: nothing falls between
        if not changes:
            return None
        if self.track_gaps:
            self._note_gaps(changes)
        self.last_id = max(self.last_id, max(c.event_id for c in changes))
        delta = Delta(changes=changes)
        if with_rows:
            ids = delta.conversation_ids
            if ids:
                rows = self.desk.waiting_rows(ids)
                delta.upserts = [r for r in rows.values() if r is not None]
                delta.removals = [cid for cid, r in rows.items() if r is None]
        return delta

    def _note_gaps(self, changes: list[Change]) -> None:
        now = self.clock()
        seen = {c.event_id for c in changes}
        expected = self.last_id + 1
        for eid in sorted(seen):
            for missing in range(expected, eid):
                if missing not in seen:
                    self._gaps.setdefault(missing, now)
            expected = max(expected, eid + 1)

    def _fill_gaps(self) -> list[Change]:
        now = self.clock()
        for eid, since in list(self._gaps.items()):
            if now - since > GAP_GRACE_S:
                del self._gaps[eid]  # rolled back: it will never appear
        if not self._gaps:
            return []
        found = self.desk.changes_in(list(self._gaps))
        for c in found:
            self._gaps.pop(c.event_id, None)
        return found
