"""The supervisor's read side: a live model of the floor, fed by the change feed, and the
report behind ``agentdesk report``.

Read-only by construction. :meth:`Monitor.open` opens the store with
``readonly=True`` (SQLite: ``mode=ro``, ``PRAGMA query_only``, an authorizer that
denies every write, ``ATTACH``/``DETACH`` and ``PRAGMA`` assignments; PostgreSQL:
``default_transaction_read_only``) and, on PostgreSQL, also starts every transaction
with ``SET TRANSACTION READ ONLY`` — so even ``SET default_transaction_read_only = off``
earlier on the same connection leaves the next transaction read-only. The first layer on
PostgreSQL is a SELECT-only role (see ``docs/monitor.md``); when the role can write,
:attr:`Monitor.warning` says so and the wallboard shows it. Nothing here calls
``Store.write()`` (it raises on a read-only store), nothing writes an event.

Threading: one worker thread owns a :class:`Monitor` (``load``, ``poll``); the other
methods only read through the thread-safe :class:`~agentdesk.desk.Desk` and may be called
from any worker. Screens receive immutable :class:`Board` snapshots.

What is live and how (no rescans per tick):

* waiting counts and the longest wait per queue: per-queue sorted lists of
  ``(enqueued_at, id)``, updated from the conversations each change names;
* agents: status from ``agent_status`` events, current conversation from the changed
  conversations' rows, *handled today* = their ``resolved`` and ``transferred`` events
  since local midnight;
* escalations: open (waiting, active, on hold, wrap-up) conversations whose current
  tone is ``upset`` or ``hostile``, with the evidence words of their latest ``tone``
  event;
* service figures: a :class:`~agentdesk.metrics.MetricsBook` for today's cohort (the
  conversations that arrived since local midnight), fed event by event;
* the chart: a :class:`~agentdesk.metrics.FloorHistory` seeded from the last 8 hours of
  queue movements and sampled as the board is rebuilt.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from agentdesk.domain import TONE_SEVERITY, AgentInfo, Change, MessageView, QueueInfo, WaitingRow
from agentdesk.metrics import FloorHistory, Metrics, MetricsBook, conversation_row
from agentdesk.safetext import sanitize

if TYPE_CHECKING:  # pragma: no cover
    from agentdesk.desk import Desk
    from agentdesk.domain import ConversationView
    from agentdesk.store.db import Store

OPEN = ("active", "on_hold", "wrap_up")
ESCALATE = ("upset", "hostile")
METRIC_KINDS = ("arrived", "claimed", "message", "held", "resumed", "wrap_up", "transferred", "resolved",
                "reopened", "abandoned", "csat", "wait_quoted")
STATE_KINDS = ("claimed", "held", "resumed", "wrap_up", "reopened")
CHART_SPAN_S = 8 * 3600.0
CHART_STEP_S = 60.0
BREACH_MIN_DECIDED = 5
"""A queue is in breach only once its service level today rests on this many waits."""
BOARD_EVERY_S = 1.0
ALERT_LOG = 200

ACTIVITY = {"active": "busy", "on_hold": "on hold", "wrap_up": "wrap-up"}


# ----------------------------------------------------------------------------- board


@dataclass(frozen=True, slots=True)
class QueueRow:
    """One queue on the wallboard (``id`` None: every queue)."""

    id: int | None
    name: str
    title: str
    target_s: int
    goal: float
    waiting: int
    oldest_enqueued_at: float | None
    metrics: Metrics
    breach: bool = False


@dataclass(frozen=True, slots=True)
class AgentRow:
    id: int
    name: str
    display_name: str
    status: str  # available / away / offline
    activity: str | None  # busy / on hold / wrap-up: an available agent holding a conversation; else None
    since: float
    conversation_id: int | None
    customer: str | None
    others: int  # further open conversations
    handled_today: int
    simulated: bool = False

    @property
    def state(self) -> str:
        return self.activity or self.status

    @property
    def sort_key(self) -> tuple:
        return (self.status == "offline", self.display_name.lower(), self.id)


@dataclass(frozen=True, slots=True)
class EscalationRow:
    id: int
    level: str  # upset / hostile
    status: str
    queue_id: int
    enqueued_at: float
    customer: str
    assignee: str | None
    evidence: tuple[str, ...]
    summary: str
    tone_at: float | None

    @property
    def severity(self) -> int:
        return TONE_SEVERITY.get(self.level, 0)

    @property
    def sort_key(self) -> tuple:
        return (-self.severity, self.enqueued_at, self.id)


@dataclass(frozen=True, slots=True)
class Alert:
    at: float
    kind: str  # "queue" | "hostile" | "recovered"
    text: str
    queue_id: int | None = None
    conversation_id: int | None = None


@dataclass(frozen=True, slots=True)
class Chart:
    """Per queue (None: all queues), the last ``CHART_SPAN_S`` in ``step_s`` buckets:
    depth at each bucket's start plus the depth now, and (met, decided) per bucket."""

    now: float
    step_s: float
    series: Mapping[int | None, tuple[tuple[int, ...], tuple[tuple[int, int], ...]]]


@dataclass(frozen=True)
class Board:
    """Everything the wallboard shows at one moment (immutable; made by the worker)."""

    at: float
    queues: tuple[QueueRow, ...]
    total: QueueRow
    agents: tuple[AgentRow, ...]
    escalation_upserts: tuple[EscalationRow, ...]
    escalation_removals: tuple[int, ...]
    escalations_full: bool
    alerts: tuple[Alert, ...]  # active now
    new_alerts: tuple[Alert, ...]  # raised since the last board
    chart: Chart
    changed: frozenset[int] = frozenset()  # conversations changed since the last board
    waiting_upserts: tuple[WaitingRow, ...] = ()
    waiting_removals: tuple[int, ...] = ()
    waiting_lists: Mapping[int, tuple[WaitingRow, ...]] = field(default_factory=dict)
    warning: str | None = None
    day_start: float = 0.0
    figures_ready: bool = True
    """False on the first board: the service figures, each agent's count of the day and
    the chart are still being read (they follow in the next board)."""


@dataclass
class _Open:
    agent_id: int
    status: str
    since: float
    customer: str


