"""``torch.export`` for case files: ``export``, ``Dim``, ``dynamic_dim``, plus the
torch-level helpers tied to export (``torch._check``, ``torch.sym_min``...)."""

from __future__ import annotations

from typing import Any

from exportdb.errors import ConstraintViolationError
from exportdb.exporter.symbolic.dim_types import Dim, dims, dynamic_dim
from exportdb.exporter.symbolic.shape_env import SymBool, assert_at_run_time, defer_item_check, sym_max, sym_min
from exportdb.exporter.trace.context import active_builder
from exportdb.exporter.trace.export import export
from exportdb.exporter.trace.user_frames import user_location


def is_exporting() -> bool:
    """``torch.compiler.is_compiling()``: true while the exporter traces."""
    return active_builder() is not None


def _export(model: Any, args: tuple, kwargs: dict | None = None, *, dynamic_shapes: Any = None,
            strict: bool = True, constraints: Any = None) -> Any:
    return export(model, args, kwargs, dynamic_shapes=dynamic_shapes, constraints=constraints)


def _check(condition: Any, message: Any = None) -> None:
    """``torch._check``: while exporting, a symbolic condition narrows the ranges and
    becomes a runtime assertion node; otherwise it must simply hold."""
    if isinstance(condition, SymBool):
        _record_check(condition)
        return
    if not condition:
        text = message() if callable(message) else "Expected cond to be True, but got False."
        raise RuntimeError(text)


def _record_check(condition: Any) -> None:
    env = condition.env
    expr = env.simplify(condition.expr)
    known = env.known(expr)
    if known is False:
        raise ConstraintViolationError(f"torch._check({expr}) can never hold for the declared ranges",
                                       location=user_location())
    # torch.export's graph names these nodes ge_1/le_1 (its first trace used ge/le): match it
    builder = active_builder()
    if builder is not None and defer_item_check(condition, record=not known):
        builder.graph.names.create(condition.recipe[0].name)
        return
    if known or env.specialise(expr):
        return  # holds for every allowed size, or made a Dim.AUTO size equal: nothing left to check
    assert_at_run_time(condition, skip_name=True)


def _check_is_size(value: Any, max: int | None = None) -> None:  # noqa: A002
    _check(value >= 0)
    if max is not None:
        _check(value <= max)


NAMESPACE = {"export": _export, "Dim": Dim, "dims": dims, "dynamic_dim": dynamic_dim}


def _sym_min(a: Any, b: Any) -> Any:
    return sym_min(a, b)


def _sym_max(a: Any, b: Any) -> Any:
    return sym_max(a, b)


TORCH_LEVEL = {"_check": _check, "_check_is_size": _check_is_size, "sym_min": _sym_min,
               "sym_max": _sym_max, "sym_int": int}
