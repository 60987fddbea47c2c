"""The wait-quote engine: honesty, priorities, staffing changes, calibration, texts."""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agentdesk.domain import WaitingRow
from agentdesk.queueing import (
    NO_AGENTS,
    NO_HISTORY,
    OK,
    UNCALIBRATED,
    Calibration,
    QueueHistory,
    customer_update,
    make_snapshot,
    quote_position,
    quote_queue,
)
from agentdesk.queueing.calibration import censored_quantile, stage_group
from agentdesk.queueing.history import summarize
from agentdesk.queueing.engine import arrival_position, ql_a_mean
from agentdesk.queueing.text import duration_phrase, minutes_up, ordinal

NOW = 1_709_550_000.0
HISTORY = {"handle_times": [360.0] * 20, "served_waits": [60.0] * 30, "abandoned_waits": [40.0] * 6}


def trained(seed: int = 1, queue: str = "chat", n: int = 400) -> Calibration:
    """A calibration fed with outcomes whose normalised errors are known: scores drawn
    from an exponential shifted by −1 (waits exponential around the model's mean)."""
    rng = random.Random(seed)
    cal = Calibration()
    for group in range(5):
        for load in range(3):
            for ovt in (False, True):
                for _ in range(n // 10):
                    scale = 0.0 if group == 0 else 100.0
                    spread = 1.0 if group == 0 else 100.0
                    wait = rng.expovariate(1 / 30.0) if group == 0 else rng.expovariate(1 / 100.0)
                    cal.observe({"queue": queue, "stage_group": group, "load_group": load, "overtakable": ovt,
                                 "scale_s": scale, "spread_s": spread, "at": 0.0}, wait, rng.random() < 0.9)
    return cal


def snap(n_waiting=5, available=0, busy=3, away=0, history=HISTORY, priorities=None, **kw):
    pr = priorities or [0] * n_waiting
    waiting = [(f"c{i}", NOW - 600 + i * 10, pr[i]) for i in range(n_waiting)]
    return make_snapshot("chat", NOW, waiting, {"available": available, "busy": busy, "away": away}, history, **kw)


# -- honesty ---------------------------------------------------------------------------


def test_no_agent_on_the_queue_gives_no_number_and_says_why():
    s = snap(busy=0, available=0, away=2)
    qq = quote_queue(s, calibration=trained())
    q = qq["c0"]
    assert q.status == NO_AGENTS and q.expected_s is None and q.bound_s is None and not q.ok
    assert "no agent is working on chat" in q.reason and "2 away" in q.reason
    assert qq.arrival.bound_s is None and qq.arrival.position == 6
    assert "No agent is available right now" in customer_update(q)


def test_empty_history_gives_no_number():
    s = snap(history=None)
    q = quote_queue(s, calibration=trained())["c2"]
    assert q.status == NO_HISTORY and q.bound_s is None and q.expected_s is None
    assert "not enough finished chats" in q.reason and "0 of 5" in q.reason
    assert customer_update(q).startswith("You're 3rd in line. We can't estimate the wait reliably yet")


def test_too_few_outcomes_gives_an_estimate_but_no_bound():
    q = quote_queue(snap(), calibration=Calibration())["c1"]
    assert q.status == UNCALIBRATED and q.bound_s is None and q.expected_s is not None
    assert "no bound yet" in q.reason
    text = customer_update(q)
    assert "can't promise a wait time yet" in text and "minute" in text


# -- the numbers -----------------------------------------------------------------------


def test_quote_has_bound_above_expected_and_reason_from_inputs():
    s = snap(n_waiting=6, busy=3)
    qq = quote_queue(s, calibration=trained())
    q = qq["c3"]
    assert q.status == OK and q.position == 4
    assert q.bound_s >= q.expected_s > 0
    assert q.reason.startswith("4th in line · 3 agents on chat · chats take about 6 min")
    assert "some customers ahead may leave" in q.reason  # abandonment in history
    inp = q.inputs
    assert inp["position"] == 4 and inp["agents"] == 3 and inp["mean_handle_s"] == 360.0
    assert inp["stages"] == 4 and inp["scale_s"] == pytest.approx(ql_a_mean(4, 3, 1 / 360.0, 6 / 2040.0))
    json.dumps(inp)  # recordable as an event payload


def test_fast_path_matches_single_quotes():
    cal = trained()
    s = snap(n_waiting=40, busy=4, available=1, priorities=[1] * 5 + [0] * 35)
    qq = quote_queue(s, calibration=cal)
    for i, cid in enumerate(s.ids):
        one = quote_position(s, i + 1, priority=s.priorities[i], conversation_id=cid, calibration=cal)
        assert qq[cid].expected_s == pytest.approx(one.expected_s)
        assert qq[cid].bound_s == pytest.approx(one.bound_s)
        assert qq.bounds[i] == pytest.approx(one.bound_s)


def test_free_agent_means_the_first_in_line_is_next():
    qq = quote_queue(snap(n_waiting=3, available=1, busy=2), calibration=trained())
    first = qq["c0"]
    assert first.inputs["stages"] == 0 and "an agent is free" in first.reason
    assert first.bound_s <= qq["c1"].bound_s
    assert "an agent is free and will be with you shortly" in customer_update(first)


def test_agents_leaving_lengthen_the_wait():
    cal = trained()
    full = quote_queue(snap(n_waiting=8, busy=6), calibration=cal)["c7"]
    fewer = quote_queue(snap(n_waiting=8, busy=4, away=2), calibration=cal)["c7"]
    assert fewer.expected_s > full.expected_s and fewer.bound_s > full.bound_s
    assert "4 agents on chat" in fewer.reason


def test_priorities_order_the_queue_and_mark_who_can_be_overtaken():
    waiting = [("late-vip", NOW - 10, 1), ("early", NOW - 300, 0), ("mid", NOW - 100, 0)]
    s = make_snapshot("chat", NOW, waiting, {"busy": 2}, HISTORY)
    assert s.ids == ("late-vip", "early", "mid")
    qq = quote_queue(s, calibration=trained())
    assert qq["late-vip"].position == 1 and not qq["late-vip"].inputs["overtakable"]
    assert qq["early"].inputs["overtakable"] and "priority customers may go first" in qq["early"].reason
    # a new regular customer joins behind everyone, a new priority one behind the VIP
    assert arrival_position(s, 0) == 4 and arrival_position(s, 1) == 2
    assert qq.arrival.position == 4


def test_head_start_ordering():
    waiting = [("vip", NOW - 30, 1), ("a", NOW - 100, 0), ("b", NOW - 20, 0)]
    s = make_snapshot("chat", NOW, waiting, {"busy": 2}, HISTORY, head_start_s=90)
    # vip counts as arrived at NOW - 120: ahead of "a" (NOW - 100)
    assert s.ids == ("vip", "a", "b")
    assert arrival_position(s, 1) == 3  # a new VIP (NOW - 90) goes after "a" and before "b"


def test_snapshot_accepts_domain_rows_and_agent_pairs():
    rows = [WaitingRow(i, 1, 0, NOW - 100 + i, "Ann", "chat", "hi", None) for i in range(3)]
    s = make_snapshot("chat", NOW, rows, [(1, "busy"), (2, "available"), (3, "away"), (4, "offline")],
                      QueueHistory())
    assert s.ids == (0, 1, 2) and (s.agents_busy, s.agents_available, s.agents_away) == (1, 1, 1)
    with pytest.raises(ValueError):
        make_snapshot("chat", NOW, rows, [(1, "sleeping")])


def test_coverage_must_be_sensible():
    with pytest.raises(ValueError):
        quote_queue(snap(), coverage=1.0)


def test_longest_wait_and_mapping_interface():
    qq = quote_queue(snap(n_waiting=3), calibration=trained())
    assert qq.longest_wait_s == pytest.approx(600)
    assert list(qq) == ["c0", "c1", "c2"] and len(qq) == 3 and "c1" in qq


# -- calibration -----------------------------------------------------------------------


def test_censored_quantile_by_hand():
    served = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0]
    # miss 0.2 with +1: need (broken + 1) ≤ 0.2 (10 + 1) = 2.2 → at most one broken → q = 9
    assert censored_quantile(served, [], 0.2) == 9.0
    # an abandonment at 9.5 is past q = 9: broken becomes 2 → q moves up to 9.5
    assert censored_quantile(served, [9.5], 0.2) == 9.5
    # an abandonment at 0.5 (before any bound) is left out: unchanged
    assert censored_quantile(served, [0.5], 0.2) == 9.0
    assert censored_quantile([1.0, 2.0], [], 0.05) is None  # too few for a 95 % promise


