"""``tensor[key]`` reads and writes, decomposed into the ATen ops torch.export records.

``x[1:, 0]`` becomes ``slice.Tensor(x, 0, 1, 9223372036854775807)`` then
``select.int(slice_1, 1, 0)``; a full ``:`` records nothing; ``None`` is
``unsqueeze``; tensor (or list) indices become ``index.Tensor``.  Writes take
the same view and ``copy_`` into it (``fill_`` for a Python number).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from exportdb.exporter.trace.context import active_builder
from exportdb.exporter.trace.dispatch import call
from exportdb.exporter.trace.user_frames import user_location
from exportdb.errors import UnsupportedAPIError
from exportdb.exporter.frontend.functions import fresh_constant
from exportdb.exporter.ir.values import TensorValue
from exportdb.exporter.ops import aten
from exportdb.exporter.ops.shape_ops import INT64_MAX
from exportdb.exporter.symbolic.shape_env import SymInt
from exportdb.exporter.symbolic.shape_rules import same_size
from exportdb.exporter.frontend.tensor_views import data_dependent

if TYPE_CHECKING:
    from exportdb.exporter.frontend.tensor import Tensor


def _as_index_tensor(value: Any) -> Tensor:
    if isinstance(value, TensorValue):
        return value
    return fresh_constant(np.asarray(value), detach=False)


def _normalize(t: Tensor, key: Any) -> tuple:
    if not isinstance(key, tuple):
        key = (key,)
    consumed = sum(1 for k in key if k is not None and k is not Ellipsis
                   and not (isinstance(k, TensorValue) and k.dtype.kind == "b" and k.ndim > 1))
    if any(k is Ellipsis for k in key):
        i = next(i for i, k in enumerate(key) if k is Ellipsis)
        key = key[:i] + (slice(None),) * (t.ndim - consumed) + key[i + 1:]
    return key


def _keeps_everything(k: slice, size: Any) -> bool:
    """A slice inside an index tuple that torch.export leaves out: from 0, step 1, to the end (or past it)."""
    if k.start not in (None, 0) or k.step not in (None, 1):
        return False
    return k.stop is None or isinstance(k.stop, int) and isinstance(size, int) and k.stop >= size


def _view_and_advanced(t: Tensor, key: Any) -> tuple[Tensor, list]:
    """Apply basic indexing; return the view and the advanced indices (dim, tensor)."""
    out, dim, advanced = t, 0, []
    bare = isinstance(key, slice)  # t[a:b] records its slice even when it keeps every element (t[:])
    for k in _normalize(t, key):
        if k is None:
            out = call(aten("unsqueeze.default"), out, dim)
            dim += 1
        elif isinstance(k, bool):
            raise UnsupportedAPIError("indexing with a Python bool is not supported", location=user_location())
        elif isinstance(k, (int, np.integer)):
            out = call(aten("select.int"), out, dim, int(k))
        elif isinstance(k, SymInt):
            out = call(aten("select.int"), out, dim, k)
        elif isinstance(k, slice):
            if bare or not _keeps_everything(k, out.shape[dim]):
                start = 0 if k.start is None else k.start
                stop = INT64_MAX if k.stop is None else k.stop
                step = 1 if k.step is None else k.step
                out = call(aten("slice.Tensor"), out, dim, start, stop, *((step,) if step != 1 else ()))
            dim += 1
        elif isinstance(k, (TensorValue, list, np.ndarray)):
            advanced.append((dim, _as_index_tensor(k)))
            dim += 1
        else:
            raise UnsupportedAPIError(f"indexing with {type(k).__name__} is not supported", location=user_location())
    return out, advanced


def _index_list(advanced: list) -> list:
    last = advanced[-1][0]
    indices: list = [None] * (last + 1)
    for dim, idx in advanced:
        indices[dim] = idx
    return indices


def getitem(t: Tensor, key: Any) -> Tensor:
    out, advanced = _view_and_advanced(t, key)
    if advanced:
        out = call(aten("index.Tensor"), out, _index_list(advanced))
        masks = [(dim, idx) for dim, idx in advanced if idx.dtype.kind == "b"]
        if masks and len(advanced) == 1:  # x[mask]: as many rows as the mask has True values

            dim, mask = masks[0]
            out = data_dependent(out, dim, int(mask._value.size))
    if out is t:
        out = call(aten("alias.default"), t)
    return out


def setitem(t: Tensor, key: Any, value: Any) -> None:
    """``t[key] = value`` as torch records it: a Python number becomes a constant in
    ``t``'s dtype, lifted before the view is taken; then the view is written with
    ``copy_`` (same shape), ``fill_`` (a 0-d value) or ``copy_`` of the value viewed
    without its leading 1-sized dims and expanded to the view's shape."""
    if not isinstance(value, TensorValue) and active_builder() is None:
        view, advanced = _view_and_advanced(t, key)
        if advanced:
            call(aten("index_put_.default"), view, _index_list(advanced), TensorValue._make(_in_dtype(value, t)))
        else:
            call(aten("fill_.Scalar"), view, value)
        return
    if not isinstance(value, TensorValue):
        value = fresh_constant(_in_dtype(value, t), detach=False)
    view, advanced = _view_and_advanced(t, key)
    if advanced:
        call(aten("index_put_.default"), view, _index_list(advanced), value)
        return
    _copy_to(view, value)


def _in_dtype(value: Any, t: Tensor) -> np.ndarray:
    """A Python value as the tensor torch makes of it for ``t[key] = value`` (t's dtype)."""
    return np.asarray(value).astype(t.dtype.np)


def _copy_to(dst: Tensor, src: Tensor) -> None:
    dst_shape, src_shape = tuple(dst.shape), tuple(src.shape)
    if len(dst_shape) == len(src_shape) and all(same_size(a, b) for a, b in zip(dst_shape, src_shape)):
        call(aten("copy_.default"), dst, src)
        return
    if not src_shape:
        call(aten("fill_.Tensor"), dst, src)
        return
    lead = next((i for i, n in enumerate(src_shape) if not (isinstance(n, int) and n == 1)), len(src_shape))
    src = src.view(list(src_shape[lead:]))
    if len(src_shape) - lead != len(dst_shape) or not all(same_size(a, b) for a, b in zip(dst_shape, src.shape)):
        src = src.expand(list(dst_shape))
    call(aten("copy_.default"), dst, src)