@dataclass
class _Agent:
    info: AgentInfo
    status: str
    since: float


# ----------------------------------------------------------------------------- the monitor


class Monitor:
    """The live floor model over a read-only store (see the module docstring)."""

    def __init__(self, store: "Store", *, clock: Callable[[], float] = time.time,
                 monotonic: Callable[[], float] = time.monotonic, fcr_reopen_days: float = 7) -> None:
        from agentdesk.desk import Desk

        if not store.readonly:
            raise ValueError("the monitor needs a read-only store (Store.open(..., readonly=True))")
        self.store = store
        self.desk: "Desk" = Desk(store, clock=clock, tone_fn=None)
        self.clock = clock
        self.monotonic = monotonic
        self.fcr_reopen_days = fcr_reopen_days
        self.warning: str | None = None
        self.feed: Any = None
        self.queues: dict[int, QueueInfo] = {}
        self._agents: dict[int, _Agent] = {}
        self._waiting: dict[int, list[tuple[float, int]]] = {}
        self._waiting_of: dict[int, tuple[int, float]] = {}
        self._open: dict[int, _Open] = {}
        self._escalations: dict[int, EscalationRow] = {}
        self._esc_upserts: dict[int, EscalationRow] = {}
        self._esc_removals: set[int] = set()
        self._tone: dict[int, str | None] = {}
        self._handled: dict[int, int] = {}
        self._last_end: dict[int, float] = {}
        self._changed: set[int] = set()
        self._waiting_upserts: dict[int, WaitingRow] = {}
        self._waiting_removals: set[int] = set()
        self._requests: set[int] = set()
        self._requests_lock = threading.Lock()
        self._breach: dict[int, bool] = {}
        self._new_alerts: list[Alert] = []
        self.alert_log: deque[Alert] = deque(maxlen=ALERT_LOG)
        self.book: MetricsBook | None = None
        self.history: FloorHistory | None = None
        self._upto = 0  # every event up to this id is reflected in the model
        self._preloaded: set[int] = set()
        self.day_start = 0.0
        self._loaded = False
        self._first_board = True
        self._last_board = -1e18

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(cls, db: str | None, *, clock: Callable[[], float] = time.time,
             fcr_reopen_days: float = 7) -> "Monitor":
        """Open ``db`` read-only (the only way the monitor touches a database)."""
        from agentdesk.store.db import Store

        store = Store.open(db, readonly=True)
        try:
            if store.backend == "postgresql":
                lock_transactions_read_only(store)
            monitor = cls(store, clock=clock, fcr_reopen_days=fcr_reopen_days)
            monitor.warning = role_warning(store)
        except BaseException:
            store.close()
            raise
        return monitor

    def close(self) -> None:
        if self.feed is not None:
            self.feed.close()
        self.store.close()

    # ------------------------------------------------------------------ loading

    def load(self) -> Board:
        """Read who waits, the agents and the escalations (quick, indexed queries) and return
        the first board; the day's figures and the chart follow with :meth:`load_figures`."""
        from agentdesk.live import ChangeFeed

        self.feed = ChangeFeed.start(self.desk)  # before the rows, so no change falls between
        self._upto = self.feed.last_id
        self._load_queues()
        self._load_agents()
        self._load_conversations()
        self._loaded = True
        return self.board(force=True)

    def load_figures(self) -> Board:
        """Read today's events (the service figures, each agent's finished conversations)
        and the last hours of queue movements (the chart); return the board with them."""
        now = self.clock()
        self._start_day(now)
        self._seed_history(now)
        return self.board()

    @property
    def figures_ready(self) -> bool:
        return self.book is not None and self.history is not None

    def _load_queues(self) -> None:
        self.queues = {q.id: q for q in self.desk.queues()}
        for qid in self.queues:
            self._waiting.setdefault(qid, [])
        targets = {q.id: q.sl_target_s for q in self.queues.values()}
        if self.book is not None:
            self.book.set_targets(targets)
        if self.history is not None:
            self.history.targets = targets

    def _load_agents(self) -> None:
        known = self._agents
        self._agents = {}
        for a in self.desk.agents():
            old = known.get(a.id)
            if old is not None and old.since > a.status_since:
                self._agents[a.id] = _Agent(a, old.status, old.since)
            else:
                self._agents[a.id] = _Agent(a, a.status, a.status_since)

    def _load_conversations(self) -> None:
        from sqlalchemy import text

        with self.store.read() as conn:
            waiting = conn.execute(text(
                "SELECT id, queue_id, enqueued_at FROM conversation WHERE status = 'waiting'")).all()
            rows = conn.execute(text(
                _STATE_SELECT + "WHERE c.status IN ('active', 'on_hold', 'wrap_up') "
                "OR (c.status = 'waiting' AND c.tone IN ('upset', 'hostile'))")).all()
        self._waiting = {qid: [] for qid in self.queues}
        self._waiting_of = {}
        for cid, qid, enq in waiting:
            self._waiting.setdefault(qid, []).append((float(enq), int(cid)))
            self._waiting_of[int(cid)] = (int(qid), float(enq))
        for lst in self._waiting.values():
            lst.sort()
        self._open = {}
        self._escalations = {}
        self._tone = {}
        self._apply_state_rows(rows, initial=True)
        open_ids = list(self._open)
        if open_ids:
            for cid, at in self._query_in(
                    "SELECT conversation_id, max(at) FROM event WHERE conversation_id IN :ids "
                    "AND kind IN ('claimed', 'held', 'resumed', 'wrap_up', 'reopened') GROUP BY conversation_id",
                    open_ids):
                if cid in self._open and at is not None:
                    self._open[cid].since = float(at)
        self._refresh_evidence([cid for cid, row in self._escalations.items()])

    def _start_day(self, now: float) -> None:
        """Today's cohort and per-agent counts (since local midnight)."""
        self.day_start = local_midnight(now)
        self._breach = {}  # a new day starts without yesterday's breaches (and announces none)
        targets = {q.id: q.sl_target_s for q in self.queues.values()}
        # Everything up to event ``_upto`` is read here; later events arrive through the
        # feed and are counted there, once.
        upto = self._upto
        book = MetricsBook(targets, since=self.day_start, fcr_reopen_days=self.fcr_reopen_days)
        feed_cohort(self.store, book, self.day_start, None, upto=upto)
        self.book = book
        from sqlalchemy import text

        self._handled = {}
        self._last_end = {}
        with self.store.read() as conn:
            for aid, n, last in conn.execute(text(
                    "SELECT agent_id, count(*), max(at) FROM event WHERE kind IN ('resolved', 'transferred') "
                    "AND at >= :since AND id <= :upto AND agent_id IS NOT NULL GROUP BY agent_id"),
                    {"since": self.day_start, "upto": upto}):
                self._handled[int(aid)] = int(n)
                self._last_end[int(aid)] = float(last)
        self._note_preloaded(("resolved", "transferred"), upto)

    def _seed_history(self, now: float) -> None:
        targets = {q.id: q.sl_target_s for q in self.queues.values()}
        history = FloorHistory(targets, span_s=CHART_SPAN_S, step_s=CHART_STEP_S)
        start = (history.bucket(now - CHART_SPAN_S)) * CHART_STEP_S
        counts, moves, decisions = load_movements(self.store, start, upto=self._upto)
        history.seed(now, {**{q: 0 for q in self.queues}, **counts}, moves, decisions)
        self.history = history
        self._note_preloaded(("claimed", "abandoned"), self._upto)

    def _note_preloaded(self, kinds: Sequence[str], upto: int) -> None:
        """On PostgreSQL an id below the feed's start may commit late: the feed delivers it
        then. Remember which of those recent ids the loads already counted, so such an
        event is counted once either way."""
        from agentdesk.live import START_WINDOW

        rows = self._query_in(
            f"SELECT id FROM event WHERE id > {int(upto) - START_WINDOW} AND id <= {int(upto)} AND kind IN :ids",
            list(kinds))
        self._preloaded.update(int(r[0]) for r in rows)

    # ------------------------------------------------------------------ live

    def request_waiting(self, queue_id: int) -> None:
        """Ask for the full waiting list of a queue in the next board (any thread)."""
        with self._requests_lock:
            self._requests.add(queue_id)

    def poll(self) -> Board | None:
        """Apply what changed since the last poll; a board when something changed, a
        waiting list was asked for, or a second has passed (figures move with time)."""
        delta = self.feed.poll(with_rows=False)
        if delta is not None:
            self.apply(delta.changes)
        with self._requests_lock:
            asked = bool(self._requests)
        if delta is not None or asked or self.monotonic() - self._last_board >= BOARD_EVERY_S:
            return self.board()
        return None

    def apply(self, changes: Sequence[Change]) -> None:
        """Fold changes into the model (called by :meth:`poll`; public for tests)."""
        now = self.clock()
        if self.book is not None and local_midnight(now) != self.day_start:
            self._start_day(now)  # reads up to ``_upto``: this batch is counted below
        cids: set[int] = set()
        reload_agents = False
        reload_queues = False
        rebuild: set[int] = set()
        turned_hostile: list[tuple[float, int]] = []
        for ch in changes:
            cid = ch.conversation_id
            self._upto = max(self._upto, ch.event_id)
            if self.book is not None and not self.book.add(ch) and cid is not None:
                rebuild.add(cid)
            if cid is not None:
                cids.add(cid)
            aid = ch.agent_id
            if aid is not None and aid not in self._agents:
                reload_agents = True
            kind = ch.kind
            data = ch.data or {}
            counted = ch.event_id in self._preloaded  # already in what the loads read
            if kind == "agent_status" and aid in self._agents:
                a = self._agents[aid]
                a.status, a.since = str(data.get("status", a.status)), float(ch.at)
            elif (kind in ("resolved", "transferred") and aid is not None and ch.at >= self.day_start
                  and self.book is not None and not counted):
                self._handled[aid] = self._handled.get(aid, 0) + 1
                self._last_end[aid] = max(self._last_end.get(aid, 0.0), float(ch.at))
            if kind == "claimed":
                qid = _int(data.get("queue_id"))
                if qid is not None and qid not in self.queues:
                    reload_queues = True
                if qid is not None and self.history is not None and not counted:
                    self.history.decide(ch.at, qid, float(data.get("waited_s") or 0.0), True)
            elif kind == "abandoned" and cid is not None and self.history is not None and not counted:
                where = self._waiting_of.get(cid)
                if where is not None:
                    self.history.decide(ch.at, where[0], float(data.get("waited_s") or 0.0), False)
            elif kind == "arrived":
                qid = _int(data.get("queue_id"))
                if qid is not None and qid not in self.queues:
                    reload_queues = True
            elif kind == "tone" and cid is not None:
                level = data.get("level")
                if level == "hostile" and self._tone.get(cid) != "hostile" and self._loaded:
                    turned_hostile.append((float(ch.at), cid))
        if reload_queues:
            self._load_queues()
        if reload_agents:
            self._load_agents()
        for cid in rebuild:
            assert self.book is not None
            self.book.replace(cid, load_conversation_events(self.store, cid))
        if cids:
            self._refresh_conversations(cids, changes)
        for at, cid in turned_hostile:
            row = self._escalations.get(cid)
            if row is None or row.level != "hostile":
                continue  # calmed down again in the same batch, or already closed
            queue = self.queues.get(row.queue_id)
            words = ", ".join(f"“{w}”" for w in row.evidence[:3])
            text_ = f"#{cid} {row.customer} ({queue.name if queue else '?'}) turned hostile" + (
                f": {words}" if words else "")
            self._raise(Alert(at, "hostile", text_, row.queue_id, cid))
        self._changed |= cids

    def _refresh_conversations(self, cids: set[int], changes: Sequence[Change]) -> None:
        ids = sorted(cids)
        rows = self._query_in(_STATE_SELECT + "WHERE c.id IN :ids", ids)
        seen = {int(r[0]) for r in rows}
        for cid in ids:
            if cid not in seen:  # gone (never happens with an append-only log): drop it
                self._drop(cid)
        self._apply_state_rows(rows, initial=False)
        # time in state: the changes themselves say when a conversation changed state
        for ch in changes:
            if ch.kind in STATE_KINDS and ch.conversation_id in self._open:
                o = self._open[ch.conversation_id]
                o.since = max(o.since, float(ch.at)) if ch.kind != "claimed" else float(ch.at)
        toned = [ch.conversation_id for ch in changes
                 if ch.kind == "tone" and ch.conversation_id in self._escalations]
        fresh = [cid for cid in self._esc_upserts if cid in self._escalations and not self._escalations[cid].evidence]
        self._refresh_evidence(sorted(set(toned) | set(fresh)))

    def _apply_state_rows(self, rows: Iterable[Sequence[Any]], *, initial: bool) -> None:
        for r in rows:
            (cid, status, qid, priority, enq, assignee, tone, channel, preview, customer, tier,
             claimed_at, assignee_name) = r
            cid, qid, enq = int(cid), int(qid), float(enq)
            customer = str(customer)
            # waiting lines
            old = self._waiting_of.get(cid)
            if status == "waiting":
                if old != (qid, enq):
                    if old is not None:
                        _remove_sorted(self._waiting.setdefault(old[0], []), (old[1], cid))
                    _insert_sorted(self._waiting.setdefault(qid, []), (enq, cid))
                    self._waiting_of[cid] = (qid, enq)
                if not initial:
                    self._waiting_upserts[cid] = WaitingRow(cid, qid, int(priority), enq, customer, channel,
                                                            preview or "", tone, tier)
                    self._waiting_removals.discard(cid)
            else:
                if old is not None:
                    _remove_sorted(self._waiting.setdefault(old[0], []), (old[1], cid))
                    del self._waiting_of[cid]
                if not initial:
                    self._waiting_removals.add(cid)
                    self._waiting_upserts.pop(cid, None)
            # agents' open conversations
            if status in OPEN and assignee is not None:
                prev = self._open.get(cid)
                since = float(claimed_at) if claimed_at is not None else enq
                if prev is not None and prev.agent_id == int(assignee):
                    prev.status, prev.customer = status, customer
                else:
                    self._open[cid] = _Open(int(assignee), status, since, customer)
            else:
                self._open.pop(cid, None)
            # escalations
            if status in ("waiting", *OPEN) and tone in ESCALATE:
                prev_row = self._escalations.get(cid)
                row = EscalationRow(
                    id=cid, level=tone, status=status, queue_id=qid, enqueued_at=enq, customer=customer,
                    assignee=assignee_name if status in OPEN else None,
                    evidence=prev_row.evidence if prev_row is not None and prev_row.level == tone else (),
                    summary=prev_row.summary if prev_row is not None and prev_row.level == tone else "",
                    tone_at=prev_row.tone_at if prev_row is not None else None,
                )
                if row != prev_row:
                    self._escalations[cid] = row
                    self._esc_upserts[cid] = row
                    self._esc_removals.discard(cid)
            elif cid in self._escalations:
                del self._escalations[cid]
                self._esc_upserts.pop(cid, None)
                self._esc_removals.add(cid)
            if status == "waiting" or status in OPEN:
                self._tone[cid] = tone
            else:
                self._tone.pop(cid, None)

    def _drop(self, cid: int) -> None:
        old = self._waiting_of.pop(cid, None)
        if old is not None:
            _remove_sorted(self._waiting.setdefault(old[0], []), (old[1], cid))
        self._open.pop(cid, None)
        if self._escalations.pop(cid, None) is not None:
            self._esc_removals.add(cid)
        self._waiting_removals.add(cid)

    def _refresh_evidence(self, cids: Sequence[int]) -> None:
        """The latest tone event of these conversations: its summary and evidence words."""
        if not cids:
            return
        tone_rows = self._query_in(
            "SELECT conversation_id, at, data FROM event WHERE id IN (SELECT max(id) FROM event "
            "WHERE kind = 'tone' AND conversation_id IN :ids GROUP BY conversation_id)", list(cids))
        datas: dict[int, tuple[float, dict]] = {}
        for cid, at, data in tone_rows:
            datas[int(cid)] = (float(at), _json(data))
        mids = sorted({int(d["message_id"]) for _, d in datas.values() if _int(d.get("message_id")) is not None})
        bodies = dict(self._query_in("SELECT id, body FROM message WHERE id IN :ids", mids)) if mids else {}
        for cid in cids:
            row = self._escalations.get(cid)
            if row is None or cid not in datas:
                continue
            at, data = datas[cid]
            body = bodies.get(_int(data.get("message_id")) or -1, "")
            new = EscalationRow(row.id, row.level, row.status, row.queue_id, row.enqueued_at, row.customer,
                                row.assignee, evidence_words(body, data), _summary(data), at)
            if new != row:
                self._escalations[cid] = new
                self._esc_upserts[cid] = new

    # ------------------------------------------------------------------ the board

    def _depths(self) -> dict[int, int]:
        return {qid: len(lst) for qid, lst in self._waiting.items()}

    def board(self, *, force: bool = False) -> Board:
        """The wallboard now (and clear the pending deltas)."""
        now = self.clock()
        ready = self.figures_ready
        if ready and local_midnight(now) != self.day_start:
            self._start_day(now)
        if self.history is not None:
            self.history.sample(now, self._depths())
        queue_rows = []
        for q in sorted(self.queues.values(), key=lambda q: q.id):
            lst = self._waiting.get(q.id, [])
            m = self.book.metrics(now, q.id) if self.book is not None else Metrics()
            breach = (m.service_level is not None and m.sl_decided >= BREACH_MIN_DECIDED
                      and m.service_level < q.sl_goal)
            queue_rows.append(QueueRow(q.id, q.name, q.title, q.sl_target_s, q.sl_goal, len(lst),
                                       lst[0][0] if lst else None, m, breach))
            if ready:
                self._breach_transition(q, m, breach, now)
        oldest = [r.oldest_enqueued_at for r in queue_rows if r.oldest_enqueued_at is not None]
        total = QueueRow(None, "all", "All queues", 0, 0.0, sum(r.waiting for r in queue_rows),
                         min(oldest) if oldest else None,
                         self.book.metrics(now, None) if self.book is not None else Metrics(),
                         any(r.breach for r in queue_rows))
        by_agent: dict[int, list[tuple[float, int, _Open]]] = {}
        for cid, o in self._open.items():  # one pass, not one per agent
            by_agent.setdefault(o.agent_id, []).append((o.since, cid, o))
        agents = tuple(sorted((self._agent_row(a, by_agent.get(a.info.id, [])) for a in self._agents.values()),
                              key=lambda r: r.sort_key))
        full = self._first_board
        if full:
            upserts, removals = tuple(self._escalations.values()), ()
        else:
            upserts, removals = tuple(self._esc_upserts.values()), tuple(sorted(self._esc_removals))
        self._esc_upserts.clear()
        self._esc_removals.clear()
        with self._requests_lock:
            asked, self._requests = self._requests, set()
        lists = {qid: tuple(self.desk.waiting([qid])) for qid in sorted(asked) if qid in self.queues}
        board = Board(
            at=now, queues=tuple(queue_rows), total=total, agents=agents,
            escalation_upserts=upserts, escalation_removals=removals, escalations_full=full,
            alerts=self._active_alerts(queue_rows, now), new_alerts=tuple(self._new_alerts),
            chart=self._chart(now), changed=frozenset(self._changed), figures_ready=ready,
            waiting_upserts=tuple(self._waiting_upserts.values()),
            waiting_removals=tuple(sorted(self._waiting_removals)), waiting_lists=lists,
            warning=self.warning, day_start=self.day_start,
        )
        self._new_alerts = []
        self._changed = set()
        self._waiting_upserts = {}
        self._waiting_removals = set()
        self._first_board = False
        self._last_board = self.monotonic()
        return board

    def _agent_row(self, a: _Agent, mine: list[tuple[float, int, _Open]]) -> AgentRow:
        mine.sort(key=lambda m: (m[0], m[1]), reverse=True)
        handled = self._handled.get(a.info.id, 0)
        if mine and a.status == "available":
            since, cid, o = mine[0]
            return AgentRow(a.info.id, a.info.name, a.info.display_name, a.status, ACTIVITY.get(o.status, o.status),
                            since, cid, o.customer, len(mine) - 1, handled, a.info.simulated)
        since = a.since
        if a.status == "available":
            since = max(since, self._last_end.get(a.info.id, since))
        cid = mine[0][1] if mine else None
        return AgentRow(a.info.id, a.info.name, a.info.display_name, a.status, None, since, cid,
                        mine[0][2].customer if mine else None, max(0, len(mine) - 1), handled, a.info.simulated)

    def _breach_transition(self, q: QueueInfo, m: Metrics, breach: bool, now: float) -> None:
        before = self._breach.get(q.id)
        self._breach[q.id] = breach
        if before is None or before == breach:
            return
        if breach:
            assert m.service_level is not None
            self._raise(Alert(now, "queue", f"{q.name}: service level today {m.service_level:.0%} is below "
                                            f"its goal of {q.sl_goal:.0%} within {q.sl_target_s}s", q.id))
        elif m.service_level is not None:
            self._raise(Alert(now, "recovered", f"{q.name}: service level today is back at "
                                                f"{m.service_level:.0%} (goal {q.sl_goal:.0%})", q.id))

    def _raise(self, alert: Alert) -> None:
        self._new_alerts.append(alert)
        self.alert_log.append(alert)

    def _active_alerts(self, queue_rows: Sequence[QueueRow], now: float) -> tuple[Alert, ...]:
        out = []
        for r in queue_rows:
            if r.breach and r.metrics.service_level is not None:
                out.append(Alert(now, "queue", f"{r.name} SL {r.metrics.service_level:.0%} < {r.goal:.0%}", r.id))
        hostile = sorted((row for row in self._escalations.values() if row.level == "hostile"),
                         key=lambda row: row.sort_key)
        for row in hostile:
            out.append(Alert(row.tone_at or now, "hostile", f"#{row.id} {row.customer} hostile", None, row.id))
        return tuple(out)

    def _chart(self, now: float) -> Chart:
        if self.history is None:
            return Chart(now, CHART_STEP_S, {})
        series: dict[int | None, tuple[tuple[int, ...], tuple[tuple[int, int], ...]]] = {}
        for qid in [None, *sorted(self.queues)]:
            depth, sl = self.history.series(now, CHART_SPAN_S, qid)
            series[qid] = (tuple(depth), tuple(sl))
        return Chart(now, self.history.step_s, series)

    # ------------------------------------------------------------------ drill-in (any worker)

    def conversation(self, conversation_id: int, *, message_limit: int = 500) -> tuple["ConversationView", dict[int, list[tuple[int, int]]], str]:
        """A conversation read-only, with the evidence spans of its tone events and the
        latest tone summary."""
        view = self.desk.conversation(conversation_id, message_limit=message_limit)
        highlights, summary = self.tone_spans(conversation_id)
        return view, highlights, summary

    def tone_spans(self, conversation_id: int) -> tuple[dict[int, list[tuple[int, int]]], str]:
        from sqlalchemy import text

        with self.store.read() as conn:
            rows = conn.execute(text("SELECT data FROM event WHERE conversation_id = :c AND kind = 'tone' "
                                     "ORDER BY id"), {"c": conversation_id}).all()
        highlights: dict[int, list[tuple[int, int]]] = {}
        summary = ""
        for (raw,) in rows:
            data = _json(raw)
            mid = _int(data.get("message_id"))
            spans = [(int(s), int(e)) for sig in data.get("signals") or () for s, e in sig.get("evidence") or ()
                     if isinstance(s, (int, float)) and isinstance(e, (int, float))]
            if mid is not None and spans:
                highlights[mid] = spans
            summary = _summary(data) or summary
        return highlights, summary

    def messages_after(self, conversation_id: int, after_id: int | None) -> list[MessageView]:
        return self.desk.messages(conversation_id, after_id=after_id)

    # ------------------------------------------------------------------ helpers

    def _query_in(self, sql: str, ids: Sequence[int]) -> list[tuple]:
        from sqlalchemy import bindparam, text

        out: list[tuple] = []
        if not ids:
            return out
        stmt = text(sql).bindparams(bindparam("ids", expanding=True))
        with self.store.read() as conn:
            for start in range(0, len(ids), 500):
                out.extend(tuple(r) for r in conn.execute(stmt, {"ids": list(ids[start:start + 500])}))
        return out


