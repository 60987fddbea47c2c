"""The contact-centre simulator and its samplers."""

from __future__ import annotations

import math
import random
import statistics

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agentdesk.queueing.backtest import run_backtest
from agentdesk.queueing.logfile import read_log, read_roster, write_log, write_roster
from agentdesk.sim.model import DAY_S, Scenario, Shift, simulate
from agentdesk.sim.samplers import CHANNELS, ChannelProfile, Distribution, Piecewise, RateProfile
from agentdesk.sim.scenarios import SCENARIOS, planned_aht, shock, small

H = 3600.0


def tiny(seed: int = 3, days: int = 2) -> Scenario:
    chat = ChannelProfile(
        "chat",
        RateProfile(((8, 20), (10, 60), (12, 30))),
        Distribution("lognormal", 300, 1.0, 20),
        Distribution("exponential", 400),
        priorities={0: 0.8, 1: 0.2},
        noun="chat",
    )
    shifts = [Shift("a", 8 * H, 12 * H, ("chat",)), Shift("b", 8 * H, 10 * H, ("chat",), 1.3),
              Shift("b", 10.5 * H, 12 * H, ("chat",), 1.3)]
    return Scenario("tiny", [chat], shifts, days=days, open_s=8 * H, close_s=12 * H, seed=seed)


def test_same_seed_same_log_and_different_seed_different_log():
    a = simulate(tiny(seed=5))
    b = simulate(tiny(seed=5))
    c = simulate(tiny(seed=6))
    assert a.records == b.records and a.roster == b.roster
    assert a.records != c.records


def test_log_is_consistent_and_round_trips(tmp_path):
    res = simulate(tiny())
    assert res.stats["contacts"] == len(res.records) > 50
    assert res.stats["abandoned"] > 0 and res.stats["served"] > 0
    for r in res.records:
        assert (r.answered is None) != (r.abandoned_at is None)
        if r.answered is not None:
            assert r.arrived <= r.answered <= r.ended and r.agent in {"a", "b"}
            assert float(r.arrived).is_integer()  # whole seconds, like a real log
        else:
            assert r.abandoned_at >= r.arrived
    path = tmp_path / "LOG.csv"
    write_log(res.records, path)
    back, skipped = read_log(path)
    assert not skipped
    assert [(r.id, r.arrived, r.answered, r.ended, r.abandoned_at, r.agent, r.priority) for r in back] == [
        (r.id, r.arrived, r.answered, r.ended, r.abandoned_at, r.agent, r.priority) for r in res.records]
    write_roster(res.roster, tmp_path / "ROSTER.csv", time_style="epoch")
    assert [(s.agent, s.start, s.end) for s in read_roster(tmp_path / "ROSTER.csv")] == [
        (s.agent, s.start, s.end) for s in res.roster]


def test_agents_only_start_work_on_shift():
    res = simulate(tiny(days=3))
    ep = res.scenario.epoch
    for r in res.records:
        if r.agent == "b":
            tod = (r.answered - ep) % DAY_S
            # b is off between 10:00 and 10:30 (a break): no new contact starts then
            assert not (10 * H + 1 <= tod < 10.5 * H - 1)
        if r.answered is not None:
            assert 8 * H - 1 <= (r.answered - ep) % DAY_S <= 12 * H + 1


def test_priorities_are_served_first():
    res = simulate(tiny(days=4))
    served = [r for r in res.records if r.answered is not None]
    waits = {p: [r.answered - r.arrived for r in served if r.priority == p] for p in (0, 1)}
    assert statistics.mean(waits[1]) < statistics.mean(waits[0])
    # an agent never took a regular customer while a priority one had been waiting longer
    by_answer = sorted(served, key=lambda r: r.answered)
    for r in by_answer:
        if r.priority == 0:
            jumped = [o for o in served if o.priority == 1 and o.arrived < r.answered - 1 and o.answered > r.answered + 1]
            assert not jumped, (r, jumped[:1])


