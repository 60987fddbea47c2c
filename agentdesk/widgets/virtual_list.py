"""A virtualised, keyed, sorted list on Textual's Line API.

Built for 100,000 rows: no widget per row and no up-front measuring (Textual's
``DataTable`` measures every cell before it shows anything). It follows Textual's own
``widgets/_log.py``: a :class:`~textual.scroll_view.ScrollView` whose ``virtual_size``
is the row count, ``render_line(y)`` renders only the rows on screen, and an LRU
cache keeps rendered strips keyed by (row key, row token, width, cursor) so a row is
re-rendered only when what it shows changes. Subclasses say how a row looks
(:meth:`render_row`) and what makes it look different (:meth:`row_token`, e.g. the
whole seconds of a ticking wait).

Rows are kept sorted by ``sort_key(row)``; live updates arrive as deltas
(:meth:`apply`: upserts and removals, each O(log n) to find plus a list move), and the
cursor stays on the same row key across updates.
"""

from __future__ import annotations

from bisect import bisect_left, insort
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

    def __init__(
        self,
        *,
        key: Callable[[R], Hashable],
        sort_key: Callable[[R], Any],
        empty_text: str = "Nothing here.",
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._key_of = key
        self._sort_key_of = sort_key
        self._sort_keys: list[Any] = []
        self._rows: list[R] = []
        self._by_key: dict[Hashable, R] = {}
        self._cache: LRUCache[tuple[Any, ...], Strip] = LRUCache(512)
        self.empty_text = empty_text
        self.loaded = False

    # ---------------------------------------------------------------- data

    @property
    def row_count(self) -> int:
        return len(self._rows)

    @property
    def rows(self) -> Sequence[R]:
        return self._rows

    def row_at(self, index: int) -> R | None:
        if 0 <= index < len(self._rows):
            return self._rows[index]
        return None

    @property
    def cursor_row(self) -> R | None:
        return self.row_at(self.cursor)

    @property
    def cursor_key(self) -> Hashable | None:
        row = self.cursor_row
        return None if row is None else self._key_of(row)

    def get(self, key: Hashable) -> R | None:
        return self._by_key.get(key)

    def index_of(self, key: Hashable) -> int | None:
        row = self._by_key.get(key)
        if row is None:
            return None
        sk = self._sort_key_of(row)
        i = bisect_left(self._sort_keys, sk)
        return i if i < len(self._rows) and self._sort_keys[i] == sk else None

    def set_rows(self, rows: Iterable[R], *, presorted: bool = False) -> None:
        """Replace every row (initial load). Keeps the cursor on the same key if present."""
        keep = self.cursor_key
        rows = list(rows)
        if not presorted:
            rows.sort(key=self._sort_key_of)
        self._rows = rows
        sk = self._sort_key_of
        self._sort_keys = [sk(r) for r in rows]
        kf = self._key_of
        self._by_key = {kf(r): r for r in rows}
        self._cache.clear()
        self.loaded = True
        self._after_change(keep)
        self.on_rows_replaced()

    def apply(self, upserts: Iterable[R] = (), removals: Iterable[Hashable] = ()) -> None:
        """Apply a delta; the cursor stays on the row it was on (or its neighbour)."""
        keep = self.cursor_key
        keep_index = self.cursor
        changed = False
        for key in removals:
            changed |= self._remove(key)
        for row in upserts:
            self._remove(self._key_of(row))
            sk = self._sort_key_of(row)
            i = bisect_left(self._sort_keys, sk)
            self._sort_keys.insert(i, sk)
            self._rows.insert(i, row)
            self._by_key[self._key_of(row)] = row
            self.on_row_added(row)
            changed = True
        if changed:
            self._after_change(keep, fallback_index=keep_index)

    def _remove(self, key: Hashable) -> bool:
        row = self._by_key.pop(key, None)
        if row is None:
            return False
        sk = self._sort_key_of(row)
        i = bisect_left(self._sort_keys, sk)
        if i < len(self._rows) and self._sort_keys[i] == sk:
            del self._sort_keys[i]
            del self._rows[i]
        self.on_row_removed(row)
        return True

    def _after_change(self, keep: Hashable | None, fallback_index: int | None = None) -> None:
        self.virtual_size = Size(self.size.width or 1, len(self._rows))
        new_index = self.index_of(keep) if keep is not None else None
        if new_index is None:
            new_index = fallback_index if fallback_index is not None else self.cursor
        new_index = max(0, min(new_index, len(self._rows) - 1)) if self._rows else 0
        old_y = self.cursor
        self.set_reactive(VirtualList.cursor, new_index)
        # Keep the cursor row where it was on screen when rows are added above it.
        if self._rows and new_index != old_y:
            self.scroll_to(y=max(0, self.scroll_y + (new_index - old_y)), animate=False, immediate=True)
        self._scroll_cursor_visible()
        self.refresh()
        if self.cursor_key != keep:
            self.post_message(self.Highlighted(self, self.cursor_key))

    # hooks for subclasses that keep derived state (per-queue positions …)
    def on_row_added(self, row: R) -> None: ...

    def on_row_removed(self, row: R) -> None: ...

    def on_rows_replaced(self) -> None: ...

    # ---------------------------------------------------------------- cursor

    def validate_cursor(self, value: int) -> int:
        if not self._rows:
            return 0
        return max(0, min(value, len(self._rows) - 1))

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
        if not self._rows:
            return
        height = self.scrollable_content_region.height or self.size.height
        if height <= 0:
            return
        top = int(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

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
        self.cursor = max(0, len(self._rows) - 1)

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width or 1, len(self._rows))
        self._cache.clear()
        self._scroll_cursor_visible()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()

    def on_click(self, event: Any) -> None:
        index = int(self.scroll_y) + event.y
        if 0 <= index < len(self._rows):
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

    def render_row(self, row: R, index: int, width: int, selected: bool) -> list[Segment]:  # pragma: no cover
        raise NotImplementedError

    def render_line(self, y: int) -> Strip:
        index = int(self.scroll_y) + y
        width = self.scrollable_content_region.width or self.size.width
        base = self.rich_style
        if not self._rows:
            if y == 0 and self.loaded:
                style = self.get_component_rich_style("virtual-list--empty")
                return Strip([Segment(self.empty_text[:width].ljust(width), base + style)]).simplify()
            return Strip.blank(width, base)
        if index >= len(self._rows):
            return Strip.blank(width, base)
        row = self._rows[index]
        selected = index == self.cursor
        cache_key = (self._key_of(row), id(row), self.row_token(row), width, selected, self.has_focus)
        strip = self._cache.get(cache_key)
        if strip is None:
            segments = self.render_row(row, index, width, selected)
            if selected:
                cursor_style = self.get_component_rich_style("virtual-list--cursor")
                segments = [Segment(t, (s or Style()) + cursor_style) for t, s, *_ in segments]
            strip = Strip(segments).apply_style(base).adjust_cell_length(width, base)
            self._cache[cache_key] = strip
        return strip

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