def test_calibration_learns_and_round_trips_through_json():
    cal = trained()
    state = json.loads(json.dumps(cal.to_dict()))
    again = Calibration.from_dict(state)
    s = snap(n_waiting=10)
    a = quote_queue(s, calibration=cal)
    b = quote_queue(s, calibration=again)
    assert a.bounds == b.bounds and a.expected == b.expected
    with pytest.raises(ValueError):
        Calibration.from_dict({"version": 1, "buckets": [{"queue": "x"}]})


def test_outcomes_move_the_bound():
    cal = trained()
    s = snap(n_waiting=2)
    q = quote_queue(s, calibration=cal)["c1"]
    before = q.bound_s
    for _ in range(3000):  # every customer like this one waited far longer
        cal.observe(q.inputs, NOW + 3 * before, served=True)
    assert quote_queue(s, calibration=cal)["c1"].bound_s > 2 * before
    # a quote with no number teaches nothing
    none = quote_queue(snap(busy=0), calibration=cal)["c1"]
    assert cal.observe(none.inputs, NOW + 10, served=True) is None


def test_stage_groups():
    assert [stage_group(n) for n in (0, 1, 2, 4, 5, 16, 17, 10_000)] == [0, 1, 2, 2, 3, 3, 4, 4]


# -- customer text ---------------------------------------------------------------------


