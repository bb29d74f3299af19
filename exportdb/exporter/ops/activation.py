"""Activation and dropout ops of ``torch.nn``: ``aten.elu``, ``aten.hardtanh``, ``aten.glu``...

Each kernel computes in float64 and returns the input's float dtype; the in-place
variants (``elu_``) write the result back into their first argument.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from exportdb.exporter.ops import creation
from exportdb.exporter.ops.kernel_util import as_array, float_dtype, wrap_dim, write_into
from exportdb.exporter.ops.table import provide

Kernel = Callable[..., np.ndarray]

#: SELU's fixed constants (Klambauer et al., "Self-Normalizing Neural Networks").
SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805


def _float_op(fn: Callable[..., np.ndarray]) -> Kernel:
    """A kernel computing ``fn`` on float64 values and returning the input's float dtype."""

    def kernel(a: np.ndarray, *args: Any) -> np.ndarray:
        if a.dtype.kind not in "fc":
            raise RuntimeError(f"{fn.__name__.strip('_')} is not implemented for integer or boolean tensors")
        return as_array(fn(a.astype(np.float64), *args), float_dtype(a))

    kernel.__name__ = fn.__name__
    return kernel


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def _softplus_values(x: np.ndarray, beta: float = 1, threshold: float = 20) -> np.ndarray:
    bx = beta * x
    return np.where(bx > threshold, x, np.logaddexp(0.0, bx) / beta)


def _relu6(x: np.ndarray) -> np.ndarray:
    return np.clip(x, 0.0, 6.0)


def _hardtanh(x: np.ndarray, min_val: float = -1, max_val: float = 1) -> np.ndarray:
    return np.minimum(np.maximum(x, min_val), max_val)


def _leaky_relu(x: np.ndarray, negative_slope: float = 0.01) -> np.ndarray:
    return np.where(x > 0, x, x * negative_slope)


def _elu(x: np.ndarray, alpha: float = 1, scale: float = 1, input_scale: float = 1) -> np.ndarray:
    return np.where(x > 0, x * scale, alpha * scale * np.expm1(np.minimum(x, 0.0) * input_scale))


def _celu(x: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    return np.maximum(x, 0.0) + np.minimum(0.0, alpha * np.expm1(np.minimum(x, 0.0) / alpha))


def _selu(x: np.ndarray) -> np.ndarray:
    return _elu(x, SELU_ALPHA, SELU_SCALE)


def _silu(x: np.ndarray) -> np.ndarray:
    return x * _sigmoid(x)


def _mish(x: np.ndarray) -> np.ndarray:
    return x * np.tanh(_softplus_values(x))


def _hardswish(x: np.ndarray) -> np.ndarray:
    return x * np.clip(x + 3.0, 0.0, 6.0) / 6.0


def _hardsigmoid(x: np.ndarray) -> np.ndarray:
    return np.clip(x + 3.0, 0.0, 6.0) / 6.0


def _hardshrink(x: np.ndarray, lambd: float = 0.5) -> np.ndarray:
    return np.where(np.abs(x) > lambd, x, 0.0)


def _softshrink(x: np.ndarray, lambd: float = 0.5) -> np.ndarray:
    return np.where(x > lambd, x - lambd, np.where(x < -lambd, x + lambd, 0.0))


def _threshold(x: np.ndarray, threshold: float, value: float) -> np.ndarray:
    return np.where(x > threshold, x, value)


def _log_sigmoid(x: np.ndarray) -> np.ndarray:
    return -np.logaddexp(0.0, -x)


def _prelu(a: np.ndarray, weight: np.ndarray) -> np.ndarray:
    w = weight.astype(np.float64)
    if w.size > 1:
        if a.ndim < 2 or a.shape[1] != w.size:
            raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found parameter numbers = "
                               f"{w.size} and channel size = {a.shape[1] if a.ndim >= 2 else 1}.")
        w = w.reshape((1, -1) + (1,) * (a.ndim - 2))
    else:
        w = w.reshape(())
    x = a.astype(np.float64)
    return as_array(np.where(x > 0, x, w * x), float_dtype(a))


def _rrelu(a: np.ndarray, lower: float = 0.125, upper: float = 1 / 3, training: bool = False,
           generator: Any = None) -> np.ndarray:
    x = a.astype(np.float64)
    if training:
        slope = creation.RNG.uniform(lower, upper, size=a.shape)
    else:
        slope = (lower + upper) / 2
    return as_array(np.where(x >= 0, x, x * slope), float_dtype(a))


