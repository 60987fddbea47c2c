"""build_plan: deterministic, complete, and internally consistent."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agentdesk.demo.corpus import CHANNELS, TONES
from agentdesk.demo.generate import (
    DAY,
    MAX_WAIT_S,
    DemoPlan,
    build_plan,
    priority_for,
)
from agentdesk.domain import DISPOSITION_CODES, AuthorKind, EventKind, Status
from agentdesk.errors import UsageError

NOW = 1_764_000_000.0  # a fixed instant, so the tests never depend on the clock
EVENT_KINDS = {k.value for k in EventKind}
AUTHOR_KINDS = {k.value for k in AuthorKind}


@pytest.fixture(scope="module")
def plan() -> DemoPlan:
    return build_plan(seed=7, now=NOW)


def all_text(p: DemoPlan):
    for c in p.conversations():
        yield c.subject
        if c.handoff_note:
            yield c.handoff_note
        for s in c.steps:
            for t in (s.body, s.note):
                if t:
                    yield t


# ------------------------------------------------------------------- determinism


def test_same_seed_same_plan(plan):
    assert build_plan(seed=7, now=NOW) == plan


def test_different_seed_different_plan(plan):
    other = build_plan(seed=8, now=NOW)
    assert [c.name for c in other.customers] != [c.name for c in plan.customers]
    assert [c.subject for c in other.waiting] != [c.subject for c in plan.waiting]


def test_plan_moves_with_now(plan):
    later = build_plan(seed=7, now=NOW + 3600)
    assert [c.name for c in later.customers] == [c.name for c in plan.customers]
    assert later.waiting[0].enqueued_at == pytest.approx(plan.waiting[0].enqueued_at + 3600)


# ---------------------------------------------------------------------- coverage


def test_coverage(plan):
    assert len(plan.queues) >= 3
    assert len(plan.customers) >= 200
    with_history = {c.customer for c in plan.history}
    assert with_history == {c.key for c in plan.customers}
    assert len(plan.waiting) >= 30
    assert 6 <= len(plan.agents) <= 10
    statuses = Counter(a.status for a in plan.agents)
    assert statuses["available"] >= 4 and statuses["away"] >= 1
    assert {c.channel for c in plan.waiting} == set(CHANNELS)
    assert {c.channel for c in plan.history} == set(CHANNELS)
    assert {c.queue for c in plan.waiting} == {q.name for q in plan.queues}
    assert Counter(c.status for c in plan.active) == {"active": 5, "on_hold": 2}


def test_every_tone_waits_at_least_twice(plan):
    tones = Counter(c.tone for c in plan.waiting)
    assert set(tones) == set(TONES)
    assert min(tones.values()) >= 2


def test_history_is_rich(plan):
    dispositions = Counter(c.disposition for c in plan.history if c.status == "resolved")
    assert len(dispositions) >= 8
    assert Counter(c.status for c in plan.history)["abandoned"] >= 1
    kinds = Counter(s.kind for c in plan.history for s in c.steps)
    for kind in ("transferred", "reopened", "held", "resumed", "note", "wrap_up"):
        assert kinds[kind] >= 3, kind
    per_customer = Counter(c.customer for c in plan.history)
    assert max(per_customer.values()) >= 5 and min(per_customer.values()) == 1
    assert all(len(c.messages) >= 2 for c in plan.history if c.status == "resolved")
    assert all(len(c.messages) >= 1 for c in plan.history)


def test_waiting_includes_a_transfer_and_a_reopen(plan):
    transferred = [c for c in plan.waiting if c.handoff_note]
    assert len(transferred) >= 2
    for c in transferred:
        last_move = [s for s in c.steps if s.kind == "transferred"][-1]
        assert last_move.queue == c.queue and last_move.note == c.handoff_note
        assert c.enqueued_at == last_move.at
        assert c.first_queue != c.queue
    assert any(s.kind == "reopened" for c in plan.waiting for s in c.steps)


def test_tiers_mix_and_priorities(plan):
    tiers = Counter(c.tier for c in plan.customers)
    assert tiers["standard"] > tiers["gold"] > tiers["platinum"] > 0
    by_key = {c.key: c for c in plan.customers}
    for c in plan.waiting:
        moved = any(s.kind in ("transferred", "reopened") for s in c.steps)
        assert c.priority == priority_for(by_key[c.customer].tier, transferred=moved)
    order = [(-c.priority, c.enqueued_at) for c in plan.waiting]
    assert order == sorted(order)


# -------------------------------------------------------------------- text quality


def test_no_unfilled_placeholders(plan):
    for text in all_text(plan):
        assert "{" not in text and "}" not in text, text


def test_email_and_social_shape(plan):
    for c in plan.conversations():
        first = c.messages[0]
        if c.channel == "email":
            assert first.body.count("\n\n") >= 2, first.body  # greeting, body, sign-off
            for m in c.messages:
                if m.author_kind == "agent":
                    assert m.body.split("\n", 1)[0].endswith(","), m.body
                    assert "Kestrel Home" in m.body
        if c.channel == "social":
            assert "@KestrelHelp" in first.body


def test_transcripts_read_in_turns(plan):
    for c in plan.history:
        authors = [m.author_kind for m in c.messages]
        assert authors[0] in ("customer", "system")
        if c.status == "resolved" and c.disposition not in ("duplicate",):
            assert "agent" in authors
        for m in c.messages:
            if m.author_kind in ("agent", "note"):
                assert m.agent


# ------------------------------------------------------------------ consistency


def test_dispositions_are_valid(plan):
    for c in plan.history:
        if c.status == "resolved":
            assert c.disposition in DISPOSITION_CODES
        else:
            assert c.status == "abandoned" and c.disposition is None
        for s in c.steps:
            if s.kind == "resolved":
                assert s.disposition in DISPOSITION_CODES


def test_steps_are_well_formed(plan):
    ids = Counter()
    for c in plan.conversations():
        assert c.steps[0].kind == "arrived" and c.steps[0].queue
        assert c.created_at == c.steps[0].at
        times = [s.at for s in c.steps]
        assert times == sorted(times), c.key
        for s in c.steps:
            assert s.kind in EVENT_KINDS
            if s.kind in ("message", "note"):
                assert s.author_kind in AUTHOR_KINDS and s.body and s.client_id
                ids[s.client_id] += 1
            if s.kind in ("claimed", "held", "resolved", "wrap_up", "transferred"):
                assert s.agent
            if s.kind == "held":
                assert s.note
    assert max(ids.values()) == 1  # client ids are unique across the plan


def test_history_lies_in_the_past(plan):
    earliest = NOW - 90 * DAY - 2 * DAY
    for c in plan.history:
        assert earliest - 5 * DAY < c.created_at
        assert c.closed_at is not None and c.closed_at < NOW
        assert c.last_at < NOW
    spread = [c.created_at for c in plan.history]
    assert max(spread) - min(spread) > 60 * DAY


def test_customers_exist_before_they_write(plan):
    first_contact = {}
    for c in plan.conversations():
        first_contact[c.customer] = min(first_contact.get(c.customer, c.created_at), c.created_at)
    for cust in plan.customers:
        assert cust.created_at < first_contact[cust.key]


def test_waiting_now(plan):
    for c in plan.waiting:
        assert c.status == Status.WAITING and c.assignee is None
        wait = NOW - c.enqueued_at
        assert 0 < wait <= MAX_WAIT_S
        assert all(s.at <= NOW for s in c.steps)
        joined = [s for s in c.steps if s.kind in ("arrived", "transferred", "reopened")][-1]
        assert joined.at == c.enqueued_at and joined.queue == c.queue
        followups = [m for m in c.messages if m.client_id and ":f" in m.client_id]
        assert all(m.at > c.enqueued_at for m in followups)
    waits = sorted(NOW - c.enqueued_at for c in plan.waiting)
    assert waits[0] < 60 and waits[-1] > 15 * 60
    long_waits = [c for c in plan.waiting if NOW - c.enqueued_at > 12 * 60 and c.channel == "chat"]
    assert long_waits and all(len(c.messages) >= 2 for c in long_waits)


def test_active_and_on_hold(plan):
    agents = {a.name: a for a in plan.agents}
    for c in plan.active:
        assert c.assignee in agents
        assert agents[c.assignee].status == "available"
        assert c.queue in agents[c.assignee].queues
        claims = [s for s in c.steps if s.kind == "claimed"]
        assert claims[-1].agent == c.assignee
        assert all(s.at <= NOW for s in c.steps)
        if c.status == "on_hold":
            assert c.steps[-1].kind == "held" and c.steps[-1].note == c.hold_reason
        else:
            assert c.hold_reason is None


def test_contact_details_are_fictional_and_unique(plan):
    emails = [c.email for c in plan.customers]
    assert len(set(emails)) == len(emails)
    assert all(re.fullmatch(r"[a-z0-9._-]+@([a-z]+\.)?example\.(com|net|org)", e) for e in emails)
    phones = [c.phone for c in plan.customers if c.phone]
    assert len(set(phones)) == len(phones) and len(phones) > 150
    for p in phones:
        assert re.fullmatch(r"\+44 7700 900\d{3}|\+1 \d{3}-555-01\d{2}", p), p
    names = [c.name for c in plan.customers]
    assert len(set(names)) == len(names)
    assert {c.region for c in plan.customers} == {"uk", "us"}


def test_money_follows_the_region(plan):
    by_key = {c.key: c for c in plan.customers}
    for c in plan.conversations():
        region = by_key[c.customer].region
        text = " ".join(m.body for m in c.messages if m.author_kind != "note")
        assert ("£" if region == "us" else "$") not in text, c.key


def test_conversation_info_round_trip(plan):
    by_key = plan.customers_by_key()
    assert plan.customer(plan.waiting[0].customer) is by_key[plan.waiting[0].customer]
    for c in plan.waiting:
        info = c.info(by_key[c.customer])
        assert info.queue == c.queue and info.tone == c.tone and info.issue == c.issue
        assert info.followups_sent == sum(1 for m in c.messages if ":f" in (m.client_id or ""))
        if c.handoff_note:
            assert info.transferred_from and "." not in info.transferred_from


def test_bad_sizes_are_one_line_usage_errors():
    for kwargs in (
        dict(customers=0),
        dict(customers=10, waiting=20),
        dict(waiting=-1),
        dict(history_days=0),
        dict(customers="many"),
    ):
        with pytest.raises(UsageError) as err:
            build_plan(now=NOW, **kwargs)
        assert "\n" not in str(err.value) and str(err.value).startswith("demo:")


# ---------------------------------------------------------------- property test


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(min_value=0, max_value=2**31),
    customers=st.integers(min_value=12, max_value=40),
    waiting=st.integers(min_value=0, max_value=12),
    history_days=st.integers(min_value=1, max_value=120),
)
def test_any_seed_gives_a_consistent_plan(seed, customers, waiting, history_days):
    p = build_plan(seed=seed, now=NOW, customers=customers, waiting=waiting, history_days=history_days,
                   active=0, on_hold=0)
    assert len(p.waiting) == waiting
    # `customers` have months of history; today's first-time customers come on top
    before_today = {c.customer for c in p.history if c.created_at < p.today_start}
    assert [c.key for c in p.customers[:customers]] == sorted(before_today)
    assert {c.key for c in p.customers[customers:]} == {c.customer for c in p.today} - before_today
    if waiting >= len(TONES):
        assert {c.tone for c in p.waiting} == set(TONES)
    for text in all_text(p):
        assert "{" not in text and "}" not in text
    for c in p.conversations():
        assert [s.at for s in c.steps] == sorted(s.at for s in c.steps)
    for c in p.history:
        assert c.last_at < NOW
        assert c.status in ("resolved", "abandoned")
    for c in p.waiting:
        assert 0 < NOW - c.enqueued_at <= MAX_WAIT_S
        assert c.steps[-1].at <= NOW


# --------------------------------------------------------------- realism rules


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{\w+\}", template)
    return re.compile(".+?".join(re.escape(p) for p in parts), re.DOTALL)


def test_warm_greetings_only_for_calm_customers(plan):
    from agentdesk.demo.content.lines import AGENT_GREETINGS

    warm = [_pattern(t) for t in AGENT_GREETINGS["chat_warm"]]
    for c in plan.conversations():
        if c.tone in ("calm", "confused", "grateful"):
            continue
        for m in c.messages:
            if m.author_kind == "agent":
                assert not any(p.match(m.body) for p in warm), (c.key, m.body)


def test_agent_emails_greet_once(plan):
    for c in plan.conversations():
        if c.channel != "email":
            continue
        for m in c.messages:
            if m.author_kind == "agent":
                second_paragraph = m.body.split("\n\n")[1]
                assert not second_paragraph.startswith(("Hi ", "Hello ", "Dear ")), m.body


def test_notes_report_the_outcome_that_happened(plan):
    from agentdesk.demo.content.lines import NOTE_OUTCOMES

    outcomes = {code: _pattern(t) for code, t in NOTE_OUTCOMES.items()}
    checked = 0
    for c in plan.conversations():
        resolved = {s.disposition for s in c.steps if s.kind == "resolved"}
        for m in c.messages:
            if m.kind != "note":
                continue
            for code, p in outcomes.items():
                if p.search(m.body):
                    assert code in resolved, (c.key, m.body, resolved)
                    checked += 1
    assert checked >= 50


def test_reopen_lines_fit_the_queue(plan):
    from agentdesk.demo.content.lines import CUSTOMER_REOPEN

    for c in plan.conversations():
        for i, s in enumerate(c.steps):
            if s.kind == "reopened":
                said = c.steps[i - 1]
                allowed = CUSTOMER_REOPEN["*"] + CUSTOMER_REOPEN[s.queue]
                assert any(_pattern(t).match(said.body) for t in allowed), (c.key, said.body)


def test_one_apology_per_opening_message(plan):
    for c in plan.conversations():
        agent_msgs = [m for m in c.messages if m.author_kind == "agent"]
        if agent_msgs:
            assert agent_msgs[0].body.lower().count("sorry") <= 2, agent_msgs[0].body


def test_holds_only_where_someone_is_waiting_live(plan):
    for c in plan.conversations():
        if any(s.kind == "held" for s in c.steps):
            assert c.channel in ("chat", "phone"), c.key


def test_email_threads_alternate(plan):
    for c in plan.conversations():
        if c.channel != "email":
            continue
        writers = [(m.author_kind, m.agent) for m in c.messages if m.kind == "message"]
        # an agent never sends two emails in a row (a colleague may write after a transfer),
        # except the closing note after a silence
        for a, b in zip(writers, writers[1:]):
            if a == b and a[0] == "agent":
                assert c.disposition == "no_response", (c.key, writers)
