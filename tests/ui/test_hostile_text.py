"""Customer and imported text is inert in every widget that shows it: no markup is
interpreted (no actions run, no MarkupError), no control sequence reaches the terminal."""

from __future__ import annotations

import re

import pytest

from agentdesk.desk import Desk
from agentdesk.screens.conversation import ConversationScreen
from agentdesk.screens.modals import PickConversation
from agentdesk.store.db import Store
from agentdesk.widgets.queue_view import QueueView
from tests.ui.helpers import connected, make_app, screen_text, wait_for

HOSTILE = [
    "[@click=app.quit]click me[/]",
    "[/] oops [",
    "[IMPORTANT] read this",
    "[bold red]shouting[/bold red]",
    "\x1b[2J\x1b[31mred\x1b[0m",
    "\x1b]52;c;ZXZpbA==\x07",  # OSC 52: write the clipboard
    "\x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\",  # OSC 8 hyperlink
    "\x9b31mC1 CSI",
    "abc\u202eevil\u202c",
    "nul\x00del\x7fbell\x07cr\rend",
    ":smile: $accent @{bold}",
]
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture
def hostile_url(sqlite_url, clock):
    store = Store.open(sqlite_url)
    desk = Desk(store, clock=clock)
    desk.create_queue("billing", "Billing [b]x[/b]", 60, 0.8)
    alice = desk.create_agent("alice", "Alice", ["billing"])
    desk.set_agent_status(alice.id, "available")
    ids = []
    for i, text in enumerate(HOSTILE):
        c = desk.create_customer(f"{text} {i}", email=f"{text}@x", phone=text, created_at=clock.now - 99999)
        cid = desk.arrive(c.id, "billing", "chat", f"{text} body {i}", subject=f"{text} subject", at=clock.now - 100 + i)
        ids.append(cid)
    # a past contact with a hostile subject, and a hold reason / hand-off note
    claim = desk.claim(alice.id, ids[0])
    desk.reply(claim, HOSTILE[1])
    desk.hold(claim, HOSTILE[0])
    store.close()
    return sqlite_url, ids


async def test_hostile_text_is_inert_everywhere(hostile_url, clock):
    url, ids = hostile_url
    app = make_app(url, clock=clock)
    async with app.run_test(size=(160, 50)) as pilot:
        await connected(pilot)
        text = screen_text(app)
        assert "[/] oops [ body 1" in text, text  # shown literally
        assert "[bold red]shouting[/bold red] body 3" in text
        assert "[IMPORTANT]" in text
        assert not CONTROL.search(text)
        assert "␛" in text  # ESC made visible
        # open every waiting conversation (transcript, header, customer panel)
        for cid in ids[1:]:
            app.screen.query_one(QueueView).move_to_key(cid)
            await pilot.press("enter")
            await wait_for(pilot, lambda: isinstance(app.screen, ConversationScreen) and app.screen.view is not None,
                           what=f"conversation {cid}")
            await pilot.pause(0.05)
            shown = screen_text(app)
            assert not CONTROL.search(shown), repr(shown)
            assert "body" in shown and "subject" in shown
            await pilot.press("escape")
        # my conversations picker (customer names and subjects in an OptionList)
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(app.screen, PickConversation), what="picker")
        await pilot.pause(0.05)
        shown = screen_text(app)
        assert "[@click=app.quit]" in shown and not CONTROL.search(shown)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationScreen) and app.screen.view is not None,
                       what="held conversation")
        await pilot.pause(0.05)
        shown = screen_text(app)
        assert "[@click=app.quit]click me[/]" in shown  # hold reason in the header
        assert not CONTROL.search(shown)
        # clicking the literal "markup" must not quit the app
        await pilot.click("#conv-header")
        await pilot.pause(0.1)
        assert app.is_running


async def test_notifications_never_parse_markup(hostile_url, clock):
    url, ids = hostile_url
    app = make_app(url, clock=clock)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await connected(pilot)
        app.notify("agent [/] oops [ renamed [@click=app.quit]x[/]")
        app.screen.notify("[bold]not bold[/bold] \x1b[31m")
        await wait_for(pilot, lambda: "oops" in screen_text(app) and "not bold" in screen_text(app),
                       what="the notifications")
        shown = screen_text(app)
        assert "[/] oops [" in shown and "[bold]not bold[/bold]" in shown
        assert not CONTROL.search(shown)
