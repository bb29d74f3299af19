"""More view and shape ops: flips and rolls, repeats, triangles and diagonals, unfold,
movedim, the stack/split family, the ``*_scatter`` ops and the ``*_copy`` variants.

Where torch returns a view (``diagonal``, ``unfold``, ``movedim``, ``tensor_split``,
``mT``, ...) the kernel returns a writable NumPy view of the same memory, so an
in-place write through it reaches the base tensor; everything else returns a
fresh array.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np
from numpy.lib.stride_tricks import as_strided

from exportdb.exporter.ops import shape_ops
from exportdb.exporter.ops.kernel_util import wrap_dim
from exportdb.exporter.ops.table import OPS, provide


def _dims(dims: Any, ndim: int) -> list[int]:
    dims = [dims] if isinstance(dims, int) else list(dims)
    out = [wrap_dim(d, ndim) for d in dims]
    if len(set(out)) != len(out):
        raise RuntimeError(f"dims {list(dims)} has duplicates")
    return out


# -- flips, rolls, rotations, repeats ------------------------------------------------------
def _flip(a: np.ndarray, dims: Sequence[int]) -> np.ndarray:
    axes = tuple(_dims(dims, a.ndim))
    return np.flip(a, axes).copy() if axes else a.copy()


def _fliplr(a: np.ndarray) -> np.ndarray:
    if a.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return np.flip(a, 1).copy()


def _flipud(a: np.ndarray) -> np.ndarray:
    if a.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return np.flip(a, 0).copy()


def _roll(a: np.ndarray, shifts: Sequence[int], dims: Sequence[int] = ()) -> np.ndarray:
    shifts, dims = list(shifts), list(dims)
    if not dims:
        if len(shifts) != 1:
            raise RuntimeError("roll: shifts must be a single value when dims is not given")
        return np.roll(a.reshape(-1), shifts[0]).reshape(a.shape)
    if len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}")
    return np.roll(a, shifts, [wrap_dim(d, a.ndim) for d in dims])


def _rot90(a: np.ndarray, k: int = 1, dims: Sequence[int] = (0, 1)) -> np.ndarray:
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if a.ndim < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {a.ndim}")
    d0, d1 = wrap_dim(dims[0], a.ndim), wrap_dim(dims[1], a.ndim)
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {d0} and dim1 = {d1}")
    return np.rot90(a, k, (d0, d1)).copy()


def _repeat(a: np.ndarray, repeats: Sequence[int]) -> np.ndarray:
    if len(repeats) < a.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor")
    return np.tile(a.reshape((1,) * (len(repeats) - a.ndim) + a.shape), tuple(repeats))


def _tile(a: np.ndarray, dims: Sequence[int]) -> np.ndarray:
    dims = tuple(dims)
    return _repeat(a, (1,) * (a.ndim - len(dims)) + dims)


def _repeat_interleave(a: np.ndarray, repeats: Any, dim: int | None = None, *, output_size: int | None = None
                       ) -> np.ndarray:
    if dim is None:
        a, dim = a.reshape(-1), 0
    reps = np.asarray(repeats).reshape(-1) if isinstance(repeats, np.ndarray) else repeats
    return np.repeat(a, reps, axis=wrap_dim(dim, a.ndim))


def _repeat_interleave_tensor(repeats: np.ndarray, *, output_size: int | None = None) -> np.ndarray:
    return np.repeat(np.arange(repeats.shape[0], dtype=repeats.dtype), repeats)


# -- triangles and diagonals -----------------------------------------------------------------
def _tri(keep: Callable[[np.ndarray, np.ndarray, int], np.ndarray]):
    def kernel(a: np.ndarray, diagonal: int = 0) -> np.ndarray:
        if a.ndim < 2:
            raise RuntimeError("tril/triu: input tensor must have at least 2 dimensions")
        rows, cols = np.indices(a.shape[-2:])
        return np.where(keep(rows, cols, diagonal), a, np.zeros((), a.dtype))

    return kernel


def diagonal_view(a: np.ndarray, offset: int = 0, dim1: int = 0, dim2: int = 1) -> np.ndarray:
    """A writable view of a diagonal, moved to the last dimension (as torch's ``diagonal``)."""
    d1, d2 = wrap_dim(dim1, a.ndim), wrap_dim(dim2, a.ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    n1, n2 = a.shape[d1], a.shape[d2]
    length = max(0, min(n1, n2 - offset) if offset >= 0 else min(n1 + offset, n2))
    key = [slice(None)] * a.ndim
    key[d2 if offset >= 0 else d1] = slice(min(abs(offset), n2 if offset >= 0 else n1), None)
    start = a[tuple(key)]  # a view whose first element is the diagonal's first
    rest = [i for i in range(a.ndim) if i not in (d1, d2)]
    shape = tuple(a.shape[i] for i in rest) + (length,)
    strides = tuple(a.strides[i] for i in rest) + (a.strides[d1] + a.strides[d2],)
    return as_strided(start, shape, strides)


def _diag(a: np.ndarray, diagonal: int = 0) -> np.ndarray:
    if a.ndim == 1:
        return np.diag(a, diagonal)
    if a.ndim == 2:
        return np.diagonal(a, diagonal).copy()
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {a.ndim}D")


def _diag_embed(a: np.ndarray, offset: int = 0, dim1: int = -2, dim2: int = -1) -> np.ndarray:
    ndim = a.ndim + 1
    d1, d2 = wrap_dim(dim1, ndim), wrap_dim(dim2, ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    n = a.shape[-1] + abs(offset)
    rest = list(a.shape[:-1])
    shape = rest[:]
    for d in sorted((d1, d2)):
        shape.insert(d, n)
    out = np.zeros(shape, a.dtype)
    diagonal_view(out, offset, d1, d2)[...] = a
    return out


def _diagflat(a: np.ndarray, offset: int = 0) -> np.ndarray:
    return np.diagflat(a, offset)


def _trace(a: np.ndarray) -> np.ndarray:
    if a.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {a.ndim}")
    dt = np.int64 if a.dtype.kind in "biu" else a.dtype
    return np.asarray(np.trace(a, dtype=dt))


def _diagonal_scatter(a: np.ndarray, src: np.ndarray, offset: int = 0, dim1: int = 0, dim2: int = 1) -> np.ndarray:
    out = a.copy()
    view = diagonal_view(out, offset, dim1, dim2)
    if view.shape != src.shape:
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size = {list(src.shape)}, "
                           f"slice size = {list(view.shape)}")
    view[...] = src
    return out


def _select_scatter(a: np.ndarray, src: np.ndarray, dim: int, index: int) -> np.ndarray:
    out = a.copy()
    view = shape_ops._select(out, dim, index)
    if view.shape != src.shape:
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size = {list(src.shape)}, "
                           f"slice size = {list(view.shape)}")
    view[...] = src
    return out


def _slice_scatter(a: np.ndarray, src: np.ndarray, dim: int = 0, start: int | None = None, end: int | None = None,
                   step: int = 1) -> np.ndarray:
    out = a.copy()
    view = shape_ops._slice(out, dim, start, end, step)
    if view.shape != src.shape:
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size = {list(src.shape)}, "
                           f"slice size = {list(view.shape)}")
    view[...] = src
    return out


