"""Wait quotes: expected wait, a calibrated "at most" bound and the reason, per customer.

Method (see docs/wait-quotes.md for the long version and the benchmark)
-----------------------------------------------------------------------

1. **Scale from a queueing model (QL-A).** With ``k`` customers ahead, ``s`` agents
   working the queue (available + busy), ``f`` of them free, handle rate ``μ``
   (1 / recent mean handle time) and abandonment rate ``θ`` (abandonments ÷ time spent
   waiting, recent history), the customer needs ``n = k + 1 − f`` departures before an
   agent is theirs; with ``j`` customers still ahead the next departure comes at rate
   ``sμ + jθ``. The wait is a sum of exponentials, with mean

       m(n) = Σ_{j=0}^{n−1} 1 / (sμ + jθ).

   QL-A is the standard predictor with the lowest error on real call-centre data
   (Whitt 1999; Ibrahim & Whitt 2009). It reacts at once to what the snapshot shows —
   the position, agents coming and going — which history-based predictors (LES, HOL,
   mean of recent waits) only see after the fact.

2. **Calibration instead of model quantiles.** The model's own quantiles under-cover on
   real data (87–89 % at a 90 % promise): handle times are not exponential, agents
   pause, priorities overtake, staffing drifts. So the model gives the mean ``m`` and
   the standard deviation ``sd`` of the wait, and
   :class:`~agentdesk.queueing.calibration.Calibration` learns from recent outcomes the
   normalised error ``(W − m) / sd``: the bound is ``m + q_p · sd`` with ``q_p`` a
   censor-aware conformal quantile of those errors, the expected wait ``m + q_½ · sd``
   with ``q_½`` their median over answered customers (the median minimises absolute
   error; waits are skewed). Plain conformal calibration over all recent waits
   under-covers under intraday drift (~88 % in a 50–75-agent simulation), because the
   model's error is not the same for the first in line and the fortieth, in a quiet
   hour and at the peak, for a priority customer and one who can be overtaken. So the
   errors are kept per bucket — stages to go × load (waiting per agent) × whether a
   higher-priority customer can still overtake — in sliding windows, each bucket shrunk
   toward wider pools in proportion to how little data it has (hierarchical pooling),
   and the widest pool toward the queueing model's own quantile. On top, the miss rate
   the quantiles are taken at adapts per queue after every judged promise (adaptive
   conformal inference): broken promises tighten the next bounds at once, so coverage
   holds through drift the buckets have not caught up with yet.

3. **Honesty.** No agent working the queue, no handle-time history, or too few outcomes
   to calibrate: the quote carries no number and says why (``status`` and ``reason``).

Speed: per-stage terms ``m(n)`` and ``sd(n)`` are cumulative sums built once per
snapshot with C-level iteration (``itertools.accumulate``/``map``); each conversation's
numbers are then ``m + q · sd`` with its bucket's ``q``, so quoting 100,000 waiting
customers is a handful of list passes. :class:`Quote` objects (reason, inputs) are
built on access (``quotes[conversation_id]``).
"""

from __future__ import annotations

import math
from array import array
from dataclasses import dataclass, field
from itertools import accumulate, repeat
from bisect import bisect_left
from operator import add, ge, mul, neg
from typing import Any, Hashable, Iterable, Iterator, Mapping, Sequence

from agentdesk.queueing.calibration import GROUP_EDGES, Calibration, load_group, stage_group
from agentdesk.queueing.history import HistorySummary, QueueHistory, summarize
from agentdesk.queueing.text import ordinal, plural

__all__ = [
    "AVAILABLE",
    "BUSY",
    "AWAY",
    "OK",
    "NO_AGENTS",
    "NO_HISTORY",
    "UNCALIBRATED",
    "Waiting",
    "Snapshot",
    "Quote",
    "QueueQuotes",
    "make_snapshot",
    "quote_queue",
    "quote_position",
    "arrival_quote",
    "arrival_position",
    "ql_a_mean",
    "MIN_HANDLES",
    "METHOD",
]

