"""How the quotes that were shown held up: the numbers behind ``agentdesk waits report``.

The console records every quote it shows (a ``wait_quoted`` event with the quote's
``inputs``) and, later, what happened to that customer. :func:`quote_report` takes
those pairs as plain :class:`QuoteOutcome` values and computes, per queue, with the
same censor-aware definitions as the backtest (W measured from the moment the quote
was given):

* ``quotes``: quotes given; ``with_bound``: those that carried a bound; ``pending``:
  customers still waiting (not scored yet);
* ``coverage`` = 1 − broken / counted, broken = answered after the bound plus gave up
  after waiting past it, counted = answered plus gave up past the bound (a customer who
  gave up before the bound is left out: their wait is unknown);
* ``mean_slack_s`` = mean (bound − W) over answered customers (broken promises count
  negative); ``mean_bound_s``; ``mae_s`` and ``bias_s`` of the expected wait.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

__all__ = ["QuoteOutcome", "quote_report", "from_inputs"]


@dataclass(frozen=True, slots=True)
class QuoteOutcome:
    queue: str
    at: float
    """When the quote was given."""
    expected_s: float | None
    bound_s: float | None
    outcome_at: float | None = None
    """When the customer was answered or gave up (None: still waiting)."""
    served: bool | None = None


def from_inputs(inputs: Mapping[str, Any], outcome_at: float | None = None,
                served: bool | None = None) -> QuoteOutcome:
    """A :class:`QuoteOutcome` from a quote's ``inputs`` dict (as stored in its
    ``wait_quoted`` event) and what happened afterwards."""
    return QuoteOutcome(
        queue=str(inputs.get("queue", "")),
        at=float(inputs["at"]),
        expected_s=inputs.get("expected_s"),
        bound_s=inputs.get("bound_s"),
        outcome_at=outcome_at,
        served=served,
    )


def quote_report(items: Iterable[QuoteOutcome]) -> dict[str, dict[str, float | int | None]]:
    """Per-queue figures (see the module docstring), queues in name order."""
    acc: dict[str, dict[str, Any]] = {}
    for it in items:
        a = acc.setdefault(it.queue, {"quotes": 0, "with_bound": 0, "pending": 0, "counted": 0, "broken": 0,
                                      "bounds": [], "slack": [], "err": []})
        a["quotes"] += 1
        if it.bound_s is not None:
            a["with_bound"] += 1
            a["bounds"].append(it.bound_s)
        if it.outcome_at is None or it.served is None:
            a["pending"] += 1
            continue
        w = max(0.0, it.outcome_at - it.at)
        if it.served and it.expected_s is not None:
            a["err"].append(it.expected_s - w)
        if it.bound_s is None:
            continue
        if it.served:
            a["counted"] += 1
            a["broken"] += w > it.bound_s
            a["slack"].append(it.bound_s - w)
        elif w > it.bound_s:
            a["counted"] += 1
            a["broken"] += 1
    out: dict[str, dict[str, float | int | None]] = {}
    for q in sorted(acc):
        a = acc[q]
        out[q] = {
            "quotes": a["quotes"],
            "with_bound": a["with_bound"],
            "pending": a["pending"],
            "counted": a["counted"],
            "broken": a["broken"],
            "coverage": (1.0 - a["broken"] / a["counted"]) if a["counted"] else None,
            "mean_slack_s": _mean(a["slack"]),
            "mean_bound_s": _mean(a["bounds"]),
            "mae_s": _mean([abs(e) for e in a["err"]]),
            "bias_s": _mean(a["err"]),
        }
    return out


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None
