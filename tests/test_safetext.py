"""``agentdesk.safetext``: untrusted text made inert — a hostile corpus and properties.

Widgets are tested by their owners; here: ``sanitize`` leaves no control or bidi
character, keeps ordinary text exactly, never raises; ``inert``/``inert_text`` never
parse markup and show exactly what ``sanitize`` returns; a Rich console prints it
literally.
"""

from __future__ import annotations

import io
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agentdesk.safetext import inert, inert_text, preview, sanitize

BIDI_CONTROLS = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
INVISIBLE_FORMAT = set("\u2060\u2061\u2062\u2063\u2064\ufeff\ufff9\ufffa\ufffb")


def unsafe_chars(text: str, *, single_line: bool = False) -> list[str]:
    """Characters that must never survive ``sanitize``."""
    bad = []
    for ch in text:
        if ch == "\n" and not single_line:
            continue
        if unicodedata.category(ch) == "Cc" or ch in BIDI_CONTROLS or ch in INVISIBLE_FORMAT or ch in "\u2028\u2029":
            bad.append(ch)
    return bad


# ------------------------------------------------------------------ the corpus

HOSTILE = {
    "csi colour": "\x1b[31mred\x1b[0m text",
    "csi clear screen": "hi\x1b[2J\x1b[H gone",
    "cursor movement": "pay \x1b[10Dnow\x1b[1A",
    "osc 52 clipboard": "\x1b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\x07copy me",
    "osc 52 st": "\x1b]52;c;ZXZpbA==\x1b\\done",
    "osc 8 hyperlink": "\x1b]8;;https://evil.example/\x1b\\click here\x1b]8;;\x1b\\",
    "osc title": "\x1b]0;pwned\x07",
    "dcs": "\x1bP+q544e\x1b\\",
    "c1 csi": "\x9b31mred",
    "c1 osc": "\x9d0;title\x9c",
    "c1 dcs and nel": "\x90q\x9c line\x85next",
    "bidi override": "invoice_\u202egnp.exe",
    "bidi embed": "\u202aabc\u202b\u202c",
    "bidi isolates": "\u2066a\u2067b\u2068c\u2069",
    "marks": "\u200eleft\u200fright\u061c",
    "zero width": "pay\u200bpal \u200c\u200d\u2060\ufeff",
    "invisible ops": "a\u2061b\u2062c\u2063d\u2064",
    "annotation chars": "\ufff9x\ufffay\ufffb",
    "nul and bell": "a\x00b\x07c",
    "backspace": "secret\x08\x08\x08\x08\x08\x08public",
    "del": "abc\x7f",
    "carriage return overwrite": "Total: $100\rTotal: $1",
    "crlf": "line one\r\nline two\r\n",
    "vertical tab form feed": "a\x0bb\x0cc",
    "line separators": "one\u2028two\u2029three",
    "all c0": "".join(chr(i) for i in range(32)),
    "all c1": "".join(chr(i) for i in range(0x80, 0xA0)),
    "markup action": "[@click=app.quit]x[/]",
    "markup broken": "[/] oops [",
    "important": "[IMPORTANT] read this",
    "style tags": "[bold red]alarm[/bold red] [link=https://evil.example]x[/link]",
    "rich emoji code": ":smile: :thumbs_up: :pile_of_poo:",
    "textual variables": "$accent [$error]x[/]",
    "escaped markup": "\\[bold]not bold\\[/bold]",
    "long line": "word " * 20000,
    "combining": "e\u0301 a\u0308 n\u0303 Z\u0351\u0352\u0353\u0354\u0355\u0356",
    "wide cjk": "你好，我的订单在哪里？ 注文はどこですか 주문이 어디 있나요",
    "emoji zwj": "👨‍👩‍👧‍👦 🏳️‍🌈 👩🏽‍💻 🇬🇧 🏴󠁧󠁢󠁳󠁣󠁴󠁿",
    "rtl text": "مرحبا، أين طلبي؟ שלום",
    "tabs": "a\tb\t\tc",
    "mixed": "\x1b[1m[bold]\u202eHELLO\x00\u2066:smile:\r\n",
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_corpus_is_made_inert(name):
    text = HOSTILE[name]
    out = sanitize(text)
    assert isinstance(out, str)
    assert unsafe_chars(out) == [], (name, out)
    assert "\t" not in out and "\x1b" not in out
    flat = sanitize(text, single_line=True)
    assert unsafe_chars(flat, single_line=True) == [] and "\n" not in flat and "\t" not in flat
    assert inert(text).plain == out
    assert inert_text(text).plain == out
    assert inert(text, single_line=True).plain == flat
    assert sanitize(out) == out, "sanitizing twice changes nothing"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("\x1b[31mred", "␛[31mred"),
        ("a\x00b", "a␀b"),
        ("ding\x07", "ding␇"),
        ("ab\x08", "ab␈"),
        ("x\x7f", "x␡"),
        ("x\ry", "x␍y"),
        ("x\r\ny", "x\ny"),
        ("\x01\x02\x1f", "␁␂␟"),
        ("\x0b\x0c", "␋␌"),
        ("\x9b2J", "⟨U+009B⟩2J"),
        ("\x85", "⟨U+0085⟩"),
        ("gnp\u202e.exe", "gnp⟨U+202E⟩.exe"),
        ("\u2066x\u2069", "⟨U+2066⟩x⟨U+2069⟩"),
        ("\ufeffBOM", "⟨U+FEFF⟩BOM"),
        ("one\u2028two", "one\ntwo"),
        ("a\tb", "a   b"),
    ],
)
def test_each_unsafe_character_has_a_visible_placeholder(text, expected):
    assert sanitize(text) == expected


