"""Sorting and searching: sort/argsort/msort, topk, kthvalue, bucketize/searchsorted, histc,
bincount, and the unique family.

Sorts are stable, with NaN above every number (last ascending, first descending), as
torch's CPU sort orders them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from exportdb.exporter.ops.kernel_util import as_array, float_dtype, wrap_dim
from exportdb.exporter.ops.table import register


def sort_indices(a: np.ndarray, axis: int, descending: bool = False) -> np.ndarray:
    """Stable sorting permutation along ``axis``; ties keep their order either way."""
    if not descending:
        return np.argsort(a, axis=axis, kind="stable")
    n = a.shape[axis]
    flipped = np.flip(a, axis=axis)
    return np.flip(n - 1 - np.argsort(flipped, axis=axis, kind="stable"), axis=axis)


def _sort(a: np.ndarray, dim: int = -1, descending: bool = False) -> tuple[np.ndarray, np.ndarray]:
    axis = wrap_dim(dim, a.ndim)
    if a.ndim == 0:
        return a.copy(), np.zeros((), np.int64)
    idx = sort_indices(a, axis, descending)
    return np.take_along_axis(a, idx, axis=axis), as_array(idx, np.int64)


def _sort_stable(a: np.ndarray, *, stable: bool | None = None, dim: int = -1,
                 descending: bool = False) -> tuple[np.ndarray, np.ndarray]:
    return _sort(a, dim, descending)


def _argsort(a: np.ndarray, dim: int = -1, descending: bool = False) -> np.ndarray:
    return _sort(a, dim, descending)[1]


def _argsort_stable(a: np.ndarray, *, stable: bool = False, dim: int = -1, descending: bool = False) -> np.ndarray:
    return _sort(a, dim, descending)[1]


def _msort(a: np.ndarray) -> np.ndarray:
    return _sort(a, 0)[0]


def _topk(a: np.ndarray, k: int, dim: int = -1, largest: bool = True,
          sorted: bool = True) -> tuple[np.ndarray, np.ndarray]:  # noqa: A002
    axis = wrap_dim(dim, a.ndim)
    size = a.shape[axis] if a.ndim else 1
    if not 0 <= k <= size:
        raise RuntimeError("selected index k out of range")
    if a.ndim == 0:
        return a.copy(), np.zeros((), np.int64)
    idx = np.take(sort_indices(a, axis, descending=largest), np.arange(k), axis=axis)
    return np.take_along_axis(a, idx, axis=axis), as_array(idx, np.int64)


def _kthvalue(a: np.ndarray, k: int, dim: int = -1, keepdim: bool = False) -> tuple[np.ndarray, np.ndarray]:
    axis = wrap_dim(dim, a.ndim)
    size = a.shape[axis] if a.ndim else 1
    if not 1 <= k <= size:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {dim}")
    if a.ndim == 0:
        return a.copy(), np.zeros((), np.int64)
    idx = np.take(sort_indices(a, axis), [k - 1], axis=axis)
    values = np.take_along_axis(a, idx, axis=axis)
    if not keepdim:
        idx, values = np.squeeze(idx, axis), np.squeeze(values, axis)
    return as_array(values, a.dtype), as_array(idx, np.int64)


def _boundaries_side(right: bool, side: str | None) -> str:
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"side can only be 'left' or 'right' but got {side}")
        return side
    return "right" if right else "left"


def _searchsorted(seq: np.ndarray, values: Any, *, out_int32: bool = False, right: bool = False,
                  side: str | None = None, sorter: np.ndarray | None = None) -> np.ndarray:
    how = _boundaries_side(right, side)
    out_dt = np.int32 if out_int32 else np.int64
    vals = np.asarray(values)
    if sorter is not None:
        seq = np.take_along_axis(seq, sorter, axis=-1) if seq.ndim else seq
    if seq.ndim <= 1:
        return as_array(np.searchsorted(seq, vals, side=how), out_dt)
    if seq.shape[:-1] != vals.shape[:-1]:
        raise RuntimeError("boundaries and input must have the same leading dimensions")
    rows = int(np.prod(seq.shape[:-1]))
    flat_seq = seq.reshape(rows, seq.shape[-1])
    flat_vals = vals.reshape(rows, vals.shape[-1])
    out = np.zeros(flat_vals.shape, np.int64)
    for i in range(rows):
        out[i] = np.searchsorted(flat_seq[i], flat_vals[i], side=how)
    return as_array(out.reshape(vals.shape), out_dt)


def _bucketize(values: Any, boundaries: np.ndarray, *, out_int32: bool = False, right: bool = False) -> np.ndarray:
    if boundaries.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries.ndim})")
    return _searchsorted(boundaries, values, out_int32=out_int32, right=right)


def _histc(a: np.ndarray, bins: int = 100, min: Any = 0, max: Any = 0) -> np.ndarray:  # noqa: A002
    if bins <= 0:
        raise RuntimeError("torch.histc(): bins must be > 0")
    dt = float_dtype(a)
    x = a.astype(np.float64).reshape(-1)
    lo, hi = float(min), float(max)
    if lo == hi and x.size:
        lo, hi = float(np.min(x)), float(np.max(x))
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    inside = x[(x >= lo) & (x <= hi)]
    pos = ((inside - lo) * bins / (hi - lo)).astype(np.int64)
    pos = np.minimum(pos, bins - 1)
    return as_array(np.bincount(pos, minlength=bins).astype(dt.np), dt)


def _histogram(a: np.ndarray, bins: Any = 100, *, range: Any = None, weight: np.ndarray | None = None,  # noqa: A002
               density: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(counts or weight sums, bin edges): ``bins`` equal bins over ``range`` (else the values' span),
    or the edges a tensor ``bins`` gives; ``density`` divides by the total and the bin widths."""
    if a.dtype.kind != "f":
        raise RuntimeError(f"torch.histogram: input tensor and bins tensors should have the same dtype, but got "
                           f"input {a.dtype}")
    x = a.astype(np.float64).reshape(-1)
    w = weight
    if isinstance(bins, np.ndarray):
        edges = bins.astype(np.float64)
    else:
        if bins <= 0:
            raise RuntimeError("torch.histogram(): bins must be > 0")
        if range is not None:
            lo, hi = float(range[0]), float(range[1])
        else:
            lo, hi = (float(x.min()), float(x.max())) if x.size else (0.0, 1.0)
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5
        edges = np.linspace(lo, hi, int(bins) + 1)
    nbins = edges.size - 1
    inside = (x >= edges[0]) & (x <= edges[-1])
    pos = np.minimum(np.searchsorted(edges, x[inside], side="right") - 1, nbins - 1)
    hist = np.zeros(nbins, a.dtype)  # summed in the input's dtype and order, as torch does
    np.add.at(hist, pos, np.ones(pos.size, a.dtype) if w is None else weight.reshape(-1)[inside].astype(a.dtype))
    edges = as_array(edges, a.dtype)
    if density:
        with np.errstate(all="ignore"):
            hist = hist / (hist.sum() * np.diff(edges))
    return as_array(hist, a.dtype), edges


