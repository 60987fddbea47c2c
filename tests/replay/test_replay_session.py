"""The agentdesk.session JSON Lines format: round trip, every validation rule, fuzzing."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agentdesk.errors import InputFileError
from agentdesk.replay.session import (
    SCHEMA,
    VERSION,
    Customer,
    InvalidSession,
    Session,
    SessionEvent,
    dump_sessions,
    parse_sessions,
    read_sessions,
    validate_session,
    write_sessions,
)

T0 = 1_741_080_000.0


def make_session(sid: str = "s1", **over) -> Session:
    events = (
        SessionEvent(1, T0, "arrived", data={"queue": "billing", "priority": 1}),
        SessionEvent(2, T0 + 5, "wait_quoted",
                     data={"expected_s": 120, "upper_s": 300, "share": 0.9, "position": 3,
                           "reason": "3rd in line"}),
        SessionEvent(3, T0 + 140, "claimed", agent="tom"),
        SessionEvent(4, T0 + 150, "message", author="customer", body="I was charged twice!"),
        SessionEvent(5, T0 + 151, "tone", data={"level": "upset", "signals": ["anger"],
                                                 "in_reply_to": 4}),
        SessionEvent(6, T0 + 151, "suggestion_shown",
                     data={"script": "ack-billing", "text": "I'm sorry…", "in_reply_to": 4}),
        SessionEvent(7, T0 + 190, "message", author="agent", agent="tom",
                     body="I'm sorry about that — I'll check now."),
        SessionEvent(8, T0 + 200, "held", agent="tom", data={"reason": "checking payments"}),
        SessionEvent(9, T0 + 260, "resumed", agent="tom"),
        SessionEvent(10, T0 + 270, "note", author="note", agent="tom", body="double charge confirmed"),
        SessionEvent(11, T0 + 280, "transferred", agent="tom",
                     data={"from_queue": "billing", "to_queue": "refunds", "note": "refund £12.99"}),
        SessionEvent(12, T0 + 300, "claimed", agent="ana"),
        SessionEvent(13, T0 + 320, "message", author="agent", agent="ana", body="Refunded."),
        SessionEvent(14, T0 + 330, "resolved", agent="ana", data={"disposition": "refund"}),
        SessionEvent(15, T0 + 340, "csat", data={"score": 5, "comment": "great"}),
        SessionEvent(16, T0 + 400, "reopened", data={"reason": "charged again"}),
        SessionEvent(17, T0 + 500, "annotation", body="Good apology.", data={"target": 7, "by": "kim"}),
    )
    base = dict(
        id=sid, queue="billing", channel="chat", subject="Double charge",
        customer=Customer(name="Maria Lopez", tier="gold", email="m@example.com"),
        created_at=T0, events=events, title="Double charge", description="demo",
        tags=("billing", "angry"), redacted=False,
    )
    base.update(over)
    return Session(**base)


def lines_of(session: Session) -> list[dict]:
    return [json.loads(line) for line in dump_sessions([session]).splitlines()]


def to_text(records: list[dict]) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)


def error_for(records: list[dict] | str) -> InputFileError:
    text = records if isinstance(records, str) else to_text(records)
    with pytest.raises(InputFileError) as info:
        parse_sessions(text, "f.jsonl")
    return info.value


# ------------------------------------------------------------------ round trip


def test_round_trip_text_and_file(tmp_path):
    sessions = [make_session("a"), make_session("b", channel="email", redacted=True)]
    text = dump_sessions(sessions)
    assert parse_sessions(text) == sessions
    assert parse_sessions(text.encode()) == sessions
    assert parse_sessions(text.splitlines(keepends=True)) == sessions
    path = tmp_path / "out.jsonl"
    assert write_sessions(path, sessions) == 2
    assert read_sessions(path) == sessions
    assert path.read_text(encoding="utf-8") == text
    # dumping is stable
    assert dump_sessions(read_sessions(path)) == text


def test_header_shape_matches_documentation():
    header, first, *_ = lines_of(make_session())
    assert header["type"] == "session" and header["schema"] == SCHEMA and header["version"] == VERSION
    assert header["customer"] == {"name": "Maria Lopez", "tier": "gold", "email": "m@example.com"}
    assert set(first) == {"type", "session", "seq", "at", "kind", "author", "agent", "body", "data"}


def test_helpers_on_session():
    s = make_session()
    assert s.agents == ("tom", "ana")
    assert s.disposition == "refund"
    assert [e.seq for e in s.messages] == [4, 7, 13]
    assert [e.seq for e in s.annotations] == [17]
    assert s.event(7).is_agent_message and s.event(4).is_customer_message
    with pytest.raises(KeyError):
        s.event(99)
    assert s.ended_at == T0 + 500


def test_with_annotation_appends_and_validates():
    s = make_session()
    s2 = s.with_annotation(4, "Customer is upset here", by="kim")
    ann = s2.events[-1]
    assert (ann.seq, ann.kind, ann.at, ann.data) == (18, "annotation", s.ended_at, {"target": 4, "by": "kim"})
    validate_session(s2)
    assert parse_sessions(dump_sessions([s2])) == [s2]
    with pytest.raises(InvalidSession):
        s.with_annotation(99, "x")
    with pytest.raises(InvalidSession):
        s.with_annotation(4, "   ")


def test_blank_lines_crlf_bom_and_extensions_are_accepted():
    recs = lines_of(make_session())
    recs[0]["x_exporter"] = "agentdesk 0.1"
    recs[1]["x_trace"] = {"a": 1}
    text = "\ufeff" + "\r\n\r\n".join(json.dumps(r) for r in recs) + "\r\n\n"
    [parsed] = parse_sessions(text)
    assert parsed == make_session()


def test_interleaved_sessions_are_accepted():
    a, b = lines_of(make_session("a")), lines_of(make_session("b"))
    mixed = [a[0], b[0]] + [r for pair in zip(a[1:], b[1:], strict=True) for r in pair]
    assert [s.id for s in parse_sessions(to_text(mixed))] == ["a", "b"]


# ------------------------------------------------------------ validation paths


def mutate(line: int, change, session: Session | None = None) -> list[dict]:
    recs = lines_of(session or make_session())
    change(recs[line - 1])
    return recs


def setter(key, value):
    def f(rec):
        if value is KeyError:
            rec.pop(key, None)
        else:
            rec[key] = value
    return f


def data_setter(key, value):
    def f(rec):
        if value is KeyError:
            rec["data"].pop(key, None)
        else:
            rec["data"][key] = value
    return f


CASES = [
    # (line, mutation, expected fragment)
    (1, setter("type", KeyError), 'missing "type"'),
    (1, setter("type", "header"), '"type" must be "session" or "event"'),
    (1, setter("schema", "other"), '"schema" must be "agentdesk.session"'),
    (1, setter("schema", KeyError), 'missing "schema"'),
    (1, setter("version", KeyError), 'missing "version"'),
    (1, setter("version", "1"), '"version" must be a whole number'),
    (1, setter("version", 0), '"version" must be 1 or more'),
    (1, setter("version", 2), "schema version 2 is newer"),
    (1, setter("id", KeyError), 'missing "id"'),
    (1, setter("id", ""), '"id" must not be empty'),
    (1, setter("id", 7), '"id" must be text, got a number'),
    (1, setter("id", "x" * 201), "longer than 200"),
    (1, setter("queue", KeyError), 'missing "queue"'),
    (1, setter("channel", "fax"), '"channel" must be one of'),
    (1, setter("subject", KeyError), 'missing "subject"'),
    (1, setter("customer", KeyError), 'missing "customer"'),
    (1, setter("customer", "Maria"), '"customer" must be an object'),
    (1, setter("customer", {"tier": "gold"}), 'missing "customer.name"'),
    (1, setter("customer", {"name": "M", "tier": "diamond"}), '"customer.tier" must be one of'),
    (1, setter("customer", {"name": "M", "age": 3}), 'unknown field "age" in "customer"'),
    (1, setter("created_at", KeyError), 'missing "created_at"'),
    (1, setter("created_at", "yesterday"), '"created_at" must be a number'),
    (1, setter("created_at", -1), '"created_at" must be at least 0'),
    (1, setter("created_at", True), '"created_at" must be a number, got true/false'),
    (1, setter("tags", "a,b"), '"tags" must be a list of text'),
    (1, setter("redacted", "yes"), '"redacted" must be true or false'),
    (1, setter("colour", "red"), 'unknown field "colour" in a session header'),
    (2, setter("session", KeyError), 'missing "session"'),
    (2, setter("session", "zzz"), "header line has not appeared yet"),
    (2, setter("seq", KeyError), 'missing "seq"'),
    (2, setter("seq", 1.5), '"seq" must be a whole number'),
    (2, setter("seq", 0), '"seq" must be at least 1'),
    (3, setter("seq", 1), '"seq" must increase within a session: 1 after 1'),
    (2, setter("at", KeyError), 'missing "at"'),
    (2, setter("at", T0 - 10), "before the session's \"created_at\""),
    (4, setter("at", T0 + 1), '"at" goes back in time'),
    (2, setter("kind", "mesage"), 'unknown kind "mesage"'),
    (2, setter("kind", KeyError), 'missing "kind"'),
    (2, setter("author", "bot"), '"author" must be one of'),
    (2, setter("agent", ""), '"agent" must not be empty'),
    (2, setter("body", 5), '"body" must be text'),
    (2, setter("data", [1]), '"data" must be an object'),
    (2, setter("extra", 1), 'unknown field "extra" in an event'),
    (4, setter("agent", None), 'a "claimed" event needs "agent"'),
    (5, setter("author", None), 'a "message" event needs "author"'),
    (5, setter("body", "  "), 'needs a non-empty "body"'),
    (8, setter("agent", None), "an agent's message needs \"agent\""),
    (11, setter("author", "agent"), 'a "note" event needs "author": "note"'),
    (9, setter("author", "note"), '"author": "note" is only for "note" events'),
    (2, data_setter("priority", "high"), '"data.priority" must be a whole number'),
    (3, data_setter("expected_s", KeyError), 'missing "data.expected_s"'),
    (3, data_setter("upper_s", 60), 'must not be below "data.expected_s"'),
    (3, data_setter("share", 1.5), '"data.share" must be above 0'),
    (3, data_setter("position", 0), '"data.position" must be at least 1'),
    (6, data_setter("level", "furious"), '"data.level" must be one of'),
    (6, data_setter("level", KeyError), 'missing "data.level"'),
    (6, data_setter("signals", "anger"), '"data.signals" must be a list of text'),
    (6, data_setter("in_reply_to", 6), '"data.in_reply_to" must name an earlier event'),
    (6, data_setter("in_reply_to", 3), None),  # 3 exists: fine
    (7, data_setter("in_reply_to", 99), '"data.in_reply_to" must name an earlier event'),
    (7, data_setter("tone", "meh"), '"data.tone" must be one of'),
    (12, data_setter("to_queue", KeyError), 'missing "data.to_queue"'),
    (12, data_setter("note", 3), '"data.note" must be text'),
    (15, data_setter("disposition", "fixed"), '"data.disposition" must be one of'),
    (15, data_setter("disposition", KeyError), 'missing "data.disposition"'),
    (16, data_setter("score", 6), '"data.score" must be at most 5'),
    (16, data_setter("score", KeyError), 'missing "data.score"'),
    (18, data_setter("target", KeyError), 'missing "data.target"'),
    (18, data_setter("target", 17), '"data.target" must name an earlier event'),
    (18, setter("body", None), 'needs a non-empty "body"'),
]


@pytest.mark.parametrize(("line", "change", "fragment"), CASES)
def test_each_rule_reports_its_line(line, change, fragment):
    recs = mutate(line, change)
    if fragment is None:
        parse_sessions(to_text(recs))
        return
    err = error_for(recs)
    assert err.line == line
    assert fragment in str(err), str(err)
    assert str(err).startswith(f"f.jsonl, line {line}: ")


def test_annotation_target_must_exist_in_session():
    s = make_session()
    recs = lines_of(s)
    # seq numbers with gaps: target 16 -> a seq that does not exist
    recs[-2]["seq"] = 20  # reopened becomes seq 20
    recs[-1]["seq"] = 21
    recs[-1]["data"]["target"] = 17
    err = error_for(recs)
    assert err.line == len(recs) and "seq 17, which is not in session 's1'" in str(err)


def test_agent_status_event():
    recs = lines_of(make_session())
    recs[3].update(kind="agent_status", data={"status": "away"})
    parse_sessions(to_text(recs))
    recs[3]["data"] = {"status": "lunch"}
    err = error_for(recs)
    assert err.line == 4 and '"data.status" must be one of' in str(err)


def test_duplicate_session_and_duplicate_key():
    a = lines_of(make_session("a"))
    err = error_for(a + [a[0]])
    assert err.line == len(a) + 1 and "appears twice" in str(err)
    text = to_text(a).replace('"queue": "billing",', '"queue": "billing", "queue": "x",', 1)
    err = error_for(text)
    assert err.line == 1 and 'duplicate field "queue"' in str(err)


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("{not json}\n", 1, "not valid JSON"),
        ('\n\n[1, 2]\n', 3, "expected a JSON object, got a list"),
        ('"text"\n', 1, "expected a JSON object, got text"),
        ('{"type": "session", "created_at": NaN}\n', 1, "NaN is not allowed"),
        ('{"type": "session", "created_at": 1e999}\n', 1, None),
        ("[" * 100_000 + "]" * 100_000 + "\n", 1, "not valid JSON"),
        ("", None, "no session found"),
        ("\n  \n", None, "no session found"),
    ],
)
def test_malformed_lines(text, line, fragment):
    err = error_for(text)
    assert err.line == line
    if fragment:
        assert fragment in str(err)


def test_bad_utf8_and_long_line():
    good = dump_sessions([make_session()]).encode()
    err = error_for_bytes(good + b'{"type": "ev\xffent"}\n')
    assert err.line == good.count(b"\n") + 1 and "not valid UTF-8" in str(err)
    err = error_for_bytes(b"\n" + b" " * (1 << 20) + b"{}\n")
    assert err.line == 2 and "longer than" in str(err)


def error_for_bytes(data: bytes) -> InputFileError:
    with pytest.raises(InputFileError) as info:
        parse_sessions(data, "f.jsonl")
    return info.value


def test_lone_surrogates_are_refused_on_read_and_write():
    recs = lines_of(make_session())
    recs[4]["body"] = "bad \ud800 text"  # json.dumps writes the escape "\\ud800"
    err = error_for(recs)
    assert err.line == 5 and "unpaired surrogate" in str(err)
    s = make_session()
    broken = list(s.events)
    broken[3] = SessionEvent(4, T0 + 150, "message", author="customer", body="x \udc00")
    with pytest.raises(InvalidSession, match="unpaired surrogate"):
        validate_session(Session(**{**_fields(s), "events": tuple(broken)}))
    with pytest.raises(InvalidSession, match="unpaired surrogate"):
        validate_session(Session(**{**_fields(s), "customer": Customer("M \ud800")}))


def test_read_missing_file(tmp_path):
    with pytest.raises(InputFileError) as info:
        read_sessions(tmp_path / "nope.jsonl")
    assert "cannot read the file" in str(info.value) and info.value.line is None


def test_write_refuses_invalid_and_leaves_no_file(tmp_path):
    bad = make_session(channel="fax")
    path = tmp_path / "out.jsonl"
    with pytest.raises(InvalidSession, match="channel"):
        write_sessions(path, [bad])
    assert not path.exists() and not (tmp_path / "out.jsonl.tmp").exists()
    with pytest.raises(InvalidSession, match="appears twice"):
        dump_sessions([make_session(), make_session()])


def test_validate_session_reports_seq():
    s = make_session()
    broken = list(s.events)
    broken[3] = SessionEvent(4, T0 + 150, "message", author="customer", body="")
    with pytest.raises(InvalidSession, match=r"event seq 4: .*non-empty \"body\""):
        validate_session(Session(**{**_fields(s), "events": tuple(broken)}))
    broken[3] = SessionEvent(4, T0 + 150, "message", author="customer", body="x",
                             data={"when": object()})
    with pytest.raises(InvalidSession, match="not representable as JSON"):
        validate_session(Session(**{**_fields(s), "events": tuple(broken)}))
    broken[3] = SessionEvent(4, float("nan"), "message", author="customer", body="x")
    with pytest.raises(InvalidSession, match="event seq 4"):
        validate_session(Session(**{**_fields(s), "events": tuple(broken)}))


def _fields(s: Session) -> dict:
    return {name: getattr(s, name) for name in s.__slots__}


# ------------------------------------------------------------------ properties

json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)
field_names = st.sampled_from(
    ["type", "schema", "version", "id", "queue", "channel", "subject", "customer", "created_at",
     "session", "seq", "at", "kind", "author", "agent", "body", "data", "tags", "redacted"]
)
plausible = st.dictionaries(field_names, json_values | st.sampled_from(
    ["session", "event", SCHEMA, "message", "chat", "customer", "s1"]) | st.just(1), max_size=10)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_arbitrary_bytes_only_raise_input_file_error(data):
    try:
        parse_sessions(data, "fuzz.jsonl")
    except InputFileError:
        pass


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.text(max_size=60), max_size=6))
def test_arbitrary_lines_only_raise_input_file_error(lines):
    try:
        parse_sessions(lines, "fuzz.jsonl")
    except InputFileError:
        pass


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=17), plausible)
def test_plausible_mutations_only_raise_input_file_error(index, garbage):
    recs = lines_of(make_session())
    recs.insert(index, garbage)
    try:
        result = parse_sessions(to_text(recs), "fuzz.jsonl")
    except InputFileError as err:
        assert err.line is None or 1 <= err.line <= len(recs)
    else:
        # whatever was accepted must survive a round trip
        assert parse_sessions(dump_sessions(result)) == result


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.floats(min_value=0, max_value=1e5), st.text(min_size=1, max_size=30)
                          .filter(str.strip)), min_size=1, max_size=10))
def test_round_trip_property(gaps_and_bodies):
    events, t = [], T0
    for seq, (gap, body) in enumerate(gaps_and_bodies, start=1):
        t += gap
        author = "customer" if seq % 2 else "agent"
        events.append(SessionEvent(seq, t, "message", author=author,
                                   agent=None if author == "customer" else "tom", body=body))
    s = Session(id="p", queue="q", channel="chat", subject="", customer=Customer("C"),
                created_at=T0, events=tuple(events))
    assert parse_sessions(dump_sessions([s])) == [s]