AVAILABLE = "available"
BUSY = "busy"
AWAY = "away"

MIN_HANDLES = 5
"""Finished contacts needed before handle time is estimated from history."""
METHOD = "qla-bucketed-conformal-1"


@dataclass(frozen=True, slots=True)
class Waiting:
    """A waiting conversation: its id, when it joined the queue, its priority."""

    id: Hashable
    enqueued_at: float
    priority: int = 0


@dataclass(frozen=True)
class Snapshot:
    """One queue at one moment. ``ids``/``enqueued``/``priorities`` are parallel, in
    queue order (first in line first). Build with :func:`make_snapshot`."""

    queue: str
    now: float
    ids: tuple[Hashable, ...]
    enqueued: tuple[float, ...]
    priorities: tuple[int, ...]
    agents_available: int
    agents_busy: int
    agents_away: int
    history: HistorySummary
    noun: str = "chat"
    """What one contact on this queue is called (``chat``, ``call``, ``email``)."""
    label: str | None = None
    """How the queue is named in reasons (default: the queue name)."""
    head_start_s: float | None = None
    """None: strict priority. A number: each priority level is that many seconds of
    head start (the queue is ordered by enqueued_at − head_start × priority)."""
    priorities_sorted: bool | None = None
    """Whether ``priorities`` never increase along the queue (checked once when the
    snapshot is built; None: unknown, checked when quoting)."""

    @property
    def agents(self) -> int:
        return self.agents_available + self.agents_busy

    def __len__(self) -> int:
        return len(self.ids)


def _coerce_waiting(items: Iterable[Any]) -> list[Waiting]:
    out: list[Waiting] = []
    for it in items:
        if isinstance(it, Waiting):
            out.append(it)
        elif isinstance(it, Mapping):
            out.append(Waiting(it["id"], float(it["enqueued_at"]), int(it.get("priority", 0) or 0)))
        elif hasattr(it, "enqueued_at") and hasattr(it, "id"):
            out.append(Waiting(it.id, float(it.enqueued_at), int(getattr(it, "priority", 0) or 0)))
        else:
            cid, enq, *rest = it
            out.append(Waiting(cid, float(enq), int(rest[0]) if rest else 0))
    return out


@dataclass(frozen=True)
class WaitingColumns:
    """Waiting customers already in queue order as three parallel sequences — ids,
    enqueue times (seconds), priorities — for :func:`make_snapshot` with
    ``ordered=True``: no object per customer, which at 100,000 waiting is 10 MB of
    short-lived objects per quote run (the console's wait board passes these)."""

    ids: Sequence[Hashable]
    enqueued: Sequence[float]
    priorities: Sequence[int]


