"""The living demo floor: a background thread that plays simulated traffic in real time.

Customers arrive (``--rate`` per minute), waiting customers write follow-ups and some
give up, and the simulated agents claim conversations, talk, hold, transfer, wrap up
and resolve — all through the same services a human console uses, so everything shows
up in the event log, on the monitor and in reports exactly like real work. The thread
never touches the UI; consoles see its work through their change feed.

Simulated agents leave the human something to do: they only claim when the queue is
longer than :attr:`DemoDriver.leave_waiting`, or when a customer has waited too long.
"""

from __future__ import annotations

import heapq
import itertools
import random
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from agentdesk.domain import AgentStatus, Claim, EventKind
from agentdesk.errors import AgentdeskError

if TYPE_CHECKING:  # pragma: no cover
    from agentdesk.demo.generate import ConversationInfo, PlanAgent, Step, Traffic
    from agentdesk.desk import Desk


@dataclass
class _Waiting:
    info: "ConversationInfo"
    enqueued_at: float


@dataclass
class _Work:
    """A simulated agent's script for one conversation."""

    claim: Claim
    steps: list["Step"]
    info: "ConversationInfo"
    index: int = 0


@dataclass
class _SimAgent:
    plan: "PlanAgent"
    id: int
    status: str
    work: _Work | None = None
    next_claim_at: float = 0.0
    status_until: float = 0.0
    queue_ids: tuple[int, ...] = ()


@dataclass(order=True)
class _Due:
    at: float
    seq: int
    what: str = field(compare=False)
    data: Any = field(compare=False, default=None)


