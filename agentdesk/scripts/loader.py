"""The script library: short reply templates for empathy and de-escalation.

The default library is ``agentdesk/scripts/library/*.toml``; a team adds its own
directories through the ``scripts.library_dirs`` setting. Every file is validated on
load and the first problem is raised as :class:`~agentdesk.errors.InputFileError`
naming the file and the line: a TOML syntax error, a missing or unknown field, a value
of the wrong type, an unknown step, tone, framework step, situation, cue or placeholder, a
malformed ``{…}``, or an id already used (in this file or another one).

File format (docs/tone.md has the full reference)::

    [[script]]
    id = "apo.wait-honest"            # unique, lower case: letters, digits, . _ -
    title = "Sorry for the wait"      # shown in the suggestion list
    step = "apologise"                # one of STEPS
    tones = ["frustration", "calm"]   # tones it answers (Tone values, or "calm")
    frameworks = ["HEARD:apologize"]  # framework steps it performs
    situations = ["long_wait"]        # optional: states where it fits best
    cues = ["security"]               # optional: offered only when the customer's
                                      # words carry one of these evidence labels
    text = "I'm sorry you waited … at most {wait_bound} …"
"""

from __future__ import annotations

import re
import string
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Iterable, Iterator

from agentdesk.errors import InputFileError
from agentdesk.scripts.tone import Tone, cue_labels

STEPS: dict[str, str] = {
    "acknowledge": "acknowledge",
    "empathise": "empathise",
    "apologise": "apologise for the impact",
    "align": "align and refocus",
    "assure": "assure and set expectations",
    "options": "offer options",
    "explain": "explain step by step",
    "escalate": "escalate",
    "boundary": "calm boundary",
    "close": "close and follow up",
}
"""Steps a script performs, with the label shown to agents."""

FRAMEWORK_STEPS: dict[str, tuple[str, ...]] = {
    "HEARD": ("hear", "empathize", "apologize", "resolve", "diagnose"),
    "CARP": ("control", "acknowledge", "refocus", "problem-solve"),
    "LAST": ("listen", "apologize", "solve", "thank"),
}
FRAMEWORK_TAGS = frozenset(f"{fw}:{s}" for fw, steps in FRAMEWORK_STEPS.items() for s in steps)

SCRIPT_TONES = frozenset({*(str(t) for t in Tone), "calm"})

SITUATIONS: dict[str, str] = {
    "long_wait": "the customer waited long",
    "repeat_contact": "the customer contacted us before about this",
    "repeated_question": "the customer asked the same thing again",
    "transferred": "the conversation was transferred to this agent",
    "repeated_abuse": "the customer is abusive again after an earlier hostile turn",
    "persistent_abuse": "the customer stays abusive after two or more hostile turns",
    "answered": "the agent has already replied in this conversation",
}

PLACEHOLDERS: dict[str, str] = {
    "customer_first_name": "the customer's first name",
    "customer_name": "the customer's full name",
    "agent_name": "the agent's display name",
    "company_name": "the company's name",
    "queue_name": "the queue's title",
    "wait_bound": "how long the customer will wait at most, honestly quoted, e.g. '6 minutes' "
                  "(in the console: the usual hold length while they are on hold)",
    "wait_reason": "the wait quote's reason in plain words",
    "next_step": "what happens next (typed by the agent)",
    "issue": "the customer's issue in a few words (typed by the agent)",
    "time_estimate": "how long something will take, e.g. 'two working days' (typed by the agent: "
                     "not a wait quote)",
    "ticket_id": "the case or conversation reference",
    "callback_time": "when the agent will call or write back",
    "supervisor_name": "the supervisor's name",
}
"""Placeholders a script may use, and what fills them."""

REQUIRED = ("id", "title", "step", "tones", "frameworks", "text")
OPTIONAL = ("situations", "cues")
_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_FORMATTER = string.Formatter()


