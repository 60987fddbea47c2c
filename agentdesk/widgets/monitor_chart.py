"""A terminal chart of queue depth and service level over the last hours (Line API).

Two stacked bar panels share one time axis: customers waiting (eighth-block bars, scaled
to the highest depth shown) and the service level of each interval (bars from 0 to
100 %, green at or above the goal, red below, a dim ``·`` where nothing was decided).
Each column covers an equal slice of the span; its depth is the highest depth sampled
in the slice, its service level pools the slice's met and decided waits. The lines are
computed once per data or size change and cached; ``render_line`` only hands them out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.segment import Segment
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

BLOCKS = " ▁▂▃▄▅▆▇█"
GUTTER = 7


def columns(depth: Sequence[int], sl: Sequence[tuple[int, int]], width: int
            ) -> tuple[list[int], list[float | None]]:
    """Fold per-bucket series into ``width`` columns: max depth per column (the last
    depth value, "now", belongs to the last column) and pooled service level."""
    n = len(sl)
    if width <= 0 or n == 0:
        return [], []
    d_out: list[int] = []
    s_out: list[float | None] = []
    for c in range(width):
        a = c * n // width
        b = max(a + 1, (c + 1) * n // width)
        d_vals = list(depth[a:b])
        if c == width - 1 and len(depth) > n:
            d_vals.append(depth[n])
        d_out.append(max(d_vals) if d_vals else 0)
        met = sum(x[0] for x in sl[a:b])
        decided = sum(x[1] for x in sl[a:b])
        s_out.append(met / decided if decided else None)
    return d_out, s_out


def bar_char(value: float, row_from_bottom: int) -> str:
    """The block for one cell of a bar ``value`` rows high (fractional), counting rows
    from the bottom (0)."""
    level = round((value - row_from_bottom) * 8)
    return BLOCKS[max(0, min(8, level))]


def axis_labels(span_s: float, width: int) -> str:
    """``-3h      -2h      -1h      now`` spread over ``width`` cells: a tick every 15 min,
    30 min, 1 h or 2 h, whichever leaves at least 8 cells between labels."""
    if width <= 0:
        return ""
    line = [" "] * width
    end = "now"[:width]
    start_now = width - len(end)
    line[start_now:] = list(end)
    steps = (900, 1800, 3600, 7200, 14400) if span_s <= 7200 else (3600, 7200, 14400)
    step = next((s for s in steps if s / span_s * width >= 8), None)
    if step is None:
        return "".join(line)
    ago = step
    while ago < span_s:
        h, m = divmod(int(ago) // 60, 60)
        text = f"-{h}h" if not m else (f"-{m}m" if not h else f"-{h}h{m:02d}")
        pos = round(width - 1 - ago / span_s * width)
        if pos >= 0 and pos + len(text) < start_now and all(c == " " for c in line[max(0, pos - 1):pos + len(text) + 1]):
            line[pos:pos + len(text)] = list(text)
        ago += step
    return "".join(line)


class MonitorChart(ScrollView, can_focus=False):
    DEFAULT_CSS = """
    MonitorChart { height: 1fr; min-height: 5; background: $surface; overflow: hidden; }
    MonitorChart > .chart--title { color: $text; text-style: bold; }
    MonitorChart > .chart--dim { color: $text-muted; }
    MonitorChart > .chart--depth { color: $accent; }
    MonitorChart > .chart--good { color: $success; }
    MonitorChart > .chart--bad { color: $error; }
    """
    COMPONENT_CLASSES = {"chart--title", "chart--dim", "chart--depth", "chart--good", "chart--bad"}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.depth: tuple[int, ...] = ()
        self.sl: tuple[tuple[int, int], ...] = ()
        self.span_s = 4 * 3600.0
        self.step_s = 60.0
        self.goal = 0.8
        self.title = "all queues"
        self.reading = False  # the history is still being read
        self._lines: list[Strip] | None = None
        self._built_size = (0, 0)

    def set_data(self, depth: Sequence[int], sl: Sequence[tuple[int, int]], *, step_s: float, span_s: float,
                 goal: float, title: str) -> None:
        """``depth``/``sl`` cover the whole kept history (oldest first); the chart shows the
        last ``span_s`` of it."""
        buckets = max(1, int(round(span_s / step_s)))
        self.sl = tuple(sl[-buckets:])
        self.depth = tuple(depth[-(len(self.sl) + 1):])
        self.span_s, self.step_s, self.goal, self.title = span_s, step_s, goal, title
        self._lines = None
        self.refresh()

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, self.size.height)
        self._lines = None
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._lines = None

    def render_line(self, y: int) -> Strip:
        width, height = self.size.width, self.size.height
        if self._lines is None or self._built_size != (width, height):
            self._lines = self._build(width, height)
            self._built_size = (width, height)
        base = self.rich_style
        if 0 <= y < len(self._lines):
            return self._lines[y]
        return Strip.blank(width, base)

    # ------------------------------------------------------------------ drawing

    def _build(self, width: int, height: int) -> list[Strip]:
        base = self.rich_style
        st = self.get_component_rich_style
        dim, title_st = st("chart--dim"), st("chart--title")
        plot_w = max(0, width - GUTTER)
        rows_avail = max(0, height - 2)  # title and axis
        depth_rows = max(1, round(rows_avail * 0.55)) if rows_avail >= 2 else rows_avail
        sl_rows = max(0, rows_avail - depth_rows)
        d_cols, s_cols = columns(self.depth, self.sl, plot_w)
        top = max(d_cols) if d_cols else 0
        now_depth = self.depth[-1] if self.depth else 0
        recent = [v for v in s_cols if v is not None]
        hours = self.span_s / 3600
        span_text = f"{hours:g}h" if hours >= 1 else f"{round(self.span_s / 60)}m"
        lines: list[list[Segment]] = []
        right = f"waiting now {now_depth} · peak {top}" + (f" · SL latest {recent[-1]:.0%}" if recent else "")
        if self.reading:
            right = "reading the last hours…"
        left = f" Queue depth & service level · {self.title} · last {span_text}"
        gap = width - len(left) - len(right) - 1
        if gap >= 1:
            lines.append([Segment(left, title_st), Segment(" " * gap), Segment(right + " ", dim)])
        else:
            lines.append([Segment(left[:width], title_st)])
        scale = max(1, top)
        for r in range(depth_rows):
            from_bottom = depth_rows - 1 - r
            label = f"{scale:>5} " if r == 0 else ("depth " if r == depth_rows - 1 else " " * 6)
            cells = "".join(bar_char(v / scale * depth_rows, from_bottom) for v in d_cols)
            lines.append([Segment(label[:GUTTER - 1].ljust(GUTTER - 1) + "│", dim), Segment(cells, st("chart--depth"))])
        for r in range(sl_rows):
            from_bottom = sl_rows - 1 - r
            if r == 0:
                label = " 100% "
            elif r == sl_rows - 1:
                label = f"SL≥{self.goal:.0%}"[:6].ljust(6)
            else:
                label = " " * 6
            segs = [Segment(label[:GUTTER - 1].ljust(GUTTER - 1) + "│", dim)]
            run_text, run_style = "", None
            for v in s_cols:
                if v is None:
                    ch, style = ("·" if from_bottom == 0 else " "), dim
                else:
                    ch = bar_char(v * sl_rows, from_bottom)
                    if from_bottom == 0 and ch == " ":
                        ch = "▁"  # 0 %: decided, and all missed — still visible
                    style = st("chart--good") if v >= self.goal else st("chart--bad")
                if style is run_style:
                    run_text += ch
                else:
                    if run_text:
                        segs.append(Segment(run_text, run_style))
                    run_text, run_style = ch, style
            if run_text:
                segs.append(Segment(run_text, run_style))
            lines.append(segs)
        if height >= 2:
            lines.append([Segment(" " * (GUTTER - 1) + "└", dim), Segment(axis_labels(self.span_s, plot_w), dim)])
        strips = [Strip(segs).apply_style(base).adjust_cell_length(width, base) for segs in lines[:height]]
        return strips
