"""Load a case file as a Python module.

With ``frontend="builtin"`` (the default) the imports of ``torch``, ``torch.*``
and ``functorch.*`` made *by the case file* resolve to exportdb's NumPy front
end.  Nothing is put into ``sys.modules`` under those names, so a real PyTorch
(if installed) keeps working in the same process.  With ``frontend="torch"``
the case is loaded with the real PyTorch.
"""

from __future__ import annotations

import builtins
import difflib
import hashlib
import os
import sys
import traceback
import types
from pathlib import Path
from typing import Any

from exportdb.errors import CaseLoadError, ExportError, SourceLocation

FRONTENDS = ("builtin", "torch")
CASE_MODULE_PREFIX = "exportdb_case_"  # the sys.modules name of every loaded case starts so
_REDIRECTED_ROOTS = ("torch", "functorch")


def _redirecting_import(resolve):
    real_import = builtins.__import__

    def _import(name, globals=None, locals=None, fromlist=(), level=0):
        root = name.partition(".")[0]
        if level == 0 and root in _REDIRECTED_ROOTS:
            module = resolve(name)
            return module if fromlist else resolve(root)
        return real_import(name, globals, locals, fromlist, level)

    return _import


def _builtins_for(frontend: str) -> dict[str, Any]:
    namespace = dict(vars(builtins))
    if frontend == "builtin":
        from exportdb.exporter.frontend.modules import resolve  # start-up: only the builtin front end loads NumPy
        from exportdb.exporter.symbolic.shape_env import python_max, python_min

        namespace["__import__"] = _redirecting_import(resolve)
        namespace["max"], namespace["min"] = python_max, python_min  # over sizes: sym_max/sym_min, as dynamo
    return namespace


def read_source(path: Path) -> str:
    """Read a case file as UTF-8, turning decoding problems into a CaseLoadError."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CaseLoadError(
            f"file is not valid UTF-8 (byte {exc.start})",
            location=SourceLocation(str(path), line),
            hint="save the case file as UTF-8",
        ) from None


def _innermost_frame_in(path: str, tb) -> int | None:
    line = None
    for frame, lineno in traceback.walk_tb(tb):
        if frame.f_code.co_filename == path:
            line = lineno
    return line


def _misspelling_hint(exc: BaseException) -> str | None:
    """``did you mean SupportLevel.NOT_SUPPORTED_YET?`` for an AttributeError on a misspelt name."""
    if not isinstance(exc, AttributeError) or not isinstance(getattr(exc, "name", None), str):
        return None
    owner = getattr(exc, "obj", None)
    try:
        names = [n for n in dir(owner) if not n.startswith("_")]
    except Exception:  # noqa: BLE001 - an object whose dir() fails gets no suggestion
        return None
    close = difflib.get_close_matches(exc.name, names, n=1, cutoff=0.75)
    if not close:
        return None
    prefix = f"{owner.__name__}." if isinstance(owner, type) or isinstance(owner, types.ModuleType) else ""
    return f"did you mean {prefix}{close[0]}?"


def load_case_module(path: str | Path, frontend: str = "builtin") -> types.ModuleType:
    """Execute the case file at ``path`` and return it as a module object.

    Raises :class:`CaseLoadError` naming ``file:line`` when the file does not
    compile or raises while it runs (an :class:`ExportError` raised by the front
    end, such as an unsupported API, is passed through unchanged).
    """
    if frontend not in FRONTENDS:
        raise ValueError(f"unknown frontend {frontend!r}; expected one of {FRONTENDS}")
    path = Path(os.path.abspath(path))  # not resolve(): no symlink walk (registry paths are checked up front)
    source = read_source(path)
    filename = str(path)
    try:
        code = compile(source, filename, "exec", dont_inherit=True)
    except SyntaxError as exc:
        raise CaseLoadError(
            f"syntax error: {exc.msg}",
            location=SourceLocation(filename, exc.lineno or 1),
            hint="fix the Python syntax of the case file",
        ) from None
    digest = hashlib.sha1(filename.encode()).hexdigest()[:10]
    module = types.ModuleType(f"{CASE_MODULE_PREFIX}{path.stem}_{digest}_{frontend}")
    module.__file__ = filename
    module.__dict__["__builtins__"] = _builtins_for(frontend)
    sys.modules[module.__name__] = module  # lets dataclasses & pickling find the module
    try:
        exec(code, module.__dict__)
    except ExportError:
        sys.modules.pop(module.__name__, None)
        raise
    except BaseException as exc:  # noqa: BLE001 - any failure of user code is reported
        sys.modules.pop(module.__name__, None)
        if isinstance(exc, (KeyboardInterrupt, SystemExit)) and not isinstance(exc, SystemExit):
            raise
        line = _innermost_frame_in(filename, exc.__traceback__) or 1
        kind = "import error" if isinstance(exc, ImportError) else f"{type(exc).__name__} while loading"
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise CaseLoadError(
            f"{kind}: {detail}",
            location=SourceLocation(filename, line),
            hint=_misspelling_hint(exc) or "the case file must run top to bottom without errors",
        ) from None
    return module
