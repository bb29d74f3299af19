"""Reading ``dynamic_shapes=`` (and the legacy ``constraints=[dynamic_dim(x, 0)]``).

The spec mirrors the inputs: a dict by argument name or a tuple by position;
per tensor a dict ``{dim: Dim}`` or a tuple with one entry per dimension
(``None``/an int for static).  ``Dim`` objects with the same name share one
symbol; ``2 * d`` and ``d + 1`` are derived from their root.
"""

from __future__ import annotations

import inspect
from typing import Any

from exportdb.errors import ConstraintViolationError, InputError
from exportdb.exporter.ir.values import TensorValue
from exportdb.exporter.symbolic.dim_types import DerivedDim, Dim, DimHint, DynamicDimConstraint
from exportdb.exporter.trace.user_frames import user_location


def _tensor_specs(value: Any, spec: Any, out: dict[int, Any], where: str) -> None:
    if spec is None:
        return
    if isinstance(value, TensorValue):
        if isinstance(spec, (list, tuple)):
            spec = {i: s for i, s in enumerate(spec)}
        if not isinstance(spec, dict):
            raise InputError(f"dynamic_shapes for {where} must be a dict {{dim: Dim}} or a tuple, got {spec!r}")
        out[id(value)] = spec
    elif isinstance(value, (list, tuple)) and isinstance(spec, (list, tuple)):
        if len(value) != len(spec):
            raise InputError(f"dynamic_shapes for {where} has {len(spec)} entries for {len(value)} inputs")
        for i, (v, s) in enumerate(zip(value, spec)):
            _tensor_specs(v, s, out, f"{where}[{i}]")
    elif isinstance(value, dict) and isinstance(spec, dict):
        for k, v in value.items():
            _tensor_specs(v, spec.get(k), out, f"{where}[{k!r}]")
    else:
        raise InputError(f"dynamic_shapes for {where} does not match the input's structure ({type(value).__name__})")


def collect(sig: inspect.Signature, bound: inspect.BoundArguments, dynamic_shapes: Any,
            constraints: Any) -> dict[int, dict]:
    """id(example tensor) -> {dim: Dim | DerivedDim | hint | None}."""
    out: dict[int, dict] = {}
    if dynamic_shapes is not None:
        names = list(bound.arguments)
        if isinstance(dynamic_shapes, dict) and set(dynamic_shapes) <= set(sig.parameters):
            items = [(n, dynamic_shapes.get(n)) for n in names]
        elif isinstance(dynamic_shapes, (list, tuple)):
            if len(dynamic_shapes) != len(names):
                raise InputError(f"dynamic_shapes has {len(dynamic_shapes)} entries for {len(names)} inputs "
                                 f"({', '.join(names)})", hint="give one entry per input, None for static ones")
            items = list(zip(names, dynamic_shapes))
        else:
            raise InputError(f"dynamic_shapes keys {sorted(dynamic_shapes)} do not name forward's parameters "
                             f"{list(sig.parameters)}", hint="key the dict by argument name or pass a tuple")
        for name, spec in items:
            _tensor_specs(bound.arguments[name], spec, out, name)
    for c in constraints or ():
        if not isinstance(c, DynamicDimConstraint):
            raise InputError(f"constraints entries must come from dynamic_dim(x, i), got {c!r}")
        out.setdefault(id(c.tensor), {})[c.dim] = "legacy"
    return out


class SymbolAllocator:
    """Turns per-dimension specs into sympy expressions, numbering symbols in input order."""

    def __init__(self, env: Any):
        self.env = env
        self.by_name: dict[str, Any] = {}

    def _root(self, dim: Any, hint: int, source: str) -> Any:
        sym = self.by_name.get(dim.name)
        if sym is None:
            lo = 0 if dim.min is None else dim.min
            hi = _oo() if dim.max is None else dim.max
            if not lo <= hint <= (hint if dim.max is None else hi):
                raise ConstraintViolationError(
                    f"example size {hint} of {source} is outside the range [{lo}, {dim.max}] of Dim {dim.name!r}",
                    location=user_location(), hint="give an example input inside the declared range")
            sym = self.env.new_symbol(hint, lo, hi, f"{dim.name} = {source}")
            self.by_name[dim.name] = sym
        return sym

    def expr_for(self, spec: Any, size: int, source: str) -> Any:
        if spec is None or isinstance(spec, int) or (isinstance(spec, DimHint) and spec.name == "STATIC"):
            if isinstance(spec, int) and spec != size:
                raise InputError(f"dynamic_shapes says {source} is {spec}, the example has {size}")
            return None
        if isinstance(spec, DimHint) or spec == "legacy":
            if size in (0, 1) and isinstance(spec, DimHint) and spec.name == "AUTO":
                return None
            # torch.export 2.13 gives every AUTO and DYNAMIC dim a symbol of its own (no duck
            # sizing: equal example sizes do not share one); guards refine both, named and legacy
            # dims stay strict, and only AUTO may be pinned to a constant
            lo = 2 if isinstance(spec, DimHint) else 0
            sym = self.env.new_symbol(size, lo, _oo(), source)
            if isinstance(spec, DimHint):
                self.env.auto.add(sym)
                if spec.name == "DYNAMIC":
                    self.env.no_constant.add(sym)
            return self._checked(sym, size, source)
        if isinstance(spec, Dim):
            return self._checked(self._root(spec, size, source), size, source)
        if isinstance(spec, DerivedDim):
            root_hint, rem = divmod(size - spec.offset, spec.scale)
            if rem:
                raise ConstraintViolationError(f"example size {size} of {source} is not {spec.scale}*{spec.root.name}"
                                               f" + {spec.offset} for any integer {spec.root.name}",
                                               location=user_location())
            root = self._root(spec.root, root_hint, source)
            expr = spec.scale * root + spec.offset
            return self._checked(expr, size, source)
        raise InputError(f"dynamic_shapes entry for {source} must be a Dim, Dim.AUTO/STATIC, an int or None; got "
                         f"{spec!r}")

    def _checked(self, expr: Any, size: int, source: str) -> Any:
        if size in (0, 1):
            raise ConstraintViolationError(
                f"{source} is marked dynamic but its example size is {size}, which export specializes",
                location=user_location(), hint="use an example size of at least 2 for a dynamic dimension")
        if self.env.hint(expr) != size:
            raise ConstraintViolationError(
                f"{source} has example size {size} but its declared dimension {expr} is {self.env.hint(expr)}",
                location=user_location(), hint="make the example sizes agree with the Dim relations")
        self.env.input_dims.append(expr)
        return expr


def _oo() -> Any:
    import sympy

    return sympy.oo
