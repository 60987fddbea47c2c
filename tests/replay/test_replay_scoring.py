"""Scorecard rules: every criterion's pass / fail / n/a path, totals, exports, prompts."""

from __future__ import annotations

import json
import statistics

import pytest

from agentdesk.errors import UsageError
from agentdesk.replay.samples import load_sample, sample_names
from agentdesk.replay.scoring import (
    INFLAMING,
    RESPONSE_TARGETS_S,
    SCORING_VERSION,
    Criterion,
    Verdict,
    card_dict,
    card_json,
    card_markdown,
    count_syllables,
    practice_prompts,
    readability,
    score_reply,
    scorecard,
)

UPSET = "I've been charged twice and nobody has replied for a week!"


def verdict(reply, criterion, **kw):
    kw.setdefault("customer_text", UPSET)
    kw.setdefault("tone", "upset")
    return score_reply(reply, **kw).result(criterion)


# ---------------------------------------------------------------- acknowledge

@pytest.mark.parametrize("reply", [
    "I can see why that's frustrating.",
    "I completely understand.",
    "That sounds really stressful.",
    "You're right, that's not good enough.",
    "I'm sorry to hear that.",
    "Don't worry, we'll fix it.",
    "Thank you for your patience while I look.",
    "I'm sorry you've had to chase us.",
])
def test_acknowledge_passes(reply):
    r = verdict(reply, Criterion.ACKNOWLEDGE)
    assert r.verdict is Verdict.PASS and r.points == 2 and r.evidence


@pytest.mark.parametrize("reply", [
    "You're right, that's not good enough.",
    "I'm sorry you've had to chase us.",
    "Don't worry, we'll fix it.",
    "As I've already said, that's our policy.",
    "I'd feel the same. I've refunded it, you'll see it by Friday.",
])
def test_typographic_apostrophes_score_like_plain_ones(reply):
    curly = reply.replace("'", "’")
    plain_card, curly_card = (score_reply(r, customer_text=UPSET.replace("'", "’"), tone="upset")
                              for r in (reply, curly))
    assert [(c.criterion, c.verdict, c.points) for c in curly_card.criteria] == \
        [(c.criterion, c.verdict, c.points) for c in plain_card.criteria]
    assert curly_card.reply == curly  # kept as written


def test_acknowledge_fails_when_upset_and_missing():
    r = verdict("Your refund has been processed.", Criterion.ACKNOWLEDGE)
    assert r.verdict is Verdict.FAIL and r.points == 0 and r.max_points == 2
    assert "upset" in r.explanation


@pytest.mark.parametrize(("tone", "expected"), [
    ("calm", Verdict.NA), (None, Verdict.NA), ("concerned", Verdict.FAIL), ("hostile", Verdict.FAIL),
])
def test_acknowledge_depends_on_tone(tone, expected):
    r = verdict("Your refund has been processed.", Criterion.ACKNOWLEDGE, tone=tone)
    assert r.verdict is expected
    if expected is Verdict.NA:
        assert r.max_points == 0


def test_unknown_tone_is_a_usage_error():
    with pytest.raises(UsageError, match="unknown tone level"):
        score_reply("hi", customer_text="hi", tone="furious")


# -------------------------------------------------------------------- apology

def test_apology_due_and_given():
    r = verdict("I'm so sorry about the double charge.", Criterion.APOLOGY)
    assert r.verdict is Verdict.PASS and "sorry" in r.evidence[0].lower()


def test_apology_due_for_a_reported_problem_even_when_calm():
    r = verdict("Let me check.", Criterion.APOLOGY, customer_text="My parcel hasn't arrived.", tone="calm")
    assert r.verdict is Verdict.FAIL and "hasn't arrived" in r.explanation


@pytest.mark.parametrize("reply", ["I'm sorry you feel that way.", "Sorry, but that's how it works.",
                                   "Sorry if you were upset."])
def test_non_apologies_fail(reply):
    r = verdict(reply, Criterion.APOLOGY)
    assert r.verdict is Verdict.FAIL and "not for the impact" in r.explanation


