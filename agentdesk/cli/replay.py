"""``agentdesk replay``: replay recorded and sample sessions; role-play with a scorecard.

    agentdesk replay [FILE [--session ID] | --sample NAME | --conversation ID] [--speed X] [--redact]
    agentdesk replay --list [FILE]
    agentdesk replay --practice (FILE | --sample NAME | --conversation ID) [--export card.md|card.json]
                     [--trainee NAME]

Without a session it opens the list of sample sessions (or of the sessions in FILE).
The session is loaded before the screen is taken over, so a bad file, an unknown
sample or conversation is a one-line error. Keys: ``?`` in the app, or ``docs/replay.md``.

Mounted by ``agentdesk.cli`` with ``app.add_typer(replay.app, name="replay")``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

app = typer.Typer(
    help="Replay recorded and sample sessions turn by turn; role-play them with a scorecard.",
    invoke_without_command=True,
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
    # options may follow FILE ("agentdesk replay s.jsonl --practice"): a Typer sub-app is a
    # click group, which otherwise stops parsing options at the first argument
    context_settings={"help_option_names": ["-h", "--help"], "allow_interspersed_args": True},
)


@app.callback(invoke_without_command=True)
def replay(
    file: Annotated[Optional[Path], typer.Argument(help="A session file (JSON Lines) to replay.",
                                                   show_default=False)] = None,
    sample: Annotated[Optional[str], typer.Option("--sample", "-s", help="A sample session shipped with agentdesk "
                                                  "(see --list).", show_default=False)] = None,
    conversation: Annotated[Optional[int], typer.Option("--conversation", "-c", min=1,
                                                        help="A conversation in the database.",
                                                        show_default=False)] = None,
    session_id: Annotated[Optional[str], typer.Option("--session", help="Which session of FILE (default: choose "
                                                      "from a list when FILE holds several).",
                                                      show_default=False)] = None,
    list_: Annotated[bool, typer.Option("--list", "-l", help="List the sample sessions (or those in FILE) "
                                        "and exit.")] = False,
    practice: Annotated[bool, typer.Option("--practice", "-p", help="Role-play: you answer at each agent turn "
                                           "and are scored.")] = False,
    export: Annotated[Optional[Path], typer.Option("--export", help="Role-play: write the overall scorecard "
                                                   "to this file at the end (.md or .json).", dir_okay=False,
                                                   show_default=False)] = None,
    trainee: Annotated[Optional[str], typer.Option("--trainee", help="Role-play: the trainee's name "
                                                   "(on the scorecard).", show_default=False)] = None,
    trainer: Annotated[Optional[str], typer.Option("--trainer", help="Who annotations are by (default: your "
                                                   "agent name, else your login name).", show_default=False)] = None,
    speed: Annotated[float, typer.Option("--speed", min=0.5, max=16.0, help="Playback speed, 0.5 to 16.")] = 1.0,
    max_gap: Annotated[float, typer.Option("--max-gap", min=0.0, help="Play silences longer than this many "
                                           "seconds as this long (0: real time).")] = 30.0,
    redact: Annotated[bool, typer.Option("--redact", help="Show the session with personal data redacted "
                                         "(annotations are still saved with the original).")] = False,
    db: Annotated[Optional[str], typer.Option("--db", help="Database for --conversation: a file path or a "
                                              "SQLAlchemy URL. Default: AGENTDESK_DB, the config file, or "
                                              "agentdesk.db in the user data folder.")] = None,
    config: Annotated[Optional[Path], typer.Option("--config", help="Config file.", dir_okay=False)] = None,
) -> None:
    """Replay a session turn by turn with the assistant's suggestions, or role-play it (--practice)."""
    from agentdesk.errors import AgentdeskError

    try:
        _replay(file=file, sample=sample, conversation=conversation, session_id=session_id, list_=list_,
                practice=practice, export=export, trainee=trainee, trainer=trainer, speed=speed,
                max_gap=max_gap, redact=redact, db=db, config=config)
    except AgentdeskError as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(exc.exit_code) from None


