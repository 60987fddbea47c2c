"""Discrete-event simulation of a contact centre (simpy).

What it models:

* **time-varying arrivals** per queue (non-homogeneous Poisson, :class:`RateProfile`);
* **abandonment**: each customer has a patience drawn from the channel's distribution
  and leaves when it runs out before an agent answers;
* **heterogeneous handle times**: the channel's distribution × a drift over the day ×
  the agent's own speed factor;
* **agents logging on and off mid-shift**: each :class:`Shift` has a start and an end;
  an agent whose shift ends while serving finishes that contact first, then logs off;
  one agent may have several shifts (a break is the gap between two);
* **priorities**: an agent always takes the highest-priority customer first, then the
  longest waiting, across every queue it is staffed on (several queues are optional).

:func:`simulate` returns the contacts as :class:`~agentdesk.queueing.logfile.LogRecord`
(times rounded down to whole seconds, as a real log has them) and the roster, ready for
:func:`~agentdesk.queueing.logfile.write_log` and the backtest. The same seed gives the
same log.
"""

from __future__ import annotations

import heapq
import math
import random
from dataclasses import dataclass, field
from typing import Sequence

import simpy

from agentdesk.queueing.logfile import LogRecord, RosterShift
from agentdesk.sim.samplers import ChannelProfile

__all__ = ["Shift", "Scenario", "SimResult", "simulate", "DEFAULT_EPOCH"]

DEFAULT_EPOCH = 1_709_510_400.0  # 2024-03-04T00:00:00Z, a Monday
DAY_S = 86_400.0


@dataclass(frozen=True)
class Shift:
    """An agent on duty from ``start`` to ``end`` (seconds from the scenario's first
    midnight) on ``queues`` (names), working at ``speed`` (handle time × speed)."""

    agent: str
    start: float
    end: float
    queues: tuple[str, ...]
    speed: float = 1.0


@dataclass(frozen=True)
class Scenario:
    """What to simulate. ``days`` repeats the daily pattern (shifts are given for one
    day and repeated); arrivals happen only between ``open_s`` and ``close_s`` each day
    (seconds after midnight)."""

    name: str
    channels: Sequence[ChannelProfile]
    shifts: Sequence[Shift]
    days: int = 1
    open_s: float = 8 * 3600.0
    close_s: float = 20 * 3600.0
    seed: int = 1
    epoch: float = DEFAULT_EPOCH


@dataclass
class SimResult:
    records: list[LogRecord]
    roster: list[RosterShift]
    scenario: Scenario
    stats: dict = field(default_factory=dict)


@dataclass(eq=False)
class _Customer:
    seq: int
    queue: str
    priority: int
    arrived: float
    patience: float
    answered_evt: simpy.Event
    answered: float | None = None
    ended: float | None = None
    abandoned_at: float | None = None
    agent: str | None = None
    gone: bool = False  # abandoned or taken


