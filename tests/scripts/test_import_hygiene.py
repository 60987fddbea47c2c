"""The engines stay light: importing them loads no UI, database or heavy library."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("textual", "sqlalchemy", "sqlmodel", "agentdesk.store", "numpy", "sklearn", "rich")


def loaded_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys; print('\\n'.join(sys.modules))"],
        capture_output=True, text=True, check=True,
    ).stdout.split()
    return {m for m in out if any(m == h or m.startswith(h + ".") for h in HEAVY)}


def test_engine_use_loads_nothing_heavy():
    code = (
        "from agentdesk.scripts import analyze, suggest, load_library, check_draft, fill\n"
        "r = analyze('This is the third time, still broken!!')\n"
        "s = suggest(r)\n"
        "fill(load_library().get(s[0].script_id), {})\n"
        "check_draft('calm down')\n"
    )
    assert loaded_after(code) == set()


def test_package_import_is_lazy():
    out = subprocess.run(
        [sys.executable, "-c", "import agentdesk.scripts, sys; print('agentdesk.scripts.tone' in sys.modules)"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    assert out == "False"