def make_snapshot(
    queue: str,
    now: float,
    waiting: Iterable[Any] = (),
    agents: Iterable[Any] | Mapping[str, int] = (),
    history: HistorySummary | QueueHistory | Mapping[str, Any] | None = None,
    *,
    noun: str = "chat",
    label: str | None = None,
    ordered: bool = False,
    head_start_s: float | None = None,
) -> Snapshot:
    """Build a :class:`Snapshot` from plain values.

    * ``waiting``: :class:`Waiting`, ``(id, enqueued_at[, priority])`` tuples, dicts with
      those keys, or objects with those attributes (e.g. ``domain.WaitingRow``). Sorted
      into queue order (higher priority first, then longest waiting, then id) unless
      ``ordered=True`` says they already are. Or :class:`WaitingColumns` (in order).
    * ``agents``: ``(id, state)`` pairs or objects with a ``status``/``state`` attribute,
      state ``available``/``busy``/``away`` (``offline`` is ignored); or a mapping of
      counts ``{"available": 1, "busy": 3, "away": 0}``.
    * ``history``: a :class:`QueueHistory` (summarised at ``now``), a
      :class:`HistorySummary`, or a dict of lists ``handle_times``, ``served_waits``,
      ``abandoned_waits`` (seconds), ``priorities``.
    """
    if isinstance(waiting, WaitingColumns):
        if not ordered:
            raise ValueError("WaitingColumns are in queue order: pass ordered=True")
        ids, enqueued, priorities = tuple(waiting.ids), tuple(waiting.enqueued), tuple(waiting.priorities)
        if not len(ids) == len(enqueued) == len(priorities):
            raise ValueError("WaitingColumns: ids, enqueued and priorities differ in length")
    else:
        items = _coerce_waiting(waiting)
        if not ordered:
            if head_start_s is None:
                items.sort(key=lambda w: (-w.priority, w.enqueued_at, str(w.id)))
            else:
                items.sort(key=lambda w: (w.enqueued_at - head_start_s * w.priority, str(w.id)))
        ids = tuple(w.id for w in items)
        enqueued = tuple(w.enqueued_at for w in items)
        priorities = tuple(w.priority for w in items)
    avail = busy = away = 0
    if isinstance(agents, Mapping):
        avail = int(agents.get(AVAILABLE, 0))
        busy = int(agents.get(BUSY, 0))
        away = int(agents.get(AWAY, 0))
    else:
        for a in agents:
            if isinstance(a, tuple):
                state = a[1]
            else:
                state = getattr(a, "state", None) or getattr(a, "status", None)
            state = str(state)
            if state == AVAILABLE:
                avail += 1
            elif state == BUSY:
                busy += 1
            elif state == AWAY:
                away += 1
            elif state != "offline":
                raise ValueError(f"unknown agent state {state!r} (available, busy, away or offline)")
    if history is None:
        summary = HistorySummary()
    elif isinstance(history, HistorySummary):
        summary = history
    elif isinstance(history, QueueHistory):
        summary = history.summary(now)
    else:
        summary = summarize(
            history.get("handle_times", ()),
            history.get("served_waits", ()),
            history.get("abandoned_waits", ()),
            history.get("priorities", ()),
        )
    return Snapshot(
        queue=queue,
        now=float(now),
        ids=ids,
        enqueued=enqueued,
        priorities=priorities,
        priorities_sorted=all(map(ge, priorities, priorities[1:])),
        agents_available=avail,
        agents_busy=busy,
        agents_away=away,
        history=summary,
        noun=noun,
        label=label,
        head_start_s=head_start_s,
    )


# Quote statuses
OK = "ok"
NO_AGENTS = "no_agents"
NO_HISTORY = "no_history"
UNCALIBRATED = "uncalibrated"


@dataclass(frozen=True, slots=True)
class Quote:
    """One customer's quote. ``bound_s`` is None when no honest bound can be given;
    ``expected_s`` is None when no estimate at all can be given. ``inputs`` is what to
    record in a ``wait_quoted`` event and feed back to :meth:`Calibration.observe`."""

    conversation_id: Hashable | None
    queue: str
    position: int
    expected_s: float | None
    bound_s: float | None
    coverage: float
    status: str
    reason: str
    inputs: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.bound_s is not None

    @property
    def at(self) -> float:
        return float(self.inputs.get("at", 0.0))

    @property
    def bound_minutes(self) -> int | None:
        """The bound rounded up to a whole minute (at least 1), as told to customers."""
        if self.bound_s is None:
            return None
        return max(1, math.ceil(self.bound_s / 60.0 - 1e-9))


def ql_a_mean(stages: int, s: int, mu: float, theta: float) -> float:
    """QL-A mean wait for ``stages`` departures: Σ_{j<stages} 1 / (sμ + jθ)."""
    if stages <= 0:
        return 0.0
    base = s * mu
    if theta <= 0:
        return stages / base
    return math.fsum(1.0 / (base + j * theta) for j in range(stages))


