"""``?``: every key and what it does, generated from the action registry (so it can
never disagree with the footer), with the user's remapped keys."""

from __future__ import annotations

import textwrap

from textual import events
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

    KEY_COLUMN = 16
    NAME_COLUMN = 14

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(self._content(self._text_width(self.app.size.width)), id="help-text")

    @staticmethod
    def _text_width(screen_width: int) -> int:
        """Columns for text inside the box: 84 wide at most, less its border, padding
        and scrollbar."""
        return min(84, screen_width) - 6

    def on_resize(self, event: events.Resize) -> None:
        self.query_one("#help-text", Static).update(self._content(self._text_width(event.size.width)))

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

    def _content(self, width: int = 78) -> Content:
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
                    lines.extend(self._action_lines(self._keys_for(a.id, a.key), a.description, a.help, width))
            lines.append(Content(""))
        lines.extend(self.extra_lines())
        return Content("\n").join(lines)

    def _action_lines(self, keys: str, name: str, help_text: str, width: int) -> list[Content]:
        """One action as a row of three columns (keys, name, what it does), the last
        wrapped with a hanging indent so it reads as a column at any width."""
        indent = 2 + self.KEY_COLUMN + self.NAME_COLUMN
        key_cell = Content.styled(f"  {keys:<{self.KEY_COLUMN - 1}} ", "bold $accent")
        name_cell = Content.styled(f"{name:<{self.NAME_COLUMN - 1}} ", "bold")
        room = width - indent
        if room < 20:  # too narrow for columns: the text on lines of its own
            return [Content.assemble(key_cell, name_cell),
                    *(Content("    " + part) for part in textwrap.wrap(help_text, max(10, width - 4)))]
        parts = textwrap.wrap(help_text, room) or [""]
        return [Content.assemble(key_cell, name_cell, Content(parts[0])),
                *(Content(" " * indent + part) for part in parts[1:])]

    def action_close(self) -> None:
        self.dismiss(None)

    def action_scroll_down(self) -> None:
        self.query_one(VerticalScroll).scroll_down()

    def action_scroll_up(self) -> None:
        self.query_one(VerticalScroll).scroll_up()
