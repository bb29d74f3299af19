"""Attention ops: ``aten.scaled_dot_product_attention`` and the ops multi-head
attention records around it (``baddbmm``, ``unflatten``, ``contiguous``)."""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from exportdb.exporter.ops import creation
from exportdb.exporter.ops.kernel_util import as_array, float_dtype, promoted, wrap_dim
from exportdb.exporter.ops.table import provide


def _softmax_last(x: np.ndarray) -> np.ndarray:
    peak = np.max(x, axis=-1, keepdims=True)
    peak = np.where(np.isfinite(peak), peak, 0.0)
    e = np.exp(x - peak)
    total = np.sum(e, axis=-1, keepdims=True)
    return np.divide(e, total, out=np.zeros_like(e), where=total > 0) if np.any(total == 0) else e / total


def _sdpa(query: np.ndarray, key: np.ndarray, value: np.ndarray, attn_mask: np.ndarray | None = None,
          dropout_p: float = 0.0, is_causal: bool = False, *, scale: float | None = None,
          enable_gqa: bool = False) -> np.ndarray:
    if query.ndim < 2 or key.ndim < 2 or value.ndim < 2:
        raise RuntimeError("scaled_dot_product_attention: query, key and value must be at least 2-D")
    if is_causal and attn_mask is not None:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True")
    dt = float_dtype(query)
    q, k, v = (t.astype(np.float64) for t in (query, key, value))
    if enable_gqa and q.ndim >= 3 and k.shape[-3] != q.shape[-3]:
        k = np.repeat(k, q.shape[-3] // k.shape[-3], axis=-3)
        v = np.repeat(v, q.shape[-3] // v.shape[-3], axis=-3)
    factor = 1.0 / math.sqrt(q.shape[-1]) if scale is None else scale
    scores = np.matmul(q, np.swapaxes(k, -2, -1)) * factor
    length, source = q.shape[-2], k.shape[-2]
    if is_causal:
        allowed = np.tril(np.ones((length, source), dtype=bool))
        scores = np.where(allowed, scores, -np.inf)
    if attn_mask is not None:
        if attn_mask.dtype == np.bool_:
            scores = np.where(attn_mask, scores, -np.inf)
        else:
            scores = scores + attn_mask.astype(np.float64)
    weights = _softmax_last(scores)
    if dropout_p > 0:
        weights = weights * (creation.RNG.random(weights.shape) >= dropout_p) / (1 - dropout_p)
    out = as_array(np.matmul(weights, v), dt)
    if out.ndim == 4:  # torch's CPU kernel lays (B, H, L, E) out as (B, L, H, E): out.transpose(1, 2) is contiguous
        out = np.swapaxes(np.ascontiguousarray(np.swapaxes(out, 1, 2)), 1, 2)
    return out


def _baddbmm(a: np.ndarray, batch1: np.ndarray, batch2: np.ndarray, *, beta: Any = 1, alpha: Any = 1) -> np.ndarray:
    if batch1.ndim != 3 or batch2.ndim != 3:
        raise RuntimeError("batch1 and batch2 must be 3D tensors")
    dt = promoted(a, batch1, batch2)
    product = np.matmul(batch1, batch2)
    out = alpha * product if beta == 0 else alpha * product + beta * a  # beta=0 ignores nan/inf in a
    return as_array(out, dt)


def _unflatten(a: np.ndarray, dim: int, sizes: Sequence[int]) -> np.ndarray:
    axis = wrap_dim(dim, a.ndim)
    return a.reshape(a.shape[:axis] + tuple(sizes) + a.shape[axis + 1:])


def _contiguous(a: np.ndarray, *, memory_format: Any = None) -> np.ndarray:
    return np.ascontiguousarray(a)


def _broadcast_tensors(tensors: Sequence[np.ndarray]) -> tuple:
    try:
        return tuple(np.broadcast_arrays(*tensors))
    except ValueError as exc:
        raise RuntimeError(f"The tensors' shapes {[t.shape for t in tensors]} cannot be broadcast") from exc


provide("aten.scaled_dot_product_attention.default", _sdpa)
provide("aten.baddbmm.default", _baddbmm)
provide("aten.unflatten.int", _unflatten)
provide("aten.contiguous.default", _contiguous)
provide("aten.broadcast_tensors.default", _broadcast_tensors, multi=True)
