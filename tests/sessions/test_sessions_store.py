"""Between the store and session recordings: export, import (all or nothing), round
trips, redaction on export, annotations in the store. Runs on SQLite and, with
AGENTDESK_TEST_PG_URL, on PostgreSQL."""

from __future__ import annotations

from dataclasses import replace

import pytest

from agentdesk.errors import Conflict, InputFileError, NotFound
from agentdesk.replay.redact import RedactionError
from agentdesk.replay.samples import load_sample, sample_names
from agentdesk.replay.session import parse_sessions, read_sessions, validate_session, write_sessions
from agentdesk.sessions import (
    export_sessions,
    final_state,
    import_file,
    import_sessions,
    load_conversation_source,
    read_recording,
    save_annotation,
)
from tests.sessions.conftest import EMAIL, NAME, OTHER_EMAIL, OTHER_PHONE, PHONE, table_counts


def essence(session):
    """What a round trip must keep: every event's kind, time, author, agent, text and
    data (client ids aside, since a recording without them gets derived ones)."""
    return [
        (e.kind, e.at, e.author, e.agent, e.body, {k: v for k, v in e.data.items() if k != "client_id"})
        for e in session.events
    ]


def header(session):
    return (session.queue, session.channel, session.subject, session.customer, session.created_at)


def recording(store, conversation_id):
    with store.read() as conn:
        return read_recording(conn, conversation_id)


# ----------------------------------------------------------------- round trips


def test_every_sample_round_trips_through_the_store(store):
    samples = [load_sample(n) for n in sample_names()]
    result = import_sessions(store, samples)
    assert len(result.imported) == len(samples) and not result.skipped
    assert result.messages >= sum(len(s.messages) for s in samples)
    assert set(result.created_queues) >= {"billing", "orders", "tech"}
    for sample, imported in zip(samples, result.sessions):
        out = recording(store, imported.conversation_id).session
        validate_session(out)
        assert header(out) == header(sample), sample.id
        assert essence(out) == essence(sample), sample.id
        assert out.id == f"conversation-{imported.conversation_id}"


def test_imported_conversations_end_where_the_recording_ended(store):
    from sqlalchemy import text

    names = ["billing-double-charge", "abandoned-in-queue", "transfer-with-handoff", "hold-and-resume-phone"]
    result = import_sessions(store, [load_sample(n) for n in names])
    with store.read() as conn:
        rows = {r[0]: r[1:] for r in conn.execute(text(
            "SELECT c.id, c.status, c.disposition, q.name, c.csat, c.assignee_id, c.hold_reason FROM conversation c "
            "JOIN queue q ON q.id = c.queue_id"))}
    by_name = dict(zip(names, (s.conversation_id for s in result.sessions)))
    for name in names:
        st = final_state(load_sample(name))
        status, disposition, queue, csat, assignee, hold = rows[by_name[name]]
        assert (status, disposition, queue, csat) == (st.status, st.disposition, st.queue, st.csat), name
        assert assignee is None and hold is None  # resolved or abandoned: nobody holds it
    assert rows[by_name["billing-double-charge"]][:2] == ("resolved", "refund")
    assert rows[by_name["abandoned-in-queue"]][0] == "abandoned"
    transfer = load_sample("transfer-with-handoff")
    to_queue = next(e.data["to_queue"] for e in transfer.events if e.kind == "transferred")
    assert rows[by_name["transfer-with-handoff"]][2] == to_queue


def test_a_console_conversation_round_trips(worked):
    store = worked.desk.store
    first = recording(store, worked.conversation_id).session
    validate_session(first)
    kinds = [e.kind for e in first.events]
    for kind in ("arrived", "tone", "wait_quoted", "claimed", "message", "note", "held", "resumed",
                 "transferred", "resolved", "csat"):
        assert kind in kinds, kind
    assert kinds.count("claimed") == 2
    transfer = next(e for e in first.events if e.kind == "transferred")
    assert transfer.data["from_queue"] == "billing" and transfer.data["to_queue"] == "tech"
    assert transfer.data["note"].startswith("Double charge confirmed")
    resolved = next(e for e in first.events if e.kind == "resolved")
    assert resolved.data == {"disposition": "refund", "summary": "Refund of the duplicate issued."}
    tone = next(e for e in first.events if e.kind == "tone")
    assert all(isinstance(s, str) for s in tone.data["signals"])
    assert first.event(tone.data["in_reply_to"]).is_customer_message
    # system lines written by hold/resume/transfer are turns already; hand-off and closing
    # notes travel in their events' data: none is a separate message
    assert [e.author for e in first.events if e.kind == "message"] == ["customer", "agent", "customer", "agent"]

    # without client ids the recording is new to the store: imported as a second conversation
    fresh = replace(first, events=tuple(
        replace(e, data={k: v for k, v in e.data.items() if k != "client_id"}) for e in first.events))
    result = import_sessions(store, [fresh])
    [imported] = result.imported
    assert imported.conversation_id not in (worked.conversation_id, worked.other_id)
    again = recording(store, imported.conversation_id).session
    assert essence(again) == essence(first)
    assert header(again) == header(first)


