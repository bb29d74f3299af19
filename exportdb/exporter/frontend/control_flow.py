"""``cond`` and ``map`` for case files, and the ``torch.ops`` namespace.

Outside export they simply run (``cond`` calls the branch the predicate picks);
while tracing they record the higher-order ops (see :mod:`exportdb.exporter.trace.higher_order`).
"""

from __future__ import annotations

from typing import Any

from exportdb.exporter.trace import higher_order as hops
from exportdb.exporter.trace.context import active_builder
from exportdb.exporter.trace.dispatch import call
from exportdb.exporter.trace.user_frames import user_location
from exportdb.errors import CondError, UnsupportedAPIError
from exportdb.exporter.frontend.functions import stack
from exportdb.exporter.ir import pytree
from exportdb.exporter.ir.values import TensorValue
from exportdb.exporter.ops import OPS, OpDef


def cond(pred: Any, true_fn: Any, false_fn: Any, operands: Any = ()) -> Any:
    """``torch.cond``: ``true_fn(*operands)`` if ``pred`` else ``false_fn(*operands)``."""
    builder = active_builder()
    if builder is not None:
        return hops.trace_cond(builder, pred, true_fn, false_fn, operands)
    operands = hops._check_operands(operands, "cond")
    if isinstance(pred, TensorValue):
        if pred.numel() != 1:
            raise CondError(f"cond predicate has {pred.numel()} elements: it must be a tensor with only one element "
                            "or a boolean expression", location=user_location())
        taken = bool(pred._value.reshape(()))
    else:
        taken = bool(pred)
    return true_fn(*operands) if taken else false_fn(*operands)


def map(body: Any, xs: Any, *args: Any) -> Any:  # noqa: A001 - torch's name
    """``functorch.experimental.control_flow.map``: apply ``body`` to each slice of ``xs`` along dim 0."""
    builder = active_builder()
    if builder is not None:
        return hops.trace_map(builder, body, xs, args)
    if isinstance(xs, (tuple, list)):
        rows = [body(type(xs)(t[i] for t in xs), *args) for i in range(len(xs[0]))]
    else:
        rows = [body(x, *args) for x in xs]
    leaves = [pytree.tree_flatten(r)[0] for r in rows]
    spec = pytree.tree_flatten(rows[0])[1]
    return pytree.tree_unflatten([stack([leaf[k] for leaf in leaves]) for k in range(len(leaves[0]))], spec)


class _OpOverloadPacket:
    """``torch.ops.aten.add``: its overloads (``.Tensor``, ``.default``) are callable."""

    def __init__(self, namespace: str, name: str):
        self._qual = f"{namespace}.{name}"

    def __getattr__(self, overload: str) -> Any:
        op = OPS.get(f"{self._qual}.{overload}")
        if op is None:
            raise UnsupportedAPIError(f"torch.ops.{self._qual}.{overload} is not in the built-in op table",
                                      location=user_location())
        return _CallableOp(op)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return getattr(self, "default")(*args, **kwargs)


class _CallableOp:
    def __init__(self, op: OpDef):
        self.op = op

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return call(self.op, *args, **kwargs)


class _OpNamespace:
    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        if not any(q.startswith(f"{self._name}.{name}.") for q in OPS):
            raise UnsupportedAPIError(f"torch.ops.{self._name}.{name} is not provided by the built-in front end",
                                      location=user_location())
        return _OpOverloadPacket(self._name, name)


class _HigherOrderNamespace:
    cond = staticmethod(cond)
    map_impl = staticmethod(map)


class _Ops:
    aten = _OpNamespace("aten")
    higher_order = _HigherOrderNamespace()


OPS_NAMESPACE = _Ops()
