"""Replay a contact log and score wait quotes against what actually happened.

The replay walks the log in time order, rebuilding at each moment only what was known
then: who is waiting (in queue order), how many agents are on duty and busy, and the
recent history (handle times, waits, abandonments). Events in the same whole second
are taken in the order **end, answer, abandon, arrival** (then refreshes). Each
customer is quoted at arrival (and every ``refresh_s`` seconds while still waiting).

Agents on duty: from the roster when given (on-duty agents of the queue, busy ones
from the ``agent`` column, or from the number of contacts in service without it);
otherwise inferred from concurrent service — the agents currently serving and, when
the log names agents, every busy agent who has served this queue in the last two
hours (an agent shared between queues takes this queue's customers when free). While
customers wait, an idle agent would have taken one, so inferred staffing has no free
agents.

Metrics (over arrival quotes; W = answered − arrived, A = abandoned_at − arrived,
B = bound quoted at arrival, E = expected wait quoted at arrival):

* quoted contacts: answered in a later whole second than they arrived, or abandoned;
  ``n`` counts those that received a number (a quote refused for lack of agents or
  history is counted separately, as ``unquoted``);
* ``mae_s``, ``rmse_s``, ``bias_s``: mean |E − W|, root mean (E − W)², mean (E − W)
  over served quoted contacts (bias > 0: over-estimating);
* ``coverage`` = 1 − broken / counted, broken = served with W > B plus abandoned with
  A > B, counted = served plus abandoned with A > B;
* ``mean_bound_s`` = mean B over quoted contacts; ``mean_slack_s`` = mean (B − W) over
  served quoted contacts (broken promises count as negative terms).
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_left, insort
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Protocol, Sequence

from agentdesk.queueing.calibration import Calibration
from agentdesk.queueing.engine import Snapshot, quote_position
from agentdesk.queueing.history import QueueHistory
from agentdesk.queueing.logfile import LogRecord, RosterShift

__all__ = [
    "QuoteContext",
    "Prediction",
    "Predictor",
    "EnginePredictor",
    "QuoteRow",
    "replay",
    "metrics",
    "run_backtest",
    "BacktestResult",
    "METRIC_KEYS",
]

METRIC_KEYS = ("mae_s", "rmse_s", "bias_s", "coverage", "mean_bound_s", "mean_slack_s", "n")

_END, _ANSWER, _ABANDON, _ARRIVAL, _REFRESH = 0, 1, 2, 3, 4
STAFF_MEMORY_S = 2 * 3600.0


@dataclass
class QuoteContext:
    """What is known when a customer is quoted (passed to every predictor)."""

    kind: str  # "arrival" or "refresh"
    record: LogRecord
    now: float
    position: int
    snapshot: Snapshot
    history: QueueHistory
    les_s: float | None
    """Wait of the last customer of this queue to enter service."""
    hol_s: float
    """How long the head of the line has been waiting (this customer's own elapsed
    wait when they are first)."""
    recent_waits: list[float]
    """Waits of the last 10 customers of this queue to enter service (oldest first)."""
    arrival_rate_per_s: float
    """Arrivals to this queue over the last 30 minutes, per second."""


@dataclass
class Prediction:
    expected: float | None
    bounds: dict[float, float | None] = field(default_factory=dict)
    state: Any = None
    reason: str = ""
    status: str = ""


class Predictor(Protocol):
    name: str

    def quote(self, ctx: QuoteContext) -> Prediction: ...

    def outcome(self, state: Any, outcome_at: float, served: bool) -> None: ...


class EnginePredictor:
    """The agentdesk engine as a backtest predictor, learning online as outcomes come."""

    name = "agentdesk"

    def __init__(self, coverages: Sequence[float] = (0.9,), calibration: Calibration | None = None):
        self.coverages = tuple(coverages)
        self.calibration = calibration if calibration is not None else Calibration()

    def quote(self, ctx: QuoteContext) -> Prediction:
        bounds: dict[float, float | None] = {}
        first = None
        for cov in self.coverages:
            q = quote_position(
                ctx.snapshot, ctx.position, priority=ctx.record.priority,
                conversation_id=ctx.record.id, coverage=cov, calibration=self.calibration,
            )
            bounds[cov] = q.bound_s
            if first is None:
                first = q
        assert first is not None
        expected = first.expected_s if first.bound_s is not None else None
        state = dict(first.inputs, bounds_by_coverage=bounds)
        return Prediction(expected, bounds, state, first.reason, first.status)

    def outcome(self, state: Any, outcome_at: float, served: bool) -> None:
        if state is not None:
            self.calibration.observe(state, outcome_at, served)


@dataclass
class QuoteRow:
    """One quote given during the replay and what happened to that customer."""

    kind: str
    id: str
    queue: str
    at: float
    arrived: float
    position: int
    priority: int
    served: bool
    outcome_at: float
    waited: bool
    """A quoted contact: answered in a later whole second than arrival, or abandoned."""
    predictions: dict[str, Prediction]

    @property
    def wait_s(self) -> float:
        """Actual wait from the quote's time (W or A for an arrival quote)."""
        return self.outcome_at - self.at