class DemoDriver:
    """Simulated customers and agents, in real time, in a daemon thread."""

    tick_s = 0.5
    leave_waiting = 12  # simulated agents leave at least this many waiting for the human
    overdue_s = 15 * 60  # … unless someone has waited this long

    def __init__(self, desk: "Desk", *, rate_per_min: float = 4.0, seed: int | None = None,
                 clock=time.time) -> None:
        self.desk = desk
        self.rate = max(0.0, float(rate_per_min))
        self.rng = random.Random(seed)
        self.clock = clock
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._due: list[_Due] = []
        self._seq = itertools.count()
        self.errors = 0
        self.actions = 0

    # ------------------------------------------------------------ life cycle

    def start(self) -> None:
        self._setup()
        self._thread = threading.Thread(target=self._run, name="agentdesk-demo", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _setup(self) -> None:
        from agentdesk.demo.generate import PlanAgent, Traffic
        from agentdesk.demo.corpus import load

        desk = self.desk
        queues = desk.queues()
        self.queue_names = {q.id: q.name for q in queues}
        self.queue_ids = {q.name: q.id for q in queues}
        agents = [a for a in desk.agents() if a.simulated]
        corpus_agents = {a.name: a for a in load().agents}
        self.agents: list[_SimAgent] = []
        for a in agents:
            plan = corpus_agents.get(a.name) or PlanAgent(
                a.name, a.display_name, a.status, tuple(self.queue_names[q] for q in a.queue_ids))
            self.agents.append(_SimAgent(plan, a.id, a.status, queue_ids=a.queue_ids))
        with desk.store.read() as conn:
            from sqlalchemy import text

            emails = [r[0] for r in conn.execute(text("SELECT email FROM customer WHERE email IS NOT NULL"))]
            self.customers_by_email = {r[1]: r[0] for r in conn.execute(
                text("SELECT id, email FROM customer WHERE email IS NOT NULL"))}
        self.traffic: "Traffic" = Traffic(self.rng, (), rate_per_min=max(self.rate, 0.01),
                                          agents=[s.plan for s in self.agents], taken_emails=emails)
        self.waiting: dict[int, _Waiting] = {}
        now = self.clock()
        for row in desk.waiting(limit=5000):
            self.waiting[row.id] = _Waiting(self._info_for(row.id, row.queue_id, row.channel, row.customer_name,
                                                           row.tone), row.enqueued_at)
        if self.rate > 0:
            self._schedule(now + self.rng.uniform(2.0, 8.0), "arrival")
        self._schedule(now + 60.0, "refresh")
        for agent in self.agents:
            agent.next_claim_at = now + self.rng.uniform(5.0, 40.0)
            agent.status_until = now + self.rng.uniform(120.0, 600.0)

    def _schedule(self, at: float, what: str, data: Any = None) -> None:
        heapq.heappush(self._due, _Due(at, next(self._seq), what, data))

    # ------------------------------------------------------------ the loop

    def _run(self) -> None:
        while not self._stop.wait(self.tick_s):
            try:
                self.step(self.clock())
            except AgentdeskError:
                self.errors += 1  # e.g. a busy database: try again next tick
            except Exception:  # pragma: no cover - a bug in the demo must not kill the console
                self.errors += 1

    def step(self, now: float) -> None:
        """Do everything that is due at ``now`` (also called directly by tests)."""
        while self._due and self._due[0].at <= now:
            due = heapq.heappop(self._due)
            if due.what == "arrival":
                self._arrive(now)
                self._schedule(now + self.traffic.arrival_gap(), "arrival")
            elif due.what == "refresh":
                self._refresh_waiting()
                self._schedule(now + 60.0, "refresh")
        self._customers_wait(now)
        for agent in self.agents:
            self._agent_step(agent, now)

    # ------------------------------------------------------------ customers

    def _info_for(self, conversation_id: int, queue_id: int, channel: str, customer_name: str,
                  tone: str | None) -> "ConversationInfo":
        from agentdesk.demo.generate import ConversationInfo

        first = customer_name.split()[0] if customer_name else "there"
        return ConversationInfo(key=str(conversation_id), queue=self.queue_names.get(queue_id, "billing"),
                                channel=channel, tone=_demo_tone(tone), customer_first=first,
                                customer_name=customer_name)

    def _arrive(self, now: float) -> None:
        busy = {str(k) for k in self.waiting}
        new = self.traffic.next_arrival(now, busy=busy)
        c = new.customer
        customer_id = self.customers_by_email.get(c.email)
        if customer_id is None:
            info = self.desk.create_customer(c.name, c.email, c.phone, tier=c.tier, created_at=now)
            customer_id = info.id
            self.customers_by_email[c.email] = customer_id
        conv = new.conversation
        opening = next(s for s in conv.steps if s.kind == EventKind.MESSAGE)
        cid = self.desk.arrive(customer_id, conv.queue, conv.channel, opening.body or "", subject=conv.subject,
                               priority=conv.priority, client_id=opening.client_id,
                               author=opening.author_kind or "customer")
        info = new.info
        from dataclasses import replace

        self.waiting[cid] = _Waiting(replace(info, key=str(cid)), now)
        self.actions += 1

    def _refresh_waiting(self) -> None:
        """Forget conversations that left the queue (claimed by a human, transferred …)."""
        rows = self.desk.waiting_rows(list(self.waiting))
        for cid, row in rows.items():
            if row is None:
                self.waiting.pop(cid, None)
        # pick up conversations that joined the queue some other way (transfers, reopen)
        for row in self.desk.waiting(limit=2000):
            if row.id not in self.waiting:
                self.waiting[row.id] = _Waiting(
                    self._info_for(row.id, row.queue_id, row.channel, row.customer_name, row.tone), row.enqueued_at)

    def _customers_wait(self, now: float) -> None:
        from dataclasses import replace

        for cid, w in list(self.waiting.items()):
            waited = now - w.enqueued_at
            give_up = self.traffic.abandon_after(w.info)
            if give_up is not None and waited >= give_up:
                if self.desk.abandon(cid):
                    self.actions += 1
                self.waiting.pop(cid, None)
                continue
            line = self.traffic.follow_up(w.info, waited)
            if line is None:
                continue
            try:
                if line.author_kind == "system":
                    self.desk.system_message(cid, line.body)
                else:
                    # only while still waiting: the customer is writing into the queue
                    if self.desk.waiting_rows([cid]).get(cid) is None:
                        self.waiting.pop(cid, None)
                        continue
                    self.desk.customer_message(cid, line.body)
            except AgentdeskError:
                self.waiting.pop(cid, None)
                continue
            w.info = replace(w.info, followups_sent=w.info.followups_sent + 1)
            self.actions += 1

    # ------------------------------------------------------------ simulated agents

    def _agent_step(self, agent: _SimAgent, now: float) -> None:
        if agent.work is None and now >= agent.status_until:
            self._flip_status(agent, now)
        if agent.work is not None:
            self._play(agent, now)
            return
        if agent.status != AgentStatus.AVAILABLE or now < agent.next_claim_at:
            return
        agent.next_claim_at = now + self.rng.uniform(10.0, 45.0)
        relevant = [w for cid, w in self.waiting.items()]
        oldest = min((w.enqueued_at for w in relevant), default=now)
        if len(relevant) <= self.leave_waiting and now - oldest < self.overdue_s:
            return
        try:
            claim = self.desk.claim_next(agent.id)
        except AgentdeskError:
            return
        if claim is None:
            return
        w = self.waiting.pop(claim.conversation_id, None)
        if w is None:
            view = self.desk.conversation(claim.conversation_id, message_limit=0)
            info = self._info_for(view.id, view.queue_id, view.channel, view.customer.name, view.tone)
        else:
            info = w.info
        steps = list(self.traffic.handling(info, agent.plan, now))
        # the claim itself already happened
        steps = [s for s in steps if s.kind != EventKind.CLAIMED]
        agent.work = _Work(claim, steps, info)
        self.actions += 1

    def _play(self, agent: _SimAgent, now: float) -> None:
        work = agent.work
        assert work is not None
        while work.index < len(work.steps) and work.steps[work.index].at <= now:
            step = work.steps[work.index]
            work.index += 1
            try:
                finished = self._apply(work, step)
            except AgentdeskError:
                finished = True  # the conversation changed hands: drop the script
            self.actions += 1
            if finished:
                agent.work = None
                agent.next_claim_at = now + self.rng.uniform(20.0, 90.0)
                return
        if work.index >= len(work.steps):
            agent.work = None

    def _apply(self, work: _Work, step: "Step") -> bool:
        desk, claim, cid = self.desk, work.claim, work.claim.conversation_id
        kind = step.kind
        if kind == EventKind.MESSAGE:
            if step.author_kind == "agent":
                desk.reply(claim, step.body or "", client_id=step.client_id)
            elif step.author_kind == "system":
                desk.system_message(cid, step.body or "", client_id=step.client_id)
            else:
                desk.customer_message(cid, step.body or "", client_id=step.client_id)
        elif kind == EventKind.NOTE:
            desk.note(claim, step.body or "", client_id=step.client_id)
        elif kind == EventKind.HELD:
            desk.hold(claim, step.note or "Checking something")
        elif kind == EventKind.RESUMED:
            desk.resume(claim)
        elif kind == EventKind.WRAP_UP:
            desk.wrap_up(claim)
        elif kind == EventKind.TRANSFERRED:
            desk.transfer(claim, step.queue or "technical", step.note or "Please take over.")
            return True
        elif kind == EventKind.RESOLVED:
            desk.resolve(claim, step.disposition or "solved")
            return True
        return False

    def _flip_status(self, agent: _SimAgent, now: float) -> None:
        if agent.status == AgentStatus.AVAILABLE and self.rng.random() < 0.25:
            new, length = AgentStatus.AWAY, self.rng.uniform(60.0, 240.0)
        elif agent.status != AgentStatus.AVAILABLE:
            new, length = AgentStatus.AVAILABLE, self.rng.uniform(300.0, 900.0)
        else:
            agent.status_until = now + self.rng.uniform(120.0, 600.0)
            return
        try:
            self.desk.set_agent_status(agent.id, str(new))
        except AgentdeskError:
            return
        agent.status = str(new)
        agent.status_until = now + length


def _demo_tone(level: str | None) -> str | None:
    """Map a stored tone level onto the generator's tone names (for follow-up texts)."""
    return {"calm": "calm", "concerned": "anxious", "upset": "frustrated", "hostile": "angry"}.get(level or "", None)
