"""Statistics and norms: std/var (and their ``_mean`` pairs), median/nanmedian, mode,
quantile/nanquantile, vector and matrix norms, distances (dist, cdist, pdist,
pairwise_distance, cosine_similarity) and renorm."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from exportdb.exporter.ir import dtypes
from exportdb.exporter.ir.dtypes import DType
from exportdb.exporter.ops.kernel_util import as_array, promoted, wrap_dim
from exportdb.exporter.ops.sorting import sort_indices
from exportdb.exporter.ops.table import provide, register


def reduce_axes(dims: Any, ndim: int) -> tuple[int, ...] | None:
    """NumPy axes of a reduction over ``dims`` (None or [] means every dim)."""
    if dims is None:
        return None
    if isinstance(dims, int):
        dims = [dims]
    if len(dims) == 0 or ndim == 0:
        return None
    axes = tuple(wrap_dim(d, ndim) for d in dims)
    if len(set(axes)) != len(axes):
        raise RuntimeError(f"dim {axes[0]} appears multiple times in the list of dims")
    return axes


def _require_float(a: np.ndarray, what: str) -> DType:
    dt = dtypes.from_numpy(a.dtype)
    if dt.kind not in "fc":
        raise RuntimeError(f"{what}(): input dtype should be either floating point or complex. Got {dt.name} instead.")
    return dt


# -- std / var ------------------------------------------------------------------------------
def _var(a: np.ndarray, dims: Any, correction: Any, keepdim: bool) -> np.ndarray:
    dt = _require_float(a, "std and var")
    axes = reduce_axes(dims, a.ndim)
    x = a.astype(np.float64)
    count = x.size if axes is None else math.prod(x.shape[i] for i in axes)
    mean = np.mean(x, axis=axes, keepdims=True) if x.size else np.full([1] * x.ndim, np.nan)
    sq = np.sum(np.abs(x - mean) ** 2, axis=axes, keepdims=keepdim)
    c = 1 if correction is None else correction
    with np.errstate(all="ignore"):
        out = sq / max(count - c, 0)
    return as_array(out, dt)


def _mean_of(a: np.ndarray, dims: Any, keepdim: bool) -> np.ndarray:
    axes = reduce_axes(dims, a.ndim)
    with np.errstate(all="ignore"):
        return as_array(np.mean(a.astype(np.float64), axis=axes, keepdims=keepdim), a.dtype)


def _variants(name: str, finish: Any) -> None:
    """Register ``name``.correction/.dim/.default; ``finish(var, a, dims, keepdim)`` shapes the result."""

    def correction(a: np.ndarray, dim: Any = None, *, correction: Any = None, keepdim: bool = False) -> Any:
        return finish(_var(a, dim, correction, keepdim), a, dim, keepdim)

    def by_dim(a: np.ndarray, dim: Any, unbiased: bool = True, keepdim: bool = False) -> Any:
        return finish(_var(a, dim, int(unbiased), keepdim), a, dim, keepdim)

    def default(a: np.ndarray, unbiased: bool = True) -> Any:
        return finish(_var(a, None, int(unbiased), False), a, None, False)

    multi = name.endswith("_mean")
    for overload, fn in (("correction", correction), ("dim", by_dim), ("default", default)):
        register(f"aten.{name}.{overload}", fn, multi=multi)


def _std(v: np.ndarray, *rest: Any) -> np.ndarray:
    return as_array(np.sqrt(v), v.dtype)


_variants("var", lambda v, *rest: v)
_variants("std", _std)
_variants("var_mean", lambda v, a, dims, keepdim: (v, _mean_of(a, dims, keepdim)))
_variants("std_mean", lambda v, a, dims, keepdim: (_std(v), _mean_of(a, dims, keepdim)))


# -- median, mode, quantile ------------------------------------------------------------------------
def _median_dim(ignore_nan: bool):
    def kernel(a: np.ndarray, dim: int, keepdim: bool = False) -> tuple[np.ndarray, np.ndarray]:
        axis = wrap_dim(dim, a.ndim)
        if a.ndim == 0:
            return a.copy(), np.zeros((), np.int64)
        if a.shape[axis] == 0:
            raise IndexError("median(): Expected reduction dim to have non-zero size.")
        order = sort_indices(a, axis)
        n = a.shape[axis]
        if ignore_nan and a.dtype.kind == "f":
            valid = np.sum(~np.isnan(a), axis=axis, keepdims=True)
            pos = np.maximum(valid - 1, 0) // 2
            pos = np.where(valid == 0, 0, pos)
        elif a.dtype.kind == "f":
            has_nan = np.any(np.isnan(a), axis=axis, keepdims=True)
            valid = n - np.sum(np.isnan(a), axis=axis, keepdims=True)
            pos = np.where(has_nan, valid, (n - 1) // 2)
        else:
            pos = np.full([1 if i == axis else s for i, s in enumerate(a.shape)], (n - 1) // 2)
        idx = np.take_along_axis(order, pos.astype(np.int64), axis=axis)
        values = np.take_along_axis(a, idx, axis=axis)
        if not keepdim:
            values, idx = np.squeeze(values, axis), np.squeeze(idx, axis)
        return as_array(values, a.dtype), as_array(idx, np.int64)

    return kernel


def _median_all(ignore_nan: bool):
    dim_kernel = _median_dim(ignore_nan)

    def kernel(a: np.ndarray) -> np.ndarray:
        if a.size == 0:
            return np.asarray(np.nan, a.dtype) if a.dtype.kind == "f" else np.zeros((), a.dtype)
        return dim_kernel(a.reshape(-1), 0)[0]

    return kernel


def _mode(a: np.ndarray, dim: int = -1, keepdim: bool = False) -> tuple[np.ndarray, np.ndarray]:
    axis = wrap_dim(dim, a.ndim)
    if a.ndim == 0:
        return a.copy(), np.zeros((), np.int64)
    x = np.moveaxis(a, axis, -1)
    rows = x.reshape(-1, x.shape[-1])
    values = np.empty(rows.shape[0], a.dtype)
    indices = np.zeros(rows.shape[0], np.int64)
    for r, row in enumerate(rows):
        uniq, counts = np.unique(row, return_counts=True)
        best = uniq[np.argmax(counts)]  # the smallest of the most frequent values
        values[r] = best
        indices[r] = np.flatnonzero(row == best)[-1]
    shape = x.shape[:-1]
    values, indices = values.reshape(shape), indices.reshape(shape)
    if keepdim:
        values, indices = np.expand_dims(values, axis), np.expand_dims(indices, axis)
    return values, indices


def _quantile(ignore_nan: bool):
    method_names = ("linear", "lower", "higher", "midpoint", "nearest")

    def kernel(a: np.ndarray, q: Any, dim: int | None = None, keepdim: bool = False, *,
               interpolation: str = "linear") -> np.ndarray:
        dt = _require_float(a, "quantile")
        if interpolation not in method_names:
            raise RuntimeError(f"quantile() interpolation must be one of {', '.join(method_names)}. "
                               f"Got {interpolation}")
        qs = np.asarray(q, np.float64)
        if np.any((qs < 0) | (qs > 1)):
            raise RuntimeError("quantile() q values must be in the range [0, 1]")
        x = a.astype(np.float64)
        if dim is None:
            axis, x = 0, x.reshape(-1)
        else:
            axis = wrap_dim(dim, a.ndim)
            if x.ndim == 0:
                x = x.reshape(1)
        fn = np.nanquantile if ignore_nan else np.quantile
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN slice: NaN, as torch gives
            out = fn(x, qs, axis=axis, method=interpolation) if x.size else np.full(qs.shape + _rest(x, axis), np.nan)
        if not ignore_nan:
            nan_rows = np.any(np.isnan(x), axis=axis)
            out = np.where(nan_rows, np.nan, out)
        if keepdim:
            if dim is None:
                out = out.reshape(qs.shape + (1,) * a.ndim)
            else:
                out = np.expand_dims(out, axis + qs.ndim) if a.ndim else out
        return as_array(out, dt)

    return kernel


def _rest(x: np.ndarray, axis: int) -> tuple:
    return tuple(s for i, s in enumerate(x.shape) if i != axis)


register("aten.median.default", _median_all(False))
register("aten.nanmedian.default", _median_all(True))
register("aten.median.dim", _median_dim(False), multi=True)
register("aten.nanmedian.dim", _median_dim(True), multi=True)
register("aten.mode.default", _mode, multi=True)
for _name, _ignore in (("quantile", False), ("nanquantile", True)):
    register(f"aten.{_name}.scalar", _quantile(_ignore))
    register(f"aten.{_name}.default", _quantile(_ignore))


# -- norms -------------------------------------------------------------------------------------------
def vector_norm(x: np.ndarray, ord: Any, axes: tuple[int, ...] | None, keepdim: bool) -> np.ndarray:  # noqa: A002
    """The ``ord``-norm of ``x`` (float64) over ``axes``."""
    ax = np.abs(x)
    p = float(ord)
    if p == math.inf:
        return np.max(ax, axis=axes, keepdims=keepdim, initial=0.0)
    if p == -math.inf:
        return np.min(ax, axis=axes, keepdims=keepdim)
    if p == 0:
        return np.sum(ax != 0, axis=axes, keepdims=keepdim).astype(np.float64)
    if p == 1:
        return np.sum(ax, axis=axes, keepdims=keepdim)
    if p == 2:
        return np.sqrt(np.sum(ax * ax, axis=axes, keepdims=keepdim))
    with np.errstate(all="ignore"):
        return np.sum(ax ** p, axis=axes, keepdims=keepdim) ** (1.0 / p)


def _norm_dtype(a: np.ndarray, dtype: DType | None, what: str) -> DType:
    dt = dtypes.from_numpy(a.dtype)
    if dt.kind not in "fc":
        raise RuntimeError(f"{what}: Expected a floating point or complex tensor as input. Got {dt.name.capitalize()}")
    return dtype or dt


def _linalg_vector_norm(a: np.ndarray, ord: Any = 2, dim: Any = None, keepdim: bool = False, *,  # noqa: A002
                        dtype: DType | None = None) -> np.ndarray:
    dt = _norm_dtype(a, dtype, "linalg.vector_norm")
    axes = reduce_axes(dim, a.ndim)
    if float(ord) < 0 and a.size == 0:
        raise RuntimeError("linalg.vector_norm cannot compute the negative norm on an empty tensor")
    if a.ndim == 0 and axes is None and dim not in (None, []):
        axes = None
    with np.errstate(all="ignore"):
        return as_array(vector_norm(a.astype(np.float64), ord, axes, keepdim), dt)


def _matrix_norm(x: np.ndarray, ord: Any, dims: tuple[int, int], keepdim: bool) -> np.ndarray:
    r, c = dims
    moved = np.moveaxis(x, (r, c), (-2, -1))
    if ord == "fro":
        out = np.sqrt(np.sum(np.abs(moved) ** 2, axis=(-2, -1)))
    elif ord == "nuc":
        out = np.sum(np.linalg.svd(moved, compute_uv=False), axis=-1)
    elif ord in (2, -2):  # an empty matrix has norm 0; its smallest singular value is undefined
        sv = np.linalg.svd(moved, compute_uv=False)
        out = np.max(sv, axis=-1, initial=0.0) if ord == 2 else np.min(sv, axis=-1)
    elif ord in (1, -1):
        col = np.sum(np.abs(moved), axis=-2)
        out = np.max(col, axis=-1, initial=0.0) if ord == 1 else np.min(col, axis=-1)
    elif ord in (math.inf, -math.inf):
        row = np.sum(np.abs(moved), axis=-1)
        out = np.max(row, axis=-1, initial=0.0) if ord == math.inf else np.min(row, axis=-1)
    else:
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    if keepdim:
        for d in sorted((r, c)):
            out = np.expand_dims(out, d)
    return out


def _linalg_matrix_norm(a: np.ndarray, ord: Any = "fro", dim: Any = (-2, -1), keepdim: bool = False, *,  # noqa: A002
                        dtype: DType | None = None) -> np.ndarray:
    dt = _norm_dtype(a, dtype, "linalg.matrix_norm")
    if a.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
    dims = tuple(wrap_dim(d, a.ndim) for d in dim)
    if len(dims) != 2 or dims[0] == dims[1]:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got {tuple(dim)}")
    return as_array(_matrix_norm(a.astype(np.float64), ord, dims, keepdim), dt)


def _linalg_norm(a: np.ndarray, ord: Any = None, dim: Any = None, keepdim: bool = False, *,  # noqa: A002
                 dtype: DType | None = None) -> np.ndarray:
    """``linalg.norm``: a matrix norm over two dims (given, or a 2-d input's when ``ord`` is
    given), else a vector norm (2-norm of the flattened input when neither is given)."""
    if isinstance(dim, int):
        dim = [dim]
    if ord is None:
        return _linalg_vector_norm(a, 2, dim, keepdim, dtype=dtype)
    if (dim is not None and len(dim) == 2) or (dim is None and a.ndim == 2):
        return _linalg_matrix_norm(a, ord, dim if dim is not None else (0, 1), keepdim, dtype=dtype)
    if isinstance(ord, str):
        raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. "
                           f"Got {a.ndim}D.")
    return _linalg_vector_norm(a, ord, dim, keepdim, dtype=dtype)


register("aten.linalg_vector_norm.default", _linalg_vector_norm)
register("aten.linalg_matrix_norm.default", _linalg_matrix_norm)
register("aten.linalg_matrix_norm.str_ord", _linalg_matrix_norm)
register("aten.linalg_norm.default", _linalg_norm)
register("aten.linalg_norm.ord_str", _linalg_norm)


# -- distances --------------------------------------------------------------------------------------
def _dist(a: np.ndarray, b: np.ndarray, p: Any = 2) -> np.ndarray:
    dt = promoted(a, b)
    diff = np.subtract(a, b, dtype=np.float64)
    with np.errstate(all="ignore"):
        return as_array(vector_norm(diff, p, None, False), dt)


def _cosine_similarity(x1: np.ndarray, x2: np.ndarray, dim: int = 1, eps: float = 1e-8) -> np.ndarray:
    dt = promoted(x1, x2)
    a, b = np.broadcast_arrays(x1.astype(np.float64), x2.astype(np.float64))
    axis = wrap_dim(dim, a.ndim)
    na = np.sqrt(np.sum(a * a, axis=axis))
    nb = np.sqrt(np.sum(b * b, axis=axis))
    with np.errstate(all="ignore"):
        out = np.sum(a * b, axis=axis) / np.sqrt(np.maximum(na * na * nb * nb, eps * eps))
    return as_array(out, dt)


def _pairwise_distance(x1: np.ndarray, x2: np.ndarray, p: float = 2.0, eps: float = 1e-6,
                       keepdim: bool = False) -> np.ndarray:
    out_dt = promoted(x1, x2)
    out_dt = out_dt if out_dt.kind in "fc" else dtypes.DEFAULT_FLOAT  # ints: the float eps promotes
    ndim = max(x1.ndim, x2.ndim)
    diff = np.subtract(x1, x2, dtype=np.float64) + eps
    axis = -1 if ndim else None
    with np.errstate(all="ignore"):
        out = vector_norm(diff, p, None if axis is None else (diff.ndim - 1,), keepdim and ndim > 0)
    return as_array(out, out_dt)


def _cdist(x1: np.ndarray, x2: np.ndarray, p: float = 2.0, compute_mode: int | None = None) -> np.ndarray:
    if x1.ndim < 2 or x2.ndim < 2:
        raise RuntimeError("cdist only supports at least 2D tensors")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError("X1 and X2 must have the same number of columns")
    dt = _require_float(x1, "cdist")
    a = x1.astype(np.float64)[..., :, None, :]
    b = x2.astype(np.float64)[..., None, :, :]
    with np.errstate(all="ignore"):
        out = vector_norm(a - b, p, (-1,), False)
    return as_array(out, dt)


def _pdist(a: np.ndarray, p: float = 2.0) -> np.ndarray:
    if a.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {a.ndim}D")
    dt = _require_float(a, "pdist")
    n = a.shape[0]
    i, j = np.triu_indices(n, 1)
    x = a.astype(np.float64)
    with np.errstate(all="ignore"):
        out = vector_norm(x[i] - x[j], p, (1,), False) if len(i) else np.zeros((0,))
    return as_array(out, dt)


def _renorm(a: np.ndarray, p: Any, dim: int, maxnorm: Any) -> np.ndarray:
    dt = _require_float(a, "renorm")
    axis = wrap_dim(dim, a.ndim)
    x = a.astype(np.float64)
    others = tuple(i for i in range(a.ndim) if i != axis)
    with np.errstate(all="ignore"):
        norms = vector_norm(x, p, others if others else None, True)
        factor = np.where(norms > maxnorm, maxnorm / (norms + 1e-7), 1.0)
    return as_array(x * factor, dt)


register("aten.dist.default", _dist)
register("aten.cosine_similarity.default", _cosine_similarity)
register("aten.pairwise_distance.default", _pairwise_distance)
register("aten.cdist.default", _cdist)
register("aten.pdist.default", _pdist)
register("aten.renorm.default", _renorm)


def _clamp_min(a: np.ndarray, min: Any) -> np.ndarray:  # noqa: A002
    dt = promoted(a, min)
    return as_array(np.maximum(a.astype(dt.np, copy=False), min), dt)


def _expand_as(a: np.ndarray, other: np.ndarray) -> np.ndarray:
    return np.broadcast_to(a, other.shape)


# F.normalize needs these two; the pointwise and view families may provide them first.
provide("aten.clamp_min.default", _clamp_min)
provide("aten.expand_as.default", _expand_as)
