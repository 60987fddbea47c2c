"""A deterministic generator of demo data: pure Python, no database, no clock.

Two entry points:

- :func:`build_plan` — everything ``agentdesk demo`` loads into a fresh store: queues,
  simulated agents, customers with months of past contacts, *today* (the last few hours
  of closed contacts, worked at the live demo's pace by the simulated agents through an
  actual queueing process, so the wait-quote engine has a warm history from the first
  minute), the conversations waiting right now (with follow-ups for the long waits), and
  a few being worked or on hold by simulated agents. Same ``seed`` and ``now`` → the
  same plan, field for field.
- :class:`Traffic` — the living queue: the next arrival, a waiting customer's next
  follow-up, a simulated agent's replies and the customer's answers, dispositions, and
  the timings between them. The real-time driver owns the clock and the store and asks
  this class what happens next; every method is cheap (microseconds).

The plan is one consistent floor. The months of history are paced like a real centre
(e-mails answered over a day, social posts over hours) and end before today begins.
Today is a discrete-event simulation: arrivals follow the intraday profile of
:data:`agentdesk.sim.samplers.CHANNELS` (the floor's clock reads :data:`TODAY_CLOCK_HOUR`
at ``now``, so the last hours are business hours whatever the wall clock says), each
customer has the channel's patience, and the plan's agents take the queue in claim order
(priority, then longest waiting, over the queues they are staffed on), one conversation
at a time; a claimed conversation's transcript is written at claim time with the live
driver's timings, so its handle time *is* its transcript. The simulation respects what
the plan says about ``now``: an agent working a conversation now (or an earlier
hand-over of a waiting one) does no other work from its claim on, an away agent stepped
away a few minutes ago, and nobody is taken ahead of a customer still waiting now who
was in line before them (the waiting conversations are the newest arrivals, behind
everything the agents did).

Conversations are described as a time-ordered tuple of :class:`Step` — ``arrived``,
``message``, ``note``, ``claimed``, ``held``, ``resumed``, ``transferred``, ``wrap_up``,
``resolved``, ``reopened``, ``abandoned`` — each of which maps onto one
:class:`agentdesk.domain.EventKind` and, for messages, one row of the messages table.
"""

from __future__ import annotations

import datetime as _dt
import heapq
import math
import random
import re
import unicodedata
from bisect import bisect_left, insort
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace

from agentdesk.demo import corpus as _corpus
from agentdesk.demo.content import lines as _lines
from agentdesk.demo.corpus import CHANNELS, TONES, Corpus, Issue, Opener, fill, load
from agentdesk.errors import UsageError
from agentdesk.sim import samplers as _samplers

DAY = 86_400.0

TIER_PRIORITY: Mapping[str, int] = {"standard": 0, "gold": 1, "platinum": 2}
"""Base queue priority per customer tier (higher is served first)."""

TIER_MIX: tuple[tuple[str, float], ...] = (("standard", 0.76), ("gold", 0.17), ("platinum", 0.07))

LIVE_TONE_MIX: tuple[tuple[str, float], ...] = (
    ("calm", 0.34),
    ("confused", 0.20),
    ("anxious", 0.10),
    ("frustrated", 0.15),
    ("angry", 0.07),
    ("abusive", 0.02),
    ("grateful", 0.12),
)
"""Tone of new arrivals: mostly calm or confused, some frustrated or anxious, few angry,
rare abuse, some gratitude."""

HISTORY_TONE_MIX: tuple[tuple[str, float], ...] = (
    ("calm", 0.40),
    ("confused", 0.18),
    ("anxious", 0.09),
    ("frustrated", 0.14),
    ("angry", 0.06),
    ("abusive", 0.02),
    ("grateful", 0.11),
)

MAX_WAIT_S = 25 * 60.0
"""The longest wait in a generated plan's queue."""

TODAY_CONTACTS = 240
TODAY_HOURS = 6.0
"""Default size of today: closed contacts over the last hours before ``now`` — about what
the plan's eight agents, one conversation at a time at the live pace, can work then."""

TODAY_CLOCK_HOUR = 16.0
"""The hour on the floor's clock at ``now``: today's arrivals follow the CHANNELS day
shape as if the demo always started at 4 p.m., after a late-morning peak and a lunch dip."""

TODAY_TRANSFER_SHARE = 0.15
"""How often an agent hands over a conversation whose issue usually goes elsewhere (the
live driver's share)."""


def priority_for(tier: str, *, transferred: bool = False, reopened: bool = False) -> int:
    """Queue priority: by tier (standard 0, gold 1, platinum 2), one higher for a
    conversation that was transferred or reopened, so it is not sent to the back."""
    return TIER_PRIORITY.get(tier, 0) + (1 if (transferred or reopened) else 0)


# ---------------------------------------------------------------------------- types


@dataclass(frozen=True, slots=True)
class PlanQueue:
    name: str
    title: str
    sl_target_s: int
    sl_goal: float
    skills: tuple[str, ...]
    weight: float
    """Share of traffic arriving in this queue."""


@dataclass(frozen=True, slots=True)
class PlanAgent:
    name: str
    """Login name, e.g. ``priya.raman``."""
    display_name: str
    status: str
    """``available`` or ``away`` (an :class:`agentdesk.domain.AgentStatus` value)."""
    queues: tuple[str, ...]
    pace: float = 1.0
    """Handle-time factor: below 1 faster than the floor average, above 1 slower."""
    simulated: bool = True

    @property
    def first_name(self) -> str:
        return self.display_name.split()[0]


@dataclass(frozen=True, slots=True)
class PlanCustomer:
    key: str
    """Stable within a plan (``c0001`` …, ``n…`` for live arrivals); the e-mail is unique too."""
    name: str
    first_name: str
    last_name: str
    email: str
    phone: str | None
    tier: str
    created_at: float
    region: str
    """``uk`` (pounds, day-month dates) or ``us`` (dollars, month-day dates)."""
    card_last4: str = "0000"


@dataclass(frozen=True, slots=True)
class Step:
    """One thing that happened in a conversation, at ``at`` (UTC epoch seconds).

    ``kind`` is an :class:`agentdesk.domain.EventKind` value. For ``message`` and
    ``note``, ``author_kind`` (an :class:`~agentdesk.domain.AuthorKind` value), ``body``
    and ``client_id`` are set, and ``agent`` for agent messages and notes. ``arrived``,
    ``transferred`` and ``reopened`` carry the ``queue`` the conversation (re)joins;
    ``held`` carries the hold reason in ``note``, ``transferred`` the hand-off note;
    ``resolved`` carries the ``disposition``. ``claimed`` carries the claiming agent.
    """

    at: float
    kind: str
    author_kind: str | None = None
    body: str | None = None
    agent: str | None = None
    queue: str | None = None
    note: str | None = None
    disposition: str | None = None
    client_id: str | None = None


@dataclass(frozen=True, slots=True)
class ConversationInfo:
    """What the generator needs to know about a conversation to continue it: plain
    values the driver keeps (or rebuilds from the store)."""

    key: str
    """Any stable identifier (plan key or database id as a string); seeds follow-ups."""
    queue: str
    channel: str
    tone: str | None = None
    issue: str | None = None
    customer_first: str = "there"
    customer_name: str = ""
    region: str = "uk"
    facts: Mapping[str, str] = field(default_factory=dict)
    """Placeholder values (order number, amounts, product …) kept for consistency."""
    followups_sent: int = 0
    transferred_from: str | None = None
    """First name of the agent who handed over, when the conversation arrived by transfer."""
    reopened: bool = False


@dataclass(frozen=True, slots=True)
class PlanConversation:
    key: str
    customer: str
    """The :attr:`PlanCustomer.key`."""
    queue: str
    """The queue it is in (or ended in) — after any transfer."""
    channel: str
    subject: str
    tone: str
    issue: str
    status: str
    """A :class:`agentdesk.domain.Status` value."""
    priority: int
    created_at: float
    enqueued_at: float
    """When it joined its current queue (arrival, last transfer or reopen)."""
    steps: tuple[Step, ...]
    assignee: str | None = None
    disposition: str | None = None
    hold_reason: str | None = None
    handoff_note: str | None = None
    facts: Mapping[str, str] = field(default_factory=dict)

    @property
    def messages(self) -> tuple[Step, ...]:
        return tuple(s for s in self.steps if s.kind in ("message", "note"))

    @property
    def actions(self) -> tuple[Step, ...]:
        return tuple(s for s in self.steps if s.kind not in ("message", "note"))

    @property
    def first_queue(self) -> str:
        return self.steps[0].queue or self.queue

    @property
    def closed_at(self) -> float | None:
        for s in reversed(self.steps):
            if s.kind in ("resolved", "abandoned"):
                return s.at
            if s.kind == "reopened":
                return None
        return None

    @property
    def last_at(self) -> float:
        return self.steps[-1].at

    def info(self, customer: PlanCustomer) -> ConversationInfo:
        """The :class:`ConversationInfo` with which :class:`Traffic` continues it."""
        first_names = {a.name: a.first_name for a in load().agents}
        transferred_from = last_claimer = None
        for s in self.steps:
            if s.kind == "claimed":
                last_claimer = s.agent
            if s.kind == "transferred" and last_claimer:
                transferred_from = first_names.get(last_claimer, last_claimer)
        followups = sum(1 for s in self.steps if s.client_id and ":f" in s.client_id)
        return ConversationInfo(
            key=self.key,
            queue=self.queue,
            channel=self.channel,
            tone=self.tone,
            issue=self.issue,
            customer_first=customer.first_name,
            customer_name=customer.name,
            region=customer.region,
            facts=dict(self.facts),
            followups_sent=followups,
            transferred_from=transferred_from,
            reopened=any(s.kind == "reopened" for s in self.steps),
        )


@dataclass(frozen=True, slots=True)
class Line:
    """A message to write: who writes it (``customer`` or ``system``) and the text."""

    author_kind: str
    body: str


@dataclass(frozen=True, slots=True)
class NewConversation:
    """A live arrival from :meth:`Traffic.next_arrival`."""

    conversation: PlanConversation
    """Status ``waiting``; steps are ``arrived`` and the opening message."""
    customer: PlanCustomer
    new_customer: bool
    """True when the customer must be created first; else match on ``customer.email``."""
    info: ConversationInfo