@pytest.mark.parametrize("name", ["markup action", "markup broken", "important", "style tags", "rich emoji code",
                                  "textual variables", "escaped markup", "wide cjk", "emoji zwj", "combining",
                                  "rtl text", "long line"])
def test_ordinary_text_and_markup_look_alikes_are_kept_exactly(name):
    text = HOSTILE[name]
    assert sanitize(text) == text
    assert inert(text).plain == text and inert_text(text).plain == text


def test_zero_width_joiners_that_build_emoji_and_scripts_are_kept():
    """ZWJ/ZWNJ are part of emoji sequences and of Persian and Indic spelling; they are
    neither controls nor bidi and do not act on the terminal."""
    for text in ("👨\u200d👩\u200d👧", "می\u200cخواهم", "क्\u200dष"):
        assert sanitize(text) == text


def test_markup_is_never_parsed():
    for text in ("[@click=app.quit]x[/]", "[/] oops [", "[bold red]alarm[/]", "[IMPORTANT]"):
        content = inert(text)
        assert content.plain == text
        assert list(content.spans) == [], "no markup span may come out of customer text"
        rich = inert_text(text)
        assert rich.plain == text and rich.spans == []


def test_style_applies_to_the_whole_text_without_parsing_it():
    content = inert("[b]x[/b]", "bold")
    assert content.plain == "[b]x[/b]"
    assert [(s.start, s.end) for s in content.spans] == [(0, len("[b]x[/b]"))]
    rich = inert_text("[b]x[/b]", "bold red")
    assert rich.plain == "[b]x[/b]" and str(rich.style) == "bold red"


def test_a_rich_console_prints_it_literally():
    from rich.console import Console

    for name in ("mixed", "markup action", "rich emoji code", "osc 52 clipboard", "c1 csi", "bidi override"):
        buf = io.StringIO()
        console = Console(file=buf, width=400, color_system=None, force_terminal=False, emoji=True, markup=True)
        console.print(inert_text(HOSTILE[name]), soft_wrap=True)
        printed = buf.getvalue()
        assert printed == sanitize(HOSTILE[name]) + "\n", name
        assert "\x1b" not in printed and "\x9b" not in printed


def test_never_raises_on_odd_input():
    class Thing:
        def __str__(self) -> str:
            return "thing\x1b"

    assert sanitize(None) == "" and sanitize("") == ""
    assert sanitize(42) == "42" and sanitize(3.5) == "3.5"
    assert sanitize(b"bytes\x1b") == "b'bytes\\x1b'"
    assert sanitize(Thing()) == "thing␛"
    assert inert(None).plain == "" and inert_text(None).plain == ""


def test_single_line_folds_whitespace():
    assert sanitize("  one\n\ntwo\tthree \r\n four  ", single_line=True) == "one two three four"
    assert sanitize("a\u2028b", single_line=True) == "a b"


def test_preview():
    assert preview("short") == "short"
    long = "x" * 300
    p = preview(long, 160)
    assert len(p) == 160 and p.endswith("…")
    assert preview("line one\nline two\x1b[2J", 200) == "line one line two␛[2J"
    assert preview("word " * 100, 20) == "word word word word…"
    assert preview(None) == ""


def test_lone_surrogates_become_printable():
    """A JSON import can hold a lone surrogate ('\\ud800'); printing it would raise."""
    out = sanitize("refund \ud800 please \udfff")
    out.encode("utf-8")
    assert out == "refund ⟨U+D800⟩ please ⟨U+DFFF⟩"


# ------------------------------------------------------------------ properties

ANY_CHAR = st.characters(exclude_categories=["Cs"])
# Weighted towards the interesting ranges so short examples hit them often.
INTERESTING = st.one_of(
    ANY_CHAR,
    st.sampled_from(sorted(BIDI_CONTROLS | INVISIBLE_FORMAT) + ["\x1b", "\x9b", "\r", "\n", "\t", "\x00", "\x7f",
                                                                 "\u2028", "\u200d", "[", "]", "/", "@", ":"]),
    st.characters(min_codepoint=0, max_codepoint=0x9F),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(INTERESTING, max_size=200))
def test_property_no_unsafe_character_survives(text):
    out = sanitize(text)
    assert unsafe_chars(out) == []
    assert "\t" not in out
    flat = sanitize(text, single_line=True)
    assert unsafe_chars(flat, single_line=True) == [] and "\n" not in flat
    assert sanitize(out) == out
    assert inert(text).plain == out and inert_text(text).plain == out


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(INTERESTING, max_size=200))
def test_property_sanitize_is_character_by_character(text):
    """Apart from tabs (expanded by column) and CRLF (one newline), every character
    is either kept or replaced by its own placeholder: nothing around it is lost."""
    text = text.replace("\t", " ").replace("\r", "")
    assert sanitize(text) == "".join(sanitize(ch) for ch in text)


SAFE_CHAR = st.characters(exclude_categories=["Cs", "Cc"]).filter(
    lambda ch: ch not in BIDI_CONTROLS and ch not in INVISIBLE_FORMAT and ch not in "\u2028\u2029")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(st.one_of(SAFE_CHAR, st.just("\n")), max_size=300))
def test_property_ordinary_text_is_unchanged(text):
    assert sanitize(text) == text
    assert preview(text, 10_000) == " ".join(text.split())


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(INTERESTING, max_size=400), st.integers(min_value=2, max_value=200))
def test_property_preview_is_one_safe_line_within_the_limit(text, limit):
    p = preview(text, limit)
    assert len(p) <= limit and "\n" not in p and unsafe_chars(p, single_line=True) == []