def _glu(a: np.ndarray, dim: int = -1) -> np.ndarray:
    axis = wrap_dim(dim, a.ndim)
    if a.shape[axis] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {axis} is size {a.shape[axis]}")
    first, second = np.split(a.astype(np.float64), 2, axis=axis)
    return as_array(first * _sigmoid(second), float_dtype(a))


def _inplace(kernel: Kernel) -> Kernel:
    def run(a: np.ndarray, *args: Any) -> np.ndarray:
        return write_into(a, kernel(a, *args))

    return run


# -- dropout: identity unless training; the mask is random (NumPy's generator, not torch's) ----
def _keep_mask(shape: tuple, p: float) -> np.ndarray:
    return creation.RNG.random(shape) >= p


def _feature_shape(a: np.ndarray) -> tuple:
    """One mask entry per (batch, channel): the feature dims are broadcast."""
    return a.shape[:2] + (1,) * (a.ndim - 2)


def _feature_dropout(a: np.ndarray, p: float, train: bool) -> np.ndarray:
    if not train or p == 0:
        return a.copy()
    if p == 1:
        return np.zeros_like(a)
    keep = _keep_mask(_feature_shape(a), p)
    return as_array(a * keep / (1 - p), a.dtype)


def _alpha_mask(a: np.ndarray, p: float, shape: tuple) -> np.ndarray:
    if p == 1:
        return np.zeros_like(a)
    alpha_prime = -SELU_ALPHA * SELU_SCALE
    keep = _keep_mask(shape, p)
    scale = 1.0 / math.sqrt((alpha_prime ** 2 * p + 1) * (1 - p))
    shift = -scale * alpha_prime * p
    return as_array((np.where(keep, a, alpha_prime)) * scale + shift, a.dtype)


def _alpha_dropout(a: np.ndarray, p: float, train: bool) -> np.ndarray:
    return a.copy() if not train or p == 0 else _alpha_mask(a, p, a.shape)


def _feature_alpha_dropout(a: np.ndarray, p: float, train: bool) -> np.ndarray:
    return a.copy() if not train or p == 0 else _alpha_mask(a, p, _feature_shape(a))


_POINTWISE: dict[str, Kernel] = {
    "relu6": _float_op(_relu6), "hardtanh": _float_op(_hardtanh), "leaky_relu": _float_op(_leaky_relu),
    "elu": _float_op(_elu), "celu": _float_op(_celu), "selu": _float_op(_selu), "silu": _float_op(_silu),
    "mish": _float_op(_mish), "hardswish": _float_op(_hardswish), "hardsigmoid": _float_op(_hardsigmoid),
    "hardshrink": _float_op(_hardshrink), "softshrink": _float_op(_softshrink),
    "softplus": _float_op(_softplus_values), "threshold": _float_op(_threshold),
    "log_sigmoid": _float_op(_log_sigmoid),
}
#: Ops with an in-place twin (``aten.elu_.default``).
INPLACE = ("relu6", "hardtanh", "leaky_relu", "elu", "celu", "selu", "silu", "mish", "hardswish", "hardsigmoid",
           "threshold")

for _name, _kernel in _POINTWISE.items():
    provide(f"aten.{_name}.default", _kernel)
for _name in INPLACE:
    provide(f"aten.{_name}_.default", _inplace(_POINTWISE[_name]), mutates=0)
provide("aten.prelu.default", _prelu)
provide("aten.rrelu.default", _rrelu, nondeterministic=True)
provide("aten.rrelu_.default", _inplace(_rrelu), mutates=0, nondeterministic=True)
provide("aten.glu.default", _glu)
def _dropout(a: np.ndarray, p: float, train: bool) -> np.ndarray:
    if not train or p == 0:
        return a.copy()
    return as_array(a * _keep_mask(a.shape, p) / (1 - p), a.dtype) if p < 1 else np.zeros_like(a)


provide("aten.dropout.default", _dropout, nondeterministic=True)
provide("aten.dropout_.default", _inplace(_dropout), mutates=0, nondeterministic=True)
provide("aten.feature_dropout_.default", _inplace(_feature_dropout), mutates=0, nondeterministic=True)
provide("aten.feature_dropout.default", _feature_dropout, nondeterministic=True)
provide("aten.alpha_dropout.default", _alpha_dropout, nondeterministic=True)
provide("aten.feature_alpha_dropout.default", _feature_alpha_dropout, nondeterministic=True)
