"""Fixtures shared across test modules."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator_support import CASES, REPO

# Malformed and hostile case files (syntax errors, infinite loops, ...): data for
# test_bad_cases.py, never test modules.
collect_ignore_glob = ["bad_cases/*"]


@pytest.fixture(scope="session", autouse=True)
def private_result_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The shared result cache (``$XDG_CACHE_HOME/exportdb``) of this test session only: tests
    neither read what earlier runs cached (a test that edits a case expects it to run again)
    nor fill the user's own cache."""
    before = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))
    yield
    if before is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = before


@dataclass(frozen=True)
class BuiltSite:
    """The project's docs/ built by Sphinx (nitpicky; warnings collected, not fatal)."""

    status: int  # sphinx-build's exit status
    html: Path  # the output directory
    warnings: str  # what Sphinx wrote to its warning file

    @property
    def clean(self) -> bool:
        """What ``sphinx-build -W`` would call a success: no error and no warning."""
        return self.status == 0 and not self.warnings.strip()


@pytest.fixture(scope="session")
def project_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """Build a copy of docs/ once per session (it takes a while with the torch engine).

    Warnings are written to a file rather than turned into errors, so that a
    warning (checked by the Sphinx build test) still leaves a site to browse.
    """
    from sphinx.cmd.build import build_main

    if not (REPO / "docs" / "conf.py").is_file():
        pytest.skip("the docs/ project is not present")
    root = tmp_path_factory.mktemp("project-site")
    src = root / "docs"
    shutil.copytree(REPO / "docs", src, ignore=shutil.ignore_patterns("_build", "generated"))
    (root / "cases").symlink_to(CASES)  # conf.py and literalinclude look in ../cases
    out = root / "html"
    log = root / "warnings.txt"
    status = build_main(["-n", "-q", "-w", str(log), "-D", "exportdb_jobs=2", str(src), str(out)])
    return BuiltSite(status, out, log.read_text() if log.exists() else "")
