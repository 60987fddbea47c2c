"""The console at contact-centre scale, against Textual's own floor (issue 8).

    python bench/ui.py [--json] [--runs 3] [--sizes 1000,100000] [--datatable-timeout 60]

Headless, on seeded SQLite stores of 1,000 and 100,000 waiting conversations, each
with 1,000,000 messages (``bench/_seed.py``; cached under /tmp/agentdesk-bench and
copied for every run, since a run writes). Every app runs in a fresh child process
(``bench/_ui_child.py``) at 120×40; a frame *counts* when Textual has handed it to its
driver and its terminal output has been produced (``App._display`` hooked; headless
Textual skips producing the output, the hook does it). Conditions are read from the
app's state when the frame is delivered.

Measurements (median over ``--runs`` processes unless noted):

* ``first_frame_ms`` — wall clock from just before ``agentdesk desk --db … --agent
  alice`` is spawned (the console script's entry point, ``agentdesk.entry.main``, with
  that command line: settings, pre-check, imports, the app, run headless) to its first
  frame. ``baseline_first_frame_ms``: the same for a minimal Textual app (Header,
  Static, Footer). ``first_frame_typer_parsing_ms``: the same line parsed by Typer
  (the entry point starts the console without it for this shape of command line), to
  show what that parsing would add. Interleaved, ``max(5, --runs × 2)`` each.
* ``populated_ms`` — from the console's first frame to the first frame in which the
  queue holds every waiting conversation (row count = the store's), the banner counts
  add up to it, and every row on screen shows its text. (``populated_from_start_ms``:
  from process start.)
* ``keypress_ms`` — ``pilot.press("down")`` to the first frame delivered with the cursor
  on the next row; 40 presses 50 ms apart, median (p90 and max too).
* ``pagedown_ms`` — ``pilot.press("pagedown")`` to the first frame with the cursor a page
  further and every row on screen showing its text; 20 presses.
* ``end_key_ms`` — End (jump to the last of 100,000; those rows are read on demand) to
  the frame showing them.
* ``new_arrival_ms`` — another process commits a new customer contact
  (``Desk.arrive``); from its commit (wall clock) to the first frame in which the new
  row is on screen (the list is scrolled to its end, where a new arrival lands) and its
  queue's count in the banner is one higher; 5 arrivals.
* ``open_conversation_ms`` — Enter on a waiting conversation with 1,000 messages, to the
  first frame showing its latest message (transcript at its end); 5 opens, median
  (``open_conversation_first_ms``: the first open; ``…_complete_ms``: until all 1,000
  are in the transcript, loaded in the background).
* ``peak_rss_mb`` — the console process's peak resident set (``VmHWM``) at the end of
  all of the above, quotes included (100,000 waiting). ``peak_rss_no_wait_engine_mb``:
  the same in one run without the wait engine (no wait quotes), to attribute the memory.
* ``ui_tick_ms`` and friends — time the UI thread spends per call of the queue screen's
  1-second tick, quote request (the copy of every queue's keys), applying quotes and
  applying a live delta (median and max over the run): the per-tick costs, which must
  not grow with the queue.
* ``datatable_load_ms`` / ``fastdatatable_load_ms`` — Textual's ``DataTable`` and
  ``textual-fastdatatable`` given the same 100,000 queue rows as text (position, wait,
  queue, channel, customer, first line; read beforehand, not timed): from creating the
  widget with its data to the first frame showing it. DataTable is given
  ``--datatable-timeout`` seconds; past that the child is killed and the figure is
  reported as more than the timeout. Once each (DataTable) / ``--runs`` times (fast).

The machine's load average is printed before and after (2 shared cores).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _seed import SeedInfo, cached_store, working_copy  # noqa: E402

CHILD = HERE / "_ui_child.py"
ENV = dict(os.environ, TERM="xterm-256color")

TARGETS = {  # key: (limit, how it is compared)
    "first_frame_ratio": (1.5, "≤ 1.5 × minimal app"),
    "populated_ms": (500.0, "≤ 500 ms"),
    "keypress_ms": (16.0, "≤ 16 ms"),
    "new_arrival_ms": (1000.0, "≤ 1 s"),
    "open_conversation_ms": (150.0, "≤ 150 ms"),
    "peak_rss_mb": (150.0, "≤ 150 MB"),
}


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def run_child(*args: str, timeout: float = 300.0) -> dict:
    out = subprocess.run([sys.executable, str(CHILD), *args], capture_output=True, text=True, env=ENV,
                         timeout=timeout)
    for line in reversed(out.stdout.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise RuntimeError(f"{args[0]} {args[1] if len(args) > 1 else ''}: no result\n{out.stdout[-2000:]}\n"
                       f"{out.stderr[-4000:]}")


def first_frame_ms(kind: str, db: str) -> float:
    start = time.time()
    res = run_child("first-frame", kind, "--db", db, timeout=120)
    return (res["first_frame_at"] - start) * 1000


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def console_runs(info: SeedInfo, runs: int, presses: int, tmp: Path, *extra: str) -> dict:
    results = []
    for i in range(runs):
        work = working_copy(info, tmp)
        t = time.time()
        res = run_child("console", "--db", work.path, "--waiting", str(info.waiting), "--big",
                        str(info.big_conversation), "--presses", str(presses), *extra, timeout=600)
        res["populated_from_start_ms"] = res["first_frame_in_process_ms"] + res["populated_ms"]
        results.append(res)
        log(f"  run {i + 1}/{runs} ({time.time() - t:.0f} s): populated {res['populated_ms']:.0f} ms, "
            f"keypress {res['keypress_ms']:.1f} ms, open {res['open_conversation_ms']:.0f} ms, "
            f"RSS {res['peak_rss_mb']:.0f} MB")
        for suffix in ("", "-wal", "-shm"):
            Path(work.path + suffix).unlink(missing_ok=True)
    keys = [k for k, v in results[0].items() if isinstance(v, (int, float))]
    out = {k: median([r.get(k) for r in results]) for k in keys}
    out["peak_rss_max_mb"] = max(r["peak_rss_mb"] for r in results)
    out["runs"] = results
    return out


def table_run(kind: str, db: str, timeout: float) -> dict:
    try:
        return run_child("table", kind, "--db", db, timeout=timeout + 30)
    except subprocess.TimeoutExpired:
        return {"load_ms": None, "timed_out_after_s": timeout}


def main() -> None:
    parser = argparse.ArgumentParser(description="The console at 100,000 waiting, against Textual's floor.")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--runs", type=int, default=3, help="console processes per store size")
    parser.add_argument("--sizes", default="1000,100000", help="waiting conversations per store")
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--presses", type=int, default=40)
    parser.add_argument("--datatable-timeout", type=float, default=60.0)
    parser.add_argument("--skip-datatable", action="store_true", help="leave out the slow DataTable baseline")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    big_size = max(sizes)

    stores = {n: cached_store(n, args.messages, log=log) for n in sizes}
    load_before = os.getloadavg()
    log(f"load average before: {load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}")
    result: dict = {"load_average_before": [round(x, 2) for x in load_before], "sizes": {}}

    with tempfile.TemporaryDirectory(prefix="agentdesk-ui-") as tmpdir:
        tmp = Path(tmpdir)
        # first frames, interleaved so drift hits both alike (after one warm-up each)
        db = stores[big_size].path
        first_frame_ms("bare", db)
        first_frame_ms("desk", db)
        first_frame_ms("desk-typer", db)
        bare, desk, typer_parsed = [], [], []
        for _ in range(max(5, args.runs * 2)):
            bare.append(first_frame_ms("bare", db))
            desk.append(first_frame_ms("desk", db))
            typer_parsed.append(first_frame_ms("desk-typer", db))
        result["baseline_first_frame_ms"] = median(bare)
        result["first_frame_ms"] = median(desk)
        result["first_frame_ratio"] = result["first_frame_ms"] / result["baseline_first_frame_ms"]
        result["first_frame_typer_parsing_ms"] = median(typer_parsed)
        result["first_frame_all_ms"] = [round(x, 1) for x in desk]
        result["baseline_first_frame_all_ms"] = [round(x, 1) for x in bare]
        log(f"first frame: desk {result['first_frame_ms']:.0f} ms (parsed by Typer "
            f"{result['first_frame_typer_parsing_ms']:.0f} ms), minimal app "
            f"{result['baseline_first_frame_ms']:.0f} ms")

        for n in sizes:
            log(f"console, {n:,} waiting:")
            result["sizes"][str(n)] = console_runs(stores[n], args.runs, args.presses, tmp)
        # attribution: the same console without the wait engine (quotes), once
        log(f"console, {big_size:,} waiting, without the wait engine (attribution):")
        bare_console = console_runs(stores[big_size], 1, args.presses, tmp, "--no-wait-engine")
        result["peak_rss_no_wait_engine_mb"] = bare_console["peak_rss_mb"]
        result["no_wait_engine"] = {k: v for k, v in bare_console.items() if k != "runs"}

        # baselines on the biggest store's rows
        fast = [table_run("fastdatatable", db, 120) for _ in range(args.runs)]
        result["fastdatatable_load_ms"] = median([r.get("load_ms") for r in fast])
        result["fastdatatable_rss_mb"] = median([r.get("rss_mb") for r in fast])
        log(f"textual-fastdatatable: {result['fastdatatable_load_ms']:.0f} ms")
        if args.skip_datatable:
            result["datatable_load_ms"] = None
            result["datatable_note"] = "skipped (--skip-datatable)"
        else:
            dt = table_run("datatable", db, args.datatable_timeout)
            result["datatable_load_ms"] = dt.get("load_ms")
            result["datatable_rss_mb"] = dt.get("rss_mb")
            if dt.get("load_ms") is None:
                result["datatable_note"] = (f"did not show {big_size:,} rows within {args.datatable_timeout:.0f} s "
                                            "(killed)")
            log(f"DataTable: {result['datatable_load_ms'] or 'timeout'}")

    load_after = os.getloadavg()
    result["load_average_after"] = [round(x, 2) for x in load_after]
    big = result["sizes"][str(big_size)]
    for key in ("populated_ms", "keypress_ms", "new_arrival_ms", "open_conversation_ms", "peak_rss_mb"):
        result[key] = big[key]  # the headline figures are those at the biggest size
    result["pagedown_ms"] = big["pagedown_ms"]
    result["waiting"] = big_size
    result["targets"] = {k: {"limit": lim, "target": text, "value": result[k],
                             "met": result[k] is not None and result[k] <= lim}
                         for k, (lim, text) in TARGETS.items()}
    if args.json:
        print(json.dumps(result))
        return
    print_tables(result, sizes)


def fmt(v, unit="ms", digits=0) -> str:
    if v is None:
        return "—"
    return f"{v:,.{digits}f} {unit}"


def print_tables(r: dict, sizes: list[int]) -> None:
    la, lb = r["load_average_before"], r["load_average_after"]
    print(f"agentdesk console at scale — headless, 120×40; load average {la[0]:.2f} before, {lb[0]:.2f} after "
          f"(2 cores)\n")
    rows = [
        ("first frame of `agentdesk desk`", "first_frame_ms", "ms", 0),
        ("queue fully populated (after first frame)", "populated_ms", "ms", 0),
        ("  … from process start", "populated_from_start_ms", "ms", 0),
        ("cursor down → repainted frame (median)", "keypress_ms", "ms", 1),
        ("  p90 / max", None, None, None),
        ("page down → frame, rows shown", "pagedown_ms", "ms", 1),
        ("End (last row) → frame, rows shown", "end_key_ms", "ms", 1),
        ("new arrival (other process) → on screen", "new_arrival_ms", "ms", 0),
        ("open 1,000-message conversation", "open_conversation_ms", "ms", 0),
        ("  first open / all messages in", None, None, None),
        ("peak RSS", "peak_rss_mb", "MB", 0),
        ("UI thread per 1 s tick (median)", "ui_tick_ms", "ms", 2),
        ("UI thread per quote request (key copies)", "ui_quote_request_ms", "ms", 2),
        ("UI thread per quote applied", "ui_apply_quotes_ms", "ms", 2),
        ("UI thread per live delta", "ui_apply_delta_ms", "ms", 2),
    ]
    head = f"{'':44}" + "".join(f"{f'{n:,} waiting':>18}" for n in sizes)
    print(head)
    for label, key, unit, digits in rows:
        cells = []
        for n in sizes:
            s = r["sizes"][str(n)]
            if key == "first_frame_ms":
                cells.append(fmt(r["first_frame_ms"], unit, digits) if n == max(sizes) else "")
            elif label.strip() == "p90 / max":
                cells.append(f"{s['keypress_p90_ms']:.1f} / {s['keypress_max_ms']:.1f} ms")
            elif label.strip() == "first open / all messages in":
                cells.append(f"{s['open_conversation_first_ms']:.0f} / {s['open_conversation_complete_ms']:.0f} ms")
            else:
                cells.append(fmt(s.get(key), unit, digits))
        print(f"{label:44}" + "".join(f"{c:>18}" for c in cells))
    print()
    print(f"  peak RSS without the wait engine ({max(sizes):,} waiting, attribution): "
          f"{fmt(r.get('peak_rss_no_wait_engine_mb'), 'MB')}")
    print()
    print("baselines (same run)")
    print(f"  minimal Textual app, first frame          {fmt(r['baseline_first_frame_ms'])}")
    print(f"  (`agentdesk desk` with Typer's argument parsing: "
          f"{fmt(r['first_frame_typer_parsing_ms'])}, "
          f"{r['first_frame_typer_parsing_ms'] / r['baseline_first_frame_ms']:.2f} ×)")
    dt = r.get("datatable_load_ms")
    dt_text = fmt(dt) if dt is not None else f"> {r.get('datatable_note', 'n/a')}"
    print(f"  Textual DataTable, {max(sizes):,} rows          {dt_text}")
    print(f"  textual-fastdatatable, {max(sizes):,} rows      {fmt(r['fastdatatable_load_ms'])}")
    print()
    print("ratios")
    print(f"  first frame / minimal app                 {r['first_frame_ratio']:.2f} ×")
    pop = r["populated_ms"]
    if r["fastdatatable_load_ms"]:
        print(f"  populated / fastdatatable load            {pop / r['fastdatatable_load_ms']:.2f} ×")
    if dt:
        print(f"  populated / DataTable load                {pop / dt:.3f} ×")
    print()
    print("targets (100,000 waiting)")
    for key, t in r["targets"].items():
        value = t["value"]
        shown = f"{value:.2f} ×" if key.endswith("ratio") else fmt(value, "MB" if "rss" in key else "ms", 1)
        print(f"  {key:24} {shown:>14}   target {t['target']:22} {'met' if t['met'] else 'MISSED'}")


if __name__ == "__main__":
    main()
