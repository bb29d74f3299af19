"""Helpers shared by the generator tests (registry, runner, render, CLI, Sphinx)."""

from __future__ import annotations

import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CASES = REPO / "cases"


def write_case(directory: Path, name: str, body: str) -> Path:
    """Write ``directory/name.py`` with ``body`` dedented; return the path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.py"
    path.write_text(textwrap.dedent(body).lstrip("\n"), encoding="utf-8")
    return path


def good_case(directory: Path, name: str = "good_case", tags: str = '{"python.closure"}',
              extra: str = "") -> Path:
    """A small valid case: a closure that doubles its input."""
    return write_case(directory, name, textwrap.dedent(f'''
        import torch


        class Doubler(torch.nn.Module):
            """Doubles its input through a nested function."""

            def forward(self, x):
                def twice(t):
                    return t * 2

                return twice(x)


        example_args = (torch.randn(3, 2),)
        tags = {tags}
        model = Doubler()
        ''') + textwrap.dedent(extra).strip("\n") + "\n")
