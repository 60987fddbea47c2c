"""build_plan's "today": the last hours of closed contacts at the live demo's pace, from a
queueing process consistent with the plan's agents and with the queue of ``now``."""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agentdesk.demo.corpus import CHANNELS
from agentdesk.demo.generate import (
    TODAY_CONTACTS,
    TODAY_HOURS,
    DemoPlan,
    PlanConversation,
    build_plan,
    priority_for,
    today_arrivals,
    today_profile,
)
from agentdesk.errors import UsageError
from agentdesk.queueing.backtest import run_backtest
from agentdesk.queueing.logfile import LogRecord

NOW = 1_764_000_000.0  # a fixed instant, so the tests never depend on the clock


@pytest.fixture(scope="module")
def plan() -> DemoPlan:
    return build_plan(seed=7, now=NOW)


# --------------------------------------------------------------------------- helpers


@dataclass
class Leg:
    """One stay in one queue: joined (arrival or hand-over), then claimed and handled,
    or given up on."""

    key: str
    queue: str
    priority: int
    joined: float
    claimed: float | None = None
    agent: str | None = None
    wrapped: float | None = None  # wrap-up (or the end, when there is none)
    ended: float | None = None  # resolved or handed over: the agent is free again
    abandoned: float | None = None


def legs(c: PlanConversation, tier: str) -> list[Leg]:
    out: list[Leg] = []
    moved = False
    for s in c.steps:
        if s.kind in ("arrived", "transferred"):
            if s.kind == "transferred":
                out[-1].ended = s.at
                out[-1].wrapped = out[-1].wrapped or s.at
                moved = True
            out.append(Leg(c.key, s.queue, priority_for(tier, transferred=moved), s.at))
        elif s.kind == "claimed":
            assert out[-1].claimed is None, c.key
            out[-1].claimed, out[-1].agent = s.at, s.agent
        elif s.kind == "wrap_up":
            out[-1].wrapped = s.at
        elif s.kind == "resolved":
            out[-1].ended = s.at
            out[-1].wrapped = out[-1].wrapped or s.at
        elif s.kind == "abandoned":
            out[-1].abandoned = s.at
    return out


def today_legs(p: DemoPlan) -> list[Leg]:
    tiers = {c.key: c.tier for c in p.customers}
    return [leg for c in p.today for leg in legs(c, tiers[c.customer])]


def log_records(p: DemoPlan) -> list[LogRecord]:
    """Today as a contact log (what the console's warm-up replays from the event log)."""
    out = []
    for i, leg in enumerate(today_legs(p)):
        out.append(LogRecord(f"{leg.key}-{i}", leg.queue, leg.joined, leg.claimed,
                             leg.wrapped if leg.claimed is not None else None, leg.abandoned, leg.agent, leg.priority))
    return sorted(out, key=lambda r: r.arrived)


def busy_intervals(p: DemoPlan) -> dict[str, list[tuple[float, float, str]]]:
    """Every agent's work: today's legs, the conversations worked now (until now), and
    the first legs of the waiting hand-overs."""
    out: dict[str, list[tuple[float, float, str]]] = defaultdict(list)
    for leg in today_legs(p):
        if leg.claimed is not None:
            out[leg.agent].append((leg.claimed, leg.ended, f"today {leg.key}"))
    for c in p.active:
        claimed = next(s for s in c.steps if s.kind == "claimed")
        out[claimed.agent].append((claimed.at, NOW, f"now {c.key}"))
    for c in p.waiting:
        claimed = [s for s in c.steps if s.kind == "claimed"]
        moved = [s for s in c.steps if s.kind == "transferred"]
        if claimed and moved and c.created_at >= (p.today_start or math.inf):
            out[claimed[0].agent].append((claimed[0].at, moved[0].at, f"hand-over {c.key}"))
    return out


