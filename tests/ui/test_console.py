"""The agent console driven by keys, checked against the database rows and events."""

from __future__ import annotations

import pytest

from agentdesk.desk import Desk
from agentdesk.screens.conversation import Composer, ConversationScreen
from agentdesk.screens.help import HelpScreen
from agentdesk.screens.queue import QueueScreen
from agentdesk.store.db import Store
from agentdesk.widgets.queue_view import QueueView
from agentdesk.widgets.transcript import Transcript
from tests.conftest import build_floor
from tests.ui.helpers import burst, connected, make_app, wait_for


@pytest.fixture
def floor_url(db_url, clock):
    store = Store.open(db_url)
    desk = Desk(store, clock=clock)
    build_floor(desk, clock, waiting=6)
    store.close()
    return db_url


def _events(db_url, conversation_id):
    """Event kinds of a conversation, without the assistant's (suggestion_*, wait_quoted)."""
    store = Store.open(db_url)
    try:
        return [c.kind for c in Desk(store).events(conversation_id)
                if not c.kind.startswith("suggestion_") and c.kind != "wait_quoted"]
    finally:
        store.close()


def _conv(db_url, conversation_id):
    store = Store.open(db_url)
    try:
        return Desk(store).conversation(conversation_id)
    finally:
        store.close()


async def test_full_lifecycle_by_keys(floor_url):
    app = make_app(floor_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        view = app.screen.query_one(QueueView)
        assert view.row_count == 6
        first = view.cursor_row.id

        # claim the next conversation in queue order
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationScreen) and app.screen.mine,
                       what="the claimed conversation to open")
        screen = app.screen
        assert screen.conversation_id == first
        await wait_for(pilot, lambda: app.screen.query_one(Composer).has_focus, what="composer focus")

        # reply
        await pilot.press(*"Thanks for waiting")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: any(m.kind == "agent" for m in screen.query_one(Transcript).messages),
                       what="the reply in the transcript")
        assert screen.query_one(Composer).text == ""

        # internal note: Esc leaves the composer, i starts a note
        await pilot.press("escape", "i")
        burst(app, "VIP, check refund", "ctrl+s")
        await wait_for(pilot, lambda: any(m.kind == "note" for m in screen.query_one(Transcript).messages),
                       what="the note")

        # hold with a typed reason, then resume
        await pilot.press("escape", "h")
        await wait_for(pilot, lambda: app.screen is not screen, what="the hold dialog")
        await pilot.press("tab", *"asking finance", "enter")
        await wait_for(pilot, lambda: screen.view and screen.view.status == "on_hold", what="on hold")
        assert screen.view.hold_reason == "asking finance"
        await pilot.press("u")
        await wait_for(pilot, lambda: screen.view.status == "active", what="resumed")

        # transfer to the orders queue (the note is required)
        await pilot.press("t")
        await wait_for(pilot, lambda: app.screen is not screen, what="the transfer dialog")
        dialog = app.screen
        await pilot.press("ctrl+s")  # no note yet: refused, dialog stays
        await pilot.pause()
        assert app.screen is dialog
        await pilot.press("down", "enter")
        burst(app, "Refund approved, needs a new order", "ctrl+s")  # typed fast: Ctrl+S right behind
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen), what="back to the queue")

    conv = _conv(floor_url, first)
    assert conv.status == "waiting"
    assert conv.handoff_note == "Refund approved, needs a new order"
    assert conv.assignee_id is None
    kinds = _events(floor_url, first)
    assert kinds[:3] == ["arrived", "message", "tone"]  # the opening message's tone is recorded
    assert kinds[3:] == ["claimed", "message", "note", "held", "resumed", "transferred"]

    # a second console (bob) takes it from the queue, resolves, then reopens it
    app = make_app(floor_url, agent="bob")
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        view = app.screen.query_one(QueueView)
        assert view.move_to_key(first)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationScreen) and app.screen.view is not None,
                       what="the conversation to open")
        screen = app.screen
        assert "Refund approved" in str(screen.query_one("#handoff").render())
        assert not screen.mine
        await pilot.press("c")
        await wait_for(pilot, lambda: screen.mine, what="claimed by bob")
        await pilot.press("escape", "d")
        await wait_for(pilot, lambda: app.screen is not screen, what="the resolve dialog")
        await pilot.press("down", "down", "down", "enter")  # "refund"
        await wait_for(pilot, lambda: isinstance(app.screen, QueueScreen), what="back to the queue")
        conv = _conv(floor_url, first)
        assert conv.status == "resolved" and conv.disposition == "refund"

        await pilot.press("slash", *str(first), "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationScreen) and app.screen.view is not None,
                       what="the resolved conversation")
        screen = app.screen
        await pilot.press("o")
        await wait_for(pilot, lambda: screen.mine, what="reopened")
    conv = _conv(floor_url, first)
    assert conv.status == "active"
    kinds = _events(floor_url, first)
    assert kinds[-4:] == ["claimed", "resolved", "reopened", "message"] or kinds[-3:] == ["claimed", "resolved", "reopened"]


