"""Online, censor-aware, hierarchical conformal calibration of wait quotes.

The engine's queueing model (QL-A, see :mod:`agentdesk.queueing.engine`) gives, for
each waiting customer, a mean ``m`` and a standard deviation ``sd`` of their wait in
seconds. This module learns from what actually happened to recent quotes how to turn
those into an expected wait and a bound that holds as often as promised:

* the **score** of a finished quote is ``(wait − m) / sd`` — the normalised error.
  Under the model its quantiles barely depend on the position (the 90 % point is
  1.30–1.35 for 1 to 30 stages), so outcomes from different positions can be pooled;
  for a customer quoted while an agent was free, ``m = 0`` and ``sd = 1``: the score
  is the wait itself;
* scores are kept per **bucket** — queue × stages still to go (0, 1, 2–4, 5–16, 17+)
  × load (customers waiting per working agent: < 0.5, < 1.5, more) × whether a
  higher-priority customer can still overtake — each a sliding window of the last
  ``window`` outcomes, so calibration follows intraday drift;
* for a promise ``p`` a pool's bound score is the smallest ``q`` with

      (broken(q) + 1) / (counted(q) + 1) ≤ 1 − p − margin

  where ``broken(q)`` counts served customers with score > q plus abandoned ones with
  score > q (they provably waited past the bound), and ``counted(q)`` is the served
  plus the abandoned past ``q``; a customer who gave up before ``q`` is left out
  because their wait is unknown. This is exactly the censor-aware coverage that the
  backtest and ``waits report`` measure; ``+ 1`` is the split-conformal finite-sample
  correction and ``margin`` (0.5 point) absorbs drift between learning and use;
* the point score is the median score of the served customers (the median minimises
  absolute error; waits are skewed, so a mean would not);
* **hierarchical pooling**: a bucket's estimate is its own, shrunk toward the estimate
  of a wider pool (all loads → both priority kinds → neighbouring stage groups → every
  queue) with weight ``n / (n + shrink)``; the widest pool is itself shrunk toward the
  queueing model's own value (an Erlang quantile, weight ``prior_n``). A busy bucket
  stands on its own data, a rare one leans on its neighbours. When no pool has enough
  outcomes for the promise (``pool_factor / (1 − p)``, at least 20), there is no bound;
* **adaptive miss rate** (adaptive conformal inference, Gibbs & Candès 2021): per queue
  and promise, the miss rate the quantiles are taken at moves by
  ``gain × (target − broken)`` after every outcome whose promise can be judged, so a
  run of broken promises tightens the next bounds at once and the share broken tracks
  the target over any stretch of the day, whatever the drift.

State is plain data: :meth:`Calibration.to_dict` / :meth:`Calibration.from_dict` round-
trip through JSON; it can equally be rebuilt at start-up by replaying ``wait_quoted``
events and their outcomes through :meth:`Calibration.observe`.
"""

from __future__ import annotations

import math
from bisect import bisect_left, insort
from collections import deque
from functools import lru_cache
from typing import Any, Iterable, Mapping, Sequence

from agentdesk.queueing.erlang import gamma_ppf

__all__ = ["Calibration", "censored_quantile", "stage_group", "load_group", "GROUP_EDGES", "LOAD_EDGES"]

# Stage groups: 0 (an agent is free), 1, 2-4, 5-16, 17+.
GROUP_EDGES: tuple[int, ...] = (0, 1, 2, 5, 17)
# Load groups by customers waiting per working agent: < 0.5, < 1.5, ≥ 1.5.
LOAD_EDGES: tuple[float, ...] = (0.0, 0.5, 1.5)


def stage_group(stages: int) -> int:
    """Index of the stage group of ``stages`` (0 … len(GROUP_EDGES) − 1)."""
    g = 0
    for i, edge in enumerate(GROUP_EDGES):
        if stages >= edge:
            g = i
    return g


def load_group(waiting_per_agent: float) -> int:
    g = 0
    for i, edge in enumerate(LOAD_EDGES):
        if waiting_per_agent >= edge:
            g = i
    return g


# A representative number of stages per group, for the model's own quantiles.
GROUP_STAGES: tuple[int, ...] = (0, 1, 3, 9, 30)


@lru_cache(maxsize=512)
def model_score(p: float, group: int) -> float | None:
    """The p-quantile of the normalised score (W − m) / sd when the model is exactly
    right: W ~ Erlang(n) with n the group's representative number of stages.
    None for the "agent free" group (calibrated in seconds, no model)."""
    if group <= 0 or group >= len(GROUP_STAGES):
        return None
    n = GROUP_STAGES[group]
    return (gamma_ppf(p, float(n), 1.0) - n) / math.sqrt(n)


