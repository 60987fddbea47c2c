"""Scoring the redaction detector against a labelled set (used by
``bench/redaction_eval.py`` and the tests).

A labelled set is JSON Lines: ``{"id", "split", "text", "spans": [{"start", "end",
"type", "text"}]}``. Matching is span-level and one-to-one:

* **exact** — a detection counts when a labelled span has the same type, start and end;
* **overlap** — a detection counts when it overlaps a labelled span of the same type;
* **any-type overlap** — it overlaps a labelled span of any type (what matters for
  privacy: the value is hidden even if the type is wrong).

precision = matched detections / detections; recall = matched labels / labels.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from agentdesk.replay.redact import PiiSpan, detect


@dataclass(frozen=True, slots=True)
class Labelled:
    id: str
    split: str
    text: str
    spans: tuple[tuple[int, int, str], ...]


def load_labelled(path: str | Path) -> list[Labelled]:
    rows = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            obj = json.loads(line)
            spans = tuple((s["start"], s["end"], s["type"]) for s in obj["spans"])
            for s, (a, b, _) in zip(obj["spans"], spans, strict=True):
                if obj["text"][a:b] != s["text"]:
                    raise ValueError(f"{obj['id']}: span {s} does not match the text")
            rows.append(Labelled(obj["id"], obj["split"], obj["text"], spans))
    return rows


@dataclass
class Counts:
    labels: int = 0
    detections: int = 0
    tp_exact_pred: int = 0
    tp_exact_label: int = 0
    tp_overlap_pred: int = 0
    tp_overlap_label: int = 0

    @staticmethod
    def ratio(a: int, b: int) -> float | None:
        return a / b if b else None

    def as_dict(self) -> dict:
        return {
            "labels": self.labels,
            "detections": self.detections,
            "precision_exact": self.ratio(self.tp_exact_pred, self.detections),
            "recall_exact": self.ratio(self.tp_exact_label, self.labels),
            "precision_overlap": self.ratio(self.tp_overlap_pred, self.detections),
            "recall_overlap": self.ratio(self.tp_overlap_label, self.labels),
        }


@dataclass
class Report:
    per_type: dict[str, Counts] = field(default_factory=dict)
    overall: Counts = field(default_factory=Counts)
    any_type: Counts = field(default_factory=Counts)
    messages: int = 0
    misses: list[tuple[str, str, str]] = field(default_factory=list)  # (id, type, text)
    false_alarms: list[tuple[str, str, str]] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "messages": self.messages,
            "overall": self.overall.as_dict(),
            "any_type_overlap": {
                "precision": self.any_type.ratio(self.any_type.tp_overlap_pred, self.any_type.detections),
                "recall": self.any_type.ratio(self.any_type.tp_overlap_label, self.any_type.labels),
            },
            "per_type": {t: c.as_dict() for t, c in sorted(self.per_type.items())},
        }


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _match(preds: list[tuple[int, int, str]], labels: list[tuple[int, int, str]],
           same: Callable[[tuple, tuple], bool]) -> tuple[set[int], set[int]]:
    used_p: set[int] = set()
    used_l: set[int] = set()
    for li, lab in enumerate(labels):
        for pi, pred in enumerate(preds):
            if pi not in used_p and same(pred, lab):
                used_p.add(pi)
                used_l.add(li)
                break
    return used_p, used_l


def evaluate(rows: Iterable[Labelled],
             detector: Callable[[str], list[PiiSpan]] = detect) -> Report:
    rep = Report()
    for row in rows:
        rep.messages += 1
        preds = [(s.start, s.end, s.type.value) for s in detector(row.text)]
        labels = list(row.spans)
        exact_p, exact_l = _match(preds, labels, lambda p, lab: p == lab)
        ov_p, ov_l = _match(preds, labels, lambda p, lab: p[2] == lab[2] and _overlaps(p[:2], lab[:2]))
        any_p, any_l = _match(preds, labels, lambda p, lab: _overlaps(p[:2], lab[:2]))
        for c in (rep.overall,):
            c.labels += len(labels)
            c.detections += len(preds)
            c.tp_exact_pred += len(exact_p)
            c.tp_exact_label += len(exact_l)
            c.tp_overlap_pred += len(ov_p)
            c.tp_overlap_label += len(ov_l)
        rep.any_type.labels += len(labels)
        rep.any_type.detections += len(preds)
        rep.any_type.tp_overlap_pred += len(any_p)
        rep.any_type.tp_overlap_label += len(any_l)
        for i, p in enumerate(preds):
            c = rep.per_type.setdefault(p[2], Counts())
            c.detections += 1
            c.tp_exact_pred += i in exact_p
            c.tp_overlap_pred += i in ov_p
            if i not in ov_p:
                rep.false_alarms.append((row.id, p[2], row.text[p[0]:p[1]]))
        for i, lab in enumerate(labels):
            c = rep.per_type.setdefault(lab[2], Counts())
            c.labels += 1
            c.tp_exact_label += i in exact_l
            c.tp_overlap_label += i in ov_l
            if i not in ov_l:
                rep.misses.append((row.id, lab[2], row.text[lab[0]:lab[1]]))
    return rep
