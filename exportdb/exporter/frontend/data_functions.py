"""``torch.*`` functions that test, pick or fill elements by value, and pad:
``isin``, ``combinations``, ``nonzero_static``, ``fill``, ``constant_pad_nd``, ``gradient``,
``unravel_index``, ``segment_reduce``.

Each binds its ATen op from the schema (:mod:`.aten_binding`), as torch.export 2.13
records it: ``torch.isin(x, t)`` is ``aten.isin.Tensor_Tensor(x, t)``,
``torch.nonzero_static(x, size=3)`` is ``aten.nonzero_static.default(x, size = 3)``.
``combinations`` has a data-dependent length: an unbacked ``u0`` as for ``nonzero``.
"""

from __future__ import annotations

import math
from typing import Any

from exportdb.exporter.frontend.aten_binding import call_aten, call_overloads
from exportdb.exporter.frontend.tensor_views import _MAX_SIZE, data_dependent
from exportdb.exporter.frontend.functions import tensor
from exportdb.exporter.ir import dtypes
from exportdb.exporter.ir.values import TensorValue
from exportdb.exporter.trace.context import active_builder


def isin(elements: Any, test_elements: Any, *, assume_unique: bool = False, invert: bool = False) -> Any:
    kwargs = {"assume_unique": assume_unique, "invert": invert}
    return call_overloads("isin", ("Tensor_Tensor", "Tensor_Scalar", "Scalar_Tensor"), (elements, test_elements),
                          kwargs)


def combinations(input: Any, r: int = 2, with_replacement: bool = False) -> Any:  # noqa: A002
    """Its row count depends only on the length, yet torch.export gives it an unbacked ``u0``:
    asserted ``>= 0`` and, past two elements, ``<=`` the length; a second symbol ``u1`` (unified
    with it) stays in the range constraints."""
    out = call_aten("aten.combinations.default", input, r, with_replacement)
    if out.ndim != 2:
        return out
    n = int(input._value.shape[0])
    out = data_dependent(out, 0, n if n > 2 else None, quiet_bound=_MAX_SIZE)
    builder = active_builder()
    if builder is not None and out._sym is not None:
        length = out._sym[0]
        twin = builder.env.new_unbacked(int(out._value.shape[0]))
        builder.env.ranges[twin] = builder.env.ranges[length.expr]
    return out


def nonzero_static(input: Any, *, size: Any, fill_value: int = -1) -> Any:  # noqa: A002
    return call_aten("aten.nonzero_static.default", input, size=size, fill_value=fill_value)


def fill(input: Any, value: Any) -> Any:  # noqa: A002
    overload = "Tensor" if isinstance(value, TensorValue) else "Scalar"
    return call_aten(f"aten.fill.{overload}", input, value)


def constant_pad_nd(input: Any, pad: Any, value: Any = 0) -> Any:  # noqa: A002
    return call_aten("aten.constant_pad_nd.default", input, list(pad), value)


NAMESPACE: dict[str, Any] = {f.__name__: f for f in (isin, combinations, nonzero_static, fill, constant_pad_nd)}


def gradient(input: Any, *, spacing: Any = None, dim: Any = None, edge_order: int = 1) -> tuple:  # noqa: A002
    """The overload follows ``spacing`` (none, a number, numbers, tensors) and ``dim`` (none or one int, a list)."""
    if isinstance(dim, tuple):
        dim = list(dim)
    listed = isinstance(dim, list)
    if isinstance(spacing, (list, tuple)):
        spacing = list(spacing)
        tensors = bool(spacing) and isinstance(spacing[0], TensorValue)
        overload = {(False, False): "scalarrayint", (False, True): "scalarrayarray",
                    (True, False): "tensorarrayint", (True, True): "tensorarray"}[tensors, listed]
    elif listed:
        overload = "array" if spacing is None else "scalararray"
    else:
        overload = "scalarint"
    kwargs = {k: v for k, v in (("spacing", spacing), ("dim", dim)) if v is not None}
    return call_aten(f"aten.gradient.{overload}", input, edge_order=edge_order, **kwargs)


NAMESPACE["gradient"] = gradient


def unravel_index(indices: Any, shape: Any) -> tuple:
    """Flat indices as coordinates in ``shape``.  torch computes this in Python, so torch.export 2.13 records
    its steps: ``unsqueeze(-1)``, ``floor_divide`` by the row-major strides and ``remainder`` by the sizes
    (both int64 constants), then ``unbind(-1)``."""
    if indices.dtype.kind not in "iu":
        raise TypeError(f"expected 'indices' to be integer dtype, but got torch.{indices.dtype.name}")
    sizes = (shape,) if isinstance(shape, int) else tuple(shape)
    if any(not isinstance(s, int) for s in sizes):
        raise TypeError("expected 'shape' sequence to only contain ints")
    if any(s < 0 for s in sizes):
        raise ValueError(f"'shape' cannot have negative values, but got {sizes}")
    strides = [math.prod(sizes[i + 1:]) for i in range(len(sizes))] or [1]  # shape (): one stride, no sizes
    coordinates = indices.unsqueeze(-1).floor_divide(tensor(strides, dtype=dtypes.int64))
    return (coordinates % tensor(list(sizes), dtype=dtypes.int64)).unbind(-1)


NAMESPACE["unravel_index"] = unravel_index


def segment_reduce(data: Any, reduce: str, *, lengths: Any = None, indices: Any = None, offsets: Any = None,
                   axis: int = 0, unsafe: bool = False, initial: Any = None) -> Any:
    return call_aten("aten.segment_reduce.default", data, reduce, lengths=lengths, indices=indices, offsets=offsets,
                     axis=axis, unsafe=unsafe, initial=initial)


NAMESPACE["segment_reduce"] = segment_reduce
