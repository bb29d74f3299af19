"""Dtype conversions of the front end's ``torch.Tensor``: ``to``, ``float()``, ``byte()``, ``type()``.

A mixin of :class:`exportdb.exporter.frontend.tensor.Tensor`.  Every conversion
records ``_assert_tensor_metadata`` and then a ``to`` overload, as torch.export
2.13 does::

    x.double()                          -> to.dtype(x, torch.float64)
    x.float(memory_format=fmt)          -> to.dtype(x, torch.float32, False, False, fmt)
    x.to("cpu", torch.float64)          -> to.device(x, device(type='cpu'), torch.float64)
    x.to(y)                             -> to.device(x, device(type='cpu'), <y's dtype>)
    x.to("cpu")                         -> to.dtype_layout(x, dtype=..., layout=torch.strided, device=...)

A conversion that changes nothing (same dtype, no copy) returns the tensor
itself, and later uses of it read the ``to`` node, as in torch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from exportdb.errors import UnsupportedAPIError
from exportdb.exporter.ir import dtypes
from exportdb.exporter.ir.device import CPU, as_device
from exportdb.exporter.ir.dtypes import DType
from exportdb.exporter.ir.layouts import strided
from exportdb.exporter.ir.values import TensorValue
from exportdb.exporter.ops import aten
from exportdb.exporter.trace.dispatch import call
from exportdb.exporter.trace.user_frames import user_location

if TYPE_CHECKING:
    from exportdb.exporter.frontend.tensor import Tensor

_TYPE_NAMES = {"float32": "FloatTensor", "float64": "DoubleTensor", "int64": "LongTensor", "int32": "IntTensor",
               "int16": "ShortTensor", "int8": "CharTensor", "uint8": "ByteTensor", "bool": "BoolTensor",
               "float16": "HalfTensor"}
_BY_TYPE_NAME = {f"torch.{v}": dtypes.TORCH_NAMES[k] for k, v in _TYPE_NAMES.items()}


def _flags(non_blocking: bool, copy: bool, memory_format: Any) -> tuple:
    """The trailing ``non_blocking, copy, memory_format`` of a ``to`` overload (schema defaults drop out)."""
    return (non_blocking, copy) if memory_format is None else (non_blocking, copy, memory_format)


class TensorConversions:
    """``to`` and the dtype shorthands (``float``, ``double``, ``half``, ``int``, ``long``, ...)."""

    __slots__ = ()

    def _converted(self, qualname: str, dtype: DType, copy: bool, *args: Any, **kwargs: Any) -> "Tensor":
        call(aten("_assert_tensor_metadata.default"), self, dtype=self.dtype, device=CPU, layout=strided)
        out = call(aten(qualname), self, *args, **kwargs)
        if dtype != self.dtype or copy:
            return out
        # Unchanged: torch returns the tensor itself; like after an in-place op, later uses read the node.
        if out._node is not None:
            self._node = out._node
        return self

    def _cast(self, dtype: DType, memory_format: Any = None) -> "Tensor":
        return self._converted("to.dtype", dtype, False, dtype, *_flags(False, False, memory_format))

    def to(self, *args: Any, non_blocking: bool = False, copy: bool = False, memory_format: Any = None,
           **kwargs: Any) -> "Tensor":
        dtype, device = kwargs.pop("dtype", None), kwargs.pop("device", None)
        if kwargs:
            raise UnsupportedAPIError(f"Tensor.to() keyword {sorted(kwargs)[0]!r} is not supported",
                                      location=user_location(), hint="pass dtype, device, non_blocking, copy or memory_format")
        rest = list(args)
        if rest and isinstance(rest[0], TensorValue):
            other = rest.pop(0)
            dtype, device = other.dtype, CPU
        elif rest and not isinstance(rest[0], DType) and rest[0] is not None:
            device = as_device(rest.pop(0))
        if rest and isinstance(rest[0], DType):
            dtype = rest.pop(0)
        if rest:
            non_blocking = rest.pop(0)
        if rest:
            copy = rest.pop(0)
        flags = _flags(non_blocking, copy, memory_format)
        if device is not None and dtype is not None:
            return self._converted("to.device", dtype, copy, as_device(device), dtype, *flags)
        if dtype is not None:
            return self._converted("to.dtype", dtype, copy, dtype, *flags)
        if device is None and not copy:
            return self
        extra = {"non_blocking": non_blocking, "copy": copy, "memory_format": memory_format}
        return self._converted("to.dtype_layout", self.dtype, copy, dtype=self.dtype, layout=strided,
                               device=as_device(device), **{k: v for k, v in extra.items() if v})

    def type(self, dtype: Any = None, non_blocking: bool = False) -> Any:
        if dtype is None:
            return f"torch.{_TYPE_NAMES.get(self.dtype.name, self.dtype.name)}"
        if isinstance(dtype, str):
            if dtype not in _BY_TYPE_NAME:
                raise UnsupportedAPIError(f"Tensor.type({dtype!r}) is not provided by the built-in front end",
                                          location=user_location(), hint="pass a dtype such as torch.float64")
            dtype = _BY_TYPE_NAME[dtype]
        return self._cast(dtype)

    def float(self, memory_format: Any = None) -> "Tensor":
        return self._cast(dtypes.float32, memory_format)

    def double(self, memory_format: Any = None) -> "Tensor":
        return self._cast(dtypes.float64, memory_format)

    def half(self, memory_format: Any = None) -> "Tensor":
        return self._cast(dtypes.float16, memory_format)

    def int(self, memory_format: Any = None) -> "Tensor":
        return self._cast(dtypes.int32, memory_format)

    def long(self, memory_format: Any = None) -> "Tensor":
        return self._cast(dtypes.int64, memory_format)

    def short(self, memory_format: Any = None) -> "Tensor":
        return self._cast(dtypes.int16, memory_format)

    def char(self, memory_format: Any = None) -> "Tensor":
        return self._cast(dtypes.int8, memory_format)

    def byte(self, memory_format: Any = None) -> "Tensor":
        return self._cast(dtypes.uint8, memory_format)

    def bool(self, memory_format: Any = None) -> "Tensor":
        return self._cast(dtypes.bool_, memory_format)

    def cpu(self, memory_format: Any = None) -> "Tensor":
        return self


__all__ = ["TensorConversions"]