@dataclass(frozen=True, slots=True)
class DemoPlan:
    seed: int
    now: float
    queues: tuple[PlanQueue, ...]
    agents: tuple[PlanAgent, ...]
    customers: tuple[PlanCustomer, ...]
    history: tuple[PlanConversation, ...]
    """Closed past contacts (resolved or abandoned), oldest first: months of them, then
    :attr:`today`'s."""
    waiting: tuple[PlanConversation, ...]
    """In queue now, in queue order (priority, then longest wait)."""
    active: tuple[PlanConversation, ...]
    """Claimed by simulated agents right now: ``active`` or ``on_hold``."""
    today_start: float | None = None
    """Where today begins (``now`` minus ``today_hours``); None without a today segment.
    Every conversation of :attr:`history` created from here on is part of :attr:`today`,
    every earlier one closed before it."""

    @property
    def today(self) -> tuple[PlanConversation, ...]:
        """Today's closed contacts (part of :attr:`history`), oldest first."""
        if self.today_start is None:
            return ()
        return tuple(c for c in self.history if c.created_at >= self.today_start)

    def customer(self, key: str) -> PlanCustomer:
        for c in self.customers:
            if c.key == key:
                return c
        raise KeyError(key)

    def customers_by_key(self) -> dict[str, PlanCustomer]:
        return {c.key: c for c in self.customers}

    def conversations(self) -> Iterator[PlanConversation]:
        """Every conversation: history, then active, then waiting."""
        yield from self.history
        yield from self.active
        yield from self.waiting

    def conversations_of(self, customer_key: str) -> tuple[PlanConversation, ...]:
        return tuple(
            sorted((c for c in self.conversations() if c.customer == customer_key), key=lambda c: c.created_at)
        )


# --------------------------------------------------------------------------- helpers


def _weighted(rng: random.Random, pairs: Sequence[tuple[str, float]]) -> str:
    return rng.choices([k for k, _ in pairs], weights=[w for _, w in pairs])[0]


_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _date(ts: float, region: str, weekday: bool = False) -> str:
    d = _dt.datetime.fromtimestamp(ts, _dt.UTC)
    month = _MONTHS[d.month - 1]
    if region == "us":
        text = f"{month} {d.day}"
        return f"{_WEEKDAYS[d.weekday()]}, {text}" if weekday else text
    text = f"{d.day} {month}"
    return f"{_WEEKDAYS[d.weekday()]} {text}" if weekday else text


def _money(amount: float, region: str) -> str:
    return f"{'$' if region == 'us' else '£'}{amount:,.2f}"


def _ascii(text: str, table: Mapping[str, str]) -> str:
    text = "".join(table.get(ch, ch) for ch in text)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _tone_ok(spec: str, tone: str) -> bool:
    return spec == "*" or tone in spec.split()


# Follow-up timing: seconds of waiting before a first follow-up, by tone and channel.
_PATIENCE = {
    "calm": 300.0, "grateful": 360.0, "confused": 210.0, "anxious": 150.0,
    "frustrated": 130.0, "angry": 100.0, "abusive": 80.0,
}
_CHANNEL_PATIENCE = {"chat": 1.0, "social": 1.6, "phone": 2.2, "email": 5.0}
_MAX_FOLLOW_UPS = {"chat": 5, "social": 2, "phone": 2, "email": 1}


def follow_up_schedule(key: str, tone: str | None, channel: str) -> tuple[float, ...]:
    """Seconds of waiting at which the customer of conversation ``key`` writes each
    follow-up. Fixed by the key, so it does not depend on how often anyone asks."""
    r = random.Random(f"follow-up:{key}")
    base = _PATIENCE.get(tone or "calm", 240.0) * _CHANNEL_PATIENCE.get(channel, 1.0)
    t = base * r.uniform(0.7, 1.3)
    out = [t]
    for _ in range(_MAX_FOLLOW_UPS.get(channel, 1) - 1):
        t += base * r.uniform(0.8, 1.5)
        out.append(t)
    return tuple(out)


def _follow_up_level(n: int, waited_s: float) -> int:
    return min(3, max(n + 1, 1 + (waited_s >= 600) + (waited_s >= 1080)))


def _follow_up_texts(c: Corpus, key: str, tone: str | None, channel: str, upto: int) -> list[_corpus.FollowUpLine]:
    """The follow-up lines 0..upto for a conversation, without repeats where possible."""
    tone = tone or "calm"
    pool = [f for f in c.follow_ups if f.channel == channel and tone in f.tones]
    if not pool:
        pool = [f for f in c.follow_ups if f.channel == "chat" and tone in f.tones]
    schedule = follow_up_schedule(key, tone, channel)
    picked: list[_corpus.FollowUpLine] = []
    for n in range(upto + 1):
        level = _follow_up_level(n, schedule[min(n, len(schedule) - 1)])
        fresh = [f for f in pool if f not in picked] or pool
        exact = [f for f in fresh if f.level == level]
        lower = [f for f in fresh if f.level < level]
        choices = exact or (sorted(lower, key=lambda f: -f.level)[:2] if lower else fresh)
        picked.append(random.Random(f"follow-up:{key}:{n}").choice(choices))
    return picked


# ------------------------------------------------------------------------ the writer


def greetings(channel: str, tone: str | None) -> tuple[str, ...]:
    """An agent's opening lines for a channel; the warmer ones only for customers who
    wrote calmly, in confusion or with thanks."""
    if channel in ("email", "phone", "social"):
        return _lines.AGENT_GREETINGS[channel]
    if tone in ("calm", "confused", "grateful"):
        return _lines.AGENT_GREETINGS["chat"] + _lines.AGENT_GREETINGS["chat_warm"]
    return _lines.AGENT_GREETINGS["chat"]


class _Thread:
    """A conversation being written: a clock and a growing list of steps."""

    def __init__(
        self,
        key: str,
        customer: PlanCustomer,
        queue: str,
        channel: str,
        tone: str,
        issue: Issue | None,
        facts: dict[str, str],
        t: float,
    ) -> None:
        self.key = key
        self.customer = customer
        self.queue = queue
        self.channel = channel
        self.tone = tone
        self.issue = issue
        self.facts = facts
        self.t = t
        self.steps: list[Step] = []
        self.n = 0
        self.subject = ""
        self.agent: PlanAgent | None = None
        self.pending: list[str] = []  # said with the next agent message ("thanks for holding" …)
        self.public_reply_done = False
        self.asked: int | None = None  # which clarifying question was asked

    def say(self, author_kind: str, body: str, agent: str | None = None, kind: str = "message", tag: str = "") -> None:
        self.steps.append(
            Step(self.t, kind, author_kind=author_kind, body=body, agent=agent, client_id=f"{self.key}:{tag}{self.n}")
        )
        self.n += 1

    def act(self, kind: str, **kw) -> None:
        self.steps.append(Step(self.t, kind, **kw))

    def wait(self, seconds: float) -> None:
        self.t += max(1.0, seconds)


