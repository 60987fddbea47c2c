"""Start-up time: process start to the first frame of the demo console, headless,
against a bare Textual app (Header, Static, Footer) measured in the same run.

    python bench/startup.py [--runs 7] [--json]

Each figure is the median over ``--runs`` fresh processes (wall clock from just before
the process is spawned to the moment Textual writes its first frame). The demo store is
prepared once beforehand, so the figure is the console's start-up, not the seeding.
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
CHILD = HERE / "_first_frame.py"


def first_frame_ms(kind: str, *extra: str) -> float:
    env = dict(os.environ, TERM="xterm-256color", PYTHONDONTWRITEBYTECODE="0")
    start = time.time()
    out = subprocess.run([sys.executable, str(CHILD), kind, *extra], capture_output=True, text=True,
                         env=env, timeout=120)
    for line in out.stdout.splitlines():
        if line.startswith("{"):
            return (json.loads(line)["first_frame_at"] - start) * 1000
    raise RuntimeError(f"{kind}: no frame reported\n{out.stdout}\n{out.stderr}")


def prepare_demo(path: Path) -> None:
    from agentdesk.demo import prepare_demo_store

    prepare_demo_store(path, reset=True, seed=7)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "demo.db"
        prepare_demo(db)
        # warm the OS file cache and the bytecode caches once for each
        first_frame_ms("bare")
        first_frame_ms("demo", "--db", str(db))
        bare, demo = [], []
        for _ in range(args.runs):  # interleaved, so drift affects both alike
            bare.append(first_frame_ms("bare"))
            demo.append(first_frame_ms("demo", "--db", str(db)))
    result = {
        "runs": args.runs,
        "baseline_first_frame_ms": round(statistics.median(bare), 1),
        "demo_first_frame_ms": round(statistics.median(demo), 1),
        "ratio": round(statistics.median(demo) / statistics.median(bare), 2),
        "baseline_all_ms": [round(x, 1) for x in bare],
        "demo_all_ms": [round(x, 1) for x in demo],
    }
    if args.json:
        print(json.dumps(result))
        return
    print(f"bare Textual app, first frame   {result['baseline_first_frame_ms']:8.1f} ms (median of {args.runs})")
    print(f"agentdesk demo, first frame     {result['demo_first_frame_ms']:8.1f} ms (median of {args.runs})")
    print(f"ratio                           {result['ratio']:8.2f} ×")


if __name__ == "__main__":
    main()