async def test_queue_updates_live_and_keeps_cursor(floor_url, clock):
    app = make_app(floor_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        view = app.screen.query_one(QueueView)
        await pilot.press("down", "down")
        selected = view.cursor_key
        # another console takes the first waiting conversation, and a new customer arrives
        store = Store.open(floor_url)
        other = Desk(store, clock=clock)
        bob = other.agent("bob")
        taken = other.claim_next(bob.id)
        customer = other.create_customer("Nadia Haddad", tier="platinum")
        new_id = other.arrive(customer.id, "billing", "email", "Urgent: card blocked", subject="card")
        store.close()
        await wait_for(pilot, lambda: view.get(new_id) is not None and view.get(taken.conversation_id) is None,
                       what="the delta")
        assert view.cursor_key == selected
        assert view.rows[0].id == new_id  # platinum priority goes first
        assert view.row_count == 6


async def test_away_agent_cannot_claim(floor_url):
    app = make_app(floor_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        await pilot.press("f2")
        await wait_for(pilot, lambda: app.agent.status == "away", what="away")
        await pilot.press("n")
        await pilot.pause(0.3)
        assert isinstance(app.screen, QueueScreen)
        assert app.screen.query_one(QueueView).row_count == 6
        await pilot.press("f2")
        await wait_for(pilot, lambda: app.agent.status == "available", what="available")


async def test_help_lists_every_action(floor_url):
    from agentdesk.keys import ACTIONS

    app = make_app(floor_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")
        text = str(app.screen.query_one("#help-text").render())
        flowing = " ".join(text.split())  # the help column wraps with a hanging indent
        for action in ACTIONS:
            if action.scope in app.HELP_SCOPES:
                assert " ".join(action.help.split()) in flowing
        # the wrapped part of a long line stays in the help column
        lines = text.splitlines()
        at = next(i for i, line in enumerate(lines) if line.lstrip().startswith("F2"))
        assert lines[at + 1].startswith(" " * 32) and lines[at + 1].strip()
        await pilot.press("escape")
        assert isinstance(app.screen, QueueScreen)


async def test_user_keymap_remaps_a_binding(floor_url):
    app = make_app(floor_url, keys={"claim_next": "x"})
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationScreen), what="claim with the remapped key")


async def test_unknown_agent_exits_with_one_line(floor_url):
    app = make_app(floor_url, agent="nobody")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.error_message is not None, what="the error")
    assert "unknown agent 'nobody'" in app.error_message
    assert app.error_code == 4


async def test_stale_console_cannot_write_and_keeps_the_draft(floor_url, clock):
    app = make_app(floor_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationScreen) and app.screen.mine, what="claimed")
        screen = app.screen
        cid = screen.conversation_id
        await wait_for(pilot, lambda: screen.query_one(Composer).has_focus, what="composer")
        await pilot.press(*"my draft")
        # meanwhile the conversation is transferred away from another console
        store = Store.open(floor_url)
        other = Desk(store, clock=clock)
        claim = other.current_claim(other.agent("alice").id, cid)
        other.transfer(claim, "orders", "moved by supervisor")
        store.close()
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.view.status == "waiting", what="the console to notice")
        await pilot.press("ctrl+s")  # and again, after it noticed
        await pilot.pause(0.3)
        composer = screen.query_one(Composer)
        assert composer.text == "my draft"
        assert composer.display
    kinds = _events(floor_url, cid)
    assert kinds.count("message") == 1  # only the customer's opening message
    assert "transferred" in kinds


async def test_command_palette_runs_screen_actions(floor_url):
    from textual.command import CommandPalette

    app = make_app(floor_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert {"Claim next", "Claim", "Open", "Avail/Away"} <= set(titles)
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), what="palette")
        await pilot.press(*"Claim next")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationScreen), what="claim from the palette")
