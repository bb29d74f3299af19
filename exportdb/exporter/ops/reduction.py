"""Reductions: sum/nansum, mean/nanmean, prod, max/min, amax/amin, aminmax, argmax/argmin,
any/all, count_nonzero, logsumexp."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from exportdb.exporter.ir import dtypes
from exportdb.exporter.ir.dtypes import DType
from exportdb.exporter.ops.table import register
from exportdb.exporter.ops.kernel_util import as_array, wrap_dim


def _axes(dims: Sequence[int] | int | None, ndim: int) -> tuple[int, ...] | None:
    """NumPy axes for ``dims``: None (every dim) for None, [] and a 0-d input (whose only
    valid dims, 0 and -1, reduce nothing)."""
    if dims is None:
        return None
    if isinstance(dims, int):
        dims = [dims]
    axes = tuple(wrap_dim(d, ndim) for d in dims)
    if len(set(axes)) != len(axes):
        raise RuntimeError(f"dim {axes[0]} appears multiple times in the list of dims")
    return axes if axes and ndim else None


def _sum_dtype(a: np.ndarray, dtype: DType | None) -> DType:
    if dtype is not None:
        return dtype
    dt = dtypes.from_numpy(a.dtype)
    return dtypes.int64 if dt.kind in "bi" else dt


def _sum(a: np.ndarray, dims: Any = None, keepdim: bool = False, dtype: DType | None = None) -> np.ndarray:
    dt = _sum_dtype(a, dtype)
    return as_array(np.sum(a.astype(dt.np, copy=False), axis=_axes(dims, a.ndim), keepdims=keepdim), dt)


def _mean(a: np.ndarray, dims: Any = None, keepdim: bool = False, dtype: DType | None = None) -> np.ndarray:
    dt = dtype or dtypes.from_numpy(a.dtype)
    if dt.kind not in "fc":
        raise TypeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point "
            f"or complex dtype. Got: {dt.name.capitalize()}"
        )
    return as_array(np.mean(a.astype(dt.np, copy=False), axis=_axes(dims, a.ndim), keepdims=keepdim), dt)


def _prod(a: np.ndarray, dim: int | None = None, keepdim: bool = False, dtype: DType | None = None) -> np.ndarray:
    dt = _sum_dtype(a, dtype)
    return as_array(np.prod(a.astype(dt.np, copy=False), axis=_axes(dim, a.ndim), keepdims=keepdim), dt)


def _extreme(fn):  # max.default / min.default
    def kernel(a: np.ndarray) -> np.ndarray:
        if a.size == 0:
            raise IndexError("max(): Expected reduction dim to be specified for input.numel() == 0.")
        return as_array(fn(a), a.dtype)

    return kernel


def _extreme_dim(fn, arg_fn):  # max.dim -> (values, indices)
    def kernel(a: np.ndarray, dim: int, keepdim: bool = False) -> tuple[np.ndarray, np.ndarray]:
        axis = wrap_dim(dim, a.ndim)
        if a.ndim == 0:
            return a.copy(), np.asarray(0, dtype=np.int64)
        values = fn(a, axis=axis, keepdims=keepdim)
        indices = arg_fn(a, axis=axis, keepdims=keepdim)
        return as_array(values, a.dtype), as_array(indices, np.int64)

    return kernel


def _amax_like(fn):
    def kernel(a: np.ndarray, dim: Any = (), keepdim: bool = False) -> np.ndarray:
        return as_array(fn(a, axis=_axes(dim, a.ndim), keepdims=keepdim), a.dtype)

    return kernel


def _arg(fn):
    def kernel(a: np.ndarray, dim: int | None = None, keepdim: bool = False) -> np.ndarray:
        if dim is None:
            out = fn(a.reshape(-1))
            return as_array(np.reshape(out, (1,) * a.ndim) if keepdim else out, np.int64)
        if a.ndim == 0:
            wrap_dim(dim, 0)
            return np.zeros((), np.int64)
        return as_array(fn(a, axis=wrap_dim(dim, a.ndim), keepdims=keepdim), np.int64)

    return kernel


def _bool_reduce(fn):
    def kernel(a: np.ndarray, dim: Any = None, keepdim: bool = False) -> np.ndarray:
        return as_array(fn(a.astype(bool), axis=_axes(dim, a.ndim), keepdims=keepdim), np.bool_)

    return kernel


def _sum_to_size(a: np.ndarray, size: Sequence[int]) -> np.ndarray:
    """Sum ``a`` down to ``size``, a shape ``a`` broadcasts from (its leading dims and size-1 dims)."""
    size = tuple(int(s) for s in size)
    lead = a.ndim - len(size)
    if lead < 0 or any(s not in (1, d) for s, d in zip(size, a.shape[lead:])):
        raise RuntimeError(f"size {{{', '.join(map(str, size))}}} is not expandable to size "
                           f"{{{', '.join(map(str, a.shape))}}}.")
    out = a.sum(axis=tuple(range(lead)), dtype=a.dtype) if lead else a
    squeeze = tuple(i for i, (s, d) in enumerate(zip(size, out.shape)) if s == 1 and d != 1)
    return np.asarray(out.sum(axis=squeeze, keepdims=True, dtype=a.dtype) if squeeze else out.copy())


#: reduce -> (its NumPy reduction, the value of an empty segment without ``initial``)
_SEGMENT = {"max": (np.max, -np.inf), "min": (np.min, np.inf), "sum": (np.sum, 0.0), "prod": (np.prod, 1.0),
            "mean": (np.sum, np.nan)}


def _segment_reduce(data: np.ndarray, reduce: str, *, lengths: np.ndarray | None = None,
                    indices: np.ndarray | None = None, offsets: np.ndarray | None = None, axis: int = 0,
                    unsafe: bool = False, initial: Any = None) -> np.ndarray:
    """Reduce consecutive segments of ``data`` along ``axis``, given by ``lengths`` or ``offsets`` (whose leading
    dims are ``data``'s before ``axis``); ``initial`` joins every segment (a mean divides by the length only)."""
    if reduce not in _SEGMENT:
        raise RuntimeError(f"reduce argument must be either sum, prod, max, min or mean, got {reduce}")
    axis = wrap_dim(axis, data.ndim)
    if offsets is None:
        if lengths is None:
            raise RuntimeError("segment_reduce(): Either lengths or offsets must be defined")
        offsets = np.concatenate([np.zeros(lengths.shape[:-1] + (1,), np.int64),
                                  np.cumsum(lengths.astype(np.int64), axis=-1)], axis=-1)
    offsets = offsets.astype(np.int64)
    fn, empty = _SEGMENT[reduce]
    segments = offsets.shape[-1] - 1
    work = data.astype(np.float64)
    out = np.empty(data.shape[:axis] + (segments,) + data.shape[axis + 1:])
    for lead in np.ndindex(*data.shape[:axis]):
        for s in range(segments):
            start, end = int(offsets[lead + (s,)]), int(offsets[lead + (s + 1,)])
            slab = work[lead + (slice(start, end),)]
            if initial is not None:
                slab = np.concatenate([np.full((1,) + slab.shape[1:], float(initial)), slab])
            with np.errstate(all="ignore"):
                value = fn(slab, axis=0) if slab.shape[0] else np.full(slab.shape[1:], empty)
                if reduce == "mean" and end > start:
                    value = value / (end - start)
            out[lead + (s,)] = value
    return as_array(out, data.dtype)


def _hash_tensor(a: np.ndarray, dim: Any = (), *, keepdim: bool = False, mode: int = 0) -> np.ndarray:
    """Mode 0: the XOR of the elements' bit patterns as 64-bit words (floats as float64, the
    others as int64) over ``dim`` (every dim when empty), a uint64 tensor."""
    if mode != 0:
        raise RuntimeError(f"hash_tensor: mode {mode} is not supported, only mode 0 (xor_sum)")
    words = a.astype(np.float64 if a.dtype.kind == "f" else np.int64).view(np.uint64)
    if a.ndim == 0:
        return np.asarray(words.copy())
    axes = tuple(range(a.ndim)) if not dim else tuple(wrap_dim(d, a.ndim) for d in dim)
    if not dim and a.size == 0:
        raise RuntimeError("hash_tensor: Expected reduction dim to be specified for input.numel() == 0. Specify the "
                           "reduction dim with the 'dim' argument.")
    for d in axes:
        if a.ndim and a.shape[d] == 0:
            raise IndexError(f"hash_tensor: Expected reduction dim {d} to have non-zero size.")
    return np.asarray(np.bitwise_xor.reduce(words, axis=axes, keepdims=keepdim), np.uint64)


register("aten.hash_tensor.default", _hash_tensor)
register("aten.sum_to_size.default", _sum_to_size)
register("aten.segment_reduce.default", _segment_reduce)
register("aten.sum.default", lambda a, dtype=None: _sum(a, None, False, dtype))
register("aten.sum.dim_IntList", _sum)
register("aten.mean.default", lambda a, dtype=None: _mean(a, None, False, dtype))
register("aten.mean.dim", _mean)
register("aten.prod.default", lambda a, dtype=None: _prod(a, None, False, dtype))
register("aten.prod.dim_int", _prod)
register("aten.max.default", _extreme(np.max))
register("aten.min.default", _extreme(np.min))
register("aten.max.dim", _extreme_dim(np.max, np.argmax), multi=True)
register("aten.min.dim", _extreme_dim(np.min, np.argmin), multi=True)
register("aten.amax.default", _amax_like(np.max))
register("aten.amin.default", _amax_like(np.min))
register("aten.argmax.default", _arg(np.argmax))
register("aten.argmin.default", _arg(np.argmin))
register("aten.any.default", _bool_reduce(np.any))
register("aten.any.dim", _bool_reduce(np.any))
register("aten.all.default", _bool_reduce(np.all))
register("aten.all.dim", _bool_reduce(np.all))
register("aten.any.dims", _bool_reduce(np.any))
register("aten.all.dims", _bool_reduce(np.all))


def _nansum(a: np.ndarray, dim: Any = None, keepdim: bool = False, *, dtype: DType | None = None) -> np.ndarray:
    dt = _sum_dtype(a, dtype)
    return as_array(np.nansum(a.astype(dt.np, copy=False), axis=_axes(dim, a.ndim), keepdims=keepdim), dt)


def _nanmean(a: np.ndarray, dim: Any = None, keepdim: bool = False, *, dtype: DType | None = None) -> np.ndarray:
    dt = dtype or dtypes.from_numpy(a.dtype)
    if dt.kind not in "fc":
        raise RuntimeError(f"nanmean(): expected input to have floating point or complex dtype but got {dt.name}")
    x = a.astype(dt.np, copy=False)
    axes = _axes(dim, a.ndim)
    with np.errstate(all="ignore"):
        total = np.nansum(x, axis=axes, keepdims=keepdim)
        count = np.sum(~np.isnan(x), axis=axes, keepdims=keepdim)
        return as_array(total / count, dt)


def _aminmax(a: np.ndarray, *, dim: int | None = None, keepdim: bool = False) -> tuple[np.ndarray, np.ndarray]:
    if dim is None:
        if a.size == 0:
            raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the operation has no "
                               "identity.")
        lo, hi = np.min(a), np.max(a)
        shape = (1,) * a.ndim if keepdim else ()
        return as_array(np.reshape(lo, shape), a.dtype), as_array(np.reshape(hi, shape), a.dtype)
    axis = wrap_dim(dim, a.ndim)
    if a.ndim == 0:
        return a.copy(), a.copy()
    if a.shape[axis] == 0:
        raise IndexError("aminmax(): Expected reduction dim 0 to have non-zero size.")
    return (as_array(np.min(a, axis=axis, keepdims=keepdim), a.dtype),
            as_array(np.max(a, axis=axis, keepdims=keepdim), a.dtype))