class _Centre:
    def __init__(self, env: simpy.Environment, scenario: Scenario, rng: random.Random):
        self.env = env
        self.sc = scenario
        self.rng = rng
        self.channels = {c.name: c for c in scenario.channels}
        self.waiting: dict[str, list[tuple[int, float, int, _Customer]]] = {c: [] for c in self.channels}
        self.idle: dict[str, tuple[float, simpy.Event, tuple[str, ...]]] = {}
        self.customers: list[_Customer] = []
        self.seq = 0

    # -- customers --------------------------------------------------------------------
    def arrivals(self, channel: ChannelProfile, day: int):
        env = self.env
        start = day * DAY_S + self.sc.open_s
        end = day * DAY_S + self.sc.close_s
        if env.now < start:
            yield env.timeout(start - env.now)
        rng = self.rng
        while True:
            t = channel.next_arrival(rng, env.now, until=end)
            if t is None:
                return
            yield env.timeout(t - env.now)
            self.seq += 1
            c = _Customer(
                seq=self.seq,
                queue=channel.name,
                priority=channel.sample_priority(rng),
                arrived=env.now,
                patience=channel.sample_patience(rng),
                answered_evt=env.event(),
            )
            self.customers.append(c)
            env.process(self.customer(c))

    def customer(self, c: _Customer):
        heapq.heappush(self.waiting[c.queue], (-c.priority, c.arrived, c.seq, c))
        self.wake_one(c.queue)
        if math.isinf(c.patience):
            yield c.answered_evt
            return
        timeout = self.env.timeout(c.patience)
        yield c.answered_evt | timeout
        if not c.answered_evt.triggered and not c.gone:
            c.gone = True
            c.abandoned_at = self.env.now

    def wake_one(self, queue: str) -> None:
        best = None
        for name, (since, evt, queues) in self.idle.items():
            if queue in queues and (best is None or since < best[0]):
                best = (since, name, evt)
        if best is not None:
            _, name, evt = best
            del self.idle[name]
            evt.succeed()

    def take(self, queues: tuple[str, ...]) -> _Customer | None:
        best = None
        for q in queues:
            heap = self.waiting.get(q)
            while heap and heap[0][3].gone:
                heapq.heappop(heap)
            if heap and (best is None or heap[0][:3] < best[0][:3]):
                best = (heap[0], q)
        if best is None:
            return None
        entry, q = best
        heapq.heappop(self.waiting[q])
        c = entry[3]
        c.gone = True
        return c

    # -- agents -----------------------------------------------------------------------
    def agent(self, shift: Shift, day: int):
        env = self.env
        start = day * DAY_S + shift.start
        end = day * DAY_S + shift.end
        if env.now < start:
            yield env.timeout(start - env.now)
        while env.now < end:
            c = self.take(shift.queues)
            if c is None:
                evt = env.event()
                self.idle[f"{shift.agent}@{start}"] = (env.now, evt, shift.queues)
                yield evt | env.timeout(end - env.now)
                self.idle.pop(f"{shift.agent}@{start}", None)
                continue
            c.answered = env.now
            c.agent = shift.agent
            c.answered_evt.succeed()
            channel = self.channels[c.queue]
            yield env.timeout(channel.sample_service(self.rng, env.now, shift.speed))
            c.ended = env.now


def simulate(scenario: Scenario) -> SimResult:
    """Run the scenario and return its contact log and roster (deterministic per seed)."""
    rng = random.Random(scenario.seed)
    env = simpy.Environment()
    centre = _Centre(env, scenario, rng)
    names = {c.name for c in scenario.channels}
    for s in scenario.shifts:
        unknown = set(s.queues) - names
        if unknown:
            raise ValueError(f"shift of {s.agent} names unknown queue(s): {', '.join(sorted(unknown))}")
    for day in range(scenario.days):
        for ch in scenario.channels:
            env.process(centre.arrivals(ch, day))
        for sh in scenario.shifts:
            env.process(centre.agent(sh, day))
    env.run()
    ep = scenario.epoch
    records: list[LogRecord] = []
    cut_off = 0
    for c in centre.customers:
        arrived = math.floor(ep + c.arrived)
        if c.answered is not None:
            answered = math.floor(ep + c.answered)
            ended = math.floor(ep + c.ended) if c.ended is not None else answered
            records.append(
                LogRecord(f"{scenario.name}-{c.seq}", c.queue, arrived, answered, max(ended, answered), None, c.agent, c.priority)
            )
        else:
            # Abandoned, or still waiting when every shift had ended (counted as cut off:
            # the customer left when the last agent logged off).
            if c.abandoned_at is None:
                cut_off += 1
                at = max(c.arrived, env.now)
            else:
                at = c.abandoned_at
            records.append(
                LogRecord(f"{scenario.name}-{c.seq}", c.queue, arrived, None, None, math.floor(ep + at), c.agent, c.priority)
            )
    roster = [
        RosterShift(s.agent, q, ep + d * DAY_S + s.start, ep + d * DAY_S + s.end)
        for d in range(scenario.days)
        for s in scenario.shifts
        for q in s.queues
    ]
    served = sum(1 for r in records if r.answered is not None)
    waited = sum(1 for r in records if (r.answered is not None and r.answered > r.arrived) or r.answered is None)
    stats = {
        "contacts": len(records),
        "served": served,
        "abandoned": len(records) - served,
        "waited": waited,
        "cut_off": cut_off,
    }
    return SimResult(records, roster, scenario, stats)
