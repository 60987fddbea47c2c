"""The top status line: who you are, whether you can take work, and the time."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

from agentdesk.domain import AgentInfo
from agentdesk.safetext import sanitize


class StatusBar(Widget):
    DEFAULT_CSS = """
    StatusBar { height: 1; background: $panel; padding: 0 1; }
    """

    agent: reactive[AgentInfo | None] = reactive(None)
    note: reactive[str] = reactive("")

    def __init__(self, *, clock: Callable[[], float] = time.time, id: str | None = None) -> None:
        super().__init__(id=id)
        self.clock = clock

    def render(self) -> Content:
        clock = datetime.fromtimestamp(self.clock()).strftime("%H:%M:%S")
        left = Content.styled("agentdesk", "bold $accent")
        if self.agent is None:
            who = Content.styled("  connecting…", "italic $text-muted")
        else:
            status = self.agent.status
            style = "bold $success" if status == "available" else "bold $warning"
            who = Content.assemble(
                Content("  "), Content.styled(sanitize(self.agent.display_name, single_line=True), "bold"),
                Content("  "), Content.styled(f"● {status}", style),
                Content.styled("  (F2 to switch)", "$text-muted"),
            )
        note = Content.styled(f"  {self.note}", "$text-muted") if self.note else Content("")
        right = Content.styled(clock, "$text-muted")
        body = Content.assemble(left, who, note)
        pad = max(1, self.size.width - body.cell_length - right.cell_length)
        return Content.assemble(body, Content(" " * pad), right)
