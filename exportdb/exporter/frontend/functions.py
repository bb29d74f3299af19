"""Free functions of the ``torch`` namespace: factories, math, joins, reductions."""

from __future__ import annotations

from collections import namedtuple
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from exportdb.exporter.ir import dtypes
from exportdb.exporter.ir.device import CPU, as_device
from exportdb.exporter.trace.context import active_builder
from exportdb.exporter.trace.dispatch import call
from exportdb.exporter.ir.dtypes import DType
from exportdb.exporter.ir.values import TensorValue
from exportdb.exporter.ops import aten

if TYPE_CHECKING:
    from exportdb.exporter.frontend.tensor import Tensor

MinMaxResult = namedtuple("MinMaxResult", ["values", "indices"])


# -- data -> tensors -----------------------------------------------------------
def _leaf_kind(data: Any) -> DType:
    flat = np.asarray(data, dtype=object).reshape(-1)
    if flat.size == 0:
        return dtypes.DEFAULT_FLOAT
    if all(isinstance(v, (bool, np.bool_)) for v in flat):
        return dtypes.bool_
    if all(isinstance(v, (bool, int, np.integer, np.bool_)) for v in flat):
        return dtypes.int64
    if any(isinstance(v, complex) for v in flat):
        return dtypes.DEFAULT_COMPLEX
    return dtypes.DEFAULT_FLOAT


def _data_to_array(data: Any, dtype: DType | None) -> np.ndarray:
    if isinstance(data, TensorValue):
        arr = data._value.copy()
        return arr if dtype is None else arr.astype(dtype.np)
    if isinstance(data, (list, tuple)) and any(isinstance(v, TensorValue) for v in np.asarray(data, dtype=object).reshape(-1)):
        data = np.asarray(data, dtype=object).tolist()
        data = _unwrap_nested(data)
    return np.asarray(data, dtype=(dtype or _leaf_kind(data)).np)


def _unwrap_nested(data: Any) -> Any:
    if isinstance(data, list):
        return [_unwrap_nested(v) for v in data]
    return data._value.item() if isinstance(data, TensorValue) else data


def fresh_constant(value: np.ndarray, *, detach: bool = True) -> Tensor:
    """A tensor made from Python data inside traced code: torch lifts it as a
    constant input and records ``lift_fresh_copy`` (and ``detach_`` for torch.tensor)."""
    builder = active_builder()
    if builder is None:
        return TensorValue._make(value)
    constant = TensorValue._make(value)
    out = call(aten("lift_fresh_copy.default"), constant)
    return call(aten("detach_.default"), out) if detach else out


