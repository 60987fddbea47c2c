"""The wait-time transparency banner: one line per queue.

Per queue: how many wait, the longest wait so far, and (when the wait engine can
quote honestly) the longest a customer arriving now should wait, with the reason in
plain words. Counts and oldest waits come from the queue view's maintained state.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from textual.content import Content
from textual.widget import Widget

from agentdesk.domain import QueueInfo
from agentdesk.safetext import sanitize
from agentdesk.widgets.format import fmt_wait


@dataclass(frozen=True)
class BannerQuote:
    """What the banner shows for a new arrival on one queue."""

    bound_s: float | None
    reason: str


class QueueBanner(Widget):
    DEFAULT_CSS = """
    QueueBanner { height: auto; max-height: 6; padding: 0 1; background: $boost;
                  text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def __init__(self, *, clock: Callable[[], float] = time.time, id: str | None = None) -> None:
        super().__init__(id=id)
        self.clock = clock
        self.queues: list[QueueInfo] = []
        self.stats: dict[int, tuple[int, float | None]] = {}
        self.quotes: dict[int, BannerQuote] = {}

    def set_queues(self, queues: Sequence[QueueInfo]) -> None:
        self.queues = list(queues)
        self.refresh(layout=True)

    def refresh_stats(self, stats: dict[int, tuple[int, float | None]]) -> None:
        self.stats = stats
        self.refresh()

    def set_quotes(self, quotes: dict[int, BannerQuote]) -> None:
        self.quotes = quotes
        self.refresh()

    def get_content_height(self, container, viewport, width: int) -> int:
        return max(1, len(self.queues))

    def render(self) -> Content:
        if not self.queues:
            return Content.styled("Connecting…", "italic $text-muted")
        now = self.clock()
        lines = []
        name_w = max(len(q.title) for q in self.queues)
        for q in self.queues:
            count, oldest = self.stats.get(q.id, (0, None))
            longest = fmt_wait(now - oldest) if oldest is not None else "—"
            parts = [
                Content.styled(sanitize(q.title, single_line=True).ljust(name_w), "bold"),
                Content(f"  {count:>4} waiting  longest {longest:>7}"),
            ]
            if oldest is not None and now - oldest > q.sl_target_s:
                parts[-1] = parts[-1].stylize("$warning")
            quote = self.quotes.get(q.id)
            if quote is not None:
                if quote.bound_s is not None:
                    parts.append(Content.styled(f"  new: at most {fmt_wait(quote.bound_s, short=True)}", "bold $success"))
                    parts.append(Content.styled(f" · {sanitize(quote.reason, single_line=True)}", "$text-muted"))
                else:
                    why = quote.reason
                    for marker in ("no estimate:", "no bound yet:"):
                        if marker in why:
                            why = why.split(marker, 1)[1]
                    parts.append(Content.styled(f"  no honest quote yet: {sanitize(why, single_line=True)}",
                                                "italic $text-muted"))
            lines.append(Content.assemble(*parts))
        return Content("\n").join(lines)