def test_importing_the_same_recording_again_is_recognised_and_skipped(store):
    sample = load_sample("lost-parcel-anxious")
    first = import_sessions(store, [sample])
    before = table_counts(store)
    second = import_sessions(store, [sample])
    assert [s.skipped for s in second.sessions] == [True]
    assert second.sessions[0].conversation_id == first.sessions[0].conversation_id
    assert table_counts(store) == before
    # an export of it carries the client ids, so importing the export is also a no-op
    exported = recording(store, first.sessions[0].conversation_id).session
    third = import_sessions(store, [exported])
    assert [s.skipped for s in third.sessions] == [True]
    assert table_counts(store) == before


# ----------------------------------------------------------------- all or nothing


def test_a_bad_line_imports_nothing_and_names_the_line(store, tmp_path):
    import_sessions(store, [load_sample("wrong-item-sent")])
    before = table_counts(store)
    good = [load_sample("billing-double-charge"), load_sample("router-setup-confused")]
    path = tmp_path / "bad.jsonl"
    write_sessions(path, good)
    lines = path.read_text(encoding="utf-8").splitlines()
    bad_line = len(lines) - 3
    lines[bad_line - 1] = lines[bad_line - 1].replace('"kind": "message"', '"kind": "mesage"', 1)
    assert '"mesage"' in lines[bad_line - 1]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=rf"bad\.jsonl, line {bad_line}: unknown kind \"mesage\""):
        import_file(store, path)
    assert table_counts(store) == before


def test_a_failure_while_writing_rolls_everything_back(store):
    """The second recording conflicts with the store (some of its messages are there):
    the first, already written in the same transaction, is rolled back too."""
    existing = load_sample("grateful-customer-social")
    import_sessions(store, [existing])
    before = table_counts(store)
    new = load_sample("mistake-jargon")
    edited = existing.events
    i = next(i for i, e in enumerate(edited) if e.is_customer_message)
    changed = replace(edited[i], body=edited[i].body + " (edited)")
    partial = replace(existing, events=edited[:i] + (changed,) + edited[i + 1:])
    with pytest.raises(Conflict, match="already in the store .* but not all of them; nothing was imported"):
        import_sessions(store, [new, partial])
    assert table_counts(store) == before


