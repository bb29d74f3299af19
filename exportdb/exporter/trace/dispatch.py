"""The one dispatch function every op goes through, in eager mode and while tracing.

:func:`call` runs the op's NumPy kernel on the tensors' values; when a
:class:`~exportdb.exporter.trace.graph_builder.GraphBuilder` is active it also records a node, so
tracing is "concrete": each traced tensor carries a real example value and
its node.  :func:`user_location` finds the user's ``file:line`` for errors.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

import numpy as np

from exportdb.errors import ExportError, SourceLocation
from exportdb.exporter.ops import OpDef

if TYPE_CHECKING:
    from exportdb.exporter.trace.graph_builder import GraphBuilder

#: exportdb's own directory: frames in it are never the user's.
_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))) + os.sep
_BUILDERS: list["GraphBuilder"] = []
#: Code objects at which the walk for user frames stops (the tracer's entry).
STOP_CODES: set = set()


class OpError(ExportError):
    """An operator rejected its inputs (shapes, dtypes or values), as torch would."""


def active_builder() -> "GraphBuilder | None":
    return _BUILDERS[-1] if _BUILDERS else None


def push_builder(builder: "GraphBuilder") -> None:
    _BUILDERS.append(builder)


def pop_builder(builder: "GraphBuilder") -> None:
    assert _BUILDERS and _BUILDERS[-1] is builder, "builder stack out of order"
    _BUILDERS.pop()


class suspended:
    """Context manager: run code eagerly (no recording) in the middle of a trace."""

    def __enter__(self) -> None:
        self.saved = _BUILDERS[:]
        _BUILDERS.clear()

    def __exit__(self, *exc: Any) -> None:
        _BUILDERS[:] = self.saved


def _is_user_file(filename: str) -> bool:
    return not filename.startswith(_PACKAGE_DIR) and not filename.startswith("<frozen")


def user_stack(skip: int = 1) -> tuple[tuple[str, int, str], ...]:
    """User frames (file, line, function), outermost first, up to the tracer's entry."""
    frame = sys._getframe(skip)
    frames = []
    while frame is not None:
        code = frame.f_code
        if code in STOP_CODES:
            break
        if _is_user_file(code.co_filename):
            frames.append((code.co_filename, frame.f_lineno, code.co_name))
        frame = frame.f_back
    frames.reverse()
    return tuple(frames)


def user_location() -> SourceLocation | None:
    """The innermost user frame, for error messages."""
    frame = sys._getframe(1)
    while frame is not None:
        code = frame.f_code
        if _is_user_file(code.co_filename):
            return SourceLocation(code.co_filename, frame.f_lineno, code.co_name)
        if code in STOP_CODES:
            break
        frame = frame.f_back
    return None


def unwrap(value: Any) -> Any:
    """Replace every tensor inside ``value`` by its NumPy value."""
    from exportdb.exporter.frontend.tensor import Tensor

    if isinstance(value, Tensor):
        return value._value
    if hasattr(value, "recipe"):  # a SymInt/SymBool: kernels see its example value
        return value.hint
    if isinstance(value, (list, tuple)):
        return type(value)(unwrap(v) for v in value)
    if isinstance(value, dict):
        return {k: unwrap(v) for k, v in value.items()}
    return value


def run_kernel(op: OpDef, args: tuple, kwargs: dict) -> Any:
    """Run ``op``'s kernel on plain values, turning kernel failures into OpError."""
    try:
        return op.kernel(*args, **kwargs)
    except ExportError:
        raise
    except (RuntimeError, ValueError, IndexError, TypeError) as exc:
        raise OpError(f"{op.qualname}: {exc}", location=user_location(),
                      hint="the same call fails in eager PyTorch; check the operands' shapes and dtypes") from None


def call(op: OpDef, *args: Any, **kwargs: Any) -> Any:
    """Apply ``op``: compute the result and, while tracing, record a node for it."""
    from exportdb.exporter.frontend.tensor import Tensor

    builder = active_builder()
    if builder is not None and op.mutates is not None:
        builder.check_mutation(args[op.mutates], op)
    out = run_kernel(op, unwrap(args), unwrap(kwargs))
    if builder is not None:
        return builder.record(op, args, kwargs, out)
    if op.mutates is not None:
        return args[op.mutates]
    if isinstance(out, np.ndarray):
        return Tensor._make(out)
    if isinstance(out, (tuple, list)):
        return tuple(Tensor._make(o) for o in out)
    return out
