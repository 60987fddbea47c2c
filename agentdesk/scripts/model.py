"""The small learned scorer behind the tone rules: logistic regression over words.

The weights ship in ``tone_model.json`` next to this file; ``bench/train_tone.py``
made them offline from GoEmotions (Apache-2.0) and the examples in
``bench/tone_examples.tsv`` (written for this project). No MAIA-DQE text, label or
figure went into them. Inference is a dictionary look-up per feature: pure Python,
a few microseconds per message.

Features (the same function serves training and inference, so they can't drift):

- ``u:word`` for each word (lower-cased; digits become ``<num>``), or ``n:word``
  when the word falls within three words after a negator ("not happy" → ``n:happy``);
- ``b:word word`` for each pair of neighbouring words;
- ``p:!`` and ``p:?`` when the text has an exclamation or question mark.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

MODEL_FILE = "tone_model.json"

_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_NEGATORS = frozenset(
    "not no never nothing nobody none nor neither without cannot cant dont doesnt didnt isnt "
    "arent wasnt werent wont wouldnt shouldnt couldnt havent hasnt hadnt".split()
)
_CLAUSE_END = re.compile(r"[.!?;,:\n]")


def tokens(text: str) -> list[tuple[str, int, int]]:
    """Words of ``text`` as ``(normalised word, start, end)``."""
    out = []
    for m in _TOKEN.finditer(text):
        w = m.group().lower().replace("’", "'")
        if w.isdigit():
            w = "<num>"
        out.append((w, m.start(), m.end()))
    return out


def features(text: str) -> list[tuple[str, int, int]]:
    """Feature names of ``text`` with the span each one covers."""
    toks = tokens(text)
    feats: list[tuple[str, int, int]] = []
    scope = 0
    prev_end = 0
    for i, (w, s, e) in enumerate(toks):
        if _CLAUSE_END.search(text, prev_end, s):
            scope = 0
        prefix = "n:" if scope > 0 else "u:"
        feats.append((prefix + w, s, e))
        scope = max(scope - 1, 0)
        if w in _NEGATORS or w.endswith("n't"):
            scope = 3
        if i + 1 < len(toks):
            w2, _, e2 = toks[i + 1]
            feats.append((f"b:{w} {w2}", s, e2))
        prev_end = e
    if "!" in text:
        feats.append(("p:!", 0, 0))
    if "?" in text:
        feats.append(("p:?", 0, 0))
    return feats


@dataclass(frozen=True, slots=True)
class Scorer:
    bias: float
    weights: dict[str, float]
    threshold: float
    """Probability from which the scorer adds to frustration (chosen on GoEmotions dev)."""
    threshold_high: float
    """Probability from which it adds more (precision ≥ 0.6 on GoEmotions dev)."""
    meta: dict

    def score(self, text: str) -> tuple[float, list[tuple[int, int, float]]]:
        """Probability of negative feeling, and the words that pushed it up most
        (``(start, end, weight)``, strongest first; features without a span left out)."""
        z = self.bias
        contrib: dict[tuple[int, int], float] = {}
        seen: set[str] = set()
        for name, s, e in features(text):
            if name in seen:
                continue
            seen.add(name)
            w = self.weights.get(name)
            if w is None:
                continue
            z += w
            if e > s:
                contrib[(s, e)] = contrib.get((s, e), 0.0) + w
        z = max(-30.0, min(30.0, z))
        p = 1.0 / (1.0 + math.exp(-z))
        ranked = sorted(((s, e, w) for (s, e), w in contrib.items() if w > 0),
                        key=lambda x: -x[2])
        return p, ranked


@lru_cache(maxsize=1)
def get() -> Scorer:
    raw = resources.files("agentdesk.scripts").joinpath(MODEL_FILE).read_text(encoding="utf-8")
    data = json.loads(raw)
    return Scorer(
        bias=float(data["bias"]),
        weights={k: float(v) for k, v in data["weights"].items()},
        threshold=float(data["threshold"]),
        threshold_high=float(data["threshold_high"]),
        meta=dict(data.get("meta", {})),
    )


def score(text: str) -> tuple[float, list[tuple[int, int, float]]]:
    return get().score(text)