def _bincount(a: np.ndarray, weights: np.ndarray | None = None, minlength: int = 0) -> np.ndarray:
    if a.ndim != 1 or a.dtype.kind not in "iu":
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if a.size and a.min() < 0:
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if weights is None:
        return as_array(np.bincount(a, minlength=minlength), np.int64)
    dt = np.float32 if weights.dtype == np.float32 else np.float64
    return as_array(np.bincount(a, weights=weights, minlength=minlength), dt)


def _unique2(a: np.ndarray, sorted: bool = True, return_inverse: bool = False,  # noqa: A002
             return_counts: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    values, inverse, counts = np.unique(a.reshape(-1), return_inverse=True, return_counts=True)
    inv = inverse.reshape(a.shape) if return_inverse else np.zeros((0,), np.int64)
    cnt = counts if return_counts else np.zeros((0,), np.int64)
    return as_array(values, a.dtype), as_array(inv, np.int64), as_array(cnt, np.int64)


def _unique_dim(a: np.ndarray, dim: int, sorted: bool = True, return_inverse: bool = False,  # noqa: A002
                return_counts: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unique slices along ``dim``, in lexicographic order; inverse and counts always come back."""
    axis = wrap_dim(dim, a.ndim)
    if a.shape[axis] == 0:
        return a.copy(), np.zeros((0,), np.int64), np.zeros((0,), np.int64)
    values, inverse, counts = np.unique(a, axis=axis, return_inverse=True, return_counts=True)
    return as_array(values, a.dtype), as_array(inverse.reshape(-1), np.int64), as_array(counts, np.int64)


def _unique_consecutive(a: np.ndarray, return_inverse: bool = False, return_counts: bool = False,
                        dim: int | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Collapse runs of equal elements (of equal slices along ``dim``)."""
    if dim is None:
        x = a.reshape(-1, 1)
        axis = None
    else:
        axis = wrap_dim(dim, a.ndim)
        x = np.moveaxis(a, axis, 0).reshape(a.shape[axis], int(np.prod(a.shape)) // max(a.shape[axis], 1))
    starts = np.ones(x.shape[0], bool)
    starts[1:] = np.any(x[1:] != x[:-1], axis=1)
    keep = np.flatnonzero(starts)
    counts = as_array(np.diff(np.append(keep, x.shape[0])), np.int64)
    inverse = as_array(np.cumsum(starts) - 1, np.int64)
    if axis is None:
        values = a.reshape(-1)[keep]
        inverse = inverse.reshape(a.shape) if return_inverse else np.zeros((0,), np.int64)
        counts = counts if return_counts else np.zeros((0,), np.int64)
    else:
        values = np.take(a, keep, axis=axis)
    return as_array(values, a.dtype), inverse, counts


register("aten.sort.default", _sort, multi=True)
register("aten.histogram.bin_ct", _histogram, multi=True)
register("aten.histogram.bins_tensor", _histogram, multi=True)
register("aten.sort.stable", _sort_stable, multi=True)
register("aten.argsort.default", _argsort)
register("aten.argsort.stable", _argsort_stable)
register("aten.msort.default", _msort)
register("aten.topk.default", _topk, multi=True)
register("aten.kthvalue.default", _kthvalue, multi=True)
register("aten.searchsorted.Tensor", _searchsorted)
register("aten.searchsorted.Scalar", _searchsorted)
register("aten.bucketize.Tensor", _bucketize)
register("aten.bucketize.Scalar", _bucketize)
register("aten.histc.default", _histc)
register("aten.bincount.default", _bincount)
register("aten._unique2.default", _unique2, multi=True)
register("aten.unique_dim.default", _unique_dim, multi=True)
register("aten.unique_consecutive.default", _unique_consecutive, multi=True)
