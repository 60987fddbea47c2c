"""The assistant panel under the transcript: the customer's tone with the words that
triggered it, and up to three scripts to insert with 1, 2, 3 (x dismisses them)."""

from __future__ import annotations

from textual.content import Content
from textual.widget import Widget

from agentdesk.safetext import sanitize

LEVEL_STYLES = {
    "hostile": "bold reverse $error",
    "upset": "bold $error",
    "concerned": "bold $warning",
    "calm": "$success",
}


class AssistPanel(Widget):
    DEFAULT_CSS = """
    AssistPanel { height: auto; max-height: 4; padding: 0 1; background: $boost; display: none;
                  text-wrap: nowrap; text-overflow: ellipsis; }
    AssistPanel.-visible { display: block; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.assist = None

    def show(self, assist) -> None:
        self.assist = assist
        visible = assist is not None and (assist.suggestions or assist.needs_deescalation)
        self.set_class(bool(visible), "-visible")
        self.refresh(layout=True)

    def get_content_height(self, container, viewport, width: int) -> int:
        a = self.assist
        if a is None:
            return 0
        return 1 + len(a.suggestions)

    def render(self) -> Content:
        a = self.assist
        if a is None:
            return Content("")
        head = [Content.styled(f" {a.level.upper()} " if a.level else "", LEVEL_STYLES.get(a.level or "", ""))]
        summary = a.summary.split(":", 1)[1].strip() if ":" in a.summary else a.summary
        if summary:
            head.append(Content.styled(f" {sanitize(summary, single_line=True)}", "bold"))
        if a.evidence:
            words = ", ".join(f"“{sanitize(w, single_line=True)}”" for w in a.evidence)
            head.append(Content.styled(f" — because: {words}", "$text-muted"))
        lines = [Content.assemble(*head)]
        for i, s in enumerate(a.suggestions, start=1):
            lines.append(Content.assemble(
                Content.styled(f" {i} ", "bold reverse $accent"),
                Content.styled(f" {sanitize(s.title, single_line=True)}", "bold"),
                Content.styled(f" · {sanitize(s.reason, single_line=True)}", "$text-muted"),
            ))
        return Content("\n").join(lines)


class DraftHints(Widget):
    """Gentle hints about the draft (never blocks sending)."""

    DEFAULT_CSS = """
    DraftHints { height: auto; max-height: 3; padding: 0 1; color: $warning; display: none;
                 text-wrap: nowrap; text-overflow: ellipsis; }
    DraftHints.-visible { display: block; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.hints: list = []

    def show(self, hints: list) -> None:
        self.hints = list(hints)[:3]
        self.set_class(bool(self.hints), "-visible")
        self.refresh(layout=True)

    def get_content_height(self, container, viewport, width: int) -> int:
        return len(self.hints)

    def render(self) -> Content:
        lines = []
        for h in self.hints:
            lines.append(Content.assemble(
                Content.styled(f"“{sanitize(h.phrase, single_line=True)}”", "bold $warning"),
                Content.styled(f" {sanitize(h.why, single_line=True)}", "$text-muted"),
                Content.styled(f" → try: {sanitize(h.alternative, single_line=True)}", "$success")
                if h.alternative else Content(""),
            ))
        return Content("\n").join(lines)
