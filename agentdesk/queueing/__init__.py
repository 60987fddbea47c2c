"""Queueing engines: calibrated wait quotes, Erlang formulas and the log backtest.

Pure Python: no Textual, no database. The console builds a :class:`Snapshot` from plain
values, calls :func:`quote_queue`, shows each :class:`Quote` (``expected_s``,
``bound_s``, ``position``, ``reason``, ``inputs``) and feeds outcomes back into a
:class:`Calibration`. See docs/wait-quotes.md.
"""

from agentdesk.queueing.calibration import Calibration
from agentdesk.queueing.engine import (
    AVAILABLE,
    AWAY,
    BUSY,
    NO_AGENTS,
    NO_HISTORY,
    OK,
    UNCALIBRATED,
    Quote,
    QueueQuotes,
    Snapshot,
    Waiting,
    WaitingColumns,
    arrival_quote,
    make_snapshot,
    quote_position,
    quote_queue,
)
from agentdesk.queueing.history import HistorySummary, QueueHistory, summarize
from agentdesk.queueing.text import customer_update

__all__ = [
    "AVAILABLE",
    "AWAY",
    "BUSY",
    "OK",
    "NO_AGENTS",
    "NO_HISTORY",
    "UNCALIBRATED",
    "Calibration",
    "HistorySummary",
    "QueueHistory",
    "Quote",
    "QueueQuotes",
    "Snapshot",
    "Waiting",
    "arrival_quote",
    "customer_update",
    "make_snapshot",
    "WaitingColumns",
    "quote_position",
    "quote_queue",
    "summarize",
]
