"""Wait quotes for a console (a service over the pure engine in :mod:`agentdesk.queueing`).

:class:`WaitBoard` keeps, per queue, the recent history (handle times, waits,
abandonments) and one :class:`~agentdesk.queueing.Calibration`, quotes every waiting
conversation and a customer arriving now, and records what it quotes:

* at start-up it replays the recent event log through the same backtest the CLI uses
  (``agentdesk waits backtest``), which warms the calibration with the quotes the
  engine *would* have given and their real outcomes, so bounds are honest from the
  first minute instead of "uncalibrated" until enough live outcomes arrive;
* it then follows the change feed: arrivals, claims (served, with their wait),
  abandonments, and the end of handling (resolve, transfer, wrap-up) update the
  history; each conversation's first quote is settled against its outcome and fed
  back to the calibration;
* every conversation's first quote is recorded as a ``wait_quoted`` event (``kind``
  ``first``) with the engine's inputs, and every customer-facing update an agent sends
  as one with ``kind`` ``update`` — the audit ``agentdesk waits report`` reads.

Not thread-safe (nor are the engine's Calibration and QueueHistory): the console uses
one board from one worker at a time.
"""

from __future__ import annotations

import math
import threading
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from operator import itemgetter, neg
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from agentdesk.domain import Change, EventKind

if TYPE_CHECKING:  # pragma: no cover
    from agentdesk.desk import Desk
    from agentdesk.queueing import Quote

WARM_EVENTS = 40_000  # at most this many recent events are replayed at start-up …
WARM_HOURS = 12.0  # … from at most this far back
FIRST_QUOTE_WINDOW_S = 300.0
"""A conversation's first quote is recorded only if it is quoted within this long of
joining the queue: that is the quote given on arrival. Customers already waiting longer
when a console starts are quoted and shown, but not recorded as first quotes (their
arrival moment has passed; recording them would also mean a burst of writes at scale)."""
CHANNEL_NOUNS = {"chat": "chat", "phone": "call", "email": "email", "social": "message"}
HOLD_MIN_SAMPLES = 8


class QuoteBounds(Mapping):
    """Conversation id -> bound, read straight from the engine's quotes (one index per
    quote, shared with :meth:`WaitBoard.quote_for`: no second 100,000-entry dict)."""

    __slots__ = ("_quotes",)

    def __init__(self, quotes: Any) -> None:
        self._quotes = quotes

    def __getitem__(self, cid: int) -> float | None:
        return self._quotes.bound_of(cid)

    def __iter__(self):
        return iter(self._quotes.snapshot.ids)

    def __len__(self) -> int:
        return len(self._quotes.snapshot.ids)


@dataclass(frozen=True)
class QueueBoard:
    """What the console shows for one queue."""

    queue_id: int
    arrival: "Quote"
    bounds: Mapping[int, float | None]


@dataclass
class Board:
    """All queues' quotes at one moment."""

    at: float
    queues: dict[int, QueueBoard] = field(default_factory=dict)

    def bounds(self) -> dict[int, float | None]:
        out: dict[int, float | None] = {}
        for q in self.queues.values():
            out.update(q.bounds)
        return out