class _Writer:
    """Turns corpus text into messages for one conversation at a time."""

    def __init__(self, rng: random.Random, c: Corpus | None = None, live: bool = False) -> None:
        self.rng = rng
        self.c = c or load()
        self.live = live
        self._greetings = _lines.EMAIL_GREETINGS
        self._signoffs = _lines.EMAIL_SIGNOFFS

    # --- facts -----------------------------------------------------------------

    def facts(self, customer_first: str, customer_name: str, region: str, last4: str,
              issue: Issue | None, at: float, product_key: str | None = None) -> dict[str, str]:
        rng, c = self.rng, self.c
        if product_key is None:
            keys = (issue.products if issue and issue.products else tuple(c.products))
            product_key = rng.choice(keys)
        product = c.products[product_key]
        plan = rng.choice(c.plans)

        def price(p) -> float:
            return p.price_usd if region == "us" else p.price_gbp

        amount = price(plan) if (issue and issue.amount_from == "plan") else price(product)
        amount2 = math.floor(amount * 1.2) + 0.99
        days = rng.randint(3, 18)
        return {
            "first": customer_first,
            "name": customer_name,
            "order": f"KH-{rng.randint(1_000_000, 9_999_999)}",
            "amount": _money(amount, region),
            "amount2": _money(amount2, region),
            "plan": plan.name,
            "plan_price": _money(price(plan), region),
            "date": _date(at - days * DAY, region),
            "days": str(days),
            "eta": _date(at + rng.randint(1, 5) * DAY, region, weekday=True),
            "product": product.name,
            "last4": last4,
            "ref": f"CS-{rng.randint(100_000, 999_999)}",
            "code": rng.choice(c.error_codes),
            "courier": rng.choice(c.couriers),
            "label": issue.label if issue else "Customer query",
        }

    # --- choosing --------------------------------------------------------------

    def opener(self, queue: str, tone: str, channel: str, *, repeat_ok: bool, issue: str | None = None) -> Opener:
        pool = self.c.openers_by.get((queue, tone, channel), ())
        if not repeat_ok:
            pool = tuple(o for o in pool if not o.repeat) or pool
        if issue is not None:
            pool = tuple(o for o in pool if o.issue == issue) or pool
        if not pool:  # the corpus guarantees one per (queue, tone, channel)
            raise LookupError(f"no opener for {queue}/{tone}/{channel}")
        return self.rng.choice(pool)

    def pick(self, options: Sequence[str]) -> str:
        return self.rng.choice(options)

    # --- rendering -------------------------------------------------------------

    def values(self, th: _Thread, agent: str | None = None, **extra: str) -> dict[str, str]:
        v = dict(th.facts)
        if agent:
            v["agent"] = agent
        v.update(extra)
        return v

    def customer_text(self, th: _Thread, template: str, agent: str | None = None) -> str:
        body = fill(template, self.values(th, agent))
        if th.channel == "email":
            body = f"{body}\n\n{fill(self.pick(_lines.EMAIL_REPLY_SIGNOFFS), th.facts)}"
        return body

    def agent_text(self, th: _Thread, agent: PlanAgent, pieces: Sequence[str], **extra: str) -> str:
        v = self.values(th, agent.first_name, **extra)
        if th.pending:
            pieces = [*th.pending, *pieces]
            th.pending = []
        body = " ".join(fill(p, v) for p in pieces if p)
        if th.channel == "email":
            opening = fill(self.pick(_lines.AGENT_EMAIL_OPENINGS), v)
            closing = fill(self.pick(_lines.AGENT_EMAIL_CLOSINGS), v)
            body = f"{opening}\n\n{body}\n\n{closing}"
        return body

    def render_opener(self, th: _Thread, o: Opener) -> tuple[str, str]:
        subject = fill(o.subject, th.facts)
        body = fill(o.body, th.facts)
        if th.channel == "email" and o.style == "text":
            g = self.pick([t for spec, t in self._greetings if _tone_ok(spec, th.tone)])
            s = self.pick([t for spec, t in self._signoffs if _tone_ok(spec, th.tone)])
            body = f"{g}\n\n{body}\n\n{fill(s, th.facts)}"
        return subject, body

    # --- timing ----------------------------------------------------------------

    def gap(self, channel: str, who: str, pace: float = 1.0) -> float:
        """Seconds until the next turn by ``who`` (``agent`` or ``customer``)."""
        u = self.rng.uniform
        if channel == "phone":
            s = u(10, 50) if who == "agent" else u(8, 40)
        elif channel == "chat" or self.live:
            s = u(25, 110) if who == "agent" else u(15, 100)
            if self.live and channel in ("email", "social"):
                s *= 2.0
        elif channel == "social":
            s = u(120, 1500) if who == "agent" else u(60, 1200)
        else:  # email, history
            s = u(1800, 6 * 3600) if who == "agent" else u(600, 20 * 3600)
        return s * (pace if who == "agent" else 1.0)

    def queue_wait(self, channel: str) -> float:
        """How long a past contact waited before an agent claimed it."""
        u = self.rng.uniform
        if channel == "email":
            return u(1200, 20 * 3600)
        if channel == "social":
            return u(240, 3 * 3600)
        return 10 + self.rng.expovariate(1 / 150)

    # --- building blocks ---------------------------------------------------------

    def start(self, th: _Thread, o: Opener) -> None:
        th.act("arrived", queue=th.queue)
        th.subject, body = self.render_opener(th, o)
        th.say(o.author_kind, body)

    def claim(self, th: _Thread, agent: PlanAgent) -> None:
        th.agent = agent
        th.act("claimed", agent=agent.name, queue=th.queue)

    def first_reply(self, th: _Thread, agent: PlanAgent, *, prev_agent: str | None = None, reopened: bool = False) -> None:
        """Greeting (or hand-over / reopen line), acknowledgement, clarifying question."""
        th.wait(self.gap(th.channel, "agent", agent.pace) * 0.6)
        team = self.c.queue(th.queue).team
        if th.channel == "social" and not th.public_reply_done and prev_agent is None and not reopened:
            th.say("agent", fill(self.pick(_lines.AGENT_GREETINGS["social"]), self.values(th, agent.first_name)), agent.name)
            th.public_reply_done = True
            th.wait(self.gap(th.channel, "customer"))
            th.say("customer", self.pick(_lines.CUSTOMER_SOCIAL_DM))
            th.wait(self.gap(th.channel, "agent", agent.pace))
            pieces: list[str] = []
        elif prev_agent is not None:
            pieces = [self.pick(_lines.AGENT_AFTER_TRANSFER)]
        elif reopened:
            pieces = [self.pick(_lines.AGENT_AFTER_REOPEN)]
        else:
            pieces = [self.pick(greetings(th.channel, th.tone))]
        question = self.clarify_line(th) if prev_agent is None and not reopened else None
        ack = _lines.AGENT_ACKNOWLEDGE.get(th.tone)
        # one apology is enough: skip the acknowledgement when the question already has one
        if ack and question is not None and "sorry" not in question.lower() and "stressful" not in question:
            if self.rng.random() < 0.85:
                pieces.append(self.pick(ack))
        if question is not None:
            pieces.append(question)
        elif th.channel == "email":  # nothing to ask: the greeting goes with the answer
            v = self.values(th, agent.first_name, team=team, prev_agent=prev_agent or "")
            th.pending.extend(fill(p, v) for p in pieces)
            return
        th.say("agent", self.agent_text(th, agent, pieces, team=team, prev_agent=prev_agent or ""), agent.name)

    def clarify_line(self, th: _Thread) -> str:
        if th.issue is not None:
            th.asked = self.rng.randrange(len(th.issue.clarify))
            return th.issue.clarify[th.asked]
        return self.pick(_lines.GENERIC_CLARIFY.get(th.queue, _lines.GENERIC_CLARIFY["billing"]))

    def answer(self, th: _Thread) -> None:
        th.wait(self.gap(th.channel, "customer"))
        if th.tone == "abusive":
            th.say("customer", self.customer_text(th, self.pick(_lines.CUSTOMER_ABUSE_CALMS)))
            th.wait(self.gap(th.channel, "customer") * 0.4)
        th.say("customer", self.customer_text(th, self.answer_line(th)))

    def reopen_line(self, th: _Thread) -> str:
        return self.pick(_lines.CUSTOMER_REOPEN["*"] + _lines.CUSTOMER_REOPEN.get(th.queue, ()))

    def answer_line(self, th: _Thread) -> str:
        """The answer to the clarifying question asked (answers are written in the same
        order as the questions when an issue has one of each)."""
        if th.issue is None:
            return self.pick(_lines.CUSTOMER_GENERIC_ANSWERS)
        answers = th.issue.answers
        if th.asked is not None and len(answers) == len(th.issue.clarify):
            return answers[th.asked]
        return self.pick(answers)

    def hold(self, th: _Thread, agent: PlanAgent) -> str:
        th.wait(self.gap(th.channel, "agent", agent.pace) * 0.5)
        th.say("agent", self.agent_text(th, agent, [self.pick(_lines.AGENT_HOLD)]), agent.name)
        if self.rng.random() < 0.5:
            th.wait(self.gap(th.channel, "customer") * 0.3)
            th.say("customer", self.customer_text(th, self.pick(_lines.CUSTOMER_AFTER_HOLD_NOTICE)))
        th.wait(5)
        reason = self.pick(_lines.HOLD_REASONS.get(th.queue, _lines.HOLD_REASONS["billing"]))
        th.act("held", agent=agent.name, note=reason)
        return reason

    def resume(self, th: _Thread, agent: PlanAgent) -> None:
        th.wait(self.rng.uniform(60, 360))
        th.act("resumed", agent=agent.name)
        th.pending.append(self.pick(_lines.AGENT_RESUME))

    def diagnose(self, th: _Thread, agent: PlanAgent) -> None:
        line = self.pick(th.issue.diagnosis) if th.issue else self.pick(_lines.GENERIC_DIAGNOSIS)
        if th.channel == "email":  # one email explains and resolves
            th.pending.append(line)
            return
        th.wait(self.gap(th.channel, "agent", agent.pace))
        th.say("agent", self.agent_text(th, agent, [line]), agent.name)

    def note(self, th: _Thread, agent: PlanAgent, disposition: str | None = None) -> None:
        """The agent's internal note: what was found, and the outcome once there is one."""
        if th.issue is None:
            return
        text = th.issue.note
        if disposition in _lines.NOTE_OUTCOMES:
            text = f"{text} {_lines.NOTE_OUTCOMES[disposition]}"
        th.wait(self.rng.uniform(5, 40))
        th.say("note", fill(text, self.values(th, agent.first_name)), agent.name, kind="note")

    def handoff_note(self, th: _Thread, to_queue: str) -> str:
        team = self.c.queue(to_queue).team
        if th.issue is not None and th.issue.handoff and th.issue.handoff[0] == to_queue:
            template = th.issue.handoff[1]
        else:
            template = self.pick(_lines.GENERIC_HANDOFFS)
        return fill(template, self.values(th, team=team))

    def transfer(self, th: _Thread, agent: PlanAgent, to_queue: str) -> str:
        team = self.c.queue(to_queue).team
        th.wait(self.gap(th.channel, "agent", agent.pace))
        th.say("agent", self.agent_text(th, agent, [self.pick(_lines.AGENT_TRANSFER)], team=team), agent.name)
        if self.rng.random() < 0.6:
            th.wait(self.gap(th.channel, "customer") * 0.5)
            th.say("customer", self.customer_text(th, self.pick(_lines.CUSTOMER_ON_TRANSFER)))
        th.wait(self.rng.uniform(10, 60))
        note = self.handoff_note(th, to_queue)
        th.act("transferred", agent=agent.name, queue=to_queue, note=note)
        th.queue = to_queue
        th.agent = None
        return note

    def resolution_line(self, th: _Thread, disposition: str) -> str:
        if th.issue is not None and disposition in th.issue.resolutions:
            return th.issue.resolutions[disposition]
        return _lines.GENERIC_RESOLUTIONS.get(disposition, _lines.GENERIC_RESOLUTIONS["solved"])

    def resolve(self, th: _Thread, agent: PlanAgent, disposition: str, *, with_line: bool = True) -> None:
        if with_line:
            th.wait(self.gap(th.channel, "agent", agent.pace))
            th.say("agent", self.agent_text(th, agent, [self.resolution_line(th, disposition)]), agent.name)
            if self.rng.random() < 0.5:
                self.note(th, agent, disposition)
        if self.rng.random() < 0.75:
            th.wait(self.gap(th.channel, "customer"))
            grudging = th.tone in ("frustrated", "angry", "abusive") and self.rng.random() < 0.5
            pool = _lines.CUSTOMER_GRUDGING if grudging else _lines.CUSTOMER_THANKS
            th.say("customer", self.customer_text(th, self.pick(pool), agent.first_name))
            if self.rng.random() < 0.8:
                th.wait(self.gap(th.channel, "agent", agent.pace) * 0.4)
                th.say("agent", self.agent_text(th, agent, [self.pick(_lines.AGENT_CLOSING)]), agent.name)
        self.close(th, agent, disposition)

    def close(self, th: _Thread, agent: PlanAgent, disposition: str) -> None:
        th.wait(self.rng.uniform(15, 90) * agent.pace)
        th.act("wrap_up", agent=agent.name)
        th.wait(self.rng.uniform(20, 150) * agent.pace)
        th.act("resolved", agent=agent.name, disposition=disposition)

    def no_response(self, th: _Thread, agent: PlanAgent) -> None:
        th.wait(self.rng.uniform(180, 420))
        th.say("agent", self.agent_text(th, agent, [self.pick(_lines.AGENT_NUDGE)]), agent.name)
        th.wait(self.rng.uniform(180, 600))
        th.say("agent", self.agent_text(th, agent, [self.pick(_lines.AGENT_NO_RESPONSE)]), agent.name)
        self.close(th, agent, "no_response")

    def abuse_ends(self, th: _Thread, agent: PlanAgent) -> None:
        th.wait(self.gap(th.channel, "customer"))
        th.say("customer", self.customer_text(th, self.pick(_lines.CUSTOMER_ABUSE_CONTINUES)))
        th.wait(self.gap(th.channel, "agent", agent.pace) * 0.5)
        th.say("agent", self.agent_text(th, agent, [self.pick(_lines.AGENT_END_ABUSE)]), agent.name)
        self.close(th, agent, "spam")

    def duplicate(self, th: _Thread, agent: PlanAgent) -> None:
        th.wait(self.gap(th.channel, "agent", agent.pace))
        th.say("agent", self.agent_text(th, agent, [self.pick(_lines.AGENT_DUPLICATE)]), agent.name)
        self.close(th, agent, "duplicate")

    def follow_ups(self, th: _Thread, enqueued_at: float, until: float) -> int:
        """Write the follow-ups due between ``enqueued_at`` and ``until``; returns how many."""
        schedule = follow_up_schedule(th.key, th.tone, th.channel)
        due = [w for w in schedule if enqueued_at + w <= until]
        if not due:
            return 0
        texts = _follow_up_texts(self.c, th.key, th.tone, th.channel, len(due) - 1)
        for n, (w, f) in enumerate(zip(due, texts)):
            th.t = enqueued_at + w
            body = fill(f.body, self.values(th, minutes=str(max(2, round(w / 60)))))
            th.say(f.author_kind, body, tag="f")
        return len(due)

    # --- decisions -------------------------------------------------------------

    def disposition(self, issue: Issue | None, tone: str | None = None) -> str:
        if issue is None:
            return _weighted(self.rng, (("solved", 5), ("info_provided", 3), ("escalated", 1), ("follow_up", 1)))
        return _weighted(self.rng, issue.dispositions)

    def handle(
        self,
        th: _Thread,
        agent: PlanAgent,
        pick_agent,
        *,
        allow_transfer: bool = True,
        transfer_share: float = 0.25,
        prev_agent: str | None = None,
        reopened: bool = False,
        duplicate: bool = False,
        no_response_share: float = 0.05,
    ) -> None:
        """Write a whole handling from claim to resolved (or to transferred when
        ``pick_agent`` is None, leaving the conversation waiting in the new queue)."""
        self.claim(th, agent)
        if duplicate:
            self.duplicate(th, agent)
            return
        if th.tone == "abusive" and prev_agent is None and not reopened and self.rng.random() < 0.35:
            self.first_reply(th, agent)
            self.abuse_ends(th, agent)
            return
        self.first_reply(th, agent, prev_agent=prev_agent, reopened=reopened)
        if prev_agent is None and not reopened:
            if th.channel in ("chat", "social") and self.rng.random() < no_response_share:
                self.no_response(th, agent)
                return
            self.answer(th)
            if th.channel in ("chat", "phone") and self.rng.random() < 0.25:
                self.hold(th, agent)
                self.resume(th, agent)
            self.diagnose(th, agent)
            issue = th.issue
            if allow_transfer and issue is not None and issue.handoff and self.rng.random() < transfer_share:
                to_queue, _note, target_disposition = issue.handoff
                self.transfer(th, agent, to_queue)
                if pick_agent is None:
                    return
                th.wait(self.queue_wait(th.channel) * 0.5)
                nxt = pick_agent(to_queue, exclude=agent.name)
                self.claim(th, nxt)
                self.first_reply(th, nxt, prev_agent=agent.first_name)
                self.resolve(th, nxt, target_disposition)
                return
        disposition = self.disposition(th.issue, th.tone)
        if prev_agent is not None and th.issue is not None and th.issue.handoff and th.issue.handoff[0] == th.queue:
            disposition = th.issue.handoff[2]
        if reopened:
            options = [d for d in ("escalated", "replacement", "solved", "follow_up", "refund")
                       if th.issue is None or d in th.issue.resolutions]
            disposition = self.rng.choice(options or ["escalated"])
        self.resolve(th, agent, disposition)


