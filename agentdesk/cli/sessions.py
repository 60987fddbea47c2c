"""``agentdesk sessions``: export conversations as session recordings, import recordings.

    agentdesk sessions export (--conversation ID ... | --since DATE) -o FILE.jsonl [--no-redact] [--db URL]
    agentdesk sessions import FILE.jsonl [--db URL]

Export redacts personal data unless ``--no-redact`` is given, and writes the file
atomically: if redaction (or anything else) fails, nothing is written. Import reads and
validates the whole file first, then writes everything in one transaction: a bad line
is reported with its line number and nothing is imported. The format is documented in
``docs/sessions.md``; the commands in ``docs/replay.md``.

Mounted by ``agentdesk.cli`` with ``app.add_typer(sessions.app, name="sessions")``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

app = typer.Typer(
    help="Export conversations as session recordings (redacted) and import them.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

DbOption = Annotated[
    Optional[str],
    typer.Option("--db", help="Database: a file path or a SQLAlchemy URL (postgresql+psycopg://…). "
                 "Default: AGENTDESK_DB, the config file, or agentdesk.db in the user data folder."),
]
ConfigOption = Annotated[
    Optional[Path], typer.Option("--config", help="Config file (default: AGENTDESK_CONFIG or the user config folder).",
                                 dir_okay=False)
]


def _fail(exc) -> None:
    typer.echo(f"Error: {exc}", err=True)
    raise typer.Exit(exc.exit_code)


def _open_store(db: str | None, config: Path | None):
    from agentdesk.cli import _settings
    from agentdesk.store.db import Store

    settings = _settings(config, db=db)
    return Store.open(settings.db)


@app.command("export")
def export(
    output: Annotated[str, typer.Option("--output", "-o", help="The session file to write (JSON Lines; '-' for "
                                        "standard output).", show_default=False)],
    conversation: Annotated[Optional[list[int]], typer.Option(
        "--conversation", "-c", help="A conversation number to export (repeatable).", show_default=False,
        min=1)] = None,
    since: Annotated[Optional[str], typer.Option(
        "--since", help="Every conversation created since: an ISO date or time (2026-11-01, "
        "2026-11-01T09:30, +01:00/Z for an offset; local time otherwise) or an age (90m, 24h, 7d, 2w).",
        show_default=False)] = None,
    no_redact: Annotated[bool, typer.Option(
        "--no-redact", help="Write personal data as it is (names, e-mails, phone numbers …). Off by default: "
        "exports are redacted.")] = False,
    keep_agents: Annotated[bool, typer.Option(
        "--keep-agent-names", help="Keep agents' names (redaction turns them into agent_1, agent_2 … by default).")
    ] = False,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Write conversations as session recordings (redacted unless --no-redact)."""
    from agentdesk.errors import AgentdeskError, UsageError

    try:
        if (not conversation) == (since is None):
            raise UsageError("give either --conversation ID (repeatable) or --since DATE, e.g. "
                             "agentdesk sessions export --since 7d -o week.jsonl")
        if no_redact and keep_agents:
            raise UsageError("--keep-agent-names applies to redacted exports; --no-redact keeps every name anyway")
        from agentdesk.sessions import export_sessions, parse_since

        since_ts = parse_since(since) if since is not None else None
        if output != "-":
            _check_output(Path(output))
        store = _open_store(db, config)
        try:
            result = export_sessions(store, output, conversation_ids=conversation or None, since=since_ts,
                                     redact=not no_redact, keep_agents=keep_agents)
        finally:
            store.close()
    except AgentdeskError as exc:
        _fail(exc)
        return
    where = "standard output" if output == "-" else output
    plural = "s" if result.sessions != 1 else ""
    summary = (f"exported {result.sessions} session{plural} ({result.events} events, "
               f"{result.messages} messages) to {where}")
    summary += ", redacted" if result.redacted else ", NOT redacted: the file holds personal data"
    if result.skipped_events:
        summary += f"; {result.skipped_events} store events had no place in a recording and were left out"
    typer.echo(summary, err=output == "-")


def _check_output(path: Path) -> None:
    from agentdesk.errors import InputFileError

    if path.is_dir():
        raise InputFileError(str(path), None, "is a folder; give a file name such as export.jsonl")
    parent = path.parent
    if str(parent) and not parent.exists():
        raise InputFileError(str(path), None, f"cannot write the file: folder {parent} does not exist")


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="A session file (JSON Lines, agentdesk.session format).",
                                         dir_okay=True, show_default=False)],
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Import session recordings into the database: all of them or none."""
    from agentdesk.errors import AgentdeskError

    try:
        from agentdesk.sessions import import_sessions, load_file_sessions

        sessions = load_file_sessions(file)  # every line checked before the database is touched
        store = _open_store(db, config)
        try:
            result = import_sessions(store, sessions)
        finally:
            store.close()
    except AgentdeskError as exc:
        _fail(exc)
        return
    imported, skipped = result.imported, result.skipped
    if imported:
        ids = ", ".join(f"#{s.conversation_id}" for s in imported[:12]) + (" …" if len(imported) > 12 else "")
        plural = "s" if len(imported) != 1 else ""
        typer.echo(f"imported {len(imported)} session{plural} as conversation{plural} {ids} "
                   f"({result.events} events, {result.messages} messages)")
    if skipped:
        plural = "s were" if len(skipped) != 1 else " was"
        ids = ", ".join(f"#{s.conversation_id}" for s in skipped[:12]) + (" …" if len(skipped) > 12 else "")
        typer.echo(f"{len(skipped)} session{plural} already in the database ({ids}); skipped")
    if result.created_queues:
        typer.echo(f"new queues: {', '.join(result.created_queues)}")
    if result.created_agents:
        typer.echo(f"new agents (offline): {', '.join(_safe(a) for a in result.created_agents)}")
    waiting = [s for s in imported if s.status == "waiting"]
    if waiting:
        typer.echo(f"note: {len(waiting)} imported conversation(s) ended waiting and are now in the queue: "
                   + ", ".join(f"#{s.conversation_id} ({s.queue})" for s in waiting[:12]))


def _safe(text: str) -> str:
    from agentdesk.safetext import sanitize

    return sanitize(text, single_line=True)
