"""Traffic: the live queue's next events, for the real-time demo driver."""

from __future__ import annotations

import random
import re
import statistics
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agentdesk.demo.corpus import TONES, load
from agentdesk.demo.generate import (
    ConversationInfo,
    PlanAgent,
    Traffic,
    build_plan,
    follow_up_schedule,
)
from agentdesk.domain import DISPOSITION_CODES
from agentdesk.errors import UsageError

NOW = 1_764_000_000.0


@pytest.fixture(scope="module")
def plan():
    return build_plan(seed=3, now=NOW, customers=60, waiting=10)


def traffic(plan, seed=1, **kw) -> Traffic:
    return Traffic.from_plan(plan, random.Random(seed), **kw)


def no_braces(text: str) -> bool:
    return "{" not in text and "}" not in text


def template_pattern(template: str) -> re.Pattern[str]:
    """A regex that matches ``template`` with any values filled in."""
    parts = re.split(r"\{\w+\}", template)
    return re.compile(".+?".join(re.escape(p) for p in parts), re.DOTALL)


def matches(text: str, template: str) -> bool:
    return template_pattern(template).fullmatch(text) is not None


# ---------------------------------------------------------------------- arrivals


def test_same_rng_same_traffic(plan):
    a, b = traffic(plan, 5), traffic(plan, 5)
    for i in range(50):
        t = NOW + i * 30
        assert a.next_arrival(t) == b.next_arrival(t)
        assert a.arrival_gap() == b.arrival_gap()


def test_arrivals_are_complete_waiting_conversations(plan):
    tr = traffic(plan)
    emails = {c.email for c in plan.customers}
    for i in range(300):
        now = NOW + i * 40
        new = tr.next_arrival(now)
        conv = new.conversation
        assert conv.status == "waiting" and conv.created_at == conv.enqueued_at == now
        assert [s.kind for s in conv.steps] == ["arrived", "message"]
        assert conv.steps[1].author_kind in ("customer", "system")
        assert no_braces(conv.subject) and no_braces(conv.steps[1].body)
        assert conv.customer == new.customer.key
        assert new.info.key == conv.key and new.info.tone == conv.tone
        if new.new_customer:
            assert new.customer.email not in emails
            emails.add(new.customer.email)
        else:
            assert new.customer.email in emails


def test_arrival_mix_is_realistic(plan):
    tr = traffic(plan, 11)
    arrivals = [tr.next_arrival(NOW + i) for i in range(3000)]
    tones = Counter(a.conversation.tone for a in arrivals)
    share = {t: tones[t] / len(arrivals) for t in TONES}
    assert set(tones) == set(TONES)
    assert share["calm"] + share["confused"] > 0.45
    assert 0.1 < share["frustrated"] + share["anxious"] < 0.4
    assert share["angry"] < 0.12 and share["abusive"] < 0.05
    assert share["abusive"] < share["angry"] < share["frustrated"]
    queues = Counter(a.conversation.queue for a in arrivals)
    assert queues["technical"] > queues["accounts"]
    assert set(queues) == {q.name for q in load().queues}
    repeat = sum(not a.new_customer for a in arrivals) / len(arrivals)
    assert 0.25 < repeat < 0.45
    channels = Counter(a.conversation.channel for a in arrivals)
    assert set(channels) == {"chat", "email", "phone", "social"}


def test_busy_customers_are_not_picked(plan):
    tr = traffic(plan, 2, repeat_share=1.0)
    busy = {c.key for c in plan.customers[:-1]}
    for i in range(30):
        a = tr.next_arrival(NOW + i, busy=busy)
        assert a.customer.key not in busy


def test_new_customers_never_use_repeat_openers(plan):
    openers = load().openers
    repeat_subjects = [o.subject for o in openers if o.repeat]
    assert repeat_subjects
    # subjects identify openers: no template of a first-contact opener also fits a repeat one
    tr = traffic(plan, 4, repeat_share=0.0)
    for i in range(500):
        a = tr.next_arrival(NOW + i)
        assert a.new_customer
        assert not any(matches(a.conversation.subject, t) for t in repeat_subjects), a.conversation.subject
    # while returning customers do get them sometimes
    tr = traffic(plan, 4, repeat_share=1.0)
    subjects = [tr.next_arrival(NOW + i).conversation.subject for i in range(800)]
    assert any(matches(s, t) for s in subjects for t in repeat_subjects)


def test_arrival_gap_follows_the_rate(plan):
    tr = traffic(plan, 9, rate_per_min=3.0)
    gaps = [tr.arrival_gap() for _ in range(6000)]
    assert statistics.mean(gaps) == pytest.approx(20.0, rel=0.08)
    tr.rate_per_min = 0.5
    gaps = [tr.arrival_gap() for _ in range(6000)]
    assert statistics.mean(gaps) == pytest.approx(120.0, rel=0.08)