class WaitBoard:
    def __init__(self, desk: "Desk", *, coverage: float = 0.9) -> None:
        from agentdesk.queueing import Calibration

        self.desk = desk
        self.coverage = coverage
        self.calibration = Calibration()
        self.histories: dict[int, Any] = {}
        self.queue_names: dict[int, str] = {}
        self.queue_titles: dict[int, str] = {}
        self.queue_ids: dict[str, int] = {}
        self.channels: dict[int, str] = {}  # dominant channel per queue (for the noun)
        self.pending_first: dict[int, dict[str, Any]] = {}  # conversation -> first quote inputs
        self.quoted: dict[int, float] = {}  # recent conversations with a first quote -> enqueued_at
        self.claimed_at: dict[int, float] = {}
        self.held_at: dict[int, tuple[int, float]] = {}
        self.hold_times: dict[int, list[float]] = defaultdict(list)
        self.conv_queue: dict[int, int] = {}
        self._pending: list[Change] = []
        self._lock = threading.Lock()  # guards _pending (fed from the UI thread)
        self._quote_lock = threading.Lock()  # one quote at a time (engine state is not thread-safe)
        self.last: Board | None = None
        self._last_quotes: dict[int, Any] = {}  # queue id -> the engine's QueueQuotes

    # ------------------------------------------------------------------ set-up

    def _history(self, queue_id: int):
        from agentdesk.queueing import QueueHistory

        h = self.histories.get(queue_id)
        if h is None:
            h = self.histories[queue_id] = QueueHistory()
        return h

    def load(self) -> None:
        """Read the queues and warm history and calibration from the recent event log."""
        from agentdesk.desk import _changes
        from agentdesk.queueing.backtest import run_backtest
        from agentdesk.queueing.logfile import LogRecord

        for q in self.desk.queues():
            self.queue_names[q.id] = q.name
            self.queue_titles[q.id] = q.title
            self.queue_ids[q.name] = q.id
            self._history(q.id)
        since = self.desk.clock() - WARM_HOURS * 3600
        records: list[LogRecord] = []
        open_: dict[int, dict[str, Any]] = {}
        settle: list[tuple[int, float, bool]] = []
        with self.desk.store.read() as conn:
            channel_rows = conn.execute(text(
                "SELECT queue_id, channel, count(*) FROM conversation GROUP BY queue_id, channel")).all()
            # Streamed, oldest first: only the state the warm-up needs is kept, not the rows.
            result = conn.execute(text(
                "SELECT id, kind, conversation_id, agent_id, at, data FROM (SELECT id, kind, conversation_id, "
                "agent_id, at, data FROM event WHERE at > :since AND kind IN ('arrived', 'claimed', 'abandoned', "
                "'resolved', 'transferred', 'wrap_up', 'reopened', 'held', 'resumed', 'wait_quoted') "
                "ORDER BY id DESC LIMIT :n) recent ORDER BY id"), {"n": WARM_EVENTS, "since": since})
            for row in result:
                c = _changes((row,))[0]
                self._warm(c, open_, records, settle)
        best: dict[int, tuple[int, str]] = {}
        for qid, channel, n in channel_rows:
            if n > best.get(qid, (0, ""))[0]:
                best[qid] = (n, channel)
        self.channels = {qid: ch for qid, (_n, ch) in best.items()}
        records.sort(key=lambda r: r.arrived)
        valid = [LogRecord(r.id, r.queue, r.arrived, r.answered, r.ended if (r.ended or 0) > (r.answered or 0)
                           else (r.answered + 1 if r.answered is not None else None), r.abandoned_at, r.agent,
                           r.priority)
                 for r in records if r.queue]
        if valid:
            try:
                run_backtest(valid, coverage=self.coverage, calibration=self.calibration)
            except ValueError:
                pass  # an odd history only means a colder start
        for r in valid:
            qid = self.queue_ids.get(r.queue)
            if qid is None:
                continue
            h = self._history(qid)
            h.record_arrival(r.arrived, r.priority)
            if r.answered is not None:
                h.record_served(r.answered, r.answered - r.arrived)
                if r.ended is not None:
                    h.record_handled(r.ended, r.ended - r.answered)
            elif r.abandoned_at is not None:
                h.record_abandoned(r.abandoned_at, r.abandoned_at - r.arrived)
        # settle the first quotes already decided in the window
        for cid, at, served in settle:
            inputs = self.pending_first.pop(cid, None)
            if inputs is not None and float(inputs.get("at", 0)) <= at:
                self.calibration.observe(inputs, at, served)
        # only conversations still open need their queue remembered
        self.conv_queue = {cid: seg["queue_id"] for cid, seg in open_.items()}

    def _warm(self, c: Change, open_: dict[int, dict[str, Any]], records: list, settle: list) -> None:
        """One event of the warm-up: contact segments for the backtest, holds, first quotes."""
        cid = c.conversation_id
        if cid is None:
            return
        if c.kind == EventKind.WAIT_QUOTED:
            if c.data.get("kind") == "first":
                self.quoted[cid] = float(c.data.get("at", c.at))
                self.pending_first.setdefault(cid, dict(c.data))
            return
        if c.kind in (EventKind.CLAIMED, EventKind.ABANDONED) and cid in self.pending_first:
            settle.append((cid, c.at, c.kind == EventKind.CLAIMED))
        seg = open_.get(cid)
        if c.kind in (EventKind.ARRIVED, EventKind.REOPENED, EventKind.TRANSFERRED):
            if c.kind == EventKind.TRANSFERRED and seg is not None and seg.get("answered") is not None:
                seg["ended"] = c.at
                records.append(_record(cid, seg, self.queue_names))
            qid = c.data.get("to_queue_id") if c.kind == EventKind.TRANSFERRED else c.data.get("queue_id")
            if qid is None and seg is not None:
                qid = seg["queue_id"]
            if qid is None:
                return
            open_[cid] = {"queue_id": int(qid), "arrived": c.at, "answered": None, "ended": None,
                          "abandoned": None, "agent": None, "priority": int(c.data.get("priority", 0) or 0),
                          "n": (seg or {}).get("n", 0) + 1}
        elif seg is None:
            return
        elif c.kind == EventKind.CLAIMED and seg["answered"] is None:
            seg["answered"] = c.at
            seg["agent"] = str(c.agent_id)
            self.claimed_at[cid] = c.at
        elif c.kind == EventKind.ABANDONED and seg["answered"] is None:
            seg["abandoned"] = c.at
            records.append(_record(cid, seg, self.queue_names))
            open_.pop(cid, None)
        elif c.kind in (EventKind.RESOLVED, EventKind.WRAP_UP) and seg["answered"] is not None:
            if seg["ended"] is None:
                seg["ended"] = c.at
                records.append(_record(cid, seg, self.queue_names))
                self.claimed_at.pop(cid, None)
            if c.kind == EventKind.RESOLVED:
                open_.pop(cid, None)
        elif c.kind == EventKind.HELD:
            self.held_at[cid] = (seg["queue_id"], c.at)
        elif c.kind == EventKind.RESUMED and cid in self.held_at:
            qid, since = self.held_at.pop(cid)
            self.hold_times[qid].append(c.at - since)

    # ------------------------------------------------------------------ live

    def feed(self, changes: Iterable[Change]) -> None:
        """Queue changes from the feed (any thread); applied at the next :meth:`quote`."""
        with self._lock:
            self._pending.extend(changes)

    def _apply(self) -> None:
        with self._lock:
            changes, self._pending = self._pending, []
        for c in changes:
            cid = c.conversation_id
            if cid is None:
                continue
            kind = c.kind
            if kind == EventKind.ARRIVED:
                qid = int(c.data.get("queue_id", 0))
                self.conv_queue[cid] = qid
                self._history(qid).record_arrival(c.at, int(c.data.get("priority", 0) or 0))
            elif kind == EventKind.TRANSFERRED:
                self._end_handling(cid, c.at)
                qid = int(c.data.get("to_queue_id", 0))
                self.conv_queue[cid] = qid
                self._history(qid).record_arrival(c.at, 0)
            elif kind == EventKind.CLAIMED:
                qid = int(c.data.get("queue_id", self.conv_queue.get(cid, 0)))
                self._history(qid).record_served(c.at, float(c.data.get("waited_s", 0.0)))
                self.claimed_at[cid] = c.at
                self._settle(cid, c.at, True)
            elif kind == EventKind.ABANDONED:
                qid = self.conv_queue.pop(cid, None)
                if qid is not None:
                    self._history(qid).record_abandoned(c.at, float(c.data.get("waited_s", 0.0)))
                self._settle(cid, c.at, False)
            elif kind in (EventKind.RESOLVED, EventKind.WRAP_UP):
                self._end_handling(cid, c.at)
                if kind == EventKind.RESOLVED:
                    self.conv_queue.pop(cid, None)  # done: nothing more to attribute
            elif kind == EventKind.HELD:
                qid = self.conv_queue.get(cid)
                if qid is not None:
                    self.held_at[cid] = (qid, c.at)
            elif kind == EventKind.RESUMED and cid in self.held_at:
                qid, since = self.held_at.pop(cid)
                self.hold_times[qid].append(c.at - since)
            elif kind == EventKind.WAIT_QUOTED and c.data.get("kind") == "first":
                self.quoted[cid] = float(c.data.get("at", c.at))

    def _end_handling(self, cid: int, at: float) -> None:
        start = self.claimed_at.pop(cid, None)
        qid = self.conv_queue.get(cid)
        if start is not None and qid is not None and at > start:
            self._history(qid).record_handled(at, at - start)

    def _settle(self, cid: int, at: float, served: bool) -> None:
        inputs = self.pending_first.pop(cid, None)
        if inputs is not None and float(inputs.get("at", 0)) <= at:
            self.calibration.observe(inputs, at, served)

    # ------------------------------------------------------------------ quoting

    def agent_states(self) -> dict[int, dict[str, int]]:
        """Per queue: how many staffed agents are available, busy and away."""
        agents = self.desk.agents()
        with self.desk.store.read() as conn:
            busy = {r[0]: r[1] for r in conn.execute(text(
                "SELECT assignee_id, count(*) FROM conversation WHERE assignee_id IS NOT NULL "
                "AND status IN ('active', 'on_hold', 'wrap_up') GROUP BY assignee_id"))}
        out: dict[int, dict[str, int]] = {qid: {"available": 0, "busy": 0, "away": 0} for qid in self.queue_names}
        for a in agents:
            if a.status == "offline":
                continue
            state = "away" if a.status == "away" else ("busy" if busy.get(a.id) else "available")
            for qid in (a.queue_ids or tuple(self.queue_names)):
                if qid in out:
                    out[qid][state] += 1
        return out

    def quote(self, keys_by_queue: dict[int, Sequence[tuple[int, float, int]]], *, now: float | None = None,
              record: bool = True) -> Board:
        """Quote every waiting conversation. ``keys_by_queue``: per queue, the queue's
        sort keys ``(-priority, enqueued_at, id)`` in queue order."""
        with self._quote_lock:
            return self._quote(keys_by_queue, now=now, record=record)

    def _quote(self, keys_by_queue: dict[int, Sequence[tuple[int, float, int]]], *, now: float | None,
               record: bool) -> Board:
        from agentdesk.queueing import WaitingColumns, make_snapshot, quote_queue

        self._apply()
        now = self.desk.clock() if now is None else now
        states = self.agent_states()
        board = Board(at=now)
        first: list[tuple[str, int | None, int | None, dict[str, Any]]] = []
        fresh_since = now - FIRST_QUOTE_WINDOW_S
        for cid in [c for c, enq in self.quoted.items() if enq < fresh_since]:
            del self.quoted[cid]  # past the window: the enqueue time alone keeps it out
        for qid, name in self.queue_names.items():
            keys = keys_by_queue.get(qid, ())
            waiting = WaitingColumns(tuple(map(itemgetter(2), keys)), tuple(map(itemgetter(1), keys)),
                                     tuple(map(neg, map(itemgetter(0), keys))))
            snap = make_snapshot(name, now, waiting, states.get(qid, {}), self._history(qid).summary(now),
                                 noun=CHANNEL_NOUNS.get(self.channels.get(qid, "chat"), "chat"),
                                 label=self.queue_titles.get(qid), ordered=True)
            quotes = quote_queue(snap, coverage=self.coverage, calibration=self.calibration)
            board.queues[qid] = QueueBoard(qid, quotes.arrival, QuoteBounds(quotes))
            for i, (cid, enqueued) in enumerate(zip(snap.ids, snap.enqueued)):
                if enqueued < fresh_since or cid in self.quoted:
                    continue  # its arrival quote was given (or its arrival is long past)
                self.quoted[cid] = enqueued
                self.conv_queue.setdefault(cid, qid)
                q = quotes.at_index(i)
                self.pending_first[cid] = dict(q.inputs)
                first.append((EventKind.WAIT_QUOTED, cid, None, _event_data(q, "first")))
            self._last_quotes[qid] = quotes
        if record and first:
            for start in range(0, len(first), 500):
                self.desk.record_many(first[start:start + 500], at=now)
        self.last = board
        return board

    def quote_for(self, conversation_id: int) -> "Quote | None":
        """The latest quote for one waiting conversation (from the last :meth:`quote`)."""
        quotes_by_queue = dict(self._last_quotes)
        qid = self.conv_queue.get(conversation_id)
        if qid is not None and qid in quotes_by_queue:
            try:
                return quotes_by_queue[qid][conversation_id]
            except KeyError:
                pass
        for quotes in quotes_by_queue.values():
            try:
                return quotes[conversation_id]
            except KeyError:
                continue
        return None

    def hold_bound(self, queue_id: int) -> float | None:
        """The hold length that held for ``coverage`` of recent holds on this queue (None:
        too few holds to say honestly)."""
        with self._quote_lock:
            times = sorted(self.hold_times.get(queue_id, ())[-300:])
        if len(times) < HOLD_MIN_SAMPLES:
            return None
        k = min(len(times) - 1, math.ceil(self.coverage * (len(times) + 1)) - 1)
        return times[k]


