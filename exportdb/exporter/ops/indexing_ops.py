"""Indexing ops: gather and the scatter family, ``index_*`` along a dim, take/put,
masked select and scatter, and the data-dependent ``nonzero``/``argwhere``.

Out-of-place ops return fresh arrays; with repeated indices the plain scatters
keep the last write (torch leaves the winner unspecified) while the reducing
ones combine every write, as torch does.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from exportdb.exporter.ops.kernel_util import wrap_dim
from exportdb.exporter.ops.table import provide

_UFUNCS: dict[str, np.ufunc] = {"sum": np.add, "add": np.add, "prod": np.multiply, "multiply": np.multiply,
                                "mean": np.add, "amax": np.maximum, "amin": np.minimum}


def _check_index(index: np.ndarray, what: str) -> None:
    if index.dtype.kind not in "iu":
        raise RuntimeError(f"{what}(): Expected dtype int64 for index")


def _grid(index: np.ndarray, dim: int) -> tuple[np.ndarray, ...]:
    """Coordinates addressed by a gather/scatter ``index`` along ``dim``: index's own
    coordinates, with the ``dim`` one replaced by the index values."""
    coords = list(np.indices(index.shape, sparse=True))
    coords[dim] = index
    return tuple(np.broadcast_arrays(*coords))


def _as_1d(a: np.ndarray) -> np.ndarray:
    return a.reshape(1) if a.ndim == 0 else a


def _bounds(a: np.ndarray, dim: int, index: np.ndarray, what: str) -> None:
    size = a.shape[dim] if a.ndim else 1
    if index.size and (index.min() < -size or index.max() >= size):
        raise IndexError(f"{what}(): index {int(index.max())} is out of bounds for dimension {dim} with size {size}")


def _gather(a: np.ndarray, dim: int, index: np.ndarray, *, sparse_grad: bool = False) -> np.ndarray:
    _check_index(index, "gather")
    shape = index.shape
    if index.size == 0:  # an empty index selects nothing, whatever its number of dims
        return np.zeros(shape, a.dtype)
    a1, i1 = _as_1d(a), _as_1d(index)
    d = wrap_dim(dim, a1.ndim)
    if a1.ndim != i1.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    _bounds(a1, d, i1, "gather")
    return a1[_grid(i1, d)].reshape(shape)


def _scatter_setup(a: np.ndarray, dim: int, index: np.ndarray, src: Any, what: str
                   ) -> tuple[np.ndarray, tuple, Any, tuple]:
    _check_index(index, what)
    out = _as_1d(a.copy())
    i1 = _as_1d(index)
    d = wrap_dim(dim, out.ndim)
    _bounds(out, d, i1, what)
    grid = _grid(i1, d)
    if isinstance(src, np.ndarray):
        s1 = _as_1d(src)
        values = s1[tuple(slice(0, n) for n in i1.shape)] if i1.size else s1.reshape(-1)[:0]
    else:
        values = src
    return out, grid, values, a.shape


def _scatter(a: np.ndarray, dim: int, index: np.ndarray, src: Any, *, reduce: str | None = None) -> np.ndarray:
    out, grid, values, shape = _scatter_setup(a, dim, index, src, "scatter")
    if reduce is None:
        out[grid] = values
    else:
        _UFUNCS[reduce].at(out, grid, np.asarray(values, out.dtype))
    return out.reshape(shape)


def _scatter_add(a: np.ndarray, dim: int, index: np.ndarray, src: np.ndarray) -> np.ndarray:
    out, grid, values, shape = _scatter_setup(a, dim, index, src, "scatter_add")
    np.add.at(out, grid, values.astype(out.dtype, copy=False))
    return out.reshape(shape)


def _identity(reduce: str, dtype: np.dtype) -> Any:
    if reduce in ("sum", "mean"):
        return 0
    if reduce == "prod":
        return 1
    if dtype.kind == "f":
        return -np.inf if reduce == "amax" else np.inf
    if dtype.kind == "b":
        return reduce != "amax"
    info = np.iinfo(dtype)
    return info.min if reduce == "amax" else info.max


def _reduce_into(out: np.ndarray, where: tuple, values: np.ndarray, reduce: str, include_self: bool) -> np.ndarray:
    """Combine ``values`` into ``out`` at ``where`` (coordinates, repeats allowed) with ``reduce``."""
    if reduce not in ("sum", "prod", "mean", "amax", "amin"):
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
    values = values.astype(out.dtype, copy=False)
    touched = np.zeros(out.shape, bool)
    touched[where] = True
    if not include_self:
        out[touched] = _identity(reduce, out.dtype)
    _UFUNCS[reduce].at(out, where, values)
    if reduce == "mean":
        counts = np.full(out.shape, 1 if include_self else 0, np.int64)
        np.add.at(counts, where, 1)
        counts = np.maximum(counts, 1)
        if out.dtype.kind == "f":
            out[...] = np.where(touched, out / counts, out)
        else:
            out[...] = np.where(touched, np.floor_divide(out, counts), out)
    return out


def _scatter_reduce(a: np.ndarray, dim: int, index: np.ndarray, src: np.ndarray, reduce: str, *,
                    include_self: bool = True) -> np.ndarray:
    out, grid, values, shape = _scatter_setup(a, dim, index, src, "scatter_reduce")
    return _reduce_into(out, grid, np.asarray(values), reduce, include_self).reshape(shape)


def _along(a: np.ndarray, dim: int, index: np.ndarray, what: str) -> tuple[np.ndarray, int, np.ndarray]:
    """(copy of ``a`` as >= 1-d, the dim, the 1-d index) for the ``index_*`` ops."""
    if index.ndim > 1:
        raise IndexError(f"{what}(): Index is supposed to be a vector")
    if index.dtype.kind not in "iu":
        raise IndexError(f"{what}(): Expected dtype int32/int64 for index")
    out = _as_1d(a.copy())
    d = wrap_dim(dim, out.ndim)
    idx = index.reshape(-1)
    _bounds(out, d, idx, what)
    return out, d, idx


def _source_along(source: np.ndarray, d: int, ndim: int) -> np.ndarray:
    s = source.reshape((1,) * (ndim - source.ndim) + source.shape) if source.ndim < ndim else source
    return np.moveaxis(s, d, 0)


def _index_select(a: np.ndarray, dim: int, index: np.ndarray) -> np.ndarray:
    if index.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    a1 = _as_1d(a)
    d = wrap_dim(dim, a1.ndim)
    idx = index.reshape(-1)
    _bounds(a1, d, idx, "index_select")
    out = np.take(a1, idx, axis=d)
    return out.reshape(()) if a.ndim == 0 else out


def _index_add(a: np.ndarray, dim: int, index: np.ndarray, source: np.ndarray, *, alpha: Any = 1) -> np.ndarray:
    out, d, idx = _along(a, dim, index, "index_add")
    src = _source_along(source, d, out.ndim)
    if alpha != 1:
        src = src * alpha
    np.add.at(np.moveaxis(out, d, 0), idx, src.astype(out.dtype, copy=False))
    return out.reshape(a.shape)


def _index_copy(a: np.ndarray, dim: int, index: np.ndarray, source: np.ndarray) -> np.ndarray:
    out, d, idx = _along(a, dim, index, "index_copy")
    np.moveaxis(out, d, 0)[idx] = _source_along(source, d, out.ndim)
    return out.reshape(a.shape)


def _index_fill(a: np.ndarray, dim: int, index: np.ndarray, value: Any) -> np.ndarray:
    out, d, idx = _along(a, dim, index, "index_fill")
    if isinstance(value, np.ndarray):
        if value.ndim:
            raise RuntimeError(f"index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                               f"{value.ndim} dimension(s).")
        value = value.item()
    np.moveaxis(out, d, 0)[idx] = value
    return out.reshape(a.shape)


def _index_reduce(a: np.ndarray, dim: int, index: np.ndarray, source: np.ndarray, reduce: str, *,
                  include_self: bool = True) -> np.ndarray:
    out, d, idx = _along(a, dim, index, "index_reduce")
    moved = np.moveaxis(out, d, 0)
    src = _source_along(source, d, out.ndim)
    coords = list(np.indices(src.shape, sparse=True))
    coords[0] = idx.reshape((-1,) + (1,) * (src.ndim - 1))
    where = tuple(np.broadcast_arrays(*coords))
    result = _reduce_into(np.ascontiguousarray(moved), where, src, reduce, include_self)
    moved[...] = result
    return out.reshape(a.shape)


def _take(a: np.ndarray, index: np.ndarray) -> np.ndarray:
    flat = a.reshape(-1)
    if index.size and (index.min() < -flat.size or index.max() >= flat.size):
        raise IndexError(f"take(): index out of range in self (size {flat.size})")
    return flat[index.reshape(-1)].reshape(index.shape)


def _take_along_dim(a: np.ndarray, indices: np.ndarray, dim: int | None = None) -> np.ndarray:
    if dim is None:
        return _take(a, indices.reshape(-1))
    a1, i1 = _as_1d(a), _as_1d(indices)
    d = wrap_dim(dim, a1.ndim)
    if a1.ndim != i1.ndim:
        raise RuntimeError("torch.take_along_dim(): input and indices should have the same number of dimensions")
    shape_a, shape_i = list(a1.shape), list(i1.shape)
    shape_a[d] = shape_i[d] = 1
    common = np.broadcast_shapes(tuple(shape_a), tuple(shape_i))
    a_b = np.broadcast_to(a1, common[:d] + (a1.shape[d],) + common[d + 1:])
    i_b = np.broadcast_to(i1, common[:d] + (i1.shape[d],) + common[d + 1:])
    return np.take_along_axis(a_b, i_b, d)


def _put(a: np.ndarray, index: np.ndarray, source: np.ndarray, accumulate: bool = False) -> np.ndarray:
    out = a.copy()
    flat = out.reshape(-1)
    if index.size != source.size:
        raise RuntimeError(f"put_(): Expected source and index to have the same number of elements, but got "
                           f"source.numel() = {source.size}, index.numel() = {index.size}")
    idx = index.reshape(-1)
    if idx.size and (idx.min() < -flat.size or idx.max() >= flat.size):
        raise IndexError(f"put_(): index out of range in self (size {flat.size})")
    if accumulate:
        np.add.at(flat, idx, source.reshape(-1).astype(out.dtype, copy=False))
    else:
        flat[idx] = source.reshape(-1)
    return out


def _mask(mask: np.ndarray, what: str) -> np.ndarray:
    if mask.dtype != np.bool_:
        raise RuntimeError(f"{what}: expected BoolTensor for mask")
    return mask


def _masked_select(a: np.ndarray, mask: np.ndarray) -> np.ndarray:
    a_b, m_b = np.broadcast_arrays(a, _mask(mask, "masked_select"))
    return a_b[m_b]


def _masked_scatter(a: np.ndarray, mask: np.ndarray, source: np.ndarray) -> np.ndarray:
    _mask(mask, "masked_scatter_")
    out = np.broadcast_to(a, np.broadcast_shapes(a.shape, mask.shape)).copy()
    m = np.broadcast_to(mask, out.shape)
    count = int(m.sum())
    if count > source.size:
        raise RuntimeError("masked_scatter: expected self and source to have same dtypes and the source to have at "
                           "least as many elements as ones in mask")
    out[m] = source.reshape(-1)[:count].astype(out.dtype, copy=False)
    return out


def _nonzero(a: np.ndarray) -> np.ndarray:
    if a.ndim == 0:
        return np.zeros((int(bool(a)), 0), np.int64)
    return np.argwhere(a).astype(np.int64).reshape(-1, a.ndim)


def _nonzero_numpy(a: np.ndarray) -> tuple[np.ndarray, ...]:
    rows = _nonzero(a)
    if a.ndim == 0:  # torch treats a 0-d tensor as one element of a 1-d one
        return (np.zeros(int(bool(a)), np.int64),)
    return tuple(rows[:, i].copy() for i in range(a.ndim))


provide("aten.gather.default", _gather)
provide("aten.scatter.src", _scatter)
provide("aten.scatter.value", _scatter)
provide("aten.scatter.reduce", _scatter)
provide("aten.scatter.value_reduce", _scatter)
provide("aten.scatter_add.default", _scatter_add)
provide("aten.scatter_reduce.two", _scatter_reduce)
provide("aten.index_select.default", _index_select)
provide("aten.index_add.default", _index_add)
provide("aten.index_copy.default", _index_copy)
provide("aten.index_fill.int_Scalar", _index_fill)
provide("aten.index_fill.int_Tensor", _index_fill)
provide("aten.index_reduce.default", _index_reduce)
provide("aten.take.default", _take)
provide("aten.take_along_dim.default", _take_along_dim)
provide("aten.put.default", _put)
provide("aten.masked_select.default", _masked_select)
provide("aten.masked_scatter.default", _masked_scatter)
provide("aten.nonzero.default", _nonzero)
provide("aten.argwhere.default", _nonzero)
provide("aten.nonzero_numpy.default", _nonzero_numpy, multi=True)


def _inplace(kernel: Any) -> Any:
    """The in-place form (``scatter_add_``) of an out-of-place kernel: the result is written into ``self``."""
    def write(a: np.ndarray, *args: Any, **kwargs: Any) -> np.ndarray:
        np.copyto(a, kernel(a, *args, **kwargs))
        return a

    return write


for _qualname, _kernel in (("scatter_.src", _scatter), ("scatter_.value", _scatter), ("scatter_.reduce", _scatter),
                           ("scatter_.value_reduce", _scatter), ("scatter_add_.default", _scatter_add),
                           ("scatter_reduce_.two", _scatter_reduce), ("index_add_.default", _index_add),
                           ("index_copy_.default", _index_copy), ("index_fill_.int_Scalar", _index_fill),
                           ("index_fill_.int_Tensor", _index_fill), ("index_reduce_.default", _index_reduce),
                           ("masked_scatter_.default", _masked_scatter), ("put_.default", _put)):
    provide(f"aten.{_qualname}", _inplace(_kernel), mutates=0)
