"""LOG.csv and ROSTER.csv: the plain contact-log format the backtest replays.

LOG.csv — one row per contact, header required, columns in any order, extra columns
ignored, names case-insensitive::

    id, queue, arrived, answered, ended, abandoned_at, agent, priority

* ``id`` (text, unique) and ``queue`` (text) are required.
* ``arrived`` — when the contact joined the queue. Required.
* ``answered`` / ``ended`` — when an agent picked it up and finished; both empty for an
  abandoned contact.
* ``abandoned_at`` — when the customer gave up; empty for a served contact.
* ``agent`` (optional column) — who served it; used to infer staffing.
* ``priority`` (optional column, integer, default 0) — higher is served first.

Times are ISO-8601 (``2024-03-04T09:15:02``, ``2024-03-04 09:15:02.5+01:00``,
``…Z``; no offset means UTC) or epoch seconds (``1709543702`` or with a fraction). A
file may mix both.

ROSTER.csv — one row per shift: ``agent, queue, start, end`` (times as above; an empty
``queue`` or ``*`` means every queue). Used by ``--roster`` instead of inferring who is
on duty from concurrent service.

Every bad row raises :class:`agentdesk.errors.InputFileError` naming the line and the
column; with ``skip_bad=True`` it is skipped and listed instead.
"""

from __future__ import annotations

import csv
import io
import math
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import IO, Iterable, Iterator

from agentdesk.errors import InputFileError

__all__ = [
    "LogRecord",
    "RosterShift",
    "LOG_COLUMNS",
    "ROSTER_COLUMNS",
    "parse_time",
    "read_log",
    "read_roster",
    "write_log",
    "write_roster",
    "format_time",
]

LOG_COLUMNS = ("id", "queue", "arrived", "answered", "ended", "abandoned_at", "agent", "priority")
_LOG_REQUIRED = ("id", "queue", "arrived", "answered", "ended", "abandoned_at")
ROSTER_COLUMNS = ("agent", "queue", "start", "end")


@dataclass(frozen=True, slots=True)
class LogRecord:
    """One contact of a LOG.csv (times in epoch seconds)."""

    id: str
    queue: str
    arrived: float
    answered: float | None
    ended: float | None
    abandoned_at: float | None
    agent: str | None = None
    priority: int = 0
    line: int = 0

    @property
    def served(self) -> bool:
        return self.answered is not None


@dataclass(frozen=True, slots=True)
class RosterShift:
    agent: str
    queue: str | None  # None: every queue
    start: float
    end: float
    line: int = 0


def parse_time(text: str) -> float:
    """Epoch seconds from ISO-8601 or an epoch number. Raises ValueError."""
    t = text.strip()
    if not t:
        raise ValueError("empty time")
    try:
        value = float(t)
    except ValueError:
        pass
    else:
        if not math.isfinite(value):
            raise ValueError(f"not a time: {text!r}")
        return value
    try:
        dt = datetime.fromisoformat(t)
    except ValueError:
        raise ValueError(
            f"not a time: {text!r} (use ISO-8601 like 2024-03-04T09:15:02 or epoch seconds)"
        ) from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.timestamp()


def format_time(epoch: float | None, style: str = "iso") -> str:
    if epoch is None:
        return ""
    if style == "epoch":
        return f"{epoch:.0f}" if float(epoch).is_integer() else f"{epoch:.3f}"
    dt = datetime.fromtimestamp(epoch, tz=timezone.utc)
    if float(epoch).is_integer():
        return dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    return dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _open_text(path: str | os.PathLike[str]) -> IO[str]:
    try:
        return open(path, encoding="utf-8-sig", newline="")
    except FileNotFoundError:
        raise InputFileError(str(path), None, "no such file") from None
    except IsADirectoryError:
        raise InputFileError(str(path), None, "is a directory, not a file") from None
    except PermissionError:
        raise InputFileError(str(path), None, "permission denied") from None


def _rows(path: str, handle: IO[str], required: Iterable[str]) -> tuple[dict[str, int], Iterator[tuple[int, list[str]]]]:
    reader = csv.reader(handle)
    try:
        header = next(reader)
    except StopIteration:
        raise InputFileError(path, None, "the file is empty (a header line is required)") from None
    except (csv.Error, UnicodeDecodeError) as exc:
        raise InputFileError(path, 1, f"unreadable header: {exc}") from None
    index: dict[str, int] = {}
    for i, name in enumerate(header):
        key = name.strip().lower()
        if key and key not in index:
            index[key] = i
    for col in required:
        if col not in index:
            raise InputFileError(
                path, 1, f"missing column (the header has: {', '.join(h.strip() for h in header)})", column=col
            )

    def gen() -> Iterator[tuple[int, list[str]]]:
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise InputFileError(path, reader.line_num, f"unreadable CSV: {exc}") from None
            except UnicodeDecodeError:
                raise InputFileError(path, reader.line_num + 1, "not UTF-8 text") from None
            if not row or all(not c.strip() for c in row):
                continue
            yield reader.line_num, row

    return index, gen()


class _RowError(Exception):
    def __init__(self, message: str, column: str | None = None):
        super().__init__(message)
        self.column = column


def _field(row: list[str], index: dict[str, int], col: str) -> str:
    i = index.get(col)
    if i is None or i >= len(row):
        return ""
    return row[i].strip()


def _time(row: list[str], index: dict[str, int], col: str, required: bool) -> float | None:
    text = _field(row, index, col)
    if not text:
        if required:
            raise _RowError("empty (a time is required)", col)
        return None
    try:
        return parse_time(text)
    except ValueError as exc:
        raise _RowError(str(exc), col) from None


