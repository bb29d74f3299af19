"""Shape rules of reductions: whole-tensor, over dims (keepdim), arg-reductions and (values, indices) pairs."""

from __future__ import annotations

from typing import Any

from exportdb.exporter.symbolic.shape_rules.core import rule, shape_of, wrap_dim


@rule("aten.sum.default", "aten.mean.default", "aten.prod.default", "aten.max.default", "aten.min.default",
      "aten.any.default", "aten.all.default")
def _full_reduce(a: Any, *args: Any, **kwargs: Any) -> tuple:
    return ()


def _reduce(shape: tuple, dims: Any, keepdim: bool) -> tuple:
    if dims is None or (isinstance(dims, (list, tuple)) and len(dims) == 0):
        dims = list(range(len(shape)))
    dims = {wrap_dim(d, len(shape)) for d in ([dims] if isinstance(dims, int) else dims)}
    if keepdim:
        return tuple(1 if i in dims else s for i, s in enumerate(shape))
    return tuple(s for i, s in enumerate(shape) if i not in dims)


@rule("aten.sum.dim_IntList", "aten.mean.dim", "aten.amax.default", "aten.amin.default", "aten.any.dim",
      "aten.all.dim", "aten.prod.dim_int")
def _dim_reduce(a: Any, dims: Any = (), keepdim: bool = False, **kwargs: Any) -> tuple:
    return _reduce(shape_of(a), dims, keepdim)


@rule("aten.argmax.default", "aten.argmin.default")
def _arg_reduce(a: Any, dim: Any = None, keepdim: bool = False) -> tuple:
    if dim is None:
        return (1,) * len(shape_of(a)) if keepdim else ()
    return _reduce(shape_of(a), [dim], keepdim)


@rule("aten.max.dim", "aten.min.dim")
def _extreme_dim(a: Any, dim: int, keepdim: bool = False) -> list:
    shape = _reduce(shape_of(a), [dim], keepdim)
    return [shape, shape]
