"""The queue: every waiting conversation in queue order, with a live-ticking wait.

Columns: position in its queue, wait, tone marker, queue, channel, customer, the
customer's current "at most" bound (when the wait engine has one) and a first-line
preview. Positions come from per-queue sorted key lists (bisect, O(log n)); per-queue
counts and oldest waits are maintained incrementally as rows come and go, never by a
rescan.
"""

from __future__ import annotations

import time
from bisect import bisect_left, insort
from collections.abc import Callable
from typing import Any

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style

from agentdesk.domain import WaitingRow
from agentdesk.safetext import sanitize
from agentdesk.widgets.format import channel_label, fmt_wait, tone_marker
from agentdesk.widgets.virtual_list import VirtualList


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

    def __init__(self, *, clock: Callable[[], float] = time.time, id: str | None = None) -> None:
        super().__init__(key=lambda r: r.id, sort_key=lambda r: r.sort_key,
                         empty_text="No one is waiting. Nice work.", id=id)
        self.clock = clock
        self.queue_names: dict[int, str] = {}
        self.queue_targets: dict[int, int] = {}
        self.bounds: dict[int, float | None] = {}  # conversation id -> bound (s) from the wait engine
        self._pos_keys: dict[int, list[tuple[int, float, int]]] = {}
        self._oldest: dict[int, list[tuple[float, int]]] = {}

    # ------------------------------------------------------------ derived state

    def on_rows_replaced(self) -> None:
        self._pos_keys = {}
        self._oldest = {}
        for row in self._rows:  # rows are sorted, so per-queue lists come out sorted
            self._pos_keys.setdefault(row.queue_id, []).append(row.sort_key)
        for qid, keys in self._pos_keys.items():
            self._oldest[qid] = sorted((k[1], k[2]) for k in keys)

    def on_row_added(self, row: WaitingRow) -> None:
        insort(self._pos_keys.setdefault(row.queue_id, []), row.sort_key)
        insort(self._oldest.setdefault(row.queue_id, []), (row.enqueued_at, row.id))

    def on_row_removed(self, row: WaitingRow) -> None:
        keys = self._pos_keys.get(row.queue_id)
        if keys:
            i = bisect_left(keys, row.sort_key)
            if i < len(keys) and keys[i] == row.sort_key:
                del keys[i]
        oldest = self._oldest.get(row.queue_id)
        if oldest:
            item = (row.enqueued_at, row.id)
            i = bisect_left(oldest, item)
            if i < len(oldest) and oldest[i] == item:
                del oldest[i]

    def queue_keys(self) -> dict[int, list[tuple[int, float, int]]]:
        """Per queue, its rows' sort keys in queue order (copies: safe to hand to a worker)."""
        return {qid: list(keys) for qid, keys in self._pos_keys.items()}

    def position(self, row: WaitingRow) -> int:
        """1-based position of a row within its own queue."""
        keys = self._pos_keys.get(row.queue_id, [])
        return bisect_left(keys, row.sort_key) + 1

    def queue_stats(self) -> dict[int, tuple[int, float | None]]:
        """Per queue: (waiting count, oldest enqueued_at) — maintained, not rescanned."""
        return {
            qid: (len(keys), self._oldest[qid][0][0] if self._oldest.get(qid) else None)
            for qid, keys in self._pos_keys.items()
        }

    FIXED_W = 5 + 7 + 2 + 10 + 6  # position, wait, tone, queue, channel

    @classmethod
    def layout(cls, width: int) -> tuple[int, int, int]:
        """(customer, bound, preview) column widths for a list ``width`` cells wide."""
        remaining = max(0, width - cls.FIXED_W)
        name_w = min(remaining, max(8, min(22, remaining // 3)) + 1)
        bound_w = 7 if remaining - name_w > 30 else 0
        return name_w, bound_w, max(0, remaining - name_w - bound_w)

    @classmethod
    def header(cls, width: int) -> str:
        """Column titles aligned with :meth:`render_row`."""
        name_w, bound_w, preview_w = cls.layout(width)
        text = "   # " + col("wait", 7) + "  " + col("queue", 10) + col("chan", 6) + col("customer", name_w)
        if bound_w:
            text += col("≤max", bound_w)
        return text + fit("first line", preview_w)

    def set_bounds(self, bounds: dict[int, float | None]) -> None:
        self.bounds = bounds
        self.refresh()

    # ------------------------------------------------------------ rendering

    def row_token(self, row: WaitingRow) -> Any:
        # Repaint a row when its wait crosses a whole second or its bound changes.
        return (int(self.clock() - row.enqueued_at), self.bounds.get(row.id), self.position(row))

    def render_row(self, row: WaitingRow, index: int, width: int, selected: bool) -> list[Segment]:
        now = self.clock()
        wait = max(0.0, now - row.enqueued_at)
        target = self.queue_targets.get(row.queue_id, 60)
        style = self.get_component_rich_style
        dim = style("queue--dim")
        if wait >= target * 3:
            wait_style = style("queue--wait-breach")
        elif wait >= target:
            wait_style = style("queue--wait-long")
        else:
            wait_style = Style()
        marker, tone_class = tone_marker(row.tone)
        tone_style = style(f"queue--tone-{tone_class}") if tone_class else dim
        pos = self.position(row)
        pos_text = f"{pos:>4} " if row.priority <= 0 else f"{pos:>3}★ "
        pos_style = style("queue--priority") if row.priority > 0 else dim
        queue = self.queue_names.get(row.queue_id, "?")
        bound = self.bounds.get(row.id)
        bound_text = f"≤{fmt_wait(bound, short=True)}" if bound is not None else ""
        fixed = [
            (pos_text, pos_style),
            (col(fmt_wait(wait), 7), wait_style),
            (marker + " ", tone_style),
            (col(queue, 10), dim),
            (col(channel_label(row.channel), 6), dim),
        ]
        name_w, bound_w, preview_w = self.layout(width)
        segs = [Segment(t, s) for t, s in fixed]
        if name_w:
            segs.append(Segment(col(sanitize(row.customer_name, single_line=True), name_w), Style(bold=True)))
        if bound_w:
            segs.append(Segment(col(bound_text, bound_w), style("queue--bound")))
        if preview_w:
            segs.append(Segment(fit(row.preview, preview_w), dim))
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