def _event_data(q: "Quote", kind: str) -> dict[str, Any]:
    data = dict(q.inputs)
    data.update({"kind": kind, "expected_s": q.expected_s, "bound_s": q.bound_s, "position": q.position,
                 "reason": q.reason, "status": q.status, "conversation_id": q.conversation_id})
    return data


def _record(cid: int, seg: dict[str, Any], names: dict[int, str]):
    from agentdesk.queueing.logfile import LogRecord

    return LogRecord(id=f"{cid}-{seg['n']}", queue=names.get(seg["queue_id"], ""), arrived=seg["arrived"],
                     answered=seg["answered"], ended=seg["ended"], abandoned_at=seg["abandoned"],
                     agent=seg["agent"], priority=seg["priority"])


def record_update(desk: "Desk", agent_id: int, conversation_id: int, q: "Quote") -> None:
    """Record a customer-facing update quote (``wait_quoted`` with ``kind`` ``update``)."""
    desk.record(EventKind.WAIT_QUOTED, conversation_id=conversation_id, agent_id=agent_id,
                data=_event_data(q, "update"))


def hold_update(first_name: str, reason: str | None, bound_s: float | None) -> str:
    """A customer-facing note for a conversation on hold, honest about what we know."""
    doing = (reason or "looking into this").strip().rstrip(".")
    doing = doing[0].lower() + doing[1:] if doing else "looking into this"
    if bound_s is None:
        return (f"Thanks for holding, {first_name}. I'm still {doing}. I'll update you as soon as I have "
                "news, and I won't leave you waiting without one.")
    return (f"Thanks for holding, {first_name}. I'm still {doing}. I'll be back with you within "
            f"{bound_words(bound_s)}.")