def _log_record(row: list[str], index: dict[str, int], line: int) -> LogRecord:
    cid = _field(row, index, "id")
    if not cid:
        raise _RowError("empty id", "id")
    queue = _field(row, index, "queue")
    if not queue:
        raise _RowError("empty queue", "queue")
    arrived = _time(row, index, "arrived", True)
    answered = _time(row, index, "answered", False)
    ended = _time(row, index, "ended", False)
    abandoned = _time(row, index, "abandoned_at", False)
    assert arrived is not None
    if answered is not None and abandoned is not None:
        raise _RowError("a contact cannot be both answered and abandoned", "abandoned_at")
    if answered is None and abandoned is None:
        raise _RowError("neither answered nor abandoned_at is set", "answered")
    if answered is not None:
        if answered < arrived:
            raise _RowError("answered before it arrived", "answered")
        if ended is None:
            raise _RowError("a served contact needs an 'ended' time", "ended")
        if ended < answered:
            raise _RowError("ended before it was answered", "ended")
    else:
        if ended is not None:
            raise _RowError("an abandoned contact cannot have an 'ended' time", "ended")
        assert abandoned is not None
        if abandoned < arrived:
            raise _RowError("abandoned before it arrived", "abandoned_at")
    agent = _field(row, index, "agent") or None
    prio_text = _field(row, index, "priority")
    priority = 0
    if prio_text:
        try:
            priority = int(prio_text)
        except ValueError:
            try:
                f = float(prio_text)
            except ValueError:
                raise _RowError(f"not a whole number: {prio_text!r}", "priority") from None
            if not f.is_integer():
                raise _RowError(f"not a whole number: {prio_text!r}", "priority") from None
            priority = int(f)
    return LogRecord(cid, queue, arrived, answered, ended, abandoned, agent, priority, line)


def read_log(
    path: str | os.PathLike[str], *, skip_bad: bool = False, text: str | None = None
) -> tuple[list[LogRecord], list[tuple[int, str]]]:
    """Read a LOG.csv. Returns ``(records, skipped)`` where ``skipped`` lists
    ``(line, message)`` for bad rows (only when ``skip_bad``; otherwise the first bad
    row raises :class:`InputFileError`). ``text`` reads from a string instead."""
    spath = str(path)
    handle = io.StringIO(text) if text is not None else _open_text(path)
    records: list[LogRecord] = []
    skipped: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    with handle:
        index, rows = _rows(spath, handle, _LOG_REQUIRED)
        for line, row in rows:
            try:
                rec = _log_record(row, index, line)
                if rec.id in seen:
                    raise _RowError(f"duplicate id {rec.id!r} (first on line {seen[rec.id]})", "id")
            except _RowError as exc:
                if not skip_bad:
                    raise InputFileError(spath, line, str(exc), column=exc.column) from None
                skipped.append((line, f"column {exc.column!r}: {exc}" if exc.column else str(exc)))
                continue
            seen[rec.id] = line
            records.append(rec)
    return records, skipped


def read_roster(path: str | os.PathLike[str], *, text: str | None = None) -> list[RosterShift]:
    spath = str(path)
    handle = io.StringIO(text) if text is not None else _open_text(path)
    shifts: list[RosterShift] = []
    with handle:
        index, rows = _rows(spath, handle, ("agent", "start", "end"))
        for line, row in rows:
            try:
                agent = _field(row, index, "agent")
                if not agent:
                    raise _RowError("empty agent", "agent")
                queue = _field(row, index, "queue")
                start = _time(row, index, "start", True)
                end = _time(row, index, "end", True)
                assert start is not None and end is not None
                if end < start:
                    raise _RowError("the shift ends before it starts", "end")
            except _RowError as exc:
                raise InputFileError(spath, line, str(exc), column=exc.column) from None
            shifts.append(RosterShift(agent, None if queue in ("", "*") else queue, start, end, line))
    return shifts


def write_log(records: Iterable[LogRecord], out: IO[str] | str | os.PathLike[str], *, time_style: str = "iso") -> int:
    """Write records as LOG.csv; returns the number of rows written."""
    own = not hasattr(out, "write")
    handle: IO[str] = open(out, "w", encoding="utf-8", newline="") if own else out  # type: ignore[arg-type]
    n = 0
    try:
        w = csv.writer(handle, lineterminator="\n")
        w.writerow(LOG_COLUMNS)
        for r in records:
            w.writerow(
                [
                    r.id,
                    r.queue,
                    format_time(r.arrived, time_style),
                    format_time(r.answered, time_style),
                    format_time(r.ended, time_style),
                    format_time(r.abandoned_at, time_style),
                    r.agent or "",
                    r.priority,
                ]
            )
            n += 1
    finally:
        if own:
            handle.close()
    return n


def write_roster(shifts: Iterable[RosterShift], out: IO[str] | str | os.PathLike[str], *, time_style: str = "iso") -> int:
    own = not hasattr(out, "write")
    handle: IO[str] = open(out, "w", encoding="utf-8", newline="") if own else out  # type: ignore[arg-type]
    n = 0
    try:
        w = csv.writer(handle, lineterminator="\n")
        w.writerow(ROSTER_COLUMNS)
        for s in shifts:
            w.writerow([s.agent, s.queue or "", format_time(s.start, time_style), format_time(s.end, time_style)])
            n += 1
    finally:
        if own:
            handle.close()
    return n