_STATE_SELECT = (
    "SELECT c.id, c.status, c.queue_id, c.priority, c.enqueued_at, c.assignee_id, c.tone, c.channel, "
    "c.preview, cu.name, cu.tier, c.claimed_at, a.display_name FROM conversation c "
    "JOIN customer cu ON cu.id = c.customer_id LEFT JOIN agent a ON a.id = c.assignee_id "
)


# ----------------------------------------------------------------------------- read-only guards


def lock_transactions_read_only(store: "Store") -> None:
    """PostgreSQL: begin every transaction of this store with ``SET TRANSACTION ISOLATION
    LEVEL REPEATABLE READ, READ ONLY; SELECT 1`` (one round trip). The access mode is fixed once the transaction's
    first query has run, so neither ``SET default_transaction_read_only = off`` (earlier
    on the connection) nor ``SET TRANSACTION READ WRITE`` afterwards can make it
    writable: PostgreSQL answers "transaction read-write mode must be set before any
    query"."""
    from sqlalchemy import event

    @event.listens_for(store.engine, "begin")
    def _read_only(conn) -> None:  # noqa: ANN001
        # REPEATABLE READ: the statements of one read see one snapshot, as on SQLite (a
        # read-only transaction takes no locks, so this costs nothing)
        conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY; SELECT 1")


