"""View and shape ops: view/reshape, permute/transpose, squeeze/unsqueeze, expand,
cat/stack/split/chunk, select/slice/index and index writes.

Kernels return NumPy views wherever torch returns views, so in-place writes
through a view reach the base tensor in eager mode, tracing and the interpreter alike.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from exportdb.exporter.ops.table import register
from exportdb.exporter.ops.kernel_util import as_array, promoted, wrap_dim

INT64_MAX = 9223372036854775807


def _infer_shape(shape: Sequence[int], numel: int) -> tuple[int, ...]:
    shape = list(shape)
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = math.prod(s for s in shape if s != -1)
    if -1 in shape:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape[shape.index(-1)] = numel // known
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return tuple(shape)


def _view(a: np.ndarray, shape: Sequence[int]) -> np.ndarray:
    return a.reshape(_infer_shape(shape, a.size))


def _permute(a: np.ndarray, dims: Sequence[int]) -> np.ndarray:
    dims = [wrap_dim(d, a.ndim) for d in dims]
    if sorted(dims) != list(range(a.ndim)):
        raise RuntimeError(f"permute(): dims {list(dims)} do not match the input's {a.ndim} dimensions")
    return np.transpose(a, dims)


def _transpose(a: np.ndarray, d0: int, d1: int) -> np.ndarray:
    if a.ndim == 0:
        return a
    return np.swapaxes(a, wrap_dim(d0, a.ndim), wrap_dim(d1, a.ndim))


def _t(a: np.ndarray) -> np.ndarray:
    if a.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {a.ndim}D")
    return a.T


def _flatten(a: np.ndarray, start_dim: int = 0, end_dim: int = -1) -> np.ndarray:
    if a.ndim == 0:
        return a.reshape(1)
    s, e = wrap_dim(start_dim, a.ndim), wrap_dim(end_dim, a.ndim)
    return a.reshape(a.shape[:s] + (math.prod(a.shape[s:e + 1]),) + a.shape[e + 1:])


def _unsqueeze(a: np.ndarray, dim: int) -> np.ndarray:
    return np.expand_dims(a, wrap_dim(dim, a.ndim + 1))


def _squeeze_dim(a: np.ndarray, dim: Any) -> np.ndarray:
    dims = [dim] if isinstance(dim, int) else list(dim)
    axes = tuple(d for d in (wrap_dim(d, a.ndim) for d in dims) if a.ndim and a.shape[d] == 1)
    return np.squeeze(a, axis=axes) if axes else a[...]


def _expand(a: np.ndarray, sizes: Sequence[int]) -> np.ndarray:
    lead = len(sizes) - a.ndim
    if lead < 0:
        raise RuntimeError(f"expand: the number of sizes provided ({len(sizes)}) must be >= the number of dimensions ({a.ndim})")
    target = [a.shape[i - lead] if s == -1 else s for i, s in enumerate(sizes)]
    return np.broadcast_to(a, target)


def _cat(tensors: Sequence[np.ndarray], dim: int = 0) -> np.ndarray:
    arrays = [t for t in tensors if not (t.ndim == 1 and t.shape[0] == 0)] or list(tensors)
    dt = promoted(*arrays)
    return as_array(np.concatenate([t.astype(dt.np, copy=False) for t in arrays], axis=wrap_dim(dim, arrays[0].ndim)), dt)


def _stack(tensors: Sequence[np.ndarray], dim: int = 0) -> np.ndarray:
    dt = promoted(*tensors)
    return as_array(np.stack([t.astype(dt.np, copy=False) for t in tensors], axis=wrap_dim(dim, tensors[0].ndim + 1)), dt)


def _split(a: np.ndarray, split_size: int, dim: int = 0) -> tuple[np.ndarray, ...]:
    axis = wrap_dim(dim, a.ndim)
    n = a.shape[axis]
    return tuple(_narrow(a, axis, start, min(split_size, n - start)) for start in range(0, max(n, 1), split_size))


def _split_with_sizes(a: np.ndarray, sizes: Sequence[int], dim: int = 0) -> tuple[np.ndarray, ...]:
    axis = wrap_dim(dim, a.ndim)
    if sum(sizes) != a.shape[axis]:
        raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {a.shape[axis]}, but got {list(sizes)}")
    starts = np.cumsum([0, *sizes[:-1]])
    return tuple(_narrow(a, axis, int(s), int(n)) for s, n in zip(starts, sizes))


def _chunk(a: np.ndarray, chunks: int, dim: int = 0) -> tuple[np.ndarray, ...]:
    axis = wrap_dim(dim, a.ndim)
    size = -(-a.shape[axis] // chunks)
    return _split(a, max(size, 1), axis)


def _unbind(a: np.ndarray, dim: int = 0) -> tuple[np.ndarray, ...]:
    axis = wrap_dim(dim, a.ndim)
    return tuple(_select(a, axis, i) for i in range(a.shape[axis]))


def _narrow(a: np.ndarray, axis: int, start: int, length: int) -> np.ndarray:
    index = [slice(None)] * a.ndim
    index[axis] = slice(start, start + length)
    return a[tuple(index)]


def _select(a: np.ndarray, dim: int, index: int) -> np.ndarray:
    if a.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    axis = wrap_dim(dim, a.ndim)
    if not -a.shape[axis] <= index < a.shape[axis]:
        raise IndexError(f"index {index} is out of bounds for dimension {axis} with size {a.shape[axis]}")
    start = index % a.shape[axis]
    # narrow + squeeze keeps a view even when the result is 0-dim (plain indexing would copy)
    return np.squeeze(_narrow(a, axis, start, 1), axis=axis)


def _slice(a: np.ndarray, dim: int = 0, start: int | None = None, end: int | None = None, step: int = 1) -> np.ndarray:
    if step <= 0:
        raise ValueError("slice step must be positive")
    axis = wrap_dim(dim, a.ndim)
    key = [slice(None)] * a.ndim
    key[axis] = slice(start, None if end is None or end >= INT64_MAX else end, step)
    return a[tuple(key)]


def _index(a: np.ndarray, indices: Sequence[np.ndarray | None]) -> np.ndarray:
    key = tuple(slice(None) if i is None else (i.astype(bool) if i.dtype == np.bool_ else i) for i in indices)
    return as_array(a[key], a.dtype)


def _index_put(a: np.ndarray, indices: Sequence[np.ndarray | None], values: Any, accumulate: bool = False) -> np.ndarray:
    key = tuple(slice(None) if i is None else i for i in indices)
    out = a.copy()
    if accumulate:
        np.add.at(out, key, values)
    else:
        out[key] = values
    return out


def _index_put_(a: np.ndarray, indices: Sequence[np.ndarray | None], values: Any, accumulate: bool = False) -> np.ndarray:
    np.copyto(a, _index_put(a, indices, values, accumulate))
    return a


register("aten.view.default", _view)
register("aten.reshape.default", _view)
register("aten._unsafe_view.default", _view)
register("aten.permute.default", _permute)
register("aten.transpose.int", _transpose)
register("aten.t.default", _t)
register("aten.numpy_T.default", lambda a: a.T, node_name="numpy_t")  # torch.fx names it in snake case
register("aten.flatten.using_ints", _flatten)
register("aten.unsqueeze.default", _unsqueeze)
register("aten.squeeze.dim", _squeeze_dim)
register("aten.squeeze.dims", _squeeze_dim)
register("aten.squeeze.default", lambda a: np.squeeze(a) if 1 in a.shape else a[...])
register("aten.expand.default", _expand)
register("aten.cat.default", _cat)
register("aten.stack.default", _stack)
register("aten.split.Tensor", _split, multi=True)
register("aten.split_with_sizes.default", _split_with_sizes, multi=True)
register("aten.chunk.default", _chunk, multi=True)
register("aten.unbind.int", _unbind, multi=True)
register("aten.select.int", _select)
register("aten.slice.Tensor", _slice)
register("aten.narrow.default", lambda a, dim, start, length: _narrow(a, wrap_dim(dim, a.ndim), start, length))
register("aten.index.Tensor", _index)
register("aten.index_put.default", _index_put)
register("aten.index_put_.default", _index_put_, mutates=0)
