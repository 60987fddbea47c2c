"""Service metrics, computed from the event log (pure: plain event records in, numbers out).

Nothing here imports Textual, SQLAlchemy or the store. An *event record* is anything
with the attributes of :class:`agentdesk.domain.Change` — ``event_id``, ``at``,
``kind``, ``conversation_id``, ``agent_id`` and ``data`` — in event-id order per
conversation. ``agentdesk report`` feeds a whole window of events at once;
``agentdesk monitor`` feeds the same :class:`MetricsBook` one change at a time and asks
it for figures every second (only changed conversations are recomputed).

Every definition is written out in ``docs/metrics.md``; in short:

**Which conversations.** A report covers a *cohort*: the conversations whose ``arrived``
event falls in the window ``[since, until)``. All their events count, including those
after the window (a conversation that arrived at 23:50 and was answered at 00:05 counts
in the day it arrived). The figures of queue *Q* are those of the cohort conversations
that waited in *Q* at least once, with the wait figures restricted to their waits in
*Q*; a transferred conversation therefore appears under each queue it waited in, and
once in the totals.

**Waits.** A *wait* starts when a conversation enters a queue's waiting line (``arrived``;
``transferred`` into the queue; ``reopened`` by the customer) and ends when an agent
claims it (*answered*, wait = claim time − start) or the customer leaves (``abandoned``).
A wait that has not ended is *still waiting*. Each queue has a target ``T``
(``sl_target_s``).

* **service level** = met / (met + missed), where *met* = answered within ``T``
  (wait ≤ ``T``) and *missed* = answered after ``T``, abandoned after waiting more than
  ``T``, or still waiting for more than ``T`` now. Customers who gave up within ``T``
  (*short abandons*) and customers still waiting for ``T`` or less are left out: the
  target was neither met nor missed for them. ``None`` when nothing is decided.
* **ASA** (average speed of answer) = mean wait of answered waits.
* **abandonment rate** = abandoned / (answered + abandoned), over ended waits (short
  abandons included).

**Per conversation.**

* **first response time** = time of the first reply written by an agent (``message``
  with ``author = "agent"``, not counting a wait update sent to a customer still in the
  queue, ``queue_update``) − arrival; conversations without one are left out of the mean.
* **handle** = one agent's ownership: from ``claimed`` (or ``reopened`` by an agent) to
  the next ``resolved`` or ``transferred``, including time on hold and in wrap-up.
  **AHT** (average handle time) = mean length of the handles that end in ``resolved``
  (claim → resolve, hold and wrap-up included). Handles ended by a transfer are not in
  AHT; handles still open are not counted anywhere.
* **FCR** (first contact resolution) = share of resolved conversations that were
  resolved without a transfer before their first ``resolved`` and where the customer
  did not come back less than ``fcr_reopen_days`` × 24 h after it: neither reopened
  this conversation nor started another one (a *repeat contact*: an ``arrived`` event of
  the same customer, from the event's ``customer_id``). A success whose window has not
  closed yet is counted as a success and reported as *pending*.
* **transfers** = number of ``transferred`` events; **transfer rate** = handled
  conversations with at least one transfer / handled conversations (handled = claimed at
  least once).
* **holds** = number of ``held`` events; **hold rate** = handled conversations with at
  least one hold / handled conversations; **mean hold** = mean length of finished holds
  (``held`` → ``resumed``, or to the ``wrap_up``/``resolved``/``transferred`` that ended
  it).
* **CSAT** = mean of the latest ``csat`` score (1–5) per conversation; **CSAT %** =
  share of those scores that are 4 or 5.

**Wait quotes.** Each conversation's earliest ``wait_quoted`` event that is not an
``update`` (its ``first`` quote) plus every one whose ``kind`` is ``"update"`` counts, scored against the wait it was given
in with :func:`agentdesk.queueing.report.quote_report` (censor-aware: a customer who gave
up before the bound is left out; one still waiting is pending). **quotes held** = 1 −
broken / counted.

**Over time** (the monitor's chart), :class:`FloorHistory`: queue depth sampled at
regular instants, and per interval the share of the waits *ended in that interval*
(answered, or abandoned after ``T``) that were answered within ``T``.
"""

from __future__ import annotations

import bisect
import math
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any, Protocol

from agentdesk.queueing.report import from_inputs, quote_report

__all__ = [
    "Conversation",
    "EventRecord",
    "FloorHistory",
    "Handle",
    "Metrics",
    "MetricsBook",
    "Wait",
    "conversation_row",
    "fcr_outcome",
]

DAY_S = 86400.0


class EventRecord(Protocol):
    """What the metrics read from an event (``agentdesk.domain.Change`` has these)."""

    event_id: int
    at: float
    kind: str
    conversation_id: int | None
    agent_id: int | None
    data: Mapping[str, Any]


