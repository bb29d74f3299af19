"""Shape rules of view and shape ops: view/reshape, permute, squeeze, expand, cat/stack, select and slice,
flips and repeats, diagonals and triangles, unfold, the stack/split family and the ``*_copy`` variants."""

from __future__ import annotations

from typing import Any, Sequence

from exportdb.exporter.ops.shape_ops import INT64_MAX
from exportdb.exporter.symbolic.shape_env import SymInt, sym_max, sym_min
from exportdb.exporter.symbolic.shape_rules.core import (
    broadcast, exact_quotient, numel, require_equal, rule, shape_of, wrap_dim,
)


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


@rule("aten.cat.default", "aten.concat.default", "aten.concatenate.default")
def _cat(tensors: Sequence[Any], dim: int = 0) -> tuple:
    return _cat_shapes([shape_of(t) for t in tensors], dim)


def _cat_shapes(shapes: Sequence[tuple], dim: int) -> tuple:
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
    if isinstance(value, SymInt) and not any(str(s).startswith("u") for s in value.expr.free_symbols):
        # torch checks a symbolic bound lies in [0, size]: a guard, so a bound it cannot
        # place over the whole range (round(s0 / 2) against s0) is a constraint violation
        bool(value >= 0)
        bool(value <= size)
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


# -- the same shape as the input -------------------------------------------------------------------
@rule("aten.flip.default", "aten.fliplr.default", "aten.flipud.default", "aten.roll.default",
      "aten.tril.default", "aten.triu.default", "aten.tril_.default", "aten.triu_.default", "aten.clone.default",
      "aten.alias_copy.default", "aten.select_scatter.default", "aten.slice_scatter.default",
      "aten.diagonal_scatter.default", "aten.contiguous.default")
def _same(a: Any, *args: Any, **kwargs: Any) -> tuple:
    return shape_of(a)


@rule("aten.view_copy.default")
def _view_copy(a: Any, shape: Sequence[Any]) -> tuple:
    return _view(a, shape)


@rule("aten.reshape_as.default", "aten.view_as.default", "aten.expand_as.default")
def _as_other(a: Any, other: Any) -> tuple:
    return shape_of(other)


@rule("aten.broadcast_to.default", "aten.expand_copy.default")
def _broadcast_to(a: Any, size: Sequence[Any], **kwargs: Any) -> tuple:
    return _expand(a, size)


@rule("aten.permute_copy.default")
def _permute_copy(a: Any, dims: Sequence[int]) -> tuple:
    return _permute(a, dims)


@rule("aten.transpose_copy.int", "aten.swapaxes.default", "aten.swapdims.default")
def _transpose_copy(a: Any, d0: int, d1: int) -> tuple:
    return _transpose(a, d0, d1)


@rule("aten.t_copy.default")
def _t_copy(a: Any) -> tuple:
    return _t(a)


@rule("aten.squeeze_copy.default", "aten.squeeze_copy.dim", "aten.squeeze_copy.dims")
def _squeeze_copy(a: Any, dims: Any = None) -> tuple:
    return _squeeze(a, dims)


@rule("aten.unsqueeze_copy.default")
def _unsqueeze_copy(a: Any, dim: int) -> tuple:
    return _unsqueeze(a, dim)


@rule("aten.narrow_copy.default")
def _narrow_copy(a: Any, dim: int, start: Any, length: Any) -> tuple:
    return _narrow(a, dim, start, length)


@rule("aten.mT.default", "aten.mH.default", "aten.adjoint.default")
def _mT(a: Any) -> tuple:  # noqa: N802
    shape = shape_of(a)
    return shape[:-2] + (shape[-1], shape[-2])


@rule("aten.matrix_H.default")
def _matrix_H(a: Any) -> tuple:  # noqa: N802
    return _t(a)


@rule("aten.ravel.default")
def _ravel(a: Any) -> tuple:
    return (numel(shape_of(a)),)


