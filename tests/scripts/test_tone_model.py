"""The learned scorers, the service-topic gate, the threshold override, the written
training data and the product-level mapping of support messages to levels."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agentdesk.domain import ToneLevel
from agentdesk.scripts import model
from agentdesk.scripts.tone import Tone, ToneContext, analyze

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

import train_tone  # noqa: E402


@pytest.fixture(autouse=True)
def _shipped_threshold():
    model.set_threshold(None)
    yield
    model.set_threshold(None)


# ------------------------------------------------------------------ words

@pytest.mark.parametrize("forms,stem", [
    (("crash", "crashes", "crashed", "crashing"), "crash"),
    (("reply", "replies", "replied"), "reply"),
    (("charge", "charges"), "charg"),
    (("refund", "refunds", "refunded"), "refund"),
])
def test_word_forms_share_one_feature(forms, stem):
    assert {model.stem(f) for f in forms} == {stem}


@pytest.mark.parametrize("word", ["nothing", "doesn't", "can't", "access", "still", "this",
                                  "was", "bus", "<num>", "nobody"])
def test_short_words_negators_contractions_and_ss_words_stay(word):
    assert model.stem(word) == word


def test_tokens_keep_the_original_spans():
    text = "It CRASHED again, crashing twice"
    assert [(w, text[s:e]) for w, s, e in model.tokens(text)] == [
        ("it", "It"), ("crash", "CRASHED"), ("again", "again"), ("crash", "crashing"),
        ("twic", "twice")]


# ------------------------------------------------------------------ sentences

def test_sentences_split_at_end_marks_and_line_breaks():
    text = "Hello. It still doesn't open!! Can you help?\nThanks"
    parts = [text[s:e] for s, e in model.sentences(text)]
    assert parts == ["Hello.", " It still doesn't open!!", " Can you help?", "Thanks"]


def test_sentences_keep_decimals_and_skip_blank_text():
    assert model.sentences("It was 29.90 euros") == [(0, 18)]
    assert model.sentences("") == []
    assert model.sentences("   \n\n ") == []


def test_sentences_are_capped():
    text = "No. " * (model.MAX_SENTENCES + 20)
    spans = model.sentences(text)
    assert len(spans) == model.MAX_SENTENCES
    assert spans[-1][1] == len(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_sentence_spans_are_ordered_and_inside(text):
    previous = 0
    for start, end in model.sentences(text):
        assert previous <= start < end <= len(text)
        previous = end


# ------------------------------------------------------------------ scorers

def test_a_message_is_as_negative_as_its_worst_sentence():
    scorer = model.get()
    alone, _ = scorer.score("It still does not open.")
    long, words = scorer.score(
        "Good afternoon. I bought the book on the website on Monday. It still does not open. "
        "My email is the same as the account. Thank you in advance.")
    assert long == pytest.approx(alone)
    assert long >= scorer.threshold
    quoted = {long_text[s:e].lower() for s, e, _ in words for long_text in [
        "Good afternoon. I bought the book on the website on Monday. It still does not open. "
        "My email is the same as the account. Thank you in advance."]}
    assert "still" in quoted


def test_neutral_support_messages_score_low():
    scorer = model.get()
    for text in ("How do I change my address?", "OK, I'll wait for the email.",
                 "Can you send me the invoice with my tax number?", "Thank you, it works now!"):
        assert scorer.score(text)[0] < scorer.threshold_low, text


def test_general_scorer_reads_the_whole_message():
    general = model.get_general()
    assert not general.per_sentence and not general.generic
    p, words = general.score("I am so angry and disappointed with this garbage")
    assert p >= general.threshold
    assert words and all(w > 0 for _, _, w in words)


def test_shipped_model_file_says_where_it_came_from():
    support = model.get()
    assert support.threshold == pytest.approx(train_tone.DECISION_THRESHOLD)
    assert support.threshold_low == pytest.approx(model.low_threshold(support.threshold), abs=1e-4)
    assert "MAIA-DQE validation" in support.meta["threshold_from"]
    assert not any("maia" in name.lower() for name in support.meta["trained_on"])
    assert "GoEmotions" in model.get_general().meta["threshold_from"]


def test_low_threshold_is_one_log_odds_below():
    assert model.logit(model.low_threshold(0.75)) == pytest.approx(model.logit(0.75) - 1.0)


def test_set_threshold_changes_the_decision_and_none_restores_it():
    text = "Hello, I can't log in to my account, can you help me?"
    p = model.get().score(text)[0]
    model.set_threshold(min(0.99, p + 0.05))
    stricter = analyze(text)
    model.set_threshold(max(0.01, p - 0.05))
    looser = analyze(text)
    assert looser.signal(Tone.FRUSTRATION).score > (stricter.signal(Tone.FRUSTRATION).score
                                                    if stricter.signal(Tone.FRUSTRATION) else 0.0)
    model.set_threshold(None)
    assert model.get().threshold == pytest.approx(train_tone.DECISION_THRESHOLD)


@pytest.mark.parametrize("bad", [0.0, 1.0, -0.2, 1.5])
def test_set_threshold_rejects_non_probabilities(bad):
    with pytest.raises(ValueError, match="between 0 and 1"):
        model.set_threshold(bad)


# ------------------------------------------------------------------ the gate

def test_support_scorer_waits_for_a_service_topic():
    text = "Still the same."
    alone = analyze(text)
    in_a_support_chat = analyze(text, ToneContext(earlier=("The app does not open my books.",)))
    assert not alone.needs_deescalation
    assert in_a_support_chat.needs_deescalation
    assert any("learned scorer" in n for n in in_a_support_chat.signal(Tone.FRUSTRATION).notes)


@pytest.mark.parametrize("text", [
    "My order never arrived.",          # names a thing
    "It doesn't open.",                 # a negated failure verb
    "Ainda n consigo, nao funciona",    # left untranslated from Portuguese
    "Es funktioniert nicht",            # and from German (negation after the verb)
])
def test_the_gate_opens_for_a_support_message_on_its_own(text):
    from agentdesk.scripts.tone import _tables

    t = _tables()
    assert t.service_topic.search(text) or t.service_failure.search(text)


def test_chit_chat_with_a_negation_is_not_a_complaint():
    r = analyze("Honestly I never thought the ending would be that good, didn't see it coming")
    assert not r.needs_deescalation


# ------------------------------------------------------------------ product-level mapping

@pytest.mark.parametrize("text,earlier,level", [
    ("It still doesn't work after three calls.", (), ToneLevel.UPSET),
    ("I already sent the documents twice.", (), ToneLevel.UPSET),
    ("Nobody answers my emails.", (), ToneLevel.UPSET),
    ("I have been charged twice and nobody explains why.", (), ToneLevel.UPSET),
    ("I want to talk to a supervisor.", (), ToneLevel.UPSET),
    ("No, still nothing.", ("My reader does not open the book.",), ToneLevel.UPSET),
    ("How do I change my address?", (), ToneLevel.CALM),
    ("OK, I'll wait for the email.", (), ToneLevel.CALM),
    ("No, I haven't tried that yet.", ("My reader does not open the book.",), ToneLevel.CALM),
    ("Thank you, it works now!", (), ToneLevel.CALM),
    ("I'm really worried, is my money safe?", (), ToneLevel.CONCERNED),
    ("I don't understand what this letter means.", (), ToneLevel.CONCERNED),
    ("Hello, I can't log in to my account, can you help me?", (), ToneLevel.CONCERNED),
])
def test_support_messages_get_sensible_levels(text, earlier, level):
    assert analyze(text, ToneContext(earlier=earlier)).level == level


# ------------------------------------------------------------------ written training data

def test_written_training_data_loads_and_is_labelled_consistently():
    kinds = train_tone.load_fragments(ROOT / "bench/tone_support_fragments.tsv")
    positives = sum(1 for rows in kinds.values() for y, _ in rows if y)
    negatives = sum(1 for rows in kinds.values() for y, _ in rows if not y)
    assert positives > 800 and negatives > 800
    for name in ("tone_support_turns.tsv", "tone_examples.tsv"):
        rows = train_tone.load_examples(ROOT / "bench" / name)
        assert {y for _, y in rows} == {0, 1}


def test_composed_turns_are_deterministic_and_labelled_by_their_sentences():
    kinds = train_tone.load_fragments(ROOT / "bench/tone_support_fragments.tsv")
    first = train_tone.compose(kinds, 300, seed=5)
    assert first == train_tone.compose(kinds, 300, seed=5)
    assert first != train_tone.compose(kinds, 300, seed=6)
    assert 0.2 < sum(y for _, y in first) / len(first) < 0.5
    assert all("{" not in text for text, _ in first)  # every slot filled


@pytest.mark.parametrize("line,message", [
    ("2\tpersist\tIt still fails.", "label 0 or 1"),
    ("1\tpersist", "label<TAB>kind<TAB>text"),
    ("0\tpersist\tIt still fails.", "does not go with label 0"),
    ("1\tpersist\t{colour} is wrong.", "unknown slot {colour}"),
])
def test_fragment_file_errors_name_the_line(tmp_path, line, message):
    path = tmp_path / "fragments.tsv"
    path.write_text("# comment\n0\tgreet\tHello.\n" + line + "\n", encoding="utf-8")
    with pytest.raises(train_tone.DataError) as err:
        train_tone.load_fragments(path)
    assert f"{path}:3:" in str(err.value) and message in str(err.value)


def test_example_file_errors_name_the_line(tmp_path):
    path = tmp_path / "examples.tsv"
    path.write_text("1\tfine\nyes\tnot a label\n", encoding="utf-8")
    with pytest.raises(train_tone.DataError, match=rf"{path}:2: expected label<TAB>text"):
        train_tone.load_examples(path)


def test_multiple_instance_training_learns_the_frustrated_sentence():
    rows = [(train_tone.bag("Hello. It still fails."), 1, 1.0),
            (train_tone.bag("Hello. It works fine."), 0, 1.0),
            (train_tone.bag("Good morning. It still fails again."), 1, 1.0),
            (train_tone.bag("Good morning. Thanks."), 0, 1.0)] * 20
    b, w = train_tone.train(rows, epochs=5, l2=0.01, lr=0.1, seed=1, log=False)
    assert train_tone.predict(b, w, train_tone.bag("It still fails.")) > 0.8
    assert train_tone.predict(b, w, train_tone.bag("Hello.")) < 0.3


# ------------------------------------------------------------------ evaluation script

def test_sweep_refuses_the_test_split():
    proc = subprocess.run([sys.executable, str(ROOT / "bench/tone_eval.py"), "--sweep",
                           "--maia-splits", "val,test"], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2
    assert "never looks at the test split" in proc.stderr


@pytest.mark.parametrize("text", [
    "I've been charged TWICE for the same order. £84.99 each time. I want the second one back today.",
    "The app keeps crashing every single time I open it and nobody replies to my emails.",
    "Third week without my refund, still nothing on my account.",
])
def test_learned_cue_words_next_to_each_other_read_as_one_phrase(text):
    r = analyze(text, ToneContext())
    spans = sorted((e.start, e.end) for s in r.signals for e in s.evidence if e.cue == "learned cue")
    for (s1, e1), (s2, e2) in zip(spans, spans[1:]):
        assert text[e1:s2].strip(), f"{text[s1:e1]!r} and {text[s2:e2]!r} should be one phrase"


def test_a_learned_phrase_is_shown_whole():
    text = "I've been charged TWICE for the same order. £84.99 each time. I want the second one back today."
    f = analyze(text).signal(Tone.FRUSTRATION)
    assert "each time" in [text[e.start:e.end] for e in f.evidence if e.cue == "learned cue"]


def test_function_words_are_never_shown_as_the_reason():
    # the scorer may weigh "but the" or "it's a", but shown as evidence they would look
    # like the reason for the badge
    text = ("Hi, I'm trying to log in on a new phone but the verification code isn't arriving. "
            "I've checked my spam folder. Could you help?")
    f = analyze(text).signal(Tone.FRUSTRATION)
    shown = [text[e.start:e.end].lower() for e in f.evidence if e.cue == "learned cue"]
    assert shown and "but the" not in shown
    from agentdesk.scripts.tone import _function_words_only

    assert _function_words_only("but the") and _function_words_only("It's a")
    assert not _function_words_only("not arriving") and not _function_words_only("twice")