# ----------------------------------------------------------------------------- facts


@dataclass(slots=True)
class Wait:
    """One stay in a queue's waiting line."""

    queue_id: int | None
    start: float
    end: float | None = None
    outcome: str | None = None  # "answered" | "abandoned" | None (still waiting)

    @property
    def length(self) -> float | None:
        return None if self.end is None else max(0.0, self.end - self.start)


@dataclass(slots=True)
class Handle:
    """One agent's ownership of a conversation."""

    agent_id: int | None
    start: float
    end: float | None = None
    how: str | None = None  # "resolved" | "transferred" | None (still open)

    @property
    def length(self) -> float | None:
        return None if self.end is None else max(0.0, self.end - self.start)


@dataclass(slots=True)
class Quote:
    at: float
    expected_s: float | None
    bound_s: float | None
    kind: str | None
    inputs: dict[str, Any]


@dataclass(slots=True)
class Conversation:
    """What the event log says about one conversation, folded event by event."""

    conversation_id: int
    arrived_at: float | None = None
    queue_id: int | None = None  # the queue it arrived in
    current_queue_id: int | None = None
    channel: str | None = None
    status: str | None = None
    waits: list[Wait] = field(default_factory=list)
    # handles, reopens and quotes start as one shared empty tuple and become lists on the
    # first append (most conversations of a busy day have none yet: less memory)
    handles: list[Handle] = ()  # type: ignore[assignment]
    first_response_at: float | None = None
    transfers: int = 0
    transfers_before_resolve: int = 0
    holds: int = 0
    holds_done: int = 0
    hold_s: float = 0.0
    hold_start: float | None = None
    first_resolved_at: float | None = None
    resolved_at: float | None = None
    disposition: str | None = None
    reopens: list[tuple[float, str]] = ()  # type: ignore[assignment]
    csat: int | None = None
    quotes: list[Quote] = ()  # type: ignore[assignment]
    last_event_id: int = 0
    customer_id: int | None = None
    next_contact_at: float | None = None
    """When the customer next started another conversation after this one's first
    resolution (kept up to date by :class:`MetricsBook`; None: not in what it has seen)."""

    # ------------------------------------------------------------------ folding

    def apply(self, ev: EventRecord) -> None:
        kind, at, data = ev.kind, float(ev.at), ev.data or {}
        self.last_event_id = max(self.last_event_id, int(ev.event_id))
        if kind == "arrived":
            self.arrived_at = at
            self.customer_id = _int(data.get("customer_id"))
            self.queue_id = _int(data.get("queue_id"))
            self.current_queue_id = self.queue_id
            channel = data.get("channel")
            self.channel = sys.intern(channel) if isinstance(channel, str) else channel
            self.status = "waiting"
            self.waits.append(Wait(self.queue_id, at))
        elif kind == "claimed":
            qid = _int(data.get("queue_id"))
            wait = self._open_wait()
            if wait is not None:
                wait.end, wait.outcome = at, "answered"
                if wait.queue_id is None:
                    wait.queue_id = qid
            self._close_handle(at, None)  # defensive: a claim starts a fresh handle
            self._handles().append(Handle(ev.agent_id, at))
            self.status = "active"
        elif kind == "message":
            if (data.get("author") == "agent" and not data.get("queue_update")
                    and self.first_response_at is None):
                self.first_response_at = at
        elif kind == "held":
            self.holds += 1
            if self.hold_start is None:
                self.hold_start = at
            self.status = "on_hold"
        elif kind == "resumed":
            self._close_hold(at)
            self.status = "active"
        elif kind == "wrap_up":
            self._close_hold(at)
            self.status = "wrap_up"
        elif kind == "transferred":
            self._close_hold(at)
            self._close_handle(at, "transferred")
            self.transfers += 1
            if self.first_resolved_at is None:
                self.transfers_before_resolve += 1
            to_q = _int(data.get("to_queue_id"))
            self.current_queue_id = to_q
            self.waits.append(Wait(to_q, at))
            self.status = "waiting"
        elif kind == "resolved":
            self._close_hold(at)
            self._close_handle(at, "resolved")
            if self.first_resolved_at is None:
                self.first_resolved_at = at
            self.resolved_at = at
            self.disposition = data.get("disposition")
            self.status = "resolved"
        elif kind == "reopened":
            by = str(data.get("by") or ("agent" if ev.agent_id is not None else "customer"))
            if not self.reopens:
                self.reopens = []
            self.reopens.append((at, by))
            self.disposition = None
            self._close_hold(at)
            self._close_handle(at, None)
            if by == "customer":
                self.waits.append(Wait(self.current_queue_id, at))
                self.status = "waiting"
            else:
                self._handles().append(Handle(ev.agent_id, at))
                self.status = "active"
        elif kind == "abandoned":
            wait = self._open_wait()
            if wait is not None:
                wait.end, wait.outcome = at, "abandoned"
            self.status = "abandoned"
        elif kind == "csat":
            score = _int(data.get("score"))
            if score is not None and 1 <= score <= 5:
                self.csat = score
        elif kind == "wait_quoted":
            q_at = _float(data.get("at"))
            if not self.quotes:
                self.quotes = []
            self.quotes.append(Quote(at if q_at is None else q_at, _float(data.get("expected_s")),
                                     _float(data.get("bound_s")), data.get("kind"), dict(data)))

    def _handles(self) -> list[Handle]:
        if not self.handles:
            self.handles = []
        return self.handles

    def _open_wait(self) -> Wait | None:
        if self.waits and self.waits[-1].end is None:
            return self.waits[-1]
        return None

    def _close_hold(self, at: float) -> None:
        if self.hold_start is not None:
            self.hold_s += max(0.0, at - self.hold_start)
            self.holds_done += 1
            self.hold_start = None

    def _close_handle(self, at: float, how: str | None) -> None:
        if self.handles and self.handles[-1].end is None:
            h = self.handles[-1]
            if how is None:  # an open handle superseded without an ending event: drop it
                self.handles.pop()
            else:
                h.end, h.how = at, how

    # ------------------------------------------------------------------ derived

    @property
    def first_wait(self) -> Wait | None:
        return self.waits[0] if self.waits else None

    @property
    def first_response_s(self) -> float | None:
        if self.first_response_at is None or self.arrived_at is None:
            return None
        return max(0.0, self.first_response_at - self.arrived_at)

    @property
    def handle_s(self) -> float:
        """Total length of the finished handles (resolved or transferred)."""
        return sum(h.length or 0.0 for h in self.handles if h.end is not None)

    @property
    def handled(self) -> bool:
        return bool(self.handles)

    @property
    def queues(self) -> set[int]:
        return {w.queue_id for w in self.waits if w.queue_id is not None}

    def counted_quotes(self) -> list[tuple[Quote, Wait]]:
        """The quotes that count (the earliest that is not an ``update``, plus every
        ``update``), each with the wait it was given in; a quote given outside any wait
        is dropped."""
        out: list[tuple[Quote, Wait]] = []
        if not self.quotes:
            return out
        ordered = sorted(self.quotes, key=lambda q: q.at)
        first = next((q for q in ordered if q.kind != "update"), None)
        for q in ordered:
            if q is not first and q.kind != "update":
                continue
            wait = self.wait_at(q.at)
            if wait is not None:
                out.append((q, wait))
        return out

    def wait_at(self, at: float) -> Wait | None:
        """The wait that was going on at ``at`` (the latest one started by then)."""
        for w in reversed(self.waits):
            if w.start <= at + 1e-6:
                return w if (w.end is None or at <= w.end + 1e-6) else None
        return None


