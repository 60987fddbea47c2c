"""``agentdesk waits``: wait-time quotes from the command line.

    agentdesk waits backtest LOG.csv [--coverage 0.9] [--refresh SECONDS]
                                     [--roster ROSTER.csv] [--out quotes.csv]
                                     [--json] [--skip-bad] [--priority-head-start SECONDS]

``backtest`` replays a contact log (format: docs/wait-quotes.md) in time order, quotes
every customer at arrival (and every ``--refresh`` seconds while they wait) using only
what was known at that moment, and prints how the quotes held up: MAE, RMSE, bias,
censor-aware coverage, mean bound and mean slack. ``--json`` prints one JSON object with
the keys ``mae_s, rmse_s, bias_s, coverage, mean_bound_s, mean_slack_s, n``.

Mounted by ``agentdesk.cli`` with ``app.add_typer(waits.app, name="waits")``. Heavy
imports happen inside the command.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

app = typer.Typer(
    help="Wait-time quotes: backtest them on your own contact history.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def _waits() -> None:
    """Wait-time quotes: backtest them on your own contact history."""


@app.command()
def backtest(
    log: Annotated[Path, typer.Argument(metavar="LOG.csv", help="Contact log (CSV): id, queue, arrived, answered, ended, "
                                        "abandoned_at[, agent][, priority].", dir_okay=False, show_default=False)],
    coverage: Annotated[float, typer.Option(
        "--coverage", help="Share of customers the bound is promised to hold for.")] = 0.9,
    refresh: Annotated[Optional[float], typer.Option(
        "--refresh", help="Also re-quote waiting customers every SECONDS.", show_default=False)] = None,
    roster: Annotated[Optional[Path], typer.Option(
        "--roster", help="Shifts (CSV: agent, queue, start, end); default: infer staffing from concurrent service.",
        dir_okay=False, show_default=False)] = None,
    out: Annotated[Optional[Path], typer.Option(
        "--out", help="Write every quote and its outcome to this CSV file.", dir_okay=False, show_default=False)] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print one JSON object with the metrics.")] = False,
    skip_bad: Annotated[bool, typer.Option(
        "--skip-bad", help="Skip malformed rows (and count them) instead of stopping at the first.")] = False,
    head_start: Annotated[Optional[float], typer.Option(
        "--priority-head-start",
        help="Queue order: each priority level counts as SECONDS of earlier arrival "
             "(default: strict priority, then arrival).", show_default=False)] = None,
) -> None:
    """Replay LOG.csv and score the wait quotes agentdesk would have given."""
    from agentdesk.errors import AgentdeskError

    try:
        _backtest(log, coverage, refresh, roster, out, json_out, skip_bad, head_start)
    except AgentdeskError as err:
        typer.echo(f"Error: {err}", err=True)
        raise typer.Exit(err.exit_code) from None


def _backtest(
    log: Path,
    coverage: float,
    refresh: float | None,
    roster_path: Path | None,
    out: Path | None,
    json_out: bool,
    skip_bad: bool,
    head_start: float | None,
) -> None:
    import json
    import math

    from agentdesk.errors import AgentdeskError, UsageError
    from agentdesk.queueing.backtest import METRIC_KEYS, run_backtest
    from agentdesk.queueing.logfile import read_log, read_roster

    if not (0.5 <= coverage < 1.0) or math.isnan(coverage):
        raise UsageError(f"--coverage must be at least 0.5 and below 1 (got {coverage}); e.g. --coverage 0.9")
    if refresh is not None and (not refresh > 0 or math.isinf(refresh)):
        raise UsageError(f"--refresh must be a positive number of seconds (got {refresh})")
    if head_start is not None and (head_start < 0 or not math.isfinite(head_start)):
        raise UsageError(f"--priority-head-start must be zero or a positive number of seconds (got {head_start})")
    records, skipped = read_log(log, skip_bad=skip_bad)
    roster = read_roster(roster_path) if roster_path is not None else None
    result = run_backtest(records, coverage=coverage, refresh_s=refresh, roster=roster, head_start_s=head_start)
    if out is not None:
        try:
            _write_quotes(out, result.rows, coverage)
        except OSError as exc:
            raise AgentdeskError(f"cannot write {out}: {exc.strerror or exc}") from None
    if json_out:
        typer.echo(json.dumps({k: result.metrics[k] for k in METRIC_KEYS}))
        return
    _print_text(log, records, skipped, result, coverage, refresh, roster is not None, out)


def _n(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "s")


def _fmt_s(v: float | None) -> str:
    return "—" if v is None else f"{v:,.1f} s"


def _print_text(log, records, skipped, result, coverage, refresh, with_roster, out) -> None:
    from agentdesk.safetext import sanitize

    m = result.metrics
    served = sum(1 for r in records if r.answered is not None)
    queues = sorted({r.queue for r in records})
    echo = typer.echo
    echo(f"Backtest of {sanitize(str(log), single_line=True)}: {_n(len(records), 'contact')} "
         f"({served:,} served, {len(records) - served:,} abandoned) in {_n(len(queues), 'queue')}; staffing "
         f"{'from the roster' if with_roster else 'inferred from concurrent service'}.")
    had = "contact had to wait and was" if result.quoted == 1 else "contacts had to wait and were"
    echo(f"{result.quoted:,} {had} quoted at arrival; {m['n']:,} got a number"
         + (f", {result.unquoted:,} an honest refusal (no agent on duty or too little history yet)."
            if result.unquoted else "."))
    if skipped:
        shown = "; ".join(f"line {line}: {sanitize(msg, single_line=True)}" for line, msg in skipped[:3])
        more = f" (and {len(skipped) - 3} more)" if len(skipped) > 3 else ""
        echo(f"Skipped {len(skipped):,} bad row{'s' if len(skipped) != 1 else ''}: {shown}{more}")
    if not m["n"]:
        echo("No quoted contacts: nothing to score.")
        return
    cov = m["coverage"]
    echo(f"Promise: {coverage:.0%} of customers wait at most the bound.")
    echo(f"  coverage (censor-aware)  {'—' if cov is None else f'{100 * cov:.1f} %'}"
         + ("" if cov is None else ("   kept" if cov >= coverage else "   BROKEN more often than promised")))
    echo(f"  MAE                      {_fmt_s(m['mae_s'])}")
    echo(f"  RMSE                     {_fmt_s(m['rmse_s'])}")
    bias = m["bias_s"]
    echo(f"  bias                     {_fmt_s(bias)}"
         + ("" if bias is None else ("   (over-estimates)" if bias > 0 else "   (under-estimates)" if bias < 0 else "")))
    echo(f"  mean bound               {_fmt_s(m['mean_bound_s'])}")
    echo(f"  mean slack               {_fmt_s(m['mean_slack_s'])}")
    rm = result.refresh_metrics
    if refresh and rm is not None:
        rc = rm["coverage"]
        echo(f"Refresh quotes (every {refresh:g} s, scored on the remaining wait): {rm['n']:,} quotes, "
             f"coverage {'—' if rc is None else f'{100 * rc:.1f} %'}, MAE {_fmt_s(rm['mae_s'])}, "
             f"mean bound {_fmt_s(rm['mean_bound_s'])}.")
    if out is not None:
        echo(f"Every quote written to {sanitize(str(out), single_line=True)}.")


def _write_quotes(path: Path, rows, coverage: float) -> None:
    import csv

    from agentdesk.queueing.logfile import format_time

    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["id", "queue", "kind", "at", "position", "expected_s", "bound_s", "coverage", "status",
                    "outcome", "wait_s", "kept", "reason"])
        for r in rows:
            p = r.predictions["agentdesk"]
            bound = p.bounds.get(coverage)
            wait = r.outcome_at - r.at
            if bound is None:
                kept = ""
            elif r.served:
                kept = "yes" if wait <= bound else "no"
            else:
                kept = "no" if wait > bound else "unknown"
            if r.kind == "arrival" and not r.waited:
                kept = "not quoted"  # answered in the second it arrived
            w.writerow([
                r.id, r.queue, r.kind, format_time(r.at), r.position,
                "" if p.expected is None else f"{p.expected:.1f}",
                "" if bound is None else f"{bound:.1f}",
                coverage, p.status, "served" if r.served else "abandoned", f"{wait:.1f}", kept, p.reason,
            ])


@app.command()
def report(
    since: Annotated[Optional[str], typer.Option("--since", help="Only quotes given since then: 2026-11-01, "
                                                 "2026-11-01T09:30Z, or an age such as 90m, 24h, 7d.")] = None,
    queue: Annotated[Optional[str], typer.Option("--queue", help="Only this queue (its short name).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object: queue -> figures.")] = False,
    db: Annotated[Optional[str], typer.Option("--db", help="Database path or URL.")] = None,
) -> None:
    """How the wait quotes given in the console held: per queue, quotes given, coverage
    achieved (a customer who gave up after waiting past the bound counts as a broken
    promise) and mean slack (bound − actual wait)."""
    _report(since, queue, as_json, db)


def _report(since: str | None, queue: str | None, as_json: bool, db: str | None) -> None:
    import json

    from agentdesk.config import load_settings
    from agentdesk.desk import Desk
    from agentdesk.errors import NotFound
    from agentdesk.sessions import parse_since
    from agentdesk.store.db import Store
    from agentdesk.waits import quote_audit

    settings = load_settings(db=db)
    start = parse_since(since) if since else None
    store = Store.open(settings.db, readonly=True)
    try:
        desk = Desk(store, tone_fn=None)
        if queue is not None and queue not in {q.name for q in desk.queues()}:
            names = ", ".join(q.name for q in desk.queues())
            raise NotFound(f"unknown queue {queue!r} (queues: {names})")
        figures = quote_audit(desk, start, queue)
    finally:
        store.close()
    if as_json:
        typer.echo(json.dumps(figures, indent=2))
        return
    if not figures:
        typer.echo("No wait quotes recorded" + (" in that period." if since else " yet."))
        return
    typer.echo(f"{'queue':<16}{'quotes':>8}{'settled':>9}{'coverage':>10}{'mean slack':>12}{'mean bound':>12}")
    for name, f in figures.items():
        cov = "—" if f["coverage"] is None else f"{f['coverage']:.1%}"
        typer.echo(f"{name:<16}{f['quotes']:>8}{f['counted']:>9}{cov:>10}{_fmt_s(f['mean_slack_s']):>12}"
                   f"{_fmt_s(f['mean_bound_s']):>12}")
    typer.echo("coverage: share of settled quotes whose bound held (customers who gave up before the bound "
               "are left out); slack: bound − actual wait, over answered customers.")
