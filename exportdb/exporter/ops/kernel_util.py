"""Helpers shared by the NumPy kernels."""

from __future__ import annotations

from typing import Any

import numpy as np

from exportdb.exporter.ir import dtypes
from exportdb.exporter.ir.dims import wrap_dim  # noqa: F401  (re-exported for the kernels)
from exportdb.exporter.ir.dtypes import DType, Operand


def operand(value: Any) -> Any:
    """What type promotion sees of a kernel argument."""
    if isinstance(value, np.ndarray):
        return Operand(dtypes.from_numpy(value.dtype), value.ndim)
    return value


def promoted(*values: Any) -> DType:
    return dtypes.result_type(*(operand(v) for v in values))


def cast(value: Any, dtype: DType) -> Any:
    """Cast arrays to ``dtype``; Python scalars stay weak (NumPy 2 keeps them so)."""
    if isinstance(value, np.ndarray):
        return value.astype(dtype.np, copy=False)
    if dtype.kind == "f" and isinstance(value, (bool, np.bool_)):
        return float(value)
    return value


def as_array(value: Any, dtype: DType | np.dtype | None = None) -> np.ndarray:
    """Always an ndarray (NumPy returns scalars from 0-d operations)."""
    np_dtype = dtype.np if isinstance(dtype, DType) else dtype
    if isinstance(value, np.ndarray) and (np_dtype is None or value.dtype == np_dtype):
        return value
    return np.asarray(value, dtype=np_dtype)


def float_dtype(value: np.ndarray) -> DType:
    """dtype of a float-valued op applied to ``value`` (ints and bools become float32)."""
    dt = dtypes.from_numpy(value.dtype)
    return dt if dt.kind in "fc" else dtypes.DEFAULT_FLOAT


def write_into(dst: np.ndarray, result: np.ndarray) -> np.ndarray:
    """Store an in-place op's ``result`` in ``dst``; torch refuses to narrow the category
    (a float result into an int tensor)."""
    src_dt, dst_dt = dtypes.from_numpy(result.dtype), dtypes.from_numpy(dst.dtype)
    if "bifc".index(src_dt.kind) > "bifc".index(dst_dt.kind):
        raise TypeError(f"result type {src_dt.name} can't be cast to the desired output type {dst_dt.name}")
    np.copyto(dst, result, casting="unsafe")
    return dst
