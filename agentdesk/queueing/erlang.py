"""Erlang C (M/M/s) and Erlang A (M/M/s+M) formulas.

Used for staffing figures, for the Erlang-C baseline of the benchmark and as a sanity
reference for the wait-quote engine. Rates are per second, times in seconds.

* Erlang C: Poisson arrivals (rate ``lam``), exponential handle times (rate ``mu``),
  ``s`` agents, infinite patience. Stable only when ``lam < s * mu``.
* Erlang A (Palm's model): the same plus exponential patience with rate ``theta``
  (mean patience ``1 / theta``); always stable. Computed from its birth–death
  stationary distribution, truncated once the tail is negligible.

Reference values (tested): 100 calls/h, AHT 180 s, 7 agents → P(wait) 0.3241,
ASA 29.2 s, service level within 20 s 0.740; with mean patience 300 s (Erlang A)
→ P(wait) 0.257, mean wait 12.0 s, 4.0 % abandon.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = [
    "erlang_b",
    "erlang_c",
    "erlang_c_asa",
    "erlang_c_service_level",
    "erlang_c_wait_quantile",
    "ErlangA",
    "erlang_a",
    "agents_for_service_level",
    "gamma_cdf",
    "gamma_ppf",
]


def _check(lam: float, mu: float, s: int) -> None:
    if lam < 0 or mu <= 0:
        raise ValueError("arrival rate must be ≥ 0 and service rate > 0")
    if s < 0 or int(s) != s:
        raise ValueError("the number of agents must be a whole number ≥ 0")


def erlang_b(offered_load: float, s: int) -> float:
    """Blocking probability of M/M/s/s with ``offered_load = lam / mu`` erlangs.

    Uses the stable recursion ``B(n) = a B(n-1) / (n + a B(n-1))``.
    """
    if offered_load < 0 or s < 0:
        raise ValueError("load and agents must be ≥ 0")
    b = 1.0
    for n in range(1, int(s) + 1):
        b = offered_load * b / (n + offered_load * b)
    return b


def erlang_c(lam: float, mu: float, s: int) -> float:
    """Probability that an arriving customer has to wait (M/M/s). 1.0 when unstable."""
    _check(lam, mu, s)
    a = lam / mu
    if s == 0 or a >= s:
        return 1.0
    if a == 0:
        return 0.0
    b = erlang_b(a, s)
    return s * b / (s - a * (1.0 - b))


def erlang_c_asa(lam: float, mu: float, s: int) -> float:
    """Average speed of answer (mean wait over all arrivals), seconds. inf when unstable."""
    c = erlang_c(lam, mu, s)
    if lam / mu >= s:
        return math.inf
    return c / (s * mu - lam)


def erlang_c_service_level(lam: float, mu: float, s: int, t: float) -> float:
    """P(wait ≤ t) in M/M/s. 0.0 when unstable."""
    if s == 0 or lam / mu >= s:
        return 0.0
    c = erlang_c(lam, mu, s)
    return 1.0 - c * math.exp(-(s * mu - lam) * t)


def erlang_c_wait_quantile(lam: float, mu: float, s: int, p: float) -> float:
    """The p-quantile of the wait of all arrivals in M/M/s (0 when P(wait) ≤ 1 − p)."""
    c = erlang_c(lam, mu, s)
    if lam / mu >= s:
        return math.inf
    tail = 1.0 - p
    if c <= tail:
        return 0.0
    return math.log(c / tail) / (s * mu - lam)


@dataclass(frozen=True, slots=True)
class ErlangA:
    """Steady-state figures of M/M/s+M."""

    p_wait: float
    """P(an arrival finds all agents busy)."""
    mean_wait_s: float
    """Mean time in queue over all arrivals (served and abandoning)."""
    p_abandon: float
    """Share of arrivals that abandon."""
    mean_queue: float
    """Mean number waiting."""


def erlang_a(lam: float, mu: float, theta: float, s: int, *, tol: float = 1e-13) -> ErlangA:
    """Erlang A figures for arrival rate ``lam``, handle rate ``mu``, abandonment rate
    ``theta`` (1 / mean patience) and ``s`` agents. ``theta = 0`` falls back to Erlang C.
    """
    _check(lam, mu, s)
    if theta < 0:
        raise ValueError("abandonment rate must be ≥ 0")
    if theta == 0:
        if s == 0 or lam / mu >= s:
            raise ValueError("Erlang A with no abandonment is unstable at this load")
        c = erlang_c(lam, mu, s)
        asa = erlang_c_asa(lam, mu, s)
        return ErlangA(c, asa, 0.0, lam * asa)
    if lam == 0:
        return ErlangA(0.0, 0.0, 0.0, 0.0)
    a = lam / mu
    # Work with terms scaled so that the largest stays near 1 (avoid overflow at big s).
    log_terms = [0.0]
    for n in range(1, s + 1):
        log_terms.append(log_terms[-1] + math.log(a / n))
    peak = max(log_terms)
    idle = [math.exp(x - peak) for x in log_terms]
    z_idle = sum(idle)
    term = idle[-1]
    z_wait = 0.0
    q_sum = 0.0
    j = 0
    while True:
        j += 1
        term *= lam / (s * mu + j * theta)
        z_wait += term
        q_sum += j * term
        if j > 10 and term * (j + 1) < tol * (z_idle + z_wait):
            break
        if j > 10_000_000:  # pragma: no cover - theta > 0 guarantees convergence
            break
    z = z_idle + z_wait
    p_wait = (idle[-1] + z_wait) / z
    mean_q = q_sum / z
    mean_wait = mean_q / lam
    return ErlangA(p_wait=p_wait, mean_wait_s=mean_wait, p_abandon=theta * mean_wait, mean_queue=mean_q)


def agents_for_service_level(
    lam: float, mu: float, target_s: float, goal: float, *, max_agents: int = 100_000
) -> int:
    """Fewest agents (Erlang C) so that P(wait ≤ target_s) ≥ goal."""
    s = max(1, math.floor(lam / mu) + 1)
    while s <= max_agents:
        if erlang_c_service_level(lam, mu, s, target_s) >= goal:
            return s
        s += 1
    raise ValueError("no staffing level up to max_agents reaches the goal")


# -- gamma quantile (pure Python) ------------------------------------------------------


def gamma_cdf(a: float, x: float) -> float:
    """P(X ≤ x) for X ~ Gamma(shape a, scale 1): the regularised lower incomplete gamma
    function (series below a + 1, continued fraction above)."""
    if x <= 0:
        return 0.0
    gln = math.lgamma(a)
    if x < a + 1.0:
        ap = a
        total = delta = 1.0 / a
        for _ in range(10_000):
            ap += 1.0
            delta *= x / ap
            total += delta
            if abs(delta) < abs(total) * 1e-14:
                break
        return total * math.exp(-x + a * math.log(x) - gln)
    b = x + 1.0 - a
    c = 1.0 / 1e-300
    d = 1.0 / b
    h = d
    for i in range(1, 10_000):
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        if abs(d) < 1e-300:
            d = 1e-300
        c = b + an / c
        if abs(c) < 1e-300:
            c = 1e-300
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-14:
            break
    return 1.0 - math.exp(-x + a * math.log(x) - gln) * h


def gamma_ppf(p: float, shape: float, scale: float) -> float:
    """The p-quantile of Gamma(shape, scale), by bisection on the CDF."""
    if shape <= 0 or scale <= 0:
        raise ValueError("shape and scale must be > 0")
    mean = shape * scale
    lo, hi = 0.0, max(mean, scale) * 2.0
    while gamma_cdf(shape, hi / scale) < p:
        hi *= 2.0
    for _ in range(80):
        mid = (lo + hi) / 2.0
        if gamma_cdf(shape, mid / scale) < p:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-6 * max(1.0, hi):
            break
    return (lo + hi) / 2.0