def _replay(*, file, sample, conversation, session_id, list_, practice, export, trainee, trainer, speed,
            max_gap, redact, db, config) -> None:
    from agentdesk.errors import UsageError

    given = [name for name, value in (("FILE", file), ("--sample", sample), ("--conversation", conversation))
             if value is not None]
    if len(given) > 1:
        raise UsageError(f"give one session: {' or '.join(given)}, not both")
    if session_id is not None and file is None:
        raise UsageError("--session picks a session of FILE; give the FILE too")
    if list_:
        if sample is not None or conversation is not None or practice:
            raise UsageError("--list lists the sample sessions (or those in FILE); it takes no other session")
        _print_list(file)
        return
    if not practice and (export is not None or trainee is not None):
        raise UsageError(f"{'--export' if export is not None else '--trainee'} applies to role-play; add --practice")
    if export is not None:
        from agentdesk.sessions import card_format

        card_format(export)
        parent = export.expanduser().parent
        if str(parent) and not parent.is_dir():
            raise UsageError(f"--export {str(export)!r}: folder {parent} does not exist")
    if not 0.5 <= speed <= 16:
        raise UsageError("--speed must be between 0.5 and 16")

    from agentdesk.cli import _settings

    settings = _settings(config, db=db)
    if db is not None and conversation is None:
        raise UsageError("--db applies to --conversation")
    from agentdesk import sessions as svc
    from agentdesk.replay_app import ReplayApp, ReplayOptions

    source = None
    choices: list = []
    title = "Sample sessions"
    if file is not None:
        all_sessions = svc.load_file_sessions(file)
        if session_id is not None or len(all_sessions) == 1:
            source = svc.load_file_source(file, session_id, redact=redact, sessions=all_sessions)
        else:
            choices = svc.file_choices(file, all_sessions, redact=redact)
            title = f"sessions in {file}"
    elif sample is not None:
        source = svc.load_sample_source(sample, redact=redact)
    elif conversation is not None:
        from agentdesk.store.db import Store

        store = Store.open(settings.db)
        try:
            source = svc.load_conversation_source(store, conversation, redact=redact, db=settings.db)
        finally:
            store.close()
    else:
        choices = svc.sample_choices(redact=redact)
        title = "sample sessions shipped with agentdesk"
    if practice and source is not None:
        from agentdesk.replay.scoring import practice_prompts

        if not practice_prompts(source.session):
            raise UsageError(f"session {source.session.id!r} has no customer turn answered by an agent, so there "
                             "is nothing to practise; replay it without --practice, or pick another")
    if trainer is None:
        trainer = settings.agent or _login_name()
    options = ReplayOptions(
        source=source, choices=choices, choices_title=title, practice=practice,
        export=export.expanduser() if export is not None else None, trainee=trainee, trainer=trainer,
        speed=speed, max_gap_s=max_gap or None, db=settings.db,
    )
    from agentdesk.cli import run_console

    run_console(ReplayApp(settings, options))


def _login_name() -> str | None:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return None


def _print_list(file: Path | None) -> None:
    from agentdesk import sessions as svc
    from agentdesk.safetext import sanitize

    if file is not None:
        choices = svc.file_choices(file, svc.load_file_sessions(file))
        header = f"{len(choices)} session(s) in {sanitize(str(file), single_line=True)}:"
    else:
        choices = svc.sample_choices()
        header = f"{len(choices)} sample sessions (agentdesk replay --sample NAME):"
    typer.echo(header)
    width = max((len(sanitize(c.key, single_line=True)) for c in choices), default=4)
    for c in choices:
        ended = c.disposition or "—"
        length = svc.fmt_duration(c.duration_s)
        typer.echo(f"  {sanitize(c.key, single_line=True):<{width}}  {c.channel:<6} {c.messages:>3} msgs "
                   f"{length:>14}  {ended:<13} {sanitize(c.title, single_line=True)}")
