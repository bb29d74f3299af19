"""Attack class: ``exportdb show`` running a case outside the isolation, printing what the page does not hold.

``show`` runs the case as the build does (a fresh process of a worker, under
the same isolation), so a case that reads the environment, or behaves
differently outside the sandbox, prints exactly its page's Result.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from exportdb.site.generate import Settings, generate
from exportdb.tools.cli import main
from attack_support import hostile_case, innocent_case

SECRET = "s3cr3t-token-for-show"

# The Result differs between the sandbox and an unguarded process: the secret and the
# working directory (the build's, or a scratch directory), and whether a write is refused.
PROBE = '''
import os
found = os.environ.get("EXPORTDB_TEST_SECRET", "no secret")
try:
    open(PROBE_FILE, "a").close()
    wrote = "wrote outside"
except OSError:
    wrote = "write refused"
raise RuntimeError(f"{found}; {wrote}")
'''


def _probe(directory: Path, name: str) -> Path:
    return hostile_case(directory, name, PROBE.replace("PROBE_FILE", repr(str(directory.parent / "probe.txt"))))


def _page_results(page: str) -> list[list[str]]:
    """The lines of each Result code block of a generated case page (a code block has no trailing spaces)."""
    blocks = re.findall(r"^Result[^\n]*:\n\n\.\. code-block::\n\n((?:    [^\n]*\n|\n)+)", page, re.M)
    return [[line[4:] for line in block.rstrip("\n").split("\n")] for block in blocks]


def _show(case: Path, *extra: str) -> tuple[int, str]:
    out = io.StringIO()
    status = main(["show", str(case), "--timeout", "60", *extra], out=out)
    return status, out.getvalue()


@pytest.mark.parametrize("name, make", [("innocent", innocent_case), ("probe", _probe)])
def test_show_prints_the_pages_result_and_runs_the_case_isolated(tmp_path: Path, monkeypatch, capsys,
                                                                 name: str, make):
    monkeypatch.setenv("EXPORTDB_TEST_SECRET", SECRET)
    monkeypatch.chdir(tmp_path)
    cases = tmp_path / "cases"
    case = make(cases, name)
    generate(Settings(cases_dir=cases, out_dir=tmp_path / "pages", cache_dir=tmp_path / "cache", timeout=60))
    [result] = _page_results((tmp_path / "pages" / "cases" / f"{name}.rst").read_text(encoding="utf-8"))
    status, shown = _show(case)
    assert [line.rstrip() for line in shown.rstrip("\n").split("\n")] == result
    assert status == (0 if name == "innocent" else 1)
    assert SECRET not in shown and "wrote outside" not in shown
    assert not (tmp_path / "probe.txt").exists()
    if name == "probe":  # the guard reports the write; without it, the OS refuses it
        assert shown.startswith("SandboxError: ") or shown.startswith("RuntimeError: no secret; write refused")
    capsys.readouterr()


def test_show_without_isolation_is_asked_for_and_runs_in_this_process(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("EXPORTDB_TEST_SECRET", SECRET)
    case = _probe(tmp_path / "cases", "probe")
    status, shown = _show(case, "--no-isolation")
    assert status == 1 and SECRET in shown and "wrote outside" in shown and (tmp_path / "probe.txt").exists()