@rule("aten.unflatten.int")
def _unflatten(a: Any, dim: int, sizes: Sequence[Any]) -> tuple:
    shape = shape_of(a)
    d = wrap_dim(dim, len(shape))
    sizes = list(sizes)
    if any(isinstance(s, int) and s == -1 for s in sizes):
        i = next(i for i, s in enumerate(sizes) if isinstance(s, int) and s == -1)
        sizes[i] = exact_quotient(shape[d], numel(sizes[:i] + sizes[i + 1:]))
    return shape[:d] + tuple(sizes) + shape[d + 1:]


@rule("aten.movedim.int", "aten.movedim.intlist", "aten.moveaxis.int", "aten.moveaxis.intlist")
def _movedim(a: Any, source: Any, destination: Any) -> tuple:
    shape = shape_of(a)
    n = len(shape)
    src = [wrap_dim(d, n) for d in ([source] if isinstance(source, int) else source)]
    dst = [wrap_dim(d, n) for d in ([destination] if isinstance(destination, int) else destination)]
    order: list[Any] = [None] * n
    for s, d in zip(src, dst):
        order[d] = s
    rest = iter(i for i in range(n) if i not in src)
    return tuple(shape[o if o is not None else next(rest)] for o in order)


@rule("aten.repeat.default")
def _repeat(a: Any, repeats: Sequence[Any]) -> tuple:
    shape = (1,) * (len(repeats) - len(shape_of(a))) + shape_of(a)
    return tuple(s * r for s, r in zip(shape, repeats))


@rule("aten.tile.default")
def _tile(a: Any, dims: Sequence[Any]) -> tuple:
    return _repeat(a, (1,) * (len(shape_of(a)) - len(dims)) + tuple(dims))


@rule("aten.rot90.default")
def _rot90(a: Any, k: int = 1, dims: Sequence[int] = (0, 1)) -> tuple:
    shape = list(shape_of(a))
    if k % 2:
        i, j = wrap_dim(dims[0], len(shape)), wrap_dim(dims[1], len(shape))
        shape[i], shape[j] = shape[j], shape[i]
    return tuple(shape)


def _diagonal_length(n1: Any, n2: Any, offset: int) -> Any:
    return _at_least_zero(sym_min(n1, n2 - offset) if offset >= 0 else sym_min(n1 + offset, n2))


def _at_least_zero(size: Any) -> Any:
    """``max(size, 0)``, written as ``size`` when the symbols' ranges already make it non-negative."""
    if not isinstance(size, SymInt):
        return max(size, 0)
    known = size.env.known(size.env.simplify(size.expr) >= 0)
    return size if known is True else sym_max(size, 0)


@rule("aten.diagonal.default", "aten.diagonal_copy.default")
def _diagonal(a: Any, offset: int = 0, dim1: int = 0, dim2: int = 1) -> tuple:
    shape = shape_of(a)
    d1, d2 = wrap_dim(dim1, len(shape)), wrap_dim(dim2, len(shape))
    rest = tuple(s for i, s in enumerate(shape) if i not in (d1, d2))
    return rest + (_diagonal_length(shape[d1], shape[d2], offset),)


@rule("aten.linalg_diagonal.default")
def _linalg_diagonal(a: Any, *, offset: int = 0, dim1: int = -2, dim2: int = -1) -> tuple:
    return _diagonal(a, offset, dim1, dim2)


@rule("aten.diag.default")
def _diag(a: Any, diagonal: int = 0) -> tuple:
    shape = shape_of(a)
    if len(shape) == 1:
        n = shape[0] + abs(diagonal)
        return (n, n)
    return (_diagonal_length(shape[0], shape[1], diagonal),)


@rule("aten.diagflat.default")
def _diagflat(a: Any, offset: int = 0) -> tuple:
    n = numel(shape_of(a)) + abs(offset)
    return (n, n)


