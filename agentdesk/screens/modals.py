"""Small dialogs: hold reason, transfer, resolve, pick a conversation, go to a number.

Each returns its answer through ``dismiss`` (None when cancelled with Esc). Options are
Textual's ``OptionList`` given ``Content`` built by :func:`agentdesk.safetext.inert`, so
nothing shown here is parsed as markup.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, TextArea
from textual.widgets.option_list import Option

from agentdesk.domain import DISPOSITIONS, QueueInfo
from agentdesk.safetext import inert

HOLD_REASONS = (
    "Checking with another team",
    "Looking into the account",
    "Waiting for a system to respond",
    "Asking a supervisor",
)


class _Dialog(ModalScreen):
    DEFAULT_CSS = """
    _Dialog { align: center middle; }
    _Dialog > Vertical {
        width: 72; max-width: 95%; height: auto; max-height: 90%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    _Dialog Label.title { text-style: bold; padding: 0 0 1 0; }
    _Dialog Label.hint { color: $text-muted; }
    _Dialog Label.error { color: $error; }
    _Dialog OptionList { height: auto; max-height: 12; }
    _Dialog TextArea { height: 5; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog_cancel")]

    def action_cancel(self) -> None:
        self.dismiss(None)


class HoldDialog(_Dialog):
    """Ask why the conversation goes on hold (choose a common reason or type one)."""

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Put on hold — why?", classes="title")
            yield OptionList(*[Option(inert(r), id=f"r{i}") for i, r in enumerate(HOLD_REASONS)], id="reasons")
            yield Input(placeholder="…or type a reason and press Enter", id="reason")
            yield Label("Enter: hold   Esc: cancel", classes="hint")

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(HOLD_REASONS[int(event.option.id[1:])])

    @on(Input.Submitted)
    def _typed(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.dismiss(event.value.strip())
        else:
            self.notify("Type a reason, or pick one above.", severity="warning", timeout=2)


@dataclass(frozen=True)
class TransferRequest:
    queue_id: int
    note: str


class TransferDialog(_Dialog):
    """Choose the queue and write the hand-off note the next agent will see first."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="dialog_cancel"),
        Binding("ctrl+s", "confirm", "Transfer", id="dialog_confirm", priority=True),
    ]

    def __init__(self, queues: Sequence[QueueInfo], current_queue_id: int) -> None:
        super().__init__()
        self.queues = [q for q in queues if q.id != current_queue_id]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Transfer to which queue?", classes="title")
            yield OptionList(*[Option(inert(q.title), id=f"q{q.id}") for q in self.queues], id="queues")
            yield Label("Hand-off note (required) — what the next agent must know:", classes="hint")
            yield TextArea(id="note", soft_wrap=True)
            yield Label("", id="error", classes="error")
            yield Label("Tab: next field   Ctrl+S: transfer   Esc: cancel", classes="hint")

    def on_mount(self) -> None:
        self.query_one(OptionList).highlighted = 0 if self.queues else None

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.query_one("#note", TextArea).focus()

    def action_confirm(self) -> None:
        # Ctrl+S is a priority key: read the note after the keys typed before it
        self.query_one("#note", TextArea).call_later(self._confirm)

    def _confirm(self) -> None:
        options = self.query_one(OptionList)
        note = self.query_one("#note", TextArea).text.strip()
        error = self.query_one("#error", Label)
        if options.highlighted is None:
            error.update("Choose a queue.")
            return
        if not note:
            error.update("Write a hand-off note, so the customer never has to repeat themselves.")
            self.query_one("#note", TextArea).focus()
            return
        self.dismiss(TransferRequest(self.queues[options.highlighted].id, note))


@dataclass(frozen=True)
class ResolveRequest:
    disposition: str
    note: str


class ResolveDialog(_Dialog):
    """Resolve with a disposition (and an optional closing note)."""

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Resolve — how did it end?", classes="title")
            yield OptionList(*[Option(inert(label), id=code) for code, label in DISPOSITIONS], id="dispositions")
            yield Input(placeholder="Optional internal closing note (Enter resolves)", id="note")
            yield Label("Enter on a disposition: resolve   Esc: cancel", classes="hint")

    def on_mount(self) -> None:
        self.query_one(OptionList).highlighted = 0

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(ResolveRequest(str(event.option.id), self.query_one("#note", Input).value.strip()))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None:
            code = DISPOSITIONS[options.highlighted][0]
            self.dismiss(ResolveRequest(code, event.value.strip()))


class PickConversation(_Dialog):
    """Choose one of your open conversations."""

    def __init__(self, rows: Sequence[tuple[int, str, str, str, float]], *,
                 clock: Callable[[], float] = time.time) -> None:
        super().__init__()
        self.rows = list(rows)
        self.clock = clock

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Your open conversations", classes="title")
            yield OptionList(*[
                Option(inert(f"#{cid:<6} {status.replace('_', ' '):<8} {name[:24]:<24} {subject[:40]}"),
                       id=str(cid))
                for cid, status, name, subject, _ in self.rows
            ])
            yield Label("Enter: open   Esc: cancel", classes="hint")

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id))


class AskNumber(_Dialog):
    """Ask for a conversation number."""

    def __init__(self, prompt: str) -> None:
        super().__init__()
        self.prompt = prompt

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self.prompt, classes="title")
            yield Input(placeholder="e.g. 1042", type="integer", id="number")
            yield Label("Enter: open   Esc: cancel", classes="hint")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        value = event.value.strip().lstrip("#")
        if value.isdigit():
            self.dismiss(int(value))
        else:
            self.notify("Type a conversation number.", severity="warning", timeout=2)


__all__ = [
    "AskNumber",
    "HoldDialog",
    "PickConversation",
    "ResolveDialog",
    "ResolveRequest",
    "TransferDialog",
    "TransferRequest",
]
