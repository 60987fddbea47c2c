"""The customer panel: who this is, how to reach them, and their past contacts."""

from __future__ import annotations

import textwrap
import time
from collections.abc import Callable
from datetime import datetime

from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from agentdesk.domain import DISPOSITIONS, ConversationView
from agentdesk.safetext import sanitize
from agentdesk.widgets.format import fmt_date

_DISPOSITION_LABELS = dict(DISPOSITIONS)
TIER_STYLES = {"platinum": "bold $accent", "gold": "bold $warning", "standard": "$text-muted"}
WIDTH = 30  # CustomerPanel.DEFAULT_CSS sets the same width
TEXT_W = WIDTH - 1 - 2 - 3  # less the border, the padding, and room for a scrollbar


def customer_content(view: ConversationView, now: float) -> Content:
    c = view.customer
    lines: list[Content] = [
        Content.styled(sanitize(c.name, single_line=True), "bold"),
        Content.styled(f"{c.tier} customer", TIER_STYLES.get(c.tier, "")),
        Content(f"since {fmt_date(c.created_at)}"),
    ]
    if c.email:
        lines.append(Content(sanitize(c.email, single_line=True)))
    if c.phone:
        lines.append(Content(sanitize(c.phone, single_line=True)))
    lines.append(Content(""))
    recent = [h for h in view.history if now - h.created_at < 30 * 86400]
    title = f"Past contacts ({len(view.history)}{'+' if len(view.history) >= 20 else ''})"
    if len(recent) >= 2:
        title += f" · {len(recent)} in 30 days"
    lines.append(Content.styled(title, "bold underline"))
    if not view.history:
        lines.append(Content.styled("first contact", "italic $text-muted"))
    for h in view.history:
        outcome = _DISPOSITION_LABELS.get(h.disposition or "", h.status.replace("_", " "))
        lines.append(Content.assemble(
            Content.styled(datetime.fromtimestamp(h.created_at).strftime("%d %b %Y"), "$text-muted"),
            Content(f"  {h.queue}"),
        ))
        # wrapped here with an indent, so a long subject or outcome stays under its date
        # instead of running back to the panel's edge (the panel is WIDTH cells wide)
        for part in textwrap.wrap(sanitize(h.subject, single_line=True)[:60], TEXT_W - 2) or [""]:
            lines.append(Content("  " + part))
        style = "$success" if h.disposition else "$warning"
        if len(f"  → {outcome} · {h.channel}") <= TEXT_W:
            lines.append(Content.assemble(Content.styled(f"  → {outcome}", style),
                                          Content.styled(f" · {h.channel}", "$text-muted")))
        else:
            for i, part in enumerate(textwrap.wrap(outcome, TEXT_W - 4)):
                lines.append(Content.styled(("  → " if i == 0 else "    ") + part, style))
            lines.append(Content.styled(f"    {h.channel}", "$text-muted"))
    return Content("\n").join(lines)


class CustomerPanel(VerticalScroll, can_focus=False):
    DEFAULT_CSS = """
    CustomerPanel { width: 30; border-left: vkey $panel-lighten-2; padding: 0 1; background: $surface; }
    CustomerPanel Static { width: 100%; }
    """

    def __init__(self, *, clock: Callable[[], float] = time.time, id: str | None = None) -> None:
        super().__init__(id=id)
        self.clock = clock

    def compose(self):
        yield Static(Content.styled("loading…", "italic $text-muted"), id="customer-info")

    def show(self, view: ConversationView) -> None:
        self.query_one("#customer-info", Static).update(customer_content(view, self.clock()))