# ------------------------------------------------------------------------ customers


class _People:
    """Makes customers with unique names, e-mails and phone numbers."""

    def __init__(self, rng: random.Random, c: Corpus, taken_emails: Iterable[str] = (), taken_phones: Iterable[str] = ()) -> None:
        self.rng = rng
        self.c = c
        self.emails = {e.lower() for e in taken_emails}
        self.phones = set(taken_phones)
        self.names: set[str] = set()
        self.uk = list(range(1000))
        self.us = [(a, n) for a in c.us_area_codes for n in range(100)]
        rng.shuffle(self.uk)
        rng.shuffle(self.us)

    def _name(self) -> tuple[str, str]:
        rng, groups = self.rng, self.c.names
        for _ in range(60):
            g = rng.choices(groups, weights=[x.weight for x in groups])[0]
            first = rng.choice(g.first)
            h = g if rng.random() < 0.8 else rng.choice(groups)
            last = rng.choice(h.last)
            if f"{first} {last}" not in self.names:
                break
        self.names.add(f"{first} {last}")
        return first, last

    def _email(self, first: str, last: str) -> str:
        rng, t = self.rng, self.c.transliterate
        f, l = _ascii(first, t) or "customer", _ascii(last, t) or "kestrel"
        patterns = (
            lambda: f"{f}.{l}",
            lambda: f"{f}{l}",
            lambda: f"{f[0]}{l}",
            lambda: f"{f}.{l}{rng.randint(1, 99)}",
            lambda: f"{f}_{l[0]}",
            lambda: f"{l}.{f}",
            lambda: f"{f}{rng.randint(60, 99)}",
            lambda: f"{f}.{l[0]}{rng.randint(10, 99)}",
        )
        for attempt in range(40):
            local = rng.choice(patterns)()
            if attempt > 20:
                local = f"{local}{rng.randint(100, 9999)}"
            domain = _weighted(rng, self.c.email_domains)
            email = f"{local}@{domain}"
            if email not in self.emails:
                self.emails.add(email)
                return email
        email = f"{f}.{l}.{len(self.emails)}@example.com"
        self.emails.add(email)
        return email

    def _phone(self, region: str) -> str | None:
        for _ in range(3):
            if region == "uk" and self.uk:
                p = f"+44 7700 900{self.uk.pop():03d}"
            elif self.us:
                area, n = self.us.pop()
                p = f"+1 {area}-555-01{n:02d}"
            elif self.uk:
                p = f"+44 7700 900{self.uk.pop():03d}"
            else:
                return None
            if p not in self.phones:
                self.phones.add(p)
                return p
        return None

    def make(self, key: str, created_at: float) -> PlanCustomer:
        rng = self.rng
        first, last = self._name()
        region = "uk" if rng.random() < 0.55 else "us"
        email = self._email(first, last)
        phone = self._phone(region) if rng.random() < 0.85 else None
        return PlanCustomer(
            key=key,
            name=f"{first} {last}",
            first_name=first,
            last_name=last,
            email=email,
            phone=phone,
            tier=_weighted(rng, TIER_MIX),
            created_at=created_at,
            region=region,
            card_last4=f"{rng.randint(0, 9999):04d}",
        )


# ---------------------------------------------------------------------- build_plan


def _check(name: str, value, low, high=None) -> None:
    if not isinstance(value, (int, float)) or isinstance(value, bool) or math.isnan(value):
        raise UsageError(f"demo: {name} must be a number, got {value!r}")
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise UsageError(f"demo: {name} must be {bound}, got {value}")


_BUSY_HOURS = (1, 1, 1, 1, 1, 2, 4, 7, 10, 11, 11, 10, 9, 10, 10, 10, 9, 8, 7, 6, 5, 3, 2, 1)
"""Relative contact volume by hour of day (UTC)."""