def test_ordinals():
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111, 112)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "101st", "111th", "112th"]


def test_minutes_round_up_and_durations():
    assert [minutes_up(s) for s in (1, 59, 60, 61, 420.0, 421)] == [1, 1, 1, 2, 7, 8]
    assert duration_phrase(30) == "under a minute"
    assert duration_phrase(60) == "about 1 minute"
    assert duration_phrase(355) == "about 6 minutes"
    assert duration_phrase(7200) == "about 2 hours"


def test_customer_update_matches_the_issue_example():
    s = snap(n_waiting=3, busy=3, history={"handle_times": [360.0] * 20})
    q = quote_queue(s, calibration=trained())["c2"]
    text = customer_update(q)
    minutes = minutes_up(q.bound_s)
    assert text == (f"You're 3rd in line. It should take at most {minutes} minutes: 3 agents are helping "
                    "customers and chats are taking about 6 minutes.")
    assert q.bound_minutes == minutes


def test_customer_update_singular_forms():
    s = snap(n_waiting=1, busy=1, history={"handle_times": [50.0] * 20})
    q = quote_queue(s, calibration=trained())["c0"]
    text = customer_update(q, noun="call")
    assert text.startswith("You're next in line. It should take at most ")
    assert "1 agent is helping customers and calls are taking under a minute." in text
    if q.bound_minutes == 1:
        assert "at most 1 minute:" in text


# -- properties ------------------------------------------------------------------------

_CAL = trained(seed=7)


@settings(max_examples=150, deadline=None)
@given(
    n=st.integers(1, 60),
    busy=st.integers(0, 12),
    available=st.integers(0, 4),
    handle=st.floats(20, 3000),
    ab=st.integers(0, 30),
    prio=st.lists(st.integers(0, 2), min_size=60, max_size=60),
    head_start=st.one_of(st.none(), st.floats(0, 300)),
    coverage=st.sampled_from([0.8, 0.9, 0.95]),
)
def test_bounds_cover_expectations_and_grow_along_the_queue(n, busy, available, handle, ab, prio, head_start, coverage):
    history = {"handle_times": [handle] * 10, "served_waits": [60.0] * 20, "abandoned_waits": [30.0] * ab}
    waiting = [(i, NOW - 1000 + i, prio[i]) for i in range(n)]
    s = make_snapshot("chat", NOW, waiting, {"busy": busy, "available": available}, history, head_start_s=head_start)
    qq = quote_queue(s, coverage=coverage, calibration=_CAL)
    if busy + available == 0:
        assert all(b is None for b in qq.bounds)
        return
    exp, bnd = qq.expected, qq.bounds
    assert all(b is not None and b >= e >= 0 for e, b in zip(exp, bnd))
    assert all(a <= b for a, b in zip(exp, exp[1:]))
    assert all(a <= b for a, b in zip(bnd, bnd[1:]))  # type: ignore[operator]
    arrival = qq.arrival
    if arrival.position == n + 1:
        assert arrival.bound_s >= bnd[-1]  # type: ignore[operator]


@settings(max_examples=60, deadline=None)
@given(cov=st.sampled_from([0.8, 0.9, 0.95]), n=st.integers(2, 30))
def test_higher_promise_never_lowers_the_bound(cov, n):
    s = snap(n_waiting=n, busy=4)
    lo = quote_queue(s, coverage=cov, calibration=_CAL).bounds
    hi = quote_queue(s, coverage=min(0.99, cov + 0.04), calibration=_CAL).bounds
    assert all(b >= a for a, b in zip(lo, hi))  # type: ignore[operator]


