"""A virtualised, keyed, sorted list on Textual's Line API.

Built for 100,000 rows: no widget per row and no up-front measuring (Textual's
``DataTable`` measures every cell before it shows anything). It follows Textual's own
``widgets/_log.py``: a :class:`~textual.scroll_view.ScrollView` whose ``virtual_size``
is the row count, ``render_line(y)`` renders only the rows on screen, and an LRU
cache keeps rendered strips keyed by (row key, row token, width, cursor) so a row is
re-rendered only when what it shows changes. Subclasses say how a row looks
(:meth:`render_row`) and what makes it look different (:meth:`row_token`, e.g. the
whole seconds of a ticking wait).

Rows are kept sorted by ``sort_key(row)`` in two parallel lists (sort keys, rows) and a
dict from row key to sort key; live updates arrive as deltas (:meth:`apply`: upserts
and removals, each O(log n) to find plus a list move), and the cursor stays on the
same row key across updates.

**Rows loaded on demand.** A list built with ``key_of_sort_key`` (the row key can be
read from the sort key) may hold rows whose details are not loaded yet: the order,
count and keys of every row are known, the row object itself is ``None``. Such a row
renders with :meth:`render_missing` and the list asks for it (a :class:`RowsWanted`
message, once per row) when it comes near the viewport — the rows on screen and a page
either side, so paging lands on rows that are already there. Whoever owns the data
answers with :meth:`fill`. With ``detail_cap`` the list keeps at most about that many
loaded rows, forgetting the least recently shown ones far from the viewport, so
scrolling through 100,000 rows does not end up holding all of them.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any, Generic, TypeVar

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

R = TypeVar("R")


class VirtualList(ScrollView, Generic[R], can_focus=True):
    """A sorted, keyed list of rows; only the visible ones are rendered."""

    DEFAULT_CSS = """
    VirtualList {
        overflow-x: hidden;
        overflow-y: auto;
        background: $surface;
        &:focus { background-tint: $foreground 3%; }
    }
    VirtualList > .virtual-list--cursor { background: $block-cursor-background; color: $block-cursor-foreground; text-style: bold; }
    VirtualList:blur > .virtual-list--cursor { background: $block-cursor-blurred-background; text-style: none; }
    VirtualList > .virtual-list--empty { color: $text-muted; text-style: italic; }
    """
    COMPONENT_CLASSES = {"virtual-list--cursor", "virtual-list--empty"}

    BINDINGS = [
        Binding("up,k", "cursor_up", "Up", show=False),
        Binding("down,j", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
    ]

    cursor: reactive[int] = reactive(0, always_update=False, repaint=False)

    class Highlighted(Message):
        """The cursor moved to another row."""

        def __init__(self, list_view: "VirtualList[Any]", key: Hashable | None) -> None:
            super().__init__()
            self.list_view = list_view
            self.key = key

        @property
        def control(self) -> "VirtualList[Any]":
            return self.list_view

    class RowsWanted(Message):
        """Rows near the viewport are not loaded: answer with :meth:`VirtualList.fill`."""

        def __init__(self, list_view: "VirtualList[Any]", keys: list[Hashable]) -> None:
            super().__init__()
            self.list_view = list_view
            self.keys = keys

        @property
        def control(self) -> "VirtualList[Any]":
            return self.list_view

    def __init__(
        self,
        *,
        key: Callable[[R], Hashable],
        sort_key: Callable[[R], Any],
        empty_text: str = "Nothing here.",
        key_of_sort_key: Callable[[Any], Hashable] | None = None,
        detail_cap: int | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._key_of = key
        self._sort_key_of = sort_key
        self._key_of_sk = key_of_sort_key
        self._sort_keys: list[Any] = []
        self._rows: list[R | None] = []
        self._by_key: dict[Hashable, Any] = {}  # row key -> sort key
        self._cache: LRUCache[tuple[Any, ...], tuple[Any, Strip]] = LRUCache(512)
        self.detail_cap = detail_cap
        self._loaded: dict[Hashable, None] = {}  # lazy lists: loaded keys, least recently shown first
        self._wanted: set[Hashable] = set()  # asked for, not answered yet
        self._want_check_pending = False
        self.empty_text = empty_text
        self.loaded = False

    # ---------------------------------------------------------------- data

    @property
    def row_count(self) -> int:
        return len(self._sort_keys)

    @property
    def rows(self) -> Sequence[R | None]:
        """Every row in order (``None`` where a lazily loaded row is not loaded yet)."""
        return self._rows

    @property
    def lazy(self) -> bool:
        return self._key_of_sk is not None

    def row_at(self, index: int) -> R | None:
        if 0 <= index < len(self._rows):
            return self._rows[index]
        return None

    def key_at(self, index: int) -> Hashable | None:
        """The key of the row at ``index`` (known even when the row is not loaded)."""
        if not 0 <= index < len(self._sort_keys):
            return None
        if self._key_of_sk is not None:
            return self._key_of_sk(self._sort_keys[index])
        row = self._rows[index]
        return None if row is None else self._key_of(row)

    def sort_key_at(self, index: int) -> Any:
        return self._sort_keys[index] if 0 <= index < len(self._sort_keys) else None

    @property
    def cursor_row(self) -> R | None:
        return self.row_at(self.cursor)

    @property
    def cursor_key(self) -> Hashable | None:
        return self.key_at(self.cursor)

    def get(self, key: Hashable) -> R | None:
        index = self.index_of(key)
        return None if index is None else self._rows[index]

    def index_of(self, key: Hashable) -> int | None:
        sk = self._by_key.get(key)
        if sk is None:
            return None
        i = bisect_left(self._sort_keys, sk)
        return i if i < len(self._sort_keys) and self._sort_keys[i] == sk else None

    def set_rows(self, rows: Iterable[R], *, presorted: bool = False) -> None:
        """Replace every row (initial load). Keeps the cursor on the same key if present."""
        rows = list(rows)
        if not presorted:
            rows.sort(key=self._sort_key_of)
        sk, kf = self._sort_key_of, self._key_of
        sort_keys = [sk(r) for r in rows]
        by_key = {kf(r): s for r, s in zip(rows, sort_keys)}
        self.adopt(sort_keys, rows, by_key)

    def adopt(self, sort_keys: list[Any], rows: list[R | None], by_key: dict[Hashable, Any]) -> None:
        """Replace every row with lists built elsewhere (e.g. in a worker thread, so a
        100,000-row load costs the UI thread nothing): ``sort_keys`` sorted, ``rows``
        parallel to it (``None`` for rows not loaded, lazy lists only), ``by_key`` from
        each row key to its sort key. The list takes ownership of all three."""
        keep = self.cursor_key
        self._sort_keys = sort_keys
        self._rows = rows
        self._by_key = by_key
        if self.lazy:
            self._loaded = {self._key_of(r): None for r in rows if r is not None}
        self._wanted.clear()
        self._cache.clear()
        self.loaded = True
        self.on_rows_replaced()
        self._after_change(keep)

    def apply(self, upserts: Iterable[R] = (), removals: Iterable[Hashable] = ()) -> None:
        """Apply a delta; the cursor stays on the row it was on (or its neighbour)."""
        keep = self.cursor_key
        keep_index = self.cursor
        height = self.scrollable_content_region.height or self.size.height
        was_at_end = bool(self._sort_keys) and height > 0 and int(self.scroll_y) + height >= len(self._sort_keys)
        changed = False
        for key in removals:
            changed |= self._remove(key)
        for row in upserts:
            key = self._key_of(row)
            self._remove(key)
            sk = self._sort_key_of(row)
            i = bisect_left(self._sort_keys, sk)
            self._sort_keys.insert(i, sk)
            self._rows.insert(i, row)
            self._by_key[key] = sk
            if self.lazy:
                self._loaded[key] = None
            self.on_key_added(sk)
            changed = True
        if changed:
            self._after_change(keep, fallback_index=keep_index, follow_end=was_at_end)
            self._trim_loaded()

    def fill(self, rows: Iterable[R], asked: Iterable[Hashable] = ()) -> None:
        """Details for rows already in the list (the answer to :class:`RowsWanted`).
        A row whose sort key has changed since (it moved, or left) is skipped: the
        delta that moved it brings it; a row already loaded is kept (deltas are newer)."""
        for key in asked:
            self._wanted.discard(key)
        filled = False
        for row in rows:
            key = self._key_of(row)
            self._wanted.discard(key)
            sk = self._by_key.get(key)
            if sk is None or sk != self._sort_key_of(row):
                continue
            i = bisect_left(self._sort_keys, sk)
            if i < len(self._rows) and self._rows[i] is None:
                self._rows[i] = row
                self._loaded[key] = None
                filled = True
        if filled:
            self.refresh()
            self._trim_loaded()

    def _remove(self, key: Hashable) -> bool:
        sk = self._by_key.pop(key, None)
        if sk is None:
            return False
        i = bisect_left(self._sort_keys, sk)
        if i < len(self._sort_keys) and self._sort_keys[i] == sk:
            del self._sort_keys[i]
            del self._rows[i]
        self._loaded.pop(key, None)
        self.on_key_removed(sk)
        return True

    def _after_change(self, keep: Hashable | None, fallback_index: int | None = None,
                      follow_end: bool = False) -> None:
        count = len(self._sort_keys)
        self.virtual_size = Size(self.size.width or 1, count)
        new_index = self.index_of(keep) if keep is not None else None
        if new_index is None:
            new_index = fallback_index if fallback_index is not None else self.cursor
        new_index = max(0, min(new_index, count - 1)) if count else 0
        old_y = self.cursor
        self.set_reactive(VirtualList.cursor, new_index)
        # Keep the cursor row where it was on screen when rows are added above it.
        if count and new_index != old_y:
            self.scroll_to(y=max(0, self.scroll_y + (new_index - old_y)), animate=False, immediate=True, force=True)
        # A list scrolled to its end stays at the end (rows arriving there show up), as
        # long as the cursor stays on screen.
        if follow_end and count:
            height = self.scrollable_content_region.height or self.size.height
            if height > 0 and new_index >= count - height:
                self.scroll_to(y=max(0, count - height), animate=False, immediate=True, force=True)
        self._scroll_cursor_visible()
        self.refresh()
        self._check_wanted()
        if self.cursor_key != keep:
            self.post_message(self.Highlighted(self, self.cursor_key))

    # hooks for subclasses that keep derived state (per-queue positions …)
    def on_key_added(self, sort_key: Any) -> None: ...

    def on_key_removed(self, sort_key: Any) -> None: ...

    def on_rows_replaced(self) -> None: ...

    # ---------------------------------------------------------------- rows on demand

    def _window(self) -> tuple[int, int]:
        """Rows worth having loaded: the viewport and a page either side."""
        height = max(1, self.scrollable_content_region.height or self.size.height or 1)
        top = int(self.scroll_y)
        return max(0, top - height), min(len(self._sort_keys), top + 2 * height)

    def _check_wanted(self) -> None:
        """Ask (once) for the unloaded rows near the viewport; O(viewport)."""
        if not self.lazy or not self._sort_keys:
            return
        start, end = self._window()
        rows, key_of = self._rows, self._key_of_sk
        missing = [key_of(self._sort_keys[i]) for i in range(start, end) if rows[i] is None]
        missing = [k for k in missing if k not in self._wanted]
        if missing:
            self._wanted.update(missing)
            self.post_message(self.RowsWanted(self, missing))

    def _schedule_check(self) -> None:
        if self.lazy and not self._want_check_pending:
            self._want_check_pending = True
            self.call_later(self._deferred_check)

    def _deferred_check(self) -> None:
        self._want_check_pending = False
        self._check_wanted()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._schedule_check()

    def _trim_loaded(self) -> None:
        """Forget the least recently shown loaded rows outside the window, down to 3/4
        of ``detail_cap`` (amortised: runs once per cap/4 rows loaded)."""
        cap = self.detail_cap
        if cap is None or len(self._loaded) <= cap:
            return
        start, end = self._window()
        target = cap * 3 // 4
        for key in list(self._loaded):
            if len(self._loaded) <= target:
                break
            i = self.index_of(key)
            if i is None:
                del self._loaded[key]
                continue
            if start <= i < end:
                continue
            self._rows[i] = None
            del self._loaded[key]

    # ---------------------------------------------------------------- cursor

    def validate_cursor(self, value: int) -> int:
        if not self._sort_keys:
            return 0
        return max(0, min(value, len(self._sort_keys) - 1))

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh_line_at(old)
        self.refresh_line_at(new)
        self._scroll_cursor_visible()
        self.post_message(self.Highlighted(self, self.cursor_key))

    def refresh_line_at(self, index: int) -> None:
        y = index - int(self.scroll_y)
        if 0 <= y < self.size.height:
            self.refresh(Region(0, y, self.size.width, 1))

    def _scroll_cursor_visible(self) -> None:
        if not self._sort_keys:
            return
        height = self.scrollable_content_region.height or self.size.height
        if height <= 0:
            return
        top = int(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True, force=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True, force=True)

    def move_to_key(self, key: Hashable) -> bool:
        index = self.index_of(key)
        if index is None:
            return False
        self.cursor = index
        return True

    def action_cursor_up(self) -> None:
        self.cursor -= 1

    def action_cursor_down(self) -> None:
        self.cursor += 1

    def action_page_up(self) -> None:
        step = max(1, self.scrollable_content_region.height - 1)
        self.cursor -= step

    def action_page_down(self) -> None:
        step = max(1, self.scrollable_content_region.height - 1)
        self.cursor += step

    def action_cursor_top(self) -> None:
        self.cursor = 0

    def action_cursor_bottom(self) -> None:
        self.cursor = max(0, len(self._sort_keys) - 1)

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width or 1, len(self._sort_keys))
        self._cache.clear()
        self._scroll_cursor_visible()
        self._schedule_check()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()

    def on_click(self, event: Any) -> None:
        index = int(self.scroll_y) + event.y
        if 0 <= index < len(self._sort_keys):
            self.cursor = index

    # ---------------------------------------------------------------- rendering

    def invalidate(self, key: Hashable | None = None) -> None:
        """Forget cached strips (of one row, or all) and repaint."""
        if key is None:
            self._cache.clear()
        else:
            for cache_key in [k for k in self._cache.keys() if k[0] == key]:
                self._cache.discard(cache_key)
        self.refresh()

    def row_token(self, row: R) -> Hashable:
        """What, besides the row object itself, changes how the row looks."""
        return None

    def missing_token(self, sort_key: Any) -> Hashable:
        """What changes how a not-yet-loaded row looks (lazy lists)."""
        return None

    def render_row(self, row: R, index: int, width: int, selected: bool) -> list[Segment]:  # pragma: no cover
        raise NotImplementedError

    def render_missing(self, sort_key: Any, index: int, width: int, selected: bool) -> list[Segment]:
        """A row whose details are not loaded yet (lazy lists): blank by default."""
        return []

    def render_line(self, y: int) -> Strip:
        index = int(self.scroll_y) + y
        width = self.scrollable_content_region.width or self.size.width
        base = self.rich_style
        if not self._sort_keys:
            if y == 0 and self.loaded:
                style = self.get_component_rich_style("virtual-list--empty")
                return Strip([Segment(self.empty_text[:width].ljust(width), base + style)]).simplify()
            return Strip.blank(width, base)
        if index >= len(self._sort_keys):
            return Strip.blank(width, base)
        row = self._rows[index]
        selected = index == self.cursor
        if row is None:
            sk = self._sort_keys[index]
            cache_key = (self._key_of_sk(sk), None, self.missing_token(sk), width, selected, self.has_focus)
        else:
            key = self._key_of(row)
            if self.detail_cap is not None and key in self._loaded:
                self._loaded[key] = self._loaded.pop(key)  # most recently shown last
            # id(row) tells row objects apart; the cached entry holds the row, so its
            # id cannot be reused by another object while the entry lives.
            cache_key = (key, id(row), self.row_token(row), width, selected, self.has_focus)
        cached = self._cache.get(cache_key)
        if cached is not None and cached[0] is row:
            return cached[1]
        if row is None:
            self._schedule_check()
            segments = self.render_missing(self._sort_keys[index], index, width, selected)
        else:
            segments = self.render_row(row, index, width, selected)
        if selected:
            cursor_style = self.get_component_rich_style("virtual-list--cursor")
            segments = [Segment(t, (s or Style()) + cursor_style) for t, s, *_ in segments]
            if not segments:
                segments = [Segment(" " * width, cursor_style)]
        strip = Strip(segments).apply_style(base).adjust_cell_length(width, base)
        self._cache[cache_key] = (row, strip)
        return strip

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
