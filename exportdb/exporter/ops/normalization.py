"""Normalization: batch, instance, group, layer and RMS norm.

``batch_norm`` and ``instance_norm`` in training mode (``use_input_stats``)
normalise with the batch statistics and, when running statistics are given,
update them *in place*, as torch's kernels do:
``running = (1 - momentum) * running + momentum * batch_stat`` (the variance
unbiased).  Statistics are computed in float64.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from exportdb.exporter.ops.kernel_util import as_array
from exportdb.exporter.ops.table import register


def _affine(y: np.ndarray, weight: np.ndarray | None, bias: np.ndarray | None, shape: tuple) -> np.ndarray:
    if weight is not None:
        y = y * weight.astype(np.float64).reshape(shape)
    if bias is not None:
        y = y + bias.astype(np.float64).reshape(shape)
    return y


def _update(running: np.ndarray | None, stat: np.ndarray, momentum: float) -> None:
    if running is not None:
        np.copyto(running, (1 - momentum) * running.astype(np.float64) + momentum * stat, casting="unsafe")


def _batch_norm(x: np.ndarray, weight: np.ndarray | None, bias: np.ndarray | None,
                running_mean: np.ndarray | None, running_var: np.ndarray | None, training: bool, momentum: float,
                eps: float, cudnn_enabled: bool = False) -> np.ndarray:
    if x.size == 0:
        return x.copy()
    if x.ndim < 2:
        raise RuntimeError(f"batch_norm expects an input with at least 2 dims, got {list(x.shape)}")
    c = x.shape[1]
    axes = (0,) + tuple(range(2, x.ndim))
    shape = (1, c) + (1,) * (x.ndim - 2)
    xf = x.astype(np.float64)
    if training:
        count = x.size // c
        if count <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size {list(x.shape)}")
        mean = xf.mean(axis=axes)
        var = xf.var(axis=axes)
        _update(running_mean, mean, momentum)
        _update(running_var, var * count / (count - 1), momentum)
    else:
        if running_mean is None or running_var is None:
            raise RuntimeError("running_mean and running_var must be defined in evaluation mode")
        mean, var = running_mean.astype(np.float64), running_var.astype(np.float64)
    y = (xf - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps)
    return as_array(_affine(y, weight, bias, shape), x.dtype)


def _instance_norm(x: np.ndarray, weight: np.ndarray | None, bias: np.ndarray | None,
                   running_mean: np.ndarray | None, running_var: np.ndarray | None, use_input_stats: bool,
                   momentum: float, eps: float, cudnn_enabled: bool = False) -> np.ndarray:
    n, c = x.shape[:2]
    shape = (1, c) + (1,) * (x.ndim - 2)
    xf = x.astype(np.float64)
    if use_input_stats:
        axes = tuple(range(2, x.ndim))
        count = int(np.prod(x.shape[2:]))
        mean = xf.mean(axis=axes, keepdims=True)
        var = xf.var(axis=axes, keepdims=True)
        if running_mean is not None:
            _update(running_mean, mean.reshape(n, c).mean(axis=0), momentum)
        if running_var is not None:
            unbiased = var.reshape(n, c) * count / max(count - 1, 1)
            _update(running_var, unbiased.mean(axis=0), momentum)
    else:
        if running_mean is None or running_var is None:
            raise RuntimeError("Expected running_mean and running_var to be defined when use_input_stats is false")
        mean, var = running_mean.astype(np.float64).reshape(shape), running_var.astype(np.float64).reshape(shape)
    y = (xf - mean) / np.sqrt(var + eps)
    return as_array(_affine(y, weight, bias, shape), x.dtype)


def _group_stats(x: np.ndarray, num_groups: int, eps: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(normalised x in float64, mean, rstd), the statistics shaped (N, num_groups)."""
    n, c = x.shape[:2]
    if num_groups <= 0 or c % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, but got input of "
                           f"shape {list(x.shape)} and num_groups={num_groups}")
    g = x.astype(np.float64).reshape(n, num_groups, (c // num_groups) * int(np.prod(x.shape[2:], dtype=np.int64)))
    with np.errstate(all="ignore"):
        mean = g.mean(axis=-1) if g.shape[-1] else np.zeros(g.shape[:2])
        var = g.var(axis=-1) if g.shape[-1] else np.zeros(g.shape[:2])
        rstd = 1 / np.sqrt(var + eps)
    y = ((g - mean[..., None]) * rstd[..., None]).reshape(x.shape)
    return y, mean, rstd


def _group_norm(x: np.ndarray, num_groups: int, weight: np.ndarray | None = None, bias: np.ndarray | None = None,
                eps: float = 1e-5, cudnn_enabled: bool = True) -> np.ndarray:
    y, _, _ = _group_stats(x, num_groups, eps)
    return as_array(_affine(y, weight, bias, (1, x.shape[1]) + (1,) * (x.ndim - 2)), x.dtype)


def _native_group_norm(x: np.ndarray, weight: np.ndarray | None, bias: np.ndarray | None, n: int, c: int,
                       hxw: int, group: int, eps: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if x.size != n * c * hxw:
        raise RuntimeError(f"Expected input to have {n * c * hxw} elements, got {x.size}")
    y, mean, rstd = _group_stats(x.reshape((n, c, hxw)), group, eps)
    y = _affine(y, weight, bias, (1, c, 1)).reshape(x.shape)
    return as_array(y, x.dtype), as_array(mean, x.dtype), as_array(rstd, x.dtype)


def _check_normalized(x: np.ndarray, normalized_shape: Sequence[int], name: str) -> tuple:
    shape = tuple(int(s) for s in normalized_shape)
    if x.ndim < len(shape) or tuple(x.shape[x.ndim - len(shape):]) != shape:
        raise RuntimeError(f"Given normalized_shape={list(shape)}, expected input with shape [*, "
                           f"{', '.join(map(str, shape))}], but got input of size{list(x.shape)}")
    return tuple(range(x.ndim - len(shape), x.ndim))


def _layer_norm(x: np.ndarray, normalized_shape: Sequence[int], weight: np.ndarray | None = None,
                bias: np.ndarray | None = None, eps: float = 1e-5, cudnn_enable: bool = True) -> np.ndarray:
    axes = _check_normalized(x, normalized_shape, "layer_norm")
    xf = x.astype(np.float64)
    y = (xf - xf.mean(axis=axes, keepdims=True)) / np.sqrt(xf.var(axis=axes, keepdims=True) + eps)
    shape = tuple(x.shape[a] for a in axes)
    return as_array(_affine(y, weight, bias, shape), x.dtype)


def _native_layer_norm(x: np.ndarray, normalized_shape: Sequence[int], weight: np.ndarray | None,
                       bias: np.ndarray | None, eps: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    axes = _check_normalized(x, normalized_shape, "native_layer_norm")
    xf = x.astype(np.float64)
    with np.errstate(all="ignore"):
        mean = xf.mean(axis=axes, keepdims=True) if x.size else np.zeros(x.shape[:axes[0]] + (1,) * len(axes))
        var = xf.var(axis=axes, keepdims=True) if x.size else np.zeros_like(mean)
        rstd = 1 / np.sqrt(var + eps)
    y = _affine((xf - mean) * rstd, weight, bias, tuple(x.shape[a] for a in axes))
    return as_array(y, x.dtype), as_array(mean, x.dtype), as_array(rstd, x.dtype)


def _native_batch_norm(x: np.ndarray, weight: np.ndarray | None, bias: np.ndarray | None,
                       running_mean: np.ndarray | None, running_var: np.ndarray | None, training: bool,
                       momentum: float, eps: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``batch_norm`` and, in training, the batch mean and 1/sqrt(var + eps) per channel (else two empty tensors)."""
    y = _batch_norm(x, weight, bias, running_mean, running_var, training, momentum, eps)
    if not training:
        return y, np.empty((0,), x.dtype), np.empty((0,), x.dtype)
    axes = (0,) + tuple(range(2, x.ndim))
    xf = x.astype(np.float64)
    return y, as_array(xf.mean(axis=axes), x.dtype), as_array(1 / np.sqrt(xf.var(axis=axes) + eps), x.dtype)


def _rms_norm(x: np.ndarray, normalized_shape: Sequence[int], weight: np.ndarray | None = None,
              eps: float | None = None) -> np.ndarray:
    axes = _check_normalized(x, normalized_shape, "rms_norm")
    if eps is None:
        eps = float(np.finfo(x.dtype).eps) if x.dtype.kind == "f" else float(np.finfo(np.float32).eps)
    xf = x.astype(np.float64)
    y = xf / np.sqrt((xf * xf).mean(axis=axes, keepdims=True) + eps)
    return as_array(_affine(y, weight, None, tuple(x.shape[a] for a in axes)), x.dtype)


register("aten.batch_norm.default", _batch_norm)
register("aten.instance_norm.default", _instance_norm)
register("aten.group_norm.default", _group_norm)
register("aten.layer_norm.default", _layer_norm)
register("aten.rms_norm.default", _rms_norm)
register("aten.native_group_norm.default", _native_group_norm, multi=True)
register("aten.native_layer_norm.default", _native_layer_norm, multi=True)
register("aten.native_batch_norm.default", _native_batch_norm, multi=True)
