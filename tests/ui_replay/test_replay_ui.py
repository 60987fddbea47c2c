"""The trainer's app driven by keys (Textual Pilot): stepping, speed, playback, jumping to
customer turns, annotations saved with the session (file, sample copy, database),
role-play turns scored and exported, the session list, and hostile text kept inert."""

from __future__ import annotations

import json
import re

import pytest

from agentdesk.config import Settings
from agentdesk.replay.samples import load_sample
from agentdesk.replay.session import Customer, Session, SessionEvent, read_sessions, write_sessions
from agentdesk.replay.timeline import TurnKind
from agentdesk.replay_app import ReplayApp, ReplayOptions
from agentdesk.screens.practice import PracticeScreen
from agentdesk.screens.replay import AnnotateDialog, PickerScreen, ReplayScreen
from agentdesk.sessions import (
    import_sessions,
    load_conversation_source,
    load_file_source,
    load_sample_source,
    sample_choices,
    sample_copy_path,
)
from agentdesk.store.db import Store
from tests.conftest import FakeClock
from tests.ui.helpers import burst, screen_text, wait_for


class FakeMonotonic(FakeClock):
    def __init__(self) -> None:
        super().__init__(1000.0)


def make(source=None, **options) -> ReplayApp:
    clock = options.pop("clock", FakeClock())
    monotonic = options.pop("monotonic", FakeMonotonic())
    opts = ReplayOptions(source=source, trainer=options.pop("trainer", "Sam"), **options)
    return ReplayApp(Settings(), opts, clock=clock, monotonic=monotonic)


def customer_turns(screen: ReplayScreen) -> list[int]:
    return [t.index for t in screen.timeline.turns if t.kind is TurnKind.CUSTOMER]


async def analysed(pilot, screen: ReplayScreen, index: int) -> None:
    await wait_for(pilot, lambda: screen.analysis.cached(index) is not None
                   and "Tone now" in screen.detail.plain, what=f"turn {index} analysed")


# ----------------------------------------------------------------- stepping


async def test_step_forward_back_and_jump_to_customer_turns():
    app = make(load_sample_source("billing-double-charge"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, ReplayScreen)
        tl = screen.timeline
        assert tl.position == 0 and screen.turn_list.row_count == 1 and not tl.playing
        assert "Arrived in billing" in screen.detail.plain

        await pilot.press("right")
        assert tl.position == 1 and screen.turn_list.row_count == 2 and screen.selected == 1
        assert "Wait quoted" in screen.detail.plain
        await pilot.press("l")
        assert tl.position == 2
        await pilot.press("left")
        assert tl.position == 1 and screen.turn_list.row_count == 2
        await pilot.press("h")
        assert tl.position == 0

        first, second = customer_turns(screen)[:2]
        await pilot.press("n")
        assert tl.position == first and screen.selected == first
        await analysed(pilot, screen, first)
        text = screen.detail.plain
        assert "I've been charged TWICE" in text
        assert "recorded at the time: upset" in text
        assert "Suggestions the assistant makes now" in text
        assert "What Priya answered, 25 s later" in text and "Hi Maria, I'm Priya" in text
        assert "Wait  quoted about 1 min 30 s, at most 4 min" in text and "waiting 6 s so far" in text

        await pilot.press("n")
        assert tl.position == second
        await pilot.press("N")
        assert tl.position == first
        await pilot.press("end")
        assert tl.at_end and screen.turn_list.row_count == len(tl.turns)
        await pilot.press("right")  # nothing after the last turn
        assert tl.at_end
        await pilot.press("n")  # no customer turn left
        assert tl.at_end
        await pilot.press("home")
        assert tl.position == 0 and screen.turn_list.row_count == 1

        # the cursor inspects an earlier turn without moving playback
        await pilot.press("n", "n")
        await pilot.press("up", "up")
        assert tl.position == second and screen.selected == second - 2
        assert app.last_worker_error is None


async def test_speed_and_timed_playback():
    mono = FakeMonotonic()
    app = make(load_sample_source("billing-double-charge"), monotonic=mono)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        tl = screen.timeline
        header = lambda: screen.query_one("#replay-header").render().plain  # noqa: E731
        assert tl.speed == 1.0 and "paused 1×" in header()
        await pilot.press("plus", "plus", "equals_sign")
        assert tl.speed == 8.0 and "paused 8×" in header()
        await pilot.press("minus")
        assert tl.speed == 4.0
        await pilot.press("plus")
        assert tl.speed == 8.0

        # turn 2 comes 2 s after turn 1 in the recording: 0.25 s at 8×
        await pilot.press("space")
        assert tl.playing and "playing 8×" in header()
        await pilot.pause(0.3)
        assert tl.position == 0, "no real time has passed on the fake clock"
        mono.advance(0.2)
        await pilot.pause(0.25)
        assert tl.position == 0
        mono.advance(0.1)
        await wait_for(pilot, lambda: tl.position == 1, what="the second turn")
        assert screen.turn_list.row_count == 2 and screen.selected == 1
        await pilot.press("space")
        assert not tl.playing
        mono.advance(100)
        await pilot.pause(0.25)
        assert tl.position == 1, "paused: nothing plays"
        await pilot.press("space")
        mono.advance(1000)
        await wait_for(pilot, lambda: tl.at_end and not tl.playing, what="the end of the recording")
        assert screen.turn_list.row_count == len(tl.turns)
        assert "end of the recording" in header()


# ----------------------------------------------------------------- annotations


async def test_annotating_a_turn_saves_it_in_the_session_file(tmp_path):
    path = tmp_path / "two.jsonl"
    a, b = load_sample("mistake-calm-down"), load_sample("wrong-item-sent")
    write_sessions(path, [a, b])
    app = make(load_file_source(path, a.id))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        agent_turn = next(t for t in screen.timeline.turns if t.kind is TurnKind.AGENT)
        while screen.timeline.position < agent_turn.index:
            await pilot.press("right")
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, AnnotateDialog), what="the note editor")
        await pilot.press(*"Never say calm down.")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen and not screen._saving
                       and screen.source.session.annotations, what="the note saved")
        notes = len(agent_turn.annotations) + 1
        assert f"Trainer's notes ({notes})" in screen.detail.plain
        assert screen.detail.plain.endswith("✎ Sam: Never say calm down.")
        assert "✎" in screen_text(app)
    back = read_sessions(path)
    assert back[1] == b and back[0].events[:-1] == a.events
    note = back[0].events[-1]
    assert (note.kind, note.body, note.data) == ("annotation", "Never say calm down.",
                                                 {"target": agent_turn.event.seq, "by": "Sam"})