class _Model:
    """Everything that does not depend on the individual customer."""

    __slots__ = ("snap", "coverage", "cal", "status", "why", "s", "free", "mu", "theta",
                 "mean_handle", "top", "label", "_terms", "load")

    def __init__(self, snap: Snapshot, coverage: float, cal: Calibration | None):
        if not 0.5 <= coverage < 1.0:
            raise ValueError("coverage must be between 0.5 and 1 (e.g. 0.9)")
        self.snap = snap
        self.coverage = coverage
        self.cal = cal
        h = snap.history
        self.s = snap.agents
        self.free = snap.agents_available
        self.label = snap.label or snap.queue
        self.mean_handle = h.mean_handle_s
        self.theta = max(0.0, h.abandon_rate_per_s or 0.0)
        self.top = h.top_priority
        if snap.priorities:
            pmax = max(snap.priorities)
            self.top = pmax if self.top is None else max(self.top, pmax)
        self.load = load_group(len(snap.ids) / self.s) if self.s else 0
        self._terms: dict[float, tuple[int, list[float], list[float]]] = {}
        if self.s <= 0:
            self.status = NO_AGENTS
            away = snap.agents_away
            self.why = (
                f"no agent is working on {self.label} right now"
                + (f" ({away} away)" if away else "")
            )
            self.mu = 0.0
        elif self.mean_handle is None or h.n_handled < MIN_HANDLES or self.mean_handle <= 0:
            self.status = NO_HISTORY
            self.why = (
                f"not enough finished {snap.noun}s yet to estimate how long they take "
                f"({h.n_handled} of {MIN_HANDLES} needed)"
            )
            self.mu = 0.0
        else:
            self.status = OK
            self.why = ""
            self.mu = 1.0 / self.mean_handle

    def terms(self, n: int) -> tuple[list[float], list[float]]:
        """``(m, sd)`` for 0..n stages: the QL-A mean and standard deviation of the wait.
        (Overtaking by later higher-priority arrivals is left to calibration: modelling
        it as a slower drain made quotes worse on every benchmark log.)"""
        base = self.s * self.mu
        have = self._terms.get(base)
        if have is None or n > have[0]:
            th = self.theta
            size = max(n, 1)
            if th > 0:
                inv = list(map((1.0).__truediv__, accumulate(repeat(th, size - 1), initial=base)))
            else:
                inv = [1.0 / base] * size
            # C doubles, as in Seconds: these columns live as long as the quotes do
            ms = array("d", accumulate(inv, initial=0.0))
            sds = array("d", map(math.sqrt, accumulate(map(mul, inv, inv), initial=0.0)))
            have = self._terms[base] = (size, ms, sds)
        return have[1], have[2]

    def stages(self, position: int) -> int:
        return max(0, position - self.free)

    def multipliers(self, group: int, ovt: bool) -> tuple[float | None, float | None, int, str]:
        if self.cal is None:
            return None, None, 0, "none"
        return self.cal.multipliers(self.snap.queue, group, self.load, ovt, self.coverage)


def _duration_words(seconds: float) -> str:
    if seconds < 60:
        return "under a minute"
    minutes = seconds / 60.0
    if minutes < 90:
        m = max(1, round(minutes))
        return f"about {m} min"
    hours = minutes / 60.0
    return f"about {hours:.1f} h".replace(".0 h", " h")


def _reason(model: _Model, position: int, stages: int, ovt: bool, status: str, extra: str = "") -> str:
    snap = model.snap
    parts = [f"{ordinal(position)} in line"]
    if model.s > 0:
        parts.append(f"{plural(model.s, 'agent')} on {model.label}")
        if model.free and stages == 0:
            parts.append("an agent is free" if model.free == 1 else f"{model.free} agents are free")
    if model.mean_handle is not None and status != NO_AGENTS and snap.history.n_handled >= MIN_HANDLES:
        parts.append(f"{snap.noun}s take {_duration_words(model.mean_handle)}")
    if status == OK and model.theta > 0 and stages > 1:
        parts.append("some customers ahead may leave")
    if ovt:
        parts.append("priority customers may go first")
    if status == NO_AGENTS:
        parts.append(f"no estimate: {model.why}")
    elif status == NO_HISTORY:
        parts.append(f"no estimate: {model.why}")
    elif status == UNCALIBRATED:
        parts.append("no bound yet: too few recent outcomes to promise one")
    if extra:
        parts.append(extra)
    return " · ".join(parts)