def fcr_outcome(conv: Conversation, reopen_days: float, now: float) -> str | None:
    """``"yes"``, ``"pending"`` (a success whose reopen window is still open), ``"no"``,
    or None when the conversation was never resolved."""
    if conv.first_resolved_at is None:
        return None
    if conv.transfers_before_resolve:
        return "no"
    window = reopen_days * DAY_S
    if conv.next_contact_at is not None and conv.next_contact_at - conv.first_resolved_at < window:
        return "no"  # the customer came back with another conversation
    for at, _by in conv.reopens:
        if at >= conv.first_resolved_at and at - conv.first_resolved_at < window:
            return "no"
    if now - conv.first_resolved_at < window:
        return "pending"
    return "yes"


def _quote_outcome(q: Quote, wait: Wait):
    """A QueueOutcome (``agentdesk.queueing.report``) for a counted quote."""
    inputs = dict(q.inputs)
    inputs["at"] = q.at
    inputs.setdefault("expected_s", q.expected_s)
    inputs.setdefault("bound_s", q.bound_s)
    served = None if wait.outcome is None else wait.outcome == "answered"
    item = from_inputs(inputs, outcome_at=wait.end, served=served)
    return replace(item, queue=str(wait.queue_id))


# ----------------------------------------------------------------------------- totals

Contribution = dict[tuple[int | None, str], float]