class _PlanBuilder:
    def __init__(self, seed: int, now: float, n_customers: int, n_waiting: int, history_days: int,
                 n_active: int, n_on_hold: int, n_today: int = 0, today_hours: float = 6.0) -> None:
        self.seed = seed
        self.now = now
        self.rng = random.Random(seed)
        self.c = load()
        self.w = _Writer(self.rng, self.c)
        self.live_w = _Writer(self.rng, self.c, live=True)
        self.n_customers = n_customers
        self.n_waiting = n_waiting
        self.history_days = history_days
        self.n_active = n_active
        self.n_on_hold = n_on_hold
        self.n_today = n_today
        self.today_start = now - today_hours * 3600 if n_today else None
        self.agents = self._agents()
        self.by_queue = {q.name: [a for a in self.agents if q.name in a.queues] for q in self.c.queues}
        self.conv_n = 0
        self.commitments: dict[str, list[tuple[float, float]]] = {}
        """Agent → intervals in which it is busy with a conversation of ``now`` (one being
        worked now, or the first leg of a waiting transfer): today's work keeps clear."""

    def _commit(self, agent: str, start: float, end: float) -> None:
        self.commitments.setdefault(agent, []).append((start, end))

    def _free(self, agent: str, start: float, end: float) -> bool:
        return all(e <= start or s >= end for s, e in self.commitments.get(agent, ()))

    # --- agents, queues ---------------------------------------------------------

    def _agents(self) -> tuple[PlanAgent, ...]:
        profiles = self.c.agents
        n_away = 2 if len(profiles) >= 6 else 0
        for _ in range(50):
            away = set(self.rng.sample(range(len(profiles)), n_away))
            staffed = all(
                any(q.name in p.queues for i, p in enumerate(profiles) if i not in away) for q in self.c.queues
            )
            if staffed:
                break
        return tuple(
            PlanAgent(p.name, p.display_name, "away" if i in away else "available", p.queues, p.pace)
            for i, p in enumerate(profiles)
        )

    def queues(self) -> tuple[PlanQueue, ...]:
        return tuple(
            PlanQueue(q.name, q.title, q.sl_target_s, q.sl_goal, q.skills, q.weight) for q in self.c.queues
        )

    def pick_agent(self, queue: str, exclude: str | None = None, available_only: bool = False) -> PlanAgent:
        pool = [a for a in self.by_queue[queue] if a.name != exclude and (a.status == "available" or not available_only)]
        return self.rng.choice(pool or self.by_queue[queue])

    # --- one conversation -------------------------------------------------------

    def _thread(self, customer: PlanCustomer, t: float, *, queue: str | None = None, tone: str | None = None,
                channel: str | None = None, tone_mix=HISTORY_TONE_MIX, repeat_ok: bool = True,
                opener: Opener | None = None) -> tuple[_Thread, Opener]:
        rng, c = self.rng, self.c
        if opener is not None:
            o = opener
            queue, tone = o.queue, o.tone
            channel = channel if channel in o.channels else rng.choice(sorted(o.channels))
        else:
            queue = queue or _weighted(rng, [(q.name, q.weight) for q in c.queues])
            tone = tone or _weighted(rng, tone_mix)
            channel = channel or _weighted(rng, c.queue(queue).channel_weights)
            o = self.w.opener(queue, tone, channel, repeat_ok=repeat_ok)
        the_issue = c.issues[o.issue]
        facts = self.w.facts(customer.first_name, customer.name, customer.region, customer.card_last4,
                             the_issue, t, o.product)
        self.conv_n += 1
        th = _Thread(f"d{self.seed}-{self.conv_n:05d}", customer, queue, channel, tone, the_issue, facts, t)
        return th, o

    def _conversation(self, th: _Thread, *, status: str, priority: int, enqueued_at: float,
                      assignee: str | None = None, hold_reason: str | None = None,
                      handoff_note: str | None = None) -> PlanConversation:
        disposition = None
        if status == "resolved":
            disposition = next(s.disposition for s in reversed(th.steps) if s.kind == "resolved")
        return PlanConversation(
            key=th.key,
            customer=th.customer.key,
            queue=th.queue,
            channel=th.channel,
            subject=th.subject,
            tone=th.tone,
            issue=th.issue.key if th.issue else "",
            status=status,
            priority=priority,
            created_at=th.steps[0].at,
            enqueued_at=enqueued_at,
            steps=tuple(th.steps),
            assignee=assignee,
            disposition=disposition,
            hold_reason=hold_reason,
            handoff_note=handoff_note,
            facts=dict(th.facts),
        )

    @staticmethod
    def _shift(th: _Thread, delta: float) -> None:
        th.steps = [replace(s, at=s.at + delta) for s in th.steps]
        th.t += delta

    # --- history ----------------------------------------------------------------

    def _start_times(self, n: int) -> list[float]:
        rng = self.rng
        midnight = math.floor(self.now / DAY) * DAY
        out = []
        for _ in range(n):
            day = rng.randint(1, self.history_days)
            hour = rng.choices(range(24), weights=_BUSY_HOURS)[0]
            out.append(midnight - day * DAY + hour * 3600 + rng.uniform(0, 3600))
        return sorted(out)

    def history_for(self, customer: PlanCustomer, n: int) -> list[PlanConversation]:
        rng, w = self.rng, self.w
        out: list[PlanConversation] = []
        latest_end = self.now - 3 * 3600
        if self.today_start is not None:  # the months before today end before it
            latest_end = min(latest_end, self.today_start - 60)
        prev: PlanConversation | None = None
        for start in self._start_times(n):
            dup = prev is not None and start - prev.created_at < 2 * DAY and rng.random() < 0.5
            opener = None
            if dup:
                same = [o for o in self.c.openers if o.issue == prev.issue and prev.channel not in o.channels]
                opener = rng.choice(same) if same else None
                dup = opener is not None
            th, o = self._thread(customer, start, repeat_ok=prev is not None, opener=opener)
            w.start(th, o)
            abandoned = th.channel in ("chat", "phone", "social") and not dup and rng.random() < 0.05
            if abandoned:
                patience = rng.uniform(90, 900)
                w.follow_ups(th, start, start + patience)
                th.t = start + patience
                th.act("abandoned", queue=th.queue)
            else:
                th.wait(w.queue_wait(th.channel))
                w.handle(th, self.pick_agent(th.queue), self.pick_agent, duplicate=dup)
                if not dup and th.steps[-1].disposition not in ("spam", "no_response") and rng.random() < 0.08:
                    self._reopen(th)
            if th.t > latest_end:
                self._shift(th, latest_end - th.t - rng.uniform(0, DAY))
            status = "abandoned" if abandoned else "resolved"
            conv = self._conversation(
                th, status=status, priority=priority_for(customer.tier), enqueued_at=th.steps[0].at
            )
            out.append(conv)
            prev = conv
        return out

    def _reopen(self, th: _Thread) -> None:
        w = self.w
        th.wait(self.rng.uniform(0.5 * DAY, 5 * DAY))
        th.say("customer", w.customer_text(th, w.reopen_line(th)))
        th.act("reopened", queue=th.queue)
        th.wait(w.queue_wait(th.channel))
        w.handle(th, self.pick_agent(th.queue), self.pick_agent, reopened=True)

    # --- now: waiting, active, on hold -------------------------------------------

    def _tones_for_waiting(self) -> list[str]:
        n = self.n_waiting
        minimum = {t: (2 if t == "abusive" else 3) for t in TONES} if n >= 30 else {t: 1 for t in TONES} if n >= len(TONES) else {}
        tones = [t for t, k in minimum.items() for _ in range(k)]
        while len(tones) < n:
            tones.append(_weighted(self.rng, LIVE_TONE_MIX))
        tones = tones[:n]
        self.rng.shuffle(tones)
        return tones

    def _waits(self) -> list[float]:
        rng, n = self.rng, self.n_waiting
        waits = [MAX_WAIT_S * rng.random() ** 1.7 for _ in range(n)]
        if n >= 2:  # always someone who just arrived and someone who has waited long
            waits[0] = rng.uniform(4, 30)
            waits[1] = rng.uniform(20 * 60, MAX_WAIT_S)
        return [max(3.0, w) for w in waits]

    def waiting(self, customers: Sequence[PlanCustomer]) -> list[PlanConversation]:
        rng, w, now = self.rng, self.w, self.now
        tones = self._tones_for_waiting()
        waits = self._waits()
        # with enough conversations, every channel and every queue is in the queue
        channels: list[str | None] = [None] * len(customers)
        queues: list[str | None] = [None] * len(customers)
        if len(customers) >= 8:
            for i, ch in enumerate(CHANNELS):
                channels[i] = ch
            for i, q in enumerate(self.c.queues):
                queues[i] = q.name
        kinds = ["fresh"] * len(customers)
        if len(customers) >= 12:
            kinds[4] = kinds[5] = kinds[6] = "transferred"
            kinds[7] = "reopened"
        order = list(range(len(customers)))
        rng.shuffle(order)
        out = []
        for i, idx in enumerate(order):
            customer, tone, wait, kind = customers[i], tones[i], waits[idx], kinds[i]
            enqueued_at = now - wait
            if kind == "transferred":
                out.append(self._waiting_transferred(customer, tone, enqueued_at))
            elif kind == "reopened":
                out.append(self._waiting_reopened(customer, tone, enqueued_at))
            else:
                th, o = self._thread(customer, enqueued_at, queue=queues[i], tone=tone, channel=channels[i],
                                     tone_mix=LIVE_TONE_MIX)
                w.start(th, o)
                w.follow_ups(th, enqueued_at, now)
                out.append(self._conversation(
                    th, status="waiting", priority=priority_for(customer.tier), enqueued_at=enqueued_at
                ))
        out.sort(key=lambda c: (-c.priority, c.enqueued_at, c.key))
        return out

    def _waiting_transferred(self, customer: PlanCustomer, tone: str, enqueued_at: float) -> PlanConversation:
        # its first leg happened minutes ago: at the live pace, like today's contacts, by
        # an agent who was free then (not one working a conversation of now; one who is
        # away now may have handed it over before stepping away)
        rng, w = self.rng, self.live_w
        openers = [o for o in self.c.openers if self.c.issues[o.issue].handoff and o.tone == tone]
        rng.shuffle(openers)

        def free(queue: str, span: float) -> list[PlanAgent]:
            return [a for a in self.by_queue[queue] if self._free(a.name, enqueued_at - span, enqueued_at + 60)]

        opener = next((o for o in openers if free(o.queue, 25 * 60)), openers[0])
        th, o = self._thread(customer, 0.0, opener=opener, channel="chat")
        w.start(th, o)
        th.wait(10 + rng.expovariate(1 / 150))
        head, t0, n0, first_queue = len(th.steps), th.t, th.n, th.queue

        def first_leg(agent: PlanAgent) -> tuple[str, float]:
            del th.steps[head:]
            th.t, th.n, th.queue, th.agent, th.pending, th.asked = t0, n0, first_queue, None, [], None
            th.public_reply_done = False
            w.claim(th, agent)
            w.first_reply(th, agent)
            w.answer(th)
            w.diagnose(th, agent)
            w.note(th, agent)
            handoff = th.issue.handoff if th.issue else None
            to_queue = handoff[0] if handoff else rng.choice([q.name for q in self.c.queues if q.name != first_queue])
            return w.transfer(th, agent, to_queue), th.t - th.steps[head].at

        def pick(pool: list[PlanAgent]) -> PlanAgent:
            on_floor = [a for a in pool if a.status == "available"]
            return rng.choice(on_floor or pool or self.by_queue[first_queue])

        agent = pick(free(first_queue, 25 * 60))
        note, length = first_leg(agent)
        if not self._free(agent.name, enqueued_at - length, enqueued_at):
            fits = free(first_queue, 1.3 * length + 60)
            if fits:
                agent = pick(fits)
                note, length = first_leg(agent)
        if not self._free(agent.name, enqueued_at - length, enqueued_at):
            # everyone who works that queue was busy then: the hand-over came just before
            busy_from = min(s for s, e in self.commitments[agent.name] if e > enqueued_at - length)
            enqueued_at = max(busy_from - 60.0, self.now - MAX_WAIT_S + 60.0)
        self._shift(th, enqueued_at - th.t)
        self._commit(agent.name, th.steps[head].at, enqueued_at)
        w.follow_ups(th, enqueued_at, self.now)
        return self._conversation(
            th, status="waiting", priority=priority_for(customer.tier, transferred=True),
            enqueued_at=enqueued_at, handoff_note=note,
        )

    def _waiting_reopened(self, customer: PlanCustomer, tone: str, enqueued_at: float) -> PlanConversation:
        rng, w = self.rng, self.w
        start = enqueued_at - rng.uniform(1 * DAY, 4 * DAY)
        th, o = self._thread(customer, start, tone="calm" if tone == "grateful" else tone)
        w.start(th, o)
        th.wait(w.queue_wait(th.channel))
        w.handle(th, self.pick_agent(th.queue), self.pick_agent, allow_transfer=False, no_response_share=0.0)
        latest = enqueued_at - 3600
        if self.today_start is not None:  # the first time round was before today
            latest = min(latest, self.today_start - 60)
        if th.t > latest:
            self._shift(th, latest - th.t)
        th.t = enqueued_at
        th.tone = tone
        th.say("customer", w.customer_text(th, w.reopen_line(th)))
        th.act("reopened", queue=th.queue)
        w.follow_ups(th, enqueued_at, self.now)
        return self._conversation(
            th, status="waiting", priority=priority_for(customer.tier, reopened=True), enqueued_at=enqueued_at
        )

    def active(self, customers: Sequence[PlanCustomer]) -> list[tuple[_Thread, PlanAgent, str | None, int]]:
        """The conversations simulated agents are working now, written up to a moment
        before ``now``; :meth:`finish_active` dates their arrival once the queue is known."""
        rng, w, now = self.rng, self.w, self.now
        out = []
        load_of: dict[str, int] = {}
        for i, customer in enumerate(customers):
            on_hold = i >= self.n_active
            queue = _weighted(rng, [(q.name, q.weight) for q in self.c.queues])
            pool = [a for a in self.by_queue[queue] if a.status == "available" and load_of.get(a.name, 0) < 2]
            if not pool:
                pool = [a for a in self.agents if a.status == "available" and load_of.get(a.name, 0) < 3]
                queue = rng.choice(pool[0].queues) if pool else queue
                pool = [a for a in pool if queue in a.queues] or pool
            agent = rng.choice(pool or self.by_queue[queue])
            load_of[agent.name] = load_of.get(agent.name, 0) + 1
            channel = rng.choice(("chat", "chat", "phone"))
            th, o = self._thread(customer, 0.0, queue=queue, channel=channel, tone_mix=LIVE_TONE_MIX)
            w.start(th, o)
            head = len(th.steps)
            th.wait(rng.uniform(20, 300))
            w.claim(th, agent)
            w.first_reply(th, agent)
            w.answer(th)
            reason = None
            if on_hold:
                reason = w.hold(th, agent)
                end = now - rng.uniform(30, 240)
            else:
                if rng.random() < 0.5:
                    w.diagnose(th, agent)
                    if rng.random() < 0.5:
                        w.note(th, agent)
                end = now - rng.uniform(5, 120)
            self._shift(th, end - th.t)
            self._commit(agent.name, th.steps[head].at, math.inf)
            out.append((th, agent, reason, head))
        return out

    def finish_active(self, started: Sequence[tuple[_Thread, PlanAgent, str | None, int]],
                      waiting: Sequence[PlanConversation]) -> list[PlanConversation]:
        """Date each worked conversation's arrival so that it was in line ahead of every
        customer still waiting in its queue at the same or a higher priority (it was
        taken first), with the follow-ups a customer writes while waiting that long."""
        out = []
        for th, agent, reason, head in started:
            claimed_at = th.steps[head].at
            priority = priority_for(th.customer.tier)
            behind = [c.enqueued_at for c in waiting if c.queue == th.queue and c.priority >= priority]
            latest = min([claimed_at - 20.0, *behind])
            arrived = latest - self.rng.uniform(15.0, 120.0)
            rest = th.steps[head:]
            th.steps = [replace(s, at=arrived) for s in th.steps[:head]]
            self.w.follow_ups(th, arrived, claimed_at - 5.0)
            th.steps.extend(rest)
            th.t = rest[-1].at
            out.append(self._conversation(
                th, status="on_hold" if reason is not None else "active", priority=priority,
                enqueued_at=arrived, assignee=agent.name, hold_reason=reason,
            ))
        return out

    # --- today: the last hours as a queueing process --------------------------------

    def today(self, people: _People, regulars: Sequence[PlanCustomer], waiting: Sequence[PlanConversation],
              active: Sequence[PlanConversation]) -> tuple[list[PlanConversation], list[PlanCustomer]]:
        """Today's closed contacts and the customers who were new today (see the module
        docstring); ``regulars`` are the customers with history who may write again."""
        assert self.today_start is not None
        rng, now = self.rng, self.now
        # everyone in line now arrived after every contact of today (the newest arrivals
        # are the waiting ones, the ones being worked now just before them); the last
        # half hour belongs to the queue of now in any case
        entries = [x.enqueued_at for x in waiting] + [x.created_at for x in active]
        start = self.today_start
        arrivals_end = max(start + 600.0, min([now - 30 * 60.0, *entries]))
        times = today_arrivals(rng, self.n_today, start, arrivals_end, now)
        floor = _TodayFloor(self, waiting, active)
        pool = list(regulars)
        rng.shuffle(pool)
        new_customers: list[PlanCustomer] = []
        for i, t in enumerate(times):
            if pool and rng.random() < 0.35:  # a returning customer (once today)
                customer, new = pool.pop(), False
            else:
                customer = people.make(f"t{i + 1:04d}", t)
                long_ago = rng.uniform(2 * DAY, 3 * 365 * DAY) if rng.random() < 0.85 else rng.uniform(600, 2 * DAY)
                customer = replace(customer, created_at=t - long_ago)
                new_customers.append(customer)
                new = True
            th, o = self._thread(customer, t, tone_mix=LIVE_TONE_MIX, repeat_ok=not new)
            self.live_w.start(th, o)
            patience = _samplers.CHANNELS[th.channel].sample_patience(rng)
            floor.arrive(th, priority_for(customer.tier), t, t + patience)
        today = floor.run()
        kept = {x.customer for x in today}
        return today, [x for x in new_customers if x.key in kept]

    # --- all ----------------------------------------------------------------------

    def build(self) -> DemoPlan:
        rng = self.rng
        people = _People(rng, self.c)
        counts = [1, 2, 3, 4, 5, 6]
        count_weights = [35, 28, 17, 10, 6, 4]
        customers: list[PlanCustomer] = []
        history: list[PlanConversation] = []
        for i in range(self.n_customers):
            draft = people.make(f"c{i + 1:04d}", 0.0)
            n = rng.choices(counts, weights=count_weights)[0] + (1 if draft.tier == "platinum" else 0)
            past = self.history_for(draft, n)
            first = min(p.created_at for p in past)
            created = first - (rng.uniform(2 * 3600, 20 * 3600) if rng.random() < 0.1 else rng.uniform(2 * DAY, 3 * 365 * DAY))
            customers.append(replace(draft, created_at=created))
            history.extend(past)
        now_customers = rng.sample(customers, self.n_waiting + self.n_active + self.n_on_hold)
        started = self.active(now_customers[self.n_waiting:])
        waiting = self.waiting(now_customers[: self.n_waiting])
        active = self.finish_active(started, waiting)
        if self.n_today:
            busy = {x.key for x in now_customers}
            today, newcomers = self.today(people, [x for x in customers if x.key not in busy], waiting, active)
            history.extend(today)
            customers.extend(newcomers)
        history.sort(key=lambda c: (c.created_at, c.key))
        return DemoPlan(
            seed=self.seed,
            now=self.now,
            queues=self.queues(),
            agents=self.agents,
            customers=tuple(customers),
            history=tuple(history),
            waiting=tuple(waiting),
            active=tuple(active),
            today_start=self.today_start,
        )


