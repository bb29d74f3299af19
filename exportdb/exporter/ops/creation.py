"""Factories (zeros, ones, full, arange, randn, ..., *_like), copies and dtype casts."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from exportdb.exporter.ir import dtypes
from exportdb.exporter.ir.dtypes import DType
from exportdb.exporter.ops.table import register

#: The generator behind randn/rand; ``torch.manual_seed`` reseeds it.
RNG = np.random.default_rng(0)


def manual_seed(seed: int) -> None:
    global RNG
    RNG = np.random.default_rng(seed)


def _dt(dtype: DType | None, default: DType = dtypes.DEFAULT_FLOAT) -> DType:
    return dtype or default


def _shape(size: Sequence[int]) -> tuple[int, ...]:
    shape = tuple(int(s) for s in size)
    if any(s < 0 for s in shape):
        raise RuntimeError(f"Trying to create tensor with negative dimension: {list(shape)}")
    return shape


def _factory(fill):
    def kernel(size: Sequence[int], *, dtype: DType | None = None, layout: Any = None,
               device: Any = None, pin_memory: Any = None, memory_format: Any = None) -> np.ndarray:
        return fill(_shape(size), _dt(dtype))

    return kernel


def _fill_dtype(value: Any) -> DType:
    return dtypes.scalar_dtype(value)


def _full(size: Sequence[int], fill_value: Any, *, dtype: DType | None = None, layout: Any = None,
          device: Any = None, pin_memory: Any = None) -> np.ndarray:
    dt = dtype or _fill_dtype(fill_value)
    return np.full(_shape(size), fill_value, dtype=dt.np)


def _like(fill):
    def kernel(a: np.ndarray, *, dtype: DType | None = None, layout: Any = None, device: Any = None,
               pin_memory: Any = None, memory_format: Any = None) -> np.ndarray:
        return fill(a.shape, dtype or dtypes.from_numpy(a.dtype))

    return kernel


def _full_like(a: np.ndarray, fill_value: Any, *, dtype: DType | None = None, layout: Any = None,
               device: Any = None, pin_memory: Any = None, memory_format: Any = None) -> np.ndarray:
    return np.full(a.shape, fill_value, dtype=(dtype or dtypes.from_numpy(a.dtype)).np)


def _new(fill):
    """``x.new_zeros(size)`` and friends: a fresh tensor in ``x``'s dtype unless ``dtype`` is given."""
    def kernel(a: np.ndarray, size: Sequence[int], *, dtype: DType | None = None, layout: Any = None,
               device: Any = None, pin_memory: Any = None) -> np.ndarray:
        return fill(_shape(size), dtype or dtypes.from_numpy(a.dtype))

    return kernel


def _new_full(a: np.ndarray, size: Sequence[int], fill_value: Any, *, dtype: DType | None = None,
              layout: Any = None, device: Any = None, pin_memory: Any = None) -> np.ndarray:
    return np.full(_shape(size), fill_value, dtype=(dtype or dtypes.from_numpy(a.dtype)).np)


def _randn(shape: tuple[int, ...], dt: DType) -> np.ndarray:
    return RNG.standard_normal(shape).astype(dt.np)


def _rand(shape: tuple[int, ...], dt: DType) -> np.ndarray:
    return RNG.random(shape).astype(dt.np)


def _arange(*args: Any, dtype: DType | None = None, layout: Any = None, device: Any = None,
            pin_memory: Any = None) -> np.ndarray:
    if dtype is None:
        dtype = dtypes.int64 if all(isinstance(a, (int, np.integer)) for a in args) else dtypes.DEFAULT_FLOAT
    if dtype.kind in "biu":  # an integral arange steps through the bounds' integer parts
        args = tuple(int(a) for a in args)
    return np.arange(*args).astype(dtype.np)


def _number(value: Any) -> Any:
    """A Scalar argument, or the value of the 0-d tensor the Tensor overloads take."""
    if isinstance(value, np.ndarray):
        if value.ndim:
            raise RuntimeError(f"linspace only supports 0-dimensional start and end tensors, but got tensors with "
                               f"{value.ndim} dimension(s).")
        return value.item()
    return value


def _linspace_values(start: Any, end: Any, steps: int) -> np.ndarray:
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    start, end = _number(start), _number(end)
    if steps == 1:
        return np.asarray([start], np.float64)
    step = (end - start) / (steps - 1) if steps > 1 else 0.0
    i = np.arange(steps, dtype=np.float64)
    half = steps // 2
    return np.where(i < half, start + i * step, end - (steps - 1 - i) * step)


def _linspace(start: Any, end: Any, steps: int, *, dtype: DType | None = None, layout: Any = None,
              device: Any = None, pin_memory: Any = None) -> np.ndarray:
    dt = dtype or dtypes.DEFAULT_FLOAT
    if dt.kind in "biu":  # integral results space the bounds' integer parts, then truncate
        start, end = int(_number(start)), int(_number(end))
    values = _linspace_values(start, end, steps)
    return (np.trunc(values) if dt.kind in "biu" else values).astype(dt.np)


def _logspace(start: Any, end: Any, steps: int, base: float = 10.0, *, dtype: DType | None = None,
              layout: Any = None, device: Any = None, pin_memory: Any = None) -> np.ndarray:
    dt = dtype or dtypes.DEFAULT_FLOAT
    values = np.power(float(base), _linspace_values(start, end, steps))
    return (np.trunc(values) if dt.kind in "biu" else values).astype(dt.np)


def _eye(n: int, m: int | None = None, *, dtype: DType | None = None, layout: Any = None, device: Any = None,
         pin_memory: Any = None) -> np.ndarray:
    if n < 0 or (m is not None and m < 0):
        raise RuntimeError(f"n must be greater or equal to 0, got {n if n < 0 else m}")
    return np.eye(n, n if m is None else m, dtype=(dtype or dtypes.DEFAULT_FLOAT).np)