def _contribution(conv: Conversation, targets: Mapping[int, float], reopen_days: float) -> Contribution:
    """What one conversation adds to the totals, per scope (None = all queues)."""
    if (len(conv.waits) == 1 and conv.waits[0].end is None and not conv.handles and not conv.quotes
            and conv.csat is None and conv.first_response_at is None and not conv.reopens):
        # the common case on a busy floor: arrived, still waiting, nothing else yet
        return _waiting_only(conv.waits[0].queue_id)
    out: dict[tuple[int | None, str], float] = defaultdict(float)

    def add_wait(qid: int | None, key: str, value: float = 1.0) -> None:
        out[(None, key)] += value
        if qid is not None:
            out[(qid, key)] += value

    for w in conv.waits:
        target = targets.get(w.queue_id, 60.0) if w.queue_id is not None else 60.0
        add_wait(w.queue_id, "offered")
        if w.outcome == "answered":
            length = w.length or 0.0
            add_wait(w.queue_id, "answered")
            add_wait(w.queue_id, "answered_wait_s", length)
            add_wait(w.queue_id, "sl_met" if length <= target else "sl_missed")
        elif w.outcome == "abandoned":
            length = w.length or 0.0
            add_wait(w.queue_id, "abandoned")
            if length <= target:
                add_wait(w.queue_id, "abandoned_short")
            else:
                add_wait(w.queue_id, "sl_missed")
    quote_items = [_quote_outcome(q, w) for q, w in conv.counted_quotes()]
    if quote_items:
        for qkey, r in quote_report(quote_items).items():
            qid = None if qkey == "None" else int(qkey)
            add_wait(qid, "quotes", r["quotes"])
            add_wait(qid, "quotes_with_bound", r["with_bound"])
            add_wait(qid, "quotes_pending", r["pending"])
            add_wait(qid, "quotes_counted", r["counted"])
            add_wait(qid, "quotes_broken", r["broken"])

    conv_vals: dict[str, float] = {"conversations": 1.0}
    frt = conv.first_response_s
    if frt is not None:
        conv_vals["frt_n"] = 1.0
        conv_vals["frt_sum_s"] = frt
    for h in conv.handles:
        if h.end is None:
            continue
        conv_vals["handles"] = conv_vals.get("handles", 0.0) + 1
        conv_vals["handle_sum_s"] = conv_vals.get("handle_sum_s", 0.0) + (h.length or 0.0)
        if h.how == "resolved":
            conv_vals["aht_n"] = conv_vals.get("aht_n", 0.0) + 1
            conv_vals["aht_sum_s"] = conv_vals.get("aht_sum_s", 0.0) + (h.length or 0.0)
    if conv.handled:
        conv_vals["handled"] = 1.0
        if conv.transfers:
            conv_vals["transferred"] = 1.0
        if conv.holds:
            conv_vals["held"] = 1.0
    conv_vals["transfers"] = float(conv.transfers)
    conv_vals["holds"] = float(conv.holds)
    conv_vals["holds_done"] = float(conv.holds_done)
    conv_vals["hold_sum_s"] = conv.hold_s
    if conv.reopens:
        conv_vals["reopened"] = 1.0
    if conv.first_resolved_at is not None:
        conv_vals["resolved"] = 1.0
        # a failure does not depend on the clock (pending and yes do; both are successes)
        if fcr_outcome(conv, reopen_days, conv.first_resolved_at) == "no":
            conv_vals["fcr_no"] = 1.0
    if conv.csat is not None:
        conv_vals["csat_n"] = 1.0
        conv_vals["csat_sum"] = float(conv.csat)
        if conv.csat >= 4:
            conv_vals["csat_top2"] = 1.0
    for scope in (None, *sorted(conv.queues)):
        for key, value in conv_vals.items():
            if value:
                out[(scope, key)] += value
    return dict(out)


_WAITING_ONLY_NONE = -1


def _waiting_only(qid: int | None) -> Contribution:
    if qid is None:
        return {(None, "offered"): 1.0, (None, "conversations"): 1.0}
    return {(None, "offered"): 1.0, (qid, "offered"): 1.0, (None, "conversations"): 1.0,
            (qid, "conversations"): 1.0}


def _compact(contribution: Contribution, keys: dict) -> int | tuple:
    """How a contribution is kept: a conversation still waiting with nothing else yet (most
    of a busy day's) is just its queue id (an int, no allocation); the others are a tuple of
    (shared key, value) pairs."""
    if len(contribution) <= 4 and all(v == 1.0 for v in contribution.values()):
        names = {k[1] for k in contribution}
        if names == {"offered", "conversations"}:
            scopes = {k[0] for k in contribution if k[0] is not None}
            if len(scopes) <= 1 and len(contribution) == (4 if scopes else 2):
                return next(iter(scopes)) if scopes else _WAITING_ONLY_NONE
    return tuple((keys.setdefault(k, k), v) for k, v in contribution.items())


def _expand(kept: int | tuple) -> Iterable[tuple[tuple[int | None, str], float]]:
    if isinstance(kept, int):
        return _waiting_only(None if kept == _WAITING_ONLY_NONE else kept).items()
    return kept


