"""Scans along one dim: cumsum, cumprod, cummax/cummin, logcumsumexp; differences and
trapezoid integrals (diff, trapezoid/trapz, cumulative_trapezoid)."""

from __future__ import annotations

from typing import Any

import numpy as np

from exportdb.exporter.ir import dtypes
from exportdb.exporter.ir.dtypes import DType
from exportdb.exporter.ops.kernel_util import as_array, float_dtype, promoted, wrap_dim
from exportdb.exporter.ops.table import register


def accumulate_dtype(a: np.ndarray, dtype: DType | None) -> DType:
    """The result dtype of a sum-like op: ``dtype`` if given, int64 for ints and bools."""
    if dtype is not None:
        return dtype
    dt = dtypes.from_numpy(a.dtype)
    return dtypes.int64 if dt.kind in "bi" else dt


def _scan(ufunc: np.ufunc):
    def kernel(a: np.ndarray, dim: int, *, dtype: DType | None = None) -> np.ndarray:
        axis = wrap_dim(dim, a.ndim)
        dt = accumulate_dtype(a, dtype)
        x = a.astype(dt.np, copy=False)
        if x.ndim == 0:
            return as_array(x.copy(), dt)
        with np.errstate(all="ignore"):
            return as_array(ufunc.accumulate(x, axis=axis), dt)

    return kernel


def _running_extreme(better: Any):
    """cummax/cummin: running values and the index where each was last reached (a NaN wins
    and stays)."""

    def kernel(a: np.ndarray, dim: int) -> tuple[np.ndarray, np.ndarray]:
        axis = wrap_dim(dim, a.ndim)
        if a.ndim == 0:
            return a.copy(), np.zeros((), np.int64)
        x = np.moveaxis(a, axis, 0)
        values = np.empty_like(x)
        indices = np.empty(x.shape, np.int64)
        if x.shape[0]:
            cur, idx = x[0].copy(), np.zeros(x.shape[1:], np.int64)
            values[0], indices[0] = cur, idx
            floating = a.dtype.kind == "f"
            for i in range(1, x.shape[0]):
                xi = x[i]
                take = better(xi, cur)
                if floating:
                    take = np.isnan(xi) | (~np.isnan(cur) & take)
                cur = np.where(take, xi, cur)
                idx = np.where(take, i, idx)
                values[i], indices[i] = cur, idx
        return np.moveaxis(values, 0, axis), np.moveaxis(indices, 0, axis)

    return kernel


def _logcumsumexp(a: np.ndarray, dim: int) -> np.ndarray:
    axis = wrap_dim(dim, a.ndim)
    dt = float_dtype(a)
    x = a.astype(dt.np, copy=False)
    if x.ndim == 0:
        return as_array(x.copy(), dt)
    with np.errstate(all="ignore"):
        return as_array(np.logaddexp.accumulate(x, axis=axis), dt)


def _diff(a: np.ndarray, n: int = 1, dim: int = -1, prepend: np.ndarray | None = None,
          append: np.ndarray | None = None) -> np.ndarray:
    if a.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    axis = wrap_dim(dim, a.ndim)
    if n == 0:  # torch returns the input as it is, without prepend or append
        return a.copy()
    parts = [p for p in (prepend, a, append) if p is not None]
    dt = promoted(*parts) if len(parts) > 1 else dtypes.from_numpy(a.dtype)
    x = np.concatenate([p.astype(dt.np, copy=False) for p in parts], axis=axis) if len(parts) > 1 else a
    for _ in range(n):
        if x.shape[axis] == 0:
            break
        head = np.take(x, np.arange(1, x.shape[axis]), axis=axis)
        tail = np.take(x, np.arange(0, x.shape[axis] - 1), axis=axis)
        x = head != tail if x.dtype == np.bool_ else head - tail
    return as_array(x, dt)


