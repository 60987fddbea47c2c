"""The conversation transcript on Textual's Line API.

Customer, agent, system and internal-note messages are visibly distinct (a coloured
bar and label per kind, notes marked NOTE), each with its time; long messages wrap to
the width; it scrolls; a conversation with thousands of messages opens at once because
only the visible lines are rendered and wrapping is a plain-string pass (no Rich
layout per message). Text is sanitised (:mod:`agentdesk.safetext`) and never parsed as
markup; evidence spans from the tone engine can be highlighted inside a message.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from agentdesk.domain import MessageView
from agentdesk.safetext import sanitize
from agentdesk.widgets.format import fmt_clock

KIND_LABELS = {"customer": "", "agent": "", "system": "system", "note": "NOTE"}


@dataclass
class _Item:
    message: MessageView
    text: str  # sanitised body
    highlights: list[tuple[int, int]] = field(default_factory=list)  # spans in ``text``


def highlight_spans(original: str, spans: Iterable[tuple[int, int]]) -> tuple[str, list[tuple[int, int]]]:
    """Sanitise ``original`` and map ``spans`` (offsets into it) to offsets into the result."""
    cuts = sorted({0, len(original), *[max(0, min(len(original), p)) for s in spans for p in s]})
    pieces = []
    mapping = {}
    pos = 0
    for a, b in zip(cuts, cuts[1:]):
        mapping[a] = pos
        piece = sanitize(original[a:b])
        pieces.append(piece)
        pos += len(piece)
    mapping[len(original)] = pos
    text = "".join(pieces)
    out = []
    for s, e in spans:
        s, e = max(0, min(len(original), s)), max(0, min(len(original), e))
        if e > s:
            out.append((mapping.get(s, 0), mapping.get(e, pos)))
    return text, out


def wrap_offsets(text: str, width: int) -> list[tuple[int, int]]:
    """Split ``text`` into lines of at most ``width`` cells, breaking at spaces where
    possible; returns (start, end) offsets. Newlines always break."""
    width = max(1, width)
    lines: list[tuple[int, int]] = []
    start = 0
    for para in text.split("\n"):
        end_para = start + len(para)
        if not para:
            lines.append((start, start))
        pos = start
        while pos < end_para:
            # fast path: ASCII-ish text whose remainder fits
            remaining = text[pos:end_para]
            if len(remaining) <= width and cell_len(remaining) <= width:
                lines.append((pos, end_para))
                break
            # find the longest prefix that fits in ``width`` cells
            cells = 0
            cut = pos
            while cut < end_para:
                w = cell_len(text[cut])
                if cells + w > width:
                    break
                cells += w
                cut += 1
            if cut == pos:  # a single wide character wider than the line
                cut = pos + 1
            space = text.rfind(" ", pos, cut + 1) if cut < end_para else -1
            if space > pos and cut < end_para:
                lines.append((pos, space))
                pos = space + 1
            else:
                lines.append((pos, cut))
                pos = cut
        start = end_para + 1
    return lines


class Transcript(ScrollView, can_focus=True):
    DEFAULT_CSS = """
    Transcript { background: $surface; overflow-x: hidden; overflow-y: auto; }
    Transcript > .transcript--customer { color: $accent; text-style: bold; }
    Transcript > .transcript--agent { color: $success; text-style: bold; }
    Transcript > .transcript--system { color: $text-muted; text-style: italic; }
    Transcript > .transcript--note { color: $warning; text-style: bold; }
    Transcript > .transcript--note-body { color: $warning-lighten-2; }
    Transcript > .transcript--time { color: $text-muted; }
    Transcript > .transcript--evidence { background: $error 40%; text-style: bold underline; }
    Transcript > .transcript--more { color: $text-muted; text-style: italic; }
    """
    COMPONENT_CLASSES = {
        "transcript--customer", "transcript--agent", "transcript--system", "transcript--note",
        "transcript--note-body", "transcript--time", "transcript--evidence", "transcript--more",
    }
    BINDINGS = [
        Binding("up,k", "scroll_up", "Scroll up", show=False),
        Binding("down,j", "scroll_down", "Scroll down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home", "scroll_home", "Top", show=False),
        Binding("end", "scroll_end", "Bottom", show=False),
    ]

    def __init__(self, *, clock: Callable[[], float] = time.time, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.clock = clock
        self._items: list[_Item] = []
        self._lines: list[tuple[str, _Item | None, int, int]] = []  # (part, item, start, end)
        self._layout_width = 0
        self._cache: LRUCache[tuple, Strip] = LRUCache(1024)
        self.earlier_count = 0  # messages not loaded yet (older)
        self._highlight_map: dict[int, list[tuple[int, int]]] = {}

    def on_mount(self) -> None:
        # Stay on the newest message when the pane gets shorter (the assist panel or the
        # composer opening below it) or longer, and as messages arrive, until the agent
        # scrolls up; scrolling back to the end sticks again (Textual's anchor).
        self.anchor()

    # ---------------------------------------------------------------- data

    @property
    def message_count(self) -> int:
        return len(self._items)

    @property
    def last_message_id(self) -> int | None:
        return self._items[-1].message.id if self._items else None

    @property
    def messages(self) -> list[MessageView]:
        return [i.message for i in self._items]

    def set_messages(self, messages: Sequence[MessageView], *, earlier: int = 0,
                     highlights: dict[int, list[tuple[int, int]]] | None = None) -> None:
        highlights = highlights or {}
        self._highlight_map = dict(highlights)
        self._items = [self._item(m, highlights.get(m.id, ())) for m in messages]
        self.earlier_count = earlier
        self._relayout()
        self.scroll_end(animate=False, immediate=True, x_axis=False, force=True)

    def lay_out(self, messages: Sequence[MessageView]) -> tuple[int, list[_Item], list[tuple]]:
        """Sanitise and wrap ``messages`` at the current width, touching nothing of the
        widget's state: safe to call from a worker thread, then hand the result to
        :meth:`prepend` (which redoes it if the width changed meanwhile)."""
        width = self._layout_width or self.scrollable_content_region.width or self.size.width or 80
        body_w = self._body_width(width)
        items = [self._item(m, ()) for m in messages]
        lines: list[tuple] = []
        for item in items:
            lines.extend(self._item_lines(item, body_w))
        return width, items, lines

    def prepend(self, messages: Sequence[MessageView], *, earlier: int = 0,
                laid_out: tuple[int, list[_Item], list[tuple]] | None = None) -> None:
        """Add older messages above (keeps the view where it was). Only the new
        messages are wrapped (or were, by :meth:`lay_out`); the lines already laid
        out are kept."""
        before = len(self._lines)
        width = self._layout_width or self.scrollable_content_region.width or self.size.width or 80
        if laid_out is None or laid_out[0] != width:
            laid_out = self.lay_out(messages)
        _width, new, new_lines = laid_out
        self._items[:0] = new
        lines = [("more", None, 0, 0)] if earlier else []
        lines.extend(new_lines)
        old = self._lines[1:] if self._lines and self._lines[0][0] == "more" else self._lines
        self._lines = lines + old
        self.earlier_count = earlier
        self._laid_out()
        self.scroll_to(y=self.scroll_y + len(self._lines) - before, animate=False, immediate=True, force=True)
        if any(item.message.id in self._highlight_map for item in new):
            self.set_highlights(self._highlight_map)  # evidence found before these arrived

    def append(self, messages: Sequence[MessageView]) -> None:
        at_end = self.is_vertical_scroll_end or self.max_scroll_y == 0
        known = {i.message.id for i in self._items[-len(messages) - 5:]}
        new = [self._item(m, ()) for m in messages if m.id not in known]
        if not new:
            return
        self._items.extend(new)
        body_w = self._body_width(self._layout_width or self.scrollable_content_region.width
                                  or self.size.width or 80)
        for item in new:
            self._lines.extend(self._item_lines(item, body_w))
        self._laid_out(keep_cache=True)
        if at_end:
            self.scroll_end(animate=False, immediate=True, x_axis=False, force=True)

    def set_highlights(self, highlights: dict[int, list[tuple[int, int]]]) -> None:
        """Highlight evidence spans (offsets into each message's original body)."""
        self._highlight_map = dict(highlights)
        changed = rewrap = False
        for item in self._items:
            spans = highlights.get(item.message.id)
            if spans is not None or item.highlights:
                fresh = self._item(item.message, spans or ())
                if fresh.text != item.text or fresh.highlights != item.highlights:
                    rewrap |= fresh.text != item.text  # (tabs expand per piece): wrap again
                    item.text, item.highlights = fresh.text, fresh.highlights
                    changed = True
        if rewrap:
            self._relayout()
        elif changed:
            self._cache.clear()
            self.refresh()

    def _item(self, m: MessageView, spans: Iterable[tuple[int, int]]) -> _Item:
        spans = list(spans)
        if spans:
            text, mapped = highlight_spans(m.body, spans)
            return _Item(m, text, mapped)
        return _Item(m, sanitize(m.body))

    # ---------------------------------------------------------------- layout

    def _body_width(self, width: int) -> int:
        return max(10, width - 3)

    @staticmethod
    def _item_lines(item: _Item, body_w: int) -> list[tuple[str, "_Item | None", int, int]]:
        lines: list[tuple[str, _Item | None, int, int]] = [("header", item, 0, 0)]
        for start, end in wrap_offsets(item.text, body_w):
            lines.append(("body", item, start, end))
        lines.append(("gap", item, 0, 0))
        return lines

    def _relayout(self) -> None:
        width = self.scrollable_content_region.width or self.size.width or 80
        self._layout_width = width
        body_w = self._body_width(width)
        lines: list[tuple[str, _Item | None, int, int]] = []
        if self.earlier_count:
            lines.append(("more", None, 0, 0))
        for item in self._items:
            lines.extend(self._item_lines(item, body_w))
        self._lines = lines
        self._laid_out()

    def _laid_out(self, keep_cache: bool = False) -> None:
        """The lines changed: size the scroll area and repaint. Cached strips are keyed
        by line number, so they go unless lines were only added at the end."""
        if not keep_cache:
            self._cache.clear()
        width = self._layout_width or self.scrollable_content_region.width or self.size.width or 80
        self.virtual_size = Size(width, len(self._lines))
        self.refresh()

    def on_resize(self) -> None:
        width = self.scrollable_content_region.width or self.size.width
        if width != self._layout_width:
            at_end = self.is_vertical_scroll_end
            self._relayout()
            if at_end:
                self.scroll_end(animate=False, immediate=True, x_axis=False, force=True)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()

    # ---------------------------------------------------------------- rendering

    def render_line(self, y: int) -> Strip:
        index = int(self.scroll_y) + y
        width = self.scrollable_content_region.width or self.size.width
        base = self.rich_style
        if index >= len(self._lines):
            return Strip.blank(width, base)
        key = (index, width)
        strip = self._cache.get(key)
        if strip is None:
            strip = Strip(self._render(self._lines[index], width)).apply_style(base).adjust_cell_length(width, base)
            self._cache[key] = strip
        return strip

    def _render(self, line: tuple[str, "_Item | None", int, int], width: int) -> list[Segment]:
        part, item, start, end = line
        style = self.get_component_rich_style
        if part == "more" or item is None:
            return [Segment(f"  ↑ {self.earlier_count} earlier messages (loading…)", style("transcript--more"))]
        kind = item.message.kind if item.message.kind in KIND_LABELS else "system"
        bar_style = style(f"transcript--{kind}")
        if part == "gap":
            return []
        if part == "header":
            label = KIND_LABELS[kind]
            who = sanitize(item.message.author, single_line=True)
            text = f"{who}" if not label else (f"{label} · {who}" if kind == "note" else label)
            stamp = fmt_clock(item.message.created_at, self.clock())
            return [Segment("▍", bar_style), Segment(f"{text}", bar_style), Segment(f"  {stamp}", style("transcript--time"))]
        body_style = style("transcript--note-body") if kind == "note" else (
            style("transcript--system") if kind == "system" else Style())
        segs = [Segment("▍ ", bar_style)]
        if not item.highlights:
            segs.append(Segment(item.text[start:end], body_style))
            return segs
        evidence = style("transcript--evidence")
        pos = start
        for hs, he in sorted(item.highlights):
            if he <= start or hs >= end:
                continue
            hs, he = max(hs, start), min(he, end)
            if hs > pos:
                segs.append(Segment(item.text[pos:hs], body_style))
            segs.append(Segment(item.text[hs:he], body_style + evidence))
            pos = he
        if pos < end:
            segs.append(Segment(item.text[pos:end], body_style))
        return segs