# -- views --------------------------------------------------------------------------------------
def _unfold(a: np.ndarray, dimension: int, size: int, step: int) -> np.ndarray:
    if a.ndim == 0:
        return a.reshape(1)[...] if size <= 1 else _raise(f"maximum size for tensor at dimension 0 is 1 but size is {size}")
    d = wrap_dim(dimension, a.ndim)
    if size > a.shape[d]:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {a.shape[d]} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    shape = list(a.shape)
    strides = list(a.strides)
    shape[d] = (a.shape[d] - size) // step + 1
    strides[d] = a.strides[d] * step
    return as_strided(a, tuple(shape) + (size,), tuple(strides) + (a.strides[d],))


def _raise(message: str) -> Any:
    raise RuntimeError(message)


def _movedim(a: np.ndarray, source: Any, destination: Any) -> np.ndarray:
    src, dst = _dims(source, a.ndim), _dims(destination, a.ndim)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({list(src)} dims) should contain "
                           f"the same number of dims as destination ({list(dst)} dims)")
    return np.moveaxis(a, src, dst)


def _unflatten(a: np.ndarray, dim: int, sizes: Sequence[int]) -> np.ndarray:
    d = wrap_dim(dim, a.ndim)
    sizes = shape_ops._infer_shape(sizes, a.shape[d])
    return a.reshape(a.shape[:d] + tuple(sizes) + a.shape[d + 1:])


