"""Run a graph on NumPy values, and ``ep.module()``: an exported program as a callable."""

from __future__ import annotations

from typing import Any

import numpy as np

from exportdb.exporter.ir import dtypes
from exportdb.exporter.ir import pytree
from exportdb.errors import ExportError, InputError
from exportdb.exporter.ir.graph import Graph, Node, map_nodes
from exportdb.exporter.ir.signature import InputKind
from exportdb.exporter.ir.tensor_meta import TensorMeta
from exportdb.exporter.ir.values import TensorValue


class SubgraphCallable:
    """What a ``get_attr`` node evaluates to: calling it runs the sub-graph."""

    def __init__(self, graph: Graph, name: str):
        self.graph = graph
        self.name = name

    def __call__(self, *inputs: Any) -> tuple:
        return tuple(run_graph(self.graph, list(inputs)))


class InterpreterError(ExportError):
    """A node failed while the exported program ran."""


def run_graph(graph: Graph, inputs: list[Any]) -> list[Any]:
    """Evaluate ``graph`` on ``inputs`` (one per placeholder); return the flat outputs."""
    env: dict[Node, Any] = {}
    placeholders = graph.placeholders
    if len(inputs) != len(placeholders):
        raise InputError(f"graph expects {len(placeholders)} inputs, got {len(inputs)}")
    for node, value in zip(placeholders, inputs):
        env[node] = value
    for node in graph.nodes[len(placeholders):]:
        if node.op == "get_attr":
            env[node] = SubgraphCallable(graph.subgraphs[node.target], node.target)
        elif node.op == "call_function":
            args = map_nodes(node.args, env.__getitem__)
            kwargs = map_nodes(node.kwargs, env.__getitem__)
            try:
                env[node] = node.target.kernel(*args, **kwargs)
            except ExportError:
                raise
            except Exception as exc:  # noqa: BLE001 - wrapped with the node that failed
                raise InterpreterError(f"while executing {node.name} = {node.target!r}(...): {type(exc).__name__}: {exc}") from exc
        elif node.op == "output":
            return list(map_nodes(node.args[0], env.__getitem__))
    raise InterpreterError("graph has no output node")


def _check_input(name: str, meta: Any, value: Any, bindings: dict) -> Any:
    if isinstance(meta, TensorMeta):
        if not isinstance(value, (TensorValue, np.ndarray)):
            raise InputError(f"input {name}: expected a tensor, got {type(value).__name__}")
        array = value._value if isinstance(value, TensorValue) else value
        got = dtypes.from_numpy(array.dtype)
        if got != meta.dtype:
            raise InputError(f"input {name}: expected dtype {meta.dtype.name}, got {got.name}")
        if len(array.shape) != len(meta.shape):
            raise InputError(f"input {name}: expected {len(meta.shape)} dimensions, got {len(array.shape)}")
        for dim, (want, have) in enumerate(zip(meta.shape, array.shape)):
            if not isinstance(want, int) and want.constant is not None:
                want = want.constant  # a dynamic dim a guard specialised
            if isinstance(want, int):
                if want != have:
                    raise InputError(f"input {name}: dimension {dim} must be {want} (the program was exported for "
                                     f"{meta.annotation()}), got {have}")
            else:
                bindings.setdefault(want.env.simplify(want.expr), []).append((name, dim, have))
        return array
    if meta is not None and value != meta:
        raise InputError(f"input {name}: the program was specialized to the constant {meta!r}, got {value!r}")
    return value


def check_dynamic_sizes(env: Any, bindings: dict) -> None:
    """Solve the symbols from the inputs' sizes, then check ranges and guards."""
    import sympy

    values: dict = {}
    for expr, uses in bindings.items():
        if expr.is_Symbol:
            name, dim, size = uses[0]
            values[expr] = size
            for other, odim, osize in uses[1:]:
                if osize != size:
                    raise InputError(f"input {other}: dimension {odim} is {osize} but must equal dimension {dim} of "
                                     f"{name} ({size}); both are {expr}")
    for expr, uses in bindings.items():
        missing = expr.free_symbols - set(values)
        if len(missing) == 1:  # a derived dim whose root appears nowhere else: solve it
            sym = missing.pop()
            solved = sympy.solve(sympy.Eq(expr, uses[0][2]), sym)
            if not solved or not solved[0].is_integer:
                name, dim, size = uses[0]
                raise InputError(f"input {name}: dimension {dim} is {size}, which is not of the form {expr}")
            values[sym] = int(solved[0])
        for name, dim, size in uses:
            want = int(expr.xreplace(values))
            if want != size:
                raise InputError(f"input {name}: dimension {dim} must be {expr} = {want}, got {size}")
    for sym, value in values.items():
        lo, hi = env.ranges[sym]
        if not (lo <= value <= hi):
            name, dim, _ = next(u for e, us in bindings.items() for u in us if sym in e.free_symbols)
            raise InputError(f"input {name}: dimension {dim} is {value}, outside the range "
                             f"[{lo}, {'int_oo' if hi == sympy.oo else hi}] of {sym}")
    for guard, where in env.guards:
        if not bool(guard.xreplace(values)):
            raise InputError(f"inputs break the guard {guard} that export recorded at {where}",
                             hint="the exported program is only valid where its guards hold")


class ExportedModule:
    """Callable with the same signature as the exported model's ``forward``."""

    def __init__(self, ep: Any):
        self.ep = ep
        self.state = {k: v.copy() for k, v in ep.state_dict.items()}
        self.constants = {k: v.copy() for k, v in ep.constants.items()}

    def _user_leaves(self, args: tuple, kwargs: dict) -> list[Any]:
        try:
            bound = self.ep.forward_signature.bind(*args, **kwargs)
        except TypeError as exc:
            raise InputError(f"inputs do not match forward{self.ep.forward_signature}: {exc}") from None
        sig = self.ep.forward_signature
        order = pytree.input_order(sig, bound, kwargs)  # as at export: keyword inputs in the caller's order
        return [leaf for _, leaf in pytree.flatten_user_inputs(sig, bound, order)]

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        leaves = iter(self._user_leaves(args, kwargs))
        inputs = []
        bindings: dict = {}
        for spec, node in zip(self.ep.graph_signature.input_specs, self.ep.graph.placeholders):
            if spec.kind is InputKind.USER_INPUT:
                value = next(leaves, None)
                inputs.append(_check_input(node.name, node.meta.get("val"), value, bindings))
            elif spec.kind in (InputKind.PARAMETER, InputKind.BUFFER):
                inputs.append(self.state[spec.target])
            else:
                inputs.append(self.constants[spec.target])
        if bindings:
            check_dynamic_sizes(self.ep.shape_env, bindings)
        flat = run_graph(self.ep.graph, inputs)
        wrapped = [TensorValue._make(v) if isinstance(v, np.ndarray) else v for v in flat]
        return pytree.tree_unflatten(wrapped, self.ep.out_spec)