def _trapezoid_parts(y: np.ndarray, x: Any, dim: int) -> tuple[np.ndarray, Any, int]:
    axis = wrap_dim(dim, y.ndim)
    dt = float_dtype(y) if not isinstance(x, np.ndarray) else (
        promoted(y, x) if promoted(y, x).kind in "fc" else dtypes.DEFAULT_FLOAT)
    yv = y.astype(dt.np, copy=False)
    if isinstance(x, np.ndarray):
        xv = x.astype(dt.np, copy=False)
        if xv.ndim == 1:
            shape = [1] * yv.ndim
            shape[axis] = xv.shape[0]
            xv = xv.reshape(shape)
        n = xv.shape[axis] if xv.ndim else 1
        step = (np.take(xv, np.arange(1, n), axis=axis) - np.take(xv, np.arange(0, n - 1), axis=axis))
    else:
        step = x
    n = yv.shape[axis]
    mids = (np.take(yv, np.arange(1, n), axis=axis) + np.take(yv, np.arange(0, max(n - 1, 0)), axis=axis)) / 2
    return as_array(mids * step, dt), dt, axis


def _trapezoid(y: np.ndarray, x: Any = 1, *, dim: int = -1) -> np.ndarray:
    parts, dt, axis = _trapezoid_parts(y, x, dim)
    return as_array(np.sum(parts, axis=axis), dt)


def _trapezoid_dx(y: np.ndarray, *, dx: Any = 1, dim: int = -1) -> np.ndarray:
    return _trapezoid(y, dx, dim=dim)


def _cumulative_trapezoid(y: np.ndarray, x: Any = 1, *, dim: int = -1) -> np.ndarray:
    parts, dt, axis = _trapezoid_parts(y, x, dim)
    return as_array(np.cumsum(parts, axis=axis), dt)


def _cumulative_trapezoid_dx(y: np.ndarray, *, dx: Any = 1, dim: int = -1) -> np.ndarray:
    return _cumulative_trapezoid(y, dx, dim=dim)


def gradient_dims(ndim: int, dim: Any) -> list[int]:
    """The dims ``torch.gradient`` differentiates along: all of them, one, or a list."""
    if dim is None:
        return list(range(ndim))
    return [wrap_dim(d, ndim) for d in ([dim] if isinstance(dim, int) else dim)]


def _gradient(a: np.ndarray, *, spacing: Any = None, dim: Any = None, edge_order: int = 1) -> tuple:
    """Central differences inside, one-sided ones of order ``edge_order`` at the ends; ``spacing`` is a
    step for every dim, one step per dim, or one coordinate tensor per dim."""
    dims = gradient_dims(a.ndim, dim)
    steps = [1.0 if spacing is None else spacing] * len(dims) if not isinstance(spacing, (list, tuple)) \
        else list(spacing)
    if len(steps) != len(dims):
        raise RuntimeError(f"torch.gradient expected spacing to be unspecified, a scalar or it's spacing and dim "
                           f"arguments to have the same length, but got a spacing argument of length {len(steps)} "
                           f"and a dim argument of length {len(dims)}.")
    if edge_order not in (1, 2):
        raise RuntimeError("torch.gradient only supports edge_order=1 and edge_order=2.")
    for d in dims:
        if a.shape[d] < edge_order + 1:
            raise RuntimeError("torch.gradient expected each dimension size to be at least edge_order+1")
    dt = a.dtype if a.dtype.kind in "fc" else np.dtype(np.float32)
    wide = a.astype(np.complex128 if a.dtype.kind == "c" else np.float64)
    outs = []
    for d, step in zip(dims, steps):
        h = np.asarray(step, dtype=np.float64) if isinstance(step, np.ndarray) else float(step)
        outs.append(np.asarray(np.gradient(wide, h, axis=d, edge_order=edge_order), dtype=dt))
    return tuple(outs)


register("aten.cumsum.default", _scan(np.add))
register("aten.cumprod.default", _scan(np.multiply))
register("aten.cummax.default", _running_extreme(np.greater_equal), multi=True)
register("aten.cummin.default", _running_extreme(np.less_equal), multi=True)
register("aten.logcumsumexp.default", _logcumsumexp)
register("aten.diff.default", _diff)
for _overload in ("scalarint", "scalararray", "array", "scalarrayint", "scalarrayarray", "tensorarrayint",
                  "tensorarray"):
    register(f"aten.gradient.{_overload}", _gradient, multi=True)
for _name in ("trapezoid", "trapz"):
    register(f"aten.{_name}.x", _trapezoid)
    register(f"aten.{_name}.dx", _trapezoid_dx)
register("aten.cumulative_trapezoid.x", _cumulative_trapezoid)
register("aten.cumulative_trapezoid.dx", _cumulative_trapezoid_dx)
