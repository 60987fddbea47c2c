"""``agentdesk monitor``: the supervisor's live wallboard, read-only.

    agentdesk monitor [--db PATH|URL] [--config FILE]

The store is opened read-only (see ``docs/monitor.md``): on SQLite the file is opened
``mode=ro`` with writes, ATTACH and PRAGMA assignments refused; on PostgreSQL connect it
as a SELECT-only role (the wallboard warns when the role could write). A missing,
corrupt or out-of-date SQLite file is a one-line error before the screen is taken over.

Mounted by ``agentdesk.cli`` with ``app.add_typer(monitor.app, name="monitor")``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

app = typer.Typer(
    help="Watch the floor live, read-only: queues, agents, upset customers, service level.",
    invoke_without_command=True,
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback(invoke_without_command=True)
def monitor(
    db: Annotated[Optional[str], typer.Option("--db", help="Database: a file path or a SQLAlchemy URL "
                                              "(postgresql+psycopg://…, a SELECT-only role). Default: "
                                              "AGENTDESK_DB, the config file, or agentdesk.db in the user "
                                              "data folder.", show_default=False)] = None,
    config: Annotated[Optional[Path], typer.Option("--config", help="Config file.", dir_okay=False,
                                                   show_default=False)] = None,
) -> None:
    """Watch the floor live (read-only): per-queue waits and service level, agents, upset
    and hostile customers with the evidence, a chart of the last hours, alerts; Enter
    drills into any conversation. Press ? for every key."""
    from agentdesk.errors import AgentdeskError

    try:
        _monitor(db, config)
    except AgentdeskError as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(exc.exit_code) from None


def _monitor(db: str | None, config: Path | None) -> None:
    from agentdesk.cli import _settings, run_console
    from agentdesk.store.db import precheck

    settings = _settings(config, db=db)
    precheck(settings.db)
    from agentdesk.monitor_app import MonitorApp

    run_console(MonitorApp(settings, db=settings.db))