def censored_quantile(
    served: Sequence[float], abandoned: Sequence[float], miss: float, *, plus_one: bool = True
) -> float | None:
    """Smallest q with (broken + 1)/(counted + 1) ≤ miss (``plus_one``) where broken =
    #served > q + #abandoned > q, counted = #served + #abandoned > q.

    ``served`` and ``abandoned`` must be sorted ascending. Returns None when no q
    qualifies (too few outcomes for this promise).
    """
    n_s = len(served)
    if n_s == 0:
        return None
    add = 1 if plus_one else 0
    # Walk candidate values from the top. At candidate v, "broken" counts values > v.
    i = n_s - 1
    j = len(abandoned) - 1
    b_s = 0
    b_a = 0
    best: float | None = None
    while i >= 0 or j >= 0:
        v = max(served[i] if i >= 0 else -math.inf, abandoned[j] if j >= 0 else -math.inf)
        # counts strictly above v are the current b_s, b_a
        if (b_s + b_a + add) <= miss * (n_s + b_a + add):
            best = v
        else:
            break
        while i >= 0 and served[i] == v:
            i -= 1
            b_s += 1
        while j >= 0 and abandoned[j] == v:
            j -= 1
            b_a += 1
    return best


def to_score(waited: float, scale: float, spread: float) -> float:
    """The normalised error of a wait against the model's mean and spread."""
    if scale <= 0 or spread <= 0:
        return waited
    return (waited - scale) / spread


def from_score(k: float, scale: float, spread: float) -> float:
    """The wait (seconds, ≥ 0) at normalised score ``k``."""
    if scale <= 0 or spread <= 0:
        return max(0.0, k)
    return max(0.0, scale + k * spread)


class _Bucket:
    __slots__ = ("items", "served", "abandoned", "version")

    def __init__(self, window: int):
        self.items: deque[tuple[float, bool]] = deque(maxlen=window)
        self.served: list[float] = []
        self.abandoned: list[float] = []
        self.version = 0

    def add(self, score: float, served: bool) -> None:
        items = self.items
        if len(items) == items.maxlen:
            old, old_served = items[0]
            lst = self.served if old_served else self.abandoned
            k = bisect_left(lst, old)  # drop the oldest outcome from the sorted list
            if k < len(lst) and lst[k] == old:
                lst.pop(k)
        items.append((score, served))
        insort(self.served if served else self.abandoned, score)
        self.version += 1


def _merge(lists: Iterable[list[float]]) -> list[float]:
    out: list[float] = []
    for lst in lists:
        out.extend(lst)
    out.sort()
    return out


