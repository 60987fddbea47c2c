"""Replay analysis, role-play runs, annotations in files and samples, --since: pure
service logic on session recordings (no database)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest

from agentdesk.errors import InputFileError, NotFound, UsageError
from agentdesk.replay.samples import load_sample, sample_names
from agentdesk.replay.session import SessionEvent, read_sessions, write_sessions
from agentdesk.replay.timeline import TurnKind, build_turns
from agentdesk.sessions import (
    PracticeRun,
    ReplayAnalysis,
    card_format,
    card_text,
    engine_version,
    load_file_source,
    load_sample_source,
    parse_since,
    sample_copy_path,
    save_annotation,
    wait_at,
    write_card,
)

ROOT = Path(__file__).resolve().parents[2]

# ----------------------------------------------------------------- what a turn shows


def test_a_customer_turn_shows_tone_evidence_suggestions_answer_and_wait():
    session = load_sample("billing-double-charge")
    analysis = ReplayAnalysis(session)
    first = analysis.customer_indices()[0]
    insight = analysis.insight(first)
    text = analysis.turns[first].text
    assert insight.tone.level in ("upset", "hostile")
    assert insight.recorded_tone == "upset"
    words = [text[s:e] for s, e, _ in insight.tone.spans]
    assert any("TWICE" in w for w in words) and any("ridiculous" in w for w in words)
    assert 1 <= len(insight.suggestions) <= 3
    assert all("{customer_first_name}" not in s.text for s in insight.suggestions)
    assert any("Maria" in s.text for s in insight.suggestions), "the customer's first name is filled in"
    answer = insight.answer
    assert answer is not None and answer.agent == "Priya" and answer.text.startswith("Hi Maria, I'm Priya")
    assert answer.response_s == 25.0  # from the claim (the customer wrote before it) to the reply
    # a model answer: acknowledged, apologised, a next step, plain, 25 s after the claim (within 60 s)
    assert answer.score is not None and answer.score.points == answer.score.max_points == 10
    wait = wait_at(analysis.turns, first)
    assert (wait.expected_s, wait.upper_s, wait.settled) == (90.0, 240.0, False)
    claimed = next(t.index for t in analysis.turns if t.event.kind == "claimed")
    settled = wait_at(analysis.turns, claimed)
    assert settled.settled and settled.waited_s == 104.0 and settled.within_bound
    assert insight.engine == engine_version()


def test_a_broken_quote_shows_as_over_the_bound():
    turns = build_turns(load_sample("long-wait-broken-quote"))
    claimed = next(t.index for t in turns if t.event.kind == "claimed")
    wait = wait_at(turns, claimed)
    assert wait.settled and not wait.within_bound and wait.waited_s > wait.upper_s


def test_scripts_used_earlier_are_not_suggested_again():
    session = load_sample("billing-double-charge")
    analysis = ReplayAnalysis(session)
    customers = analysis.customer_indices()
    offered = {s.script_id for s in analysis.insight(customers[1]).suggestions}
    assert offered, "the second customer turn gets suggestions"
    used = sorted(offered)[0]
    # record that the agent used that script at the first customer turn
    seq = analysis.turns[customers[0]].event.seq
    at = analysis.turns[customers[0]].event.at
    events = list(session.events)
    pos = next(i for i, e in enumerate(events) if e.seq == seq) + 1
    events.insert(pos, SessionEvent(seq=0, at=at, kind="suggestion_used", agent="Priya",
                                    data={"script": used, "in_reply_to": seq}))
    renumbered = tuple(replace(e, seq=i + 1, data=_shift(e.data, seq, pos)) for i, e in enumerate(events))
    edited = replace(session, events=renumbered)
    again = ReplayAnalysis(edited)
    assert used not in {s.script_id for s in again.insight(again.customer_indices()[1]).suggestions}


def _shift(data, seq, pos):
    out = dict(data)
    for key in ("in_reply_to", "target"):
        if isinstance(out.get(key), int) and out[key] > pos:
            out[key] += 1
    return out


def test_non_customer_turns_are_not_analysed():
    analysis = ReplayAnalysis(load_sample("billing-double-charge"))
    agent = next(t.index for t in analysis.turns if t.kind is TurnKind.AGENT)
    with pytest.raises(UsageError, match="not a customer turn"):
        analysis.tone(agent)


# ----------------------------------------------------------------- determinism

_DIGEST = """
import hashlib, json, sys
from agentdesk.replay.samples import load_sample, sample_names
from agentdesk.sessions import PracticeRun, ReplayAnalysis
from agentdesk.replay.scoring import card_dict
out = []
for name in sample_names():
    s = load_sample(name)
    a = ReplayAnalysis(s)
    out.append([a.insight(i).to_json() for i in a.customer_indices()])
    run = PracticeRun(s, trainee="T", analysis=a)
    while run.current is not None:
        run.answer("I'm sorry, I can see why that's frustrating. I'll sort it out today.", 42.0)
    out.append(card_dict(run.card()))
