"""Parameterised samplers for simulated traffic.

Everything takes the caller's :class:`random.Random`, so the discrete-event simulator
(:mod:`agentdesk.sim.model`) and a real-time demo driver can share the same traffic
description and stay reproducible with a seed.

* :class:`RateProfile` — arrivals per hour over the day (piecewise linear between
  ``(hour, rate)`` points, repeating every 24 h); :meth:`RateProfile.next_arrival`
  samples the next arrival of the non-homogeneous Poisson process by thinning.
* :class:`Distribution` — a positive random duration given by its mean and coefficient
  of variation (exponential, lognormal, gamma, fixed).
* :class:`ChannelProfile` — one queue's traffic: arrival profile, handle-time and
  patience distributions, handle-time drift over the day, and the priority mix.
* :data:`CHANNELS` — realistic defaults for chat, phone, email and social.
"""

from __future__ import annotations

import bisect
import math
import random
from dataclasses import dataclass, field
from typing import Mapping

__all__ = ["RateProfile", "Distribution", "ChannelProfile", "CHANNELS", "Piecewise"]

DAY_S = 86_400.0


@dataclass(frozen=True)
class Piecewise:
    """A piecewise-linear function of the hour of day (0–24), repeating daily.

    ``points`` are ``(hour, value)`` sorted by hour; outside the first/last point the
    value is held constant.
    """

    points: tuple[tuple[float, float], ...]
    _hours: tuple[float, ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.points:
            raise ValueError("a profile needs at least one point")
        hours = [h for h, _ in self.points]
        if hours != sorted(hours):
            raise ValueError("profile points must be sorted by hour")
        if any(v < 0 for _, v in self.points):
            raise ValueError("profile values must be ≥ 0")
        object.__setattr__(self, "_hours", tuple(hours))

    def at_hour(self, hour: float) -> float:
        pts = self.points
        hours = self._hours
        i = bisect.bisect_right(hours, hour)
        if i == 0:
            return pts[0][1]
        if i == len(pts):
            return pts[-1][1]
        (h0, v0), (h1, v1) = pts[i - 1], pts[i]
        if h1 == h0:
            return v1
        return v0 + (v1 - v0) * (hour - h0) / (h1 - h0)

    def at(self, t: float) -> float:
        """Value at epoch/simulation time ``t`` seconds (time of day = t mod 24 h, UTC)."""
        return self.at_hour((t % DAY_S) / 3600.0)

    @property
    def peak(self) -> float:
        return max(v for _, v in self.points)


@dataclass(frozen=True)
class RateProfile:
    """Arrival rate over the day: ``points`` are ``(hour, arrivals per hour)``."""

    points: tuple[tuple[float, float], ...]
    scale: float = 1.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "_curve", Piecewise(tuple(self.points)))

    @property
    def curve(self) -> Piecewise:
        return self._curve  # type: ignore[attr-defined]

    def rate_per_hour(self, t: float) -> float:
        return self.curve.at(t) * self.scale

    def rate_per_s(self, t: float) -> float:
        return self.rate_per_hour(t) / 3600.0

    def scaled(self, factor: float) -> "RateProfile":
        return RateProfile(self.points, self.scale * factor)

    def next_arrival(self, rng: random.Random, now: float, *, until: float = math.inf) -> float | None:
        """Time of the next arrival after ``now`` (None if none before ``until``).

        Lewis–Shedler thinning against the profile's peak rate: exact for any
        piecewise-linear rate.
        """
        curve = self.curve
        peak = curve.peak * self.scale / 3600.0
        if peak <= 0:
            return None
        t = now
        while True:
            t += rng.expovariate(peak)
            if t >= until:
                return None
            if rng.random() * peak <= curve.at(t) * self.scale / 3600.0:
                return t

    def expected_arrivals(self, start: float, end: float, step: float = 60.0) -> float:
        """Expected number of arrivals in ``[start, end)`` (numerical integral)."""
        total = 0.0
        t = start
        while t < end:
            dt = min(step, end - t)
            total += self.rate_per_s(t + dt / 2) * dt
            t += dt
        return total