def test_apology_not_due_when_calm_and_no_problem():
    r = verdict("Sure, I can help.", Criterion.APOLOGY, customer_text="Can I change my plan? Nothing wrong, just curious.",
                tone="calm")
    assert r.verdict is Verdict.NA  # "nothing wrong" is not a problem


def test_apology_optional_once_given_unless_new_problem():
    r = verdict("Here's the update.", Criterion.APOLOGY, customer_text="OK, so when will it come?",
                earlier_replies=["I'm sorry about this."])
    assert r.verdict is Verdict.NA
    r = verdict("Here's the update.", Criterion.APOLOGY, customer_text="Now the new one is broken too.",
                earlier_replies=["I'm sorry about this."])
    assert r.verdict is Verdict.FAIL


# ---------------------------------------------------------------- inflaming

INFLAMING_EXAMPLES = {
    "calm down": "Please calm down.",
    "relax": "Just relax, it's fine.",
    "as I already said": "As I already said, it's active.",
    "like I said": "Like I said, it's active.",
    "as stated": "As stated previously, no.",
    "that's our policy": "That's our policy.",
    "there's nothing I can do": "There's nothing I can do.",
    "you need to": "You need to call the bank.",
    "you should have": "You should have read the e-mail.",
    "obviously": "Obviously it was cancelled.",
    "with respect": "With all due respect, no.",
    "to be honest": "To be honest, I doubt it.",
    "sorry you feel that way": "I'm sorry you feel that way.",
    "not my problem": "That's not my department.",
    "you people": "Whatever, it's done.",
    "read the manual": "Read the FAQ first.",
    "unfortunately that's not possible": "Unfortunately that's not possible.",
}


def test_every_inflaming_phrase_has_an_example():
    assert set(INFLAMING_EXAMPLES) == set(INFLAMING)


@pytest.mark.parametrize(("label", "reply"), sorted(INFLAMING_EXAMPLES.items()))
def test_inflaming_phrases_fail(label, reply):
    r = verdict(reply, Criterion.NO_INFLAMING)
    assert r.verdict is Verdict.FAIL and r.evidence


def test_shouting_fails_and_clean_reply_passes():
    assert verdict("WE DO NOT REFUND THAT", Criterion.NO_INFLAMING).verdict is Verdict.FAIL
    assert verdict("I'm sorry — I'll fix it now.", Criterion.NO_INFLAMING).verdict is Verdict.PASS


def test_you_need_to_only_as_an_instruction():
    ok = "With the party on Saturday you need to know it'll be there."
    assert verdict(ok, Criterion.NO_INFLAMING).verdict is Verdict.PASS
    assert verdict("Fine, you need to reset it.", Criterion.NO_INFLAMING).verdict is Verdict.FAIL


# -------------------------------------------------------------- expectation

@pytest.mark.parametrize("reply", [
    "Your refund will arrive within 3–5 working days.",
    "It will be there by Friday.",
    "The engineer comes tomorrow between 8am and 1pm.",
    "I'll check with the warehouse.",
    "I've booked an engineer.",
    "You'll receive an e-mail.",
    "Could you send me a photo of the damage?",
    "It's due on 6 March.",
])
def test_expectation_passes(reply):
    r = verdict(reply, Criterion.EXPECTATION)
    assert r.verdict is Verdict.PASS and r.evidence


def test_expectation_fails_without_time_or_step():
    r = verdict("We are looking into it.", Criterion.EXPECTATION)
    assert r.verdict is Verdict.FAIL and "next step" in r.explanation


@pytest.mark.parametrize("closing", ["Thanks, that's everything!", "ok thank you bye", "You're a star, thank you Tom."])
def test_expectation_not_needed_when_customer_closes(closing):
    assert verdict("You're welcome!", Criterion.EXPECTATION, customer_text=closing,
                   tone="calm").verdict is Verdict.NA