async def test_an_empty_note_is_not_saved_and_escape_cancels(tmp_path):
    path = tmp_path / "one.jsonl"
    write_sessions(path, [load_sample("wrong-item-sent")])
    before = path.read_bytes()
    app = make(load_file_source(path))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, AnnotateDialog), what="the note editor")
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, AnnotateDialog)
        await pilot.press("escape")
        assert isinstance(app.screen, ReplayScreen)
    assert path.read_bytes() == before


async def test_annotating_a_sample_saves_a_copy_and_says_where():
    app = make(load_sample_source("lost-parcel-anxious"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, AnnotateDialog), what="the note editor")
        burst(app, "Good reassurance", "ctrl+s")  # typed fast: Ctrl+S right behind
        await wait_for(pilot, lambda: any(a.body == "Good reassurance" for a in screen.source.session.annotations)
                       and not screen._saving, what="saved")
        copy = sample_copy_path("lost-parcel-anxious")
        assert copy.is_file() and screen.source.path == copy
        # notify() posts a message: the toast is up once the app has handled it
        await wait_for(pilot, lambda: any(str(copy) in n.message and "read-only" in n.message
                                          for n in app._notifications), what="where the note went")
    assert load_sample_source("lost-parcel-anxious").session.annotations[-1].body == "Good reassurance"


async def test_annotating_a_stored_conversation_writes_an_annotation_event(sqlite_url):
    store = Store.open(sqlite_url)
    try:
        [imported] = import_sessions(store, [load_sample("router-setup-confused")]).imported
        source = load_conversation_source(store, imported.conversation_id, db=sqlite_url)
    finally:
        store.close()
    app = make(source, db=sqlite_url)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await pilot.press("n", "a", *"Ask one question at a time.", "ctrl+s")
        await wait_for(pilot, lambda: screen.source.session.annotations and not screen._saving, what="saved")
        target = screen.timeline.current.event.seq
    from agentdesk.desk import Desk

    store = Store.open(sqlite_url)
    try:
        last = Desk(store).events(imported.conversation_id)[-1]
        assert last.kind == "annotation" and last.data["body"] == "Ask one question at a time."
        assert last.data["target_event_id"] == source.event_ids[target] and last.data["by"] == "Sam"
        again = load_conversation_source(store, imported.conversation_id).session
        assert again.annotations[-1].data["target"] == target
    finally:
        store.close()