@dataclass(frozen=True, slots=True)
class Metrics:
    """The figures for one scope (all queues, or one queue) at one moment.

    Counts are whole numbers; rates are fractions 0–1 (None when there is nothing to
    divide); times are seconds (None when there is nothing to average)."""

    conversations: int = 0
    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    abandoned_short: int = 0
    waiting: int = 0
    waiting_over_target: int = 0
    service_level: float | None = None
    sl_met: int = 0
    sl_decided: int = 0
    asa_s: float | None = None
    abandon_rate: float | None = None
    first_response_s: float | None = None
    first_responses: int = 0
    aht_s: float | None = None
    handles_resolved: int = 0
    handles: int = 0
    handle_time_s: float = 0.0
    resolved: int = 0
    fcr: float | None = None
    fcr_pending: int | None = None
    transfers: int = 0
    transfer_rate: float | None = None
    holds: int = 0
    hold_rate: float | None = None
    mean_hold_s: float | None = None
    handled: int = 0
    reopened: int = 0
    csat: float | None = None
    csat_pct: float | None = None
    csat_responses: int = 0
    quotes: int = 0
    quotes_counted: int = 0
    quotes_broken: int = 0
    quotes_pending: int = 0
    quotes_held: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _ratio(a: float, b: float) -> float | None:
    return a / b if b else None