def test_thanks_with_a_question_or_problem_still_needs_expectation():
    for text in ("Thanks, but when will it arrive?", "Thanks. Still waiting though."):
        assert verdict("You're welcome!", Criterion.EXPECTATION, customer_text=text,
                       tone="calm").verdict is Verdict.FAIL


# ----------------------------------------------------------- plain language

def test_syllables_and_readability():
    assert [count_syllables(w) for w in ("cat", "table", "refund", "immediately", "the", "2024")] == [1, 2, 2, 5, 1, 4]
    r = readability("I'll check now. It will be there by Friday.")
    assert (r.words, r.sentences) == (9, 2)
    assert r.flesch > 80
    assert readability("").flesch is None


def test_plain_language_rules():
    plain = "I'll check it now and send you the answer in ten minutes."
    assert verdict(plain, Criterion.PLAIN_LANGUAGE).verdict is Verdict.PASS
    jargon = verdict("DNS propagation depends on the TTL.", Criterion.PLAIN_LANGUAGE)
    assert jargon.verdict is Verdict.FAIL and set(jargon.evidence) == {"DNS", "TTL", "propagation"}
    dense = ("Notwithstanding considerable organisational complications, reimbursement "
             "authorisation necessitates comprehensive verification documentation.")
    r = verdict(dense, Criterion.PLAIN_LANGUAGE)
    assert r.verdict is Verdict.FAIL and "reading ease" in r.explanation
    short = verdict("Done!", Criterion.PLAIN_LANGUAGE)
    assert short.verdict is Verdict.PASS and "Short reply" in short.explanation
    assert verdict("Kindly revert.", Criterion.PLAIN_LANGUAGE).verdict is Verdict.FAIL


# ------------------------------------------------------------ response time

def test_response_time_rules():
    assert verdict("ok", Criterion.RESPONSE_TIME).verdict is Verdict.NA
    assert verdict("ok", Criterion.RESPONSE_TIME, response_s=59).verdict is Verdict.PASS
    r = verdict("ok", Criterion.RESPONSE_TIME, response_s=61)
    assert r.verdict is Verdict.FAIL and "60 s" in r.explanation
    assert verdict("ok", Criterion.RESPONSE_TIME, response_s=500, channel="email").verdict is Verdict.PASS
    assert verdict("ok", Criterion.RESPONSE_TIME, response_s=30, target_s=20).verdict is Verdict.FAIL
    assert set(RESPONSE_TARGETS_S) == {"chat", "email", "phone", "social"}
    with pytest.raises(UsageError):
        score_reply("ok", customer_text="x", response_s=-1)
    with pytest.raises(UsageError):
        score_reply("ok", customer_text="x", target_s=0)


# ------------------------------------------------------------------ totals

def test_empty_reply_fails_everything_but_time():
    t = score_reply("   ", customer_text=UPSET, tone="upset", response_s=10)
    assert all(c.verdict is Verdict.FAIL for c in t.criteria if c.criterion is not Criterion.RESPONSE_TIME)
    assert t.result(Criterion.RESPONSE_TIME).verdict is Verdict.PASS


def test_model_reply_scores_full_marks_and_totals_add_up():
    reply = ("I'm really sorry you've been charged twice — I can see why that's frustrating. "
             "I've refunded the second payment now, and you'll see it within 3 to 5 working days.")
    t = score_reply(reply, customer_text=UPSET, tone="upset", response_s=40)
    assert t.points == t.max_points == 10 and t.percent == 100
    bad = score_reply("Calm down. As I said, it's our policy.", customer_text=UPSET, tone="upset", response_s=200)
    # only "plain language" passes: short words, no jargon
    assert [c.criterion for c in bad.criteria if c.verdict is Verdict.PASS] == [Criterion.PLAIN_LANGUAGE]
    assert bad.points == 1 and bad.max_points == 10
    card = scorecard([t, bad], session_id="s", title="Demo", trainee="Alex")
    assert card.points == 11 and card.max_points == 20 and card.percent == 55
    summary = card.summary()
    assert summary[Criterion.APOLOGY] == {"pass": 1, "fail": 1, "na": 0, "points": 2.0, "max_points": 4.0}
    assert card.rules == SCORING_VERSION