@rule("aten.diag_embed.default")
def _diag_embed(a: Any, offset: int = 0, dim1: int = -2, dim2: int = -1) -> tuple:
    shape = shape_of(a)
    n = shape[-1] + abs(offset)
    out: list[Any] = list(shape[:-1])
    d1, d2 = wrap_dim(dim1, len(shape) + 1), wrap_dim(dim2, len(shape) + 1)
    for d in sorted((d1, d2)):
        out.insert(d, n)
    return tuple(out)


@rule("aten.trace.default")
def _trace(a: Any) -> tuple:
    return ()


@rule("aten.unfold.default", "aten.unfold_copy.default")
def _unfold(a: Any, dimension: int, size: int, step: int) -> tuple:
    shape = list(shape_of(a))
    if not shape:
        return (1,)
    d = wrap_dim(dimension, len(shape))
    shape[d] = (shape[d] - size) // step + 1
    return tuple(shape) + (size,)


def _at_least(shape: tuple, n: int) -> tuple:
    if len(shape) >= n:
        return shape
    if n == 3 and len(shape) == 2:
        return shape + (1,)
    if n == 3 and len(shape) == 1:
        return (1,) + shape + (1,)
    return (1,) * (n - len(shape)) + shape


for _n in (1, 2, 3):
    rule(f"aten.atleast_{_n}d.default")(lambda a, _n=_n: _at_least(shape_of(a), _n))
    rule(f"aten.atleast_{_n}d.Sequence")(lambda ts, _n=_n: [_at_least(shape_of(t), _n) for t in ts])


@rule("aten.hstack.default")
def _hstack(tensors: Sequence[Any]) -> tuple:
    shapes = [_at_least(shape_of(t), 1) for t in tensors]
    return _cat_shapes(shapes, 0 if len(shapes[0]) == 1 else 1)


@rule("aten.vstack.default", "aten.row_stack.default")
def _vstack(tensors: Sequence[Any]) -> tuple:
    return _cat_shapes([_at_least(shape_of(t), 2) for t in tensors], 0)


@rule("aten.dstack.default")
def _dstack(tensors: Sequence[Any]) -> tuple:
    return _cat_shapes([_at_least(shape_of(t), 3) for t in tensors], 2)


@rule("aten.column_stack.default")
def _column_stack(tensors: Sequence[Any]) -> tuple:
    shapes = [shape_of(t) if len(shape_of(t)) > 1 else (numel(shape_of(t)), 1) for t in tensors]
    return _cat_shapes(shapes, 1)


@rule("aten.broadcast_tensors.default")
def _broadcast_tensors(tensors: Sequence[Any]) -> list:
    shape = broadcast(*(shape_of(t) for t in tensors))
    return [shape for _ in tensors]


@rule("aten.meshgrid.indexing", "aten.meshgrid.default")
def _meshgrid(tensors: Sequence[Any], *, indexing: str = "ij") -> list:
    sizes = [numel(shape_of(t)) for t in tensors]
    if indexing == "xy" and len(sizes) >= 2:
        sizes[0], sizes[1] = sizes[1], sizes[0]
    return [tuple(sizes) for _ in tensors]


@rule("aten.unbind_copy.int")
def _unbind(a: Any, dim: int = 0) -> list:
    shape = shape_of(a)
    d = wrap_dim(dim, len(shape))
    n = shape[d]
    if not isinstance(n, int):
        n = int(n)  # the number of outputs must be known: specialises the size
    return [shape[:d] + shape[d + 1:] for _ in range(n)]


@rule("aten.split_with_sizes_copy.default")
def _split_with_sizes(a: Any, sizes: Sequence[Any], dim: int = 0) -> list:
    shape = shape_of(a)
    d = wrap_dim(dim, len(shape))
    total: Any = 0
    for size in sizes:
        total = total + size
    require_equal(total, shape[d])
    return [shape[:d] + (s,) + shape[d + 1:] for s in sizes]