def tensor(data: Any, *, dtype: DType | None = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return fresh_constant(_data_to_array(data, dtype))


def as_tensor(data: Any, dtype: DType | None = None, device: Any = None) -> Tensor:
    if isinstance(data, TensorValue) and (dtype is None or data.dtype == dtype):
        return data
    return tensor(data, dtype=dtype)


def from_numpy(array: np.ndarray) -> Tensor:
    return TensorValue._make(np.asarray(array))


# -- factories -----------------------------------------------------------------
def size_arg(size: tuple) -> list:
    """The sizes of ``f(2, 3)`` or ``f((2, 3))`` as the list an ATen node takes (NumPy ints made ints)."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    return [int(s) if isinstance(s, np.integer) else s for s in size]


def _factory_kwargs(dtype: DType | None) -> dict:
    kw: dict = {}
    if dtype is not None:
        kw["dtype"] = dtype
    kw["device"] = CPU
    kw["pin_memory"] = False
    return kw


def zeros(*size: Any, dtype: DType | None = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return call(aten("zeros.default"), size_arg(size), **_factory_kwargs(dtype))


def ones(*size: Any, dtype: DType | None = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return call(aten("ones.default"), size_arg(size), **_factory_kwargs(dtype))


def empty(*size: Any, dtype: DType | None = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return call(aten("empty.memory_format"), size_arg(size), **_factory_kwargs(dtype))


def randn(*size: Any, dtype: DType | None = None, device: Any = None, requires_grad: bool = False,
          generator: Any = None) -> Tensor:
    return call(aten("randn.default"), size_arg(size), **_factory_kwargs(dtype))


def rand(*size: Any, dtype: DType | None = None, device: Any = None, requires_grad: bool = False,
         generator: Any = None) -> Tensor:
    return call(aten("rand.default"), size_arg(size), **_factory_kwargs(dtype))


def full(size: Sequence[int], fill_value: Any, *, dtype: DType | None = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    return call(aten("full.default"), size_arg((size,)), fill_value, **_factory_kwargs(dtype))


def arange(start: Any, end: Any = None, step: Any = None, *, dtype: DType | None = None, device: Any = None,
           requires_grad: bool = False) -> Tensor:
    """``torch.arange``: the overload follows the arguments given (an explicit ``step=1`` is ``start_step``)."""
    kw = _factory_kwargs(dtype)
    if end is None:
        return call(aten("arange.default"), start, **kw)
    if step is None:
        return call(aten("arange.start"), start, end, **kw)
    return call(aten("arange.start_step"), start, end, step, **kw)


def _like_kwargs(dtype: DType | None, device: Any = None) -> dict:
    """``dtype`` and ``device`` as given (torch records a device only when the call passes one), then ``pin_memory``."""
    kw: dict = {}
    if dtype is not None:
        kw["dtype"] = dtype
    if device is not None:
        kw["device"] = as_device(device)
    kw["pin_memory"] = False
    return kw


def zeros_like(t: Tensor, *, dtype: DType | None = None, device: Any = None, memory_format: Any = None) -> Tensor:
    return call(aten("zeros_like.default"), t, **_like_kwargs(dtype, device))


def ones_like(t: Tensor, *, dtype: DType | None = None, device: Any = None, memory_format: Any = None) -> Tensor:
    return call(aten("ones_like.default"), t, **_like_kwargs(dtype, device))


def empty_like(t: Tensor, *, dtype: DType | None = None, device: Any = None, memory_format: Any = None) -> Tensor:
    return call(aten("empty_like.default"), t, **_like_kwargs(dtype, device))


def randn_like(t: Tensor, *, dtype: DType | None = None, device: Any = None, memory_format: Any = None) -> Tensor:
    return call(aten("randn_like.default"), t, **_like_kwargs(dtype, device))


def rand_like(t: Tensor, *, dtype: DType | None = None, device: Any = None, memory_format: Any = None) -> Tensor:
    return call(aten("rand_like.default"), t, **_like_kwargs(dtype, device))


def full_like(t: Tensor, fill_value: Any, *, dtype: DType | None = None, device: Any = None,
              memory_format: Any = None) -> Tensor:
    return call(aten("full_like.default"), t, fill_value, **_like_kwargs(dtype, device))


# -- joins and splits ------------------------------------------------------------
def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    return call(aten("cat.default"), list(tensors), *(() if dim == 0 else (dim,)))


concat = concatenate = cat


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    return call(aten("stack.default"), list(tensors), *(() if dim == 0 else (dim,)))


def split(t: Tensor, split_size: Any, dim: int = 0) -> tuple:
    return t.split(split_size, dim)


def chunk(t: Tensor, chunks: int, dim: int = 0) -> tuple:
    return t.chunk(chunks, dim)


def unbind(t: Tensor, dim: int = 0) -> tuple:
    return t.unbind(dim)


# -- math ----------------------------------------------------------------------------
def where(condition: Tensor, input: Any, other: Any) -> Tensor:  # noqa: A002
    a_tensor, b_tensor = isinstance(input, TensorValue), isinstance(other, TensorValue)
    if a_tensor and b_tensor:
        return call(aten("where.self"), condition, input, other)
    if a_tensor:
        return call(aten("where.ScalarOther"), condition, input, other)
    if b_tensor:
        return call(aten("where.ScalarSelf"), condition, input, other)
    return call(aten("where.Scalar"), condition, input, other)


def add(a: Tensor, b: Any, *, alpha: Any = 1) -> Tensor:
    return a.add(b, alpha=alpha) if isinstance(a, TensorValue) else b.__radd__(a)


def sub(a: Tensor, b: Any, *, alpha: Any = 1) -> Tensor:
    return a.sub(b, alpha=alpha)


def mul(a: Tensor, b: Any) -> Tensor:
    return a.mul(b) if isinstance(a, TensorValue) else b.__rmul__(a)


def div(a: Tensor, b: Any, *, rounding_mode: str | None = None) -> Tensor:
    return a.div(b, rounding_mode=rounding_mode)


def pow(a: Any, b: Any) -> Tensor:  # noqa: A001
    return a.pow(b) if isinstance(a, TensorValue) else b.__rpow__(a)


def max(t: Tensor, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001
    return t.max(dim, keepdim)


def min(t: Tensor, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001
    return t.min(dim, keepdim)


def _method_alias(name: str):
    def fn(t: Tensor, *args: Any, **kwargs: Any) -> Any:
        return getattr(t, name)(*args, **kwargs)

    fn.__name__ = name
    return fn


#: torch.<name>(t, ...) that simply call the Tensor method of the same name.
METHOD_FUNCTIONS = [
    "cos", "sin", "tan", "exp", "log", "sqrt", "rsqrt", "abs", "neg", "relu", "sigmoid", "tanh", "reciprocal",
    "floor", "ceil", "round", "trunc", "sign", "square", "log1p", "expm1", "acos", "asin", "atan", "cosh", "sinh",
    "exp2", "sum", "mean", "prod", "amax", "amin", "argmax", "argmin", "any", "all", "reshape", "permute",
    "transpose", "t", "flatten", "unsqueeze", "squeeze", "select", "narrow", "clone", "detach", "matmul", "mm",
    "bmm", "softmax", "log_softmax", "clamp", "clip", "maximum", "minimum", "eq", "ne", "lt", "le", "gt", "ge",
    "logical_not", "logical_and", "logical_or", "bitwise_not", "remainder", "floor_divide", "masked_fill",
    "relu_", "negative", "absolute", "numel",
]
NAMESPACE = {name: _method_alias(name) for name in METHOD_FUNCTIONS}
