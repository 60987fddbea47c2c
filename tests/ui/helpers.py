"""Helpers for driving the console with Textual's Pilot."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from agentdesk.app import AgentDeskApp, StartOptions
from agentdesk.config import Settings


def make_app(db_url: str, agent: str = "alice", clock: Callable[[], float] | None = None,
             **settings) -> AgentDeskApp:
    s = Settings(agent=agent, db=db_url, **settings)
    kwargs = {"clock": clock} if clock is not None else {}
    return AgentDeskApp(s, StartOptions(db=db_url, agent=agent, poll_interval=0.05), **kwargs)


async def wait_for(pilot, predicate: Callable[[], bool], timeout: float = 10.0, what: str = "condition") -> None:
    """Let the app run until ``predicate()`` holds (workers finish, deltas arrive)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        error = getattr(pilot.app, "last_worker_error", None)
        if error is not None:
            raise AssertionError(f"a worker failed while waiting for {what}") from error
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.02)


async def connected(pilot) -> None:
    from agentdesk.widgets.queue_view import QueueView

    app = pilot.app

    def ready() -> bool:
        if app.desk is None or not app.screen.query(QueueView):
            return False
        view = app.screen.query_one(QueueView)
        # loaded, and its loading indicator gone (removing it takes a message round)
        return view.loaded and not view.loading and not app.screen.query("LoadingIndicator")

    await wait_for(pilot, ready, what="the console to connect")
    await pilot.pause()  # and a repaint, so what is on screen is what was loaded


def screen_text(app) -> str:
    """The characters currently on the (headless) screen, one line per row."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(seg.text for seg in strip) for strip in strips)


def burst(app, text: str, *then: str) -> None:
    """Keys as a fast typist or a terminal replaying buffered input delivers them: all
    at once, with no pause for the app to handle one before the next arrives (Pilot's
    ``press`` waits after every key, so it cannot show ordering bugs)."""
    from textual import events
    from textual.keys import _character_to_key

    driver = app._driver
    for ch in text:
        key = ch if ch.isalnum() else _character_to_key(ch)
        event = events.Key(key, ch)
        event.set_sender(app)
        driver.send_message(event)
    for key in then:
        event = events.Key(key, None)
        event.set_sender(app)
        driver.send_message(event)