WRITE_PRIVILEGES = ("INSERT", "UPDATE", "DELETE", "TRUNCATE")
TABLES = ("agent", "queue", "agent_queue", "customer", "conversation", "message", "event", "alembic_version")


def role_privileges(store: "Store") -> dict[str, Any]:
    """What the connected PostgreSQL role could write: ``superuser``, ``tables`` (table →
    privileges), ``create_schema`` (CREATE in the schema holding the tables)."""
    from sqlalchemy import text

    with store.read() as conn:
        user, superuser = conn.execute(text(
            "SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")).first()
        tables: dict[str, list[str]] = {}
        schema = None
        for name, oid, nsp in conn.execute(text(
                "SELECT c.relname, c.oid, n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relkind IN ('r', 'p') AND c.relname = ANY(:names) AND pg_table_is_visible(c.oid)"),
                {"names": list(TABLES)}):
            schema = schema or nsp
            privs = [p for p in WRITE_PRIVILEGES
                     if conn.execute(text("SELECT has_table_privilege(:oid, :p)"), {"oid": oid, "p": p}).scalar()]
            if privs:
                tables[name] = privs
        create = bool(schema and conn.execute(text("SELECT has_schema_privilege(:s, 'CREATE')"),
                                              {"s": schema}).scalar())
    return {"user": user, "superuser": bool(superuser), "tables": tables, "create_schema": create,
            "schema": schema}


