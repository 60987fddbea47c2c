"""Replay timeline: turns and attachments, stepping, jumping, speed, timed playback."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agentdesk.errors import UsageError
from agentdesk.replay.samples import load_sample, sample_names
from agentdesk.replay.session import Customer, Session, SessionEvent
from agentdesk.replay.timeline import SPEEDS, Timeline, TurnKind, build_turns

T0 = 1_000_000.0


def ev(seq, dt, kind, **kw):
    return SessionEvent(seq, T0 + dt, kind, **kw)


def session() -> Session:
    events = (
        ev(1, 0, "arrived", data={"queue": "billing"}),
        ev(2, 1, "wait_quoted", data={"expected_s": 60, "upper_s": 120, "reason": "2nd in line"}),
        ev(3, 5, "message", author="customer", body="I was charged twice"),
        ev(4, 6, "tone", data={"level": "upset", "in_reply_to": 3}),
        ev(5, 100, "claimed", agent="ann"),
        ev(6, 101, "suggestion_shown", agent="ann", data={"script": "ack", "in_reply_to": 3}),
        ev(7, 130, "message", author="agent", agent="ann", body="Sorry — checking now."),
        ev(8, 140, "held", agent="ann", data={"reason": "checking"}),
        ev(9, 200, "resumed", agent="ann"),
        ev(10, 210, "message", author="customer", body="ok"),
        ev(11, 215, "message", author="customer", body="still there?"),
        ev(12, 250, "message", author="agent", agent="ann", body="Refunded."),
        ev(13, 3850, "message", author="customer", body="thanks!"),
        ev(14, 3860, "resolved", agent="ann", data={"disposition": "refund"}),
        ev(15, 3900, "annotation", body="good", data={"target": 7}),
        ev(16, 3900, "annotation", body="tone noted", data={"target": 4}),
    )
    return Session(id="t", queue="billing", channel="chat", subject="", customer=Customer("C"),
                   created_at=T0, events=events)


def test_turns_and_attachments():
    turns = build_turns(session())
    assert [t.kind for t in turns] == [
        TurnKind.EVENT, TurnKind.EVENT, TurnKind.CUSTOMER, TurnKind.EVENT, TurnKind.AGENT,
        TurnKind.EVENT, TurnKind.EVENT, TurnKind.CUSTOMER, TurnKind.CUSTOMER, TurnKind.AGENT,
        TurnKind.CUSTOMER, TurnKind.EVENT,
    ]
    cust = turns[2]
    assert cust.tone_level == "upset"
    assert [s.seq for s in cust.suggestions] == [6]
    # an annotation on the tone reading lands on the turn that owns it
    assert [a.body for a in cust.annotations] == ["tone noted"]
    assert [a.body for a in turns[4].annotations] == ["good"]
    claim = turns[3]
    assert claim.label == "Claimed by ann"
    assert claim.wait.waited_s == 100 and claim.wait.quoted_upper_s == 120 and claim.wait.within_bound
    assert claim.wait.error_s == 40
    # the first reply is timed from the claim (the customer wrote before it)
    assert turns[4].answers == 2 and turns[4].response_s == 30
    # the second reply answers the earliest unanswered customer message
    assert turns[9].answers == 7 and turns[9].response_s == 40
    assert turns[5].label == "On hold: checking"
    assert turns[11].label == "Resolved: Refund or credit issued"
    assert turns[10].gap_s == 3600 and turns[10].offset_s == 3850


def test_stepping_and_bounds():
    tl = Timeline(session())
    assert tl.current is None and tl.step_back() is None and tl.position == -1
    assert tl.step_forward().index == 0
    assert tl.step_forward().index == 1
    assert tl.step_back().index == 0
    assert tl.step_back() is None and tl.position == -1
    tl.seek(len(tl.turns) - 1)
    assert tl.at_end and tl.step_forward() is None and tl.position == len(tl.turns) - 1
    assert len(tl.visible) == len(tl.turns)
    with pytest.raises(UsageError):
        tl.seek(len(tl.turns))
    with pytest.raises(UsageError):
        tl.seek(-2)


def test_jump_to_customer_turns():
    tl = Timeline(session())
    assert tl.jump_to_next_customer().index == 2
    assert tl.jump_to_next_customer().index == 7
    assert tl.jump_to_next_customer().index == 8
    assert tl.jump_to_next_customer().index == 10
    assert tl.jump_to_next_customer() is None and tl.position == 10
    assert tl.jump_to_previous_customer().index == 8
    assert tl.jump_to_previous_customer().index == 7
    assert tl.jump_to_previous_customer().index == 2
    assert tl.jump_to_previous_customer() is None and tl.position == 2


def test_speed_ladder_and_limits():
    tl = Timeline(session())
    assert tl.speed == 1.0
    assert [tl.faster() for _ in range(6)] == [2.0, 4.0, 8.0, 16.0, 16.0, 16.0]
    assert [tl.slower() for _ in range(6)] == [8.0, 4.0, 2.0, 1.0, 0.5, 0.5]
    assert tl.set_speed(3) == 3.0 and tl.faster() == 4.0
    for bad in (0.25, 17, 0, -1, True, "2"):
        with pytest.raises(UsageError):
            tl.set_speed(bad)
    assert SPEEDS[0] == 0.5 and SPEEDS[-1] == 16


def test_time_until_next_uses_original_timing_speed_and_cap():
    tl = Timeline(session(), max_gap_s=30)
    tl.seek(1)  # next: customer message 4 s after the quote
    assert tl.time_until_next() == 4.0
    tl.set_speed(2)
    assert tl.time_until_next() == 2.0
    tl.seek(2)  # next: claim 95 s later, capped to 30
    assert tl.compressed(tl.next_turn) and tl.time_until_next() == 15.0
    tl.seek(len(tl.turns) - 1)
    assert tl.time_until_next() is None
    real = Timeline(session(), max_gap_s=None)
    real.seek(2)
    assert real.time_until_next() == 95.0 and not real.compressed(real.next_turn)
    with pytest.raises(UsageError):
        Timeline(session(), max_gap_s=0)


def test_advance_plays_in_order_and_pauses_at_end():
    tl = Timeline(session(), max_gap_s=30)
    assert tl.advance(100) == []  # paused: nothing happens
    tl.play()
    shown = tl.advance(0.5)
    assert [t.index for t in shown] == [0]  # gap 0 then 1 s to the next
    assert tl.advance(0.4) == []
    assert [t.index for t in tl.advance(0.6)] == [1]  # 0.5 + 0.4 + 0.6 = 1.5 s: 1 s used
    assert tl.time_until_next() == pytest.approx(3.5)  # the 0.5 s left over counts
    tl.set_speed(4)
    assert [t.index for t in tl.advance(1.0)] == [2]
    everything = tl.advance(10_000)
    assert [t.index for t in everything] == list(range(3, len(tl.turns)))
    assert tl.at_end and not tl.playing
    tl.play()
    assert not tl.playing  # nothing left to play
    with pytest.raises(UsageError):
        tl.advance(-1)


def test_toggle_and_step_while_playing():
    tl = Timeline(session())
    assert tl.toggle() is True and tl.playing
    tl.advance(0.5)
    tl.step_forward()  # stepping restarts the gap toward the next turn
    assert tl.time_until_next() == 4.0
    assert tl.toggle() is False


@settings(max_examples=150)
@given(st.lists(st.floats(min_value=0, max_value=50), min_size=1, max_size=40),
       st.sampled_from(SPEEDS))
def test_property_small_ticks_equal_one_big_tick(ticks, speed):
    a, b = Timeline(session(), speed=speed), Timeline(session(), speed=speed)
    a.play()
    b.play()
    shown_a = [t.index for tick in ticks for t in a.advance(tick)]
    shown_b = [t.index for t in b.advance(sum(ticks))]
    # floating-point sums may differ in the last bit; allow one turn of difference
    assert shown_a == shown_b[: len(shown_a)] or shown_b == shown_a[: len(shown_b)]
    assert abs(len(shown_a) - len(shown_b)) <= 1
    assert shown_a == list(range(len(shown_a)))


@settings(max_examples=200)
@given(st.lists(st.sampled_from(["fwd", "back", "next", "prev", "play", "pause", "tick",
                                 "faster", "slower"]), max_size=60))
def test_property_operations_keep_invariants(ops):
    tl = Timeline(session())
    for op in ops:
        before = tl.position
        match op:
            case "fwd":
                tl.step_forward()
                assert tl.position == min(before + 1, len(tl.turns) - 1)
            case "back":
                tl.step_back()
                assert tl.position == max(before - 1, -1)
            case "next":
                t = tl.jump_to_next_customer()
                assert t is None or (t.kind is TurnKind.CUSTOMER and t.index > before)
            case "prev":
                t = tl.jump_to_previous_customer()
                assert t is None or (t.kind is TurnKind.CUSTOMER and t.index < before)
            case "play":
                tl.play()
            case "pause":
                tl.pause()
            case "tick":
                shown = tl.advance(7.0)
                assert [t.index for t in shown] == list(range(before + 1, tl.position + 1))
            case "faster":
                tl.faster()
            case "slower":
                tl.slower()
        assert -1 <= tl.position < len(tl.turns)
        assert len(tl.visible) == tl.position + 1
        assert tl.speed in SPEEDS
        if tl.at_end:
            assert not tl.playing


@pytest.mark.parametrize("name", sample_names())
def test_every_sample_builds_a_sensible_timeline(name):
    tl = Timeline(load_sample(name))
    assert tl.turns
    assert all(t.gap_s >= 0 for t in tl.turns)
    for t in tl.turns:
        if t.kind is TurnKind.AGENT and t.answers is not None:
            assert tl.turns[t.answers].kind is TurnKind.CUSTOMER and t.response_s >= 0
    # replay is deterministic
    assert build_turns(load_sample(name)) == tl.turns
    # playing the whole thing at top speed shows every turn exactly once
    tl.set_speed(16)
    tl.play()
    seen = []
    while tl.playing:
        seen.extend(t.index for t in tl.advance(1.0))
    assert seen == list(range(len(tl.turns)))
