"""Ready-made scenarios (fixed seeds) used by the benchmark, the tests and the demo.

* ``small``: one chat queue, 5–8 agents over staggered shifts with lunch breaks,
  mean handle 6 min, 10 % priority customers, 20 working days.
* ``large``: one phone queue, 50–75 agents, handle time drifting up 20 % through
  the afternoon, a sharp late-morning peak (intraday drift), 3 days.
* ``overload``: 10 agents; for two hours the peak arrival rate is ~30 % above what
  they can serve, so queues build and customers abandon.
* ``shock``: 8 agents, two of whom log off unexpectedly in the middle of the peak.
"""

from __future__ import annotations

from agentdesk.sim.model import Scenario, Shift
from agentdesk.sim.samplers import ChannelProfile, Distribution, Piecewise, RateProfile

__all__ = ["small", "large", "overload", "shock", "SCENARIOS", "planned_aht"]

H = 3600.0


def _speeds(n: int, spread: float = 0.25) -> list[float]:
    """Deterministic spread of agent speed factors around 1 (some agents are faster)."""
    if n == 1:
        return [1.0]
    return [1.0 - spread + 2 * spread * i / (n - 1) for i in range(n)]


def small(seed: int = 11, days: int = 20) -> Scenario:
    chat = ChannelProfile(
        name="chat",
        arrivals=RateProfile(((8, 18), (9.5, 50), (11, 62), (12.5, 45), (14, 58), (16, 40), (18, 15), (19, 8))),
        service=Distribution("lognormal", mean=330.0, cv=1.0, minimum=30.0),
        patience=Distribution("exponential", mean=600.0),
        priorities={0: 0.9, 1: 0.1},
        noun="chat",
    )
    speeds = _speeds(8)
    shifts = [
        # early shift 8:00–16:00 with a lunch break (two shifts per agent)
        *(s for i in range(4) for s in (
            Shift(f"e{i}", 8 * H, (11.5 + 0.5 * (i % 2)) * H, ("chat",), speeds[i]),
            Shift(f"e{i}", (12 + 0.5 * (i % 2)) * H, 16 * H, ("chat",), speeds[i]),
        )),
        Shift("m0", 9 * H, 17 * H, ("chat",), speeds[4]),
        Shift("m1", 10 * H, 18 * H, ("chat",), speeds[5]),
        Shift("l0", 11 * H, 19.5 * H, ("chat",), speeds[6]),
        Shift("l1", 12 * H, 20.5 * H, ("chat",), speeds[7]),
    ]
    return Scenario("small", [chat], shifts, days=days, open_s=8 * H, close_s=20 * H, seed=seed)


def large(seed: int = 12, days: int = 3) -> Scenario:
    phone = ChannelProfile(
        name="phone",
        arrivals=RateProfile(((7, 120), (8, 420), (9.5, 820), (10.5, 880), (12, 640), (13, 600), (14.5, 760), (16.5, 520), (18, 260), (19, 120))),
        service=Distribution("lognormal", mean=270.0, cv=1.1, minimum=20.0),
        patience=Distribution("exponential", mean=300.0),
        service_drift=Piecewise(((7, 0.95), (12, 1.0), (15, 1.2), (19, 1.15))),
        priorities={0: 0.85, 1: 0.15},
        noun="call",
    )
    n = 75
    speeds = _speeds(n, 0.3)
    shifts: list[Shift] = []
    for i in range(n):
        sp = speeds[(i * 37) % n]
        if i < 50:  # core shift 7:30–16:30 with a staggered 30-min break
            b = (11 + (i % 6) * 0.5) * H
            shifts.append(Shift(f"a{i:02d}", 7.5 * H, b, ("phone",), sp))
            shifts.append(Shift(f"a{i:02d}", b + 0.5 * H, 16.5 * H, ("phone",), sp))
        elif i < 65:  # peak shift 9:00–14:00
            shifts.append(Shift(f"a{i:02d}", 9 * H, 14 * H, ("phone",), sp))
        else:  # late shift 13:00–20:30
            shifts.append(Shift(f"a{i:02d}", 13 * H, 20.5 * H, ("phone",), sp))
    return Scenario("large", [phone], shifts, days=days, open_s=7 * H, close_s=20 * H, seed=seed)


def overload(seed: int = 13, days: int = 15) -> Scenario:
    # 10 agents × 1 / 300 s = 120 per hour of capacity; the peak brings ~155 per hour.
    chat = ChannelProfile(
        name="chat",
        arrivals=RateProfile(((8, 40), (9.5, 100), (10.5, 158), (12.5, 150), (13.5, 90), (16, 80), (18, 30), (19, 15))),
        service=Distribution("gamma", mean=280.0, cv=0.8, minimum=20.0),
        patience=Distribution("lognormal", mean=420.0, cv=0.8),
        priorities={0: 0.92, 1: 0.08},
        noun="chat",
    )
    speeds = _speeds(10)
    shifts = [Shift(f"o{i}", 8 * H, 18.5 * H, ("chat",), speeds[i]) for i in range(8)]
    shifts += [Shift(f"p{i}", 9 * H, 15 * H, ("chat",), speeds[8 + i]) for i in range(2)]
    return Scenario("overload", [chat], shifts, days=days, open_s=8 * H, close_s=19 * H, seed=seed)


def shock(seed: int = 14, days: int = 20) -> Scenario:
    chat = ChannelProfile(
        name="chat",
        arrivals=RateProfile(((8, 25), (9.5, 65), (11, 78), (12.5, 60), (14, 62), (16, 45), (18, 20), (19, 8))),
        service=Distribution("lognormal", mean=300.0, cv=0.9, minimum=30.0),
        patience=Distribution("exponential", mean=540.0),
        priorities={0: 0.9, 1: 0.1},
        noun="chat",
    )
    speeds = _speeds(8)
    shifts = [Shift(f"s{i}", 8 * H, 18 * H, ("chat",), speeds[i]) for i in range(6)]
    # two agents log off in the middle of the peak (10:40) and do not come back
    shifts += [Shift(f"x{i}", 8 * H, 10.67 * H, ("chat",), speeds[6 + i]) for i in range(2)]
    shifts += [Shift(f"t{i}", 13 * H, 20.5 * H, ("chat",), speeds[i * 3]) for i in range(2)]
    return Scenario("shock", [chat], shifts, days=days, open_s=8 * H, close_s=20 * H, seed=seed)


SCENARIOS = {"small": small, "large": large, "overload": overload, "shock": shock}


def planned_aht(scenario: Scenario, queue: str) -> float:
    """The planning figure for handle time: the channel's configured mean (what a
    workforce planner would use; it ignores drift and agent speed)."""
    for ch in scenario.channels:
        if ch.name == queue:
            return ch.service.total_mean
    raise KeyError(queue)