@dataclass(frozen=True)
class Distribution:
    """A positive duration in seconds with the given ``mean`` and coefficient of
    variation ``cv`` (sd / mean). ``kind``: ``exponential`` (cv is 1), ``lognormal``,
    ``gamma`` or ``fixed``. ``minimum`` is added after sampling (e.g. a floor of a few
    seconds for a chat)."""

    kind: str
    mean: float
    cv: float = 1.0
    minimum: float = 0.0

    def __post_init__(self) -> None:
        if self.kind not in ("exponential", "lognormal", "gamma", "fixed"):
            raise ValueError(f"unknown distribution kind {self.kind!r}")
        if self.mean <= 0 or self.cv < 0:
            raise ValueError("mean must be > 0 and cv ≥ 0")

    def sample(self, rng: random.Random, scale: float = 1.0) -> float:
        m = self.mean * scale
        if self.kind == "fixed" or self.cv == 0:
            x = m
        elif self.kind == "exponential":
            x = rng.expovariate(1.0 / m)
        elif self.kind == "lognormal":
            sigma2 = math.log1p(self.cv * self.cv)
            x = rng.lognormvariate(math.log(m) - sigma2 / 2, math.sqrt(sigma2))
        else:  # gamma
            shape = 1.0 / (self.cv * self.cv)
            x = rng.gammavariate(shape, m / shape)
        return x + self.minimum

    @property
    def total_mean(self) -> float:
        return self.mean + self.minimum


@dataclass(frozen=True)
class ChannelProfile:
    """One queue's traffic."""

    name: str
    arrivals: RateProfile
    service: Distribution
    patience: Distribution | None = None
    """None: customers never give up (e.g. email)."""
    service_drift: Piecewise | None = None
    """Multiplier of the handle time over the day (1.0 = as ``service``)."""
    priorities: Mapping[int, float] = field(default_factory=lambda: {0: 1.0})
    """Priority → share of arrivals."""
    noun: str = "contact"
    """Singular noun customers use for it (``chat``, ``call`` …)."""

    def sample_service(self, rng: random.Random, t: float, speed: float = 1.0) -> float:
        factor = self.service_drift.at(t) if self.service_drift is not None else 1.0
        return self.service.sample(rng, factor * speed)

    def sample_patience(self, rng: random.Random) -> float:
        if self.patience is None:
            return math.inf
        return self.patience.sample(rng)

    def sample_priority(self, rng: random.Random) -> int:
        items = sorted(self.priorities.items())
        total = sum(w for _, w in items)
        u = rng.random() * total
        for prio, w in items:
            u -= w
            if u < 0:
                return prio
        return items[-1][0]

    def next_arrival(self, rng: random.Random, now: float, *, until: float = math.inf) -> float | None:
        return self.arrivals.next_arrival(rng, now, until=until)


# A working day with a late-morning peak and a smaller after-lunch one (hour, per hour).
_DAY_SHAPE: tuple[tuple[float, float], ...] = (
    (8.0, 0.35),
    (9.0, 0.8),
    (10.5, 1.0),
    (12.0, 0.75),
    (13.0, 0.7),
    (14.5, 0.9),
    (16.5, 0.6),
    (18.0, 0.3),
    (20.0, 0.1),
)


def _shape(peak_per_hour: float) -> RateProfile:
    return RateProfile(tuple((h, v * peak_per_hour) for h, v in _DAY_SHAPE))


CHANNELS: dict[str, ChannelProfile] = {
    "chat": ChannelProfile(
        name="chat",
        arrivals=_shape(40.0),
        service=Distribution("lognormal", mean=330.0, cv=0.9, minimum=30.0),
        patience=Distribution("exponential", mean=600.0),
        priorities={0: 0.9, 1: 0.1},
        noun="chat",
    ),
    "phone": ChannelProfile(
        name="phone",
        arrivals=_shape(30.0),
        service=Distribution("lognormal", mean=240.0, cv=1.1, minimum=20.0),
        patience=Distribution("exponential", mean=240.0),
        priorities={0: 0.85, 1: 0.15},
        noun="call",
    ),
    "email": ChannelProfile(
        name="email",
        arrivals=_shape(12.0),
        service=Distribution("gamma", mean=480.0, cv=0.7, minimum=60.0),
        patience=None,
        noun="email",
    ),
    "social": ChannelProfile(
        name="social",
        arrivals=_shape(6.0),
        service=Distribution("lognormal", mean=300.0, cv=0.8, minimum=30.0),
        patience=Distribution("exponential", mean=1800.0),
        noun="message",
    ),
}
"""Default traffic per channel for the demo and the simulator (peaks per hour: chat
40, phone 30, email 12, social 6; mean handle 6, 4.3, 9 and 5.5 min)."""
