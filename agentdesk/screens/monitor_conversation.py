"""Watching one conversation from the monitor: its transcript, live, read-only.

The header says who, where, its state, who has it and its tone; the tone engine's
evidence is highlighted in the customer's messages. There is nothing to type and no
action that writes; opening it leaves no trace (no "read" mark, no event). New
messages appear when the app's board says the conversation changed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static

from agentdesk.keys import bindings_for
from agentdesk.safetext import sanitize
from agentdesk.widgets.format import channel_label, fmt_wait
from agentdesk.widgets.transcript import Transcript

if TYPE_CHECKING:  # pragma: no cover
    from agentdesk.domain import ConversationView, MessageView
    from agentdesk.monitor import Board
    from agentdesk.monitor_app import MonitorApp

MESSAGE_LIMIT = 500


class MonitorConversationScreen(Screen[None]):
    BINDINGS = bindings_for("monitor_conversation")
    ACTION_SCOPES = ("monitor_conversation",)
    AUTO_FOCUS = "Transcript"
    DEFAULT_CSS = """
    MonitorConversationScreen { layout: vertical; }
    #watch-status { height: 1; background: $primary 30%; padding: 0 1; }
    #watch-header { height: auto; max-height: 2; padding: 0 1; background: $boost; }
    #watch-tone { height: auto; max-height: 2; padding: 0 1; display: none; }
    #watch-tone.shown { display: block; }
    #watch-tone.hostile { background: $error 25%; }
    #watch-tone.upset { background: $warning 20%; }
    #watch-transcript { height: 1fr; }
    """

    app: "MonitorApp"

    def __init__(self, conversation_id: int) -> None:
        super().__init__()
        self.conversation_id = conversation_id
        self.view: "ConversationView | None" = None
        self.summary = ""

    def compose(self) -> ComposeResult:
        yield Static(Content.assemble(Content.styled("agentdesk monitor", "bold"), " · watching · ",
                                      Content.styled("READ-ONLY", "bold $success")), id="watch-status")
        yield Static(Content.styled(f"#{self.conversation_id} loading…", "italic"), id="watch-header")
        yield Static("", id="watch-tone")
        yield Transcript(clock=self.app.clock, id="watch-transcript")
        yield Footer()

    def on_mount(self) -> None:
        self._load()

    # ------------------------------------------------------------ loading

    @work(thread=True, exclusive=True, group="watch-load", exit_on_error=False)
    def _load(self) -> None:
        from agentdesk.errors import AgentdeskError

        monitor = self.app.monitor
        if monitor is None:
            self.app.call_from_thread(self._failed, "Still connecting to the store…")
            return
        try:
            view, highlights, summary = monitor.conversation(self.conversation_id, message_limit=MESSAGE_LIMIT)
        except AgentdeskError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self._show, view, highlights, summary)

    def _failed(self, message: str) -> None:
        self.notify(message, severity="error", timeout=4)
        if self.view is None and self.app.screen is self:
            self.app.pop_screen()

    def _show(self, view: "ConversationView", highlights: dict, summary: str) -> None:
        self.view = view
        self.summary = summary
        transcript = self.query_one(Transcript)
        transcript.set_messages(view.messages, earlier=max(0, view.total_messages - len(view.messages)),
                                highlights=highlights)
        self._render_header()

    def apply_board(self, board: "Board") -> None:
        if self.view is not None:
            self._render_header(board.at)
        if self.conversation_id in board.changed and self.view is not None:
            self._refresh()

    @work(thread=True, exclusive=True, group="watch-live", exit_on_error=False)
    def _refresh(self) -> None:
        """New messages, the state and the tone: a few indexed reads."""
        from agentdesk.errors import AgentdeskError

        monitor = self.app.monitor
        transcript = self.query_one(Transcript)
        after = transcript.last_message_id
        try:
            view = monitor.desk.conversation(self.conversation_id, message_limit=1)
            new = monitor.messages_after(self.conversation_id, after)
            highlights, summary = monitor.tone_spans(self.conversation_id)
        except AgentdeskError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        self.app.call_from_thread(self._apply_live, view, new, highlights, summary)

    def _apply_live(self, view: "ConversationView", new: list["MessageView"], highlights: dict,
                    summary: str) -> None:
        self.view = view
        self.summary = summary
        transcript = self.query_one(Transcript)
        if new:
            transcript.append(new)
        transcript.set_highlights(highlights)
        self._render_header()

    # ------------------------------------------------------------ rendering

    def _render_header(self, now: float | None = None) -> None:
        v = self.view
        if v is None:
            return
        now = self.app.clock() if now is None else now
        status = v.status.replace("_", " ")
        if v.status == "waiting":
            status += f" {fmt_wait(now - v.enqueued_at)}"
        elif v.status == "on_hold" and v.hold_reason:
            status += f" ({sanitize(v.hold_reason, single_line=True)})"
        elif v.status == "resolved" and v.disposition:
            status += f" ({v.disposition})"
        parts = [
            Content.styled(f"#{v.id} ", "bold"),
            Content.styled(sanitize(v.customer.name, single_line=True), "bold"),
            Content.styled(f" ({v.customer.tier})", "$text-muted"),
            Content(" · " + (sanitize(v.subject, single_line=True) or "(no subject)")),
            Content.styled(f"  {sanitize(v.queue_name, single_line=True)} · {channel_label(v.channel)} · ",
                           "$text-muted"),
            Content.styled(status, "bold $warning" if v.status in ("waiting", "on_hold") else "bold"),
        ]
        if v.assignee_name and v.status in ("active", "on_hold", "wrap_up"):
            parts.append(Content.styled(" · " + sanitize(v.assignee_name, single_line=True), "$text-muted"))
        self.query_one("#watch-header", Static).update(Content.assemble(*parts))
        tone_line = self.query_one("#watch-tone", Static)
        tone = v.tone
        tone_line.set_class(tone == "hostile", "hostile")
        tone_line.set_class(tone == "upset", "upset")
        if tone in ("upset", "hostile", "concerned"):
            text = self.summary or ""
            if text.startswith(f"{tone}: "):
                text = text[len(tone) + 2:]
            tone_line.update(Content.assemble(Content.styled(f"{tone.upper()}  ", "bold"),
                                              Content(sanitize(text, single_line=True)),
                                              Content.styled("  (evidence highlighted)", "$text-muted")))
            tone_line.add_class("shown")
        else:
            tone_line.remove_class("shown")

    # ------------------------------------------------------------ actions

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_latest(self) -> None:
        self.query_one(Transcript).scroll_end(animate=False)
