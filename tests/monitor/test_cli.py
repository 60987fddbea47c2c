"""``agentdesk report`` and ``agentdesk monitor`` as a user runs them (a subprocess): exact
figures on a hand-built day, the CSV rows, every bad option as one line and its exit
code, and that neither command writes to the database.

The day is 2025-01-15 (UTC; conftest sets TZ=UTC for the children too), long enough ago
that "now" changes nothing: every reopen window has closed and the one customer still
waiting is far past every target.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import FakeClock
from tests.test_cli import cli, cli_all, no_traceback, one_line_error, usage_error

T = 1736935200.0  # 2025-01-15 10:00:00 UTC
DAY = ("--since", "2025-01-15", "--until", "2025-01-16")


@pytest.fixture(scope="module")
def day_db(tmp_path_factory, sqlite_template) -> Path:
    """Four conversations on 2025-01-15 and one the day before (see the expected values)."""
    from agentdesk.desk import Desk
    from agentdesk.store.db import Store

    path = tmp_path_factory.mktemp("report") / "day.db"
    shutil.copyfile(sqlite_template, path)
    clock = FakeClock(T)
    store = Store.open(str(path))
    desk = Desk(store, clock=clock, tone_fn=None)
    desk.create_queue("billing", "Billing", 60, 0.8)
    desk.create_queue("tech", "Technical support", 120, 0.8)
    alice = desk.create_agent("alice", "Alice")
    desk.set_agent_status(alice.id, "available")
    cust = desk.create_customer("Ada Lovelace", "ada@example.com")

    def at(offset: float) -> None:
        clock.now = T + offset

    at(0)
    c1 = desk.arrive(cust.id, "billing", "chat", "My invoice is wrong")
    desk.record("wait_quoted", conversation_id=c1, data={"kind": "first", "queue": "billing", "at": T,
                                                          "expected_s": 20.0, "bound_s": 45.0})
    at(10)
    c2 = desk.arrive(cust.id, "billing", "email", "Refund please")
    at(20)
    c3 = desk.arrive(cust.id, "tech", "chat", "Router down")
    at(30)
    k1 = desk.claim(alice.id, c1)
    at(40)
    desk.arrive(cust.id, "tech", "phone", "Still no signal")  # c4: still waiting
    at(50)
    desk.reply(k1, "Let me check")
    at(100)
    desk.hold(k1, "Checking")
    desk.abandon(c2)  # after 90 s
    at(160)
    desk.resume(k1)
    at(200)
    desk.wrap_up(k1)
    at(220)
    k3 = desk.claim(alice.id, c3)  # after 200 s
    at(260)
    desk.resolve(k1, "refund")
    at(300)
    desk.set_csat(c1, 5)
    desk.transfer(k3, "billing", "Billing question after all")
    at(330)
    k3 = desk.claim(alice.id, c3)  # 30 s in billing
    at(500)
    desk.resolve(k3, "solved")
    at(-86400)  # the day before: not in the report
    c5 = desk.arrive(cust.id, "billing", "chat", "Yesterday's question")
    desk.resolve(desk.claim(alice.id, c5), "solved")
    store.close()
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_report_json_has_the_exact_figures(day_db):
    before = digest(day_db)
    res = cli("report", "--db", str(day_db), *DAY, "--json")
    no_traceback(res)
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["since_iso"] == "2025-01-15T00:00:00Z" and data["until_iso"] == "2025-01-16T00:00:00Z"
    t = data["total"]
    assert (t["conversations"], t["offered"], t["answered"], t["abandoned"], t["waiting"]) == (4, 5, 3, 1, 1)
    assert (t["sl_met"], t["sl_decided"], t["service_level"]) == (2, 5, 0.4)
    assert t["asa_s"] == pytest.approx(260 / 3) and t["abandon_rate"] == 0.25
    assert t["first_response_s"] == 50.0 and t["first_responses"] == 1
    assert (t["aht_s"], t["handles_resolved"], t["handles"], t["handle_time_s"]) == (200.0, 2, 3, 480.0)
    assert (t["resolved"], t["fcr"], t["fcr_pending"]) == (2, 0.5, 0)
    assert (t["transfers"], t["transfer_rate"], t["holds"], t["hold_rate"], t["mean_hold_s"]) == (1, 0.5, 1, 0.5, 60.0)
    assert (t["csat"], t["csat_pct"], t["csat_responses"]) == (5.0, 1.0, 1)
    assert (t["quotes"], t["quotes_counted"], t["quotes_broken"], t["quotes_held"]) == (1, 1, 0, 1.0)
    billing, tech = data["queues"]["billing"], data["queues"]["tech"]
    assert (billing["offered"], billing["answered"], billing["abandoned"]) == (3, 2, 1)
    assert billing["service_level"] == pytest.approx(2 / 3) and billing["asa_s"] == 30.0
    assert billing["conversations"] == 3 and billing["aht_s"] == 200.0 and billing["sl_target_s"] == 60
    assert (tech["offered"], tech["answered"], tech["sl_met"], tech["sl_decided"]) == (2, 1, 0, 2)
    assert tech["asa_s"] == 200.0 and tech["conversations"] == 2 and tech["aht_s"] == 170.0
    assert tech["first_response_s"] is None and tech["quotes_held"] is None
    assert digest(day_db) == before  # the report only reads


def test_report_csv_has_one_row_per_conversation(day_db):
    res = cli("report", "--db", str(day_db), *DAY, "--csv")
    assert res.returncode == 0, res.stderr
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert [r["conversation_id"] for r in rows] == ["1", "2", "3", "4"]
    assert rows[0] == {
        "conversation_id": "1", "arrived_at": "2025-01-15T10:00:00Z", "queue": "billing", "channel": "chat",
        "status": "resolved", "wait_s": "30", "wait_outcome": "answered", "quote_expected_s": "20",
        "quote_bound_s": "45", "quote_held": "yes", "first_response_s": "50", "handle_s": "230", "holds": "1",
        "hold_s": "60", "transfers": "0", "reopened": "0", "disposition": "refund", "fcr": "yes", "csat": "5",
    }
    assert (rows[1]["status"], rows[1]["wait_s"], rows[1]["wait_outcome"], rows[1]["handle_s"]) == (
        "abandoned", "90", "abandoned", "")
    assert (rows[2]["queue"], rows[2]["wait_s"], rows[2]["handle_s"], rows[2]["transfers"], rows[2]["fcr"],
            rows[2]["disposition"]) == ("tech", "200", "250", "1", "no", "solved")
    assert (rows[3]["status"], rows[3]["wait_s"], rows[3]["wait_outcome"], rows[3]["fcr"]) == (
        "waiting", "", "waiting", "")


def test_report_text_and_queue_filter(day_db):
    text_res, queue_res, empty_res = cli_all(
        ["report", "--db", str(day_db), *DAY],
        ["report", "--db", str(day_db), *DAY, "--queue", "billing", "--csv"],
        ["report", "--db", str(day_db), "--since", "2025-01-10", "--until", "2025-01-11"])
    assert text_res.returncode == 0, text_res.stderr
    out = text_res.stdout
    assert "conversations that arrived 2025-01-15 00:00 → 2025-01-16 00:00" in out
    lines = {line.split("  ")[0]: line for line in out.splitlines()}
    assert lines["service level"].split()[2:] == ["40.0%", "(2/5)", "66.7%", "(2/3)", "0.0%", "(0/2)"]
    assert lines["ASA"].split()[1:] == ["1m27s", "30s", "3m20s"]
    assert lines["AHT (claim→resolve)"].split()[2:] == ["3m20s", "(2)", "3m20s", "(2)", "2m50s", "(1)"]
    assert "50.0% of 2" in lines["FCR"]
    assert "100.0% (1/1)" in lines["wait quotes held"]
    assert [r.split(",")[0] for r in queue_res.stdout.splitlines()[1:]] == ["1", "2", "3"]
    assert empty_res.returncode == 0 and "No conversations arrived in that period." in empty_res.stdout


def test_report_fcr_days_option(day_db):
    res = cli("report", "--db", str(day_db), *DAY, "--json", "--fcr-days", "0")
    assert json.loads(res.stdout)["fcr_reopen_days"] == 0


def test_report_bad_options(day_db, tmp_path):
    db = ("--db", str(day_db))
    results = cli_all(
        ["report", *db, "--since", "last tuesday"],
        ["report", *db, "--since", "2025-02-30"],
        ["report", *db, "--since", "2999-01-01"],
        ["report", *db, "--since", "2025-01-15", "--until", "2025-01-14"],
        ["report", *db, "--until", "soon"],
        ["report", *db, "--queue", "nope"],
        ["report", *db, "--json", "--csv"],
        ["report", "--db", str(tmp_path / "missing.db")],
        ["report", *db, "--fcr-days", "-1"],
        ["report", *db, "--fcr-days", "lots"],
        ["report", *db, "--db", "mysql://x@localhost/y"],
    )
    one_line_error(results[0], 2, "--since 'last tuesday' is not a date or an age", "today", "24h")
    one_line_error(results[1], 2, "--since '2025-02-30' is not a date or an age")
    one_line_error(results[2], 2, "--since '2999-01-01' is in the future")
    one_line_error(results[3], 2, "--until (2025-01-14T00:00:00Z) must be after --since (2025-01-15T00:00:00Z)")
    one_line_error(results[4], 2, "--until 'soon' is not a date or an age")
    one_line_error(results[5], 4, "unknown queue 'nope' (queues: billing, tech)")
    one_line_error(results[6], 2, "--json and --csv", "choose one")
    one_line_error(results[7], 3, "no database at")
    usage_error(results[8], "--fcr-days")
    usage_error(results[9], "--fcr-days")
    one_line_error(results[10], 2, "'mysql' databases are not supported")
    for r in results:
        assert r.stdout == ""


def test_monitor_command_errors_before_the_screen(tmp_path):
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    notdb = tmp_path / "notdb.db"
    notdb.write_text("hello, I am not a database\n" * 100)
    results = cli_all(
        ["monitor", "--db", str(tmp_path / "missing.db")],
        ["monitor", "--db", "mysql://x@localhost/y"],
        ["monitor", "--db", str(empty)],
        ["monitor", "--db", str(notdb)],
        ["monitor", "--db", "postgresql+psycopg://nobody@127.0.0.1:1/none"],
        ["monitor", "--help"],
    )
    one_line_error(results[0], 3, "no database at")
    one_line_error(results[1], 2, "'mysql' databases are not supported")
    one_line_error(results[2], 3, "no agentdesk schema")
    one_line_error(results[3], 3, "not an agentdesk database")
    assert results[4].returncode == 3 and "cannot connect to PostgreSQL" in results[4].stderr
    no_traceback(results[4])
    assert results[5].returncode == 0 and "read-only" in results[5].stdout
    for r in results[:4]:
        assert "\x1b[?1049h" not in r.stdout  # the screen was never taken over
