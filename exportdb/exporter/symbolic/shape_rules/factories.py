"""Shape rules of tensor factories: sizes are checked to be sizes."""

from __future__ import annotations

from typing import Any, Sequence

from exportdb.exporter.symbolic.shape_env import check_size
from exportdb.exporter.symbolic.shape_rules.core import rule


@rule(*[f"aten.{n}.default" for n in ("zeros", "ones", "randn", "rand")], "aten.empty.memory_format",
      "aten.full.default")
def _factory(size: Sequence[Any], *args: Any, **kwargs: Any) -> tuple:
    for s in size:
        check_size(s)
    return tuple(size)


@rule("aten.new_zeros.default", "aten.new_ones.default", "aten.new_empty.default", "aten.new_full.default")
def _new_factory(a: Any, size: Sequence[Any], *args: Any, **kwargs: Any) -> tuple:
    """``x.new_zeros(size)``: shaped like ``torch.zeros(size)``, whatever ``x``'s shape."""
    return _factory(size)


@rule("aten.arange.default", "aten.arange.start")
def _arange(*args: Any, **kwargs: Any) -> tuple:
    return (args[0],) if len(args) == 1 else (args[1] - args[0],)


@rule("aten.eye.default", "aten.eye.m")
def _eye(n: Any, m: Any = None, **kwargs: Any) -> tuple:
    check_size(n)
    if m is not None:
        check_size(m)
    return (n, n if m is None else m)


@rule("aten.linspace.default", "aten.logspace.default")
def _spaced(start: Any, end: Any, steps: Any, *args: Any, **kwargs: Any) -> tuple:
    check_size(steps)
    return (steps,)


@rule("aten.scalar_tensor.default")
def _scalar_tensor(s: Any, **kwargs: Any) -> tuple:
    return ()


@rule("aten.arange.start_step")
def _arange_step(start: Any, end: Any, step: Any, **kwargs: Any) -> tuple:
    if not isinstance(step, int) or step == 0:
        raise ValueError("arange with a symbolic bound needs a non-zero integer step")
    return ((end - start + step - 1) // step,) if step > 0 else ((start - end - step - 1) // -step,)