def _scalar_tensor(s: Any, *, dtype: DType | None = None, layout: Any = None, device: Any = None,
                   pin_memory: Any = None) -> np.ndarray:
    return np.asarray(s, dtype=(dtype or dtypes.DEFAULT_FLOAT).np)


def _tri_indices(lower: bool):
    def kernel(row: int, col: int, offset: int = 0, *, dtype: DType | None = None, layout: Any = None,
               device: Any = None, pin_memory: Any = None) -> np.ndarray:
        rows, cols = (np.tril_indices if lower else np.triu_indices)(row, offset, col)
        return np.stack([rows, cols]).astype((dtype or dtypes.int64).np).reshape(2, -1)

    return kernel


def _to_dtype(a: np.ndarray, dtype: DType, non_blocking: bool = False, copy: bool = False,
              memory_format: Any = None) -> np.ndarray:
    with np.errstate(all="ignore"):
        return a.astype(dtype.np, copy=copy or a.dtype != dtype.np)


def _to_device(a: np.ndarray, device: Any, dtype: DType, non_blocking: bool = False, copy: bool = False,
               memory_format: Any = None) -> np.ndarray:
    return _to_dtype(a, dtype, non_blocking, copy)


def _to_dtype_layout(a: np.ndarray, *, dtype: DType | None = None, layout: Any = None, device: Any = None,
                     pin_memory: Any = None, non_blocking: bool = False, copy: bool = False,
                     memory_format: Any = None) -> np.ndarray:
    return a.astype(a.dtype if dtype is None else dtype.np, copy=copy or (dtype is not None and a.dtype != dtype.np))


def _copy_(dst: np.ndarray, src: np.ndarray, non_blocking: bool = False) -> np.ndarray:
    np.copyto(dst, np.broadcast_to(np.asarray(src), dst.shape), casting="unsafe")
    return dst


def _fill_(dst: np.ndarray, value: Any) -> np.ndarray:
    dst[...] = np.asarray(value)
    return dst


register("aten.zeros.default", _factory(lambda s, d: np.zeros(s, d.np)))
register("aten.ones.default", _factory(lambda s, d: np.ones(s, d.np)))
register("aten.empty.memory_format", _factory(lambda s, d: np.zeros(s, d.np)))
register("aten.randn.default", _factory(_randn), nondeterministic=True)
register("aten.rand.default", _factory(_rand), nondeterministic=True)
register("aten.full.default", _full)
register("aten.zeros_like.default", _like(lambda s, d: np.zeros(s, d.np)))
register("aten.ones_like.default", _like(lambda s, d: np.ones(s, d.np)))
register("aten.empty_like.default", _like(lambda s, d: np.zeros(s, d.np)))
register("aten.randn_like.default", _like(_randn), nondeterministic=True)
register("aten.rand_like.default", _like(_rand), nondeterministic=True)
register("aten.full_like.default", _full_like)
register("aten.new_zeros.default", _new(lambda s, d: np.zeros(s, d.np)))
register("aten.new_ones.default", _new(lambda s, d: np.ones(s, d.np)))
register("aten.new_empty.default", _new(lambda s, d: np.zeros(s, d.np)))
register("aten.new_full.default", _new_full)
register("aten.arange.default", _arange)
register("aten.arange.start", _arange)
register("aten.arange.start_step", _arange)
register("aten.linspace.default", _linspace)
for _overload in ("Tensor_Tensor", "Tensor_Scalar", "Scalar_Tensor"):
    register(f"aten.linspace.{_overload}", _linspace)
    register(f"aten.logspace.{_overload}", _logspace)
register("aten.logspace.default", _logspace)
register("aten.empty_strided.default",
         lambda size, stride, **kwargs: _factory(lambda s, d: np.zeros(s, d.np))(size, **kwargs))
register("aten.empty_permuted.default",
         lambda size, physical_layout, **kwargs: _factory(lambda s, d: np.zeros(s, d.np))(size, **kwargs))
register("aten.new_empty_strided.default",
         lambda a, size, stride, **kwargs: _new(lambda s, d: np.zeros(s, d.np))(a, size, **kwargs))
register("aten.eye.default", _eye)
register("aten.eye.m", _eye)
register("aten.scalar_tensor.default", _scalar_tensor)
register("aten.tril_indices.default", _tri_indices(True))
register("aten.triu_indices.default", _tri_indices(False))
register("aten.clone.default", lambda a, memory_format=None: a.copy())
register("aten.lift_fresh_copy.default", lambda a: a.copy())
register("aten.detach.default", lambda a: a[...])
register("aten.detach_.default", lambda a: a, mutates=0)
register("aten.alias.default", lambda a: a[...])
register("aten.to.dtype", _to_dtype)
register("aten.to.device", _to_device)
register("aten.to.dtype_layout", _to_dtype_layout)
register("aten._to_copy.default", lambda a, dtype=None, **_: a.astype((dtype.np if dtype else a.dtype), copy=True))
register("aten.copy_.default", _copy_, mutates=0)
register("aten.fill_.Scalar", _fill_, mutates=0)
register("aten.fill_.Tensor", _fill_, mutates=0)
register("aten.fill.Scalar", lambda a, value: _fill_(np.empty_like(a), value))
register("aten.fill.Tensor", lambda a, value: _fill_(np.empty_like(a), value))
register("aten.zero_.default", lambda a: _fill_(a, 0), mutates=0)
register("aten.item.default", lambda a: a.item())
register("aten._assert_tensor_metadata.default", lambda a, dtype=None, device=None, layout=None: None,
         node_name="_assert_tensor_metadata_default")