def _quote_one(
    model: _Model,
    cid: Hashable | None,
    position: int,
    priority: int,
    ovt: bool,
    expected: float | None = None,
    bound: float | None = None,
) -> Quote:
    """Build the :class:`Quote` (reason and inputs) for one position whose numbers were
    computed by :func:`_numbers` (``expected``/``bound``)."""
    snap = model.snap
    stages = model.stages(position)
    inputs: dict[str, Any] = {
        "method": METHOD,
        "queue": snap.queue,
        "at": snap.now,
        "position": position,
        "ahead": position - 1,
        "priority": priority,
        "overtakable": ovt,
        "agents": model.s,
        "agents_available": model.free,
        "agents_busy": snap.agents_busy,
        "agents_away": snap.agents_away,
        "waiting": len(snap.ids),
        "mean_handle_s": model.mean_handle,
        "handles_seen": snap.history.n_handled,
        "abandon_rate_per_h": model.theta * 3600.0,
        "coverage": model.coverage,
        "noun": snap.noun,
    }
    if model.status != OK:
        inputs["status"] = model.status
        return Quote(cid, snap.queue, position, None, None, model.coverage, model.status,
                     _reason(model, position, stages, ovt, model.status), inputs)
    ms, sds = model.terms(stages)
    if stages > 0:
        scale, spread = ms[stages], sds[stages]
    else:
        scale, spread = 0.0, 1.0  # an agent is free: calibrated directly in seconds
    group = stage_group(stages)
    pm, bm, used, pool = model.multipliers(group, ovt)
    inputs.update(
        stages=stages,
        stage_group=group,
        load_group=model.load,
        scale_s=scale,
        spread_s=spread,
        calibration_pool=pool,
        calibration_n=used,
        point_score=pm,
        bound_score=bm,
    )
    status = OK if bound is not None else UNCALIBRATED
    inputs["status"] = status
    inputs["expected_s"] = expected
    inputs["bound_s"] = bound
    return Quote(cid, snap.queue, position, expected, bound, model.coverage, status,
                 _reason(model, position, stages, ovt, status), inputs)


def _is_overtakable(model: _Model, priority: int) -> bool:
    return model.top is not None and priority < model.top