def _count_nonzero(a: np.ndarray, dim: Any = None) -> np.ndarray:
    return as_array(np.sum(a != 0, axis=_axes(dim, a.ndim)), np.int64)


def _logsumexp(a: np.ndarray, dim: Any, keepdim: bool = False) -> np.ndarray:
    dt = dtypes.from_numpy(a.dtype)
    dt = dt if dt.kind in "fc" else dtypes.DEFAULT_FLOAT
    x = a.astype(np.float64)
    axes = _axes(dim, a.ndim)
    if x.size == 0:
        return as_array(np.log(np.sum(np.exp(x), axis=axes, keepdims=keepdim)), dt)
    with np.errstate(all="ignore"):
        peak = np.max(x, axis=axes, keepdims=True)
        peak = np.where(np.isfinite(peak), peak, 0.0)
        out = np.log(np.sum(np.exp(x - peak), axis=axes, keepdims=True)) + peak
    if not keepdim:
        out = np.squeeze(out, axis=axes) if axes is not None else out.reshape(())
    return as_array(out, dt)


register("aten.nansum.default", _nansum)
register("aten.nanmean.default", _nanmean)
register("aten.aminmax.default", _aminmax, multi=True)
register("aten.count_nonzero.default", _count_nonzero)
register("aten.count_nonzero.dim_IntList", _count_nonzero)
register("aten.logsumexp.default", _logsumexp)