class MetricsBook:
    """Conversations of one cohort, folded from their events, with running totals.

    ``add`` events in id order (any mix of conversations); ask :meth:`metrics` for the
    figures at a moment. Only conversations changed since the last question are
    recomputed, so asking every second costs what changed, not the size of the day.

    ``since``/``until`` bound the cohort: a conversation belongs to it when its
    ``arrived`` event is in ``[since, until)``; events of other conversations are
    ignored. ``targets`` are the queues' service-level targets in seconds.
    """

    def __init__(self, targets: Mapping[int, float], *, since: float | None = None,
                 until: float | None = None, fcr_reopen_days: float = 7) -> None:
        self.targets = dict(targets)
        self.since = since
        self.until = until
        self.fcr_reopen_days = fcr_reopen_days
        self._convs: dict[int, Conversation] = {}
        # per conversation, what it added to the totals (see _compact)
        self._contrib: dict[int, int | tuple[tuple[tuple[int | None, str], float], ...]] = {}
        self._keys: dict[tuple[int | None, str], tuple[int | None, str]] = {}
        self._dirty: set[int] = set()
        self._totals: dict[tuple[int | None, str], float] = defaultdict(float)
        # still-waiting waits, per queue: sorted (start, conversation id)
        self._open: dict[int | None, list[tuple[float, int]]] = defaultdict(list)
        self._open_of: dict[int, tuple[int | None, float]] = {}
        # repeat contacts: every arrival seen (in the cohort or not) per customer, sorted,
        # and the cohort's conversations per customer
        self._arrivals: dict[int, list[float]] = defaultdict(list)
        self._of_customer: dict[int, list[int]] = defaultdict(list)

    # ------------------------------------------------------------------ input

    def in_cohort(self, at: float) -> bool:
        return (self.since is None or at >= self.since) and (self.until is None or at < self.until)

    def add(self, ev: EventRecord) -> bool:
        """Fold one event. Returns False when it is older than an event already folded for
        its conversation (rebuild that conversation with :meth:`replace`)."""
        cid = ev.conversation_id
        if cid is None:
            return True
        conv = self._convs.get(cid)
        if conv is None:
            if ev.kind != "arrived":
                return True
            self.note_arrival(ev)
            if not self.in_cohort(float(ev.at)):
                return True
            conv = Conversation(cid)
            conv.apply(ev)
            self._keep(conv)
            return True
        elif ev.event_id <= conv.last_event_id:
            if ev.event_id == conv.last_event_id:
                return True  # seen already
            return False
        conv.apply(ev)
        self._dirty.add(cid)
        return True

    def _keep(self, conv: Conversation) -> None:
        """Hold ``conv`` (new or refolded) in the cohort, linked to its customer."""
        cid = conv.conversation_id
        self._convs[cid] = conv
        if conv.customer_id is not None and cid not in self._of_customer[conv.customer_id]:
            self._of_customer[conv.customer_id].append(cid)
        self._dirty.add(cid)

    def note_arrival(self, ev: EventRecord) -> None:
        """Remember an ``arrived`` event's customer and time, whether or not it is in the
        cohort: a later conversation of the same customer is a repeat contact for the
        cohort's earlier ones (see FCR). :meth:`add` calls it; a report also feeds it
        the arrivals after its cohort, up to the FCR window."""
        customer = _int((ev.data or {}).get("customer_id"))
        if customer is None:
            return
        times = self._arrivals[customer]
        at = float(ev.at)
        i = bisect.bisect_left(times, at)
        if i < len(times) and times[i] == at:
            return  # seen already
        times.insert(i, at)
        self._dirty.update(self._of_customer.get(customer, ()))

    def _next_contact(self, conv: Conversation) -> float | None:
        if conv.customer_id is None or conv.first_resolved_at is None:
            return None
        times = self._arrivals.get(conv.customer_id)
        if not times:
            return None
        i = bisect.bisect_right(times, conv.first_resolved_at)
        return times[i] if i < len(times) else None

    def extend(self, events: Iterable[EventRecord]) -> None:
        for ev in events:
            self.add(ev)

    def replace(self, conversation_id: int, events: Iterable[EventRecord]) -> None:
        """Refold one conversation from its whole log (events in id order)."""
        conv: Conversation | None = None
        for ev in sorted(events, key=lambda e: e.event_id):
            if ev.kind == "arrived":
                self.note_arrival(ev)
            if conv is None:
                if ev.kind != "arrived" or not self.in_cohort(float(ev.at)):
                    continue
                conv = Conversation(conversation_id)
            conv.apply(ev)
        if conv is None:
            self._forget(conversation_id)
        else:
            self._keep(conv)

    def _forget(self, cid: int) -> None:
        self._convs.pop(cid, None)
        old = self._contrib.pop(cid, None)
        if old is not None:
            for k, v in _expand(old):
                self._totals[k] -= v
        self._set_open(cid, None)
        self._dirty.discard(cid)

    def set_targets(self, targets: Mapping[int, float]) -> None:
        """New service-level targets: every conversation is recomputed."""
        self.targets = dict(targets)
        self._dirty.update(self._convs)

    # ------------------------------------------------------------------ output

    def __len__(self) -> int:
        return len(self._convs)

    def __contains__(self, cid: object) -> bool:
        return cid in self._convs

    def conversation(self, cid: int) -> Conversation | None:
        self._flush()  # its repeat contact is up to date
        return self._convs.get(cid)

    def conversations(self) -> Iterator[Conversation]:
        self._flush()
        return iter(self._convs.values())

    def _flush(self) -> None:
        if not self._dirty:
            return
        totals = self._totals
        keys = self._keys
        bulk = len(self._dirty) > 2000  # e.g. the first question after loading a day
        for cid in self._dirty:
            conv = self._convs.get(cid)
            if conv is None:
                continue
            old = self._contrib.get(cid)
            if old is not None:
                for k, v in _expand(old):
                    totals[k] -= v
            conv.next_contact_at = self._next_contact(conv)
            new = _compact(_contribution(conv, self.targets, self.fcr_reopen_days), keys)
            for k, v in _expand(new):
                totals[k] += v
            self._contrib[cid] = new
            wait = conv._open_wait()
            value = None if wait is None else (wait.queue_id, wait.start)
            if bulk:
                if value is None:
                    self._open_of.pop(cid, None)
                else:
                    self._open_of[cid] = value
            else:
                self._set_open(cid, value)
        if bulk:  # one sort instead of thousands of list inserts
            self._open = defaultdict(list)
            for cid, (qid, start) in self._open_of.items():
                self._open[qid].append((start, cid))
            for lst in self._open.values():
                lst.sort()
        self._dirty.clear()

    def _set_open(self, cid: int, value: tuple[int | None, float] | None) -> None:
        old = self._open_of.get(cid)
        if old == value:
            return
        if old is not None:
            lst = self._open[old[0]]
            i = bisect.bisect_left(lst, (old[1], cid))
            if i < len(lst) and lst[i] == (old[1], cid):
                del lst[i]
            del self._open_of[cid]
        if value is not None:
            bisect.insort(self._open[value[0]], (value[1], cid))
            self._open_of[cid] = value

    def _open_counts(self, queue_id: int | None, now: float) -> tuple[int, int]:
        """(still waiting, of them waiting longer than the target) for a queue, or all."""
        if queue_id is not None:
            lst = self._open.get(queue_id, [])
            target = self.targets.get(queue_id, 60.0)
            return len(lst), bisect.bisect_left(lst, (now - target, -math.inf))
        waiting = over = 0
        for qid, lst in self._open.items():
            target = self.targets.get(qid, 60.0) if qid is not None else 60.0
            waiting += len(lst)
            over += bisect.bisect_left(lst, (now - target, -math.inf))
        return waiting, over

    def metrics(self, now: float, queue_id: int | None = None, *, with_pending: bool = False) -> Metrics:
        """The figures for one queue (or all queues, ``queue_id=None``) at ``now``.

        ``with_pending``: also count the FCR successes still inside their reopen window
        (a pass over the scope's resolved conversations; the report uses it)."""
        self._flush()
        t = self._totals

        def g(key: str) -> float:
            return t.get((queue_id, key), 0.0)

        waiting, over = self._open_counts(queue_id, now)
        met = g("sl_met")
        decided = met + g("sl_missed") + over
        answered, abandoned = g("answered"), g("abandoned")
        resolved = g("resolved")
        handled = g("handled")
        pending: int | None = None
        if with_pending:
            pending = sum(1 for c in self._convs.values()
                          if (queue_id is None or queue_id in c.queues)
                          and fcr_outcome(c, self.fcr_reopen_days, now) == "pending")
        fcr_no = g("fcr_no")
        counted = g("quotes_counted")
        return Metrics(
            conversations=round(g("conversations")),
            offered=round(g("offered")),
            answered=round(answered),
            abandoned=round(abandoned),
            abandoned_short=round(g("abandoned_short")),
            waiting=waiting,
            waiting_over_target=over,
            service_level=_ratio(met, decided),
            sl_met=round(met),
            sl_decided=round(decided),
            asa_s=_ratio(g("answered_wait_s"), answered),
            abandon_rate=_ratio(abandoned, answered + abandoned),
            first_response_s=_ratio(g("frt_sum_s"), g("frt_n")),
            first_responses=round(g("frt_n")),
            aht_s=_ratio(g("aht_sum_s"), g("aht_n")),
            handles_resolved=round(g("aht_n")),
            handles=round(g("handles")),
            handle_time_s=g("handle_sum_s"),
            resolved=round(resolved),
            fcr=_ratio(resolved - fcr_no, resolved),
            fcr_pending=pending,
            transfers=round(g("transfers")),
            transfer_rate=_ratio(g("transferred"), handled),
            holds=round(g("holds")),
            hold_rate=_ratio(g("held"), handled),
            mean_hold_s=_ratio(g("hold_sum_s"), g("holds_done")),
            handled=round(handled),
            reopened=round(g("reopened")),
            csat=_ratio(g("csat_sum"), g("csat_n")),
            csat_pct=_ratio(g("csat_top2"), g("csat_n")),
            csat_responses=round(g("csat_n")),
            quotes=round(g("quotes")),
            quotes_counted=round(counted),
            quotes_broken=round(g("quotes_broken")),
            quotes_pending=round(g("quotes_pending")),
            quotes_held=_ratio(counted - g("quotes_broken"), counted),
        )

    def queue_ids(self) -> list[int]:
        self._flush()
        return sorted({k[0] for k in self._totals if k[0] is not None} | {q for q in self._open if q is not None})


