"""The ``agentdesk`` command (Typer). One module per command group; each command
imports what it needs inside its body, so ``agentdesk desk`` reaches its first frame
without loading the database layer.

Exit codes: 0 ok, 1 error, 2 bad usage or config, 3 database problem, 4 not found,
5 conflict, 130 interrupted. Errors print one line to stderr, never a traceback.
"""

from __future__ import annotations

import agentdesk._start_time  # noqa: F401  (first: measures start-up)

import re
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from agentdesk import entry
from agentdesk.entry import fast_desk_args, load_checked_settings  # noqa: F401  (re-exported)
from agentdesk.errors import AgentdeskError, UsageError

app = typer.Typer(
    name="agentdesk",
    help="A keyboard-driven terminal console for customer-service teams.",
    no_args_is_help=False,
    invoke_without_command=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

DbOption = Annotated[
    Optional[str],
    typer.Option("--db", help="Database: a file path or a SQLAlchemy URL (postgresql+psycopg://…). "
                 "Default: AGENTDESK_DB, the config file, or agentdesk.db in the user data folder."),
]
AgentOption = Annotated[
    Optional[str], typer.Option("--agent", "-a", help="Your agent login name (AGENTDESK_AGENT).")
]
ConfigOption = Annotated[
    Optional[Path], typer.Option("--config", help="Config file (default: AGENTDESK_CONFIG or the user config folder).",
                                 dir_okay=False)
]


def _settings(config: Path | None = None, **options):
    return load_checked_settings(config, **options)


def run_console(app_obj) -> None:
    """Run a Textual app; print its one-line error (if any) after the terminal is restored."""
    code = entry.run_app(app_obj)
    if code:
        raise typer.Exit(code)


@app.callback()
def _main(ctx: typer.Context) -> None:
    """Without a command, start the agent console (same as `agentdesk desk`)."""
    if ctx.invoked_subcommand is None:
        desk(db=None, agent=None, config=None)


@app.command()
def desk(db: DbOption = None, agent: AgentOption = None, config: ConfigOption = None) -> None:
    """Start the agent console: the queue, conversations and every action."""
    code = entry.start_desk(db=db, agent=agent, config=config)
    if code:
        raise typer.Exit(code)


@app.command()
def demo(
    db: Annotated[Optional[Path], typer.Option("--db", help="Demo database file (default: demo.db in the user data folder).",
                                               dir_okay=False)] = None,
    reset: Annotated[bool, typer.Option("--reset", help="Throw away the demo database and build a fresh one.")] = False,
    rate: Annotated[float, typer.Option("--rate", min=0.0, max=600.0,
                                        help="New customers per minute (0 stops arrivals).")] = 4.0,
    seed: Annotated[Optional[int], typer.Option("--seed", help="Random seed for the sample data.")] = None,
    config: ConfigOption = None,
) -> None:
    """Start the console on a demo store full of realistic, living traffic."""
    settings = _settings(config)
    if db is not None and re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:/", str(db)):  # a URL (Path folds its //)
        raise UsageError("agentdesk demo runs on a local SQLite file: give --db a file path, not a URL "
                         "(a team's PostgreSQL floor is for real work: see `agentdesk db upgrade`)")
    from agentdesk.app import AgentDeskApp
    from agentdesk.config import default_demo_db_path
    from agentdesk.demo import demo_start_options

    path = (db or default_demo_db_path()).expanduser()
    options = demo_start_options(path, reset=reset, rate=rate, seed=seed)
    run_console(AgentDeskApp(settings, options))


db_app = typer.Typer(help="Create and migrate the database.", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def db_upgrade(db: DbOption = None, config: ConfigOption = None) -> None:
    """Create the database if needed and migrate it to this version's schema."""
    settings = _settings(config, db=db)
    from agentdesk.store.db import Store
    from agentdesk.store.migrate import upgrade

    store = Store.open(settings.db, create=True, check_schema=False)
    try:
        before, after = upgrade(store)
    finally:
        store.close()
    if before == after:
        typer.echo(f"{store.target.display}: schema already at revision {after}")
    else:
        typer.echo(f"{store.target.display}: schema upgraded from {before or 'empty'} to revision {after}")


@db_app.command("status")
def db_status(db: DbOption = None, config: ConfigOption = None) -> None:
    """Show the database, its schema revision and what it holds."""
    settings = _settings(config, db=db)
    from sqlalchemy import text

    from agentdesk.store.db import SCHEMA_HEAD, Store

    store = Store.open(settings.db, check_schema=False)
    try:
        rev = store.schema_revision()
        typer.echo(f"database: {store.target.display} ({store.backend})")
        typer.echo(f"schema:   {rev or 'none'} (this agentdesk needs {SCHEMA_HEAD})")
        if rev == SCHEMA_HEAD:
            with store.read() as conn:
                for table in ("queue", "agent", "customer", "conversation", "message", "event"):
                    n = conn.execute(text(f"SELECT count(*) FROM {table}")).scalar()
                    typer.echo(f"{table + 's:':<15}{n:>10,}")
    finally:
        store.close()


agents_app = typer.Typer(help="List and add agents.", no_args_is_help=True)
app.add_typer(agents_app, name="agents")


@agents_app.command("list")
def agents_list(db: DbOption = None, config: ConfigOption = None) -> None:
    """List agents, their status and queues."""
    settings = _settings(config, db=db)
    desk_ = _desk(settings)
    queues = {q.id: q.name for q in desk_.queues()}
    for a in desk_.agents():
        sim = " (simulated)" if a.simulated else ""
        typer.echo(f"{a.name:<20} {a.status:<10} {', '.join(queues[q] for q in a.queue_ids) or 'all queues'}{sim}")


@agents_app.command("add")
def agents_add(
    name: Annotated[str, typer.Argument(help="Login name.")],
    display_name: Annotated[Optional[str], typer.Option("--display-name", help="Name shown to colleagues.")] = None,
    queues: Annotated[Optional[str], typer.Option("--queues", help="Comma-separated queue names (default: all).")] = None,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Add an agent."""
    settings = _settings(config, db=db)
    desk_ = _desk(settings)
    names = [q.strip() for q in (queues or "").split(",") if q.strip()]
    a = desk_.create_agent(name, display_name, names)
    typer.echo(f"added agent {a.name}")


queues_app = typer.Typer(help="List and add queues.", no_args_is_help=True)
app.add_typer(queues_app, name="queues")


@queues_app.command("list")
def queues_list(db: DbOption = None, config: ConfigOption = None) -> None:
    """List queues with their service-level targets and waiting counts."""
    settings = _settings(config, db=db)
    desk_ = _desk(settings)
    counts = desk_.queue_counts()
    for q in desk_.queues():
        n = counts.get(q.id, (0, None))[0]
        typer.echo(f"{q.name:<16} {q.title:<24} {q.sl_goal:.0%} within {q.sl_target_s}s   {n} waiting")


@queues_app.command("add")
def queues_add(
    name: Annotated[str, typer.Argument(help="Short name, e.g. billing.")],
    title: Annotated[Optional[str], typer.Option("--title", help="Name shown on screen.")] = None,
    target: Annotated[int, typer.Option("--target", min=1, help="Service-level target, seconds.")] = 60,
    goal: Annotated[float, typer.Option("--goal", min=0.01, max=1.0, help="Share to answer within the target.")] = 0.8,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Add a queue."""
    settings = _settings(config, db=db)
    q = _desk(settings).create_queue(name, title or name.title(), target, goal)
    typer.echo(f"added queue {q.name}")


def _mount_subcommands() -> None:
    """Command groups that live in their own modules (each imports its engine lazily)."""
    from agentdesk.cli import replay, sessions, tone

    app.add_typer(tone.app, name="tone")
    app.add_typer(sessions.app, name="sessions")
    app.add_typer(replay.app, name="replay")
    from agentdesk.cli import waits

    app.add_typer(waits.app, name="waits")
    app.add_typer(__import__("agentdesk.cli.monitor", fromlist=["app"]).app, name="monitor")
    app.add_typer(__import__("agentdesk.cli.report", fromlist=["app"]).app, name="report")


_mount_subcommands()


def _desk(settings, *, readonly: bool = False):
    from agentdesk.desk import Desk
    from agentdesk.store.db import Store

    return Desk(Store.open(settings.db, readonly=readonly))


def _click_exceptions():
    """Typer ≥ 0.20 vendors Click as ``typer._click``; older releases use Click itself."""
    try:
        from typer._click import exceptions
    except ImportError:  # pragma: no cover - older Typer
        from click import exceptions
    return exceptions


def main() -> None:
    """Console entry point: one-line errors, meaningful exit codes, no tracebacks."""
    cx = _click_exceptions()
    try:
        result = app(standalone_mode=False)
    except AgentdeskError as exc:
        typer.echo(f"Error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except cx.NoArgsIsHelpError as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except cx.UsageError as exc:
        where = exc.ctx.command_path if exc.ctx is not None else "agentdesk"
        typer.echo(f"Error: {exc.format_message()} (see `{where} --help`)", err=True)
        sys.exit(exc.exit_code)
    except cx.ClickException as exc:
        typer.echo(f"Error: {exc.format_message()}", err=True)
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        sys.exit(130)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    if isinstance(result, int) and result:
        sys.exit(result)
