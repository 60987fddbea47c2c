"""The assistant in the conversation pane: tone with evidence, suggestions one key away,
the draft check, and the suggestion events."""

from __future__ import annotations

from contextlib import contextmanager

import pytest

from agentdesk.desk import Desk
from agentdesk.screens.conversation import Composer, ConversationScreen
from agentdesk.store.db import Store
from agentdesk.widgets.assist_panel import AssistPanel, DraftHints
from agentdesk.widgets.transcript import Transcript
from tests.conftest import FakeClock
from tests.ui.helpers import burst, connected, make_app, screen_text, wait_for

ANGRY = "This is the THIRD time I'm writing and nobody answered!! Your service is useless."


@contextmanager
def _billing_floor(url):
    """A billing queue with Alice available on it: ``(desk, clock)``, the store closed after."""
    clock = FakeClock()
    store = Store.open(url)
    try:
        desk = Desk(store, clock=clock)
        desk.create_queue("billing", "Billing", 60, 0.8)
        alice = desk.create_agent("alice", "Alice Moreau")
        desk.set_agent_status(alice.id, "available")
        yield desk, clock
    finally:
        store.close()


@pytest.fixture
def angry_url(sqlite_url):
    with _billing_floor(sqlite_url) as (desk, clock):
        c = desk.create_customer("Kenji Watanabe", "kenji@example.com", created_at=clock.now - 86400 * 90)
        cid = desk.arrive(c.id, "billing", "chat", ANGRY, subject="refund", at=clock.now - 700)
    return sqlite_url, cid


def _events(url, cid):
    store = Store.open(url)
    try:
        return Desk(store).events(cid)
    finally:
        store.close()


async def _claim_the_angry_customer(pilot) -> ConversationScreen:
    """From the queue, ``n``: the claimed conversation, its assistant ready."""
    app = pilot.app
    await connected(pilot)
    await pilot.press("n")
    await wait_for(pilot, lambda: isinstance(app.screen, ConversationScreen) and app.screen.mine
                   and app.screen.assist is not None, what="the conversation with its assistant")
    return app.screen


async def _into_composer(pilot, screen: ConversationScreen) -> Composer:
    """The composer, with focus (``r`` if the claim did not give it focus already)."""
    composer = screen.query_one(Composer)
    if not composer.has_focus:
        await pilot.press("r")
    await wait_for(pilot, lambda: composer.has_focus, what="the composer")
    return composer


async def test_angry_customer_gets_explained_suggestions_one_key_away(angry_url):
    url, cid = angry_url
    app = make_app(url, clock=FakeClock())
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _claim_the_angry_customer(pilot)
        helper = screen.assist
        assert helper.needs_deescalation and helper.level in ("upset", "hostile")
        assert "THIRD time" in helper.evidence or any("THIRD" in w for w in helper.evidence)
        assert len(helper.suggestions) == 3
        panel = screen.query_one(AssistPanel)
        assert panel.has_class("-visible")
        shown = screen_text(app)
        assert "because:" in shown and helper.suggestions[0].title in shown
        # the evidence is highlighted in the transcript
        transcript = screen.query_one(Transcript)
        assert transcript._items[0].highlights

        await pilot.press("escape", "1")
        composer = screen.query_one(Composer)
        await wait_for(pilot, lambda: composer.text.strip() != "", what="the script in the composer")
        text = composer.text
        assert "{customer_first_name}" not in text and "{agent_name}" not in text
        assert "Kenji" in text or "Alice" in text or "{" in text  # placeholders filled where the script has them
        assert composer.has_focus
        first = helper.suggestions[0].script_id
        await wait_for(pilot, lambda: any(e.kind == "suggestion_used" for e in _events(url, cid)),
                       what="suggestion_used")
    events = _events(url, cid)
    shown_events = [e for e in events if e.kind == "suggestion_shown"]
    assert len(shown_events) == 1
    assert shown_events[0].data["script_ids"] == [s.script_id for s in helper.suggestions]
    used = [e for e in events if e.kind == "suggestion_used"]
    assert used[0].data["script_id"] == first

    # reopening the conversation does not offer the used script again, nor record "shown" twice
    app = make_app(url, clock=FakeClock())
    async with app.run_test(size=(100, 30)) as pilot:
        await connected(pilot)
        await pilot.press("m")
        await pilot.pause(0.2)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationScreen) and app.screen.assist is not None,
                       what="reopened view")
        assert first not in [s.script_id for s in app.screen.assist.suggestions]
    assert len([e for e in _events(url, cid) if e.kind == "suggestion_shown"]) == 1


async def test_a_suggestion_goes_in_while_typing(angry_url):
    """In the composer, digits are text; F6 inserts suggestion 2 after what was typed, and
    the composer keeps focus."""
    url, cid = angry_url
    app = make_app(url, clock=FakeClock())
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _claim_the_angry_customer(pilot)
        composer = await _into_composer(pilot, screen)
        await pilot.press("1", "2")  # typing digits stays typing
        assert composer.text == "12"
        await pilot.press("f6")
        second = screen.assist.suggestions[1]
        await wait_for(pilot, lambda: composer.text != "12", what="the script in the composer")
        assert composer.text.startswith("12\n") and composer.has_focus
        await wait_for(pilot, lambda: any(e.kind == "suggestion_used" for e in _events(url, cid)),
                       what="suggestion_used")
    used = [e for e in _events(url, cid) if e.kind == "suggestion_used"]
    assert used[0].data["script_id"] == second.script_id