class _QueueState:
    def __init__(self, name: str, history_factory: Callable[[], QueueHistory]):
        self.name = name
        self.waiting: list[tuple] = []  # sorted keys (…, seq, record)
        self.keys: dict[int, tuple] = {}  # record index -> its waiting-list key
        self.in_service = 0
        self.history = history_factory()
        self.les: float | None = None
        self.arrivals: deque[float] = deque()
        self.agents_seen: dict[str, float] = {}  # agent -> last time they served this queue


def replay(
    records: Sequence[LogRecord],
    predictors: Sequence[Predictor],
    *,
    roster: Sequence[RosterShift] | None = None,
    refresh_s: float | None = None,
    head_start_s: float | None = None,
    nouns: dict[str, str] | None = None,
    history_factory: Callable[[], QueueHistory] = QueueHistory,
) -> list[QuoteRow]:
    """Replay ``records`` and collect every quote every predictor gave."""
    if refresh_s is not None and refresh_s <= 0:
        raise ValueError("refresh must be a positive number of seconds")
    events: list[tuple] = []
    for i, r in enumerate(records):
        events.append((math.floor(r.arrived), _ARRIVAL, r.arrived, i))
        if r.answered is not None:
            events.append((math.floor(r.answered), _ANSWER, r.answered, i))
            if r.ended is not None:
                events.append((math.floor(r.ended), _END, r.ended, i))
        elif r.abandoned_at is not None:
            events.append((math.floor(r.abandoned_at), _ABANDON, r.abandoned_at, i))
    events.sort()
    heap = events  # sorted list is a valid heap; refreshes are pushed into it
    queues: dict[str, _QueueState] = {}
    busy_agents: dict[str, int] = {}  # agent -> contacts in service
    roster_by_queue: dict[str | None, list[RosterShift]] = {}
    if roster:
        for sh in roster:
            roster_by_queue.setdefault(sh.queue, []).append(sh)
    rows: list[QuoteRow] = []
    pending: dict[int, list[tuple[QuoteRow, dict[str, Any]]]] = {}
    nouns = nouns or {}
    named = any(r.agent for r in records)

    def qstate(name: str) -> _QueueState:
        st = queues.get(name)
        if st is None:
            st = queues[name] = _QueueState(name, history_factory)
        return st

    def staffing(st: _QueueState, now: float) -> tuple[int, int, int]:
        """(available, busy, away) for the queue at ``now``."""
        if roster:
            on_duty = {
                sh.agent
                for key in (st.name, None)
                for sh in roster_by_queue.get(key, ())
                if sh.start <= now < sh.end
            }
            if named:
                busy_named = {a for a, n in busy_agents.items() if n > 0 and (a in on_duty or a in st.agents_seen)}
                busy = len(busy_named & on_duty) + len(busy_named - on_duty)
                free = len(on_duty - busy_named)
            else:
                busy = st.in_service
                free = max(0, len(on_duty) - busy)
            if free and len(st.waiting) > 1:
                # customers were already waiting, so the on-duty agents who are not
                # serving are not taking contacts (break, other work): away, not free
                return 0, busy, free
            return free, busy, 0
        if st.agents_seen:
            cutoff = now - STAFF_MEMORY_S
            busy = sum(1 for a, n in busy_agents.items() if n > 0 and st.agents_seen.get(a, -math.inf) >= cutoff)
            return 0, max(busy, st.in_service), 0
        return 0, st.in_service, 0

    def make_ctx(kind: str, i: int, rec: LogRecord, st: _QueueState, now: float) -> QuoteContext:
        key = st.keys[i]
        pos = bisect_left(st.waiting, key) + 1
        ids = tuple(k[-1].id for k in st.waiting)
        prios = tuple(k[-1].priority for k in st.waiting)
        enq = tuple(k[-1].arrived for k in st.waiting)
        free, busy, away = staffing(st, now)
        snap = Snapshot(
            queue=st.name, now=now, ids=ids, enqueued=enq, priorities=prios,
            agents_available=free, agents_busy=busy, agents_away=away,
            history=st.history.summary(now), noun=nouns.get(st.name, "contact"),
            head_start_s=head_start_s,
        )
        while st.arrivals and st.arrivals[0] < now - 1800:
            st.arrivals.popleft()
        head = st.waiting[0][-1]
        return QuoteContext(
            kind=kind, record=rec, now=now, position=pos, snapshot=snap, history=st.history,
            les_s=st.les, hol_s=max(0.0, now - head.arrived),
            recent_waits=st.history.recent_waits(now, 10),
            arrival_rate_per_s=len(st.arrivals) / 1800.0,
        )

    def quote(kind: str, i: int, rec: LogRecord, st: _QueueState, now: float) -> None:
        ctx = make_ctx(kind, i, rec, st, now)
        preds = {p.name: p.quote(ctx) for p in predictors}
        served = rec.answered is not None
        outcome_at = rec.answered if served else rec.abandoned_at
        assert outcome_at is not None
        waited = (math.floor(rec.answered) > math.floor(rec.arrived)) if served else True  # type: ignore[arg-type]
        row = QuoteRow(kind, rec.id, rec.queue, now, rec.arrived, ctx.position, rec.priority,
                       served, outcome_at, waited, preds)
        rows.append(row)
        if kind == "arrival":
            pending[i] = [(row, {p.name: preds[p.name].state for p in predictors})]

    def settle(i: int, at: float, served: bool) -> None:
        items = pending.pop(i, None)
        if not items:
            return
        for row, states in items:
            if not row.waited:
                continue  # answered in the second it arrived: no quote to learn from
            for p in predictors:
                p.outcome(states[p.name], at, served)

    def order_key(rec: LogRecord, seq: int) -> tuple:
        if head_start_s is None:
            return (-rec.priority, rec.arrived, seq, rec)
        return (rec.arrived - head_start_s * rec.priority, seq, rec)

    arrived: set[int] = set()

    def arrive(i: int, rec: LogRecord, st: _QueueState, t: float) -> None:
        arrived.add(i)
        key = order_key(rec, i)
        st.keys[i] = key
        insort(st.waiting, key)
        st.arrivals.append(t)
        quote("arrival", i, rec, st, t)
        st.history.record_arrival(t, rec.priority)
        if refresh_s:
            nt = t + refresh_s
            heapq.heappush(heap, (math.floor(nt), _REFRESH, nt, i))

    while heap:
        _, kind, t, i = heapq.heappop(heap)
        rec = records[i]
        st = qstate(rec.queue)
        if kind in (_ANSWER, _ABANDON) and i not in arrived:
            # answered or abandoned in the second it arrived: a contact's own arrival
            # always comes before its own answer or abandonment
            arrive(i, rec, st, rec.arrived)
        if kind == _END:
            st.in_service -= 1
            if rec.agent:
                busy_agents[rec.agent] = busy_agents.get(rec.agent, 1) - 1
            st.history.record_handled(t, t - rec.answered)  # type: ignore[operator]
        elif kind == _ANSWER:
            key = st.keys.pop(i, None)
            if key is not None:
                k = bisect_left(st.waiting, key)
                del st.waiting[k]
            st.in_service += 1
            if rec.agent:
                busy_agents[rec.agent] = busy_agents.get(rec.agent, 0) + 1
                st.agents_seen[rec.agent] = t
            w = t - rec.arrived
            st.les = w
            st.history.record_served(t, w)
            settle(i, t, True)
        elif kind == _ABANDON:
            key = st.keys.pop(i, None)
            if key is not None:
                k = bisect_left(st.waiting, key)
                del st.waiting[k]
            st.history.record_abandoned(t, t - rec.arrived)
            settle(i, t, False)
        elif kind == _ARRIVAL:
            if i not in arrived:
                arrive(i, rec, st, t)
        else:  # refresh
            if i in st.keys:
                quote("refresh", i, rec, st, t)
                nt = t + refresh_s  # type: ignore[operator]
                heapq.heappush(heap, (math.floor(nt), _REFRESH, nt, i))
    return rows


