"""What the trainer's screens look like at 80×24 (SVG snapshots; update with
--snapshot-update after an intended change, and look at the diff)."""

from __future__ import annotations

from agentdesk.screens.practice import PracticeScreen
from agentdesk.screens.replay import ReplayScreen
from agentdesk.sessions import load_sample_source
from tests.ui.helpers import wait_for
from tests.ui_replay.test_replay_ui import make


def test_replay_screen_80x24(snap_compare):
    """An agent turn (its text, response time and a trainer's note), the list with tone
    markers, the wait check on the claim and an annotation mark."""
    app = make(load_sample_source("billing-double-charge"))

    async def ready(pilot):
        await wait_for(pilot, lambda: isinstance(app.screen, ReplayScreen), what="the replay")
        screen = app.screen
        customers = screen.analysis.customer_indices()
        await wait_for(pilot, lambda: set(screen.turn_list.levels) == set(customers),
                       what="every customer turn analysed")
        await pilot.press("n", "right", "right")  # the agent's first reply, with a trainer's note
        await pilot.pause(0.1)

    assert snap_compare(app, terminal_size=(80, 24), run_before=ready)


def test_practice_scorecard_80x24(snap_compare):
    from tests.conftest import FakeClock

    clock = FakeClock()
    app = make(load_sample_source("billing-double-charge"), practice=True, trainee="Noor", clock=clock)

    async def ready(pilot):
        await wait_for(pilot, lambda: isinstance(app.screen, PracticeScreen) and app.screen.composer.has_focus,
                       what="role-play")
        screen = app.screen
        screen.composer.cursor_blink = False
        clock.advance(75)
        await pilot.press(*"Sorry about that. I'll refund it.", "ctrl+s")
        await wait_for(pilot, lambda: screen.phase == "scored", what="the turn's scorecard")
        await pilot.pause(0.1)

    assert snap_compare(app, terminal_size=(80, 24), run_before=ready)
