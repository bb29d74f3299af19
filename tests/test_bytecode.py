"""Workers import exportdb from bytecode compiled once into exportdb's cache (exportdb.execution.bytecode)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import exportdb
from exportdb.execution import bytecode

PACKAGE_DIR = Path(os.path.realpath(exportdb.__file__)).parent


def _cached_path(source: Path, prefix: Path) -> Path:
    saved = sys.pycache_prefix
    sys.pycache_prefix = str(prefix)
    try:
        return Path(importlib.util.cache_from_source(str(source)))
    finally:
        sys.pycache_prefix = saved


def test_the_cache_holds_every_module_of_the_package(tmp_path: Path):
    target = bytecode.prepared_dir(tmp_path)
    assert target is not None and target.is_relative_to(tmp_path)
    sources = sorted(PACKAGE_DIR.rglob("*.py"))
    assert len(sources) > 100
    missing = [str(s) for s in sources if not _cached_path(s, target).is_file()]
    assert missing == []
    assert sys.pycache_prefix is None or not str(sys.pycache_prefix).startswith(str(tmp_path))


def test_a_worker_imports_the_exporter_from_the_cache_without_compiling(tmp_path: Path):
    target = bytecode.prepared_dir(tmp_path)
    code = textwrap.dedent("""
        import importlib._bootstrap_external as external
        import exportdb.execution.bytecode as b
        b.install_from_environment()
        compiled = []
        original = external.SourceLoader.source_to_code
        def counting(self, data, path, *, _optimize=-1):
            compiled.append(path)
            return original(self, data, path, _optimize=_optimize)
        external.SourceLoader.source_to_code = counting
        import exportdb.exporter.trace.export as module
        print(type(module.__spec__.loader).__name__, module.__file__)
        print(len([p for p in compiled if "exportdb" in p]))
    """)
    env = {**os.environ, bytecode.BYTECODE_ENV: str(target), "PYTHONDONTWRITEBYTECODE": "1"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    loader_line, compiled = out.splitlines()
    assert loader_line.split() == ["_CachedBytecodeLoader", str(PACKAGE_DIR / "exporter" / "trace" / "export.py")]
    assert compiled == "0"


def test_an_unwritable_cache_leaves_workers_compiling_from_source(tmp_path: Path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    assert bytecode.prepared_dir(blocker / "cache") is None