def test_scoring_is_deterministic():
    a = score_reply("I'll check now.", customer_text=UPSET, tone="upset", response_s=12)
    b = score_reply("I'll check now.", customer_text=UPSET, tone="upset", response_s=12)
    assert a == b


# ----------------------------------------------------------------- exports

def make_card():
    nasty = "Line one | with pipe\n\x1b[31mred\x1b[0m and [bold]markup[/]"
    t = score_reply("I'm sorry | I'll check.", customer_text=nasty, tone="upset", response_s=30,
                    reference="Agent's | answer")
    return scorecard([t], session_id="demo-1", title="Demo | session", trainee="Alex")


def test_card_json_round_trips():
    card = make_card()
    data = json.loads(card_json(card))
    assert data == card_dict(card)
    assert data["rules"] == SCORING_VERSION and data["session"] == "demo-1"
    crit = data["turns"][0]["criteria"]
    assert [c["criterion"] for c in crit] == [c.value for c in Criterion]
    assert {c["verdict"] for c in crit} <= {"pass", "fail", "na"}
    assert data["points"] == card.points and data["turns"][0]["reference"] == "Agent's | answer"


def test_card_markdown_is_readable_and_inert():
    md = card_markdown(make_card())
    assert md.startswith("# Scorecard — Demo \\| session\n")
    assert "- Trainee: Alex" in md and "## Turn 1" in md and "**What the agent answered:**" in md
    assert "\x1b" not in md and "␛" in md  # control characters made visible
    assert "> Line one | with pipe" in md  # quoted text keeps its words
    for line in md.splitlines():
        if line.startswith("| ") and "Criterion" not in line and "---" not in line:
            assert line.count(" | ") >= 3  # table rows not broken by pipes in text
    assert "✓ pass" in md and "| Avoided inflaming phrases |" in md


# ------------------------------------------------------------ practice prompts

def test_practice_prompts_on_a_sample():
    s = load_sample("mistake-no-expectation")
    prompts = practice_prompts(s)
    assert len(prompts) == 3
    assert [p.tone for p in prompts] == ["calm", "concerned", "upset"]
    assert prompts[0].reference.startswith("Hi Luis")
    assert prompts[2].customer_text.startswith("That's what you said last time")
    assert all(p.channel == "email" for p in prompts)


def test_consecutive_agent_messages_form_one_reference():
    prompts = practice_prompts(load_sample("router-setup-confused"))
    assert "one step at a time" in prompts[0].reference and "grey cable" in prompts[0].reference


def score_sample(name):
    s = load_sample(name)
    scores, earlier = [], []
    for p in practice_prompts(s):
        scores.append(score_reply(p.reference, customer_text=p.customer_text, tone=p.tone,
                                  response_s=p.reference_response_s, channel=p.channel,
                                  turn=p.turn, earlier_replies=earlier))
        earlier.append(p.reference)
    return s, scorecard(scores, session_id=s.id)


def test_rules_separate_good_practice_from_mistakes_in_samples():
    good, bad = [], []
    for name in sample_names():
        s, card = score_sample(name)
        if not card.turns:
            continue
        (bad if "mistakes" in s.tags else good).append(card.percent)
    assert statistics.mean(good) >= 85
    assert statistics.mean(bad) <= 50
    assert max(bad) < statistics.mean(good)


def test_mistake_turns_fail_for_the_annotated_reason():
    _, card = score_sample("mistake-calm-down")
    first = card.turns[0]
    assert first.result(Criterion.NO_INFLAMING).verdict is Verdict.FAIL
    assert "calm down" in first.result(Criterion.NO_INFLAMING).explanation
    _, card = score_sample("mistake-jargon")
    assert card.turns[0].result(Criterion.PLAIN_LANGUAGE).verdict is Verdict.FAIL
