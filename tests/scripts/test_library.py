"""Script library: the default library's coverage, and every validation error path."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from agentdesk.errors import InputFileError
from agentdesk.scripts.loader import (FRAMEWORK_TAGS, PLACEHOLDERS, STEPS, default_library,
                                      load_file, load_library)

GOOD = '''[[script]]
id = "team.hello"
title = "Hello"
step = "acknowledge"
tones = ["calm"]
frameworks = ["LAST:listen"]
text = "Hi {customer_first_name}, I'm {agent_name}."
'''


def write(tmp_path: Path, body: str, name: str = "team.toml") -> Path:
    p = tmp_path / name
    p.write_text(body, encoding="utf-8")
    return p


def test_default_library_size_and_coverage():
    lib = default_library()
    assert len(lib) >= 50
    assert {s.step for s in lib} == set(STEPS)
    for tag in ("HEARD", "CARP", "LAST"):
        assert any(f.startswith(tag + ":") for s in lib for f in s.frameworks)
    used = {p for s in lib for p in s.placeholders}
    assert {"customer_first_name", "agent_name", "wait_bound", "next_step", "queue_name"} <= used
    assert used <= set(PLACEHOLDERS)
    assert all(f in FRAMEWORK_TAGS for s in lib for f in s.frameworks)
    assert any("long_wait" in s.situations and "wait_bound" in s.placeholders for s in lib)
    ids = [s.id for s in lib]
    assert len(ids) == len(set(ids))


def test_a_team_script_can_be_bound_to_cues(tmp_path):
    body = GOOD.replace('frameworks = ["LAST:listen"]', 'frameworks = ["LAST:listen"]\ncues = ["security", "safety"]')
    (script,) = load_file(write(tmp_path, body))
    assert script.cues == ("security", "safety")


def test_extra_directory_is_added(tmp_path):
    write(tmp_path, GOOD)
    lib = load_library([tmp_path])
    assert lib.get("team.hello").source == f"{tmp_path / 'team.toml'}:1"
    assert len(lib) == len(default_library()) + 1
    assert "team.hello" in lib and lib.for_step("acknowledge")


def error_of(tmp_path, body) -> InputFileError:
    path = write(tmp_path, body)
    with pytest.raises(InputFileError) as info:
        load_file(path)
    assert str(path) in str(info.value)
    return info.value


def test_toml_syntax_error_names_the_line(tmp_path):
    err = error_of(tmp_path, GOOD + 'oops = \n')
    assert err.line == 8 and "not valid TOML" in str(err)


def test_missing_field(tmp_path):
    err = error_of(tmp_path, GOOD + GOOD.replace('"team.hello"', '"team.two"').replace('step = "acknowledge"\n', ""))
    assert err.line == 8  # the second [[script]] header
    assert "script 'team.two' is missing the required field 'step'" in str(err)


def test_unknown_field(tmp_path):
    err = error_of(tmp_path, GOOD.replace('step = "acknowledge"', 'step = "acknowledge"\nmood = "x"'))
    assert err.line == 5 and "unknown field 'mood'" in str(err)


def test_unknown_top_level_key(tmp_path):
    err = error_of(tmp_path, 'version = 2\n' + GOOD)
    assert err.line == 1 and "unknown top-level key 'version'" in str(err)


def test_wrong_type(tmp_path):
    err = error_of(tmp_path, GOOD.replace('tones = ["calm"]', 'tones = "calm"'))
    assert err.line == 5 and "'tones' must be a list of strings" in str(err)


def test_empty_title(tmp_path):
    err = error_of(tmp_path, GOOD.replace('title = "Hello"', 'title = "  "'))
    assert err.line == 3 and "'title' must be a non-empty string" in str(err)


def test_bad_id(tmp_path):
    err = error_of(tmp_path, GOOD.replace('"team.hello"', '"Team Hello"'))
    assert err.line == 2 and "script id 'Team Hello'" in str(err)


@pytest.mark.parametrize("old,new,line,message", [
    ('step = "acknowledge"', 'step = "grovel"', 4, "unknown step 'grovel'"),
    ('tones = ["calm"]', 'tones = ["calm", "rage"]', 5, "unknown tone 'rage'"),
    ('tones = ["calm"]', 'tones = []', 5, "at least one tone"),
    ('frameworks = ["LAST:listen"]', 'frameworks = ["LAST:shout"]', 6, "unknown framework step 'LAST:shout'"),
    ('frameworks = ["LAST:listen"]', 'frameworks = ["LAST:listen"]\nsituations = ["sunny"]', 7, "unknown situation 'sunny'"),
    ('frameworks = ["LAST:listen"]', 'frameworks = ["LAST:listen"]\ncues = ["security", "money"]', 7, "unknown cue 'money'"),
    ('frameworks = ["LAST:listen"]', 'frameworks = ["LAST:listen"]\ncues = "security"', 7, "'cues' must be a list of strings"),
])
def test_unknown_values(tmp_path, old, new, line, message):
    err = error_of(tmp_path, GOOD.replace(old, new))
    assert err.line == line and message in str(err)


def test_unknown_placeholder_names_its_line(tmp_path):
    body = GOOD.replace('text = "Hi {customer_first_name}, I\'m {agent_name}."',
                        'text = """\nHi {customer_first_name},\nyour {order_number} is late."""')
    err = error_of(tmp_path, body)
    assert err.line == 9
    assert "unknown placeholder {order_number}" in str(err)


@pytest.mark.parametrize("text", ["Hi {customer_first_name", "Hi }", "Hi {agent_name!r}", "Hi {agent_name:>10}", "Hi {}"])
def test_malformed_placeholders(tmp_path, text):
    err = error_of(tmp_path, GOOD.replace("Hi {customer_first_name}, I'm {agent_name}.", text))
    assert err.line == 7
    assert re.search(r"placeholder", str(err))


def test_literal_braces_are_allowed(tmp_path):
    path = write(tmp_path, GOOD.replace("I'm {agent_name}.", "code {{ABC}}."))
    assert load_file(path)[0].placeholders == ("customer_first_name",)


def test_duplicate_id_in_one_file(tmp_path):
    err = error_of(tmp_path, GOOD + "\n" + GOOD)
    assert err.line == 10 and "duplicate script id 'team.hello' (first defined at line 1)" in str(err)


def test_duplicate_id_across_directories(tmp_path):
    write(tmp_path, GOOD.replace('"team.hello"', '"ack.light"'))
    with pytest.raises(InputFileError) as info:
        load_library([tmp_path])
    msg = str(info.value)
    assert "team.toml, line 1" in msg and "duplicate script id 'ack.light'" in msg
    assert "acknowledge.toml" in msg


def test_missing_directory(tmp_path):
    with pytest.raises(InputFileError, match="script library directory not found"):
        load_library([tmp_path / "nope"])


def test_not_utf8(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_bytes(b"\xff\xfe[[script]]")
    with pytest.raises(InputFileError, match="not UTF-8"):
        load_file(path)


def test_script_must_be_tables(tmp_path):
    err = error_of(tmp_path, 'script = ["a"]\n')
    assert err.line == 1 and "array of tables" in str(err)
