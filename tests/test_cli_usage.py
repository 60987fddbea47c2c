"""Usage errors (bad options, unknown commands) are one line, like every other error."""

import subprocess
import sys

import pytest


@pytest.mark.parametrize("args", [
    ["demo", "--rate", "-1"],
    ["desk", "--bogus"],
    ["nonexistent"],
    ["waits", "backtest"],
])
def test_usage_errors_are_one_line(args):
    res = subprocess.run([sys.executable, "-m", "agentdesk", *args], capture_output=True, text=True, timeout=60)
    assert res.returncode == 2
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), res.stderr
    assert "--help" in lines[0]
    assert "Traceback" not in res.stderr + res.stdout


def test_closed_pipe_is_not_a_traceback(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "agentdesk", "--help"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    proc.stdout.close()  # like `agentdesk --help | head -1`
    err = proc.stderr.read()
    proc.wait(timeout=60)
    assert "Traceback" not in err


@pytest.mark.parametrize("url", ["postgresql+psycopg://agent@db/floor", "sqlite:////tmp/x.db"])
def test_demo_refuses_a_url_and_creates_nothing(url, tmp_path):
    res = subprocess.run([sys.executable, "-m", "agentdesk", "demo", "--db", url], capture_output=True,
                         text=True, timeout=60, cwd=tmp_path)
    assert res.returncode == 2
    assert res.stderr.startswith("Error: agentdesk demo runs on a local SQLite file")
    assert list(tmp_path.iterdir()) == []  # no folder named after the URL