@dataclass(frozen=True, slots=True)
class Script:
    id: str
    title: str
    step: str
    tones: tuple[str, ...]
    frameworks: tuple[str, ...]
    text: str
    situations: tuple[str, ...] = ()
    cues: tuple[str, ...] = ()
    """Evidence labels (:func:`agentdesk.scripts.tone.cue_labels`) of which the turn must
    show one for the script to be offered: "Protect their money first" answers a worry about
    money or an account ("security"), not every worry. Empty: no such condition."""
    source: str = ""
    """Where it was defined: ``path:line``."""

    @property
    def placeholders(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(name for _, name, _, _ in _FORMATTER.parse(self.text) if name))

    @property
    def step_label(self) -> str:
        return STEPS.get(self.step, self.step)


@dataclass(frozen=True, slots=True)
class Library:
    scripts: tuple[Script, ...]
    sources: tuple[str, ...] = ()
    """Directories the library was read from, in order."""
    _by_id: dict[str, Script] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {s.id: s for s in self.scripts})

    def __len__(self) -> int:
        return len(self.scripts)

    def __iter__(self) -> Iterator[Script]:
        return iter(self.scripts)

    def __contains__(self, script_id: object) -> bool:
        return script_id in self._by_id

    def get(self, script_id: str) -> Script | None:
        return self._by_id.get(script_id)

    def for_step(self, step: str) -> list[Script]:
        return [s for s in self.scripts if s.step == step]

    def for_tone(self, tone: str) -> list[Script]:
        return [s for s in self.scripts if tone in s.tones]


def default_dir() -> Path:
    return Path(str(resources.files("agentdesk.scripts").joinpath("library")))


@lru_cache(maxsize=1)
def default_library() -> Library:
    """The built-in library, read once per process."""
    return load_library()


def load_library(extra_dirs: Iterable[str | Path] = (), *, include_default: bool = True) -> Library:
    """Read the default library and then each of ``extra_dirs`` (``*.toml``, sorted by
    name). Raises :class:`InputFileError` for the first invalid file or entry."""
    dirs: list[Path] = [default_dir()] if include_default else []
    for d in extra_dirs:
        p = Path(d).expanduser()
        if not p.is_dir():
            raise InputFileError(str(p), None, "script library directory not found "
                                 "(check scripts.library_dirs in the config file)")
        dirs.append(p)
    scripts: list[Script] = []
    seen: dict[str, str] = {}
    for d in dirs:
        for path in sorted(d.glob("*.toml")):
            for script in load_file(path):
                if script.id in seen:
                    line = int(script.source.rsplit(":", 1)[1])
                    raise InputFileError(str(path), line,
                                         f"duplicate script id {script.id!r} (first defined at {seen[script.id]})")
                seen[script.id] = script.source
                scripts.append(script)
    return Library(tuple(scripts), tuple(str(d) for d in dirs))


_HEADER = re.compile(r"^\s*\[\[\s*script\s*\]\]")
_TOML_LINE = re.compile(r"at line (\d+)")


def _key_line(lines: list[str], start: int, end: int, key: str) -> int:
    rx = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
    for i in range(start, end):
        if rx.match(lines[i]):
            return i + 1
    return start + 1


