"""Words for wait quotes: ordinals, durations and the customer-facing update.

:func:`customer_update` turns a :class:`~agentdesk.queueing.engine.Quote` into the
message an agent can send (and edit) — the bound rounded *up* to a whole minute, the
reason in plain words, and an honest sentence when no number can be given.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from agentdesk.queueing.engine import Quote

__all__ = ["ordinal", "plural", "minutes_up", "duration_phrase", "customer_update"]


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th … 11th, 12th, 13th … 21st, 22nd, 101st, 111th."""
    if 10 <= n % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {many or word + 's'}"


def minutes_up(seconds: float) -> int:
    """Whole minutes, rounded up, at least 1 (a bound is never shortened by rounding)."""
    return max(1, math.ceil(seconds / 60.0 - 1e-9))


def duration_phrase(seconds: float) -> str:
    """A typical duration in words: "under a minute", "about 6 minutes", "about 2 hours"."""
    if seconds < 60:
        return "under a minute"
    minutes = round(seconds / 60.0)
    if minutes < 90:
        return f"about {plural(max(1, minutes), 'minute')}"
    hours = seconds / 3600.0
    whole = round(hours)
    if abs(hours - whole) < 0.25:
        return f"about {plural(whole, 'hour')}"
    return f"about {hours:.1f} hours"


def _place(position: int) -> str:
    return "You're next in line." if position == 1 else f"You're {ordinal(position)} in line."


def customer_update(quote: "Quote", *, noun: str | None = None, noun_plural: str | None = None) -> str:
    """The customer-facing update for ``quote``, e.g. "You're 3rd in line. It should
    take at most 8 minutes: 3 agents are helping customers and chats are taking about
    6 minutes." ``noun`` overrides the queue's word for a contact (``chat``, ``call``);
    ``noun_plural`` its plural when it is not the word + "s"."""
    from agentdesk.queueing.engine import NO_AGENTS, NO_HISTORY

    inp = quote.inputs
    word = noun or inp.get("noun") or "request"
    words = noun_plural or (word + "s")
    agents = int(inp.get("agents") or 0)
    handle = inp.get("mean_handle_s")
    place = _place(quote.position)
    helping = f"{plural(agents, 'agent')} {'is' if agents == 1 else 'are'} helping customers"
    taking = f"{words} are taking {duration_phrase(handle)}" if handle else ""
    if quote.status == NO_AGENTS:
        return (f"{place} No agent is available right now, so we can't give you a reliable wait time yet. "
                "We'll keep you updated.")
    if quote.status == NO_HISTORY or quote.expected_s is None:
        return (f"{place} We can't estimate the wait reliably yet; {helping}. "
                "We'll keep you updated.")
    if quote.bound_s is None:
        why = f"{helping} and {taking}" if taking else helping
        return f"{place} We can't promise a wait time yet, but {why}. We'll keep you updated."
    minutes = minutes_up(quote.bound_s)
    limit = f"It should take at most {plural(minutes, 'minute')}"
    if int(inp.get("stages", 1)) == 0:
        free = int(inp.get("agents_available") or 0)
        who = "an agent is free" if free <= 1 else f"{free} agents are free"
        return f"{place} {limit}: {who} and will be with you shortly."
    why = f"{helping} and {taking}" if taking else helping
    return f"{place} {limit}: {why}."
