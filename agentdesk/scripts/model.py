"""The learned scorer behind the tone rules: logistic regression over words, per sentence.

The weights ship in ``tone_model.json`` next to this file; ``bench/train_tone.py``
made them offline from customer-support messages written for this project
(``bench/tone_examples.tsv``, ``bench/tone_support_turns.tsv`` and turns composed from
``bench/tone_support_fragments.tsv``) plus, at a low weight, GoEmotions (Apache-2.0).
No MAIA-DQE text or label went into the weights. One number, the decision threshold,
was chosen by hand on the MAIA-DQE *validation* split (see docs/tone.md).
Inference is a dictionary look-up per feature: pure Python, a few microseconds per
sentence.

A message is scored sentence by sentence and its probability is that of its most
negative sentence: a long, polite message with one "it still doesn't work" in it is as
frustrated as the short one, and a long neutral description doesn't add up small
pieces of evidence into a false alarm.

Two scorers share the code and the features:

- ``support`` learned from written customer-support turns: it reads failure, repetition
  and waiting in a customer's report ("it still doesn't open", "I already sent it
  twice"). It is only consulted for messages about a product or service (the message or
  the conversation so far names an order, an account, a payment, an app, a delivery …:
  ``lexicon.SERVICE_TOPIC``), the only kind of text it has seen;
- ``general`` learned from GoEmotions (Reddit comments, Apache-2.0) plus the first set of
  written examples: general emotional language, for any text.

Features of a sentence (the same function serves training and inference, so they can't
drift):

- ``u:word`` for each word (lower-cased; digits become ``<num>``; a few regular
  English endings taken off, so "crashes", "crashed" and "crashing" are one feature:
  :func:`stem`), or ``n:word`` when the word falls within three words after a negator
  ("not happy" → ``n:happy``);
- ``b:word word`` for each pair of neighbouring words;
- ``p:!`` and ``p:?`` when the text has an exclamation or question mark;
- word-independent ones, so that a negated verb never seen in training still counts:
  ``g:neg`` (a negator), ``g:negword`` (a negator followed by a word), ``g:q`` (a
  question) and ``g:len0``…``g:len3`` (1–2, 3–6, 7–15, 16+ words).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources

MODEL_FILE = "tone_model.json"

_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_NEGATORS = frozenset(
    "not no never nothing nobody none nor neither without cannot cant dont doesnt didnt isnt "
    "arent wasnt werent wont wouldnt shouldnt couldnt havent hasnt hadnt "
    # left untranslated by machine translation of Portuguese and German chat ("n" is the
    # Brazilian chat spelling of "não")
    "n nao não nem nunca nada ninguém ninguem nicht kein keine keinen nie nichts niemand".split()
)
_CLAUSE_END = re.compile(r"[.!?;,:\n]")
# a sentence ends at . ! ? … (possibly repeated) followed by a space, or at a line break
_SENTENCE_END = re.compile(r"(?:[.!?…]+[\"'”’)]*)(?=\s)|\n+")
MAX_SENTENCES = 60
"""A message with more sentences is scored as one last block after the 59th."""


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """``word`` with one regular English ending taken off, then a final "e", so the
    forms of a word meet: "crash", "crashes", "crashed", "crashing" → "crash"; "charge",
    "charges", "charged", "charging" → "charg"; "replies", "replied" → "reply".

    Endings: -ies/-ied → -y; -es after s, sh, ch, x or z; -ing, -ed, -s (not -ss, -us,
    -is) with at least three letters left; -ly with at least four. Words of four letters
    or fewer, negators and contractions stay as they are. Deliberately crude, with no
    exceptions list (a hand-written light stemmer rather than Porter's, which would be a
    dependency for a few lines): the same function makes the training features and the
    inference features, so all that matters is that word forms the written training data
    never showed meet the forms it did. Measured on the development sets: the support
    scorer's average precision on MAIA-DQE train + val 0.408 → 0.424 (docs/tone.md)."""
    if len(word) <= 4 or "'" in word or word in _NEGATORS:
        return word
    w = word
    if w.endswith(("ies", "ied")):
        w = w[:-3] + "y"
    elif w.endswith(("sses", "shes", "ches", "xes", "zes")):
        w = w[:-2]
    elif w.endswith(("ss", "us", "is")):
        pass
    elif w.endswith("ing") and len(w) >= 6:
        w = w[:-3]
    elif w.endswith("ed") and len(w) >= 5:
        w = w[:-2]
    elif w.endswith("ly") and len(w) >= 6:
        w = w[:-2]
    elif w.endswith("s"):
        w = w[:-1]
    if w.endswith("e") and len(w) >= 5:
        w = w[:-1]
    return w


def tokens(text: str) -> list[tuple[str, int, int]]:
    """Words of ``text`` as ``(normalised word, start, end)``: lower-cased, digits as
    ``<num>``, regular endings off (:func:`stem`)."""
    out = []
    for m in _TOKEN.finditer(text):
        w = m.group().lower().replace("’", "'")
        if w.isdigit():
            w = "<num>"
        else:
            w = stem(w)
        out.append((w, m.start(), m.end()))
    return out