def test_a_database_error_rolls_everything_back(store, monkeypatch):
    import agentdesk.store.ops as ops

    before = table_counts(store)
    calls = {"n": 0}
    real = ops.append_event

    def failing(conn, kind, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 40:
            raise Conflict("simulated failure in the middle of the import")
        return real(conn, kind, *args, **kwargs)

    monkeypatch.setattr(ops, "append_event", failing)
    with pytest.raises(Conflict, match="simulated"):
        import_sessions(store, [load_sample(n) for n in sample_names()[:6]])
    assert calls["n"] == 40
    assert table_counts(store) == before


# ----------------------------------------------------------------- export


def test_export_is_redacted_by_default(worked, tmp_path):
    path = tmp_path / "out.jsonl"
    result = export_sessions(worked.desk.store, path, conversation_ids=[worked.conversation_id])
    assert result.redacted and result.sessions == 1
    text = path.read_text(encoding="utf-8")
    # (the digits of the phone numbers with what follows them: a bare "7700" can turn up
    # inside a message's random hex client id, which is exported and is not personal data)
    for secret in (EMAIL, PHONE, OTHER_EMAIL, OTHER_PHONE, "7700 900", "7700900", "Priya", "Raman", "Alice",
                   "Bob", "alice", "bob"):
        assert secret not in text, secret
    [session] = read_sessions(path)
    assert session.redacted
    assert session.customer.name.startswith("[NAME_") and session.customer.email.startswith("[EMAIL_")
    first = next(e for e in session.events if e.is_customer_message)
    assert "[PHONE_" in first.body and "[EMAIL_" in first.body
    assert session.customer.email in first.body  # the same address, the same placeholder
    assert set(session.agents) == {"agent_1", "agent_2"}


def test_no_redact_keeps_personal_data(worked, tmp_path):
    path = tmp_path / "raw.jsonl"
    result = export_sessions(worked.desk.store, path, conversation_ids=[worked.conversation_id], redact=False)
    assert not result.redacted
    [session] = read_sessions(path)
    assert not session.redacted
    assert (session.customer.name, session.customer.email, session.customer.phone) == (NAME, EMAIL, PHONE)
    text = path.read_text(encoding="utf-8")
    for value in (EMAIL, PHONE, OTHER_EMAIL, OTHER_PHONE, "alice", "bob"):
        assert value in text


def test_export_since_selects_by_creation_time(worked, tmp_path, clock):
    store = worked.desk.store
    path = tmp_path / "since.jsonl"
    result = export_sessions(store, path, since=clock.now - 1, redact=False)
    assert result.conversation_ids == (worked.other_id,)
    result = export_sessions(store, path, since=0.0, redact=False)
    assert result.conversation_ids == (worked.conversation_id, worked.other_id)
    assert [s.id for s in read_sessions(path)] == [f"conversation-{worked.conversation_id}",
                                                   f"conversation-{worked.other_id}"]
    with pytest.raises(NotFound, match="no conversation was created since"):
        export_sessions(store, tmp_path / "none.jsonl", since=clock.now + 10)
    assert not (tmp_path / "none.jsonl").exists()


def test_export_of_an_unknown_conversation_writes_nothing(worked, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    path = out / "x.jsonl"
    with pytest.raises(NotFound, match="no conversation #9999"):
        export_sessions(worked.desk.store, path, conversation_ids=[worked.conversation_id, 9999])
    assert not path.exists()
    assert not list(out.iterdir()), "no temporary file left behind"


def test_a_redaction_failure_writes_nothing_and_keeps_the_old_file(worked, tmp_path, monkeypatch):
    import agentdesk.replay.redact as redact

    out = tmp_path / "out"
    out.mkdir()
    path = out / "out.jsonl"
    path.write_text("previous export\n", encoding="utf-8")
    real = redact.redact_session
    seen = []

    def flaky(session, **kw):
        seen.append(session.id)
        if len(seen) == 2:
            raise RedactionError(f"cannot redact session {session.id!r}: simulated; nothing was written")
        return real(session, **kw)

    monkeypatch.setattr(redact, "redact_session", flaky)
    with pytest.raises(RedactionError, match="simulated"):
        export_sessions(worked.desk.store, path, conversation_ids=[worked.conversation_id, worked.other_id])
    assert path.read_text(encoding="utf-8") == "previous export\n"
    assert sorted(p.name for p in out.iterdir()) == ["out.jsonl"], "no temporary file left behind"


def test_redacted_export_imports_into_another_store(worked, tmp_path, sqlite_template):
    """The redacted file is a valid recording: it imports (here into a second SQLite store)."""
    import shutil

    from agentdesk.store.db import Store

    path = tmp_path / "out.jsonl"
    export_sessions(worked.desk.store, path, conversation_ids=[worked.conversation_id, worked.other_id])
    other_db = tmp_path / "other.db"
    shutil.copyfile(sqlite_template, other_db)
    other = Store.open(str(other_db))
    try:
        result = import_file(other, path)
        assert len(result.imported) == 2
        assert set(result.created_agents) == {"agent_1", "agent_2"}
        back = recording(other, result.sessions[0].conversation_id).session
        assert essence(back) == essence(read_sessions(path)[0])
    finally:
        other.close()


# ----------------------------------------------------------------- annotations


def test_an_annotation_is_saved_as_an_event_and_exported(worked, clock):
    store = worked.desk.store
    source = load_conversation_source(store, worked.conversation_id)
    reply = next(e for e in source.session.events if e.is_agent_message)
    clock.advance(3600)
    saved = save_annotation(source, reply.seq, "Good apology; say *when* you'll be back.", by="Sam",
                            store=store, clock=clock)
    assert "conversation #" in saved.where
    events = worked.desk.events(worked.conversation_id)
    last = events[-1]
    assert last.kind == "annotation" and last.at == clock.now
    assert last.data == {"body": "Good apology; say *when* you'll be back.",
                         "target_event_id": source.event_ids[reply.seq], "by": "Sam"}
    note = saved.source.session.annotations[-1]
    assert (note.body, note.data["target"], note.data["by"]) == (
        "Good apology; say *when* you'll be back.", reply.seq, "Sam")
    again = load_conversation_source(store, worked.conversation_id).session
    assert again.annotations[-1].data["target"] == reply.seq
    assert essence(again)[:-1] == essence(source.session)


def test_annotation_errors(worked):
    from agentdesk.errors import UsageError

    store = worked.desk.store
    source = load_conversation_source(store, worked.conversation_id)
    with pytest.raises(UsageError, match="needs some text"):
        save_annotation(source, 1, "   ", store=store)
    with pytest.raises(NotFound, match="no event 999"):
        save_annotation(source, 999, "x", store=store)
    assert not [c for c in worked.desk.events(worked.conversation_id) if c.kind == "annotation"]


def test_parse_round_trip_of_a_store_export(worked, tmp_path):
    """What export writes is exactly what the strict parser reads back."""
    path = tmp_path / "raw.jsonl"
    export_sessions(worked.desk.store, path, conversation_ids=[worked.conversation_id], redact=False)
    [from_file] = parse_sessions(path.read_bytes(), str(path))
    assert from_file == recording(worked.desk.store, worked.conversation_id).session