async def test_dismiss_and_draft_check(angry_url):
    url, cid = angry_url
    app = make_app(url, clock=FakeClock())
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _claim_the_angry_customer(pilot)
        await wait_for(pilot, lambda: screen.query_one(Composer).has_focus, what="composer")
        await pilot.press(*"Please calm down, as I already said")
        hints = screen.query_one(DraftHints)
        await wait_for(pilot, lambda: len(hints.hints) >= 2, what="draft hints")
        assert {h.kind for h in hints.hints} == {"inflaming"}
        assert "try:" in screen_text(app)
        await pilot.press("ctrl+s")  # hints never block sending
        await wait_for(pilot, lambda: any(m.kind == "agent" for m in screen.query_one(Transcript).messages),
                       what="sent")
        await pilot.press("escape", "x")
        await wait_for(pilot, lambda: any(e.kind == "suggestion_dismissed" for e in _events(url, cid)),
                       what="dismissed")
        assert not screen.query_one(AssistPanel).has_class("-visible")


async def test_the_newest_message_stays_in_view_when_the_assistant_opens(sqlite_url):
    # At 80×24 the assistant and the composer take half the screen once the conversation
    # is claimed: the transcript must still end on the customer's newest message (it
    # used to keep its old scroll offset and hide the last two).
    with _billing_floor(sqlite_url) as (desk, clock):
        c = desk.create_customer("Kenji Watanabe", "kenji@example.com")
        cid = desk.arrive(c.id, "billing", "chat", "hello??", at=clock.now - 900)
        for i, line in enumerate([
            "seriously, 15 minutes and not even an acknowledgement",
            "15 minutes. I've got better things to do than stare at this window",
            "right, five more minutes and then I'm making a complaint",
            "Still nothing. Do you actually have anyone working on chat?",
        ]):
            desk.customer_message(cid, line, at=clock.now - 600 + 60 * i)
    app = make_app(sqlite_url, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _claim_the_angry_customer(pilot)
        await pilot.pause()
        transcript = screen.query_one(Transcript)
        assert transcript.is_vertical_scroll_end
        assert "Do you actually have anyone working on chat?" in screen_text(app)
        # the agent scrolls up to read: the view stays where they put it as a message arrives
        transcript.focus()
        await pilot.press("home")
        await pilot.pause()

        def customer_writes(line: str) -> None:
            s = Store.open(sqlite_url)
            try:
                Desk(s, clock=clock).customer_message(cid, line)
            finally:
                s.close()

        count = transcript.message_count
        customer_writes("Hello?? Anyone?")
        await wait_for(pilot, lambda: transcript.message_count == count + 1, what="the new message")
        await pilot.pause()
        assert transcript.scroll_y == 0
        # back at the end, it sticks again
        await pilot.press("end")
        await pilot.pause()
        customer_writes("I'm going to give up on you lot in a minute.")
        await wait_for(pilot, lambda: transcript.message_count == count + 2, what="the second message")
        await pilot.pause()
        assert transcript.is_vertical_scroll_end
        assert "give up on you lot in a minute" in screen_text(app)


async def test_a_reply_typed_fast_is_sent_whole(angry_url):
    """Ctrl+S is a priority key: the app handles it as soon as it arrives, possibly while
    the composer still has typed characters to insert. The reply sent must be all of
    them (it once went out cut after the first 50–70 characters)."""
    url, cid = angry_url
    app = make_app(url, clock=FakeClock())
    reply = ("I'm so sorry, Kenji. I have started the refund of the second charge now; "
             "you will see it within 3-5 working days and I will email you the reference.")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _claim_the_angry_customer(pilot)
        await _into_composer(pilot, screen)
        burst(app, reply, "ctrl+s")

        def sent() -> list[str]:
            store = Store.open(url)
            try:
                return [m.body for m in Desk(store).conversation(cid).messages if m.kind == "agent"]
            finally:
                store.close()

        await wait_for(pilot, lambda: bool(sent()), what="the reply sent")
        assert sent() == [reply]


async def test_a_wait_bound_in_a_script_is_the_honest_hold_length_while_on_hold(sqlite_url):
    # ten earlier holds of 150 s on the queue: the hold length that held for 90 % of
    # them is 150 s, "3 minutes" (the figure the wait update 'w' gives too)
    with _billing_floor(sqlite_url) as (desk, clock):
        bob = desk.create_agent("bob", "Bob Lee")
        desk.set_agent_status(bob.id, "available")
        clock.advance(-3 * 3600)
        for i in range(10):
            c = desk.create_customer(f"Customer {i}", f"c{i}@example.com")
            claim = desk.claim(bob.id, desk.arrive(c.id, "billing", "chat", "Where is my order?"))
            desk.hold(claim, "checking the warehouse")
            clock.advance(150)
            desk.resume(claim)
            desk.resolve(claim, "solved")
            clock.advance(60)
        desk.set_agent_status(bob.id, "offline")
        clock.now = FakeClock().now
        c = desk.create_customer("Kenji Watanabe", "kenji@example.com")
        desk.arrive(c.id, "billing", "chat", ANGRY, at=clock.now - 300)

    app = make_app(sqlite_url, clock=FakeClock())
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _claim_the_angry_customer(pilot)
        await wait_for(pilot, lambda: app.waits is not None, what="the wait board")
        assert "wait_bound" not in screen.assist.fill_values  # talking now: nothing is waited for
        await pilot.press("escape", "h")
        await wait_for(pilot, lambda: app.screen is not screen, what="the hold dialog")
        await pilot.press("tab", *"asking finance", "enter")
        await wait_for(pilot, lambda: screen.view and screen.view.status == "on_hold", what="on hold")
        await wait_for(pilot, lambda: screen.assist.fill_values.get("wait_bound") == "3 minutes",
                       what="the hold bound as the script's wait bound")
        await pilot.press("u")
        await wait_for(pilot, lambda: screen.view.status == "active"
                       and "wait_bound" not in screen.assist.fill_values, what="resumed: no wait bound")
