"""The queue: every waiting conversation in queue order, with a live-ticking wait.

Columns: position in its queue, wait, tone marker, queue, channel, customer, the
customer's current "at most" bound (when the wait engine has one) and a first-line
preview.

Built for a contact centre's worst day (100,000 waiting):

* every row is known by its queue-order key ``(-priority, enqueued_at, id,
  queue_id)`` (:data:`QKey`) — enough to place, count, position and time it; the
  console loads all keys at once (one covering-index read) but the text of a row
  (customer, channel, tone, preview) only for the head of the queue, then for rows
  as they come near the viewport (:class:`~agentdesk.widgets.virtual_list.VirtualList`
  asks with ``RowsWanted``; the screen answers from a worker). At most
  :attr:`QueueView.DETAIL_CAP` rows' text is kept;
* the whole index can be built off the UI thread (:meth:`QueueIndex.build`) and
  handed over in one step (:meth:`QueueView.set_index`);
* positions come from per-queue sorted key lists (bisect, O(log n)); per-queue counts
  and oldest waits are maintained incrementally as rows come and go (the oldest of a
  queue is the first key of each priority level present, O(levels · log n)), never by
  a rescan;
* wait bounds from the wait engine are kept per queue as they come (no 100,000-entry
  merge on the UI thread).
"""

from __future__ import annotations

import time
from bisect import bisect_left, insort
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding

from agentdesk.domain import WaitingRow
from agentdesk.safetext import sanitize
from agentdesk.widgets.format import channel_label, fmt_wait, tone_marker
from agentdesk.widgets.virtual_list import VirtualList

QKey = tuple[int, float, int, int]
"""A waiting conversation's place: ``(-priority, enqueued_at, id, queue_id)``; sorts in
queue order (ids are unique, so ``queue_id`` never decides)."""


def qkey(row: WaitingRow) -> QKey:
    return (-row.priority, row.enqueued_at, row.id, row.queue_id)


def _id_of_key(key: QKey) -> int:
    return key[2]


@dataclass
class QueueIndex:
    """Everything :class:`QueueView` keeps, built in one O(n) pass over sorted keys."""

    keys: list[QKey]
    rows: list[WaitingRow | None]
    by_id: dict[int, QKey]
    per_queue: dict[int, list[QKey]]
    levels: dict[int, dict[int, int]]  # queue -> {-priority: count}

    @classmethod
    def build(cls, keys: Iterable[QKey], head: Iterable[WaitingRow] = (), *, presorted: bool = False) -> "QueueIndex":
        """From every waiting conversation's key and the rows (with text) known so far.
        Safe to call in a worker thread: it touches nothing but its arguments."""
        keys = list(keys)
        if not presorted:
            keys.sort()
        by_id = {k[2]: k for k in keys}
        per_queue: dict[int, list[QKey]] = {}
        levels: dict[int, dict[int, int]] = {}
        for k in keys:  # sorted, so every per-queue list comes out sorted
            q = k[3]
            lst = per_queue.get(q)
            if lst is None:
                lst = per_queue[q] = []
                levels[q] = {}
            lst.append(k)
            lv = levels[q]
            lv[k[0]] = lv.get(k[0], 0) + 1
        rows: list[WaitingRow | None] = [None] * len(keys)
        for row in head:
            k = by_id.get(row.id)
            if k is not None and k == qkey(row):
                rows[bisect_left(keys, k)] = row
        return cls(keys, rows, by_id, per_queue, levels)


_UNQUOTED = object()
"""No quote for the conversation yet (unlike None: quoted, without an honest bound)."""


class _Bounds(Mapping):
    """Conversation id -> wait bound, read through the per-queue dicts (no merge)."""

    def __init__(self, view: "QueueView") -> None:
        self._view = view

    def __getitem__(self, cid: int) -> float | None:
        view = self._view
        key = view._by_key.get(cid)
        bound = view._bound_entry(key[3] if key is not None else None, cid)
        if bound is _UNQUOTED:
            raise KeyError(cid)
        return bound  # type: ignore[return-value]

    def __iter__(self) -> Iterator[int]:
        for per in self._view._queue_bounds.values():
            yield from per
        yield from self._view._flat_bounds

    def __len__(self) -> int:
        return sum(len(p) for p in self._view._queue_bounds.values()) + len(self._view._flat_bounds)


