"""Untrusted text made inert.

Anything a customer or an import file wrote passes through here before it is shown.
Two things can go wrong with such text in a terminal app, and both are handled here:

1. **Markup.** Textual widgets parse a ``str`` as content markup: ``[@click=app.quit]x[/]``
   becomes a live action and ``[/] oops [`` raises ``MarkupError`` and ends the app;
   ``rich.markup.escape`` is no cure (it swallows ``[IMPORTANT]``). So widgets are only
   ever given :class:`textual.content.Content` or :class:`rich.text.Text` built by
   :func:`inert` / :func:`inert_text`, which never parse markup.
2. **Control sequences.** ESC and other C0/C1 controls can reach the terminal even
   through ``Text``/``Content``; bidirectional overrides can make text read differently
   from what it is ("Trojan Source"). :func:`sanitize` replaces each with a visible
   placeholder so an agent can see that something odd was sent, and nothing acts on it.

Newline and tab are kept (tabs expanded to spaces); ``\\r\\n`` becomes ``\\n``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from rich.text import Text
    from textual.content import Content

# C0 controls except \t and \n, DEL, C1 controls, bidi embeddings/overrides/isolates,
# line/paragraph separators, and zero-width/invisible format characters that can hide
# text (BOM, word joiner, invisible operators).
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
    "\u2028\u2029\u2060-\u2064\ufeff\ufff9-\ufffb\ud800-\udfff]"
)

_NAMED = {
    "\x1b": "␛",  # ESC, the start of every terminal escape sequence
    "\x7f": "␡",
    "\r": "␍",
    "\x00": "␀",
    "\x07": "␇",
    "\x08": "␈",
}


def _placeholder(match: re.Match[str]) -> str:
    ch = match.group()
    named = _NAMED.get(ch)
    if named:
        return named
    code = ord(ch)
    if code < 0x20:
        return chr(0x2400 + code)  # Unicode "control pictures" block: ␁ ␂ …
    if ch in "\u2028\u2029":
        return "\n"
    return f"⟨U+{code:04X}⟩"


def sanitize(text: object, *, single_line: bool = False) -> str:
    """Return ``text`` with every unsafe character replaced by a visible placeholder.

    ``single_line`` also folds newlines and tabs into spaces (for previews and cells).
    Never raises: ``None`` becomes ``""`` and other objects are ``str()``-ed.
    """
    if text is None:
        return ""
    if not isinstance(text, str):
        text = str(text)
    text = text.replace("\r\n", "\n")
    if _UNSAFE.search(text):
        text = _UNSAFE.sub(_placeholder, text)
    text = text.expandtabs(4)
    if single_line:
        text = " ".join(text.split())
    return text


def preview(text: object, limit: int = 160) -> str:
    """A one-line, sanitized, length-limited preview of a message."""
    flat = sanitize(text, single_line=True)
    if len(flat) > limit:
        flat = flat[: limit - 1].rstrip() + "…"
    return flat


def inert(text: object, style: str = "", *, single_line: bool = False) -> "Content":
    """Textual ``Content`` showing ``text`` literally: no markup, no control codes."""
    from textual.content import Content

    return Content.styled(sanitize(text, single_line=single_line), style) if style else Content(
        sanitize(text, single_line=single_line)
    )


def inert_text(text: object, style: str = "", *, single_line: bool = False) -> "Text":
    """Rich ``Text`` showing ``text`` literally (for CLI output through a Rich console)."""
    from rich.text import Text

    return Text(sanitize(text, single_line=single_line), style=style)
