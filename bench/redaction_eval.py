"""Precision and recall of agentdesk's PII redaction on the hand-written labelled set.

    python bench/redaction_eval.py            # tables per split and overall
    python bench/redaction_eval.py --json     # the same figures as JSON
    python bench/redaction_eval.py --misses   # also list every miss and false alarm

The set is ``tests/replay/pii_labelled.jsonl`` (written for agentdesk; see
``docs/sessions.md``, "Redaction — measured"). Splits: ``dev`` (rules were tuned on
it), ``test`` (held out while tuning) and ``fresh`` (written after the detector
existed, scored once). Matching is span-level: *exact* needs the same type, start
and end; *overlap* needs the same type and any overlap. Timing is the median
wall-clock time of :func:`agentdesk.replay.redact.redact_text` per message (the
whole job: detection plus placeholder substitution), over several passes.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from agentdesk.replay.pii_eval import evaluate, load_labelled
from agentdesk.replay.redact import redact_text

DEFAULT_SET = Path(__file__).resolve().parent.parent / "tests" / "replay" / "pii_labelled.jsonl"


def _fmt(x: float | None) -> str:
    return "   -" if x is None else f"{x:.3f}"


def timing(texts: list[str], passes: int = 5) -> dict[str, float]:
    samples: list[float] = []
    for _ in range(passes):
        for text in texts:
            t0 = time.perf_counter()
            redact_text(text)
            samples.append(time.perf_counter() - t0)
    samples.sort()
    return {
        "median_ms": statistics.median(samples) * 1000,
        "p95_ms": samples[int(len(samples) * 0.95)] * 1000,
        "max_ms": samples[-1] * 1000,
        "messages_timed": len(texts),
        "passes": passes,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="print JSON instead of tables")
    ap.add_argument("--misses", action="store_true", help="list misses and false alarms")
    ap.add_argument("--set", type=Path, default=DEFAULT_SET, help="labelled JSONL file")
    args = ap.parse_args(argv)

    rows = load_labelled(args.set)
    splits = sorted({r.split for r in rows}, key=["dev", "test", "fresh"].index)
    results: dict[str, dict] = {}
    reports = {}
    for split in splits + ["all"]:
        chosen = rows if split == "all" else [r for r in rows if r.split == split]
        rep = evaluate(chosen)
        reports[split] = rep
        results[split] = rep.as_dict()
    results["timing"] = timing([r.text for r in rows])

    if args.json:
        json.dump(results, sys.stdout, indent=2)
        print()
        return 0

    for split in splits + ["all"]:
        d = results[split]
        o = d["overall"]
        print(f"\n== {split}: {d['messages']} messages, {o['labels']} labelled spans, "
              f"{o['detections']} detections")
        print(f"{'type':10} {'labels':>6} {'found':>6}  {'P exact':>7} {'R exact':>7}  "
              f"{'P overlap':>9} {'R overlap':>9}")
        for t, c in d["per_type"].items():
            print(f"{t:10} {c['labels']:6d} {c['detections']:6d}  {_fmt(c['precision_exact']):>7} "
                  f"{_fmt(c['recall_exact']):>7}  {_fmt(c['precision_overlap']):>9} "
                  f"{_fmt(c['recall_overlap']):>9}")
        print(f"{'overall':10} {o['labels']:6d} {o['detections']:6d}  {_fmt(o['precision_exact']):>7} "
              f"{_fmt(o['recall_exact']):>7}  {_fmt(o['precision_overlap']):>9} "
              f"{_fmt(o['recall_overlap']):>9}")
        a = d["any_type_overlap"]
        print(f"{'any type':10} {'':6} {'':6}  {'':7} {'':7}  {_fmt(a['precision']):>9} {_fmt(a['recall']):>9}")
        if args.misses and split != "all":
            for mid, t, v in reports[split].misses:
                print(f"   miss        {mid} {t}: {v!r}")
            for mid, t, v in reports[split].false_alarms:
                print(f"   false alarm {mid} {t}: {v!r}")
    tm = results["timing"]
    print(f"\nredact_text per message: median {tm['median_ms']:.3f} ms, p95 {tm['p95_ms']:.3f} ms, "
          f"max {tm['max_ms']:.3f} ms ({tm['messages_timed']} messages × {tm['passes']} passes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
