"""`agentdesk sessions export/import` and `agentdesk replay` as a user runs them: the
real console script in subprocesses. Every error is one line starting with "Error:"
(or Click's usage message for a malformed option), with its exit code, never a
traceback; failures write nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from agentdesk.desk import Desk
from agentdesk.replay.samples import load_sample
from agentdesk.replay.session import read_sessions, write_sessions
from agentdesk.store.db import Store
from tests.conftest import FakeClock
from tests.sessions.conftest import EMAIL, NAME, OTHER_EMAIL, OTHER_PHONE, PHONE, table_counts, work_conversation

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "100"}
    return subprocess.run([sys.executable, "-m", "agentdesk", *args], cwd=cwd or ROOT, env=env,
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)


def run_all(*commands: list[str], cwd: Path | None = None) -> list[subprocess.CompletedProcess]:
    with ThreadPoolExecutor(max_workers=3) as pool:
        return list(pool.map(lambda args: run(*args, cwd=cwd), commands))


def no_traceback(res: subprocess.CompletedProcess) -> None:
    out = res.stdout + res.stderr
    assert "Traceback" not in out and 'File "' not in out, out


def error_line(res: subprocess.CompletedProcess, code: int, *words: str) -> str:
    no_traceback(res)
    assert res.returncode == code, (res.returncode, res.stdout, res.stderr)
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("Error: "), lines[0]
    for w in words:
        assert w in lines[0], (w, lines[0])
    return lines[0]


def usage_error(res: subprocess.CompletedProcess, *words: str) -> None:
    no_traceback(res)
    assert res.returncode == 2, (res.returncode, res.stderr)
    for w in words:
        assert w in res.stderr, (w, res.stderr)


@pytest.fixture
def floor_db(sqlite_url):
    store = Store.open(sqlite_url)
    try:
        worked = work_conversation(Desk(store, clock=FakeClock()), FakeClock())
    finally:
        store.close()
    return sqlite_url, worked.conversation_id, worked.other_id


def counts(db: str):
    store = Store.open(db)
    try:
        return table_counts(store)
    finally:
        store.close()


# ----------------------------------------------------------------- sessions export


def test_export_redacts_by_default_and_no_redact_is_explicit(floor_db, tmp_path):
    db, cid, other = floor_db
    red, raw, out = run_all(
        ["sessions", "export", "--conversation", str(cid), "-o", str(tmp_path / "red.jsonl"), "--db", db],
        ["sessions", "export", "-c", str(cid), "-c", str(other), "--no-redact", "-o", str(tmp_path / "raw.jsonl"),
         "--db", db],
        ["sessions", "export", "--since", "2000-01-01", "-o", "-", "--db", db],
    )
    for res in (red, raw, out):
        no_traceback(res)
        assert res.returncode == 0, res.stderr
    assert "exported 1 session" in red.stdout and ", redacted" in red.stdout
    assert "exported 2 sessions" in raw.stdout and "NOT redacted" in raw.stdout
    red_text = (tmp_path / "red.jsonl").read_text(encoding="utf-8")
    for secret in (EMAIL, PHONE, OTHER_EMAIL, OTHER_PHONE, "Priya", "Raman"):
        assert secret not in red_text, secret
    assert "[EMAIL_1]" in red_text and "[PHONE_1]" in red_text
    raw_sessions = read_sessions(tmp_path / "raw.jsonl")
    assert raw_sessions[0].customer.name == NAME and EMAIL in (tmp_path / "raw.jsonl").read_text(encoding="utf-8")
    # "-o -": the recording on standard output (redacted), the summary on standard error
    lines = out.stdout.splitlines()
    assert len([ln for ln in lines if '"type": "session"' in ln]) == 2
    assert all(EMAIL not in ln for ln in lines)
    assert "exported 2 sessions" in out.stderr


def test_export_errors_are_one_line_and_write_nothing(floor_db, tmp_path):
    db, cid, _ = floor_db
    target = tmp_path / "x.jsonl"
    neither, both, bad_since, future, unknown, no_folder, keep, bad_option, bad_db = run_all(
        ["sessions", "export", "-o", str(target), "--db", db],
        ["sessions", "export", "-c", str(cid), "--since", "7d", "-o", str(target), "--db", db],
        ["sessions", "export", "--since", "yesterday", "-o", str(target), "--db", db],
        ["sessions", "export", "--since", "2999-01-01", "-o", str(target), "--db", db],
        ["sessions", "export", "-c", str(cid), "-c", "9999", "-o", str(target), "--db", db],
        ["sessions", "export", "-c", str(cid), "-o", str(tmp_path / "nope" / "x.jsonl"), "--db", db],
        ["sessions", "export", "-c", str(cid), "--no-redact", "--keep-agent-names", "-o", str(target), "--db", db],
        ["sessions", "export", "-c", str(cid), "-o", str(target), "--redact-harder", "--db", db],
        ["sessions", "export", "-c", str(cid), "-o", str(target), "--db", "mysql://x/y"],
    )
    error_line(neither, 2, "--conversation ID", "--since DATE")
    error_line(both, 2, "either --conversation")
    error_line(bad_since, 2, "'yesterday' is not a date or an age", "7d")
    error_line(future, 2, "in the future")
    error_line(unknown, 4, "no conversation #9999")
    error_line(no_folder, 2, "does not exist")
    error_line(keep, 2, "--keep-agent-names")
    usage_error(bad_option, "No such option", "--redact-harder")
    error_line(bad_db, 2, "not supported")
    assert not target.exists() and not (tmp_path / "nope").exists()
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".tmp" or p.name.startswith(".")] == []


# ----------------------------------------------------------------- sessions import


def test_import_is_all_or_nothing_from_the_command_line(floor_db, tmp_path):
    db, _, _ = floor_db
    before = counts(db)
    good = tmp_path / "good.jsonl"
    write_sessions(good, [load_sample("billing-double-charge"), load_sample("lost-parcel-anxious")])
    lines = good.read_text(encoding="utf-8").splitlines()
    bad = tmp_path / "bad.jsonl"
    lines_bad = list(lines)
    lines_bad[-2] = lines_bad[-2][:-5]  # truncated JSON near the end
    bad.write_text("\n".join(lines_bad) + "\n", encoding="utf-8")
    res_bad, res_missing, res_folder = run_all(
        ["sessions", "import", str(bad), "--db", db],
        ["sessions", "import", str(tmp_path / "missing.jsonl"), "--db", db],
        ["sessions", "import", str(tmp_path), "--db", db],
    )
    error_line(res_bad, 2, f"bad.jsonl, line {len(lines) - 1}: not valid JSON")
    error_line(res_missing, 2, "missing.jsonl", "file not found")
    error_line(res_folder, 2, "is a folder")
    assert counts(db) == before

    first = run("sessions", "import", str(good), "--db", db)
    no_traceback(first)
    assert first.returncode == 0, first.stderr
    assert "imported 2 sessions as conversations #3, #4" in first.stdout
    assert "new agents (offline): Priya" in first.stdout
    after = counts(db)
    again = run("sessions", "import", str(good), "--db", db)
    assert again.returncode == 0 and "2 sessions were already in the database (#3, #4); skipped" in again.stdout
    assert counts(db) == after


def test_import_of_a_newer_schema_version_is_refused(floor_db, tmp_path):
    db, _, _ = floor_db
    path = tmp_path / "v2.jsonl"
    write_sessions(path, [load_sample("wrong-item-sent")])
    text = path.read_text(encoding="utf-8").replace('"version": 1', '"version": 2', 1)
    path.write_text(text, encoding="utf-8")
    error_line(run("sessions", "import", str(path), "--db", db), 2, "line 1", "schema version 2 is newer")


# ----------------------------------------------------------------- replay


def test_replay_list(tmp_path):
    path = tmp_path / "two.jsonl"
    write_sessions(path, [load_sample("wrong-item-sent"), load_sample("mistake-jargon")])
    samples, in_file = run_all(["replay", "--list"], ["replay", str(path), "--list"])
    assert samples.returncode == 0 and in_file.returncode == 0
    assert samples.stdout.startswith("29 sample sessions")
    assert "billing-double-charge" in samples.stdout and "Angry billing dispute" in samples.stdout
    assert in_file.stdout.splitlines()[0].startswith("2 session(s) in")
    assert "wrong-item-sent" in in_file.stdout and "mistake-jargon" in in_file.stdout


def test_replay_errors_are_one_line_before_the_screen_is_taken(floor_db, tmp_path):
    db, _, _ = floor_db
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"type": "session", "schema": "agentdesk.session", "version": 1}\n', encoding="utf-8")
    good = tmp_path / "good.jsonl"
    write_sessions(good, [load_sample("wrong-item-sent")])
    results = run_all(
        ["replay", "--sample", "billing-double-charg"],
        ["replay", str(bad)],
        ["replay", str(tmp_path / "missing.jsonl")],
        ["replay", "--conversation", "999", "--db", db],
        ["replay", "--practice", "--sample", "wrong-item-sent", "--export", str(tmp_path / "card.txt")],
        ["replay", "--sample", "wrong-item-sent", "--export", str(tmp_path / "card.md")],
        ["replay", str(good), "--sample", "wrong-item-sent"],
        ["replay", "--practice", "--sample", "abandoned-in-queue"],
        ["replay", "--session", "x"],
        ["replay", "--speed", "99", "--sample", "wrong-item-sent"],
        ["replay", str(good), "--session", "nope"],
        ["replay", "--practice", "--sample", "wrong-item-sent", "--export", str(tmp_path / "no" / "card.md")],
        ["replay", "--sample", "wrong-item-sent", "--db", db],
    )
    (unknown_sample, bad_file, missing, unknown_conv, bad_ext, export_no_practice, two_sources, nothing,
     session_no_file, speed, no_session, export_folder, db_without_conversation) = results
    error_line(unknown_sample, 4, "no sample named 'billing-double-charg'", "did you mean billing-double-charge")
    error_line(bad_file, 2, "bad.jsonl, line 1", 'missing "id"')
    error_line(missing, 2, "file not found")
    error_line(unknown_conv, 4, "no conversation #999")
    error_line(bad_ext, 2, "card.txt", ".md", ".json")
    error_line(export_no_practice, 2, "--export applies to role-play; add --practice")
    error_line(two_sources, 2, "give one session: FILE or --sample")
    error_line(nothing, 2, "nothing to practise")
    error_line(session_no_file, 2, "--session picks a session of FILE")
    usage_error(speed, "--speed", "less than or equal to 16")
    error_line(no_session, 4, "no session 'nope'", "wrong-item-sent")
    error_line(export_folder, 2, "does not exist")
    error_line(db_without_conversation, 2, "--db applies to --conversation")
    assert not (tmp_path / "card.txt").exists() and not (tmp_path / "card.md").exists()


def test_export_then_replay_list_reads_the_export(floor_db, tmp_path):
    db, cid, other = floor_db
    path = tmp_path / "week.jsonl"
    res = run("sessions", "export", "--since", "30d", "-o", str(path), "--db", db)
    assert res.returncode == 0, res.stderr
    listed = run("replay", str(path), "--list")
    assert listed.returncode == 0
    assert f"conversation-{cid}" in listed.stdout and f"conversation-{other}" in listed.stdout
    assert EMAIL not in listed.stdout
    data = [json.loads(ln) for ln in path.read_text(encoding="utf-8").splitlines()]
    assert all(d.get("redacted") for d in data if d["type"] == "session")


def test_replay_opens_the_app_on_the_right_session(floor_db, tmp_path, monkeypatch):
    """In process (no terminal): the app each form of the command starts."""
    from typer.testing import CliRunner

    import agentdesk.cli as cli

    db, cid, _ = floor_db
    started = []
    monkeypatch.setattr(cli, "run_console", lambda app: started.append(app))
    two = tmp_path / "two.jsonl"
    write_sessions(two, [load_sample("wrong-item-sent"), load_sample("mistake-jargon")])
    runner = CliRunner()
    for args in (
        ["replay", "--conversation", str(cid), "--db", db, "--speed", "4", "--trainer", "Sam"],
        ["replay", "--sample", "lost-parcel-anxious", "--practice", "--trainee", "Noor",
         "--export", str(tmp_path / "card.json")],
        ["replay", str(two)],
        ["replay", str(two), "--session", "mistake-jargon", "--redact", "--max-gap", "0"],
        ["replay"],
    ):
        res = runner.invoke(cli.app, args)
        assert res.exit_code == 0, (args, res.output)
    conv, sample, listed, chosen, picker = (app.options for app in started)
    assert conv.source.origin == "conversation" and conv.source.conversation_id == cid and conv.db == db
    assert conv.speed == 4.0 and conv.trainer == "Sam" and conv.source.event_ids
    assert sample.practice and sample.trainee == "Noor" and sample.export == tmp_path / "card.json"
    assert sample.source.sample == "lost-parcel-anxious"
    assert listed.source is None and [c.key for c in listed.choices] == ["wrong-item-sent", "mistake-jargon"]
    assert chosen.source.session.id == "mistake-jargon" and chosen.source.redacted_view and chosen.max_gap_s is None
    assert picker.source is None and len(picker.choices) == 29