def role_warning(store: "Store") -> str | None:
    """On PostgreSQL, a one-line warning when the monitor's role is not SELECT-only."""
    if store.backend != "postgresql":
        return None
    p = role_privileges(store)
    what = []
    if p["superuser"]:
        what.append("it is a superuser")
    elif p["tables"]:
        names = sorted(p["tables"])
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        what.append(f"it may {'/'.join(sorted({x for v in p['tables'].values() for x in v}))} {shown}")
    if p["create_schema"] and not p["superuser"]:
        what.append(f"it may CREATE in schema {p['schema']}")
    if not what:
        return None
    return (f"PostgreSQL role {p['user']!r} can write ({'; '.join(what)}). The monitor still only reads "
            "(read-only transactions), but connect it as a SELECT-only role: see docs/monitor.md")


# ----------------------------------------------------------------------------- loading events


def _json(raw: Any) -> dict:
    if isinstance(raw, dict):
        return raw
    if isinstance(raw, (str, bytes)):
        try:
            value = json.loads(raw)
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}
    return {}


def _change(r: Sequence[Any]) -> Change:
    return Change(int(r[0]), r[1], r[2], r[3], float(r[4]), _json(r[5]))


def json_field(store: "Store", name: str, column: str = "data") -> str:
    """SQL for one top-level field of an event's JSON ``data`` (as text or a number)."""
    if store.is_sqlite:
        return f"json_extract({column}, '$.{name}')"
    return f"({column}->>'{name}')"


