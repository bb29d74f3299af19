"""exportdb's own modules compiled once, into exportdb's cache, for the worker processes to import.

Every worker is a fresh interpreter that imports the exporter (a hundred
modules) before it runs its first case, and that start-up is on the path of
every one-case rebuild.  A worker never writes ``.pyc`` files (its sources are
read-only inside the sandbox, and lazy imports during a case must not write
anything), so unless some other process happened to compile exportdb with
bytecode writing on, each worker compiled every module from source: about a
quarter of a second, on every start, and always where ``PYTHONDONTWRITEBYTECODE``
is set.

So the runner compiles the package with :mod:`compileall` into
``$XDG_CACHE_HOME/exportdb/bytecode/`` (:func:`prepared_dir`: only what is missing or
older than its source; ``sys.pycache_prefix`` lays the files out), and a worker
given that directory (:data:`BYTECODE_ENV`) installs :class:`CachedBytecodeFinder`
first thing, which loads ``exportdb`` modules through the standard source
loader but reads their bytecode from there (Python checks each file against
its source's modification time and size, as for any ``.pyc``, and compiles
the source when they differ).  Nothing else changes: other packages keep
their own ``__pycache__``, module ``__file__`` and tracebacks name the sources.
"""

from __future__ import annotations

import compileall
import importlib.abc
import importlib.machinery
import os
import sys
import threading
from pathlib import Path
from typing import Any

import exportdb

BYTECODE_ENV = "EXPORTDB_BYTECODE"  # the directory a worker reads exportdb's bytecode from
PACKAGE = "exportdb"
_PREFIX_LOCK = threading.Lock()  # sys.pycache_prefix is process-wide: one user at a time
_PREPARED: dict[str, Path | None] = {}


def prepared_dir(cache_root: Path) -> Path | None:
    """Compile what is stale of the exportdb package into ``cache_root/bytecode/TAG``, once per
    process; the directory, or None when it cannot be written (workers then compile from source)."""
    key = str(cache_root)
    if key not in _PREPARED:
        target = cache_root / "bytecode" / (sys.implementation.cache_tag or "python")
        _PREPARED[key] = target if _compile_package(target) else None
    return _PREPARED[key]


def _compile_package(target: Path) -> bool:
    package_dir = os.path.dirname(os.path.realpath(exportdb.__file__))
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    with _PREFIX_LOCK:
        saved = sys.pycache_prefix
        sys.pycache_prefix = str(target)
        try:
            compileall.compile_dir(package_dir, quiet=2)  # a module that does not compile is compiled (and
            return True  # reported) by the worker that imports it
        except OSError:
            return False
        finally:
            sys.pycache_prefix = saved


class _CachedBytecodeLoader(importlib.machinery.SourceFileLoader):
    """The source loader, reading (never writing) bytecode under the cache directory."""

    prefix = ""

    def get_code(self, fullname: str) -> Any:
        with _PREFIX_LOCK:  # get_code reads and compiles only: it imports nothing
            saved = sys.pycache_prefix
            sys.pycache_prefix = self.prefix
            try:
                return super().get_code(fullname)
            finally:
                sys.pycache_prefix = saved

    def set_data(self, path: str, data: bytes, *, _mode: int = 0o666) -> None:
        return None  # the parent alone writes the cache


class CachedBytecodeFinder(importlib.abc.MetaPathFinder):
    """Finds ``exportdb`` modules as the other finders do, and loads them with :class:`_CachedBytecodeLoader`."""

    def __init__(self, prefix: str):
        self.prefix = prefix

    def find_spec(self, name: str, path: Any, target: Any = None) -> Any:
        if name != PACKAGE and not name.startswith(PACKAGE + "."):
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is None:
                continue
            loader = spec.loader
            if type(loader) is importlib.machinery.SourceFileLoader:
                cached = _CachedBytecodeLoader(loader.name, loader.path)
                cached.prefix = self.prefix
                spec.loader = cached
            return spec
        return None


def install_from_environment() -> None:
    """In a worker: read exportdb's bytecode from the directory the runner named, if any."""
    prefix = os.environ.get(BYTECODE_ENV)
    if prefix and os.path.isdir(prefix):
        sys.meta_path.insert(0, CachedBytecodeFinder(prefix))
