"""The shipped sample sessions: all load, validate, cover what trainers need, redact."""

from __future__ import annotations

import pytest

from agentdesk.domain import DISPOSITION_CODES, EventKind
from agentdesk.errors import NotFound
from agentdesk.replay.redact import redact_session
from agentdesk.replay.samples import list_samples, load_sample, sample_names
from agentdesk.replay.session import dump_sessions, parse_sessions, validate_session

NAMES = sample_names()


def test_at_least_25_samples():
    assert len(NAMES) >= 25
    assert len(list_samples()) == len(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_sample_parses_validates_and_round_trips(name):
    s = load_sample(name)
    assert s.id == name
    validate_session(s)
    assert parse_sessions(dump_sessions([s])) == [s]
    assert s.title and s.description and s.tags


@pytest.mark.parametrize("name", NAMES)
def test_sample_timing_is_realistic(name):
    s = load_sample(name)
    kinds = [e.kind for e in s.events]
    assert kinds[0] == EventKind.ARRIVED
    claims = [e for e in s.events if e.kind == EventKind.CLAIMED]
    if EventKind.ABANDONED in kinds:
        assert not claims
        return
    first_claim = claims[0]
    # someone waited before an agent claimed it, and every message has a sensible gap
    assert first_claim.at - s.created_at >= 20
    msgs = s.messages
    gaps = [b.at - a.at for a, b in zip(msgs, msgs[1:], strict=False)]
    assert all(g >= 0 for g in gaps)
    assert max(gaps, default=0) <= (4 * 86400 if s.channel == "email" else 3600)
    # a resolved disposition from the shared list
    assert s.disposition in DISPOSITION_CODES


@pytest.mark.parametrize("name", NAMES)
def test_sample_redacts_cleanly(name):
    r = redact_session(load_sample(name))
    validate_session(r)
    assert r.redacted


def test_channels_and_scenarios_are_covered():
    infos = list_samples()
    assert {i.channel for i in infos} == {"chat", "email", "phone", "social"}
    tags = {t for i in infos for t in i.tags}
    for needed in ("angry", "anxious", "confused", "abuse", "churn", "grateful", "long-wait",
                   "transfer", "hold", "reopened", "legal", "repeat-contact", "mistakes"):
        assert needed in tags, needed
    assert sum("mistakes" in i.tags for i in infos) >= 4
    assert sum("good-practice" in i.tags for i in infos) >= 15


def test_wait_quotes_holds_transfers_and_annotations_present():
    sessions = [load_sample(n) for n in NAMES]
    kinds = {e.kind for s in sessions for e in s.events}
    for needed in ("wait_quoted", "held", "resumed", "transferred", "reopened", "annotation",
                   "tone", "suggestion_shown", "suggestion_used", "csat", "note", "abandoned"):
        assert needed in kinds, needed
    assert sum(any(e.kind == "wait_quoted" for e in s.events) for s in sessions) >= 20
    transfers = [e for s in sessions for e in s.events if e.kind == "transferred"]
    assert all(e.data.get("note") for e in transfers)  # every transfer carries a hand-off note
    for s in sessions:
        if "mistakes" in s.tags:
            assert s.annotations, s.id


def test_unknown_sample_suggests_close_names():
    with pytest.raises(NotFound, match="did you mean billing-double-charge"):
        load_sample("billing-double-charg")
    with pytest.raises(NotFound, match="no sample named"):
        load_sample("zzz")


def test_load_sample_returns_fresh_copies():
    a = load_sample(NAMES[0])
    a.events[0].data["queue"] = "changed"
    assert load_sample(NAMES[0]).events[0].data["queue"] != "changed"
