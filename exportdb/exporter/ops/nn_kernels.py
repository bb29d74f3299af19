"""Neural-network ops: linear algebra, activations, softmax, dropout."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from exportdb.exporter.ops import creation
from exportdb.exporter.ops.table import register
from exportdb.exporter.ops.kernel_util import as_array, cast, float_dtype, promoted, wrap_dim


def _matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError("both arguments to matmul need to be at least 1D")
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {a.dtype} != {b.dtype}")
    try:
        return as_array(np.matmul(a, b), a.dtype)
    except ValueError as exc:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({_shape(a)} and {_shape(b)})") from exc


def _shape(a: np.ndarray) -> str:
    return "x".join(str(s) for s in a.shape)


def _mm(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if a.ndim != 2 or b.ndim != 2:
        raise RuntimeError("mm: both arguments must be 2D")
    return _matmul(a, b)


def _bmm(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if a.ndim != 3 or b.ndim != 3:
        raise RuntimeError("bmm: both arguments must be 3D")
    return _matmul(a, b)


def _linear(x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None = None) -> np.ndarray:
    out = _matmul(x, weight.T)
    return as_array(out + bias, out.dtype) if bias is not None else out


def _softmax(a: np.ndarray, dim: int, dtype: Any = None) -> np.ndarray:
    dt = dtype or float_dtype(a)
    x = a.astype(dt.np, copy=False)
    axis = wrap_dim(dim, a.ndim) if a.ndim else None
    e = np.exp(x - np.max(x, axis=axis, keepdims=True, initial=-np.inf))  # initial: an empty dim is fine
    return as_array(e / np.sum(e, axis=axis, keepdims=True), dt)


def _log_softmax(a: np.ndarray, dim: int, dtype: Any = None) -> np.ndarray:
    dt = dtype or float_dtype(a)
    x = a.astype(dt.np, copy=False)
    axis = wrap_dim(dim, a.ndim) if a.ndim else None
    shifted = x - np.max(x, axis=axis, keepdims=True, initial=-np.inf)
    return as_array(shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True)), dt)


def _gelu(a: np.ndarray, approximate: str = "none") -> np.ndarray:
    dt = float_dtype(a)
    x = a.astype(np.float64)
    if approximate == "tanh":
        y = 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))
    else:
        erf = np.vectorize(math.erf, otypes=[np.float64])
        y = 0.5 * x * (1 + erf(x / math.sqrt(2)))
    return as_array(y, dt)


def _dropout(a: np.ndarray, p: float, train: bool) -> np.ndarray:
    if not train or p == 0:
        return a.copy()
    keep = creation.RNG.random(a.shape) >= p  # read at call time: manual_seed replaces the generator
    return as_array(a * keep / (1 - p), a.dtype)


def _where_scalar(cond: np.ndarray, a: Any, b: Any) -> np.ndarray:
    dt = promoted(a, b)
    return as_array(np.where(cond.astype(bool), cast(a, dt), cast(b, dt)), dt)


register("aten.matmul.default", _matmul)
register("aten.mm.default", _mm)
register("aten.bmm.default", _bmm)
register("aten.linear.default", _linear)


def _bilinear(x1: np.ndarray, x2: np.ndarray, weight: np.ndarray, bias: np.ndarray | None = None) -> np.ndarray:
    """``y[..., o] = x1[..., i] * weight[o, i, j] * x2[..., j] + bias[o]``."""
    out = np.einsum("...i,oij,...j->...o", x1.astype(np.float64), weight.astype(np.float64), x2.astype(np.float64))
    if bias is not None:
        out = out + bias
    return as_array(out, x1.dtype)


register("aten.bilinear.default", _bilinear)
register("aten.softmax.int", _softmax)
register("aten.log_softmax.int", _log_softmax)
register("aten.gelu.default", _gelu)
register("aten.dropout.default", _dropout)
register("aten.where.ScalarOther", _where_scalar)
register("aten.where.ScalarSelf", _where_scalar)
register("aten.where.Scalar", _where_scalar)
