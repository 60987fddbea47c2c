"""The demo's written content, as typed, indexed, validated data.

The raw text lives in :mod:`agentdesk.demo.content` (plain Python literals, so loading
is an import: no parsing, no files to find). :func:`load` turns it into frozen
dataclasses and lookup tables once per process; :func:`problems` lists anything
inconsistent (unknown placeholder, unknown issue or disposition, a missing channel
for a queue and tone, duplicated text), and the tests require that list to be empty.

Placeholders are ``{word}`` and are filled by :func:`fill`; the words that may appear
are :data:`PLACEHOLDERS`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache

from agentdesk.demo.content import catalog, lines, openers, people
from agentdesk.domain import DISPOSITION_CODES, Channel

TONES: tuple[str, ...] = ("calm", "confused", "anxious", "frustrated", "angry", "abusive", "grateful")
"""Customer tones the demo writes in."""

NEGATIVE_TONES = frozenset({"anxious", "frustrated", "angry", "abusive"})

CHANNELS: tuple[str, ...] = tuple(c.value for c in Channel)

PLACEHOLDERS = frozenset(
    {
        # customer and agent
        "first", "name", "agent", "prev_agent", "team",
        # the conversation's facts
        "order", "amount", "amount2", "plan", "plan_price", "date", "days", "eta",
        "product", "last4", "ref", "code", "courier", "label",
        # waiting
        "minutes",
    }
)
"""Every ``{word}`` that may appear in corpus text."""

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def placeholders(text: str) -> set[str]:
    """The placeholder words used in ``text``."""
    return set(_PLACEHOLDER.findall(text))


def fill(template: str, values: Mapping[str, str]) -> str:
    """Replace each ``{word}`` in ``template`` with ``values[word]``.

    Raises ``KeyError`` naming the placeholder when a value is missing: a generator bug,
    never something a user can cause.
    """

    def sub(match: re.Match[str]) -> str:
        key = match.group(1)
        try:
            return values[key]
        except KeyError:
            raise KeyError(f"no value for placeholder {{{key}}} in {template!r}") from None

    return _PLACEHOLDER.sub(sub, template)


# ----------------------------------------------------------------------------- types


@dataclass(frozen=True, slots=True)
class Product:
    key: str
    name: str
    price_gbp: float
    price_usd: float


@dataclass(frozen=True, slots=True)
class SubscriptionPlan:
    name: str
    price_gbp: float
    price_usd: float


@dataclass(frozen=True, slots=True)
class QueueSpec:
    name: str
    title: str
    team: str
    """How an agent names the team to a customer ("our billing team")."""
    sl_target_s: int
    sl_goal: float
    skills: tuple[str, ...]
    weight: float
    """Share of all traffic."""
    channel_weights: tuple[tuple[str, float], ...]


@dataclass(frozen=True, slots=True)
class Issue:
    key: str
    queue: str
    label: str
    amount_from: str
    """Whether ``{amount}`` is a subscription price (``plan``) or a product price."""
    products: tuple[str, ...]
    """Product keys the issue can be about; empty means any product."""
    subjects: tuple[str, ...]
    dispositions: tuple[tuple[str, float], ...]
    clarify: tuple[str, ...]
    answers: tuple[str, ...]
    diagnosis: tuple[str, ...]
    resolutions: Mapping[str, str]
    note: str
    handoff: tuple[str, str, str] | None
    """(target queue, internal hand-off note, disposition the target usually reaches)."""


@dataclass(frozen=True, slots=True)
class Opener:
    queue: str
    tone: str
    issue: str
    channels: frozenset[str]
    style: str
    """``text`` (chat, or email once wrapped), ``email`` (complete email), ``speech``
    (transcribed caller), ``call_note`` (written by the phone system), ``post``."""
    subject: str
    body: str
    repeat: bool = False
    product: str | None = None

    @property
    def author_kind(self) -> str:
        return "system" if self.style == "call_note" else "customer"


@dataclass(frozen=True, slots=True)
class FollowUpLine:
    tones: frozenset[str]
    level: int
    channel: str
    body: str

    @property
    def author_kind(self) -> str:
        return "system" if self.channel == "phone" else "customer"


@dataclass(frozen=True, slots=True)
class AgentProfile:
    name: str
    display_name: str
    queues: tuple[str, ...]
    pace: float

    @property
    def first_name(self) -> str:
        return self.display_name.split()[0]


@dataclass(frozen=True, slots=True)
class NameGroup:
    key: str
    weight: float
    first: tuple[str, ...]
    last: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Corpus:
    company: str
    social_handle: str
    products: Mapping[str, Product]
    plans: tuple[SubscriptionPlan, ...]
    couriers: tuple[str, ...]
    error_codes: tuple[str, ...]
    queues: tuple[QueueSpec, ...]
    issues: Mapping[str, Issue]
    openers: tuple[Opener, ...]
    follow_ups: tuple[FollowUpLine, ...]
    agents: tuple[AgentProfile, ...]
    names: tuple[NameGroup, ...]
    email_domains: tuple[tuple[str, float], ...]
    us_area_codes: tuple[str, ...]
    transliterate: Mapping[str, str]
    # indexes
    openers_by: Mapping[tuple[str, str, str], tuple[Opener, ...]]
    """(queue, tone, channel) → openers usable there."""
    issues_by_queue: Mapping[str, tuple[Issue, ...]]

    def queue(self, name: str) -> QueueSpec:
        for q in self.queues:
            if q.name == name:
                return q
        raise KeyError(name)


# ------------------------------------------------------------------------- loading


def _tones(spec: str) -> frozenset[str]:
    return frozenset(TONES) if spec == "*" else frozenset(spec.split())


def _opener(queue: str, raw: tuple[str, str, str, str, str]) -> Opener:
    tone, issue, how, subject, body = raw
    tokens = how.split()
    repeat = "+repeat" in tokens
    product = next((t[1:] for t in tokens if t.startswith("=")), None)
    kinds = [t for t in tokens if t[0] not in "+="]
    if kinds == ["chat", "email"] or kinds == ["chat"]:
        style, channels = "text", frozenset(kinds)
    elif kinds == ["email"]:
        style, channels = "email", frozenset({"email"})
    elif kinds == ["phone"]:
        style, channels = "speech", frozenset({"phone"})
    elif kinds == ["call"]:
        style, channels = "call_note", frozenset({"phone"})
    elif kinds == ["social"]:
        style, channels = "post", frozenset({"social"})
    else:
        raise ValueError(f"opener {subject!r}: unknown channel spec {how!r}")
    return Opener(queue, tone, issue, channels, style, subject, body, repeat, product)


@cache
def load() -> Corpus:
    """The corpus, built once per process (a few milliseconds)."""
    products = {k: Product(k, n, g, u) for k, (n, g, u) in catalog.PRODUCTS.items()}
    queues = tuple(
        QueueSpec(
            name=q["name"],
            title=q["title"],
            team=q["team"],
            sl_target_s=q["sl_target_s"],
            sl_goal=q["sl_goal"],
            skills=tuple(q["skills"]),
            weight=q["weight"],
            channel_weights=tuple(q["channels"].items()),
        )
        for q in catalog.QUEUES
    )
    issues = {
        i["key"]: Issue(
            key=i["key"],
            queue=i["queue"],
            label=i["label"],
            amount_from=i["amount"],
            products=tuple(i["products"]),
            subjects=tuple(i["subjects"]),
            dispositions=tuple(i["dispositions"].items()),
            clarify=tuple(i["clarify"]),
            answers=tuple(i["answers"]),
            diagnosis=tuple(i["diagnosis"]),
            resolutions=dict(i["resolutions"]),
            note=i["note"],
            handoff=i["handoff"],
        )
        for i in catalog.ISSUES
    }
    all_openers = tuple(_opener(q, raw) for q, group in openers.OPENERS.items() for raw in group)
    by: dict[tuple[str, str, str], list[Opener]] = {}
    for o in all_openers:
        for ch in o.channels:
            by.setdefault((o.queue, o.tone, ch), []).append(o)
    follow_ups = tuple(
        FollowUpLine(_tones(t), level, ch, body) for t, level, ch, body in lines.FOLLOW_UPS
    )
    return Corpus(
        company=catalog.COMPANY,
        social_handle=catalog.SOCIAL_HANDLE,
        products=products,
        plans=tuple(SubscriptionPlan(*p) for p in catalog.PLANS),
        couriers=catalog.COURIERS,
        error_codes=catalog.ERROR_CODES,
        queues=queues,
        issues=issues,
        openers=all_openers,
        follow_ups=follow_ups,
        agents=tuple(AgentProfile(n, d, tuple(q), p) for n, d, q, p in people.AGENTS),
        names=tuple(NameGroup(k, w, f, l) for k, (w, f, l) in people.NAMES.items()),
        email_domains=people.EMAIL_DOMAINS,
        us_area_codes=people.US_AREA_CODES,
        transliterate=people.TRANSLITERATE,
        openers_by={k: tuple(v) for k, v in by.items()},
        issues_by_queue={
            q.name: tuple(i for i in issues.values() if i.queue == q.name) for q in queues
        },
    )


# ---------------------------------------------------------------------- inspection


def texts() -> Iterator[tuple[str, str]]:
    """Every piece of written text in the corpus as ``(where, text)``; subjects and
    names included. Used by the duplicate and placeholder checks and the counts."""
    for q, group in openers.OPENERS.items():
        for tone, issue, _how, subject, body in group:
            yield f"opener subject {q}/{tone}/{issue}", subject
            yield f"opener {q}/{tone}/{issue}", body
    for i in catalog.ISSUES:
        k = i["key"]
        for field in ("subjects", "clarify", "answers", "diagnosis"):
            for t in i[field]:
                yield f"issue {k} {field}", t
        for code, t in i["resolutions"].items():
            yield f"issue {k} resolution {code}", t
        yield f"issue {k} note", i["note"]
        if i["handoff"]:
            yield f"issue {k} handoff", i["handoff"][1]
    for _t, _l, ch, body in lines.FOLLOW_UPS:
        yield f"follow-up {ch}", body
    for name in dir(lines):
        if not name.isupper() or name == "FOLLOW_UPS":
            continue
        value = getattr(lines, name)
        if isinstance(value, dict):
            for key, group in value.items():
                for t in (group,) if isinstance(group, str) else group:
                    yield f"{name} {key}", t
        else:
            for t in value:
                yield name, t[1] if isinstance(t, tuple) else t


def counts() -> dict[str, int]:
    """How much content there is, by category (for reports and tests)."""
    c = load()
    issue_lines = sum(
        len(i.clarify) + len(i.answers) + len(i.diagnosis) + len(i.resolutions) + 1 + (1 if i.handoff else 0)
        for i in c.issues.values()
    )
    agent_generic = (
        sum(len(v) for v in lines.AGENT_GREETINGS.values())
        + len(lines.AGENT_AFTER_TRANSFER)
        + len(lines.AGENT_AFTER_REOPEN)
        + sum(len(v) for v in lines.AGENT_ACKNOWLEDGE.values())
        + len(lines.AGENT_END_ABUSE)
        + len(lines.AGENT_HOLD)
        + len(lines.AGENT_RESUME)
        + len(lines.AGENT_TRANSFER)
        + len(lines.GENERIC_HANDOFFS)
        + len(lines.AGENT_CLOSING)
        + len(lines.AGENT_NUDGE)
        + len(lines.AGENT_NO_RESPONSE)
        + len(lines.AGENT_DUPLICATE)
        + sum(len(v) for v in lines.GENERIC_CLARIFY.values())
        + len(lines.GENERIC_DIAGNOSIS)
        + len(lines.GENERIC_RESOLUTIONS)
        + len(lines.NOTE_OUTCOMES)
    )
    agent_issue = sum(
        len(i.clarify) + len(i.diagnosis) + len(i.resolutions) + 1 + (1 if i.handoff else 0)
        for i in c.issues.values()
    )
    customer_turns = (
        sum(len(i.answers) for i in c.issues.values())
        + len(lines.CUSTOMER_GENERIC_ANSWERS)
        + len(lines.CUSTOMER_THANKS)
        + len(lines.CUSTOMER_GRUDGING)
        + len(lines.CUSTOMER_AFTER_HOLD_NOTICE)
        + len(lines.CUSTOMER_ON_TRANSFER)
        + sum(len(v) for v in lines.CUSTOMER_REOPEN.values())
        + len(lines.CUSTOMER_ABUSE_CONTINUES)
        + len(lines.CUSTOMER_ABUSE_CALMS)
        + len(lines.CUSTOMER_SOCIAL_DM)
    )
    return {
        "queues": len(c.queues),
        "issues": len(c.issues),
        "openers": len(c.openers),
        "follow_ups": len(c.follow_ups),
        "agent_lines": agent_generic + agent_issue,
        "customer_turns": customer_turns,
        "past_subjects": sum(len(i.subjects) for i in c.issues.values()),
        "issue_lines": issue_lines,
        "first_names": sum(len(g.first) for g in c.names),
        "last_names": sum(len(g.last) for g in c.names),
        "name_traditions": len(c.names),
        "agents": len(c.agents),
        "products": len(c.products),
        "hold_reasons": sum(len(v) for v in lines.HOLD_REASONS.values()),
    }


def problems() -> list[str]:
    """Everything wrong with the corpus, one line each; empty when it is sound."""
    c = load()
    out: list[str] = []
    queue_names = {q.name for q in c.queues}
    # placeholders
    for where, text in texts():
        unknown = placeholders(text) - PLACEHOLDERS
        if unknown:
            out.append(f"{where}: unknown placeholder(s) {sorted(unknown)} in {text!r}")
        stray = _PLACEHOLDER.sub("", text)
        if "{" in stray or "}" in stray:
            out.append(f"{where}: stray brace in {text!r}")
        if text != text.strip() or not text:
            out.append(f"{where}: empty or padded text {text!r}")
    # duplicates (exact, and ignoring case and punctuation)
    seen = Counter(t for _, t in texts())
    out += [f"duplicate text {t!r} ({n}×)" for t, n in seen.items() if n > 1]
    loose = Counter(re.sub(r"\W+", " ", t).strip().lower() for _, t in texts())
    out += [
        f"near-duplicate text {t!r}"
        for t, n in loose.items()
        if n > 1 and len(t) >= 12
    ]
    # issues
    for i in c.issues.values():
        if i.queue not in queue_names:
            out.append(f"issue {i.key}: unknown queue {i.queue}")
        for code, _w in i.dispositions:
            if code not in DISPOSITION_CODES:
                out.append(f"issue {i.key}: unknown disposition {code}")
            if code not in i.resolutions:
                out.append(f"issue {i.key}: no resolution line for disposition {code}")
        for code in i.resolutions:
            if code not in DISPOSITION_CODES:
                out.append(f"issue {i.key}: resolution for unknown disposition {code}")
        for p in i.products:
            if p not in c.products:
                out.append(f"issue {i.key}: unknown product {p}")
        if i.amount_from not in ("plan", "product"):
            out.append(f"issue {i.key}: amount must come from 'plan' or 'product'")
        if i.handoff:
            target, _note, disposition = i.handoff
            if target not in queue_names or target == i.queue:
                out.append(f"issue {i.key}: bad hand-off queue {target}")
            if disposition not in DISPOSITION_CODES:
                out.append(f"issue {i.key}: bad hand-off disposition {disposition}")
        if not (i.clarify and i.answers and i.diagnosis and i.subjects):
            out.append(f"issue {i.key}: missing clarify/answers/diagnosis/subjects")
    # openers
    for o in c.openers:
        if o.issue not in c.issues:
            out.append(f"opener {o.subject!r}: unknown issue {o.issue}")
        elif c.issues[o.issue].queue != o.queue:
            out.append(f"opener {o.subject!r}: issue {o.issue} belongs to another queue")
        if o.tone not in TONES:
            out.append(f"opener {o.subject!r}: unknown tone {o.tone}")
        if o.product is not None and o.product not in c.products:
            out.append(f"opener {o.subject!r}: unknown product {o.product}")
        if o.style == "post" and c.social_handle not in o.body:
            out.append(f"opener {o.subject!r}: a social post should mention {c.social_handle}")
        if o.style == "email" and "\n\n" not in o.body:
            out.append(f"opener {o.subject!r}: a complete email needs a greeting and sign-off")
    for q in queue_names:
        for tone in TONES:
            pair = [o for o in c.openers if o.queue == q and o.tone == tone]
            if len(pair) < 8:
                out.append(f"only {len(pair)} openers for {q}/{tone} (want ≥ 8)")
            for ch in CHANNELS:
                usable = [o for o in c.openers_by.get((q, tone, ch), ()) if not o.repeat]
                if not usable:
                    out.append(f"no first-contact opener for {q}/{tone}/{ch}")
    # follow-ups: every tone has one at every level on chat, and one on each other channel
    for tone in TONES:
        for level in (1, 2, 3):
            if not any(tone in f.tones and f.level == level and f.channel == "chat" for f in c.follow_ups):
                out.append(f"no chat follow-up for {tone} at level {level}")
        for ch in ("email", "social", "phone"):
            if not any(tone in f.tones and f.channel == ch for f in c.follow_ups):
                out.append(f"no {ch} follow-up for {tone}")
    # agents, names
    for a in c.agents:
        for q in a.queues:
            if q not in queue_names:
                out.append(f"agent {a.name}: unknown queue {q}")
    for q in queue_names:
        if not any(q in a.queues for a in c.agents):
            out.append(f"queue {q}: nobody staffs it")
    firsts = Counter(n for g in c.names for n in g.first)
    lasts = Counter(n for g in c.names for n in g.last)
    out += [f"first name {n!r} listed {k}×" for n, k in firsts.items() if k > 1]
    out += [f"last name {n!r} listed {k}×" for n, k in lasts.items() if k > 1]
    for q in c.queues:
        if {ch for ch, _ in q.channel_weights} != set(CHANNELS):
            out.append(f"queue {q.name}: channel weights must cover {CHANNELS}")
    for key, reasons in lines.HOLD_REASONS.items():
        if key not in queue_names:
            out.append(f"hold reasons for unknown queue {key}")
    for q in queue_names:
        if q not in lines.HOLD_REASONS or q not in lines.GENERIC_CLARIFY:
            out.append(f"queue {q}: missing hold reasons or generic clarify")
    for table in (lines.GENERIC_RESOLUTIONS, lines.NOTE_OUTCOMES):
        for code in table:
            if code not in DISPOSITION_CODES:
                out.append(f"outcome line for unknown disposition {code}")
    for q in queue_names:
        if q not in lines.CUSTOMER_REOPEN:
            out.append(f"queue {q}: no reopen lines")
    return out
