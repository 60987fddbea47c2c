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
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from agentdesk.domain import Change, WaitingRow

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


class ChangeFeed:
    """Polls a :class:`~agentdesk.desk.Desk` for events after the last one seen."""

    def __init__(self, desk, last_event_id: int, *, clock: Callable[[], float] = time.monotonic,
                 track_gaps: bool | None = None) -> None:
        self.desk = desk
        self.last_id = last_event_id
        self.clock = clock
        self.track_gaps = desk.store.backend == "postgresql" if track_gaps is None else track_gaps
        self._gaps: dict[int, float] = {}  # missing id -> first noticed (monotonic)
        if self.track_gaps and last_event_id > 0:
            low = max(0, last_event_id - START_WINDOW)
            visible = [c.event_id for c in desk.changes_since(low, limit=last_event_id - low)]
            self._note_missing(low, last_event_id, visible)

    @classmethod
    def start(cls, desk, *, clock: Callable[[], float] = time.monotonic,
              track_gaps: bool | None = None) -> "ChangeFeed":
        """A feed from the current end of the log, its starting point and the ids in
        flight below it read in one statement. Create it before reading the rows it
        keeps current: anything that commits afterwards is delivered."""
        feed = cls(desk, 0, clock=clock, track_gaps=False)
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

    def wait(self, timeout: float) -> None:
        """Block until it is worth polling again: at most ``timeout`` seconds."""
        time.sleep(timeout)

    def close(self) -> None:
        """Release anything the feed holds open."""

    def poll(self, *, with_rows: bool = True) -> Delta | None:
        changes = self.desk.changes_since(self.last_id)
        if self._gaps:
            changes = self._fill_gaps() + changes
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