def _cohort_statement(store: "Store", since: float | None, until: float | None, kinds: Sequence[str],
                      upto: int | None = None):
    from sqlalchemy import bindparam, text

    cond = ["kind = 'arrived'"]
    params: dict[str, Any] = {"kinds": list(kinds)}
    upto_cond = ""
    if upto is not None:
        cond.append("id <= :upto")
        upto_cond = "AND e.id <= :upto "
        params["upto"] = int(upto)
    if since is not None:
        cond.append("at >= :since")
        params["since"] = since
    if until is not None:
        cond.append("at < :until")
        params["until"] = until
    # Customer and system messages change no figure (only an agent's first reply does):
    # leave them in the database rather than parse them. The few fields the metrics read
    # are extracted by the database; only a quote's data (its inputs) is parsed here.
    author = json_field(store, "author", "e.data")
    fields = ", ".join(json_field(store, f, "e.data") for f in _COHORT_FIELDS)
    # the customer of each arrival, from the conversation (events written before
    # arrivals carried their customer_id have it only there): for repeat contacts (FCR)
    customer = "CASE WHEN e.kind = 'arrived' THEN (SELECT c.customer_id FROM conversation c WHERE c.id = e.conversation_id) END"
    stmt = text(
        "SELECT e.id, e.kind, e.conversation_id, e.agent_id, e.at, "
        f"CASE WHEN e.kind = 'wait_quoted' THEN e.data END, {fields}, {customer} FROM event e "
        f"WHERE e.conversation_id IN (SELECT conversation_id FROM event WHERE {' AND '.join(cond)}) "
        f"AND e.kind IN :kinds AND (e.kind <> 'message' OR {author} = 'agent') {upto_cond}"
        "ORDER BY e.conversation_id, e.id"
    ).bindparams(bindparam("kinds", expanding=True))
    return stmt, params


_COHORT_FIELDS = ("queue_id", "channel", "to_queue_id", "author", "queue_update", "disposition", "by", "score")