@pytest.mark.parametrize("rate", [0, -1, float("nan"), "fast"])
def test_bad_rate_is_a_usage_error(plan, rate):
    with pytest.raises(UsageError):
        traffic(plan, rate_per_min=rate)


# -------------------------------------------------------------------- follow-ups


def info(key="k1", channel="chat", tone="frustrated", issue="late_delivery", queue="orders", **kw):
    return ConversationInfo(key=key, queue=queue, channel=channel, tone=tone, issue=issue,
                            customer_first="Ana", customer_name="Ana Silva", **kw)


def poll(tr: Traffic, inf: ConversationInfo, step: float, until: float = 1800):
    """Play a driver that polls every ``step`` seconds; returns (waited, text) pairs."""
    sent = []
    waited = 0.0
    while waited <= until:
        line = tr.follow_up(inf, waited)
        if line is not None:
            sent.append((line.author_kind, line.body))
            inf = ConversationInfo(**{**{f: getattr(inf, f) for f in inf.__dataclass_fields__},
                                      "followups_sent": inf.followups_sent + 1})
        waited += step
    return sent


def test_follow_ups_do_not_depend_on_polling(plan):
    a = poll(traffic(plan, 1), info(), 1.0)
    b = poll(traffic(plan, 2), info(), 7.0)
    assert [t for _, t in a] == [t for _, t in b]
    assert 2 <= len(a) <= 5
    assert len({t for _, t in a}) == len(a)  # no repeated nagging


def test_no_follow_up_before_patience_runs_out(plan):
    tr = traffic(plan)
    first = follow_up_schedule("k1", "calm", "chat")[0]
    assert tr.follow_up(info(tone="calm"), first - 1) is None
    assert tr.follow_up(info(tone="calm"), first + 1) is not None
    assert tr.next_follow_up_in(info(tone="calm"), 0) == pytest.approx(first)


def test_impatient_tones_follow_up_sooner():
    for key in ("a", "b", "c", "d"):
        assert follow_up_schedule(key, "angry", "chat")[0] < follow_up_schedule(key, "grateful", "chat")[0] * 1.3


def test_follow_ups_escalate_and_stop(plan):
    chat_lines = [f for f in load().follow_ups if f.channel == "chat"]
    for tone in TONES:
        for key in ("x1", "x2", "x3"):
            sent = poll(traffic(plan), info(key=key, tone=tone), 5.0, until=4000)
            assert len(sent) == 5  # and then no more, however long the wait
            levels = []
            for _, body in sent:
                fits = [f for f in chat_lines if matches(body, f.body)]
                assert fits, body
                assert all(tone in f.tones for f in fits)
                levels.append(max(f.level for f in fits))
            assert levels == sorted(levels) and levels[-1] == 3


def test_follow_ups_per_channel(plan):
    tr = traffic(plan)
    phone = poll(tr, info(channel="phone"), 10.0, until=3600)
    assert phone and all(author == "system" for author, _ in phone)
    email = poll(tr, info(channel="email", key="e"), 10.0, until=3600)
    assert len(email) == 1 and email[0][1].count("\n\n") >= 1
    social = poll(tr, info(channel="social", key="s"), 10.0, until=3600)
    assert social and all("@KestrelHelp" in body for _, body in social)
    for _, body in phone + email + social:
        assert no_braces(body)


def test_abandon_after_is_fixed_per_conversation(plan):
    tr = traffic(plan)
    values = [tr.abandon_after(info(key=f"a{i}", tone="angry")) for i in range(200)]
    assert values == [traffic(plan, 99).abandon_after(info(key=f"a{i}", tone="angry")) for i in range(200)]
    assert 0.15 < sum(v is not None for v in values) / 200 < 0.45
    assert tr.abandon_after(info(channel="email")) is None


# -------------------------------------------------------------- agent and customer


def test_every_agent_stage_writes_clean_text(plan):
    tr = traffic(plan)
    for stage in Traffic._AGENT_STAGES:
        text = tr.agent_reply(info(), stage, agent="Priya", disposition="refund", to_queue="billing",
                              prev_agent="Marcus")
        assert text and no_braces(text)
    with pytest.raises(ValueError):
        tr.agent_reply(info(), "sing", agent="Priya")


def test_agent_reply_combines_stages_and_wraps_email(plan):
    tr = traffic(plan)
    chat = tr.agent_reply(info(), "greeting", "acknowledge", "clarify", agent="Priya")
    assert "Priya" in chat and "Ana" in chat and "\n" not in chat
    mail = tr.agent_reply(info(channel="email"), "diagnosis", agent="Priya")
    assert mail.startswith(("Hi Ana,", "Hello Ana,", "Dear Ana,")) and "Priya" in mail
    transfer = tr.agent_reply(info(), "transfer", agent="Priya", to_queue="billing")
    assert "billing" in transfer