def _ravel(a: np.ndarray) -> np.ndarray:
    return a.reshape(-1)


def _broadcast_tensors(tensors: Sequence[np.ndarray]) -> tuple[np.ndarray, ...]:
    return tuple(np.broadcast_arrays(*tensors))


def _mT(a: np.ndarray) -> np.ndarray:
    if a.ndim < 2:
        raise RuntimeError(f"tensor.mT is only supported on matrices or batches of matrices. Got {a.ndim}-D tensor.")
    return np.swapaxes(a, -1, -2)


def _matrix_H(a: np.ndarray) -> np.ndarray:
    if a.ndim != 2:
        raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got {a.ndim}-D tensor.")
    return a.T.conj() if a.dtype.kind == "c" else a.T


def _mH(a: np.ndarray) -> np.ndarray:
    out = _mT(a)
    return out.conj() if a.dtype.kind == "c" else out


def _atleast(n: int):
    def one(a: np.ndarray) -> np.ndarray:
        if a.ndim >= n:
            return a[...]
        if n == 3 and a.ndim == 2:
            return a[:, :, None]
        if n == 3 and a.ndim == 1:
            return a[None, :, None]
        return a.reshape((1,) * (n - a.ndim) + a.shape)

    return one


def _as_strided(a: np.ndarray, size: Sequence[int], stride: Sequence[int], storage_offset: int | None = None
                ) -> np.ndarray:
    """``size``/``stride`` (in elements) over ``a``'s elements in memory order: a view of a
    contiguous tensor (the usual case), of a contiguous copy otherwise."""
    flat = (a if a.flags.c_contiguous else np.ascontiguousarray(a)).reshape(-1)
    start = storage_offset or 0
    reach = start + sum((n - 1) * st for n, st in zip(size, stride) if n > 0) + 1
    if all(size) and reach > flat.size:
        raise RuntimeError(f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset {start} are out "
                           f"of bounds for storage of size {flat.size}")
    return as_strided(flat[start:], tuple(size), tuple(st * flat.itemsize for st in stride))


def _as_strided_scatter(a: np.ndarray, src: np.ndarray, size: Sequence[int], stride: Sequence[int],
                        storage_offset: int | None = None) -> np.ndarray:
    out = np.array(a, order="C")
    view = _as_strided(out, size, stride, storage_offset)
    if view.shape != src.shape:
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size = {list(src.shape)}, "
                           f"slice size = {list(view.shape)}")
    view[...] = src
    return out


# -- joins and splits ---------------------------------------------------------------------------
def _joined(tensors: Sequence[np.ndarray], shape_one: Callable[[np.ndarray], np.ndarray], dim: int) -> np.ndarray:
    if not tensors:
        raise RuntimeError("expects a non-empty TensorList")
    return shape_ops._cat([shape_one(t) for t in tensors], dim)


def _hstack(tensors: Sequence[np.ndarray]) -> np.ndarray:
    ones = [_atleast(1)(t) for t in tensors]
    return shape_ops._cat(ones, 0 if ones and ones[0].ndim == 1 else 1)


def _column_stack(tensors: Sequence[np.ndarray]) -> np.ndarray:
    return _joined(tensors, lambda t: t.reshape(-1, 1) if t.ndim <= 1 else t, 1)


def _tensor_split(a: np.ndarray, sections_or_indices: Any, dim: int = 0) -> tuple[np.ndarray, ...]:
    axis = wrap_dim(dim, a.ndim)
    n = a.shape[axis]
    if isinstance(sections_or_indices, np.ndarray):
        values = sections_or_indices.reshape(-1).tolist()
        sections_or_indices = values[0] if sections_or_indices.ndim == 0 else values
    if isinstance(sections_or_indices, (int, np.integer)):
        sections = int(sections_or_indices)
        if sections <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {sections}")
        size, extra = divmod(n, sections)
        bounds = [i * size + min(i, extra) for i in range(sections + 1)]
    else:
        bounds = [0, *[int(i) for i in sections_or_indices], n]
    out = []
    for lo, hi in zip(bounds, bounds[1:]):
        lo, hi = min(max(lo, 0), n), min(max(hi, 0), n)
        out.append(shape_ops._narrow(a, axis, lo, max(hi - lo, 0)))
    return tuple(out)