def today_profile() -> _samplers.RateProfile:
    """Arrivals per hour over the floor's day: the CHANNELS profiles of
    :mod:`agentdesk.sim.samplers` added up (they share one day shape)."""
    profiles = [ch.arrivals for ch in _samplers.CHANNELS.values()]
    hours = sorted({h for p in profiles for h, _ in p.points})
    return _samplers.RateProfile(tuple((h, sum(p.curve.at_hour(h) * p.scale for p in profiles)) for h in hours))


def today_arrivals(rng: random.Random, n: int, start: float, end: float, now: float) -> list[float]:
    """``n`` arrival times in ``[start, end)``, sorted, following :func:`today_profile`
    on the floor's clock (which reads :data:`TODAY_CLOCK_HOUR` at ``now``). Given their
    number, the arrivals of a Poisson process are independent draws from its rate's
    shape: a uniform time is kept with probability rate / peak."""
    profile = today_profile()
    offset = (TODAY_CLOCK_HOUR * 3600.0 - now) % DAY
    peak = profile.curve.peak
    out: list[float] = []
    while len(out) < n:
        t = rng.uniform(start, end)
        if rng.random() * peak <= profile.curve.at(t + offset):
            out.append(t)
    out.sort()
    return out


@dataclass(eq=False)
class _Contact:
    """One of today's contacts while the floor simulation runs."""

    th: _Thread
    priority: int
    enqueued: float
    """When it joined the line it is in (arrival, or the hand-over)."""
    gives_up_at: float
    seq: int
    handed_over_by: PlanAgent | None = None
    outcome: str = "waiting"
    """``waiting`` (in line or with an agent), ``resolved`` or ``abandoned``."""

    @property
    def key(self) -> tuple[int, float, int]:
        """Claim order: higher priority first, then the longest waiting."""
        return (-self.priority, self.enqueued, self.seq)


@dataclass(eq=False)
class _Worker:
    plan: PlanAgent
    off: list[tuple[float, float]]
    """Intervals in which the agent takes nothing from today's queue, sorted: its work
    on conversations of ``now``, and the end of its day (``now``, or when it stepped away)."""
    free_at: float
    working: bool = False


_ARRIVE, _GIVE_UP, _FREE, _LOOK = 0, 1, 2, 3
_PICKUP_S = (4.0, 30.0)
"""An idle agent claims a new arrival within this many seconds (the live driver polls)."""
_AFTER_CONTACT_S = (20.0, 90.0)
"""Before the next claim after finishing (the live driver's pause)."""
_BREAK_SHARE, _BREAK_S = 0.05, (180.0, 720.0)
_MIN_FIT = 0.6
"""Before an agent's next commitment a handling may be written up to 1 / 0.6 times faster
(its timings scaled) to end in time; a window shorter than that the agent leaves alone."""


