"""`agentdesk waits backtest`: metrics computed by hand, output files, malformed input."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agentdesk.cli.waits import app
from agentdesk.queueing.backtest import METRIC_KEYS, Prediction, QuoteRow, metrics, replay, run_backtest
from agentdesk.queueing.logfile import LogRecord, read_log

runner = CliRunner()
T0 = 1_709_542_800  # 2024-03-04T09:00:00Z


def invoke(*args: str):
    return runner.invoke(app, ["backtest", *args])


def write(tmp_path: Path, text: str, name: str = "log.csv") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


# -- a log whose quotes can be worked out by hand -----------------------------------------
#
# One agent. Every 1000 s a pair arrives: A is answered the second it arrives (no
# quote) and B, 60 s later, waits for A to finish (5-minute handles). B is 1st in line
# with 1 agent busy: the QL-A mean and spread are both 300 s, so B's normalised error is
# (W − 300) / 300. B1–B3 come before 5 handle times are known (no estimate); B4–B25 wait
# 240 s (score −0.2) and fill the calibration. With a 90 % promise the engine aims at
# 90.5 % (miss = 0.095) and a pool needs max(20, ⌈2 / 0.095⌉) = 22 outcomes, so B26 is
# the first to get a bound. Then:
#   bound score  = chain(n, q, prior = −ln 0.095 − 1)     (Erlang-1 quantile, normalised)
#   point score  = chain(n_served, median, prior = ln 2 − 1)
#   chain(n, x, p): e = (n x + 100 p) / (n + 100), then 4 × e = (n x + 600 e) / (n + 600)
#   (every pool of the hierarchy holds the same single bucket here), the prior taken at
#   the working miss rate α, which starts at 0.095 and after each judged promise moves
#   by 0.002 × (0.095 − broken): α = 0.095 for B26, 0.09519 for B27 (B26 kept),
#   0.093380 for B28 (B27 broken).
# B26 (n = 22, q = −0.2): bound 570.843, expected 217.250; served after W = 100.
# B27 (n = 23, the −0.667 of B26 is below q, q stays −0.2): bound 565.632, expected 217.579;
#   abandons after A = 700 > bound → counted and broken.
# B28 (n = 24, abandoned score 1.333: (0 + 1 + 1) ≤ 0.095 × 25 still holds at q = −0.2):
#   bound 564.911, expected 217.579; served after W = 500 (kept).
# Metrics: errors (E − W) = 117.250, −282.421 → MAE 199.835, RMSE 216.228, bias −82.586;
# coverage 1 − 1/3; mean bound (570.843 + 565.632 + 564.911) / 3 = 567.129;
# mean slack (470.843 + 64.911) / 2 = 267.877; n = 3.


def _chain(n: int, x: float, prior: float) -> float:
    e = (n * x + 100 * prior) / (n + 100)
    for _ in range(4):
        e = (n * x + 600 * e) / (n + 600)
    return e


A26 = 0.095
A27 = A26 + 0.002 * (0.095 - 0)
A28 = A27 + 0.002 * (0.095 - 1)
HAND = {
    "B26": (300 + 300 * _chain(22, -0.2, math.log(2) - 1), 300 + 300 * _chain(22, -0.2, -math.log(A26) - 1)),
    "B27": (300 + 300 * _chain(23, -0.2, math.log(2) - 1), 300 + 300 * _chain(23, -0.2, -math.log(A27) - 1)),
    "B28": (300 + 300 * _chain(23, -0.2, math.log(2) - 1), 300 + 300 * _chain(24, -0.2, -math.log(A28) - 1)),
}


def pairs_log() -> str:
    rows = ["id,queue,arrived,answered,ended,abandoned_at"]
    for k in range(1, 29):
        t = T0 + 1000 * k
        rows.append(f"A{k},chat,{t},{t},{t + 300},")
        if k <= 25:
            rows.append(f"B{k},chat,{t + 60},{t + 300},{t + 600},")
        elif k == 26:
            rows.append(f"B{k},chat,{t + 60},{t + 160},{t + 460},")
        elif k == 27:
            rows.append(f"B{k},chat,{t + 60},,,{t + 760}")
        else:
            rows.append(f"B{k},chat,{t + 60},{t + 560},{t + 860},")
    return "\n".join(rows) + "\n"


def test_hand_values_are_what_the_comment_says():
    assert HAND["B26"] == pytest.approx((217.250, 570.843), abs=1e-3)
    assert HAND["B27"] == pytest.approx((217.579, 565.632), abs=1e-3)
    assert HAND["B28"] == pytest.approx((217.579, 564.911), abs=1e-3)


def test_backtest_json_matches_hand_computation(tmp_path):
    log = write(tmp_path, pairs_log())
    r = invoke(str(log), "--json")
    assert r.exit_code == 0, r.output
    got = json.loads(r.output)
    assert list(got) == list(METRIC_KEYS)
    (e26, b26), (e27, b27), (e28, b28) = HAND["B26"], HAND["B27"], HAND["B28"]
    errs = [e26 - 100, e28 - 500]
    assert got["n"] == 3
    assert got["mae_s"] == pytest.approx(sum(map(abs, errs)) / 2, rel=1e-6)
    assert got["mae_s"] == pytest.approx(199.835, abs=1e-3)
    assert got["rmse_s"] == pytest.approx(math.sqrt(sum(x * x for x in errs) / 2), rel=1e-6)
    assert got["bias_s"] == pytest.approx(-82.586, abs=1e-3)
    assert got["coverage"] == pytest.approx(2 / 3)
    assert got["mean_bound_s"] == pytest.approx((b26 + b27 + b28) / 3, rel=1e-6)
    assert got["mean_slack_s"] == pytest.approx(((b26 - 100) + (b28 - 500)) / 2, rel=1e-6)
    assert got["mean_bound_s"] == pytest.approx(567.129, abs=1e-3)
    assert got["mean_slack_s"] == pytest.approx(267.877, abs=1e-3)


def test_backtest_text_and_quotes_file(tmp_path):
    log = write(tmp_path, pairs_log())
    out = tmp_path / "quotes.csv"
    r = invoke(str(log), "--out", str(out))
    assert r.exit_code == 0, r.output
    assert "56 contacts (55 served, 1 abandoned) in 1 queue" in r.output
    assert "28 contacts had to wait and were quoted at arrival; 3 got a number, 25 an honest refusal" in r.output
    assert "coverage (censor-aware)  66.7 %   BROKEN more often than promised" in r.output
    assert "mean slack               267.9 s" in r.output
    rows = {row["id"]: row for row in csv.DictReader(out.open(encoding="utf-8"))}
    assert rows["B26"]["bound_s"] == f"{HAND['B26'][1]:.1f}" and rows["B26"]["kept"] == "yes"
    assert rows["B27"]["outcome"] == "abandoned" and rows["B27"]["kept"] == "no"
    assert rows["B1"]["status"] == "no_history" and rows["B1"]["bound_s"] == ""
    assert rows["A5"]["kept"] == "not quoted"
    assert rows["B26"]["reason"].startswith("1st in line · 1 agent on chat")


def test_refresh_requotes_waiting_customers(tmp_path):
    log = write(tmp_path, pairs_log())
    out = tmp_path / "q.csv"
    r = invoke(str(log), "--refresh", "60", "--out", str(out))
    assert r.exit_code == 0, r.output
    assert "Refresh quotes (every 60 s" in r.output
    kinds = [row["kind"] for row in csv.DictReader(out.open(encoding="utf-8"))]
    # each B waits 240 s: refreshed at +60, +120, +180 (the answer at +240 comes first)
    assert kinds.count("refresh") == 25 * 3 + 1 + 11 + 8
    r2 = invoke(str(log), "--refresh", "60", "--json")
    assert json.loads(r2.output)["n"] == 3  # metrics stay on the arrival quotes


def test_same_second_order_end_answer_abandon_arrival():
    # X ends at 100 and Y is answered at 100 by the freed agent; Z arrives at 100.
    recs = [
        LogRecord("X", "q", 0, 0, 100, None),
        LogRecord("Y", "q", 50, 100, 200, None),
        LogRecord("Z", "q", 100, 130, 300, None),
        LogRecord("W", "q", 100, None, None, 100),  # gave up in the second it arrived
    ]
    seen: list[tuple[str, int, int]] = []

    class Spy:
        name = "spy"

        def quote(self, ctx):
            seen.append((ctx.record.id, ctx.position, ctx.snapshot.agents_busy))
            return Prediction(None)

        def outcome(self, state, at, served):
            pass

    rows = replay(recs, [Spy()])
    # Z arrives after X ended and Y was answered: first in line, one agent busy (Y)
    assert ("Z", 1, 1) in seen
    w = next(r for r in rows if r.id == "W")
    assert w.waited and not w.served  # abandoned: a quoted contact even at A = 0


def test_metrics_definitions_by_hand():
    def row(served, wait, e, b, waited=True):
        return QuoteRow("arrival", "x", "q", 0.0, 0.0, 1, 0, served, wait, waited, {"m": Prediction(e, {0.9: b})})

    rows = [
        row(True, 100, 120, 150),   # kept, error +20, slack 50
        row(True, 200, 150, 180),   # broken, error −50, slack −20
        row(False, 90, 100, 60),    # abandoned after the bound: counted, broken
        row(False, 30, 100, 60),    # abandoned before the bound: left out of coverage
        row(True, 0, 5, 10, waited=False),  # answered at once: not a quoted contact
    ]
    m = metrics(rows, "m", 0.9)
    assert m["n"] == 4
    assert m["mae_s"] == pytest.approx(35.0)
    assert m["rmse_s"] == pytest.approx(math.sqrt((400 + 2500) / 2))
    assert m["bias_s"] == pytest.approx(-15.0)
    assert m["coverage"] == pytest.approx(1 - 2 / 3)
    assert m["mean_bound_s"] == pytest.approx((150 + 180 + 60 + 60) / 4)
    assert m["mean_slack_s"] == pytest.approx(15.0)


def test_iso_and_epoch_times_mix(tmp_path):
    text = ("id,queue,arrived,answered,ended,abandoned_at,agent,priority\n"
            "1,chat,2024-03-04T09:00:00Z,2024-03-04 10:00:00+01:00,1709542900,,ann,2\n")
    recs, skipped = read_log(write(tmp_path, text))
    assert recs[0].answered == recs[0].arrived == T0 and recs[0].ended == T0 + 100
    assert recs[0].agent == "ann" and recs[0].priority == 2 and not skipped


def test_roster_file(tmp_path):
    log = write(tmp_path, pairs_log())
    roster = write(tmp_path, f"agent,queue,start,end\nann,chat,{T0},{T0 + 40_000}\n", "roster.csv")
    r = invoke(str(log), "--roster", str(roster), "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["n"] == 3
    bad = write(tmp_path, "agent,queue,start,end\nann,chat,2024-03-04T10:00:00,2024-03-04T09:00:00\n", "bad.csv")
    r = invoke(str(log), "--roster", str(bad))
    assert r.exit_code == 2 and "bad.csv, line 2, column 'end': the shift ends before it starts" in r.output


# -- malformed input ------------------------------------------------------------------------

HEADER = "id,queue,arrived,answered,ended,abandoned_at,agent,priority\n"
GOOD = "1,chat,2024-03-04T09:00:00,2024-03-04T09:01:00,2024-03-04T09:05:00,,ann,0\n"


@pytest.mark.parametrize(
    "line, where, message",
    [
        ("2,chat,yesterday,,,2024-03-04T09:00:00,,0", "column 'arrived'", "not a time: 'yesterday'"),
        ("2,chat,2024-03-04T09:00:00,2024-03-04T08:59:00,2024-03-04T09:05:00,,,0", "column 'answered'",
         "answered before it arrived"),
        ("2,chat,2024-03-04T09:00:00,2024-03-04T09:01:00,2024-03-04T09:00:30,,,0", "column 'ended'",
         "ended before it was answered"),
        ("2,chat,2024-03-04T09:00:00,2024-03-04T09:01:00,2024-03-04T09:05:00,2024-03-04T09:02:00,,0",
         "column 'abandoned_at'", "both answered and abandoned"),
        ("2,chat,2024-03-04T09:00:00,,,,,0", "column 'answered'", "neither answered nor abandoned_at"),
        ("2,chat,2024-03-04T09:00:00,,,2024-03-04T08:00:00,,0", "column 'abandoned_at'", "abandoned before it arrived"),
        ("2,chat,2024-03-04T09:00:00,2024-03-04T09:01:00,,,,0", "column 'ended'", "needs an 'ended' time"),
        ("2,chat,2024-03-04T09:00:00,,,2024-03-04T09:02:00,,high", "column 'priority'", "not a whole number"),
        ("1,chat,2024-03-04T09:00:00,,,2024-03-04T09:02:00,,0", "column 'id'", "duplicate id '1' (first on line 2)"),
        (",chat,2024-03-04T09:00:00,,,2024-03-04T09:02:00,,0", "column 'id'", "empty id"),
    ],
)
def test_bad_rows_name_line_and_column(tmp_path, line, where, message):
    log = write(tmp_path, HEADER + GOOD + line + "\n")
    r = invoke(str(log))
    assert r.exit_code == 2
    err = r.output.strip()
    assert err.startswith("Error: ") and f"line 3, {where}: " in err and message in err
    assert "Traceback" not in r.output and len(err.splitlines()) == 1


def test_missing_column(tmp_path):
    log = write(tmp_path, "id,queue,arrived,answered,ended\n1,chat,1,2,3\n")
    r = invoke(str(log))
    assert r.exit_code == 2 and "line 1, column 'abandoned_at': missing column" in r.output


def test_empty_and_missing_files(tmp_path):
    r = invoke(str(write(tmp_path, "")))
    assert r.exit_code == 2 and "the file is empty" in r.output
    r = invoke(str(tmp_path / "nope.csv"))
    assert r.exit_code == 2 and "nope.csv: no such file" in r.output


def test_skip_bad_skips_and_counts(tmp_path):
    bad = "2,chat,yesterday,,,2024-03-04T09:00:00,,0\n3,chat,2024-03-04T09:00:00,,,,,0\n"
    log = write(tmp_path, HEADER + GOOD + bad)
    r = invoke(str(log), "--skip-bad")
    assert r.exit_code == 0, r.output
    assert "1 contact (1 served, 0 abandoned) in 1 queue" in r.output
    assert "1 contact had to wait and was quoted at arrival" in r.output
    assert "Skipped 2 bad rows: line 3: column 'arrived'" in r.output
    r = invoke(str(log), "--skip-bad", "--json")
    assert json.loads(r.output)["n"] == 0


@pytest.mark.parametrize("args, message", [
    (["--coverage", "1.2"], "--coverage must be at least 0.5 and below 1"),
    (["--coverage", "0.3"], "--coverage must be at least 0.5 and below 1"),
    (["--refresh", "0"], "--refresh must be a positive number of seconds"),
    (["--priority-head-start", "-5"], "--priority-head-start must be zero or a positive number"),
])
def test_bad_options(tmp_path, args, message):
    r = invoke(str(write(tmp_path, HEADER + GOOD)), *args)
    assert r.exit_code == 2 and message in r.output


def test_unwritable_out(tmp_path):
    r = invoke(str(write(tmp_path, HEADER + GOOD)), "--out", str(tmp_path / "missing-dir" / "q.csv"))
    assert r.exit_code == 1 and "Error: cannot write" in r.output


def test_untrusted_names_are_made_inert(tmp_path):
    log = write(tmp_path, HEADER + GOOD, name="log\x1b[31m.csv")
    r = invoke(str(log))
    assert r.exit_code == 0 and "\x1b" not in r.output and "␛" in r.output


def test_run_backtest_rejects_bad_coverage():
    with pytest.raises(ValueError):
        run_backtest([], coverage=1.5)