def test_staffing_shock_and_arrival_peaks():
    sc = shock(days=2)
    res = simulate(sc)
    ep = sc.epoch
    late_x = [r for r in res.records if r.agent and r.agent.startswith("x") and (r.answered - ep) % DAY_S > 10.7 * H]
    assert not late_x  # the two agents who left mid-peak take no new contact
    hours = [((r.arrived - ep) % DAY_S) // H for r in res.records]
    assert hours.count(10) > 1.5 * hours.count(8)  # time-varying arrivals: the peak is busier


def test_every_benchmark_scenario_builds():
    for name, make in SCENARIOS.items():
        sc = make()
        assert sc.name == name and sc.channels and sc.shifts
        assert planned_aht(sc, sc.channels[0].name) > 0


def test_simulated_log_backtests():
    res = simulate(small(days=3))
    result = run_backtest(res.records, coverage=0.9)
    assert result.quoted > 100 and result.metrics["n"] > 0
    assert 0.0 <= result.metrics["coverage"] <= 1.0


def test_unknown_queue_in_a_shift_is_refused():
    sc = tiny()
    bad = Scenario("bad", sc.channels, [Shift("z", 8 * H, 9 * H, ("email",))])
    with pytest.raises(ValueError, match="unknown queue"):
        simulate(bad)


# -- samplers (what a real-time demo driver calls with its own RNG) ---------------------------


def test_rate_profile_interpolates_and_repeats_daily():
    prof = RateProfile(((8, 10), (10, 30)))
    assert prof.rate_per_hour(9 * H) == pytest.approx(20)
    assert prof.rate_per_hour(7 * H) == 10 and prof.rate_per_hour(23 * H) == 30
    assert prof.rate_per_hour(DAY_S + 9 * H) == pytest.approx(20)
    assert prof.scaled(2).rate_per_hour(9 * H) == pytest.approx(40)
    with pytest.raises(ValueError):
        Piecewise(((10, 1), (8, 2)))


def test_thinning_matches_the_expected_count():
    prof = RateProfile(((8, 0), (10, 120), (12, 0)))
    rng = random.Random(1)
    counts = []
    for _ in range(40):
        t, n = 8 * H, 0
        while (t := prof.next_arrival(rng, t, until=12 * H)) is not None:
            n += 1
        counts.append(n)
    expected = prof.expected_arrivals(8 * H, 12 * H)
    assert expected == pytest.approx(240, rel=0.01)
    assert statistics.mean(counts) == pytest.approx(expected, rel=0.05)


@settings(max_examples=40, deadline=None)
@given(kind=st.sampled_from(["exponential", "lognormal", "gamma", "fixed"]), mean=st.floats(10, 1000),
       cv=st.floats(0.2, 1.5), seed=st.integers(0, 10_000))
def test_distributions_are_positive_and_reproducible(kind, mean, cv, seed):
    d = Distribution(kind, mean, cv, minimum=5)
    xs = [d.sample(random.Random(seed)) for _ in range(3)]
    assert xs[0] == xs[1] == xs[2] and xs[0] >= 5


def test_distribution_means():
    rng = random.Random(7)
    for kind in ("exponential", "lognormal", "gamma"):
        d = Distribution(kind, 300, 0.8)
        m = statistics.mean(d.sample(rng) for _ in range(20_000))
        assert m == pytest.approx(300, rel=0.03)


def test_channel_defaults_for_the_demo():
    rng = random.Random(2)
    chat = CHANNELS["chat"]
    assert chat.noun == "chat" and chat.patience is not None
    assert math.isinf(CHANNELS["email"].sample_patience(rng))
    prios = [chat.sample_priority(rng) for _ in range(5000)]
    assert 0.07 < prios.count(1) / len(prios) < 0.13
    assert chat.sample_service(rng, 10 * H) > chat.service.minimum
