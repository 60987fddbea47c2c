"""Train the small learned scorer of the tone engine (agentdesk/scripts/tone_model.json).

    python bench/train_tone.py [--goemotions DIR] [--out PATH] [--epochs N]

Data (both licences allow shipping weights):

- GoEmotions train split (Apache-2.0), positive = anger, annoyance, disappointment or
  disgust (the same definition the evaluation uses);
- bench/tone_examples.tsv, support-desk examples written for this project, each
  counted ``--examples-weight`` times.

Nothing from MAIA-DQE is read here. The two thresholds are chosen on the GoEmotions
dev split: ``threshold_high`` maximises F1, ``threshold`` is the lowest probability
at which precision stays ≥ 0.35 (the scorer then only adds a little evidence).

Logistic regression with L2 and AdaGrad, pure Python (no numpy or scikit-learn),
deterministic (fixed seed). Features: ``agentdesk.scripts.model.features``.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from agentdesk.scripts.model import features  # noqa: E402

GOEMOTIONS_POSITIVE = {"anger", "annoyance", "disappointment", "disgust"}


def load_goemotions(directory: Path, split: str) -> list[tuple[str, int]]:
    labels = (directory / "labels.txt").read_text(encoding="utf-8").split()
    positive = {i for i, name in enumerate(labels) if name in GOEMOTIONS_POSITIVE}
    rows = []
    with (directory / f"{split}.tsv").open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 2:
                continue
            ids = {int(x) for x in parts[1].split(",") if x}
            rows.append((parts[0], int(bool(ids & positive))))
    return rows


def load_examples(path: Path) -> list[tuple[str, int]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        label, text = line.split("\t", 1)
        rows.append((text, int(label)))
    return rows


def feature_names(text: str) -> list[str]:
    return sorted({name for name, _, _ in features(text)})


def train(rows: list[tuple[list[str], int, float]], epochs: int, l2: float, lr: float,
          seed: int) -> tuple[float, dict[str, float]]:
    rnd = random.Random(seed)
    w: dict[str, float] = {}
    g2: dict[str, float] = {}
    b = 0.0
    gb = 0.0
    order = list(range(len(rows)))
    n = len(rows)
    for epoch in range(epochs):
        rnd.shuffle(order)
        loss = 0.0
        for i in order:
            feats, y, weight = rows[i]
            z = b + sum(w.get(f, 0.0) for f in feats)
            z = max(-30.0, min(30.0, z))
            p = 1.0 / (1.0 + math.exp(-z))
            loss += -weight * (y * math.log(p + 1e-12) + (1 - y) * math.log(1 - p + 1e-12))
            g = (p - y) * weight
            gb += g * g
            b -= lr * g / (math.sqrt(gb) + 1e-8)
            for f in feats:
                wf = w.get(f, 0.0)
                grad = g + l2 * wf
                acc = g2.get(f, 0.0) + grad * grad
                g2[f] = acc
                w[f] = wf - lr * grad / (math.sqrt(acc) + 1e-8)
        print(f"  epoch {epoch + 1}: mean loss {loss / n:.4f}", file=sys.stderr)
    return b, w


def predict(b: float, w: dict[str, float], feats: list[str]) -> float:
    z = max(-30.0, min(30.0, b + sum(w.get(f, 0.0) for f in feats)))
    return 1.0 / (1.0 + math.exp(-z))


def prf(pairs: list[tuple[float, int]], t: float) -> tuple[float, float, float]:
    tp = sum(1 for p, y in pairs if p >= t and y)
    fp = sum(1 for p, y in pairs if p >= t and not y)
    fn = sum(1 for p, y in pairs if p < t and y)
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return prec, rec, f1


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--goemotions", type=Path, default=ROOT.parent / "shared/data/goemotions")
    ap.add_argument("--examples", type=Path, default=ROOT / "bench/tone_examples.tsv")
    ap.add_argument("--examples-weight", type=float, default=10.0)
    ap.add_argument("--out", type=Path, default=ROOT / "agentdesk/scripts/tone_model.json")
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--l2", type=float, default=0.01)
    ap.add_argument("--lr", type=float, default=0.08)
    ap.add_argument("--min-count", type=int, default=3)
    ap.add_argument("--max-features", type=int, default=9000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    go_train = load_goemotions(args.goemotions, "train")
    go_dev = load_goemotions(args.goemotions, "dev")
    examples = load_examples(args.examples)
    data = [(feature_names(t), y, 1.0) for t, y in go_train]
    data += [(feature_names(t), y, args.examples_weight) for t, y in examples]
    counts = Counter(f for feats, _, _ in data for f in feats)
    keep = {f for f, c in counts.items() if c >= args.min_count}
    data = [([f for f in feats if f in keep], y, wt) for feats, y, wt in data]
    print(f"{len(go_train)} GoEmotions + {len(examples)} written examples, "
          f"{len(keep)} features", file=sys.stderr)

    b, w = train(data, args.epochs, args.l2, args.lr, args.seed)
    ranked = sorted(w.items(), key=lambda kv: -abs(kv[1]))
    w = {k: round(v, 4) for k, v in ranked[: args.max_features] if abs(v) >= 0.02}

    dev = [(predict(b, w, feature_names(t)), y) for t, y in go_dev]
    grid = [i / 100 for i in range(5, 96)]
    best_t = max(grid, key=lambda t: prf(dev, t)[2])
    low_t = min((t for t in grid if t <= best_t and prf(dev, t)[0] >= 0.35), default=best_t)
    p, r, f = prf(dev, best_t)
    pl, rl, fl = prf(dev, low_t)
    print(f"GoEmotions dev: threshold_high {best_t:.2f} P {p:.3f} R {r:.3f} F1 {f:.3f}; "
          f"threshold {low_t:.2f} P {pl:.3f} R {rl:.3f} F1 {fl:.3f}", file=sys.stderr)

    model = {
        "bias": round(b, 4),
        "threshold": low_t,
        "threshold_high": best_t,
        "meta": {
            "trained_on": ["GoEmotions train (Apache-2.0): anger|annoyance|disappointment|disgust = 1",
                           "bench/tone_examples.tsv (written for agentdesk)"],
            "thresholds_from": "GoEmotions dev",
            "features": len(w),
            "epochs": args.epochs,
            "l2": args.l2,
            "examples_weight": args.examples_weight,
            "dev": {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3)},
        },
        "weights": dict(sorted(w.items())),
    }
    args.out.write_text(json.dumps(model, ensure_ascii=False, separators=(",", ":")) + "\n",
                        encoding="utf-8")
    print(f"wrote {args.out} ({args.out.stat().st_size // 1024} KiB, {len(w)} weights) "
          f"in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