# ----------------------------------------------------------------- role-play


async def test_a_practice_turn_is_timed_scored_and_exported(tmp_path):
    clock = FakeClock()
    card = tmp_path / "card.json"
    app = make(load_sample_source("billing-double-charge"), practice=True, export=card, trainee="Noor",
               clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert isinstance(screen, PracticeScreen) and screen.phase == "answering"
        assert "I've been charged TWICE" in screen_text(app)
        assert "turn 1 of 3" in screen_text(app)
        await pilot.press("ctrl+s")  # empty: nothing is scored
        assert screen.phase == "answering"
        clock.advance(42)
        await pilot.press(*"I'm so sorry you were charged twice, I can see why that's frustrating. "
                           "I'll refund it today.")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.phase == "scored", what="the turn's scorecard")
        shown = screen.result.plain
        assert "Turn 1 of 3 — 10 / 10 points (100 %)" in shown
        assert "✓ Acknowledged the feeling" in shown and "✓ Response time" in shown
        assert "Answered in 42 s (target 60 s)" in shown
        assert shown.index("What the agent answered") < shown.index("Suggestions the assistant makes here")
        assert "Hi Maria, I'm Priya" in shown

        await pilot.press("n")
        assert screen.phase == "answering" and "turn 2 of 3" in screen_text(app)
        clock.advance(200)
        await pilot.press(*"As I already said, calm down.", "ctrl+s")
        await wait_for(pilot, lambda: screen.phase == "scored", what="the second scorecard")
        assert "✗ Avoided inflaming phrases" in screen.result.plain
        assert "✗ Response time" in screen.result.plain

        await pilot.press("ctrl+f")
        assert screen.phase == "done"
        await wait_for(pilot, lambda: card.exists(), what="the card written")
        await wait_for(pilot, lambda: "Written to" in screen.result.plain, what="the card shown")
        assert "Role-play scorecard" in screen.result.plain and "Trainee: Noor · 2 turn(s)" in screen.result.plain
    data = json.loads(card.read_text(encoding="utf-8"))
    assert data["trainee"] == "Noor" and len(data["turns"]) == 2
    assert [t["response_s"] for t in data["turns"]] == [42.0, 200.0]
    assert data["turns"][0]["points"] == 10 and data["turns"][1]["points"] < data["turns"][1]["max_points"]
    assert data["engine"].startswith("engine-")


async def test_a_practice_reply_typed_fast_is_scored_whole():
    """Ctrl+S arrives right behind the typed characters (a fast typist, buffered input):
    the scored reply is all of them, not what the composer held when the key arrived."""
    app = make(load_sample_source("billing-double-charge"), practice=True, trainee="Noor", clock=FakeClock())
    reply = ("I'm so sorry you were charged twice, I can see why that's frustrating. "
             "I have started the refund now and you will see it within 3-5 working days.")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await wait_for(pilot, lambda: isinstance(screen, PracticeScreen) and screen.composer.has_focus,
                       what="role-play")
        burst(app, reply, "ctrl+s")
        await wait_for(pilot, lambda: screen.phase == "scored", what="the turn's scorecard")
        assert reply in screen.result.plain
        assert "✓ Set a clear expectation" in screen.result.plain


async def test_practice_export_key_writes_markdown_anywhere(tmp_path):
    app = make(load_sample_source("router-setup-confused"), practice=True)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await pilot.press(*"Let me help: tell me the colour of the light.", "ctrl+s")
        await wait_for(pilot, lambda: screen.phase == "scored", what="scored")
        await pilot.press("ctrl+f", "e")
        await wait_for(pilot, lambda: app.screen is not screen, what="the export dialog")
        target = tmp_path / "ana.md"
        inp = app.screen.query_one("#export-path")
        inp.value = str(tmp_path / "ana.txt")
        await pilot.press("enter")
        assert app.screen is not screen, "a .txt name is refused"
        inp.value = str(target)
        await pilot.press("enter")
        await wait_for(pilot, lambda: target.exists(), what="the card written")
    assert target.read_text(encoding="utf-8").startswith("# Scorecard — ")


