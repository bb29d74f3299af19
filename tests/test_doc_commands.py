"""Every shell command shown in the README and the docs runs, in a scratch copy of the project.

Commands come from the README's ``sh`` blocks and the docs' ``.. code-block:: sh``
blocks, in document order; each document gets its own scratch copy, so a page
that creates a case and then shows it runs as a reader would follow it. A few
commands are not run here, or run scaled down, each for the reason given in
:data:`RUN_BY_CI` and :data:`SCALED`; a table entry that no document shows any
more fails the test, so the tables cannot go stale.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.rst"))]

#: Commands this test does not run, and what runs them instead.
RUN_BY_CI = {
    "python -m pip install -e . && sphinx-build -W -n docs docs/_build/html":
        "the Quick start's first command: .ci/run runs it as written, in a fresh venv",
    "python -m pip install -e '.[test]' && python -m pytest -q":
        "the Quick start's second command: .ci/run runs it as written, in a fresh venv",
    "python -m pip install -e '.[test]'": "the install step of the Quick start's second command (.ci/run)",
    "apt-get install -y chromium chromium-driver": "a system package: .ci/run installs it when missing",
    "python -m pytest -q tests/test_browser.py": "part of the suite this test belongs to",
    "exportdb serve": "runs until interrupted: tests/test_bench.py serves a small site, edits a case "
                      "and waits for the rebuilt page (exportdb bench --only serve times it on this site)",
    "exportdb serve --port 8001": "runs until interrupted, as exportdb serve",
    "python -m pip install -e '.[serve]'": "an install step; the test extra, which .ci/run installs, includes it",
    "python -m exportdb.tools.dump_op_schemas":
        "rewrites the checked-in schema file of the installed package; its --check form runs here",
}

#: Commands whose full run takes minutes to hours (their figures come from recorded runs): run
#: here through the same code path with a smaller size.
SCALED = {
    "exportdb bench": "exportdb bench --only engines --repeats 1",
    "exportdb fuzz --programs 10000": "exportdb fuzz --programs 20 --torch-every 0",
    "exportdb compare": "exportdb compare cond_nested closure_scale_factor",
    "exportdb bench --record docs/benchmarks/bench.json":
        "exportdb bench --only engines --repeats 1 --record docs/benchmarks/bench.json",
    "exportdb compare --record docs/benchmarks/compare.json":
        "exportdb compare cond_nested closure_scale_factor --record docs/benchmarks/compare.json",
    "exportdb compare --cases \"$(python -c 'import torch, os; print(os.path.dirname(torch.__file__))')/_export/db/"
    "examples\" --record-label torch/_export/db/examples --record docs/benchmarks/compare_torch_examples.json":
        "exportdb compare --cases \"$(python -c 'import torch, os; print(os.path.dirname(torch.__file__))')/_export/"
        "db/examples\" nested_function --record-label torch/_export/db/examples "
        "--record docs/benchmarks/compare_torch_examples.json",
    "exportdb conformance ops --jobs 2 --record docs/conformance/ops.json":
        "exportdb conformance ops --ops add --jobs 2 --record docs/conformance/ops.json",
    "exportdb conformance modules --record docs/conformance/modules.json":
        "exportdb conformance modules --modules Linear --limit 1 --record docs/conformance/modules.json",
    "exportdb conformance modules --ci": "exportdb conformance modules --ci --limit 1",
}

#: Exit statuses other than 0 that a command is shown to have where it stands.
EXPECTED_STATUS = {
    # contributing.rst scaffolds a case and checks it before its author has written its description
    ("contributing.rst", "exportdb check"): 1,
}


def shown_commands(path: Path) -> list[str]:
    """The command lines of ``path``'s shell blocks, comments removed, in order."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".md":
        blocks = re.findall(r"^```(?:sh|bash|console|shell)\n(.*?)^```", text, re.M | re.S)
    else:
        blocks = [m.group(3) for m in re.finditer(
            r"^( *)\.\. code-block:: (sh|bash|console|shell)\n((?:\1 {2,}.*\n|[ \t]*\n)+)", text, re.M)]
    commands = []
    for block in blocks:
        for line in block.splitlines():
            line = re.sub(r"\s+#\s.*$", "", line.strip())
            if line and not line.startswith("#"):
                commands.append(line)
    return commands


def test_the_tables_name_only_commands_the_documents_show():
    shown = {command for path in DOCUMENTS for command in shown_commands(path)}
    assert not set(RUN_BY_CI) - shown and not set(SCALED) - shown, \
        f"no document shows {sorted((set(RUN_BY_CI) | set(SCALED)) - shown)} any more: drop them from the tables"
    assert len(shown) >= 20


def scratch_copy(tmp: Path) -> Path:
    """The project's files (not its git data, builds or caches) under ``tmp``."""
    ignore = shutil.ignore_patterns(".git", "_build", ".exportdb-cache", "__pycache__", "*.egg-info",
                                    "artifacts", ".pytest_cache", "generated")
    return Path(shutil.copytree(ROOT, tmp / "project", ignore=ignore))


@pytest.mark.parametrize("document", [p for p in DOCUMENTS if shown_commands(p)], ids=lambda p: p.name)
def test_every_command_shown_runs(document: Path, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory):
    pytest.importorskip("torch", reason="several documented commands compare with torch.export; "
                                        "install it with pip install -e '.[test]'")
    project = scratch_copy(tmp_path)
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path_factory.getbasetemp() / "doc-commands-cache")}
    for shown in shown_commands(document):
        if shown in RUN_BY_CI:
            continue
        command = SCALED.get(shown, shown)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        run = subprocess.run(["bash", "-c", command], cwd=project, env=env, capture_output=True, text=True,
                             timeout=900)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        print(f"{document.name}: {cpu:6.1f} s CPU  {command}")  # shown with pytest -s: what the test costs
        want = EXPECTED_STATUS.get((document.name, shown), 0)
        assert run.returncode == want, (
            f"{document.name}: `{command}` exited {run.returncode}, not {want}\n"
            f"stdout:\n{run.stdout[-3000:]}\nstderr:\n{run.stderr[-3000:]}")
        assert "Traceback (most recent call last)" not in run.stderr, f"{document.name}: `{command}`\n{run.stderr}"
