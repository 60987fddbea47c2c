"""`agentdesk tone` through CliRunner, on the sub-app and mounted like the main CLI does."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from agentdesk.cli import tone

runner = CliRunner()


@pytest.fixture(autouse=True)
def _no_user_config(tmp_path, monkeypatch):
    monkeypatch.setenv("AGENTDESK_CONFIG", str(tmp_path / "none.toml"))


@pytest.fixture
def mounted():
    parent = typer.Typer()

    @parent.command()
    def other() -> None:  # a sibling command, as in the real CLI
        pass

    parent.add_typer(tone.app, name="tone")
    return parent


def test_text_readable(mounted):
    text = "This is the third time I ask, it still doesn't work!!"
    res = runner.invoke(mounted, ["tone", text, "--waited-min", "12"])
    assert res.exit_code == 0, res.output
    assert "upset" in res.output and "needs de-escalation" in res.output
    assert "frustration" in res.output and "“third time I ask” contact again [12:28]" in res.output
    assert "waited 12 min" in res.output
    assert "suggestions:" in res.output and "apo.wait-honest" in res.output


def test_text_json_on_sub_app():
    res = runner.invoke(tone.app, ["Thanks, that worked!", "--json"])
    assert res.exit_code == 0
    data = json.loads(res.stdout)
    assert data["id"] is None and data["level"] == "calm" and data["needs_deescalation"] is False
    assert data["signals"][0]["tone"] == "gratitude"
    assert data["signals"][0]["evidence"] == [[0, 6], [8, 19]]  # "Thanks", "that worked"
    assert isinstance(data["suggestions"], list)


def test_customer_text_is_sanitized_and_not_markup():
    res = runner.invoke(tone.app, ["[bold red]hi[/] \x1b[31m still broken"])
    assert res.exit_code == 0
    assert "[bold red]hi[/]" in res.output
    assert "\x1b" not in res.output and "␛[31m" in res.output


def test_file_json(tmp_path, mounted):
    p = tmp_path / "m.jsonl"
    p.write_text(
        json.dumps({"id": 1, "text": "You are useless, I'll call my lawyer", "waited_min": 3}) + "\n\n"
        + json.dumps({"id": "b", "text": "When will my replacement router be delivered?",
                      "context": ["When will my replacement router be delivered?"]}) + "\n",
        encoding="utf-8")
    res = runner.invoke(mounted, ["tone", "--file", str(p), "--json"])
    assert res.exit_code == 0, res.output
    lines = [json.loads(x) for x in res.stdout.splitlines()]
    assert [x["id"] for x in lines] == [1, "b"]
    assert list(lines[0]) == ["id", "level", "needs_deescalation", "signals", "suggestions"]
    assert lines[0]["level"] == "hostile" and lines[0]["needs_deescalation"] is True
    assert {s["tone"] for s in lines[0]["signals"]} >= {"abuse", "threat"}
    assert lines[0]["suggestions"][0] == "bnd.language"
    assert lines[1]["signals"][0]["tone"] == "frustration"  # asked before


def test_file_readable(tmp_path):
    p = tmp_path / "m.jsonl"
    p.write_text('{"id": "x1", "text": "Please help, I am so worried"}\n', encoding="utf-8")
    res = runner.invoke(tone.app, ["--file", str(p)])
    assert res.exit_code == 0 and "x1" in res.output and "anxiety" in res.output


@pytest.mark.parametrize("line,message", [
    ("{not json", "line 2: not valid JSON"),
    ("[1, 2]", "line 2: expected a JSON object"),
    ('{"id": 3}', 'line 2: "text" is missing'),
    ('{"id": 3, "text": 5}', 'line 2: "text" must be a string, not a number'),
    ('{"id": 3, "text": "a", "context": "b"}', 'line 2: "context" must be a list'),
    ('{"id": 3, "text": "a", "waited_min": -1}', 'line 2: "waited_min" must be a number'),
    ('{"id": 3, "text": "a", "mood": 1}', "line 2: unknown key 'mood'"),
    ('{"id": [1], "text": "a"}', 'line 2: "id" must be a string or a number'),
])
def test_bad_line_clear_error(tmp_path, line, message):
    p = tmp_path / "m.jsonl"
    p.write_text('{"id": 1, "text": "fine"}\n' + line + "\n", encoding="utf-8")
    res = runner.invoke(tone.app, ["--file", str(p), "--json"])
    assert res.exit_code == 2
    assert res.stdout == ""  # nothing written before the bad line is found
    assert f"Error: {p}, {message}" in res.stderr
    assert "Traceback" not in res.stderr and res.exception is None or isinstance(res.exception, SystemExit)


def test_missing_file(tmp_path):
    res = runner.invoke(tone.app, ["--file", str(tmp_path / "nope.jsonl")])
    assert res.exit_code == 2 and "file not found" in res.stderr


def test_text_and_file_together_is_usage_error(tmp_path):
    res = runner.invoke(tone.app, ["hi", "--file", str(tmp_path / "x")])
    assert res.exit_code == 2 and "either a TEXT argument or --file" in res.stderr


@pytest.mark.parametrize("blank", ["", "   ", "\n\t"])
def test_blank_text_is_usage_error(blank):
    res = runner.invoke(tone.app, [blank])
    assert res.exit_code == 2 and "TEXT is blank" in res.stderr and res.stdout == ""


def test_nothing_given_is_usage_error():
    res = runner.invoke(tone.app, [])
    assert res.exit_code == 2 and "Error:" in res.stderr


def test_extra_library_used(tmp_path):
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "t.toml").write_text(
        '[[script]]\nid = "team.calm"\ntitle = "T"\nstep = "acknowledge"\ntones = ["calm"]\n'
        'frameworks = ["LAST:listen"]\ntext = "Hi"\n', encoding="utf-8")
    res = runner.invoke(tone.app, ["hello", "--json", "--library", str(lib)])
    assert res.exit_code == 0, res.output
    bad = lib / "u.toml"
    bad.write_text('[[script]]\nid = "x"\n', encoding="utf-8")
    res = runner.invoke(tone.app, ["hello", "--library", str(lib)])
    assert res.exit_code == 2 and "u.toml, line 1" in res.stderr