print(hashlib.sha256(json.dumps(out, sort_keys=True).encode()).hexdigest())
"""


def _digest(seed: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run([sys.executable, "-c", _DIGEST], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_same_session_same_engine_same_suggestions_and_scores():
    """Two processes with different hash seeds (set and dict orders differ) give the
    same suggestions, tone readings and scores for every sample."""
    assert _digest("1") == _digest("4242")


def test_analysis_is_repeatable_in_process():
    session = load_sample("churn-threat-price")
    a, b = ReplayAnalysis(session), ReplayAnalysis(session)
    indices = a.customer_indices()
    assert [a.insight(i).to_json() for i in indices] == [b.insight(i).to_json() for i in reversed(indices)][::-1]


# ----------------------------------------------------------------- role-play


def test_practice_scores_each_reply_with_the_engine_tone_and_the_time_taken():
    session = load_sample("billing-double-charge")
    run = PracticeRun(session, trainee="Sam")
    assert len(run.prompts) == 3
    first = run.current
    assert run.tone(first) in ("upset", "hostile")
    good = run.answer("I'm so sorry you were charged twice, I can see why that's frustrating. "
                      "I'll refund the second payment today.", 42.0)
    assert good.score.points == good.score.max_points
    assert good.score.reference == first.reference
    assert good.suggestions == run.analysis.insight(first.customer_turns[-1]).suggestions
    # a second reply without an apology: one was already given, so none is due unless a new problem
    second = run.current
    late = run.answer("Calm down, as I already said it is our policy.", 400.0)
    assert late.score.result("no_inflaming").verdict == "fail"
    assert late.score.result("response_time").verdict == "fail"
    assert late.score.response_s == 400.0 and second is not run.current
    run.answer("", 5.0)
    assert run.done and run.current is None
    card = run.card()
    assert card.trainee == "Sam" and len(card.turns) == 3 and card.points < card.max_points
    with pytest.raises(UsageError, match="every turn"):
        run.answer("more", 1.0)


def test_prompt_tone_is_the_most_severe_reading_of_the_messages_answered():
    run = PracticeRun(load_sample("abusive-customer-boundary"))
    levels = {run.tone(p) for p in run.prompts}
    assert "hostile" in levels


def test_card_export_formats(tmp_path):
    run = PracticeRun(load_sample("router-setup-confused"), trainee="Ana")
    while run.current is not None:
        run.answer("Let me help: tell me what colour the light is now.", 20.0)
    md = tmp_path / "card.md"
    js = tmp_path / "card.JSON"
    assert write_card(run.card(), md) == "md"
    assert write_card(run.card(), js) == "json"
    text = md.read_text(encoding="utf-8")
    assert text.startswith("# Scorecard — ") and f"- Engine: {engine_version()}" in text
    data = json.loads(js.read_text(encoding="utf-8"))
    assert data["engine"] == engine_version() and data["trainee"] == "Ana"
    assert len(data["turns"]) == len(run.prompts)
    for bad in ("card.txt", "card", "card.md.bak"):
        with pytest.raises(UsageError, match=r"\.md\) or JSON \(\.json\)"):
            card_format(bad)
    assert card_text(run.card(), "json") == js.read_text(encoding="utf-8")


# ----------------------------------------------------------------- annotations in files


def test_annotating_a_file_rewrites_it_with_the_note_and_keeps_the_rest(tmp_path):
    a, b = load_sample("wrong-item-sent"), load_sample("mistake-calm-down")
    path = tmp_path / "two.jsonl"
    write_sessions(path, [a, b])
    source = load_file_source(path, b.id)
    target = next(e for e in b.events if e.is_agent_message)
    saved = save_annotation(source, target.seq, "“Calm down” escalates — acknowledge instead.", by="Sam")
    assert str(path) in saved.where
    back = read_sessions(path)
    assert back[0] == a
    assert back[1].events[:-1] == b.events
    note = back[1].events[-1]
    assert (note.kind, note.body, note.data) == ("annotation", "“Calm down” escalates — acknowledge instead.",
                                                 {"target": target.seq, "by": "Sam"})
    assert saved.source.session == back[1]
    assert [p.name for p in tmp_path.iterdir()] == ["two.jsonl"], "no temporary file left behind"


def test_annotating_a_redacted_view_keeps_the_file_unredacted(tmp_path):
    s = load_sample("lost-parcel-anxious")
    path = tmp_path / "one.jsonl"
    write_sessions(path, [s])
    source = load_file_source(path, redact=True)
    assert source.redacted_view and source.session.customer.name != s.customer.name
    saved = save_annotation(source, 3, "note", by="Sam")
    [back] = read_sessions(path)
    assert back.customer == s.customer and back.events[:-1] == s.events
    assert saved.source.session.customer == source.session.customer


def test_annotating_a_sample_writes_a_copy_in_the_user_data_folder():
    from agentdesk.replay.samples import _files

    packaged = _files()["grateful-customer-social"].read_bytes()
    source = load_sample_source("grateful-customer-social")
    assert source.path is None and "annotated copy" not in source.label
    saved = save_annotation(source, 2, "Lovely close.", by="Sam")
    copy = sample_copy_path("grateful-customer-social")
    assert copy.is_file() and str(copy) in saved.where and "read-only" in saved.where
    assert _files()["grateful-customer-social"].read_bytes() == packaged
    reopened = load_sample_source("grateful-customer-social")
    assert reopened.path == copy and "annotated copy" in reopened.label
    assert reopened.session.annotations[-1].body == "Lovely close."
    save_annotation(reopened, 3, "Second note.")
    assert [a.body for a in load_sample_source("grateful-customer-social").session.annotations][-2:] == [
        "Lovely close.", "Second note."]


def test_file_source_errors(tmp_path):
    with pytest.raises(InputFileError, match="file not found"):
        load_file_source(tmp_path / "missing.jsonl")
    with pytest.raises(InputFileError, match="is a folder"):
        load_file_source(tmp_path)
    path = tmp_path / "one.jsonl"
    write_sessions(path, [load_sample("wrong-item-sent")])
    with pytest.raises(NotFound, match="no session 'nope'.*wrong-item-sent"):
        load_file_source(path, "nope")
    with pytest.raises(NotFound, match="did you mean billing-double-charge"):
        load_sample_source("billing-double-charg")


# ----------------------------------------------------------------- --since


NOW = datetime(2026, 11, 25, 14, 0, tzinfo=timezone.utc).timestamp()


@pytest.mark.parametrize(("value", "seconds"), [
    ("7d", 7 * 86400), ("24h", 86400), ("90m", 5400), ("2w", 14 * 86400), ("30s", 30), ("1.5h", 5400),
    (" 3 days ", 3 * 86400), ("45min", 2700),
])
def test_since_ages(value, seconds):
    assert parse_since(value, now=NOW) == NOW - seconds


def test_since_dates():
    assert parse_since("2026-11-01", now=NOW) == datetime(2026, 11, 1).timestamp()
    assert parse_since("2026-11-01T09:30", now=NOW) == datetime(2026, 11, 1, 9, 30).timestamp()
    assert parse_since("2026-11-01 09:30:00", now=NOW) == datetime(2026, 11, 1, 9, 30).timestamp()
    assert parse_since("2026-11-01T09:30+01:00", now=NOW) == datetime(2026, 11, 1, 8, 30, tzinfo=timezone.utc).timestamp()
    assert parse_since("2026-11-01T09:30Z", now=NOW) == datetime(2026, 11, 1, 9, 30, tzinfo=timezone.utc).timestamp()


@pytest.mark.parametrize("value", ["", "yesterday", "7x", "2026-13-01", "01/11/2026", "-3d", "d7"])
def test_since_refuses_what_it_cannot_read(value):
    with pytest.raises(UsageError, match="not a date or an age"):
        parse_since(value, now=NOW)


def test_since_refuses_the_future():
    with pytest.raises(UsageError, match="in the future"):
        parse_since("2027-01-01", now=NOW)


def test_every_sample_has_customer_turns_for_the_engines():
    for name in sample_names():
        analysis = ReplayAnalysis(load_sample(name))
        assert analysis.customer_indices(), name
