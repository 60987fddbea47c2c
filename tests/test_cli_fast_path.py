"""`agentdesk [desk] --db X --agent Y` starts the console without Typer's parsing; it must
behave exactly like the parsed command line (and anything else falls through to Typer)."""

import subprocess
import sys

import pytest

from agentdesk.cli import fast_desk_args


@pytest.mark.parametrize("argv, expected", [
    ([], {}),
    (["desk"], {}),
    (["desk", "--db", "x.db", "--agent", "alice"], {"db": "x.db", "agent": "alice"}),
    (["--agent=alice", "--db=x.db"], {"db": "x.db", "agent": "alice"}),
    (["desk", "-a", "bob", "--config", "c.toml"], {"agent": "bob", "config": "c.toml"}),
])
def test_plain_console_lines_take_the_fast_path(argv, expected):
    assert fast_desk_args(argv) == expected


@pytest.mark.parametrize("argv", [
    ["--help"], ["desk", "--help"], ["demo"], ["desk", "--bogus"], ["desk", "--db"], ["desk", "--db", "--agent", "x"],
    ["desk", "--agent", "a", "--agent", "b"], ["desk", "extra"], ["desk", "--db="], ["monitor", "--db", "x"],
])
def test_everything_else_goes_through_typer(argv):
    assert fast_desk_args(argv) is None


@pytest.mark.parametrize("argv", [
    ["desk", "--db", "{missing}", "--agent", "alice"],
    ["--db={missing}", "--agent=alice"],
])
def test_fast_and_parsed_paths_fail_alike(argv, tmp_path):
    from typer.testing import CliRunner

    from agentdesk.cli import app

    missing = str(tmp_path / "nope.db")
    argv = [a.replace("{missing}", missing) for a in argv]
    fast = subprocess.run([sys.executable, "-m", "agentdesk", *argv], capture_output=True, text=True, timeout=60)
    parsed = CliRunner().invoke(app, ["desk", "--db", missing, "--agent", "alice"])  # through Typer
    assert fast.returncode == parsed.exception.exit_code == 3
    assert fast.stderr.strip() == f"Error: {parsed.exception}"