class _TodayFloor:
    """Today as a discrete-event simulation: the plan's agents take the queue in claim
    order, one conversation at a time, and each claimed conversation's transcript is
    written at claim time with the live driver's timings."""

    def __init__(self, b: _PlanBuilder, waiting: Sequence[PlanConversation],
                 active: Sequence[PlanConversation]) -> None:
        assert b.today_start is not None
        self.b = b
        self.rng = b.rng
        self.w = b.live_w
        self.now = b.now
        self.start = b.today_start
        self.events: list[tuple[float, int, int, object]] = []
        self._seq = 0
        self.lines: dict[str, list[tuple[tuple[int, float, int], _Contact]]] = {q.name: [] for q in b.c.queues}
        self.contacts: list[_Contact] = []
        # conversations of now that were in line: (queue) → (since, until, priority). A
        # contact who joined after one of them, at the same or a lower priority, is
        # behind it: nobody takes it while that one is still waiting.
        self.ahead: dict[str, list[tuple[float, float, int]]] = {q: [] for q in self.lines}
        for x in waiting:
            self.ahead[x.queue].append((x.enqueued_at, math.inf, x.priority))
            claims = [s.at for s in x.steps if s.kind == "claimed"]
            if x.handoff_note and claims:  # its first leg, in the first queue until claimed
                self.ahead[x.first_queue].append((x.created_at, claims[0], x.priority - 1))
        for x in active:
            claimed = next(s.at for s in x.steps if s.kind == "claimed")
            self.ahead[x.queue].append((x.enqueued_at, claimed, x.priority))
        self.workers: list[_Worker] = []
        for a in b.agents:
            stop = self.now
            if a.status == "away":  # stepped away a few minutes ago, after any hand-over
                done = max((e for _s, e in b.commitments.get(a.name, ())), default=-math.inf)
                stop = max(self.now - self.rng.uniform(3 * 60, 20 * 60), done + 30.0)
            off = sorted([*b.commitments.get(a.name, ()), (stop, math.inf)])
            w = _Worker(a, off, self.start + self.rng.uniform(0, 300))
            self.workers.append(w)
            self._push(w.free_at, _LOOK, None)
        for spans in self.ahead.values():
            for _since, until, _p in spans:
                if until < self.now:
                    self._push(until, _LOOK, None)

    def _push(self, at: float, kind: int, obj: object) -> None:
        self._seq += 1
        heapq.heappush(self.events, (at, kind, self._seq, obj))

    def arrive(self, th: _Thread, priority: int, at: float, gives_up_at: float) -> None:
        self._seq += 1
        c = _Contact(th, priority, at, gives_up_at, self._seq)
        self.contacts.append(c)
        self._push(at, _ARRIVE, c)

    # --- the queue -----------------------------------------------------------------

    def _behind(self, c: _Contact, queue: str, at: float) -> bool:
        return any(since <= c.enqueued and since <= at < until and p >= c.priority
                   for since, until, p in self.ahead[queue])

    def _join(self, c: _Contact, at: float) -> None:
        insort(self.lines[c.th.queue], (c.key, c))
        if c.gives_up_at < math.inf:
            self._push(c.gives_up_at, _GIVE_UP, c)
        self._push(at + self.rng.uniform(*_PICKUP_S), _LOOK, None)

    def _leave(self, c: _Contact, queue: str) -> None:
        line = self.lines[queue]
        line.pop(bisect_left(line, (c.key,)))

    def _abandon(self, c: _Contact, at: float) -> None:
        self._leave(c, c.th.queue)
        c.outcome = "abandoned"
        self.w.follow_ups(c.th, c.enqueued, at)
        c.th.t = at
        c.th.act("abandoned", queue=c.th.queue)

    # --- the agents ------------------------------------------------------------------

    def _look(self, at: float) -> None:
        idle = [w for w in self.workers if not w.working and w.free_at <= at]
        idle.sort(key=lambda w: (w.free_at, w.plan.name))
        for w in idle:
            self._try(w, at)

    def _try(self, w: _Worker, at: float) -> None:
        start, end = next((s, e) for s, e in w.off if e > at)
        if start <= at:  # busy elsewhere (or done for the day) until `end`
            w.free_at = end
            if end < self.now:
                self._push(end, _LOOK, None)
            return
        heads = []
        for q in w.plan.queues:
            line = self.lines[q]
            head = line[0][1] if line else None
            # a hand-over goes to a colleague on the new team, never back to who sent it
            if head is not None and head.handed_over_by is not w.plan and not self._behind(head, q, at):
                heads.append(head)
        heads.sort(key=lambda c: c.key)
        for c in heads:
            if self._serve(w, c, at, start - 10.0):
                return
        if heads:  # nothing it could finish before its next commitment: it winds down
            w.free_at = end
            if end < self.now:
                self._push(end, _LOOK, None)

    def _serve(self, w: _Worker, c: _Contact, at: float, limit: float) -> bool:
        th = c.th
        queue = th.queue
        saved = (len(th.steps), th.t, th.n, th.queue, th.agent, list(th.pending), th.public_reply_done, th.asked)
        for allow_transfer in ((True, False) if c.handed_over_by is None else (False,)):
            if c.handed_over_by is None:
                self.w.follow_ups(th, c.enqueued, at)  # what the customer wrote while waiting
            th.t = at
            first = len(th.steps)
            self.w.handle(
                th, w.plan, None, allow_transfer=allow_transfer, transfer_share=TODAY_TRANSFER_SHARE,
                prev_agent=c.handed_over_by.first_name if c.handed_over_by else None, no_response_share=0.04,
            )
            end = th.steps[-1].at
            if end > limit:
                fit = (limit - at) / (end - at)
                if fit >= _MIN_FIT:
                    th.steps[first:] = [replace(s, at=at + (s.at - at) * fit) for s in th.steps[first:]]
                    end = th.t = th.steps[-1].at
            handed_over = th.steps[-1].kind == "transferred"
            if end <= limit and (not handed_over or self._can_take_over(c, th.queue, end)):
                break
            n, th.t, th.n, th.queue, th.agent, pending, th.public_reply_done, th.asked = saved
            del th.steps[n:]
            th.pending = pending
        else:
            return False
        self._leave(c, queue)
        w.working = True
        w.free_at = end + self.rng.uniform(*_AFTER_CONTACT_S)
        if self.rng.random() < _BREAK_SHARE:
            w.free_at += self.rng.uniform(*_BREAK_S)
        self._push(w.free_at, _FREE, w)
        if handed_over:
            c.handed_over_by = w.plan
            c.priority = priority_for(th.customer.tier, transferred=True)
            c.enqueued = end
            c.gives_up_at = math.inf
            self._push(end, _ARRIVE, c)
        else:
            c.outcome = "resolved"
        return True

    def _can_take_over(self, c: _Contact, queue: str, at: float) -> bool:
        """A hand-over late in the day must still be answered in the new queue today:
        not behind a customer who is still waiting now, and with time left to work it."""
        p = priority_for(c.th.customer.tier, transferred=True)
        if any(since <= at and p <= prio and until == math.inf for since, until, prio in self.ahead[queue]):
            return False
        return at < self.now - 45 * 60

    # --- the day -----------------------------------------------------------------------

    def run(self) -> list[PlanConversation]:
        while self.events:
            at, kind, _, obj = heapq.heappop(self.events)
            if at >= self.now:
                break
            if kind == _ARRIVE:
                assert isinstance(obj, _Contact)
                obj.outcome = "waiting"
                self._join(obj, at)
            elif kind == _GIVE_UP:
                assert isinstance(obj, _Contact)
                if obj.outcome == "waiting" and obj.gives_up_at == at:
                    self._abandon(obj, at)
            elif kind == _FREE:
                assert isinstance(obj, _Worker)
                obj.working = False
                self._look(at)
            else:
                self._look(at)
        out = []
        for c in self.contacts:
            if c.outcome not in ("resolved", "abandoned"):
                # still in line at `now`, behind more work than the floor could do: it
                # would be waiting now, which the plan's queue does not show, so it is
                # left out (only when today is sized beyond the agents' capacity)
                continue
            th = c.th
            joined = [s.at for s in th.steps if s.kind in ("arrived", "transferred")][-1]
            out.append(self.b._conversation(th, status=c.outcome, priority=c.priority, enqueued_at=joined))
        return out


def build_plan(
    *,
    seed: int = 20_240,
    now: float,
    customers: int = 220,
    waiting: int = 36,
    history_days: int = 90,
    active: int = 5,
    on_hold: int = 2,
    today_contacts: int = TODAY_CONTACTS,
    today_hours: float = TODAY_HOURS,
) -> DemoPlan:
    """Everything a fresh demo store needs, deterministic in ``seed`` and ``now``.

    ``now`` is the UTC epoch second the plan is "taken" at: history lies before it,
    waits end at it. ``customers`` have months of history (``history_days``); today adds
    ``today_contacts`` closed contacts over the last ``today_hours`` (0: none), from
    returning customers and from new ones, who are added to :attr:`DemoPlan.customers`.
    The default keeps the plan's eight agents, one conversation at a time at the live
    pace, near full load (waits of seconds to minutes, about one customer in six giving
    up); sized beyond what they can work, more customers give up, and the few still in
    line when the waiting conversations of ``now`` arrive are left out, so
    :attr:`DemoPlan.today` may then hold fewer contacts than asked for.
    Raises :class:`~agentdesk.errors.UsageError` for impossible sizes.
    """
    _check("now", now, 86_400.0 * 365 * 5)
    _check("customers", customers, 1, 100_000)
    _check("waiting", waiting, 0, 10_000)
    _check("history_days", history_days, 1, 3650)
    _check("active", active, 0, 1000)
    _check("on_hold", on_hold, 0, 1000)
    _check("today_contacts", today_contacts, 0, 20_000)
    _check("today_hours", today_hours, 1, 12)
    if waiting + active + on_hold > customers:
        raise UsageError(
            f"demo: {waiting} waiting + {active} active + {on_hold} on hold need at least as many customers, "
            f"got {customers}"
        )
    return _PlanBuilder(int(seed), float(now), int(customers), int(waiting), int(history_days),
                        int(active), int(on_hold), int(today_contacts), float(today_hours)).build()


# --------------------------------------------------------------------------- traffic