def bound_words(bound_s: float) -> str:
    """An upper bound in whole minutes, rounded up: "1 minute", "6 minutes"."""
    minutes = max(1, math.ceil(bound_s / 60.0 - 1e-9))
    return f"{minutes} minute" if minutes == 1 else f"{minutes} minutes"


__all__ = ["Board", "QueueBoard", "WaitBoard", "bound_words", "hold_update", "record_update"]


def quote_audit(desk: "Desk", since: float | None = None, queue: str | None = None
                ) -> dict[str, dict[str, float | int | None]]:
    """How the quotes given held, per queue (the ``agentdesk waits report`` figures).

    Counted quotes: each conversation's first quote (``kind`` ``first``; the earliest if
    several consoles quoted it) and every customer-facing update (``kind`` ``update``).
    A quote is settled by the first claim (served) or abandonment after it; coverage is
    censor-aware — a customer who gave up before the bound is left out, one who gave up
    after it is a broken promise (see docs/wait-quotes.md).
    """
    from agentdesk.desk import _changes
    from agentdesk.queueing.report import from_inputs, quote_report

    since = 0.0 if since is None else since
    with desk.store.read() as conn:
        quoted = _changes(conn.execute(text(
            "SELECT id, kind, conversation_id, agent_id, at, data FROM event "
            "WHERE kind = 'wait_quoted' AND at >= :since ORDER BY id"), {"since": since}).all())
    firsts: dict[int, Change] = {}
    updates: list[Change] = []
    for c in quoted:
        if c.conversation_id is None or "at" not in c.data:
            continue
        if queue is not None and c.data.get("queue") != queue:
            continue
        if c.data.get("kind") == "update":
            updates.append(c)
        elif c.conversation_id not in firsts or float(c.data["at"]) < float(firsts[c.conversation_id].data["at"]):
            firsts[c.conversation_id] = c
    chosen = list(firsts.values()) + updates
    ids = sorted({c.conversation_id for c in chosen if c.conversation_id is not None})
    outcomes: dict[int, list[tuple[float, bool]]] = defaultdict(list)
    with desk.store.read() as conn:
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            params = {f"i{k}": v for k, v in enumerate(chunk)}
            marks = ", ".join(f":i{k}" for k in range(len(chunk)))
            for cid, kind, at in conn.execute(text(
                    f"SELECT conversation_id, kind, at FROM event WHERE conversation_id IN ({marks}) "
                    "AND kind IN ('claimed', 'abandoned') ORDER BY id"), params):
                outcomes[cid].append((at, kind == "claimed"))
    items = []
    for c in chosen:
        at = float(c.data["at"])
        settled = next(((o_at, served) for o_at, served in outcomes.get(c.conversation_id, ()) if o_at >= at),
                       (None, None))
        items.append(from_inputs(c.data, settled[0], settled[1]))
    return quote_report(items)