class QueueView(VirtualList[WaitingRow]):
    DEFAULT_CSS = """
    QueueView { height: 1fr; }
    QueueView > .queue--dim { color: $text-muted; }
    QueueView > .queue--wait-long { color: $warning; }
    QueueView > .queue--wait-breach { color: $error; text-style: bold; }
    QueueView > .queue--tone-concerned { color: $warning; }
    QueueView > .queue--tone-upset { color: $warning; text-style: bold; }
    QueueView > .queue--tone-hostile { color: $error; text-style: bold reverse; }
    QueueView > .queue--priority { color: $accent; text-style: bold; }
    QueueView > .queue--bound { color: $success; }
    """
    COMPONENT_CLASSES = VirtualList.COMPONENT_CLASSES | {
        "queue--dim", "queue--wait-long", "queue--wait-breach", "queue--tone-concerned",
        "queue--tone-upset", "queue--tone-hostile", "queue--priority", "queue--bound",
    }

    BINDINGS = [
        # Home/End move the cursor (the screen's "Top"/"Bottom"), not just the scroll
        # position, which a focused scroll view would otherwise do with them.
        Binding("home", "cursor_top", "Top", show=False),
        Binding("end", "cursor_bottom", "Bottom", show=False),
    ]

    DETAIL_CAP = 4096
    """At most about this many rows keep their text (customer, preview …) in memory."""

    def __init__(self, *, clock: Callable[[], float] = time.time, id: str | None = None) -> None:
        super().__init__(key=lambda r: r.id, sort_key=qkey, key_of_sort_key=_id_of_key,
                         detail_cap=self.DETAIL_CAP, empty_text="No one is waiting. Nice work.", id=id)
        self.clock = clock
        self.queue_names: dict[int, str] = {}
        self.queue_targets: dict[int, int] = {}
        self._queue_bounds: dict[int, dict[int, float | None]] = {}  # queue -> conversation -> bound (s)
        self._flat_bounds: dict[int, float | None] = {}
        self._pos_keys: dict[int, list[QKey]] = {}
        self._levels: dict[int, dict[int, int]] = {}
        self._prebuilt: QueueIndex | None = None

    # ------------------------------------------------------------ loading

    def set_index(self, index: QueueIndex) -> None:
        """Take a prebuilt :class:`QueueIndex` (O(1) on the UI thread)."""
        self._prebuilt = index
        try:
            self.adopt(index.keys, index.rows, index.by_id)
        finally:
            self._prebuilt = None

    # ------------------------------------------------------------ derived state

    def on_rows_replaced(self) -> None:
        if self._prebuilt is not None:
            self._pos_keys = self._prebuilt.per_queue
            self._levels = self._prebuilt.levels
            return
        built = QueueIndex.build(self._sort_keys, presorted=True)
        self._pos_keys = built.per_queue
        self._levels = built.levels

    def on_key_added(self, key: QKey) -> None:
        insort(self._pos_keys.setdefault(key[3], []), key)
        lv = self._levels.setdefault(key[3], {})
        lv[key[0]] = lv.get(key[0], 0) + 1

    def on_key_removed(self, key: QKey) -> None:
        keys = self._pos_keys.get(key[3])
        if keys:
            i = bisect_left(keys, key)
            if i < len(keys) and keys[i] == key:
                del keys[i]
        lv = self._levels.get(key[3])
        if lv and lv.get(key[0]):
            lv[key[0]] -= 1
            if not lv[key[0]]:
                del lv[key[0]]

    def queue_keys(self) -> dict[int, list[QKey]]:
        """Per queue, its rows' keys in queue order (copies: safe to hand to a worker).
        Each key starts ``(-priority, enqueued_at, id)``, the wait engine's sort key."""
        return {qid: list(keys) for qid, keys in self._pos_keys.items()}

    def position(self, row: WaitingRow | QKey) -> int:
        """1-based position of a row (or key) within its own queue."""
        key = row if isinstance(row, tuple) else qkey(row)
        return bisect_left(self._pos_keys.get(key[3], ()), key) + 1

    def oldest(self, queue_id: int) -> float | None:
        """When the longest-waiting conversation of a queue joined it."""
        keys = self._pos_keys.get(queue_id)
        levels = self._levels.get(queue_id)
        if not keys or not levels:
            return None
        return min(keys[bisect_left(keys, (level,))][1] for level in levels)

    def queue_stats(self) -> dict[int, tuple[int, float | None]]:
        """Per queue: (waiting count, oldest enqueued_at) — maintained, not rescanned."""
        return {qid: (len(keys), self.oldest(qid)) for qid, keys in self._pos_keys.items()}

    FIXED_W = 5 + 7 + 2 + 10 + 6  # position, wait, tone, queue, channel

    show_bounds = True
    """Show the ≤max column (the monitor's waiting list, which has no quotes, does not)."""

    @classmethod
    def layout(cls, width: int, bounds: bool = True) -> tuple[int, int, int]:
        """(customer, bound, preview) column widths for a list ``width`` cells wide."""
        remaining = max(0, width - cls.FIXED_W)
        name_w = min(remaining, max(8, min(22, remaining // 3)) + 1)
        bound_w = 7 if bounds and remaining - name_w > 30 else 0
        return name_w, bound_w, max(0, remaining - name_w - bound_w)

    @classmethod
    def header(cls, width: int, bounds: bool = True) -> str:
        """Column titles aligned with :meth:`render_row`."""
        name_w, bound_w, preview_w = cls.layout(width, bounds)
        text = "   # " + col("wait", 7) + "  " + col("queue", 10) + col("chan", 6) + col("customer", name_w)
        if bound_w:
            text += col("≤max", bound_w)
        return text + fit("first line", preview_w)

    # ------------------------------------------------------------ wait bounds

    @property
    def bounds(self) -> Mapping[int, float | None]:
        """Conversation id -> its current "at most" bound in seconds (None: no honest number)."""
        return _Bounds(self)

    def set_queue_bounds(self, bounds: Mapping[int, Mapping[int, float | None]]) -> None:
        """Bounds per queue, as the wait engine makes them (kept, not merged)."""
        self._queue_bounds = dict(bounds)  # type: ignore[arg-type]
        self._flat_bounds = {}
        self.refresh()

    def set_bounds(self, bounds: dict[int, float | None]) -> None:
        """Bounds by conversation id, all queues in one dict."""
        self._queue_bounds = {}
        self._flat_bounds = bounds
        self.refresh()

    def _bound_entry(self, queue_id: int | None, cid: int) -> object:
        """A conversation's bound in seconds, None (no honest bound) or ``_UNQUOTED``."""
        per = self._queue_bounds.get(queue_id) if queue_id is not None else None
        if per is not None and cid in per:
            return per[cid]
        return self._flat_bounds.get(cid, _UNQUOTED)

    def _bound_text(self, key: QKey) -> tuple[str, bool]:
        """The ≤max cell, and whether it is a number: "≤6m"; "—" when the wait engine
        has no honest bound for this customer (too few recent outcomes like theirs: the
        banner says why); empty while the first quotes are on their way."""
        bound = self._bound_entry(key[3], key[2])
        if bound is _UNQUOTED:
            return "", False
        if bound is None:
            return "—", False
        return f"≤{fmt_wait(bound, short=True)}", True  # type: ignore[arg-type]

    # ------------------------------------------------------------ rendering

    def row_token(self, row: WaitingRow) -> Any:
        # Repaint a row when its wait crosses a whole second, its bound or its position changes.
        return self.missing_token(qkey(row))

    def missing_token(self, key: QKey) -> Any:
        return (int(self.clock() - key[1]), self._bound_text(key)[0], self.position(key))

    def render_row(self, row: WaitingRow, index: int, width: int, selected: bool) -> list[Segment]:
        return self._render(qkey(row), row, width)

    def render_missing(self, key: QKey, index: int, width: int, selected: bool) -> list[Segment]:
        return self._render(key, None, width)

    def _render(self, key: QKey, row: WaitingRow | None, width: int) -> list[Segment]:
        """One line; ``row`` None: its text is on its way (shown as ``…``)."""
        neg_priority, enqueued_at, _cid, queue_id = key
        priority = -neg_priority
        now = self.clock()
        wait = max(0.0, now - enqueued_at)
        target = self.queue_targets.get(queue_id, 60)
        style = self.get_component_rich_style
        dim = style("queue--dim")
        if wait >= target * 3:
            wait_style = style("queue--wait-breach")
        elif wait >= target:
            wait_style = style("queue--wait-long")
        else:
            wait_style = Style()
        marker, tone_class = tone_marker(row.tone if row is not None else None)
        tone_style = style(f"queue--tone-{tone_class}") if tone_class else dim
        pos = self.position(key)
        pos_text = f"{pos:>4} " if priority <= 0 else f"{pos:>3}★ "
        pos_style = style("queue--priority") if priority > 0 else dim
        queue = self.queue_names.get(queue_id, "?")
        bound_text, quoted = self._bound_text(key)
        fixed = [
            (pos_text, pos_style),
            (col(fmt_wait(wait), 7), wait_style),
            (marker + " ", tone_style),
            (col(queue, 10), dim),
            (col(channel_label(row.channel) if row is not None else "…", 6), dim),
        ]
        name_w, bound_w, preview_w = self.layout(width, self.show_bounds)
        segs = [Segment(t, s) for t, s in fixed]
        if name_w:
            name = sanitize(row.customer_name, single_line=True) if row is not None else "…"
            segs.append(Segment(col(name, name_w), Style(bold=True) if row is not None else dim))
        if bound_w:
            segs.append(Segment(col(bound_text, bound_w), style("queue--bound") if quoted else dim))
        if preview_w:
            segs.append(Segment(fit(row.preview if row is not None else "", preview_w), dim))
        return segs


def fit(text: str, width: int) -> str:
    """Pad or cut ``text`` to exactly ``width`` cells (ellipsis when cut)."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + "…" if width > 1 else set_cell_size(text, width)


def col(text: str, width: int) -> str:
    """A column of ``width`` cells: the text fitted to ``width - 1`` and a gap."""
    if width <= 1:
        return " " * max(width, 0)
    return fit(text, width - 1) + " "