def test_broken_promises_tighten_the_next_bounds_at_once():
    cal = trained()
    s = snap(n_waiting=3)
    q = quote_queue(s, calibration=cal)["c2"]
    start = cal.working_miss("chat", 0.9)
    assert start == pytest.approx(0.095)
    for _ in range(20):  # twenty customers in other buckets all waited past their bound
        other = dict(q.inputs, stage_group=4, load_group=0)
        cal.observe(other, NOW + 2 * q.bound_s, served=True)
    assert cal.working_miss("chat", 0.9) == pytest.approx(start + 20 * 0.002 * (0.095 - 1))
    assert quote_queue(s, calibration=cal)["c2"].bound_s > q.bound_s
    again = Calibration.from_dict(json.loads(json.dumps(cal.to_dict())))
    assert again.working_miss("chat", 0.9) == pytest.approx(cal.working_miss("chat", 0.9))
    # an abandonment before the bound cannot be judged: no step
    before = cal.working_miss("chat", 0.9)
    cal.observe(q.inputs, NOW + 1, served=False)
    assert cal.working_miss("chat", 0.9) == before


def test_history_running_totals_match_a_fresh_count():
    rng = random.Random(3)
    h = QueueHistory(handle_window=20, wait_window=30, priority_window=25, horizon_s=10_000)
    for i in range(500):
        t = 100.0 + 10 * i
        h.record_handled(t, rng.uniform(30, 900))
        (h.record_served if rng.random() < 0.8 else h.record_abandoned)(t, rng.uniform(0, 600))
        h.record_arrival(t, rng.choice([0, 0, 1]))
        if i % 37 == 0:
            now = t + 1
            fast = h.summary(now)
            slow = summarize([x for _, x in h.handles], [w for _, w, ab in h.waits if not ab],
                             [w for _, w, ab in h.waits if ab], [p for _, p in h.priorities])
            assert fast.mean_handle_s == pytest.approx(slow.mean_handle_s)
            assert fast.abandon_rate_per_s == pytest.approx(slow.abandon_rate_per_s)
            assert (fast.n_handled, fast.n_waits, fast.n_abandoned, fast.top_priority) == (
                slow.n_handled, slow.n_waits, slow.n_abandoned, slow.top_priority)
    again = QueueHistory.from_dict(json.loads(json.dumps(h.to_dict())))
    a, b = again.summary(6000.0), h.summary(6000.0)
    assert a.mean_handle_s == pytest.approx(b.mean_handle_s) and a.n_waits == b.n_waits
    assert a.abandon_rate_per_s == pytest.approx(b.abandon_rate_per_s)
    # entries older than the horizon are dropped (slow path), keeping the newest few
    late = h.summary(1_000_000.0)
    assert late.n_handled == 20  # keep_min


def test_columns_give_the_same_quotes_as_rows():
    """WaitingColumns (no object per customer) and row tuples make the same snapshot."""
    from agentdesk.queueing import WaitingColumns

    rows = [(i, NOW - 900 + 7 * i, 1 if i < 3 else 0) for i in range(40)]
    rows.sort(key=lambda r: (-r[2], r[1], str(r[0])))
    history = {"handle_times": [300.0] * 10, "served_waits": [60.0] * 20, "abandoned_waits": [30.0] * 4}
    by_rows = make_snapshot("chat", NOW, rows, {"busy": 3, "available": 1}, history, ordered=True)
    cols = WaitingColumns(tuple(r[0] for r in rows), tuple(r[1] for r in rows), tuple(r[2] for r in rows))
    by_cols = make_snapshot("chat", NOW, cols, {"busy": 3, "available": 1}, history, ordered=True)
    assert by_cols == by_rows
    a, b = quote_queue(by_rows, calibration=_CAL), quote_queue(by_cols, calibration=_CAL)
    assert a.bounds == b.bounds and a.expected == b.expected
    assert all(isinstance(x, float) for x in a.bounds) and a.bounds[:2] == list(a.bounds)[:2]
    with pytest.raises(ValueError, match="ordered=True"):
        make_snapshot("chat", NOW, cols, {"busy": 3}, history)
    with pytest.raises(ValueError, match="differ in length"):
        make_snapshot("chat", NOW, WaitingColumns((1, 2), (NOW,), (0, 0)), {"busy": 3}, history, ordered=True)


def test_a_column_without_numbers_reads_as_none():
    from agentdesk.queueing.engine import Seconds

    col = Seconds([1.5, None, 3.0])
    assert list(col) == [1.5, None, 3.0] and col[1] is None and col[-1] == 3.0 and len(col) == 3
    assert col == [1.5, None, 3.0] and col[0:2] == [1.5, None]