class Seconds(Sequence):
    """A column of seconds, one per customer in line (None where there is no number),
    stored as C doubles: 8 bytes a customer instead of a pointer and a 24-byte float
    object. With 100,000 waiting, a queue's expected waits and bounds were 6 MB of
    Python floats per quote run, and the console holds two runs while the new one is
    applied. Reads give floats (or None) as a list would; slices give lists."""

    __slots__ = ("_a",)

    def __init__(self, values: Iterable[float | None]) -> None:
        try:
            self._a = array("d", values)
        except TypeError:  # some None: stored as NaN (no number the engine makes is NaN)
            self._a = array("d", (math.nan if v is None else v for v in values))

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [None if v != v else v for v in self._a[i]]
        v = self._a[i]
        return None if v != v else v

    def __len__(self) -> int:
        return len(self._a)

    def __iter__(self) -> Iterator[float | None]:
        return (None if v != v else v for v in self._a)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (Seconds, list, tuple)):
            return list(self) == list(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"Seconds({list(self)!r})"


class QueueQuotes(Mapping):
    """Quotes for every waiting conversation of one snapshot, keyed by conversation id.

    Numbers are computed for everyone up front (``expected``/``bounds`` lists, in queue
    order); :class:`Quote` objects with their reason and inputs are built on access.
    ``arrival`` is the quote for a customer joining now.
    """

    def __init__(self, model: _Model, expected: list[float | None], bounds: list[float | None],
                 arrival_priority: int):
        self._model = model
        self.snapshot = model.snap
        self.coverage = model.coverage
        self.status = model.status
        self.expected = Seconds(expected)
        self.bounds = Seconds(bounds)
        self._index: dict[Hashable, int] | None = None
        self._arrival_priority = arrival_priority
        self._arrival: Quote | None = None

    def _idx(self) -> dict[Hashable, int]:
        if self._index is None:
            self._index = dict(zip(self.snapshot.ids, range(len(self.snapshot.ids))))
        return self._index

    def __getitem__(self, cid: Hashable) -> Quote:
        i = self._idx()[cid]
        return self.at_index(i)

    def bound_of(self, cid: Hashable) -> float | None:
        """One conversation's bound, without building its :class:`Quote` (KeyError if absent)."""
        return self.bounds[self._idx()[cid]]

    def at_index(self, i: int) -> Quote:
        """The quote of the (i + 1)-th customer in line."""
        snap = self.snapshot
        pr = snap.priorities[i]
        return _quote_one(self._model, snap.ids[i], i + 1, pr, _is_overtakable(self._model, pr),
                          self.expected[i], self.bounds[i])

    def __iter__(self) -> Iterator[Hashable]:
        return iter(self.snapshot.ids)

    def __len__(self) -> int:
        return len(self.snapshot.ids)

    @property
    def arrival(self) -> Quote:
        """The quote for a customer who joins the queue now (default priority)."""
        if self._arrival is None:
            self._arrival = arrival_quote(self._model.snap, coverage=self.coverage,
                                          calibration=self._model.cal, priority=self._arrival_priority,
                                          _model=self._model)
        return self._arrival

    @property
    def longest_wait_s(self) -> float | None:
        snap = self.snapshot
        if not snap.enqueued:
            return None
        return max(0.0, snap.now - min(snap.enqueued))


def _runs(pri: Sequence[int], lo: int, hi: int, sorted_desc: bool) -> Iterator[tuple[int, int, int]]:
    """Runs ``(start, end, priority)`` of equal priority within ``pri[lo:hi]``."""
    i = lo
    while i < hi:
        p = pri[i]
        if sorted_desc:
            j = min(hi, bisect_left(pri, -p + 1, lo=i, hi=hi, key=neg))
        else:
            j = i + 1
            while j < hi and pri[j] == p:
                j += 1
        yield i, j, p
        i = j


def _numbers(model: _Model, pri: Sequence[int], n: int) -> tuple[list[float], list[float | None]]:
    """Expected waits and bounds for positions 1..n of a queue whose customers have
    priorities ``pri`` (queue order). Both are made non-decreasing along the queue
    (nobody further back is told to expect less than someone ahead)."""
    free = model.free
    head = min(free, n)
    top = model.top
    snap = model.snap
    if pri is snap.priorities and snap.priorities_sorted is not None:
        sorted_desc = snap.priorities_sorted
    else:
        sorted_desc = all(map(ge, pri[:n], pri[1:n]))
    uniform = not n or (pri[0] == pri[n - 1] and sorted_desc)
    edges = list(GROUP_EDGES) + [math.inf]
    expected: list[float] = []
    bounds: list[float | None] = []
    run_e = 0.0
    run_b = 0.0
    for g in range(len(GROUP_EDGES)):
        # positions (0-based i) with i + 1 - free stages in [edges[g], edges[g + 1])
        if g == 0:
            lo, hi = 0, head
        else:
            lo = max(0, int(edges[g]) + free - 1)
            hi = n if math.isinf(edges[g + 1]) else min(n, int(edges[g + 1]) + free - 1)
        if hi <= lo:
            continue
        runs = [(lo, hi, pri[lo])] if uniform else _runs(pri, lo, hi, sorted_desc)
        for r_lo, r_hi, p in runs:
            ovt = top is not None and p < top
            pm, bm, _, _ = model.multipliers(g, ovt)
            # k ≥ −1 keeps m + k·sd ≥ 0 and non-decreasing within a run (sd grows more
            # slowly than m); in the "agent free" group the value is k seconds itself.
            pm = 0.0 if pm is None else (max(pm, 0.0) if g == 0 else max(pm, -1.0))
            if g == 0:
                e = [pm] * (r_hi - r_lo)
            else:
                ms, sds = model.terms(r_hi - free)
                e = _values(ms, sds, r_lo + 1 - free, r_hi + 1 - free, pm)
            prev_e = run_e
            run_e = _raise_prefix(e, run_e)
            expected.extend(e)
            if bm is None:
                bounds.extend(repeat(None, r_hi - r_lo))
                continue
            bm = max(bm, pm)
            if g == 0:
                b = [bm] * (r_hi - r_lo)
            else:
                b = _values(ms, sds, r_lo + 1 - free, r_hi + 1 - free, bm)
            run_b = _raise_prefix(b, max(run_b, prev_e))
            bounds.extend(b)
    return expected, bounds


def _values(ms: list[float], sds: list[float], a: int, b: int, k: float) -> list[float]:
    """m + k·sd for stages a..b-1 (C-level loop)."""
    if a == 0 and b == len(ms):
        return list(map(add, ms, map(mul, sds, repeat(k))))
    return list(map(add, ms[a:b], map(mul, sds[a:b], repeat(k))))


def _raise_prefix(values: list[float], floor: float) -> float:
    """Raise the leading values of a non-decreasing ``values`` to ``floor`` (so the
    whole queue stays non-decreasing across slices); returns the new running maximum."""
    if values and values[0] < floor:
        k = bisect_left(values, floor)
        values[:k] = repeat(floor, k)
    return values[-1] if values and values[-1] > floor else floor


def quote_queue(
    snapshot: Snapshot,
    *,
    coverage: float = 0.9,
    calibration: Calibration | None = None,
    arrival_priority: int = 0,
) -> QueueQuotes:
    """Quote every waiting conversation of ``snapshot`` (and, lazily, a new arrival).

    Per-conversation work is O(1): per-stage terms are cumulative sums computed once;
    each customer's numbers are its stage bucket's scores applied to them.
    """
    model = _Model(snapshot, coverage, calibration)
    n = len(snapshot.ids)
    if model.status != OK or n == 0:
        none: list[float | None] = [None] * n
        return QueueQuotes(model, none, list(none), arrival_priority)
    expected, bounds = _numbers(model, snapshot.priorities, n)
    return QueueQuotes(model, expected, bounds, arrival_priority)  # type: ignore[arg-type]


def _single(model: _Model, cid: Hashable | None, position: int, priority: int) -> Quote:
    ovt = _is_overtakable(model, priority)
    if model.status != OK:
        return _quote_one(model, cid, position, priority, ovt)
    pri = list(model.snap.priorities[: position - 1])
    pri += [priority] * (position - len(pri))
    expected, bounds = _numbers(model, pri, position)
    return _quote_one(model, cid, position, priority, ovt, expected[-1], bounds[-1])


def arrival_position(snapshot: Snapshot, priority: int = 0) -> int:
    """Where a customer with ``priority`` joining now would stand (1-based)."""
    if snapshot.head_start_s is None:
        ahead = sum(1 for p in snapshot.priorities if p >= priority)
    else:
        key = snapshot.now - snapshot.head_start_s * priority
        hs = snapshot.head_start_s
        ahead = sum(1 for e, p in zip(snapshot.enqueued, snapshot.priorities) if e - hs * p <= key)
    return ahead + 1


def arrival_quote(
    snapshot: Snapshot,
    *,
    coverage: float = 0.9,
    calibration: Calibration | None = None,
    priority: int = 0,
    _model: _Model | None = None,
) -> Quote:
    """The quote for a customer with ``priority`` who joins the queue now."""
    model = _model or _Model(snapshot, coverage, calibration)
    return _single(model, None, arrival_position(snapshot, priority), priority)


def quote_position(
    snapshot: Snapshot,
    position: int,
    *,
    priority: int = 0,
    conversation_id: Hashable | None = None,
    coverage: float = 0.9,
    calibration: Calibration | None = None,
) -> Quote:
    """The quote for one customer standing at ``position`` (1-based) of ``snapshot``
    (used by the backtest, which quotes one customer at a time)."""
    if position < 1:
        raise ValueError("position is 1-based")
    return _single(_Model(snapshot, coverage, calibration), conversation_id, position, priority)