class Calibration:
    """Learns, from observed outcomes, the scores that turn the model's mean and spread
    into an expected wait and a bound. See the module docstring.

    ``window``: outcomes kept per bucket. ``margin``: extra coverage aimed for above the
    promise. ``min_served``: served outcomes a pool needs before its median is used.
    ``use_load``: split buckets by load. ``pool_factor``: a pool needs
    ``pool_factor / (1 − p − margin)`` outcomes (at least 20) to set a bound on its own.
    ``shrink``: pseudo-count pulling a bucket toward its wider pool. ``prior_n``:
    pseudo-count of the queueing model's own value. ``point_load``: split the expected
    wait by load too. ``gain``: step of the adaptive miss rate (0 turns it off).

    One instance serves every queue of a console (buckets are per queue). Not
    thread-safe: feed and read it from one thread (or guard it with a lock).
    """

    def __init__(self, *, window: int = 300, margin: float = 0.005, min_served: int = 10,
                 use_load: bool = True, pool_factor: float = 2.0, shrink: float = 600.0,
                 prior_n: float = 100.0, point_load: bool = True, gain: float = 0.002) -> None:
        self.gain = float(gain)
        self._miss: dict[tuple[str, float], float] = {}
        self.point_load = bool(point_load)
        self.shrink = float(shrink)
        self.prior_n = float(prior_n)
        self.use_load = bool(use_load)
        self.pool_factor = float(pool_factor)
        self.window = int(window)
        self.margin = float(margin)
        self.min_served = int(min_served)
        self._buckets: dict[tuple[str, int, int, int], _Bucket] = {}
        self._version = 0
        self._cache: dict[tuple, tuple] = {}
        self._cache_version = -1
        self._merged: dict[tuple, tuple] = {}
        self.observed = 0

    # -- learning ----------------------------------------------------------------------
    def key_of(self, inputs: Mapping[str, Any]) -> tuple[str, int, int, int]:
        return (
            str(inputs.get("queue", "")),
            int(inputs["stage_group"]),
            int(inputs.get("load_group", 0)) if self.use_load else 0,
            int(bool(inputs.get("overtakable", False))),
        )

    def observe(self, inputs: Mapping[str, Any], outcome_at: float, served: bool) -> float | None:
        """Feed the outcome of a quote: ``inputs`` is the quote's ``inputs`` dict (as
        recorded in its ``wait_quoted`` event), ``outcome_at`` when the customer was
        answered (``served``) or gave up. Returns the score stored (None if the inputs
        carry no number, e.g. a quote given with no agent on duty)."""
        scale = inputs.get("scale_s")
        spread = inputs.get("spread_s")
        if scale is None or spread is None or inputs.get("stage_group") is None:
            return None
        waited = max(0.0, float(outcome_at) - float(inputs["at"]))
        score = to_score(waited, scale, spread)
        key = self.key_of(inputs)
        b = self._buckets.get(key)
        if b is None:
            b = self._buckets[key] = _Bucket(self.window)
        b.add(score, bool(served))
        self._track(inputs, waited, bool(served))
        self._version += 1
        self.observed += 1
        return score

    def _track(self, inputs: Mapping[str, Any], waited: float, served: bool) -> None:
        """Adaptive conformal step (Gibbs & Candès 2021): after each outcome whose
        promise can be judged, move the queue's working miss rate by
        ``gain × (target − broken)``, so recent misses tighten the next bounds and a run
        of kept promises loosens them; over any stretch the share broken tracks the
        target even while the day drifts."""
        if not self.gain:
            return
        bounds = inputs.get("bounds_by_coverage")
        if bounds is None:
            cov, bnd = inputs.get("coverage"), inputs.get("bound_s")
            bounds = {cov: bnd} if cov is not None else {}
        queue = str(inputs.get("queue", ""))
        for cov, bnd in bounds.items():
            if bnd is None:
                continue
            broken = waited > bnd
            if not served and not broken:
                continue  # gave up before the bound: the promise cannot be judged
            cov = float(cov)
            target = max(1e-6, 1.0 - cov - self.margin)
            key = (queue, round(cov, 6))
            a = self._miss.get(key, target) + self.gain * (target - float(broken))
            self._miss[key] = min(max(a, target / 3.0), min(0.5, 3.0 * target))

    def working_miss(self, queue: str, coverage: float) -> float:
        """The miss rate bounds are currently calibrated for (1 − promise − margin,
        adjusted by recent outcomes)."""
        target = max(1e-6, 1.0 - coverage - self.margin)
        return self._miss.get((queue, round(coverage, 6)), target)

    # -- reading -----------------------------------------------------------------------
    def _chain(self, queue: str, group: int, load: int, ovt: int) -> list[tuple[str, list[tuple]]]:
        """Pools from the most specific to the most general."""
        keys = list(self._buckets)
        near = {g for g in (group - 1, group, group + 1) if g >= 1} if group else {0}
        chain: list[tuple[str, list[tuple]]] = []
        if self.use_load:
            chain.append(("stage+load+priority", [k for k in keys if k == (queue, group, load, ovt)]))
        chain.append(("stage+priority", [k for k in keys if k[0] == queue and k[1] == group and k[3] == ovt]))
        chain.append(("stage", [k for k in keys if k[0] == queue and k[1] == group]))
        chain.append(("near stages", [k for k in keys if k[0] == queue and k[1] in near]))
        chain.append(("all queues", [k for k in keys if k[1] in near]))
        return chain

    def multipliers(
        self, queue: str, group: int, load: int, ovt: bool, coverage: float
    ) -> tuple[float | None, float | None, int, str]:
        """``(point score, bound score, outcomes behind the bound, pool name)`` for a
        bucket; either score is None when there are too few outcomes.

        Each pool's estimate is shrunk toward the next more general one:
        ``q = (n q_pool + n0 q_general) / (n + n0)`` (hierarchical pooling), so a
        bucket with little data leans on its neighbours and a well-fed one stands on
        its own data."""
        if self._cache_version != self._version:
            self._cache.clear()
            self._cache_version = self._version
        if not self.use_load:
            load = 0
        ck = (queue, group, load, int(ovt), coverage)
        hit = self._cache.get(ck)
        if hit is not None:
            return hit
        target = max(1e-6, 1.0 - coverage - self.margin)
        need = max(20, math.ceil(self.pool_factor / target))
        miss = self.working_miss(queue, coverage)
        stats = []
        for pname, keys in self._chain(queue, group, load, int(ovt)):
            if not keys:
                stats.append((pname, 0, None, 0, None))
                continue
            served, abandoned = self._pool(keys)
            n = len(served) + len(abandoned)
            q = censored_quantile(served, abandoned, miss) if n >= 20 else None
            med = _median(served) if len(served) >= self.min_served else None
            stats.append((pname, n, q, len(served), med))
        bound = self._shrink([(n, q) for _, n, q, _, _ in stats], need, model_score(1.0 - miss, group))
        pstats = stats[1:] if (self.use_load and not self.point_load) else stats
        point = self._shrink([(ns, med) for _, _, _, ns, med in pstats], self.min_served, model_score(0.5, group))
        used, name = 0, "none"
        if bound is not None:
            for pname, n, q, _, _ in stats:
                if q is not None:
                    used, name = n, pname
                    break
        if point is not None and bound is not None and bound < point:
            bound = point
        if point is None and bound is not None:
            point = 0.0
        out = (point, bound, used, name)
        self._cache[ck] = out
        return out

    def _pool(self, keys: list[tuple]) -> tuple[list[float], list[float]]:
        """The sorted served and abandoned scores of a pool of buckets (cached until
        one of its buckets changes)."""
        tkey = tuple(keys)
        versions = tuple(self._buckets[k].version for k in keys)
        hit = self._merged.get(tkey)
        if hit is not None and hit[0] == versions:
            return hit[1], hit[2]
        served = _merge(self._buckets[k].served for k in keys)
        abandoned = _merge(self._buckets[k].abandoned for k in keys)
        self._merged[tkey] = (versions, served, abandoned)
        return served, abandoned

    def _shrink(self, chain: list[tuple[int, float | None]], need: int, prior: float | None) -> float | None:
        """Start from the most general pool with ``need`` outcomes or more (blended
        with the queueing model's own value, weight ``prior_n``), then blend each more
        specific estimate in with weight n / (n + shrink)."""
        start = None
        for i, (n, q) in enumerate(chain):
            if q is not None and n >= need:
                start = i  # keep going: the most general pool with enough data
        if start is None:
            return None
        n0, est = chain[start]
        assert est is not None
        if prior is not None and self.prior_n > 0:
            est = (n0 * est + self.prior_n * prior) / (n0 + self.prior_n)
        for n, q in reversed(chain[:start]):
            if q is not None:
                est = (n * q + self.shrink * est) / (n + self.shrink)
        return est

    # -- persistence -------------------------------------------------------------------
    def settings(self) -> dict[str, Any]:
        return {
            "window": self.window,
            "margin": self.margin,
            "min_served": self.min_served,
            "use_load": self.use_load,
            "pool_factor": self.pool_factor,
            "shrink": self.shrink,
            "prior_n": self.prior_n,
            "point_load": self.point_load,
            "gain": self.gain,
        }

    def to_dict(self) -> dict[str, Any]:
        """The whole state as JSON-ready plain data (settings and every window)."""
        return {
            "version": 1,
            "settings": self.settings(),
            "observed": self.observed,
            "working_miss": [[q, c, a] for (q, c), a in self._miss.items()],
            "buckets": [
                {"queue": k[0], "stage_group": k[1], "load_group": k[2], "overtakable": k[3],
                 "outcomes": [[s, int(sv)] for s, sv in b.items]}
                for k, b in self._buckets.items()
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Calibration":
        """Rebuild from :meth:`to_dict` output. Raises ValueError on malformed data."""
        try:
            if int(data.get("version", 1)) != 1:
                raise ValueError(f"unsupported calibration state version {data.get('version')!r}")
            cal = cls(**dict(data.get("settings", {})))
            for b in data.get("buckets", ()):
                key = (str(b["queue"]), int(b["stage_group"]), int(b.get("load_group", 0)),
                       int(b.get("overtakable", 0)))
                bucket = cal._buckets[key] = _Bucket(cal.window)
                for score, sv in b.get("outcomes", ()):
                    bucket.add(float(score), bool(sv))
            cal.observed = int(data.get("observed", len(cal)))
            for q, c, a in data.get("working_miss", ()):
                cal._miss[(str(q), round(float(c), 6))] = float(a)
        except (KeyError, TypeError) as exc:
            raise ValueError(f"malformed calibration state: {exc}") from None
        cal._version += 1
        return cal

    def __len__(self) -> int:
        return sum(len(b.items) for b in self._buckets.values())


def _median(sorted_values: Sequence[float]) -> float:
    n = len(sorted_values)
    mid = n // 2
    if n % 2:
        return sorted_values[mid]
    return (sorted_values[mid - 1] + sorted_values[mid]) / 2


def _min_pool(miss: float) -> int:
    return max(20, math.ceil(2.0 / miss))