def load_file(path: Path) -> list[Script]:
    """Parse and validate one library file."""
    where = str(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputFileError(where, None, f"not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise InputFileError(where, None, f"cannot be read ({exc.strerror or exc})") from None
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        m = _TOML_LINE.search(str(exc))
        msg = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise InputFileError(where, int(m.group(1)) if m else None, f"not valid TOML: {msg}") from None
    lines = raw.splitlines()
    for key in data:
        if key != "script":
            raise InputFileError(where, _key_line(lines, 0, len(lines), key),
                                 f"unknown top-level key {key!r}: a library file holds [[script]] tables only")
    entries = data.get("script", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise InputFileError(where, _key_line(lines, 0, len(lines), "script"),
                             "'script' must be an array of tables, written [[script]]")
    headers = [i for i, line in enumerate(lines) if _HEADER.match(line)]
    if len(headers) != len(entries):  # e.g. inline tables: fall back to file start
        headers = [0] * len(entries)
    bounds = [(h, headers[n + 1] if n + 1 < len(headers) and headers[n + 1] > h else len(lines))
              for n, h in enumerate(headers)]
    scripts = []
    ids: dict[str, int] = {}
    for entry, (start, end) in zip(entries, bounds):
        script = _validate(entry, where, lines, start, end)
        if script.id in ids:
            raise InputFileError(where, _key_line(lines, start, end, "id"),
                                 f"duplicate script id {script.id!r} (first defined at line {ids[script.id]})")
        ids[script.id] = start + 1
        scripts.append(script)
    return scripts


def _validate(entry: dict, where: str, lines: list[str], start: int, end: int) -> Script:
    header_line = start + 1

    def fail(key: str | None, message: str) -> InputFileError:
        line = _key_line(lines, start, end, key) if key else header_line
        return InputFileError(where, line, message)

    for key in REQUIRED:
        if key not in entry:
            sid = entry.get("id")
            who = f"script {sid!r}" if isinstance(sid, str) else "[[script]]"
            raise fail(None, f"{who} is missing the required field {key!r}")
    for key in entry:
        if key not in REQUIRED and key not in OPTIONAL:
            known = ", ".join(REQUIRED + OPTIONAL)
            raise fail(key, f"unknown field {key!r} (fields: {known})")
    for key in ("id", "title", "step", "text"):
        if not isinstance(entry[key], str) or not entry[key].strip():
            raise fail(key, f"field {key!r} must be a non-empty string")
    sid = entry["id"]
    if not _ID.match(sid):
        raise fail("id", f"script id {sid!r} must be lower case letters, digits, '.', '_' or '-'")
    if entry["step"] not in STEPS:
        raise fail("step", f"unknown step {entry['step']!r} (steps: {', '.join(STEPS)})")
    lists: dict[str, tuple[str, ...]] = {}
    for key, allowed, what in (
        ("tones", SCRIPT_TONES, "tone"),
        ("frameworks", FRAMEWORK_TAGS, "framework step"),
        ("situations", frozenset(SITUATIONS), "situation"),
        ("cues", cue_labels(), "cue"),
    ):
        value = entry.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise fail(key, f"field {key!r} must be a list of strings")
        if key == "tones" and not value:
            raise fail(key, "field 'tones' must name at least one tone")
        for v in value:
            if v not in allowed:
                raise fail(key, f"unknown {what} {v!r} in {key!r} (known: {', '.join(sorted(allowed))})")
        lists[key] = tuple(value)
    text = entry["text"]
    text_line = _key_line(lines, start, end, "text")
    try:
        names = [name for _, name, spec, conv in _FORMATTER.parse(text) if name is not None]
        specs = [(name, spec, conv) for _, name, spec, conv in _FORMATTER.parse(text)
                 if name is not None and (spec or conv)]
    except ValueError as exc:
        raise InputFileError(where, text_line,
                             f"script {sid!r}: malformed placeholder in text ({exc}); write {{name}}, "
                             "and {{ or }} for a literal brace") from None
    for name in names:
        if name not in PLACEHOLDERS:
            line = text_line
            for i in range(text_line - 1, end):
                if "{" + name in lines[i]:
                    line = i + 1
                    break
            hint = "an empty {}" if name == "" else f"{{{name}}}"
            raise InputFileError(where, line,
                                 f"script {sid!r}: unknown placeholder {hint} "
                                 f"(known: {', '.join(sorted(PLACEHOLDERS))})")
    if specs:
        raise InputFileError(where, text_line,
                             f"script {sid!r}: placeholder {{{specs[0][0]}}} may not carry a format spec or conversion")
    return Script(
        id=sid,
        title=entry["title"].strip(),
        step=entry["step"],
        tones=lists["tones"],
        frameworks=lists["frameworks"],
        text=text,
        situations=lists["situations"],
        cues=lists["cues"],
        source=f"{where}:{header_line}",
    )
