"""Baseline wait predictors for bench/waittime.py.

Each is a backtest predictor (``quote(ctx) -> Prediction``) fed the same
:class:`agentdesk.queueing.backtest.QuoteContext` as the agentdesk engine, so every
method sees exactly the same information at the same moment.

Point predictors (k = customers ahead, s = agents working the queue, f = free agents,
n = max(0, k + 1 − f) departures needed, μ = 1 / recent mean handle time,
θ = recent abandonments ÷ time spent waiting, λ = arrivals in the last 30 min):

* ``naive``  — position × planned AHT ÷ agents on duty (with a roster: everyone
  rostered, including those not taking contacts at the moment);
* ``QL``     — n / (sμ) (Whitt's queue-length predictor, no abandonment);
* ``QL-A``   — Σ_{j<n} 1 / (sμ + jθ) (with abandonment);
* ``ErlangC``— the M/M/s mean wait of a delayed customer, 1 / (sμ − λ) (QL when
  λ ≥ sμ, where the steady-state mean is infinite);
* ``LES``    — the wait of the last customer to enter service;
* ``HOL``    — how long the head of the line has waited (0 when the customer is first);
* ``Last10`` — mean wait of the last 10 customers to enter service.

Bounds: ``naive×1.5`` and ``Gamma-q`` — the p-quantile of the QL-A wait
(a sum of exponentials) approximated by a gamma with the same mean and variance
(an Erlang(n, sμ) quantile exactly when θ = 0).
"""

from __future__ import annotations

from typing import Any

from agentdesk.queueing.backtest import Prediction, QuoteContext
from agentdesk.queueing.erlang import gamma_ppf

__all__ = ["baselines"]


def _stages(ctx: QuoteContext) -> int:
    return max(0, ctx.position - ctx.snapshot.agents_available)


def _mu_theta(ctx: QuoteContext) -> tuple[float, float] | None:
    h = ctx.snapshot.history
    if h.mean_handle_s is None or h.n_handled < 5 or ctx.snapshot.agents <= 0:
        return None
    return 1.0 / h.mean_handle_s, h.abandon_rate_per_s


class _Base:
    name = "base"
    bound_name: str | None = None

    def outcome(self, state: Any, outcome_at: float, served: bool) -> None:
        return None


class Naive(_Base):
    name = "naive"

    def __init__(self, planned_aht: dict[str, float], coverages: tuple[float, ...]):
        self.aht = planned_aht
        self.coverages = coverages

    def quote(self, ctx: QuoteContext) -> Prediction:
        snap = ctx.snapshot
        s = snap.agents + snap.agents_away  # agents on duty, as a planner counts them
        aht = self.aht.get(ctx.record.queue)
        if s <= 0 or aht is None:
            return Prediction(None, {c: None for c in self.coverages})
        e = ctx.position * aht / s
        return Prediction(e, {c: 1.5 * e for c in self.coverages})


class QL(_Base):
    name = "QL"

    def quote(self, ctx: QuoteContext) -> Prediction:
        mt = _mu_theta(ctx)
        if mt is None:
            return Prediction(None)
        mu, _ = mt
        return Prediction(_stages(ctx) / (ctx.snapshot.agents * mu))


def _qla_moments(n: int, s: int, mu: float, theta: float) -> tuple[float, float]:
    m = v = 0.0
    base = s * mu
    for j in range(n):
        r = base + j * theta
        m += 1.0 / r
        v += 1.0 / (r * r)
    return m, v


class QLA(_Base):
    name = "QL-A"

    def quote(self, ctx: QuoteContext) -> Prediction:
        mt = _mu_theta(ctx)
        if mt is None:
            return Prediction(None)
        mu, theta = mt
        m, _ = _qla_moments(_stages(ctx), ctx.snapshot.agents, mu, theta)
        return Prediction(m)


class ErlangCMean(_Base):
    name = "ErlangC"

    def quote(self, ctx: QuoteContext) -> Prediction:
        mt = _mu_theta(ctx)
        if mt is None:
            return Prediction(None)
        mu, _ = mt
        s = ctx.snapshot.agents
        lam = ctx.arrival_rate_per_s
        if _stages(ctx) == 0:
            return Prediction(0.0)
        if lam < s * mu:
            return Prediction(1.0 / (s * mu - lam))
        return Prediction(_stages(ctx) / (s * mu))


class LES(_Base):
    name = "LES"

    def quote(self, ctx: QuoteContext) -> Prediction:
        return Prediction(ctx.les_s)


class HOL(_Base):
    name = "HOL"

    def quote(self, ctx: QuoteContext) -> Prediction:
        return Prediction(ctx.hol_s)


class Last10(_Base):
    name = "Last10"

    def quote(self, ctx: QuoteContext) -> Prediction:
        w = ctx.recent_waits
        return Prediction(sum(w) / len(w) if w else None)


class GammaQuantile(_Base):
    name = "Gamma-q"

    def __init__(self, coverages: tuple[float, ...]):
        self.coverages = coverages

    def quote(self, ctx: QuoteContext) -> Prediction:
        mt = _mu_theta(ctx)
        if mt is None:
            return Prediction(None, {c: None for c in self.coverages})
        mu, theta = mt
        n = _stages(ctx)
        m, v = _qla_moments(n, ctx.snapshot.agents, mu, theta)
        if n == 0 or m <= 0:
            return Prediction(0.0, {c: 0.0 for c in self.coverages})
        shape = m * m / v
        scale = v / m
        return Prediction(m, {c: gamma_ppf(c, shape, scale) for c in self.coverages})


def baselines(planned_aht: dict[str, float], coverages: tuple[float, ...]) -> list[_Base]:
    return [Naive(planned_aht, coverages), QL(), QLA(), ErlangCMean(), LES(), HOL(), Last10(), GammaQuantile(coverages)]


POINT_BASELINES = ("naive", "QL", "QL-A", "ErlangC", "LES", "HOL", "Last10")
BOUND_BASELINES = ("naive", "Gamma-q")  # naive's bounds are naive × 1.5
