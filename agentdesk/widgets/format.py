"""Small, pure formatting helpers shared by widgets (no Textual imports)."""

from __future__ import annotations

import time
from datetime import datetime

CHANNEL_LABELS = {"chat": "chat", "email": "email", "phone": "phone", "social": "social"}

TONE_MARKERS = {
    None: (" ", ""),
    "calm": ("·", ""),
    "concerned": ("?", "concerned"),
    "upset": ("!", "upset"),
    "hostile": ("‼", "hostile"),
}


def channel_label(channel: str) -> str:
    return CHANNEL_LABELS.get(channel, channel)


def tone_marker(tone: str | None) -> tuple[str, str]:
    """(one-cell marker, css suffix) for a tone level. Shape and colour both carry it."""
    return TONE_MARKERS.get(tone, (" ", ""))


def fmt_wait(seconds: float | None, *, short: bool = False) -> str:
    """``42s``, ``3m05s``, ``1h12m`` (``short``: ``42s``, ``4m``, ``1h12``)."""
    if seconds is None:
        return "—"
    s = max(0, int(seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        m, sec = divmod(s, 60)
        if short:
            return f"{m + (1 if sec else 0)}m"
        return f"{m}m{sec:02d}s"
    h, rem = divmod(s, 3600)
    return f"{h}h{rem // 60:02d}" + ("" if short else "m")


def fmt_clock(ts: float, now: float | None = None) -> str:
    """``14:05`` today, ``Mon 14:05`` this week, ``2026-11-02`` before."""
    now = time.time() if now is None else now
    dt = datetime.fromtimestamp(ts)
    today = datetime.fromtimestamp(now)
    if dt.date() == today.date():
        return dt.strftime("%H:%M")
    if 0 <= (today.date() - dt.date()).days < 7:
        return dt.strftime("%a %H:%M")
    return dt.strftime("%Y-%m-%d")


def fmt_date(ts: float) -> str:
    return datetime.fromtimestamp(ts).strftime("%Y-%m-%d")


def ordinal(n: int) -> str:
    if 10 <= n % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
