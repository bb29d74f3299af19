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


@rule("aten.hash_tensor.default")
def _hash_tensor(a: Any, dims: Any = (), *, keepdim: bool = False, mode: int = 0) -> tuple:
    return _reduce(shape_of(a), dims, keepdim)


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


@rule("aten.nansum.default", "aten.nanmean.default", "aten.any.dims", "aten.all.dims", "aten.logsumexp.default",
      "aten.count_nonzero.dim_IntList")
def _optional_dims_reduce(a: Any, dim: Any = None, keepdim: bool = False, **kwargs: Any) -> tuple:
    return _reduce(shape_of(a), dim, keepdim)


@rule("aten.count_nonzero.default")
def _count_nonzero(a: Any, dim: Any = None) -> tuple:
    return _reduce(shape_of(a), dim, False)


@rule("aten.aminmax.default")
def _aminmax(a: Any, *, dim: Any = None, keepdim: bool = False) -> list:
    shape = _reduce(shape_of(a), dim, keepdim)
    return [shape, shape]


def _variance_rule(pair: bool):
    def correction(a: Any, dim: Any = None, *, correction: Any = None, keepdim: bool = False) -> Any:
        shape = _reduce(shape_of(a), dim, keepdim)
        return [shape, shape] if pair else shape

    def by_dim(a: Any, dim: Any, unbiased: bool = True, keepdim: bool = False) -> Any:
        return correction(a, dim, keepdim=keepdim)

    def default(a: Any, unbiased: bool = True) -> Any:
        return [(), ()] if pair else ()

    return correction, by_dim, default


for _name in ("std", "var", "std_mean", "var_mean"):
    for _overload, _fn in zip(("correction", "dim", "default"), _variance_rule(_name.endswith("_mean"))):
        rule(f"aten.{_name}.{_overload}")(_fn)


@rule("aten.median.default", "aten.nanmedian.default", "aten.dist.default")
def _to_scalar(*args: Any, **kwargs: Any) -> tuple:
    return ()


@rule("aten.median.dim", "aten.nanmedian.dim", "aten.mode.default")
def _values_indices(a: Any, dim: int = -1, keepdim: bool = False) -> list:
    shape = _reduce(shape_of(a), [dim], keepdim)
    return [shape, shape]


@rule("aten.kthvalue.default")
def _kthvalue(a: Any, k: Any, dim: int = -1, keepdim: bool = False) -> list:
    return _values_indices(a, dim, keepdim)


@rule("aten.quantile.scalar", "aten.quantile.default", "aten.nanquantile.scalar", "aten.nanquantile.default")
def _quantile(a: Any, q: Any, dim: Any = None, keepdim: bool = False, **kwargs: Any) -> tuple:
    shape = shape_of(a)
    if dim is None:
        rest = (1,) * len(shape) if keepdim else ()
    else:
        rest = _reduce(shape, [dim], keepdim)
    return tuple(shape_of(q)) + rest


@rule("aten.linalg_vector_norm.default")
def _vector_norm(a: Any, ord: Any = 2, dim: Any = None, keepdim: bool = False, **kwargs: Any) -> tuple:  # noqa: A002
    return _reduce(shape_of(a), dim, keepdim)


@rule("aten.linalg_norm.default", "aten.linalg_norm.ord_str")
def _linalg_norm(a: Any, ord: Any = None, dim: Any = None, keepdim: bool = False, **kwargs: Any) -> tuple:  # noqa: A002
    return _reduce(shape_of(a), dim, keepdim)


@rule("aten.linalg_matrix_norm.default", "aten.linalg_matrix_norm.str_ord")
def _matrix_norm(a: Any, ord: Any = "fro", dim: Any = (-2, -1), keepdim: bool = False, **kwargs: Any) -> tuple:  # noqa: A002
    return _reduce(shape_of(a), list(dim), keepdim)


@rule("aten.sum_to_size.default")
def _sum_to_size(a: Any, size: Any) -> tuple:
    return tuple(size)


@rule("aten.segment_reduce.default")
def _segment_reduce(data: Any, reduce: str, *, lengths: Any = None, indices: Any = None, offsets: Any = None,
                    axis: int = 0, unsafe: bool = False, initial: Any = None) -> tuple:
    shape = shape_of(data)
    axis = wrap_dim(axis, len(shape))
    segments = shape_of(lengths)[-1] if lengths is not None else shape_of(offsets)[-1] - 1
    return tuple(shape[:axis]) + (segments,) + tuple(shape[axis + 1:])
