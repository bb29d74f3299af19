"""Ops the tracer records besides ATen compute: ``getitem``, the ``cond`` and ``map``
higher-order ops, and symbolic-size arithmetic (``sym_size``, ``+``, ``torch.sym_min``,
``_assert_scalar``).  Their kernels are plain Python: a branch or a body is any
callable (a traced function, or a sub-graph when the interpreter runs it).
"""

from __future__ import annotations

import operator
from typing import Any, Callable

import numpy as np

from exportdb.exporter.ops.table import register

GETITEM = register("getitem", operator.getitem, form="getitem")


def _cond_kernel(pred: Any, true_fn: Callable, false_fn: Callable, operands: list) -> tuple:
    return true_fn(*operands) if bool(np.asarray(pred)) else false_fn(*operands)


def map_kernel(body: Callable, xs: list, args: list) -> tuple:
    """Run ``body`` on each leading-dim slice of ``xs`` and stack the results."""
    n = xs[0].shape[0]
    rows = [body(*(x[i] for x in xs), *args) for i in range(n)]
    return tuple(np.stack([row[k] for row in rows]) for k in range(len(rows[0]))) if rows else ()


COND = register("higher_order.cond", _cond_kernel, multi=True, tuple_arg=3)
MAP = register("higher_order.map_impl", map_kernel, multi=True)

# Ops recorded for symbolic arithmetic: printed infix (``sym_size_int_1 + 1``).
SYM_SIZE = register("aten.sym_size.int", lambda a, dim: int(a.shape[dim]), node_name="sym_size_int")


def _storage_offset(a: np.ndarray) -> int:
    """Where a view starts in the array it views (in elements); 0 for an array that owns its data."""
    root = a
    while isinstance(root.base, np.ndarray):
        root = root.base
    start, origin = a.__array_interface__["data"][0], root.__array_interface__["data"][0]
    return (start - origin) // a.itemsize if a.itemsize else 0


SYM_STORAGE_OFFSET = register("aten.sym_storage_offset.default", _storage_offset,
                              node_name="sym_storage_offset_default")
_INFIX = {"add": ("+", operator.add), "sub": ("-", operator.sub), "mul": ("*", operator.mul),
          "floordiv": ("//", operator.floordiv), "mod": ("%", operator.mod), "gt": (">", operator.gt),
          "ge": (">=", operator.ge), "lt": ("<", operator.lt), "le": ("<=", operator.le),
          "eq": ("==", operator.eq), "ne": ("!=", operator.ne), "truediv": ("/", operator.truediv)}
SYM_OPS = {name: register(f"sym.{name}", fn, form="infix", symbol=sym, node_name=name)
           for name, (sym, fn) in _INFIX.items()}
SYM_MIN = register("sym.sym_min", min, node_name="sym_min", text="torch.sym_min")
SYM_MAX = register("sym.sym_max", max, node_name="sym_max", text="torch.sym_max")
SYM_NOT = register("sym.sym_not", lambda a: not a, node_name="sym_not", text="torch.sym_not")
#: Python's ``round`` on a symbolic float (``round(truediv, None)``); the graph names it ``round_1``.
SYM_ROUND = register("sym.round", lambda x, ndigits=None: round(x), node_name="round", text="round")


def _assert_scalar(cond: Any, message: str) -> None:
    if not cond:
        raise RuntimeError(message)


ASSERT_SCALAR = register("aten._assert_scalar.default", _assert_scalar, node_name="_assert_scalar_default")