def _dim_split(dim: int, need: int, name: str):
    def kernel(a: np.ndarray, sections_or_indices: Any) -> tuple[np.ndarray, ...]:
        if a.ndim < need:
            raise RuntimeError(f"torch.{name} requires a tensor with at least {need} dimension, but got a tensor "
                               f"with {a.ndim} dimensions!")
        d = 0 if (name == "hsplit" and a.ndim == 1) else dim
        if isinstance(sections_or_indices, int) and a.shape[d] % sections_or_indices:
            raise RuntimeError(f"torch.{name} attempted to split along dimension {d}, but the size of the dimension "
                               f"{a.shape[d]} is not divisible by the split_size {sections_or_indices}!")
        return _tensor_split(a, sections_or_indices, d)

    return kernel


def _meshgrid(tensors: Sequence[np.ndarray], *, indexing: str = "ij") -> tuple[np.ndarray, ...]:
    if any(t.ndim > 1 for t in tensors):
        raise RuntimeError("torch.meshgrid: Expected 0D or 1D tensor in the tensor list")
    dt = tensors[0].dtype
    if any(t.dtype != dt for t in tensors):
        raise RuntimeError("torch.meshgrid: expects all tensors to have the same dtype")
    return tuple(np.meshgrid(*[t.reshape(-1) for t in tensors], indexing=indexing))


def _copy_of(kernel: Callable[..., Any], multi: bool = False) -> Callable[..., Any]:
    """The ``*_copy`` variant of a view kernel: the same values in fresh memory."""
    if multi:
        return lambda *args, **kwargs: tuple(np.array(o) for o in kernel(*args, **kwargs))
    return lambda *args, **kwargs: np.array(kernel(*args, **kwargs))


_TRI = {"tril": lambda r, c, k: c - r <= k, "triu": lambda r, c, k: c - r >= k}

provide("aten.flip.default", _flip)
provide("aten.fliplr.default", _fliplr)
provide("aten.flipud.default", _flipud)
provide("aten.roll.default", _roll)
provide("aten.rot90.default", _rot90)
provide("aten.repeat.default", _repeat)
provide("aten.tile.default", _tile)
provide("aten.repeat_interleave.self_int", _repeat_interleave)
provide("aten.repeat_interleave.self_Tensor", _repeat_interleave)
provide("aten.repeat_interleave.Tensor", _repeat_interleave_tensor)
provide("aten.tril.default", _tri(_TRI["tril"]))
provide("aten.triu.default", _tri(_TRI["triu"]))
provide("aten.diag.default", _diag)
provide("aten.diagonal.default", diagonal_view)
provide("aten.linalg_diagonal.default", lambda a, *, offset=0, dim1=-2, dim2=-1: diagonal_view(a, offset, dim1, dim2))
provide("aten.diag_embed.default", _diag_embed)
provide("aten.diagflat.default", _diagflat)
provide("aten.trace.default", _trace)
provide("aten.diagonal_scatter.default", _diagonal_scatter)
provide("aten.select_scatter.default", _select_scatter)
provide("aten.slice_scatter.default", _slice_scatter)
provide("aten.unfold.default", _unfold)
provide("aten.movedim.intlist", _movedim)
provide("aten.movedim.int", _movedim)
provide("aten.moveaxis.intlist", _movedim)
provide("aten.moveaxis.int", _movedim)
provide("aten.swapaxes.default", OPS["aten.transpose.int"].kernel)
provide("aten.swapdims.default", OPS["aten.transpose.int"].kernel)
provide("aten.adjoint.default", _mH)
provide("aten.row_stack.default", lambda ts: _joined(ts, _atleast(2), 0))
provide("aten.concat.default", shape_ops._cat)
provide("aten.concatenate.default", shape_ops._cat)
provide("aten.unflatten.int", _unflatten)
provide("aten.ravel.default", _ravel)
provide("aten.reshape_as.default", lambda a, other: shape_ops._view(a, other.shape))
provide("aten.view_as.default", lambda a, other: shape_ops._view(a, other.shape))
provide("aten.expand_as.default", lambda a, other: shape_ops._expand(a, other.shape))
provide("aten.broadcast_to.default", shape_ops._expand)
provide("aten.broadcast_tensors.default", _broadcast_tensors, multi=True)
provide("aten.mT.default", _mT, node_name="m_t")
provide("aten.mH.default", _mH, node_name="m_h")
provide("aten.matrix_H.default", _matrix_H, node_name="matrix_h")
provide("aten.atleast_1d.default", _atleast(1))
provide("aten.atleast_2d.default", _atleast(2))
provide("aten.atleast_3d.default", _atleast(3))
provide("aten.atleast_1d.Sequence", lambda ts: tuple(_atleast(1)(t) for t in ts), multi=True)
provide("aten.atleast_2d.Sequence", lambda ts: tuple(_atleast(2)(t) for t in ts), multi=True)
provide("aten.atleast_3d.Sequence", lambda ts: tuple(_atleast(3)(t) for t in ts), multi=True)
provide("aten.hstack.default", _hstack)
provide("aten.vstack.default", lambda ts: _joined(ts, _atleast(2), 0))
provide("aten.dstack.default", lambda ts: _joined(ts, _atleast(3), 2))
provide("aten.column_stack.default", _column_stack)
provide("aten.tensor_split.sections", _tensor_split, multi=True)
provide("aten.tensor_split.indices", _tensor_split, multi=True)
provide("aten.tensor_split.tensor_indices_or_sections", _tensor_split, multi=True)
for _name, _dim, _need in (("hsplit", 1, 1), ("vsplit", 0, 2), ("dsplit", 2, 3)):
    provide(f"aten.{_name}.int", _dim_split(_dim, _need, _name), multi=True)
    provide(f"aten.{_name}.array", _dim_split(_dim, _need, _name), multi=True)
