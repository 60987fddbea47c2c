"""Abuse aimed at the agent, anger, impatience: exact evidence spans, and the cases that
must not count (negation, quoting, self-deprecation, profanity about a thing)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agentdesk.domain import ToneLevel
from agentdesk.scripts.suggestions import ConversationState, suggest
from agentdesk.scripts.loader import default_library
from agentdesk.scripts.tone import Tone, analyze


def span(text: str, phrase: str) -> tuple[int, int]:
    start = text.index(phrase)
    return (start, start + len(phrase))


def evidence(result, tone) -> list[tuple[str, str]]:
    s = result.signal(tone)
    assert s is not None, f"no {tone} signal in {result.summary()}"
    return [(result.text[e.start:e.end], e.cue) for e in s.evidence]


# ------------------------------------------------------------------ abuse

@pytest.mark.parametrize("text,phrase,cue", [
    # insulting questions and second-person insults
    ("are you thick? I said change the address", "are you thick", "insult"),
    ("Are you deaf? I said CANCEL.", "Are you deaf", "insult"),
    ("are you all completely brain dead? how hard is it", "are you all completely brain dead", "insult"),
    ("are you all asleep or just useless", "are you all asleep or just useless", "insult"),
    ("You lot are useless.", "You lot are useless", "insult"),
    ("you lot are too thick to sort it", "you lot are too thick", "insult"),
    ("you lot are a bunch of parasites", "you lot are a bunch of parasites", "insult"),
    ("your staff are a bunch of incompetent clowns", "your staff are a bunch of incompetent clowns", "insult"),
    ("you're a joke. every last one of you.", "you're a joke", "insult"),
    # vocatives
    ("no I won't hold, you parasite. cancel it", "you parasite", "insult"),
    ("wake up you lazy lot", "you lazy lot", "insult"),
    ("answer me you bunch of cowards", "you bunch of cowards", "insult"),
    ("cancel my f***ing subscription you leeches", "you leeches", "insult"),
    ("i'll keep typing until one of you morons answers", "you morons", "insult"),
    # name-calling in the plural, the group as a whole
    ("creepy spying scumbags. delete my account", "creepy spying scumbags", "insult"),
    ("Sort it out, incompetent idiots.", "incompetent idiots", "insult"),
    ("useless, every single one of you", "useless, every single one of you", "insult"),
    ("thick as mince, every one of you", "thick as mince, every one of you", "insult"),
    ("your camera is junk and so are you", "junk and so are you", "insult"),
    # profanity thrown at the agent or the company, masked or not
    ("f*** your update. whoever pushed it should be fired", "f*** your update", "profanity at the agent"),
    ("F**K YOU", "F**K YOU", "profanity at the agent"),
    ("screw you and your policy", "screw you", "profanity at the agent"),
    # contempt, sarcasm, threats and ill wishes
    ("Hey genius, your thermostat can't tell the time", "Hey genius", "sarcastic insult"),
    ("I want a human with a working brain to call me", "a human with a working brain", "contempt"),
    ("Is there anyone in your company with a working brain?", "anyone in your company with a working brain", "contempt"),
    ("My dog could do your job better.", "My dog could do your job", "contempt"),
    ("Do your job for once.", "Do your job for once", "contempt"),
    ("or are you too busy doing nothing?", "too busy doing nothing", "contempt"),
    ("don't you dare put me on hold again", "don't you dare", "threat to the agent"),
    ("You should be fired.", "You should be fired", "threat to the agent"),
    ("I'll get you sacked for this", "get you sacked", "threat to the agent"),
    ("hope you all go bust", "hope you all go bust", "ill wish"),
    # a call note reports abuse aimed at the agent
    ("Caller swore at the agent throughout.", "swore at the agent", "reported abuse"),
    ("Caller called the agent 'a waste of oxygen'.", "called the agent 'a waste of oxygen", "reported abuse"),
])
def test_abuse_aimed_at_the_agent(text, phrase, cue):
    r = analyze(text)
    assert (phrase, cue) in evidence(r, Tone.ABUSE)
    assert r.level == ToneLevel.HOSTILE


def test_insult_about_staff_needs_the_staff_named_first():
    text = "Do your warehouse staff pack things with their feet, or are they just thick?"
    assert evidence(analyze(text), Tone.ABUSE) == [("are they just thick", "insult")]
    # "they" with no staff named in the sentence: not aimed at the company
    assert analyze("My neighbours keep parking there. Are they just thick?").signal(Tone.ABUSE) is None


@pytest.mark.parametrize("text", [
    "Sorry to be a pain, but could you check my order again?",
    "sorry to be a nuisance",
    "I'm not calling you stupid, I just think the form is confusing.",
    "I'm not saying you're useless, but this is the third time.",
    "I don't think you lot are idiots, it's the system.",
    "It's not that you're lazy, the app is broken.",
    "They said I was an idiot for buying it.",
    "I feel so stupid, I deleted the app by mistake.",
    "I'm such an idiot, I typed the wrong email.",
    "My son called me a dinosaur for not using the app.",
    "The engineer told me 'you are an idiot for not reading the manual' and left.",
    "your agent said \"you're useless with technology\" and hung up",
    "Your agent swore at me yesterday.",
    "Can you check your junk folder for my email?",
    "I sent you lot of photos yesterday",
    "Thank you people, that's sorted.",
    "You just told a bunch of random people about my order?",
    "the camera is idle most of the day, is that normal?",
])
def test_not_abuse(text):
    r = analyze(text)
    assert r.signal(Tone.ABUSE) is None, r.summary()
    assert r.level != ToneLevel.HOSTILE


def test_own_words_quoted_still_count():
    # the writer quoting themselves is still the writer speaking
    text = 'I said "you are useless" and I meant it'
    assert ("you are useless", "insult") in evidence(analyze(text), Tone.ABUSE)


@pytest.mark.parametrize("text,tone,phrase", [
    # a cue right after an opening single quote (start of text, after a space, a bracket
    # or a colon) is matched; after a word's apostrophe it is not
    ("'Unacceptable' is the only word for it.", Tone.ANGER, "Unacceptable"),
    ("Honestly, 'unacceptable' is the word.", Tone.ANGER, "unacceptable"),
    ("Caller kept saying: 'shut up and listen to me'", Tone.ABUSE, "shut up"),
    ("My answer (‘unacceptable’) stands.", Tone.ANGER, "unacceptable"),
])
def test_a_cue_right_after_an_opening_quote_is_matched(text, tone, phrase):
    assert phrase in [p for p, _ in evidence(analyze(text), tone)]


@pytest.mark.parametrize("text,starts", [
    ("don't", False), ("I'd", False), ("we’ll", False),  # a word's own apostrophe
    ("'t", True), ("a 't", True), ("(‘t", True), (": 't", True),  # an opening quote
])
def test_a_cue_starts_after_an_opening_quote_but_not_inside_a_contraction(text, starts):
    import re

    from agentdesk.scripts.tone import _CUE_START

    letter = text[-1]  # where a cue spelled from this letter would start
    assert bool(re.search(_CUE_START + re.escape(letter) + "$", text)) is starts


def test_profanity_about_a_thing_is_anger_not_abuse():
    text = "this f***ing parcel has been stuck in Leeds for a week"
    r = analyze(text)
    assert r.signal(Tone.ABUSE) is None
    assert evidence(r, Tone.ANGER) == [("f***ing", "profanity")]
    assert r.needs_deescalation


@pytest.mark.parametrize("masked", ["f***", "f**k", "f*ck", "sh*t", "s**t", "a**hole", "b*stard", "f***ing", "sh1t"])
def test_masked_profanity_is_profanity(masked):
    text = f"what a {masked} week"
    r = analyze(text)
    assert (masked, "profanity") in evidence(r, Tone.ANGER)


def test_abuse_gets_a_calm_boundary_quoting_the_insult():
    r = analyze("are you thick? I said change the address")
    out = suggest(r, ConversationState(), default_library())
    assert out[0].step == "boundary"
    assert "are you thick" in out[0].reason


# ------------------------------------------------------------------ anger

@pytest.mark.parametrize("text,phrase,cue", [
    ("It is unacceptable that I had to call three times.", "unacceptable", "outrage"),
    ("This is unacceptable.", "This is unacceptable", "verdict"),
    ("I'm absolutely disgusted with how I've been treated.", "disgusted", "outrage"),
    ("Shocking service. Two engineers, two no-shows.", "Shocking service", "outrage"),
    ("I'm furious, nobody called me back", "furious", "emotion word"),
    ("How dare you cut off my service!", "How dare you", "demand"),
    ("I want to know what you're doing about it.", "what you're doing about it", "demand"),
    ("Avoid this company. Absolute joke", "Avoid this company", "warning others"),
    ("Avoid this company. Absolute joke", "Absolute joke", "verdict"),
    ("Still not fixed. Unbelievable.", "Unbelievable", "verdict"),
    ("Hello?! Is this a joke?", "Is this a joke", "verdict"),
    ("This company is a disgrace", "This company is a disgrace", "verdict"),
    ("Worst customer service I've ever dealt with.", "Worst customer service I've ever dealt with", "verdict"),
    ("What exactly am I paying you for?", "What exactly am I paying you for", "contempt"),
    ("You clearly don't care about your customers.", "You clearly don't care about your customers", "contempt"),
    ("Are you having a laugh? £80 for a cable?", "Are you having a laugh", "contempt"),
    ("Treating loyal customers like mugs.", "Treating loyal customers like mugs", "contempt"),
    ("Stop fobbing me off.", "fobbing me off", "contempt"),
    ("whoever pushed it should be fired", "should be fired", "wants someone fired"),
    ("How does that even happen?", "How does that even happen", "indignation"),
    ("Someone should collect this junk.", "this junk", "contempt"),
    ("Caller irate about the third missed visit.", "Caller irate", "reported anger"),
    ("I am writing to express my extreme dissatisfaction.", "express my extreme dissatisfaction", "reported anger"),
    ("I complain in the strongest possible terms.", "in the strongest possible terms", "outrage"),
    ("Ten years a customer and this is how you treat me?", "this is how you treat me", "contempt"),
    ("I refuse to pay a penny more.", "I refuse to pay a penny", "contempt"),
    ("I am sick of your excuses.", "your excuses", "contempt"),
    ("@KestrelHelp three weeks, no refund #shameonyou", "#shameonyou", "hashtag"),
])
def test_anger_cues(text, phrase, cue):
    r = analyze(text)
    assert (phrase, cue) in evidence(r, Tone.ANGER)
    assert r.needs_deescalation or cue in ("indignation", "contempt", "wants someone fired")


@pytest.mark.parametrize("text", [
    "I'm not angry, I just want it fixed.",
    "They were not disgusted at all, they loved it.",
    "Is this a scam? I got a text asking for my PIN.",
    "I'm not sure if it's real or one of those scams.",
    "Joke. I'm only kidding, it works fine.",
    "Can you check your junk folder?",
    "How do I get rid of the rubbish bin icon?",
    "It depends on the plan you have.",
    "The driver swerved to avoid them.",
])
def test_not_anger(text):
    assert analyze(text).signal(Tone.ANGER) is None


def test_the_thanks_i_get_is_sarcasm_not_gratitude():
    text = "I've been with you eight years and this is the thanks I get?"
    r = analyze(text)
    assert r.signal(Tone.GRATITUDE) is None
    assert ("this is the thanks I get", "sarcasm") in evidence(r, Tone.FRUSTRATION)
    assert ("this is the thanks I get", "contempt") in evidence(r, Tone.ANGER)
    assert r.needs_deescalation


def test_scam_question_is_anxiety():
    text = "Is this a scam? I got a text asking for my card number."
    assert ("Is this a scam?", "security") in evidence(analyze(text), Tone.ANXIETY)


# ------------------------------------------------------------------ impatience

@pytest.mark.parametrize("text,phrase", [
    ("7 minutes. I've got better things to do", "I've got better things to do"),
    ("I haven't got all day.", "I haven't got all day"),
    ("some of us have jobs, you know", "some of us have jobs"),
])
def test_impatience_is_frustration(text, phrase):
    r = analyze(text)
    assert (phrase, "impatience") in evidence(r, Tone.FRUSTRATION)
    assert r.level == ToneLevel.UPSET


def test_anyone_actually_working():
    text = "Still nothing. Do you actually have anyone working on chat?"
    assert ("Do you actually have anyone", "no answer") in evidence(analyze(text), Tone.FRUSTRATION)
    # the polite version is not a complaint
    assert analyze("Hi, is anyone there? No rush.").level in (ToneLevel.CALM, ToneLevel.CONCERNED)


# ------------------------------------------------------------------ other tones

@pytest.mark.parametrize("text,tone,phrase,cue", [
    ("My smoke alarm arrived cracked. Is it safe to use?", Tone.ANXIETY, "Is it safe to use", "safety"),
    ("Money is really tight this month.", Tone.ANXIETY, "Money is really tight", "stakes"),
    ("my mum relies on the doorbell camera", Tone.ANXIETY, "my mum relies on the", "stakes"),
    ("Have I done something wrong?", Tone.ANXIETY, "Have I done something wrong", "worry"),
    ("I have no idea which account it's talking about", Tone.CONFUSION, "no idea which", "not understanding"),
    ("I don't remember setting anything like that.", Tone.CONFUSION, "I don't remember setting", "not understanding"),
    ("Is this the right item?", Tone.CONFUSION, "Is this the right item", "question"),
    ("Your team were brilliant last time.", Tone.GRATITUDE, "were brilliant", "praise"),
    ("Really impressed with the replacement.", Tone.GRATITUDE, "Really impressed", "praise"),
    ("Shout out to the support team!", Tone.GRATITUDE, "Shout out to", "praise"),
    ("Your update has broken my camera.", Tone.FRUSTRATION, "has broken my", "failure"),
    ("It was working perfectly before.", Tone.FRUSTRATION, "was working perfectly before", "failure"),
])
def test_other_new_cues(text, tone, phrase, cue):
    assert (phrase, cue) in evidence(analyze(text), tone)


def test_negated_praise_is_still_frustration():
    r = analyze("I am not impressed.")
    assert r.signal(Tone.GRATITUDE) is None
    assert ("impressed", "negated positive") in evidence(r, Tone.FRUSTRATION)


# ------------------------------------------------------------------ matching on a lower-cased copy

def test_spans_stay_exact_when_lower_casing_changes_length():
    # "İ" lower-cases to two characters; the offsets after it must not shift
    text = "İİİ you lot are useless"
    r = analyze(text)
    assert r.signal(Tone.ABUSE).spans() == [span(text, "you lot are useless")]


_FRAGMENTS = ["you lot are useless", "are you thick", "hello", "my order", "still not here",
              "you parasite", "thanks", "this f***ing parcel", "I am furious", "is it safe",
              "don't you dare", ".", "!", "?", ",", "and"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_FRAGMENTS), max_size=8), st.lists(st.booleans(), min_size=8, max_size=8))
def test_cues_ignore_case(parts, upper):
    text = " ".join(p.upper() if u else p for p, u in zip(parts, upper))
    a, b = analyze(text), analyze(text.lower())
    def cue_spans(result, tone):
        # capitals add "shouting" evidence to the strongest signal: that is the point of
        # capitals, so leave it out; every cue from the tables must be the same
        s = result.signal(tone)
        return [e.span() for e in s.evidence if e.cue != "shouting"] if s else []

    for tone in (Tone.ABUSE, Tone.ANGER, Tone.ANXIETY):
        assert cue_spans(a, tone) == cue_spans(b, tone)