def _cohort_change(r: Sequence[Any]) -> Change:
    if r[5] is not None:  # a wait quote: all of it
        return Change(int(r[0]), r[1], r[2], r[3], float(r[4]), _json(r[5]))
    data = {k: v for k, v in zip(_COHORT_FIELDS, r[6:-1]) if v is not None}
    if r[-1] is not None:
        data["customer_id"] = int(r[-1])
    if "queue_update" in data:  # SQLite gives 1/0, PostgreSQL 'true'/'false'
        data["queue_update"] = data["queue_update"] in (1, True, "true")
    return Change(int(r[0]), r[1], r[2], r[3], float(r[4]), data)


def feed_cohort(store: "Store", book: MetricsBook, since: float | None, until: float | None,
                kinds: Sequence[str] = METRIC_KINDS, *, upto: int | None = None) -> int:
    """Stream the cohort's events (see :func:`load_cohort_events`; ``upto``: only events
    up to this id) into ``book`` without holding them all; returns how many were read."""
    stmt, params = _cohort_statement(store, since, until, kinds, upto)
    n = 0
    with store.read() as conn:
        for r in conn.execute(stmt, params):
            book.add(_cohort_change(r))
            n += 1
        if until is not None:
            # customers who came back after the cohort's end, within the FCR window
            for ch in _arrivals(conn, until, until + book.fcr_reopen_days * 86400.0):
                book.note_arrival(ch)
    return n


def _arrivals(conn: Any, start: float, end: float) -> list[Change]:
    """``arrived`` events in ``[start, end)`` with only their customer."""
    from sqlalchemy import text

    rows = conn.execute(text(
        "SELECT e.id, e.conversation_id, e.at, c.customer_id FROM event e "
        "JOIN conversation c ON c.id = e.conversation_id "
        "WHERE e.kind = 'arrived' AND e.at >= :start AND e.at < :end ORDER BY e.id"),
        {"start": start, "end": end})
    return [Change(int(r[0]), "arrived", r[1], None, float(r[2]), {"customer_id": int(r[3])})
            for r in rows if r[3] is not None]


def load_cohort_events(store: "Store", since: float | None, until: float | None,
                       kinds: Sequence[str] = METRIC_KINDS) -> list[Change]:
    """Every event (of ``kinds``) of the conversations that arrived in ``[since, until)``,
    in id order per conversation (messages only when an agent wrote them)."""
    stmt, params = _cohort_statement(store, since, until, kinds)
    with store.read() as conn:
        return [_cohort_change(r) for r in conn.execute(stmt, params)]


def load_conversation_events(store: "Store", conversation_id: int,
                             kinds: Sequence[str] = METRIC_KINDS) -> list[Change]:
    from sqlalchemy import bindparam, text

    stmt = text("SELECT id, kind, conversation_id, agent_id, at, data FROM event WHERE conversation_id = :c "
                "AND kind IN :kinds ORDER BY id").bindparams(bindparam("kinds", expanding=True))
    with store.read() as conn:
        out = [_change(r) for r in conn.execute(stmt, {"c": conversation_id, "kinds": list(kinds)})]
        if any(ch.kind == "arrived" and "customer_id" not in (ch.data or {}) for ch in out):
            customer = conn.execute(text("SELECT customer_id FROM conversation WHERE id = :c"),
                                    {"c": conversation_id}).scalar()
            if customer is not None:
                out = [replace(ch, data={**ch.data, "customer_id": int(customer)})
                       if ch.kind == "arrived" and "customer_id" not in (ch.data or {}) else ch for ch in out]
        return out


def load_movements(store: "Store", start: float, *, upto: int | None = None
                   ) -> tuple[dict[int, int], list[tuple[float, int, int]], list[tuple[float, int, float, bool]]]:
    """From one snapshot: customers waiting now per queue; queue movements after ``start``,
    (at, queue, +1/−1) as customers join and leave the waiting lines; and (at, queue,
    waited, answered) as waits end (``upto``: only those of events up to this id). Only
    the few JSON fields needed are read (extracted by the database, not parsed here)."""
    from sqlalchemy import bindparam, text

    def fields(alias: str = "data") -> str:
        return ", ".join(json_field(store, f, alias) for f in ("queue_id", "to_queue_id", "waited_s", "by"))

    def change(r: Sequence[Any]) -> Change:
        data = {k: v for k, v in zip(("queue_id", "to_queue_id", "waited_s", "by"), r[5:]) if v is not None}
        return Change(int(r[0]), r[1], r[2], r[3], float(r[4]), data)

    with store.read() as conn:  # one snapshot: the depth now and the movements that led to it
        counts = {int(q): int(n) for q, n in conn.execute(text(
            "SELECT queue_id, count(*) FROM conversation WHERE status = 'waiting' GROUP BY queue_id"))}
        events = [change(r) for r in conn.execute(text(
            f"SELECT id, kind, conversation_id, agent_id, at, {fields()} FROM event WHERE kind IN "
            "('arrived', 'claimed', 'abandoned', 'transferred', 'reopened') AND at > :start ORDER BY id"),
            {"start": start})]
        # where were the conversations that gave up or came back (their events carry no queue)?
        need = sorted({e.conversation_id for e in events if e.kind in ("abandoned", "reopened")
                       and e.conversation_id is not None})
        entries: list[Change] = []
        stmt = text(f"SELECT id, kind, conversation_id, agent_id, at, {fields()} FROM event "
                    "WHERE conversation_id IN :ids AND kind IN ('arrived', 'transferred') ORDER BY id").bindparams(
                        bindparam("ids", expanding=True))
        for i in range(0, len(need), 500):
            entries.extend(change(r) for r in conn.execute(stmt, {"ids": need[i:i + 500]}))
    moves, decisions = queue_movements(events, entries, start, upto=upto)
    return counts, moves, decisions


