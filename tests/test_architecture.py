"""The package's architecture holds: layers depend one way, and no module imports itself in a circle.

The layer contracts live in ``pyproject.toml`` (``[tool.importlinter]``) and are
checked by ``lint-imports``, which CI runs; this test runs the same check and
also looks for import cycles between single modules, which layer contracts
cannot see (two modules of one package importing each other).  Imports made
only for type checkers (``if TYPE_CHECKING:``) are not run, so they do not count.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

grimp = pytest.importorskip("grimp", reason="grimp comes with the test extra: pip install -e '.[test]'")

ROOT = Path(__file__).resolve().parents[1]


def _cycles() -> list[list[str]]:
    """Strongly connected groups of more than one module in exportdb's import graph."""
    graph = grimp.build_graph("exportdb", include_external_packages=False, exclude_type_checking_imports=True)
    edges = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in graph.modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(root: str) -> None:
        # Tarjan's algorithm, iteratively (the graph is deep enough to matter for recursion).
        work = [(root, iter(edges[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges[child])))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))

    for module in sorted(edges):
        if module not in index:
            visit(module)
    return groups


def test_no_import_cycles_between_modules():
    cycles = _cycles()
    assert not cycles, "modules importing each other in a circle:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_the_cycle_finder_finds_a_cycle(tmp_path, monkeypatch):
    package = tmp_path / "exportdb"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from exportdb import b\n")
    (package / "b.py").write_text("def f():\n    from exportdb import a\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in [m for m in sys.modules if m == "exportdb" or m.startswith("exportdb.")]:
        monkeypatch.delitem(sys.modules, name)
    assert _cycles() == [["exportdb.a", "exportdb.b"]]


def test_layer_contracts_hold():
    lint = shutil.which("lint-imports")
    if lint is None:
        pytest.skip("lint-imports (import-linter) is not installed: pip install -e '.[test]'")
    done = subprocess.run([lint, "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
