"""``agentdesk tone``: analyse customer messages from the command line.

    agentdesk tone "TEXT" [--context EARLIER]... [--waited-min N] [--repeat-contacts N] [--json]
    agentdesk tone --file messages.jsonl [--json]

``--file`` reads one JSON object per line, ``{"id": …, "text": …, "context": [earlier
customer messages], "waited_min": …}`` (``context`` and ``waited_min`` optional; ``-``
reads standard input). With ``--json`` it writes one object per line: ``{"id", "level",
"needs_deescalation", "signals": [{"tone", "level", "evidence": [[start, end], …]}],
"suggestions": [script ids]}``; evidence spans index the input text (Python string
offsets). A bad line stops the run with its line number, before anything is written.

Mounted by ``agentdesk.cli`` with ``app.add_typer(tone.app, name="tone")``. Heavy
imports happen inside the command so the console's start-up doesn't pay for them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

if TYPE_CHECKING:  # pragma: no cover
    from rich.text import Text

    from agentdesk.scripts.tone import ToneResult

app = typer.Typer(
    help="Detect the tone of customer messages, with evidence and script suggestions.",
    invoke_without_command=True,
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
    # options may follow TEXT ("agentdesk tone 'TEXT' --json"): a Typer sub-app is a
    # click group, which otherwise stops parsing options at the first argument
    context_settings={"help_option_names": ["-h", "--help"], "allow_interspersed_args": True},
)

_LEVEL_STYLE = {"calm": "green", "concerned": "yellow", "upset": "bold dark_orange", "hostile": "bold red"}
_TONE_STYLE = {
    "frustration": "black on dark_orange", "anger": "white on red", "abuse": "white on magenta",
    "threat": "white on dark_red", "churn_risk": "black on yellow", "anxiety": "black on cyan",
    "confusion": "black on bright_blue", "urgency": "black on orange1", "gratitude": "black on green",
}


@app.callback(invoke_without_command=True)
def tone(
    text: Annotated[Optional[str], typer.Argument(help="A customer message to analyse.", show_default=False)] = None,
    file: Annotated[Optional[Path], typer.Option(
        "--file", "-f", help="JSON Lines file of messages ('-' for standard input).",
        dir_okay=False, show_default=False)] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Write JSON (one object per line).")] = False,
    context: Annotated[Optional[list[str]], typer.Option(
        "--context", "-c", help="An earlier customer message in the conversation (repeatable).",
        show_default=False)] = None,
    waited_min: Annotated[Optional[float], typer.Option(
        "--waited-min", min=0, help="Minutes the customer waited for this answer.", show_default=False)] = None,
    repeat_contacts: Annotated[int, typer.Option(
        "--repeat-contacts", min=0, help="Earlier contacts about the same matter.")] = 0,
    library: Annotated[Optional[list[Path]], typer.Option(
        "--library", help="Extra script library folder (repeatable; added to scripts.library_dirs).",
        file_okay=False, show_default=False)] = None,
) -> None:
    """Analyse TEXT, or every message of --file: tone level, signals with the words that
    triggered them, and the scripts an agent would be offered."""
    from agentdesk.errors import AgentdeskError, UsageError

    try:
        if (text is None) == (file is None):
            raise UsageError("give either a TEXT argument or --file FILE (not both): "
                             "agentdesk tone \"I've asked three times already!\"")
        if text is not None and not text.strip():
            raise UsageError("TEXT is blank: give the customer's message, e.g. "
                             "agentdesk tone \"I've asked three times already!\"")
        if file is not None and (context or waited_min is not None or repeat_contacts):
            raise UsageError("--context, --waited-min and --repeat-contacts apply to TEXT; "
                             "in --file give \"context\" and \"waited_min\" per line")
        lib = _library(library or [])
        if file is not None:
            rows = _read_jsonl(file)
            if json_out:
                for row in rows:
                    typer.echo(_json_line(row, lib))
            else:
                _print_many(rows, lib)
        else:
            row = {"id": None, "text": text, "context": list(context or []),
                   "waited_min": waited_min, "repeat_contacts": repeat_contacts}
            if json_out:
                typer.echo(_json_line(row, lib))
            else:
                _print_many([row], lib)
    except AgentdeskError as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(exc.exit_code) from None


def _library(extra: list[Path]):
    from agentdesk.config import load_settings
    from agentdesk.scripts.loader import default_library, load_library

    dirs = [*load_settings().script_dirs, *extra]
    return load_library(dirs) if dirs else default_library()


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    import json
    import math
    import sys

    from agentdesk.errors import InputFileError

    name = "<stdin>" if str(path) == "-" else str(path)
    try:
        if str(path) == "-":
            raw = sys.stdin.read()
        else:
            raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputFileError(name, None, "file not found") from None
    except UnicodeDecodeError as exc:
        raise InputFileError(name, None, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise InputFileError(name, None, f"cannot be read ({exc.strerror or exc})") from None
    rows = []
    for n, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputFileError(name, n, f"not valid JSON ({exc.msg} at column {exc.colno})") from None
        if not isinstance(obj, dict):
            raise InputFileError(name, n, f"expected a JSON object like {{\"id\": 1, \"text\": \"…\"}}, "
                                 f"got {type(obj).__name__}")
        unknown = set(obj) - {"id", "text", "context", "waited_min"}
        if unknown:
            raise InputFileError(name, n, f"unknown key {sorted(unknown)[0]!r} "
                                 "(keys: id, text, context, waited_min)")
        text = obj.get("text")
        if not isinstance(text, str):
            if "text" not in obj:
                raise InputFileError(name, n, "\"text\" is missing")
            raise InputFileError(name, n, f"\"text\" must be a string, not {_json_kind(text)}")
        ctx = obj.get("context", [])
        if ctx is None:
            ctx = []
        if not isinstance(ctx, list) or not all(isinstance(c, str) for c in ctx):
            raise InputFileError(name, n, "\"context\" must be a list of earlier customer messages (strings)")
        waited = obj.get("waited_min")
        if waited is not None and (isinstance(waited, bool) or not isinstance(waited, (int, float))
                                   or not math.isfinite(waited) or waited < 0):
            raise InputFileError(name, n, f"\"waited_min\" must be a number of minutes ≥ 0, not {waited!r}")
        ident = obj.get("id")
        if isinstance(ident, (dict, list)):
            raise InputFileError(name, n, "\"id\" must be a string or a number")
        rows.append({"id": ident, "text": text, "context": ctx, "waited_min": waited,
                     "repeat_contacts": 0, "line": n})
    return rows


def _json_kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    return {"list": "a list", "dict": "an object"}.get(type(value).__name__, type(value).__name__)


def _analyse(row: dict[str, Any], lib):
    from agentdesk.scripts.suggestions import ConversationState, suggest
    from agentdesk.scripts.tone import ToneContext, analyze

    waited_s = (row.get("waited_min") or 0.0) * 60.0
    ctx = ToneContext(earlier=tuple(row.get("context") or ()), waited_s=waited_s,
                      repeat_contacts=row.get("repeat_contacts", 0))
    result = analyze(row["text"], ctx)
    state = ConversationState(waited_s=waited_s, repeat_contacts=row.get("repeat_contacts", 0))
    return result, suggest(result, state, lib)


def _json_line(row: dict[str, Any], lib) -> str:
    import json

    result, suggestions = _analyse(row, lib)
    out = {"id": row.get("id")}
    out.update(result.to_json())
    out["suggestions"] = [s.script_id for s in suggestions]
    return json.dumps(out, ensure_ascii=False)


def highlighted(result: "ToneResult") -> "Text":
    """The message as Rich ``Text``, sanitized, with its evidence highlighted by tone."""
    from rich.text import Text

    from agentdesk.safetext import sanitize

    out = Text()
    pos = 0
    src = result.text
    for start, end, tone_name in result.evidence_spans():
        if start > pos:
            out.append(sanitize(src[pos:start]))
        out.append(sanitize(src[start:end]), style=_TONE_STYLE.get(tone_name, "reverse"))
        pos = end
    out.append(sanitize(src[pos:]))
    return out


def _print_many(rows: list[dict[str, Any]], lib) -> None:
    from rich.console import Console
    from rich.text import Text

    from agentdesk.safetext import sanitize

    from rich.padding import Padding

    def indented(text: Text, left: int) -> Padding:
        # wrapped lines keep the indent: the evidence and reasons stay readable at 80 columns
        return Padding(text, (0, 0, 0, left), expand=False)

    console = Console(highlight=False, soft_wrap=False)
    for i, row in enumerate(rows):
        result, suggestions = _analyse(row, lib)
        if i:
            console.print()
        head = Text()
        if row.get("id") is not None:
            head.append(sanitize(str(row["id"]), single_line=True), style="bold")
            head.append("  ")
        head.append(str(result.level), style=_LEVEL_STYLE.get(str(result.level), ""))
        head.append("  needs de-escalation" if result.needs_deescalation else "  no de-escalation needed",
                    style="bold" if result.needs_deescalation else "dim")
        head.append(f"  (learned scorer {result.model_score:.2f})", style="dim")
        console.print(head)
        console.print(indented(highlighted(result), 2))
        if not result.signals:
            console.print(Text("  no tone signal", style="dim"))
        for s in result.signals:
            line = Text("  ")
            line.append(f"{s.label:<12}", style=_TONE_STYLE.get(str(s.tone), ""))
            line.append(f" {s.level}", style="bold")
            console.print(line)
            for e in s.evidence:
                item = Text(f"“{sanitize(result.text[e.start:e.end], single_line=True)}”")
                item.append(f" {e.cue} [{e.start}:{e.end}]", style="dim")
                console.print(indented(item, 4))
            for note in s.notes:
                console.print(indented(Text(sanitize(note, single_line=True), style="italic"), 4))
        if suggestions:
            console.print(Text("  suggestions:", style="bold"))
            for k, sug in enumerate(suggestions, start=1):
                line = Text(f"   {k}. ")
                line.append(sug.title, style="bold")
                line.append(f"  {sug.script_id}", style="dim")
                console.print(line)
                console.print(indented(Text(sanitize(sug.reason, single_line=True), style="italic"), 6))
