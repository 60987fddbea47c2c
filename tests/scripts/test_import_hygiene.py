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


def test_every_public_name_is_what_it_says_whatever_was_imported_first():
    # the console imports the engine's modules directly; a submodule named like one of
    # the package's functions used to replace it ("from agentdesk.scripts import
    # suggest" then gave the module, and calling it failed)
    code = (
        "import importlib, pkgutil, agentdesk.scripts as pkg\n"
        "for m in pkgutil.iter_modules(pkg.__path__):\n"
        "    importlib.import_module('agentdesk.scripts.' + m.name)\n"
        "import types\n"
        "bad = [n for n in pkg.__all__ if isinstance(getattr(pkg, n), types.ModuleType)]\n"
        "from agentdesk.scripts import suggest, analyze, fill, check_draft, load_library\n"
        "assert callable(suggest) and not isinstance(suggest, types.ModuleType), suggest\n"
        "print(bad)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