def conversation_row(conv: Conversation, *, queue_names: Mapping[int, str], fcr_reopen_days: float,
                     now: float) -> dict[str, Any]:
    """One conversation as a flat row (``agentdesk report --csv``)."""
    first = conv.first_wait
    counted = conv.counted_quotes()
    first_quote = counted[0][0] if counted else None
    held: bool | None = None
    if counted:
        q, w = counted[0]
        r = quote_report([_quote_outcome(q, w)])
        stats = next(iter(r.values()))
        if stats["counted"]:
            held = stats["broken"] == 0
    return {
        "conversation_id": conv.conversation_id,
        "arrived_at": conv.arrived_at,
        "queue": queue_names.get(conv.queue_id, "" if conv.queue_id is None else str(conv.queue_id)),
        "channel": conv.channel or "",
        "status": conv.status or "",
        "wait_s": None if first is None else first.length,
        "wait_outcome": "" if first is None else (first.outcome or "waiting"),
        "quote_expected_s": None if first_quote is None else first_quote.expected_s,
        "quote_bound_s": None if first_quote is None else first_quote.bound_s,
        "quote_held": held,
        "first_response_s": conv.first_response_s,
        "handle_s": conv.handle_s if any(h.end is not None for h in conv.handles) else None,
        "holds": conv.holds,
        "hold_s": conv.hold_s,
        "transfers": conv.transfers,
        "reopened": len(conv.reopens),
        "disposition": conv.disposition or "",
        "fcr": fcr_outcome(conv, fcr_reopen_days, now) or "",
        "csat": conv.csat,
    }


# ----------------------------------------------------------------------------- over time