async def test_roleplay_from_replay_and_back():
    app = make(load_sample_source("billing-double-charge"))
    async with app.run_test(size=(80, 24)) as pilot:
        replay = app.screen
        await pilot.press("r")
        assert isinstance(app.screen, PracticeScreen)
        await pilot.press("ctrl+f", "escape")
        assert app.screen is replay


# ----------------------------------------------------------------- the session list


async def test_the_session_list_opens_replay_and_roleplay():
    app = make(choices=sample_choices())
    async with app.run_test(size=(80, 24)) as pilot:
        picker = app.screen
        assert isinstance(picker, PickerScreen)
        assert "Angry billing dispute: charged twice" in screen_text(app)
        await pilot.press("down", "down", "down")
        name = picker.query_one("#pick-list").cursor_row.key
        assert name == "billing-double-charge"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ReplayScreen), what="the replay")
        assert app.screen.source.sample == name
        await pilot.press("escape")
        assert app.screen is picker
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, PracticeScreen), what="role-play")
        await pilot.press("ctrl+f", "escape")
        assert app.screen is picker
        await pilot.press("home")
        await pilot.press("p")  # "abandoned in queue": no agent reply to practise
        await wait_for(pilot, lambda: any("nothing to practise" in n.message for n in app._notifications),
                       what="why there is nothing to practise")
        assert app.screen is picker


# ----------------------------------------------------------------- hostile text

HOSTILE = [
    "[@click=app.quit]click me[/]",
    "[/] oops [",
    "\x1b[2J\x1b[31mred\x1b[0m",
    "\x1b]52;c;ZXZpbA==\x07",
    "abc\u202eevil\u202c",
    "nul\x00del\x7fbell\x07",
]
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def hostile_session() -> Session:
    events = [SessionEvent(1, 100.0, "arrived", data={"queue": "billing"})]
    seq = 1
    for i, text in enumerate(HOSTILE):
        seq += 1
        events.append(SessionEvent(seq, 100.0 + 10 * i, "message", author="customer", body=f"{text} angry!! {i}"))
        seq += 1
        events.append(SessionEvent(seq, 105.0 + 10 * i, "message", author="agent", agent=f"{text} agent",
                                   body=f"{text} sorry"))
    seq += 1
    events.append(SessionEvent(seq, 200.0, "annotation", body=HOSTILE[0], data={"target": 2, "by": HOSTILE[1]}))
    return Session(id="hostile", queue="billing", channel="chat", subject=HOSTILE[0],
                   customer=Customer(name=HOSTILE[2]), created_at=100.0, events=tuple(events), title=HOSTILE[1])


@pytest.mark.parametrize("practice", [False, True])
async def test_hostile_text_is_shown_not_run(tmp_path, practice):
    path = tmp_path / "hostile.jsonl"
    write_sessions(path, [hostile_session()])
    app = make(load_file_source(path), practice=practice)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        if practice:
            await pilot.press(*"sorry", "ctrl+s")
            await wait_for(pilot, lambda: screen.phase == "scored", what="scored")
        else:
            await pilot.press("n")
            await analysed(pilot, screen, screen.timeline.position)
            await pilot.press("end", "home", "n", "n", "n")  # the third customer turn holds ESC sequences
            assert screen.timeline.current.text.startswith("\x1b[2J")
        await pilot.pause(0.2)
        text = screen_text(app)
        assert app.is_running and app.last_worker_error is None
        assert not CONTROL.search(text)
        assert "[@click=app.quit]click me[/]" in text or "[/] oops [" in text
        assert "␛" in text


async def test_a_markup_like_file_name_in_a_notification_is_shown_literally(tmp_path):
    folder = tmp_path / "[@click=app.quit]x oops ["
    folder.mkdir()
    path = folder / "] s.jsonl"  # the path reads "… oops [/] s.jsonl": a closing tag with nothing open
    assert "[/]" in str(path)
    write_sessions(path, [load_sample("wrong-item-sent")])
    app = make(load_file_source(path))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a", *"noted", "ctrl+s")
        await wait_for(pilot, lambda: any(str(path) in n.message for n in app._notifications), what="saved")
        await pilot.pause(0.2)
        assert app.is_running
        [saved] = [n for n in app._notifications if str(path) in n.message]
        assert saved.markup is False, "a file name is never read as markup"
    assert read_sessions(path)[0].annotations[-1].body == "noted"