def metrics(rows: Iterable[QuoteRow], name: str, coverage: float | None = None) -> dict[str, float | int | None]:
    """The backtest metrics of predictor ``name`` over arrival quotes of quoted contacts
    that received a number (a bound at ``coverage``, or an expected wait when
    ``coverage`` is None)."""
    err: list[float] = []
    slack: list[float] = []
    bounds: list[float] = []
    broken = counted = 0
    n = 0
    for r in rows:
        if r.kind != "arrival" or not r.waited:
            continue
        p = r.predictions.get(name)
        if p is None or p.expected is None:
            continue
        b = p.bounds.get(coverage) if coverage is not None else None
        if coverage is not None and b is None:
            continue
        n += 1
        w = r.outcome_at - r.arrived
        if r.served:
            err.append(p.expected - w)
        if b is None:
            continue
        bounds.append(b)
        if r.served:
            slack.append(b - w)
            counted += 1
            if w > b:
                broken += 1
        elif w > b:
            counted += 1
            broken += 1
    out: dict[str, float | int | None] = {
        "mae_s": _mean(abs(e) for e in err),
        "rmse_s": math.sqrt(_mean(e * e for e in err)) if err else None,  # type: ignore[arg-type]
        "bias_s": _mean(err),
        "coverage": (1.0 - broken / counted) if counted else None,
        "mean_bound_s": _mean(bounds),
        "mean_slack_s": _mean(slack),
        "n": n,
    }
    return out