class FloorHistory:
    """Queue depth and service level over the last hours, per queue (the monitor's chart).

    Time is cut into ``step_s``-long intervals (buckets). For each queue it keeps the
    depth (customers waiting) at the start of every bucket, the depth now, and per
    bucket the service level of the waits that *ended* in it: answered (met when the
    wait ≤ the queue's target ``T``) or abandoned after ``T`` (missed); short abandons
    count neither way. Seed it with :meth:`seed` (the depth now and the queue movements
    since ``now - span_s``, walked back from now), then keep it current with
    :meth:`decide` (each wait as it ends) and :meth:`sample` (the depth, every second or
    so: a bucket's starting depth is the first sample taken in it).
    """

    def __init__(self, targets: Mapping[int, float], *, span_s: float = 8 * 3600, step_s: float = 60.0) -> None:
        self.targets = dict(targets)
        self.span_s = span_s
        self.step_s = step_s
        self.depth: dict[int, dict[int, int]] = defaultdict(dict)  # queue -> bucket -> depth at its start
        self.depth_now: dict[int, int] = {}
        self.sl: dict[int, dict[int, list[int]]] = defaultdict(dict)  # queue -> bucket -> [met, decided]

    def bucket(self, at: float) -> int:
        return math.floor(at / self.step_s)

    def seed(self, now: float, current: Mapping[int, int], moves: Iterable[tuple[float, int, int]],
             decisions: Iterable[tuple[float, int, float, bool]]) -> None:
        """``current``: waiting now per queue; ``moves``: (at, queue, +1 joined / −1 left)
        after ``now - span_s``; ``decisions``: (at, queue, waited seconds, answered)."""
        first = self.bucket(now - self.span_s)
        last = self.bucket(now)
        by_queue: dict[int, list[tuple[float, int]]] = defaultdict(list)
        for at, qid, delta in moves:
            by_queue[qid].append((at, delta))
        for qid in set(current) | set(by_queue):
            depth = int(current.get(qid, 0))
            self.depth_now[qid] = depth
            evs = sorted(by_queue.get(qid, []), key=lambda e: e[0], reverse=True)
            i = 0
            series = self.depth[qid]
            for b in range(last, first - 1, -1):
                t = b * self.step_s
                while i < len(evs) and evs[i][0] > t:
                    depth -= evs[i][1]
                    i += 1
                series[b] = max(0, depth)
        for at, qid, waited, answered in decisions:
            if self.bucket(at) >= first:
                self.decide(at, qid, waited, answered)

    def decide(self, at: float, qid: int, waited_s: float, answered: bool) -> None:
        """A wait ended at ``at`` after ``waited_s``: answered, or the customer gave up."""
        target = self.targets.get(qid, 60.0)
        if answered:
            met = waited_s <= target
        elif waited_s > target:
            met = False
        else:
            return  # a short abandon: neither met nor missed
        cell = self.sl[qid].setdefault(self.bucket(at), [0, 0])
        cell[0] += int(met)
        cell[1] += 1

    def sample(self, now: float, current: Mapping[int, int]) -> None:
        """The depth now, per queue; a bucket not sampled yet starts at this depth (buckets
        skipped while nobody sampled keep the last known depth)."""
        b = self.bucket(now)
        for qid in set(current) | set(self.depth):
            value = int(current.get(qid, 0))
            series = self.depth[qid]
            if b not in series:
                known = max(series) if series else None
                if known is not None and known < b:
                    for k in range(max(known + 1, self.bucket(now - self.span_s)), b):
                        series[k] = series[known]
                series[b] = value
            self.depth_now[qid] = value
        self.trim(now)

    def trim(self, now: float) -> None:
        first = self.bucket(now - self.span_s) - 1
        for data in (self.depth, self.sl):
            for series in data.values():
                for k in [k for k in series if k < first]:
                    del series[k]

    def series(self, now: float, span_s: float, queue_id: int | None = None
               ) -> tuple[list[int], list[tuple[int, int]]]:
        """For the buckets from the one holding ``now - span_s`` to the one holding now:
        the depth at each bucket's start followed by the depth now (one more value), and
        (met, decided) per bucket. ``queue_id=None`` sums every queue."""
        first = self.bucket(now - span_s)
        last = self.bucket(now)
        n = last - first + 1
        qids = [queue_id] if queue_id is not None else sorted(set(self.depth) | set(self.sl) | set(self.depth_now))
        depth = [0] * (n + 1)
        sl = [(0, 0)] * n
        for qid in qids:
            series = self.depth.get(qid, {})
            for i in range(n):
                depth[i] += series.get(first + i, 0)
            depth[n] += self.depth_now.get(qid, 0)
            cells = self.sl.get(qid, {})
            for i in range(n):
                c = cells.get(first + i)
                if c:
                    m, d = sl[i]
                    sl[i] = (m + c[0], d + c[1])
        return depth, sl


# ----------------------------------------------------------------------------- helpers


def _int(v: Any) -> int | None:
    try:
        return None if v is None else int(v)
    except (TypeError, ValueError):
        return None


def _float(v: Any) -> float | None:
    try:
        return None if v is None else float(v)
    except (TypeError, ValueError):
        return None