def check_consistent(p: DemoPlan) -> None:
    """Everything a real log of today would satisfy; shared by the property test."""
    agents = {a.name: a for a in p.agents}
    start = p.today_start
    assert start is not None
    for c in p.history:
        if c.created_at < start:
            assert c.last_at < start, c.key  # the months before today end before it
    for c in p.today:
        assert start <= c.created_at and c.last_at < p.now
        assert c.status in ("resolved", "abandoned")
        times = [s.at for s in c.steps]
        assert times == sorted(times), c.key
    for leg in today_legs(p):
        if leg.abandoned is not None:
            assert leg.claimed is None and leg.joined <= leg.abandoned
        else:
            assert leg.claimed is not None, leg.key
            assert leg.joined <= leg.claimed <= leg.wrapped <= leg.ended < p.now, leg.key
            assert leg.queue in agents[leg.agent].queues, leg.key
    # one conversation at a time: today's work never overlaps any other work of the agent
    for name, spans in busy_intervals(p).items():
        spans.sort()
        for (s1, e1, w1), (s2, e2, w2) in zip(spans, spans[1:]):
            if w1.startswith("now") and w2.startswith("now"):
                continue  # two chats being worked right now may run side by side
            assert e1 <= s2, (name, w1, w2)
    # everyone still waiting now is in line behind what the agents did: nobody who joined
    # that queue after them at the same or a lower priority was taken first
    taken = [(leg.queue, leg.joined, leg.priority, leg.claimed, leg.key) for leg in today_legs(p)
             if leg.claimed is not None]
    for c in p.active:
        taken.append((c.queue, c.enqueued_at, c.priority, next(s.at for s in c.steps if s.kind == "claimed"), c.key))
    for w in p.waiting:
        for queue, joined, priority, claimed, key in taken:
            if queue == w.queue and claimed >= w.enqueued_at:
                assert joined < w.enqueued_at or priority > w.priority, (key, w.key)


# ----------------------------------------------------------------------- the segment