def features(text: str, generic: bool = True) -> list[tuple[str, int, int]]:
    """Feature names of ``text`` with the span each one covers (``generic``: with the
    word-independent ``g:`` features)."""
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
    if not generic:
        return feats
    if "?" in text:
        feats.append(("g:q", 0, 0))
    for i, (w, _, _) in enumerate(toks):
        if w in _NEGATORS or w.endswith("n't"):
            feats.append(("g:neg", 0, 0))
            if i + 1 < len(toks):
                feats.append(("g:negword", 0, 0))
            break
    n = len(toks)
    feats.append((f"g:len{0 if n <= 2 else 1 if n <= 6 else 2 if n <= 15 else 3}", 0, 0))
    return feats


def sentences(text: str) -> list[tuple[int, int]]:
    """``[start, end)`` spans of the sentences of ``text`` (blank ones left out)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        if len(spans) == MAX_SENTENCES - 1:
            break
        if text[start:m.end()].strip():
            spans.append((start, m.end()))
        start = m.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


@dataclass(frozen=True, slots=True)
class Scorer:
    bias: float
    weights: dict[str, float]
    threshold: float
    """Probability from which a message counts as voicing frustration on its own (the
    one number chosen on the MAIA-DQE validation split)."""
    threshold_low: float
    """Probability from which the scorer adds weaker evidence (odds e times lower)."""
    meta: dict
    per_sentence: bool = True
    """Score each sentence and keep the most negative (else the whole message at once)."""
    generic: bool = True
    """Use the word-independent ``g:`` features."""

    def sentence_score(self, text: str, offset: int = 0) -> tuple[float, list[tuple[int, int, float]]]:
        """Probability for one sentence, and its words that pushed it up, by weight."""
        z = self.bias
        contrib: dict[tuple[int, int], float] = {}
        seen: set[str] = set()
        for name, s, e in features(text, self.generic):
            if name in seen:
                continue
            seen.add(name)
            w = self.weights.get(name)
            if w is None:
                continue
            z += w
            if e > s:
                key = (s + offset, e + offset)
                contrib[key] = contrib.get(key, 0.0) + w
        z = max(-30.0, min(30.0, z))
        p = 1.0 / (1.0 + math.exp(-z))
        ranked = sorted(((s, e, w) for (s, e), w in contrib.items() if w > 0), key=lambda x: -x[2])
        return p, ranked

    def score(self, text: str) -> tuple[float, list[tuple[int, int, float]]]:
        """Probability that the message voices frustration, disappointment or anger (its
        most negative sentence), and the words that pushed it up most (``(start, end,
        weight)``, strongest first, from every sentence at or above ``threshold_low``,
        else from the most negative one)."""
        if not self.per_sentence:
            return self.sentence_score(text)
        best_p = 0.0
        best: list[tuple[int, int, float]] = []
        flagged: list[tuple[int, int, float]] = []
        for start, end in sentences(text):
            p, ranked = self.sentence_score(text[start:end], start)
            if p >= self.threshold_low:
                flagged.extend(ranked[:3])
            if p > best_p:
                best_p, best = p, ranked
        words = sorted(flagged, key=lambda x: -x[2]) if flagged else best
        return best_p, words


_override: Scorer | None = None


def get() -> Scorer:
    """The support scorer (loaded on first use), or the one set by :func:`set_threshold`."""
    return _override or _load()[0]


def get_general() -> Scorer:
    """The general scorer (loaded on first use)."""
    return _load()[1]


def set_threshold(threshold: float | None) -> None:
    """Use another decision threshold for the support scorer from now on (``None``: the
    shipped one). For evaluation sweeps and for a team that wants the detector more or
    less sensitive; the weaker-evidence threshold follows it (:func:`low_threshold`)."""
    global _override
    if threshold is None:
        _override = None
        return
    if not 0.0 < threshold < 1.0:
        raise ValueError(f"threshold must be between 0 and 1, not {threshold!r}")
    _override = replace(_load()[0], threshold=threshold, threshold_low=low_threshold(threshold))


def _scorer(data: dict) -> Scorer:
    return Scorer(
        bias=float(data["bias"]),
        weights={k: float(v) for k, v in data["weights"].items()},
        threshold=float(data["threshold"]),
        threshold_low=float(data["threshold_low"]),
        meta=dict(data.get("meta", {})),
        per_sentence=data.get("unit", "sentence") == "sentence",
        generic=bool(data.get("generic_features", True)),
    )


@lru_cache(maxsize=1)
def _load() -> tuple[Scorer, Scorer]:
    raw = resources.files("agentdesk.scripts").joinpath(MODEL_FILE).read_text(encoding="utf-8")
    data = json.loads(raw)
    return _scorer(data["support"]), _scorer(data["general"])


def logit(p: float) -> float:
    p = min(max(p, 1e-9), 1 - 1e-9)
    return math.log(p / (1 - p))


def low_threshold(threshold: float) -> float:
    """The weaker-evidence threshold derived from the decision threshold: one unit
    lower in log-odds (odds e times lower). Not chosen separately."""
    return 1.0 / (1.0 + math.exp(-(logit(threshold) - 1.0)))


def score(text: str) -> tuple[float, list[tuple[int, int, float]]]:
    return get().score(text)