def test_answer_matches_the_question_asked(plan):
    issue = load().issues["thermostat"]
    assert len(issue.clarify) == len(issue.answers) == 2
    tr = traffic(plan, 21)
    for i in range(40):
        inf = info(key=f"t{i}", issue="thermostat", queue="technical")
        question = tr.agent_reply(inf, "clarify", agent="Hannah")
        answer = tr.customer_reply(inf, "answer").body
        assert issue.answers[issue.clarify.index(question)] == answer


def test_customer_reply_stages(plan):
    tr = traffic(plan)
    for stage in ("answer", "thanks", "grudging", "after_hold", "on_transfer", "reopen", "abuse", "calm_down", "dm"):
        line = tr.customer_reply(info(), stage)
        assert line.author_kind == "customer" and line.body and no_braces(line.body)
        assert "there" not in line.body.split()[-1:]  # never "thank you there"
    with pytest.raises(ValueError):
        tr.customer_reply(info(), "sing")
    mail = tr.customer_reply(info(channel="email"), "thanks").body
    assert "\n\n" in mail  # a signed reply


def test_dispositions_are_valid_codes(plan):
    tr = traffic(plan)
    seen = Counter()
    for issue in load().issues:
        for _ in range(30):
            seen[tr.disposition(info(issue=issue, tone="calm"))] += 1
    assert set(seen) <= DISPOSITION_CODES and len(seen) >= 7
    abusive = Counter(tr.disposition(info(tone="abusive")) for _ in range(300))
    assert 0.2 < abusive["spam"] / 300 < 0.5


def test_unknown_issue_and_tone_fall_back_to_generic_lines(plan):
    tr = traffic(plan)
    inf = ConversationInfo(key="db-42", queue="accounts", channel="chat")
    for stage in ("greeting", "clarify", "diagnosis", "resolution", "closing"):
        assert no_braces(tr.agent_reply(inf, stage, agent="Grace"))
    assert no_braces(tr.customer_reply(inf, "answer").body)
    assert tr.disposition(inf) in DISPOSITION_CODES
    assert no_braces(tr.handoff_note(inf, "billing"))
    assert tr.follow_up(inf, 10_000) is not None


# -------------------------------------------------------------------- handling

AGENT = PlanAgent("priya.raman", "Priya Raman", "available", ("billing", "accounts"), 0.9)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**31), issue=st.sampled_from(sorted(load().issues)),
       tone=st.sampled_from(TONES), channel=st.sampled_from(["chat", "email", "phone", "social"]))
def test_handling_is_a_complete_script(seed, issue, tone, channel):
    queue = load().issues[issue].queue
    tr = Traffic(random.Random(seed))
    inf = info(key=f"h{seed}", issue=issue, tone=tone, channel=channel, queue=queue)
    steps = tr.handling(inf, AGENT, NOW)
    assert steps[0].kind == "claimed" and steps[0].at == NOW and steps[0].agent == AGENT.name
    assert [s.at for s in steps] == sorted(s.at for s in steps)
    assert steps[-1].kind in ("resolved", "transferred")
    if steps[-1].kind == "resolved":
        assert steps[-1].disposition in DISPOSITION_CODES
        assert steps[-2].kind == "wrap_up"
    else:
        assert steps[-1].queue != queue and steps[-1].note
    ids = [s.client_id for s in steps if s.kind in ("message", "note")]
    assert len(ids) == len(set(ids)) and all(ids)
    for s in steps:
        for t in (s.body, s.note):
            assert t is None or no_braces(t)
    # a handling takes minutes, not hours, at demo pace
    assert steps[-1].at - NOW < 3 * 3600


def test_handling_after_a_transfer_does_not_ask_again(plan):
    tr = traffic(plan, 8)
    issue = load().issues["damaged_item"]
    inf = info(issue="damaged_item", queue="billing", transferred_from="Aisha")
    for _ in range(20):
        steps = tr.handling(inf, AGENT, NOW)
        first = next(s for s in steps if s.kind == "message")
        assert "Aisha" in first.body
        assert not any(q in first.body for q in issue.clarify)
        assert steps[-1].kind == "resolved"
        assert not any(s.kind == "transferred" for s in steps)


def test_handle_time_is_plausible(plan):
    tr = traffic(plan)
    times = [tr.handle_time("chat") for _ in range(2000)]
    assert 300 < statistics.median(times) < 560
    assert min(times) >= 60
    assert statistics.median(tr.handle_time("chat", pace=1.3) for _ in range(2000)) > statistics.median(times)
    assert 0 < tr.reply_delay("chat") < 400
