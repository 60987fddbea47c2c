"""Sample sessions shipped with agentdesk: hand-written conversations for replay and
role-play (fictional people; see ``docs/sessions.md``, "Sample sessions").

Each ``*.jsonl`` file in this package holds one session in the ``agentdesk.session``
format; the file name (without ``.jsonl``) is the sample's name.
"""

from __future__ import annotations

import difflib
import functools
from dataclasses import dataclass
from importlib import resources

from agentdesk.errors import NotFound
from agentdesk.replay.session import Session, parse_sessions


@dataclass(frozen=True, slots=True)
class SampleInfo:
    """What a picker needs to list a sample without loading it again."""

    name: str
    title: str
    description: str
    channel: str
    queue: str
    tags: tuple[str, ...]
    disposition: str | None
    messages: int
    duration_s: float


def _files() -> dict[str, resources.abc.Traversable]:
    root = resources.files(__name__)
    return {
        entry.name[: -len(".jsonl")]: entry
        for entry in root.iterdir()
        if entry.name.endswith(".jsonl") and entry.is_file()
    }


def sample_names() -> list[str]:
    """The names of all samples, sorted."""
    return sorted(_files())


def load_sample(name: str) -> Session:
    """The sample called ``name`` (a fresh copy each call).

    Raises :class:`agentdesk.errors.NotFound` naming the closest names if there is
    no such sample.
    """
    files = _files()
    entry = files.get(name)
    if entry is None:
        close = difflib.get_close_matches(name, files, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else f"; see {len(files)} samples with --list"
        raise NotFound(f"no sample named {name!r}{hint}")
    [session] = parse_sessions(entry.read_bytes(), f"sample {name}")
    return session


@functools.cache
def list_samples() -> tuple[SampleInfo, ...]:
    """Every sample's summary, sorted by name."""
    out = []
    for name in sample_names():
        s = load_sample(name)
        out.append(SampleInfo(
            name=name, title=s.title or name, description=s.description or "",
            channel=s.channel, queue=s.queue, tags=s.tags, disposition=s.disposition,
            messages=len(s.messages), duration_s=s.ended_at - s.created_at,
        ))
    return tuple(out)
