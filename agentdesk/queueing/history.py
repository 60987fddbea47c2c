"""Recent history of one queue, kept incrementally: handle times, finished waits
(served or abandoned) and the priorities of recent arrivals.

:class:`QueueHistory` is what a console or the backtest updates as events happen;
:meth:`QueueHistory.summary` turns it into the few numbers the quote engine uses
(:class:`HistorySummary`). Both are plain data; ``to_dict``/``from_dict`` round-trip
through JSON so the state can be rebuilt from the event log at start-up.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

__all__ = ["HistorySummary", "QueueHistory", "summarize"]


@dataclass(frozen=True, slots=True)
class HistorySummary:
    """What the engine needs from history.

    ``abandon_rate_per_s`` is the maximum-likelihood rate of exponential patience:
    abandonments divided by the total time customers spent waiting (served and
    abandoned alike), 0 when too few waits were seen to tell.
    """

    n_handled: int = 0
    mean_handle_s: float | None = None
    n_waits: int = 0
    n_abandoned: int = 0
    abandon_rate_per_s: float = 0.0
    top_priority: int | None = None
    """Highest priority seen among recent arrivals (None: unknown)."""


def summarize(
    handle_times: Iterable[float] = (),
    served_waits: Iterable[float] = (),
    abandoned_waits: Iterable[float] = (),
    priorities: Iterable[int] = (),
    *,
    min_waits_for_abandon_rate: int = 10,
) -> HistorySummary:
    """A :class:`HistorySummary` from plain lists (seconds)."""
    h = [float(x) for x in handle_times if x is not None and x >= 0]
    sw = [float(x) for x in served_waits if x is not None and x >= 0]
    aw = [float(x) for x in abandoned_waits if x is not None and x >= 0]
    pr = list(priorities)
    exposure = sum(sw) + sum(aw)
    n_waits = len(sw) + len(aw)
    rate = 0.0
    if n_waits >= min_waits_for_abandon_rate and exposure > 0:
        rate = len(aw) / exposure
    return HistorySummary(
        n_handled=len(h),
        mean_handle_s=(sum(h) / len(h)) if h else None,
        n_waits=n_waits,
        n_abandoned=len(aw),
        abandon_rate_per_s=rate,
        top_priority=max(pr) if pr else None,
    )


class QueueHistory:
    """Sliding windows of one queue's recent outcomes.

    Windows are bounded by count (``handle_window``, ``wait_window``,
    ``priority_window``) and by age (``horizon_s``); when fewer than ``keep_min``
    entries are younger than the horizon, the newest ``keep_min`` are used anyway
    (a quiet queue still has a handle-time estimate in the morning).
    """

    def __init__(
        self,
        *,
        handle_window: int = 100,
        wait_window: int = 300,
        priority_window: int = 300,
        horizon_s: float = 4 * 3600.0,
        keep_min: int = 20,
    ) -> None:
        self.handle_window = handle_window
        self.wait_window = wait_window
        self.priority_window = priority_window
        self.horizon_s = horizon_s
        self.keep_min = keep_min
        self.handles: deque[tuple[float, float]] = deque(maxlen=handle_window)
        self.waits: deque[tuple[float, float, bool]] = deque(maxlen=wait_window)
        self.priorities: deque[tuple[float, int]] = deque(maxlen=priority_window)
        self._rebuild()

    # Running totals over the whole windows, so that the usual summary (every entry
    # younger than the horizon) costs O(1) instead of a pass over the windows.
    def _rebuild(self) -> None:
        self._handle_sum = math.fsum(h for _, h in self.handles)
        self._served_sum = math.fsum(w for _, w, ab in self.waits if not ab)
        self._abandoned_sum = math.fsum(w for _, w, ab in self.waits if ab)
        self._abandoned_n = sum(1 for _, _, ab in self.waits if ab)
        self._prio_counts: dict[int, int] = {}
        for _, p in self.priorities:
            self._prio_counts[p] = self._prio_counts.get(p, 0) + 1
        self._updates = 0

    def _tick(self) -> None:
        self._updates += 1
        if self._updates >= 10_000:  # bound the rounding drift of the running sums
            self._rebuild()

    # -- recording ----------------------------------------------------------------------
    def record_arrival(self, at: float, priority: int = 0) -> None:
        p = int(priority)
        if len(self.priorities) == self.priorities.maxlen:
            old = self.priorities[0][1]
            self._prio_counts[old] -= 1
        self.priorities.append((at, p))
        self._prio_counts[p] = self._prio_counts.get(p, 0) + 1

    def record_handled(self, at: float, handle_s: float) -> None:
        """A contact finished at ``at`` after ``handle_s`` seconds with an agent."""
        if handle_s >= 0:
            if len(self.handles) == self.handles.maxlen:
                self._handle_sum -= self.handles[0][1]
            self.handles.append((at, float(handle_s)))
            self._handle_sum += float(handle_s)
            self._tick()

    def _record_wait(self, at: float, wait_s: float, abandoned: bool) -> None:
        if len(self.waits) == self.waits.maxlen:
            _, w, ab = self.waits[0]
            if ab:
                self._abandoned_sum -= w
                self._abandoned_n -= 1
            else:
                self._served_sum -= w
        w = max(0.0, float(wait_s))
        self.waits.append((at, w, abandoned))
        if abandoned:
            self._abandoned_sum += w
            self._abandoned_n += 1
        else:
            self._served_sum += w
        self._tick()

    def record_served(self, at: float, wait_s: float) -> None:
        """A customer was answered at ``at`` after waiting ``wait_s`` seconds."""
        self._record_wait(at, wait_s, False)

    def record_abandoned(self, at: float, wait_s: float) -> None:
        """A customer gave up at ``at`` after waiting ``wait_s`` seconds."""
        self._record_wait(at, wait_s, True)

    # -- reading ------------------------------------------------------------------------
    def _recent(self, items: deque, now: float) -> list:
        cutoff = now - self.horizon_s
        fresh = [x for x in items if x[0] >= cutoff and x[0] <= now]
        if len(fresh) < self.keep_min:
            old = [x for x in items if x[0] <= now]
            fresh = old[-self.keep_min :]
        return fresh

    def _all_fresh(self, items: deque, now: float) -> bool:
        return not items or (items[0][0] >= now - self.horizon_s and items[-1][0] <= now)

    def summary(self, now: float) -> HistorySummary:
        if self._all_fresh(self.handles, now) and self._all_fresh(self.waits, now) and \
                self._all_fresh(self.priorities, now):
            n_h = len(self.handles)
            n_w = len(self.waits)
            exposure = self._served_sum + self._abandoned_sum
            rate = self._abandoned_n / exposure if n_w >= 10 and exposure > 0 else 0.0
            present = [p for p, c in self._prio_counts.items() if c > 0]
            return HistorySummary(
                n_handled=n_h,
                mean_handle_s=(self._handle_sum / n_h) if n_h else None,
                n_waits=n_w,
                n_abandoned=self._abandoned_n,
                abandon_rate_per_s=rate,
                top_priority=max(present) if present else None,
            )
        handles = self._recent(self.handles, now)
        waits = self._recent(self.waits, now)
        prios = self._recent(self.priorities, now)
        return summarize(
            (h for _, h in handles),
            (w for _, w, ab in waits if not ab),
            (w for _, w, ab in waits if ab),
            (p for _, p in prios),
        )

    def recent_waits(self, now: float, n: int = 10) -> list[float]:
        """Waits of the last ``n`` served customers (oldest first)."""
        served = [w for at, w, ab in self.waits if not ab and at <= now]
        return served[-n:]

    # -- persistence --------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "version": 1,
            "handle_window": self.handle_window,
            "wait_window": self.wait_window,
            "priority_window": self.priority_window,
            "horizon_s": self.horizon_s,
            "keep_min": self.keep_min,
            "handles": [list(x) for x in self.handles],
            "waits": [[at, w, int(ab)] for at, w, ab in self.waits],
            "priorities": [list(x) for x in self.priorities],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "QueueHistory":
        h = cls(
            handle_window=int(data.get("handle_window", 100)),
            wait_window=int(data.get("wait_window", 300)),
            priority_window=int(data.get("priority_window", 300)),
            horizon_s=float(data.get("horizon_s", 4 * 3600.0)),
            keep_min=int(data.get("keep_min", 20)),
        )
        for at, x in data.get("handles", ()):
            h.handles.append((float(at), float(x)))
        for at, w, ab in data.get("waits", ()):
            h.waits.append((float(at), float(w), bool(ab)))
        for at, p in data.get("priorities", ()):
            h.priorities.append((float(at), int(p)))
        h._rebuild()
        return h