def test_today_is_the_last_hours(plan):
    assert plan.today_start == NOW - TODAY_HOURS * 3600
    today = plan.today
    assert len(today) == TODAY_CONTACTS
    assert all(plan.today_start <= c.created_at < NOW and c.last_at < NOW for c in today)
    # today is part of the history (the customer panel's past contacts), in order
    assert {c.key for c in today} <= {c.key for c in plan.history}
    assert [c.created_at for c in plan.history] == sorted(c.created_at for c in plan.history)
    # spread over the hours, not bunched: every hour has contacts, the last one included
    hours = Counter(int((NOW - c.created_at) // 3600) for c in today)
    assert set(hours) == set(range(int(TODAY_HOURS)))
    assert sum(1 for c in today if c.closed_at > NOW - 3600) >= 15


def test_today_mixes_outcomes_channels_and_queues(plan):
    today = plan.today
    statuses = Counter(c.status for c in today)
    assert statuses["resolved"] > 0.7 * len(today)
    assert 0.03 * len(today) <= statuses["abandoned"] <= 0.3 * len(today)
    handed_over = [c for c in today if any(s.kind == "transferred" for s in c.steps)]
    assert 2 <= len(handed_over) <= 0.15 * len(today)
    for c in handed_over:
        assert c.status == "resolved" and c.first_queue != c.queue
        claims = [s.agent for s in c.steps if s.kind == "claimed"]
        assert len(claims) == 2 and claims[0] != claims[1]
    assert {c.channel for c in today} == set(CHANNELS)
    assert {c.queue for c in today} == {q.name for q in plan.queues}
    holds = sum(1 for c in today for s in c.steps if s.kind == "held")
    assert holds >= 5


def test_arrivals_follow_the_floor_profile():
    """Arrival times follow the CHANNELS day shape on the floor's clock (16:00 at now):
    as many per hour, relative to each other, as the profile says."""
    import random

    profile = today_profile()
    times = today_arrivals(random.Random(1), 40_000, NOW - 6 * 3600, NOW, NOW)
    assert len(times) == 40_000 and times == sorted(times)
    assert NOW - 6 * 3600 <= times[0] and times[-1] < NOW
    per_hour = Counter(int((t - (NOW - 6 * 3600)) // 3600) for t in times)  # hour 0 is 10:00-11:00
    expected = [profile.expected_arrivals((10 + h) * 3600, (11 + h) * 3600) for h in range(6)]
    for h in range(6):
        share, want = per_hour[h] / len(times), expected[h] / sum(expected)
        assert share == pytest.approx(want, rel=0.05), h
    assert per_hour[0] > per_hour[3]  # the late-morning peak beats the lunch dip


def test_today_arrivals_in_the_plan_follow_it(plan):
    first = sum(1 for c in plan.today if NOW - 6 * 3600 <= c.created_at < NOW - 5 * 3600)
    assert first > len(plan.today) / 6  # the busiest hour of the floor's day is its first


def test_customers_of_today(plan):
    by_key = plan.customers_by_key()
    today_customers = Counter(c.customer for c in plan.today)
    assert max(today_customers.values()) == 1  # one contact each today
    returning = [k for k in today_customers if any(c.created_at < plan.today_start for c in plan.conversations_of(k))]
    new = [k for k in today_customers if k not in returning]
    assert 0.2 * len(today_customers) < len(returning) < 0.5 * len(today_customers)
    for k in new:
        assert by_key[k].created_at < min(c.created_at for c in plan.conversations_of(k))
    now_customers = {c.customer for c in (*plan.waiting, *plan.active)}
    assert not now_customers & set(today_customers)
    assert len(plan.customers) == 220 + len(new)


def test_transcripts_read_like_real_contacts(plan):
    for c in plan.today:
        authors = [m.author_kind for m in c.messages]
        assert authors[0] in ("customer", "system")
        for m in c.messages:
            assert "{" not in m.body and "}" not in m.body
        if c.status == "resolved":
            assert "agent" in authors and len(c.messages) >= 3, c.key
            assert c.disposition
        else:
            assert "agent" not in authors


def test_timestamps_and_agents_are_consistent(plan):
    check_consistent(plan)


def test_waits_are_plausible(plan):
    served = [leg.claimed - leg.joined for leg in today_legs(plan) if leg.claimed is not None]
    given_up = [leg.abandoned - leg.joined for leg in today_legs(plan) if leg.abandoned is not None]
    served.sort()
    assert min(served) > 0 and len(set(served)) == len(served)  # nobody is answered before arriving
    assert 5 < statistics.median(served) < 300
    assert sum(w > 60 for w in served) > 0.1 * len(served)  # some had to wait minutes …
    assert served[-1] < 3600 and served[int(0.9 * len(served))] < 20 * 60  # … nobody for hours
    assert all(w > 0 for w in given_up) and statistics.median(given_up) > 30


def test_waits_come_from_the_line(plan):
    """Claims follow the line: in each queue, among customers of the same priority,
    whoever joined first was taken first."""
    by_line: dict[tuple[str, int], list[Leg]] = defaultdict(list)
    for leg in today_legs(plan):
        if leg.claimed is not None:
            by_line[(leg.queue, leg.priority)].append(leg)
    assert len(by_line) >= 8
    for line in by_line.values():
        line.sort(key=lambda leg: leg.joined)
        claims = [leg.claimed for leg in line]
        assert claims == sorted(claims)


def test_handle_times_are_at_demo_pace(plan):
    by_channel: dict[str, list[float]] = defaultdict(list)
    for c in plan.today:
        if c.status != "resolved" or any(s.kind == "transferred" for s in c.steps):
            continue
        claimed = next(s.at for s in c.steps if s.kind == "claimed")
        by_channel[c.channel].append((c.closed_at - claimed) / 60)
    medians = {ch: statistics.median(v) for ch, v in by_channel.items()}
    # the live driver's pace (Traffic.handling): minutes, not the hours of the history's e-mails
    assert 3 < medians["phone"] < medians["chat"] < 12
    assert 5 < medians["email"] < 15
    assert 7 < medians["social"] < 25
    assert max(max(v) for v in by_channel.values()) < 45


def test_agents_of_now_are_not_working_today_cases(plan):
    away = {a.name for a in plan.agents if a.status == "away"}
    for leg in today_legs(plan):  # they stepped away a few minutes ago, after their last case
        if leg.agent in away:
            assert leg.ended < NOW - 120
    worked_today = {leg.agent for leg in today_legs(plan) if leg.agent}
    assert worked_today == {a.name for a in plan.agents}


def test_active_conversations_waited_in_line_before_the_waiting_ones(plan):
    for c in plan.active:
        claimed = next(s.at for s in c.steps if s.kind == "claimed")
        assert c.enqueued_at == c.created_at < claimed
        for w in plan.waiting:
            if w.queue == c.queue and w.priority >= c.priority:
                assert c.created_at < w.enqueued_at


# --------------------------------------------------------------- the warm-up it enables


def test_the_wait_engine_warms_up_on_today(plan):
    records = log_records(plan)
    result = run_backtest(records, coverage=0.9)
    m = result.metrics
    assert result.quoted > 0.8 * len(records)
    assert m["n"] >= 0.6 * result.quoted  # a clear majority get a number
    assert 0.8 <= m["coverage"] <= 1.0
    assert 0 < m["mae_s"] < 600 and 0 < m["mean_bound_s"] < 3600
    per_queue = Counter(r.queue for r in records if r.answered is not None)
    assert min(per_queue.values()) >= 20  # every queue has a handle-time history


def _console_bounds(url: str, p: DemoPlan) -> list[float | None]:
    """Load the plan into a store and quote its queue the way a console starting now does."""
    waits = pytest.importorskip("agentdesk.waits")
    from agentdesk.demo.loader import load_plan
    from agentdesk.desk import Desk
    from agentdesk.store.db import Store
    from tests.conftest import FakeClock

    store = Store.open(url)
    try:
        desk = Desk(store, clock=FakeClock(p.now), tone_fn=None)
        load_plan(desk, p)
        board = waits.WaitBoard(desk)
        board.load()
        keys: dict[int, list[tuple[int, float, int]]] = defaultdict(list)
        for row in desk.waiting():
            keys[row.queue_id].append((-row.priority, row.enqueued_at, row.id))
        return list(board.quote(keys, record=False).bounds().values())
    finally:
        store.close()


def test_a_console_starting_now_quotes_the_queue(tmp_path, sqlite_template):
    """End to end: the console's warm-up replays today from the event log, so the
    customers waiting at start-up get an honest number at once (without today, none)."""
    import shutil

    def fresh(name: str) -> str:
        path = tmp_path / name
        shutil.copyfile(sqlite_template, path)
        return str(path)

    warm = _console_bounds(fresh("warm.db"), build_plan(seed=7, now=NOW, customers=80, waiting=24))
    assert len(warm) == 24
    assert sum(b is not None for b in warm) >= 0.75 * len(warm)
    cold = _console_bounds(fresh("cold.db"), build_plan(seed=7, now=NOW, customers=80, waiting=24, today_contacts=0))
    assert len(cold) == 24 and all(b is None for b in cold)


# ------------------------------------------------------------------------- parameters


def test_same_seed_same_today(plan):
    again = build_plan(seed=7, now=NOW)
    assert again.today == plan.today
    other = build_plan(seed=8, now=NOW)
    assert [c.created_at for c in other.today] != [c.created_at for c in plan.today]


def test_today_moves_with_now(plan):
    later = build_plan(seed=7, now=NOW + 3600)
    assert len(later.today) == len(plan.today)
    assert later.today[0].created_at == pytest.approx(plan.today[0].created_at + 3600)
    assert [c.subject for c in later.today] == [c.subject for c in plan.today]


def test_without_today():
    p = build_plan(seed=7, now=NOW, today_contacts=0)
    assert p.today == () and p.today_start is None
    assert len(p.customers) == 220
    assert all(c.last_at < NOW - 3 * 3600 for c in p.history)


def test_sizes_and_hours_are_parameters():
    p = build_plan(seed=5, now=NOW, customers=40, waiting=8, today_contacts=120, today_hours=3)
    assert p.today_start == NOW - 3 * 3600
    assert len(p.today) == 120
    check_consistent(p)


def test_more_than_the_floor_can_take_stays_consistent():
    """Sized far beyond the agents' capacity, the floor abandons and sheds what it could
    never have finished, and what remains is still a consistent log."""
    p = build_plan(seed=9, now=NOW, customers=60, waiting=12, today_contacts=900)
    assert 0.5 * 900 < len(p.today) <= 900
    check_consistent(p)
    statuses = Counter(c.status for c in p.today)
    assert statuses["abandoned"] > 0.3 * len(p.today)


@pytest.mark.parametrize("kwargs", [
    dict(today_contacts=-1), dict(today_contacts=50_000), dict(today_contacts="lots"),
    dict(today_hours=0.5), dict(today_hours=13), dict(today_hours=math.nan),
])
def test_bad_today_sizes_are_one_line_usage_errors(kwargs):
    with pytest.raises(UsageError) as err:
        build_plan(now=NOW, **kwargs)
    assert "\n" not in str(err.value) and str(err.value).startswith("demo: today")


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(min_value=0, max_value=2**31),
    waiting=st.integers(min_value=0, max_value=40),
    active=st.integers(min_value=0, max_value=6),
    today=st.integers(min_value=1, max_value=400),
    hours=st.sampled_from([1.0, 2.5, 6.0, 10.0]),
)
def test_any_today_is_consistent(seed, waiting, active, today, hours):
    p = build_plan(seed=seed, now=NOW, customers=max(60, waiting + active), waiting=waiting, active=active,
                   on_hold=0, today_contacts=today, today_hours=hours)
    assert 0 < len(p.today) <= today
    check_consistent(p)


def test_moving_an_idle_demo_to_now_keeps_the_quote_audit(tmp_path, sqlite_template):
    """A demo store idle for a while is moved forward to now; the wait quotes move with it
    (their own time is inside the event data), so `agentdesk waits report` reads the same
    as before the move instead of every quote broken by the idle hours."""
    import shutil

    from agentdesk.demo.loader import load_plan, shift_times
    from agentdesk.desk import Desk
    from agentdesk.store.db import Store
    from agentdesk.waits import WaitBoard, quote_audit
    from tests.conftest import FakeClock

    path = tmp_path / "demo.db"
    shutil.copyfile(sqlite_template, path)
    p = build_plan(seed=7, now=NOW, customers=80, waiting=24)
    store = Store.open(str(path))
    try:
        clock = FakeClock(p.now)
        desk = Desk(store, clock=clock, tone_fn=None)
        load_plan(desk, p)
        board = WaitBoard(desk)
        board.load()
        keys: dict[int, list[tuple[int, float, int]]] = defaultdict(list)
        for row in desk.waiting():
            keys[row.queue_id].append((-row.priority, row.enqueued_at, row.id))
        board.quote(keys, record=True)  # the first quotes of the customers waiting now
        clock.advance(240)
        for qid, waiting in keys.items():  # the last in each line is answered: settled quotes
            agent = next(a for a in desk.agents() if qid in a.queue_ids)
            desk.set_agent_status(agent.id, "available")
            desk.claim(agent.id, max(waiting)[2])
        before = quote_audit(desk, None, None)
        assert sum(f["quotes"] for f in before.values()) >= 5
        assert sum(f["counted"] for f in before.values()) >= 1, before  # and some already settled
        shift_times(desk, 3 * 3600)
        clock.advance(3 * 3600)
        after = quote_audit(desk, None, None)
    finally:
        store.close()
    assert after == before
