"""What the package declares about itself holds: the Python versions it supports."""

from __future__ import annotations

import os
import re
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def declared_minimum() -> tuple[int, int]:
    spec = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["requires-python"]
    match = re.fullmatch(r">=\s*(\d+)\.(\d+)", spec.strip())
    assert match, f"requires-python should be a plain lower bound, got {spec!r}"
    return int(match.group(1)), int(match.group(2))


def test_the_running_python_is_supported():
    assert sys.version_info[:2] >= declared_minimum()


@pytest.mark.skipif(not os.environ.get("CI"), reason="CI pins the interpreter to the declared minimum; "
                                                      "a developer machine may run a newer one")
def test_ci_runs_on_the_declared_minimum():
    """The suite passing in CI is the check that the declared floor works: CI runs that floor."""
    assert sys.version_info[:2] == declared_minimum()