provide("aten.unsafe_split.Tensor", _copy_of(shape_ops._split, multi=True), multi=True)
provide("aten.unsafe_chunk.default", _copy_of(shape_ops._chunk, multi=True), multi=True)
provide("aten.split_with_sizes_copy.default", _copy_of(shape_ops._split_with_sizes, multi=True), multi=True)
provide("aten.unbind_copy.int", _copy_of(shape_ops._unbind, multi=True), multi=True)
provide("aten.meshgrid.indexing", _meshgrid, multi=True)
provide("aten.meshgrid.default", _meshgrid, multi=True)
provide("aten.as_strided.default", _as_strided)
provide("aten.as_strided_copy.default", _copy_of(_as_strided))
provide("aten.as_strided_scatter.default", _as_strided_scatter)
provide("aten.narrow_copy.default", _copy_of(OPS["aten.narrow.default"].kernel))
for _view_name, _copy_name in (("view.default", "view_copy.default"), ("permute.default", "permute_copy.default"),
                               ("transpose.int", "transpose_copy.int"), ("t.default", "t_copy.default"),
                               ("squeeze.default", "squeeze_copy.default"), ("squeeze.dim", "squeeze_copy.dim"),
                               ("squeeze.dims", "squeeze_copy.dims"), ("unsqueeze.default", "unsqueeze_copy.default"),
                               ("alias.default", "alias_copy.default"), ("select.int", "select_copy.int"),
                               ("slice.Tensor", "slice_copy.Tensor")):
    provide(f"aten.{_copy_name}", _copy_of(OPS[f"aten.{_view_name}"].kernel))
provide("aten.expand_copy.default", lambda a, size, *, implicit=False: np.array(shape_ops._expand(a, size)))
provide("aten.diagonal_copy.default", _copy_of(diagonal_view))
provide("aten.unfold_copy.default", _copy_of(_unfold))



def _tri_inplace(keep: Callable[[np.ndarray, np.ndarray, int], np.ndarray]):
    def kernel(a: np.ndarray, diagonal: int = 0) -> np.ndarray:
        np.copyto(a, _tri(keep)(a, diagonal))
        return a

    return kernel


provide("aten.tril_.default", _tri_inplace(_TRI["tril"]), mutates=0)
provide("aten.triu_.default", _tri_inplace(_TRI["triu"]), mutates=0)