class Traffic:
    """The living queue's next events, for a real-time driver.

    The driver owns the clock and the store: it asks :meth:`arrival_gap` how long to
    sleep, inserts what :meth:`next_arrival` returns, asks :meth:`follow_up` (or
    :meth:`next_follow_up_in`) for each waiting conversation, and for a simulated agent
    either plays the whole :meth:`handling` script or asks for single lines with
    :meth:`agent_reply` / :meth:`customer_reply` / :meth:`disposition`. Randomness comes
    from the ``rng`` given; follow-ups are fixed by the conversation key instead, so
    they do not depend on how often the driver polls.
    """

    def __init__(
        self,
        rng: random.Random,
        customers: Sequence[PlanCustomer] = (),
        *,
        rate_per_min: float = 1.5,
        repeat_share: float = 0.35,
        agents: Sequence[PlanAgent] = (),
        taken_emails: Iterable[str] = (),
        taken_phones: Iterable[str] = (),
    ) -> None:
        self.rng = rng
        self.c = load()
        self.rate_per_min = rate_per_min
        _check("repeat_share", repeat_share, 0.0, 1.0)
        self.repeat_share = repeat_share
        self.customers: list[PlanCustomer] = list(customers)
        self.agents = tuple(agents) or tuple(
            PlanAgent(p.name, p.display_name, "available", p.queues, p.pace) for p in self.c.agents
        )
        self._w = _Writer(rng, self.c, live=True)
        self._people = _People(
            rng, self.c,
            taken_emails=[*taken_emails, *(c.email for c in self.customers)],
            taken_phones=[*taken_phones, *(c.phone for c in self.customers if c.phone)],
        )
        self._people.names.update(c.name for c in self.customers)
        self._n = 0
        self._asked: dict[str, int] = {}

    @classmethod
    def from_plan(cls, plan: DemoPlan, rng: random.Random | None = None, **kw) -> Traffic:
        """Traffic over the plan's customers and agents (repeat contacts come from them)."""
        return cls(rng or random.Random(plan.seed + 1), plan.customers, agents=plan.agents, **kw)

    @property
    def rate_per_min(self) -> float:
        return self._rate

    @rate_per_min.setter
    def rate_per_min(self, value: float) -> None:
        _check("rate", value, 0.01, 600)
        self._rate = float(value)

    # --- timing ----------------------------------------------------------------

    def arrival_gap(self) -> float:
        """Seconds until the next arrival (exponential, mean ``60 / rate_per_min``)."""
        mean = 60.0 / self._rate
        return min(8 * mean, max(0.2, self.rng.expovariate(1 / mean)))

    def reply_delay(self, channel: str, author: str = "agent", pace: float = 1.0) -> float:
        """Seconds before the next turn by ``author`` (``agent`` or ``customer``) at demo pace."""
        return self._w.gap(channel, author, pace)

    def handle_time(self, channel: str, pace: float = 1.0) -> float:
        """A simulated agent's handle time for one conversation, claim to resolve (s)."""
        median = {"chat": 420.0, "phone": 330.0, "email": 540.0, "social": 600.0}.get(channel, 420.0)
        return max(60.0, self.rng.lognormvariate(math.log(median), 0.45) * pace)

    def abandon_after(self, info: ConversationInfo) -> float | None:
        """Seconds of waiting after which this customer gives up, or None if they never
        do (e-mail). Fixed by the conversation key, like follow-ups."""
        if info.channel == "email":
            return None
        r = random.Random(f"abandon:{info.key}")
        if r.random() > 0.3:
            return None
        return _PATIENCE.get(info.tone or "calm", 240.0) * r.uniform(3.0, 8.0)

    # --- arrivals ----------------------------------------------------------------

    def next_arrival(self, now: float, *, busy: Collection[str] = ()) -> NewConversation:
        """A new waiting conversation arriving at ``now``. ``busy``: keys (or e-mails) of
        customers who already have an open conversation, so they are not picked."""
        rng, c, w = self.rng, self.c, self._w
        self._n += 1
        candidates = [x for x in self.customers if x.key not in busy and x.email not in busy]
        repeat = bool(candidates) and rng.random() < self.repeat_share
        if repeat:
            customer, new = rng.choice(candidates), False
        else:
            customer = self._people.make(f"n{int(now)}-{self._n}", now)
            self.customers.append(customer)
            new = True
        queue = _weighted(rng, [(q.name, q.weight) for q in c.queues])
        tone = _weighted(rng, LIVE_TONE_MIX)
        channel = _weighted(rng, c.queue(queue).channel_weights)
        o = w.opener(queue, tone, channel, repeat_ok=not new)
        issue = c.issues[o.issue]
        facts = w.facts(customer.first_name, customer.name, customer.region, customer.card_last4, issue, now, o.product)
        key = f"live-{int(now)}-{self._n}"
        th = _Thread(key, customer, queue, channel, tone, issue, facts, now)
        w.start(th, o)
        conv = PlanConversation(
            key=key, customer=customer.key, queue=queue, channel=channel, subject=th.subject, tone=tone,
            issue=issue.key, status="waiting", priority=priority_for(customer.tier), created_at=now,
            enqueued_at=now, steps=tuple(th.steps), facts=facts,
        )
        return NewConversation(conv, customer, new, conv.info(customer))

    # --- one conversation --------------------------------------------------------

    def _thread(self, info: ConversationInfo, t: float = 0.0) -> _Thread:
        issue = self.c.issues.get(info.issue) if info.issue else None
        tone = info.tone if info.tone in TONES else "calm"
        first = info.customer_first or "there"
        customer = PlanCustomer(
            key=info.key, name=info.customer_name or first, first_name=first, last_name="", email="",
            phone=None, tier="standard", created_at=t, region=info.region,
        )
        facts = dict(info.facts)
        missing = _corpus.PLACEHOLDERS - {"agent", "prev_agent", "team", "minutes"} - facts.keys()
        if missing:
            r = random.Random(f"facts:{info.key}")
            made = _Writer(r, self.c).facts(first, customer.name, info.region, f"{r.randint(0, 9999):04d}", issue, t)
            facts = {**made, **facts}
        return _Thread(info.key, customer, info.queue, info.channel, tone, issue, facts, t)

    def follow_up(self, info: ConversationInfo, waited_s: float) -> Line | None:
        """The next follow-up if this customer, having waited ``waited_s`` seconds
        with ``info.followups_sent`` already written, would write one now; else None."""
        schedule = follow_up_schedule(info.key, info.tone, info.channel)
        n = info.followups_sent
        if n >= len(schedule) or waited_s < schedule[n]:
            return None
        f = _follow_up_texts(self.c, info.key, info.tone, info.channel, n)[n]
        th = self._thread(info)
        body = fill(f.body, self._w.values(th, minutes=str(max(2, round(waited_s / 60)))))
        return Line(f.author_kind, body)

    def next_follow_up_in(self, info: ConversationInfo, waited_s: float) -> float | None:
        """Seconds from now until the next follow-up is due (0 if due), None if no more."""
        schedule = follow_up_schedule(info.key, info.tone, info.channel)
        if info.followups_sent >= len(schedule):
            return None
        return max(0.0, schedule[info.followups_sent] - waited_s)

    _AGENT_STAGES = (
        "greeting", "acknowledge", "clarify", "diagnosis", "resolution", "hold", "resume", "transfer",
        "after_transfer", "after_reopen", "closing", "nudge", "no_response", "duplicate", "boundary",
        "end_abuse",
    )

    def agent_reply(
        self,
        info: ConversationInfo,
        *stages: str,
        agent: str,
        disposition: str | None = None,
        to_queue: str | None = None,
        prev_agent: str | None = None,
    ) -> str:
        """One agent message made of the given stages, in order, e.g.
        ``agent_reply(info, "greeting", "acknowledge", "clarify", agent="Priya")``.

        ``agent`` is the agent's first name as the customer sees it. ``resolution``
        needs ``disposition``; ``transfer`` needs ``to_queue``; ``after_transfer``
        uses ``prev_agent``. Email messages get an opening and signature.
        """
        th = self._thread(info)
        rng = self.rng
        pieces: list[str] = []
        for stage in stages:
            if stage == "greeting":
                pieces.append(rng.choice(greetings(info.channel, th.tone)))
            elif stage == "acknowledge":
                ack = _lines.AGENT_ACKNOWLEDGE.get(th.tone)
                if ack:
                    pieces.append(rng.choice(ack))
            elif stage == "boundary":
                pieces.append(rng.choice(_lines.AGENT_ACKNOWLEDGE["abusive"]))
            elif stage == "clarify":
                pieces.append(self._w.clarify_line(th))
            elif stage == "diagnosis":
                pieces.append(rng.choice(th.issue.diagnosis if th.issue else _lines.GENERIC_DIAGNOSIS))
            elif stage == "resolution":
                pieces.append(self._w.resolution_line(th, disposition or self.disposition(info)))
            elif stage == "hold":
                pieces.append(rng.choice(_lines.AGENT_HOLD))
            elif stage == "resume":
                pieces.append(rng.choice(_lines.AGENT_RESUME))
            elif stage == "transfer":
                pieces.append(rng.choice(_lines.AGENT_TRANSFER))
            elif stage == "after_transfer":
                pieces.append(rng.choice(_lines.AGENT_AFTER_TRANSFER))
            elif stage == "after_reopen":
                pieces.append(rng.choice(_lines.AGENT_AFTER_REOPEN))
            elif stage == "closing":
                pieces.append(rng.choice(_lines.AGENT_CLOSING))
            elif stage == "nudge":
                pieces.append(rng.choice(_lines.AGENT_NUDGE))
            elif stage == "no_response":
                pieces.append(rng.choice(_lines.AGENT_NO_RESPONSE))
            elif stage == "duplicate":
                pieces.append(rng.choice(_lines.AGENT_DUPLICATE))
            elif stage == "end_abuse":
                pieces.append(rng.choice(_lines.AGENT_END_ABUSE))
            else:
                raise ValueError(f"unknown agent stage {stage!r}; expected one of {', '.join(self._AGENT_STAGES)}")
        if not pieces:
            pieces.append(rng.choice(_lines.AGENT_GREETINGS["chat"]))
        if th.asked is not None:
            if len(self._asked) > 10_000:  # conversations that never got an answer
                self._asked.clear()
            self._asked[info.key] = th.asked
        team_queue = to_queue or info.queue
        team = self.c.queue(team_queue).team if team_queue in {q.name for q in self.c.queues} else team_queue
        me = PlanAgent(agent, agent, "available", ())
        return self._w.agent_text(th, me, pieces, team=team, prev_agent=prev_agent or "my colleague")

    _CUSTOMER_STAGES = {
        "thanks": _lines.CUSTOMER_THANKS,
        "grudging": _lines.CUSTOMER_GRUDGING,
        "after_hold": _lines.CUSTOMER_AFTER_HOLD_NOTICE,
        "on_transfer": _lines.CUSTOMER_ON_TRANSFER,
        "reopen": (),
        "abuse": _lines.CUSTOMER_ABUSE_CONTINUES,
        "calm_down": _lines.CUSTOMER_ABUSE_CALMS,
        "dm": _lines.CUSTOMER_SOCIAL_DM,
    }

    def customer_reply(self, info: ConversationInfo, stage: str = "answer", *, agent: str = "") -> Line:
        """The customer's next turn: ``answer`` (to a clarifying question), ``thanks``,
        ``grudging``, ``after_hold``, ``on_transfer``, ``reopen``, ``abuse``,
        ``calm_down`` or ``dm`` (social, moving to private messages)."""
        th = self._thread(info)
        if stage == "answer":
            th.asked = self._asked.pop(info.key, None)
            return Line("customer", self._w.customer_text(th, self._w.answer_line(th)))
        if stage == "reopen":
            return Line("customer", self._w.customer_text(th, self._w.reopen_line(th)))
        if stage in self._CUSTOMER_STAGES:
            options = self._CUSTOMER_STAGES[stage]
        else:
            raise ValueError(f"unknown customer stage {stage!r}; expected answer or one of {', '.join(self._CUSTOMER_STAGES)}")
        if not agent:
            options = [o for o in options if "{agent}" not in o] or options
        template = self.rng.choice(options)
        return Line("customer", self._w.customer_text(th, template, agent or "there"))

    def disposition(self, info: ConversationInfo) -> str:
        """A plausible disposition code for this conversation's issue (and tone)."""
        if info.tone == "abusive" and self.rng.random() < 0.35:
            return "spam"
        issue = self.c.issues.get(info.issue) if info.issue else None
        return self._w.disposition(issue, info.tone)

    def hold_reason(self, info: ConversationInfo) -> str:
        return self.rng.choice(_lines.HOLD_REASONS.get(info.queue, _lines.HOLD_REASONS["billing"]))

    def handoff_note(self, info: ConversationInfo, to_queue: str) -> str:
        """The internal note a simulated agent leaves when transferring to ``to_queue``."""
        return self._w.handoff_note(self._thread(info), to_queue)

    def transfer_target(self, info: ConversationInfo) -> str | None:
        """Where this conversation's issue is usually handed over to, if anywhere."""
        issue = self.c.issues.get(info.issue) if info.issue else None
        return issue.handoff[0] if issue and issue.handoff else None

    def handling(
        self,
        info: ConversationInfo,
        agent: PlanAgent,
        start: float,
        *,
        allow_transfer: bool = True,
        transfer_share: float = 0.15,
    ) -> tuple[Step, ...]:
        """A simulated agent's whole handling of a claimed conversation, from the
        ``claimed`` step at ``start`` to ``resolved`` — or to ``transferred`` (the
        conversation then waits in the new queue and whoever claims it next continues
        with ``info.transferred_from`` set). Timed at demo pace; the driver plays each
        step when its time comes and stops if the conversation changed hands."""
        th = self._thread(info, start)
        th.key = f"{info.key}:h{int(start)}"
        w = self._w
        w.handle(
            th,
            agent,
            None,
            allow_transfer=allow_transfer and info.transferred_from is None,
            transfer_share=transfer_share,
            prev_agent=info.transferred_from,
            reopened=info.reopened,
            no_response_share=0.04,
        )
        return tuple(th.steps)
