"""The ``agentdesk`` console script's entry point.

Starting the console is the command people run all day, so the plain console line —
``agentdesk [desk] [--db X] [--agent X] [--config X]`` — starts it from here without
importing Typer, Click or the other commands (about 20 ms, and Typer's argument parsing
builds pydantic validators on first use, about 0.1 s more, all before the first frame).
Every other command line, including ``--help`` and any mistake, goes to
:func:`agentdesk.cli.main` and gets Typer's usual parsing and messages. Both paths start
the console through :func:`start_desk`, so they behave alike (tests/test_cli_fast_path.py).
"""

from __future__ import annotations

import agentdesk._start_time  # noqa: F401  (first: measures start-up)

import sys
from pathlib import Path
from typing import Any

_DESK_OPTIONS = {"--db": "db", "--agent": "agent", "-a": "agent", "--config": "config"}


def fast_desk_args(argv: list[str]) -> dict[str, str] | None:
    """The options of a plain ``agentdesk [desk] [--db X] [--agent X] [--config X]``, or
    None for anything else (which Typer parses)."""
    args = list(argv)
    if args and args[0] == "desk":
        args = args[1:]
    out: dict[str, str] = {}
    i = 0
    while i < len(args):
        arg = args[i]
        name, eq, value = arg.partition("=")
        if name not in _DESK_OPTIONS or _DESK_OPTIONS[name] in out:
            return None
        if not eq:
            if i + 1 >= len(args) or args[i + 1].startswith("-") or name == "-a" and "=" in arg:
                return None
            value = args[i + 1]
            i += 1
        if not value:
            return None
        out[_DESK_OPTIONS[name]] = value
        i += 1
    return out


def load_checked_settings(config: Path | None = None, **options: Any):
    """Settings from options, environment and config file, with the key map validated."""
    from agentdesk.config import load_settings
    from agentdesk.keys import validate_keymap

    settings = load_settings(config, **options)
    validate_keymap(settings.keys)
    return settings


def run_app(app_obj: Any) -> int:
    """Run a Textual app; print its one-line error (if any) once the terminal is
    restored. Returns the exit code."""
    app_obj.run()
    if getattr(app_obj, "error_message", None):
        print(f"Error: {app_obj.error_message}", file=sys.stderr)
        return app_obj.error_code or 1
    return 0


def start_desk(db: str | None = None, agent: str | None = None, config: Path | None = None) -> int:
    """Start the agent console (``agentdesk desk``); returns the exit code."""
    from agentdesk.errors import UsageError

    settings = load_checked_settings(config, db=db, agent=agent)
    if not settings.agent:
        raise UsageError(
            "no agent given: use --agent NAME, set AGENTDESK_AGENT, or put agent = \"NAME\" in the config "
            "file (try `agentdesk demo` for a ready-made floor)"
        )
    from agentdesk.store.db import precheck

    precheck(settings.db, agent=settings.agent)  # before Textual is even imported
    from agentdesk.app import AgentDeskApp, StartOptions

    return run_app(AgentDeskApp(settings, StartOptions(db=settings.db, agent=settings.agent)))


def main() -> None:
    """Console entry point: one-line errors, meaningful exit codes, no tracebacks."""
    fast = fast_desk_args(sys.argv[1:])
    if fast is None:
        from agentdesk.cli import main as cli_main

        cli_main()
        return
    from agentdesk.errors import AgentdeskError

    config = fast.get("config")
    try:
        code = start_desk(db=fast.get("db"), agent=fast.get("agent"),
                          config=Path(config) if config is not None else None)
    except AgentdeskError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
    if code:
        sys.exit(code)
