"""The per-queue figures behind `agentdesk waits report`."""

from __future__ import annotations

import pytest

from agentdesk.queueing import make_snapshot, quote_queue
from agentdesk.queueing.report import QuoteOutcome, from_inputs, quote_report


def test_report_by_hand():
    items = [
        QuoteOutcome("chat", 0, 60, 120, 100, True),     # kept: slack 20, error −40
        QuoteOutcome("chat", 0, 60, 120, 150, True),     # broken: slack −30, error −90
        QuoteOutcome("chat", 10, 60, 120, 200, False),   # gave up after 190 s > 120: broken
        QuoteOutcome("chat", 10, 60, 120, 50, False),    # gave up after 40 s: left out
        QuoteOutcome("chat", 20, 60, 120),               # still waiting
        QuoteOutcome("chat", 20, None, None, 30, True),  # no number was given
        QuoteOutcome("email", 0, 600, 3600, 1000, True),
    ]
    rep = quote_report(items)
    assert list(rep) == ["chat", "email"]
    chat = rep["chat"]
    assert (chat["quotes"], chat["with_bound"], chat["pending"], chat["counted"], chat["broken"]) == (6, 5, 1, 3, 2)
    assert chat["coverage"] == pytest.approx(1 / 3)
    assert chat["mean_slack_s"] == pytest.approx(-5.0)
    assert chat["mean_bound_s"] == pytest.approx(120.0)
    assert chat["mae_s"] == pytest.approx(65.0) and chat["bias_s"] == pytest.approx(-65.0)
    assert rep["email"]["coverage"] == 1.0 and rep["email"]["mean_slack_s"] == 2600.0


def test_report_from_recorded_inputs():
    snap = make_snapshot("chat", 1000.0, [("a", 900.0)], {"busy": 2}, {"handle_times": [300.0] * 10})
    q = quote_queue(snap)["a"]  # no calibration yet: an estimate but no bound
    item = from_inputs(q.inputs, outcome_at=1100.0, served=True)
    assert item.at == 1000.0 and item.bound_s is None and item.expected_s == q.expected_s
    rep = quote_report([item])["chat"]
    assert rep["with_bound"] == 0 and rep["coverage"] is None and rep["mae_s"] is not None