def queue_movements(events: Iterable[Change], entries: Iterable[Change], start: float, *,
                    upto: int | None = None
                    ) -> tuple[list[tuple[float, int, int]], list[tuple[float, int, float, bool]]]:
    """Pure: movements and ended waits after ``start`` from the events (``entries``: earlier
    ``arrived``/``transferred`` events that say which queue a conversation was in; ended
    waits only from events up to ``upto``)."""
    merged = {e.event_id: e for e in entries}
    merged.update({e.event_id: e for e in events})
    queue_of: dict[int, int] = {}
    moves: list[tuple[float, int, int]] = []
    decisions: list[tuple[float, int, float, bool]] = []
    for e in sorted(merged.values(), key=lambda e: e.event_id):
        cid = e.conversation_id
        data = e.data or {}
        qid: int | None = None
        if e.kind == "arrived":
            qid = _int(data.get("queue_id"))
            if cid is not None and qid is not None:
                queue_of[cid] = qid
            sign = +1
        elif e.kind == "transferred":
            qid = _int(data.get("to_queue_id"))
            if cid is not None and qid is not None:
                queue_of[cid] = qid
            sign = +1  # from an agent back to a waiting line
        elif e.kind == "claimed":
            qid = _int(data.get("queue_id"))
            if qid is None and cid is not None:
                qid = queue_of.get(cid)
            sign = -1
            if qid is not None and e.at > start and (upto is None or e.event_id <= upto):
                decisions.append((e.at, qid, float(data.get("waited_s") or 0.0), True))
        elif e.kind == "abandoned":
            qid = queue_of.get(cid) if cid is not None else None
            sign = -1
            if qid is not None and e.at > start and (upto is None or e.event_id <= upto):
                decisions.append((e.at, qid, float(data.get("waited_s") or 0.0), False))
        elif e.kind == "reopened":
            if data.get("by") != "customer":
                continue  # an agent reopened and took it: no waiting line
            qid = queue_of.get(cid) if cid is not None else None
            sign = +1
        else:
            continue
        if qid is not None and e.at > start:
            moves.append((e.at, qid, sign))
    return moves, decisions


def evidence_words(body: str, data: Mapping[str, Any], limit: int = 4) -> tuple[str, ...]:
    """The words the tone engine pointed at (``signals[].evidence`` spans into ``body``),
    most severe signal first, sanitised, without repeats."""
    sev = {"high": 3, "medium": 2, "low": 1}
    signals = sorted(data.get("signals") or (), key=lambda s: -sev.get(str(s.get("level")), 0))
    out: list[str] = []
    seen: set[str] = set()
    for sig in signals:
        for span in sig.get("evidence") or ():
            try:
                s, e = int(span[0]), int(span[1])
            except (TypeError, ValueError, IndexError):
                continue
            word = sanitize(body[max(0, s):max(0, e)], single_line=True).strip()
            if len(word) > 40:
                word = word[:39] + "…"
            low = word.lower()
            if not word or any(low in w for w in seen):
                continue  # empty, or inside a longer piece already shown
            seen = {w for w in seen if w not in low}
            out = [w for w in out if w.lower() not in low]
            seen.add(low)
            out.append(word)
            if len(out) >= limit:
                return tuple(out)
    return tuple(out)


def _summary(data: Mapping[str, Any]) -> str:
    text_ = data.get("summary")
    if isinstance(text_, str) and text_:
        return sanitize(text_, single_line=True)
    sigs = [f"{s.get('tone')} ({s.get('level')})" for s in data.get("signals") or () if s.get("tone")]
    level = data.get("level")
    return sanitize(f"{level}: {', '.join(sigs)}" if sigs else (level or ""), single_line=True)


def local_midnight(now: float) -> float:
    """The start of the local day holding ``now`` (epoch seconds)."""
    d = datetime.fromtimestamp(now)
    return d.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()


def _int(v: Any) -> int | None:
    try:
        return None if v is None else int(v)
    except (TypeError, ValueError):
        return None


def _insert_sorted(lst: list, item: tuple) -> None:
    import bisect

    bisect.insort(lst, item)


def _remove_sorted(lst: list, item: tuple) -> None:
    import bisect

    i = bisect.bisect_left(lst, item)
    if i < len(lst) and lst[i] == item:
        del lst[i]


# ----------------------------------------------------------------------------- the report


@dataclass(frozen=True)
class Report:
    """``agentdesk report``: the figures of one cohort, overall and per queue, and rows."""

    since: float | None
    until: float | None
    now: float
    fcr_reopen_days: float
    queue: QueueInfo | None
    total: Metrics
    queues: tuple[tuple[QueueInfo, Metrics], ...]
    rows: tuple[dict[str, Any], ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "since": self.since, "until": self.until, "now": self.now,
            "fcr_reopen_days": self.fcr_reopen_days,
            "queue": self.queue.name if self.queue else None,
            "total": self.total.as_dict(),
            "queues": {q.name: {"title": q.title, "sl_target_s": q.sl_target_s, "sl_goal": q.sl_goal,
                                **m.as_dict()} for q, m in self.queues},
        }


def build_report(store: "Store", *, since: float | None, until: float | None, now: float,
                 fcr_reopen_days: float = 7, queue: str | None = None) -> Report:
    """Read the cohort's events (read-only) and compute the report."""
    from agentdesk.desk import Desk
    from agentdesk.errors import NotFound

    desk = Desk(store, tone_fn=None)
    queues = {q.id: q for q in desk.queues()}
    chosen: QueueInfo | None = None
    if queue is not None:
        wanted = queue.strip().lower()
        chosen = next((q for q in queues.values() if q.name == wanted), None)
        if chosen is None:
            names = ", ".join(sorted(q.name for q in queues.values())) or "none yet"
            raise NotFound(f"--queue: unknown queue {queue!r} (queues: {names})")
    book = MetricsBook({q.id: q.sl_target_s for q in queues.values()}, since=since, until=until,
                       fcr_reopen_days=fcr_reopen_days)
    feed_cohort(store, book, since, until)
    names = {q.id: q.name for q in queues.values()}
    scope = chosen.id if chosen else None
    total = book.metrics(now, scope, with_pending=True)
    per_queue = tuple((q, book.metrics(now, q.id, with_pending=True))
                      for q in sorted(queues.values(), key=lambda q: q.name)
                      if chosen is None or q.id == chosen.id)
    rows = tuple(conversation_row(c, queue_names=names, fcr_reopen_days=fcr_reopen_days, now=now)
                 for c in sorted(book.conversations(), key=lambda c: c.conversation_id)
                 if scope is None or scope in c.queues)
    return Report(since, until, now, fcr_reopen_days, chosen, total, per_queue, rows)
