"""The one dispatch function every op goes through, in eager mode and while tracing.

:func:`call` runs the op's NumPy kernel on the tensors' values; when a
:class:`~exportdb.exporter.trace.graph_builder.GraphBuilder` is active it also records a node, so
tracing is "concrete": each traced tensor carries a real example value and
its node.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from exportdb.errors import ExportError
from exportdb.exporter.ir.values import TensorValue
from exportdb.exporter.ops import OpDef
from exportdb.exporter.ops.schemas import normalize
from exportdb.exporter.symbolic.shape_env import SymValue
from exportdb.exporter.trace.context import active_builder
from exportdb.exporter.trace.user_frames import user_location


class OpError(ExportError):
    """An operator rejected its inputs (shapes, dtypes or values), as torch would."""


def unwrap(value: Any) -> Any:
    """Replace every tensor inside ``value`` by its NumPy value (and every symbolic number by its example)."""
    if isinstance(value, TensorValue):
        return value._value
    if isinstance(value, SymValue):
        return value.hint
    if isinstance(value, (list, tuple)):
        return type(value)(unwrap(v) for v in value)
    if isinstance(value, dict):
        return {k: unwrap(v) for k, v in value.items()}
    return value


def run_kernel(op: OpDef, args: tuple, kwargs: dict) -> Any:
    """Run ``op``'s kernel on plain values, turning kernel failures into OpError."""
    try:
        kernel = op.traced if op.traced is not None and active_builder() is not None else op.kernel
        return kernel(*args, **kwargs)
    except ExportError:
        raise
    except (RuntimeError, ValueError, IndexError, TypeError) as exc:
        raise OpError(f"{op.qualname}: {exc}", location=user_location(),
                      hint="the same call fails in eager PyTorch; check the operands' shapes and dtypes") from None


def layout(op: OpDef, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
    """The arguments as torch.export records them for ``op``, from its ATen schema (ops/schemas.py)."""
    try:
        return normalize(op.qualname, args, kwargs)
    except TypeError as exc:
        raise OpError(str(exc), location=user_location(), hint="check the call against the op's schema") from None


def call(op: OpDef, *args: Any, **kwargs: Any) -> Any:
    """Apply ``op``: compute the result and, while tracing, record a node for it."""
    args, kwargs = layout(op, args, kwargs)
    builder = active_builder()
    if builder is not None and op.mutates is not None:
        builder.check_mutation(args[op.mutates], op)
    out = run_kernel(op, unwrap(args), unwrap(kwargs))
    if builder is not None:
        return builder.record(op, args, kwargs, out)
    if op.mutates is not None:
        return args[op.mutates]
    if isinstance(out, np.ndarray):
        return TensorValue._make(out)
    if isinstance(out, (tuple, list)):
        return tuple(TensorValue._make(o) for o in out)
    return out
