"""``agentdesk report``: service metrics from the event log (read-only).

    agentdesk report [--since WHEN] [--until WHEN] [--queue NAME] [--json | --csv]
                     [--fcr-days N] [--db PATH|URL] [--config FILE]

Covers the conversations that *arrived* in ``[--since, --until)`` (default: since local
midnight), with everything that happened to them up to now. Text prints a table (all
queues, then each queue); ``--json`` one object with the same figures; ``--csv`` one
row per conversation (wait, quote, first response time, handle time, holds, transfers,
disposition, FCR, CSAT). Definitions: ``docs/metrics.md``.

Mounted by ``agentdesk.cli`` with ``app.add_typer(report.app, name="report")``.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

app = typer.Typer(
    help="Service metrics from the event log: service level, ASA, AHT, FCR, first response, CSAT …",
    invoke_without_command=True,
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

WHEN = ("today, yesterday, an ISO date (2026-11-01), a date and time (2026-11-01T09:30, local time, or with "
        "+01:00 / Z) or an age such as 90m, 24h, 7d")

CSV_FIELDS = ("conversation_id", "arrived_at", "queue", "channel", "status", "wait_s", "wait_outcome",
              "quote_expected_s", "quote_bound_s", "quote_held", "first_response_s", "handle_s", "holds",
              "hold_s", "transfers", "reopened", "disposition", "fcr", "csat")


@app.callback(invoke_without_command=True)
def report(
    since: Annotated[Optional[str], typer.Option("--since", help=f"Conversations that arrived since then: {WHEN}. "
                                                 "Default: today (since local midnight).",
                                                 show_default=False)] = None,
    until: Annotated[Optional[str], typer.Option("--until", help="…and before then (same forms). Default: now.",
                                                 show_default=False)] = None,
    queue: Annotated[Optional[str], typer.Option("--queue", help="Only conversations that waited in this queue "
                                                 "(its short name); wait figures count its waits only.",
                                                 show_default=False)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object with every figure.")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print one CSV row per conversation.")] = False,
    fcr_days: Annotated[Optional[int], typer.Option("--fcr-days", min=0, help="A customer who comes back (a reopen or a "
                                                    "new conversation) less than this many days after the first "
                                                    "resolve means it was not first-contact resolution. "
                                                    "Default: metrics.fcr_reopen_days (7).",
                                                    show_default=False)] = None,
    db: Annotated[Optional[str], typer.Option("--db", help="Database: a file path or a SQLAlchemy URL. Default: "
                                              "AGENTDESK_DB, the config file, or agentdesk.db in the user data "
                                              "folder.", show_default=False)] = None,
    config: Annotated[Optional[Path], typer.Option("--config", help="Config file.", dir_okay=False,
                                                   show_default=False)] = None,
) -> None:
    """Service metrics (definitions: docs/metrics.md) for the conversations that arrived in a
    period, overall and per queue; --csv gives one row per conversation."""
    from agentdesk.errors import AgentdeskError

    try:
        _report(since=since, until=until, queue=queue, as_json=as_json, as_csv=as_csv, fcr_days=fcr_days,
                db=db, config=config)
    except AgentdeskError as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(exc.exit_code) from None


def parse_when(value: str, option: str, now: float) -> float:
    """``today``/``yesterday`` (local midnight), or anything :func:`agentdesk.sessions.parse_since`
    reads; errors name ``option``."""
    from agentdesk.errors import UsageError
    from agentdesk.monitor import local_midnight

    text = (value or "").strip().lower()
    if text == "today":
        return local_midnight(now)
    if text == "yesterday":
        return local_midnight(local_midnight(now) - 1)
    from agentdesk.sessions import parse_since

    try:
        return parse_since(value, now=now)
    except UsageError as exc:
        message = str(exc).replace("--since", option, 1)
        if "is not a date or an age" in message:
            message = f"{option} {value!r} is not a date or an age; use {WHEN}"
        raise UsageError(message) from None


def _report(*, since, until, queue, as_json, as_csv, fcr_days, db, config) -> None:
    from agentdesk.errors import UsageError

    if as_json and as_csv:
        raise UsageError("--json and --csv are two formats for the same report; choose one")
    now = time.time()
    start = parse_when(since, "--since", now) if since is not None else parse_when("today", "--since", now)
    end = parse_when(until, "--until", now) if until is not None else None
    if end is not None and end <= start:
        raise UsageError(f"--until ({_iso(end)}) must be after --since ({_iso(start)})")
    from agentdesk.cli import _settings

    settings = _settings(config, db=db)
    days = settings.fcr_reopen_days if fcr_days is None else fcr_days
    from agentdesk.monitor import build_report
    from agentdesk.store.db import Store

    store = Store.open(settings.db, readonly=True)
    try:
        rep = build_report(store, since=start, until=end, now=now, fcr_reopen_days=days, queue=queue)
        where = store.target.display
    finally:
        store.close()
    if as_json:
        _print_json(rep)
    elif as_csv:
        _print_csv(rep)
    else:
        _print_text(rep, where)


# ----------------------------------------------------------------------------- output


def _iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, tz=timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def _print_json(rep) -> None:
    import json

    data = rep.as_json()
    data["since_iso"], data["until_iso"], data["now_iso"] = _iso(rep.since), _iso(rep.until), _iso(rep.now)
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    return value


def _print_csv(rep) -> None:
    import csv
    import sys

    from agentdesk.safetext import sanitize

    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(CSV_FIELDS)
    for row in rep.rows:
        values = []
        for f in CSV_FIELDS:
            v = row.get(f)
            if f == "arrived_at":
                v = _iso(v)
            elif isinstance(v, str):
                v = sanitize(v, single_line=True)
            values.append(_cell(v))
        out.writerow(values)
    sys.stdout.flush()


def _secs(v: float | None) -> str:
    if v is None:
        return "—"
    s = int(round(v))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{(s % 3600) // 60:02d}m"


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v:.1%}"


def _lines(m) -> list[tuple[str, str]]:
    """(label, value) rows for one scope."""
    fcr = _pct(m.fcr)
    if m.fcr is not None and m.fcr_pending:
        fcr += f" ({m.fcr_pending} pending)"
    return [
        ("conversations", str(m.conversations)),
        ("waits: offered", str(m.offered)),
        ("  answered", str(m.answered)),
        ("  abandoned (short)", f"{m.abandoned} ({m.abandoned_short})"),
        ("  still waiting", f"{m.waiting}" + (f" ({m.waiting_over_target} past target)" if m.waiting_over_target else "")),
        ("service level", _pct(m.service_level) + (f" ({m.sl_met}/{m.sl_decided})" if m.sl_decided else "")),
        ("ASA", _secs(m.asa_s)),
        ("abandonment", _pct(m.abandon_rate)),
        ("first response (avg)", _secs(m.first_response_s)),
        ("AHT (claim→resolve)", _secs(m.aht_s) + (f" ({m.handles_resolved})" if m.handles_resolved else "")),
        ("FCR", fcr + (f" of {m.resolved}" if m.resolved else "")),
        ("transfers", f"{m.transfers}" + (f" ({_pct(m.transfer_rate)})" if m.transfer_rate is not None else "")),
        ("holds", f"{m.holds}" + (f" ({_pct(m.hold_rate)}, avg {_secs(m.mean_hold_s)})" if m.hold_rate is not None
                                  and m.holds else "")),
        ("reopened", str(m.reopened)),
        ("CSAT", "—" if m.csat is None else f"{m.csat:.2f}/5, {_pct(m.csat_pct)} 4–5 ({m.csat_responses})"),
        ("wait quotes held", _pct(m.quotes_held) + (f" ({m.quotes_counted - m.quotes_broken}/{m.quotes_counted})"
                                                     if m.quotes_counted else "")
         + (f", {m.quotes_pending} pending" if m.quotes_pending else "")),
    ]


def _print_text(rep, where: str) -> None:
    from agentdesk.safetext import sanitize

    def local(ts: float | None) -> str:
        return "now" if ts is None else datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M")

    scope = f" · queue {sanitize(rep.queue.name, single_line=True)}" if rep.queue else ""
    typer.echo(f"agentdesk report · conversations that arrived {local(rep.since)} → {local(rep.until)}{scope}")
    typer.echo(f"database {sanitize(where, single_line=True)} · FCR: customer not back within {rep.fcr_reopen_days:g} "
               f"days · definitions: docs/metrics.md")
    if not rep.total.conversations:
        typer.echo("No conversations arrived in that period.")
        return
    columns: list[tuple[str, Any]] = []
    if rep.queue is None:
        columns.append(("all queues", rep.total))
    columns.extend((sanitize(q.name, single_line=True), m) for q, m in rep.queues if m.conversations)
    label_w = 22
    per_block = 4
    for start in range(0, len(columns), per_block):
        block = columns[start:start + per_block]
        values = [dict(_lines(m)) for _, m in block]
        widths = [max(len(name), *(len(v) for v in vals.values())) + 2 for (name, _), vals in zip(block, values)]
        typer.echo("")
        typer.echo(" " * label_w + "".join(name.rjust(w) for (name, _), w in zip(block, widths)))
        for label, _ in _lines(block[0][1]):
            typer.echo(label.ljust(label_w) + "".join(vals[label].rjust(w) for vals, w in zip(values, widths)))
    if rep.queue is None and len(rep.queues) > 1:
        typer.echo("")
        typer.echo("A transferred conversation counts under each queue it waited in (and once in 'all queues').")


__all__ = ["app", "parse_when"]
