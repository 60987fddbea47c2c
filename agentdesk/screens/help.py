"""``?``: every key and what it does, generated from the action registry (so it can
never disagree with the footer), with the user's remapped keys."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from agentdesk.keys import ACTIONS, SCOPE_TITLES, display_key


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 84; max-width: 100%; height: 90%; border: round $accent; background: $surface; padding: 0 1;
    }
    """
    BINDINGS = [
        Binding("escape,question_mark,q", "close", "Close", id="help_close"),
        Binding("down,j", "scroll_down", "Down", show=False),
        Binding("up,k", "scroll_up", "Up", show=False),
    ]

    def __init__(self, origin: Screen | None = None) -> None:
        super().__init__()
        self.origin = origin

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(self._content(), id="help-text")

    def _keys_for(self, action_id: str, default: str) -> str:
        keymap = getattr(self.app, "_keymap", {}) or {}
        keys = keymap.get(action_id, default)
        return ", ".join(display_key(k) for k in keys.split(","))

    TITLE = "agentdesk — keys"
    INTRO = "Esc closes this help. Ctrl+P opens the command palette."

    def scope_titles(self) -> dict[str, str]:
        """The scopes to list, with their titles (the app's own, by default)."""
        wanted = getattr(self.app, "HELP_SCOPES", None)
        return {s: t for s, t in SCOPE_TITLES.items()
                if any(a.scope == s for a in ACTIONS) and (wanted is None or s in wanted)}

    def extra_lines(self) -> list[Content]:
        """Anything a screen's help adds after the key tables."""
        return []

    def _content(self) -> Content:
        origin_scopes = set(getattr(self.origin, "ACTION_SCOPES", ()))
        titles = self.scope_titles()
        first = next(iter(titles), None)
        # the current screen's keys first, then the app's own, then the rest
        scopes = sorted(titles, key=lambda s: (s not in origin_scopes, s != first))
        lines = [Content.styled(self.TITLE, "bold $accent"), Content.styled(self.INTRO, "$text-muted"), Content("")]
        for scope in scopes:
            lines.append(Content.styled(titles[scope], "bold underline"))
            for a in ACTIONS:
                if a.scope == scope:
                    lines.append(Content.assemble(
                        Content.styled(f"  {self._keys_for(a.id, a.key):<16}", "bold $accent"),
                        Content.styled(f"{a.description:<14}", "bold"),
                        Content(a.help),
                    ))
            lines.append(Content(""))
        lines.extend(self.extra_lines())
        return Content("\n").join(lines)

    def action_close(self) -> None:
        self.dismiss(None)

    def action_scroll_down(self) -> None:
        self.query_one(VerticalScroll).scroll_down()

    def action_scroll_up(self) -> None:
        self.query_one(VerticalScroll).scroll_up()