def _mean(values: Iterable[float]) -> float | None:
    total = 0.0
    k = 0
    for v in values:
        total += v
        k += 1
    return total / k if k else None


@dataclass
class BacktestResult:
    metrics: dict[str, float | int | None]
    rows: list[QuoteRow]
    coverage: float
    quoted: int
    """Quoted contacts (waited), with or without a number."""
    unquoted: int
    """Quoted contacts for which no honest number could be given."""
    refresh_metrics: dict[str, float | int | None] | None = None


def run_backtest(
    records: Sequence[LogRecord],
    *,
    coverage: float = 0.9,
    refresh_s: float | None = None,
    roster: Sequence[RosterShift] | None = None,
    head_start_s: float | None = None,
    calibration: Calibration | None = None,
) -> BacktestResult:
    """Run the agentdesk engine over ``records`` and compute the metrics."""
    if not 0.5 <= coverage < 1.0:
        raise ValueError("coverage must be between 0.5 and 1")
    pred = EnginePredictor((coverage,), calibration)
    rows = replay(records, [pred], roster=roster, refresh_s=refresh_s, head_start_s=head_start_s)
    m = metrics(rows, pred.name, coverage)
    quoted = sum(1 for r in rows if r.kind == "arrival" and r.waited)
    refresh_m = None
    if refresh_s:
        refresh_m = _refresh_metrics(rows, pred.name, coverage)
    return BacktestResult(m, rows, coverage, quoted, quoted - int(m["n"] or 0), refresh_m)


def _refresh_metrics(rows: Sequence[QuoteRow], name: str, coverage: float) -> dict[str, float | int | None]:
    """Coverage and error of refresh quotes, measured on the remaining wait."""
    err: list[float] = []
    bounds: list[float] = []
    broken = counted = n = 0
    for r in rows:
        if r.kind != "refresh":
            continue
        p = r.predictions.get(name)
        if p is None or p.expected is None or p.bounds.get(coverage) is None:
            continue
        b = p.bounds[coverage]
        assert b is not None
        n += 1
        rem = r.outcome_at - r.at
        bounds.append(b)
        if r.served:
            err.append(p.expected - rem)
            counted += 1
            broken += rem > b
        elif rem > b:
            counted += 1
            broken += 1
    return {
        "mae_s": _mean(abs(e) for e in err),
        "coverage": (1.0 - broken / counted) if counted else None,
        "mean_bound_s": _mean(bounds),
        "n": n,
    }
