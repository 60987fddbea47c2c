"""The package facade: generator names resolve lazily; unknown names fail plainly."""

from __future__ import annotations

import subprocess
import sys

import pytest

import agentdesk.demo as demo
from agentdesk.demo import generate


def test_generator_names_resolve():
    assert demo.build_plan is generate.build_plan
    assert demo.Traffic is generate.Traffic


def test_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'nonsense'"):
        demo.nonsense  # noqa: B018


def test_importing_the_package_loads_nothing_else():
    code = "import sys, agentdesk.demo; print(sorted(m for m in sys.modules if m.startswith('agentdesk.demo')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['agentdesk.demo']"
