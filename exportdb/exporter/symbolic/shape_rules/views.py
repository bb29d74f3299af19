"""Shape rules of view and shape ops: view/reshape, permute, squeeze, expand, cat/stack, select and slice."""

from __future__ import annotations

from typing import Any, Sequence

from exportdb.exporter.ops.shape_ops import INT64_MAX
from exportdb.exporter.symbolic.shape_env import sym_min
from exportdb.exporter.symbolic.shape_rules.core import exact_quotient, numel, require_equal, rule, shape_of, wrap_dim


@rule("aten.view.default", "aten.reshape.default", "aten._unsafe_view.default")
def _view(a: Any, shape: Sequence[Any]) -> tuple:
    shape = list(shape)
    if -1 in [s for s in shape if isinstance(s, int)]:
        i = next(i for i, s in enumerate(shape) if isinstance(s, int) and s == -1)
        known = numel(shape[:i] + shape[i + 1:])
        total = numel(shape_of(a))
        shape[i] = exact_quotient(total, known)
    return tuple(shape)


@rule("aten.permute.default")
def _permute(a: Any, dims: Sequence[int]) -> tuple:
    shape = shape_of(a)
    return tuple(shape[wrap_dim(d, len(shape))] for d in dims)


@rule("aten.transpose.int")
def _transpose(a: Any, d0: int, d1: int) -> tuple:
    shape = list(shape_of(a))
    i, j = wrap_dim(d0, len(shape)), wrap_dim(d1, len(shape))
    shape[i], shape[j] = shape[j], shape[i]
    return tuple(shape)


@rule("aten.t.default", "aten.numpy_T.default")
def _t(a: Any) -> tuple:
    return tuple(reversed(shape_of(a)))


@rule("aten.unsqueeze.default")
def _unsqueeze(a: Any, dim: int) -> tuple:
    shape = list(shape_of(a))
    shape.insert(wrap_dim(dim, len(shape) + 1), 1)
    return tuple(shape)


@rule("aten.squeeze.dim", "aten.squeeze.dims", "aten.squeeze.default")
def _squeeze(a: Any, dims: Any = None) -> tuple:
    shape = shape_of(a)
    if dims is None:
        dims = range(len(shape))
    dims = {wrap_dim(d, len(shape)) for d in ([dims] if isinstance(dims, int) else dims)}
    return tuple(s for i, s in enumerate(shape) if not (i in dims and isinstance(s, int) and s == 1))


@rule("aten.flatten.using_ints")
def _flatten(a: Any, start: int = 0, end: int = -1) -> tuple:
    shape = shape_of(a)
    if not shape:
        return (1,)
    s, e = wrap_dim(start, len(shape)), wrap_dim(end, len(shape))
    return shape[:s] + (numel(shape[s:e + 1]),) + shape[e + 1:]


@rule("aten.expand.default")
def _expand(a: Any, sizes: Sequence[Any]) -> tuple:
    shape = shape_of(a)
    lead = len(sizes) - len(shape)
    return tuple(shape[i - lead] if isinstance(s, int) and s == -1 else s for i, s in enumerate(sizes))


@rule("aten.cat.default")
def _cat(tensors: Sequence[Any], dim: int = 0) -> tuple:
    shapes = [shape_of(t) for t in tensors]
    d = wrap_dim(dim, len(shapes[0]))
    out = list(shapes[0])
    for s in shapes[1:]:
        for i, size in enumerate(s):
            if i != d:
                require_equal(out[i], size)
        out[d] = out[d] + s[d]
    return tuple(out)


@rule("aten.stack.default")
def _stack(tensors: Sequence[Any], dim: int = 0) -> tuple:
    shape = list(shape_of(tensors[0]))
    shape.insert(wrap_dim(dim, len(shape) + 1), len(tensors))
    return tuple(shape)


@rule("aten.select.int")
def _select(a: Any, dim: int, index: Any) -> tuple:
    shape = shape_of(a)
    d = wrap_dim(dim, len(shape))
    return shape[:d] + shape[d + 1:]


def _bound(value: Any, size: Any) -> Any:
    """A slice bound made non-negative and clamped to ``size`` like Python slicing."""
    if isinstance(value, int):
        if value >= INT64_MAX:
            return size
        if value < 0:
            return size + value
        if isinstance(size, int):
            return min(value, size)
        return value if bool(size >= value) else sym_min(value, size)
    return value


@rule("aten.slice.Tensor")
def _slice(a: Any, dim: int = 0, start: Any = None, end: Any = None, step: int = 1) -> tuple:
    shape = list(shape_of(a))
    d = wrap_dim(dim, len(shape))
    size = shape[d]
    lo = 0 if start is None else _bound(start, size)
    hi = size if end is None else _bound(end, size)
    length = hi - lo
    shape[d] = length if step == 1 else (length + step - 1) // step
    return tuple(shape)


@rule("aten.narrow.default")
def _narrow(a: Any, dim: int, start: Any, length: Any) -> tuple:
    shape = list(shape_of(a))
    shape[wrap_dim(dim, len(shape))] = length
    return tuple(shape)
