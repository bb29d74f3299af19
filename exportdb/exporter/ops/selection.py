"""Ops that test or pick elements by value: ``isin``, ``combinations``, ``nonzero_static``."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from exportdb.exporter.ops.indexing_ops import _nonzero
from exportdb.exporter.ops.table import register


def _isin(elements: Any, test_elements: Any, *, assume_unique: bool = False, invert: bool = False) -> np.ndarray:
    return np.asarray(np.isin(np.asarray(elements), np.asarray(test_elements).reshape(-1), invert=invert))


def _combinations(a: np.ndarray, r: int = 2, with_replacement: bool = False) -> np.ndarray:
    """The length-``r`` combinations of a 1-D tensor's elements, in lexicographic order of position."""
    if a.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(a.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return np.empty((0,), a.dtype)
    pick = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    rows = np.asarray(list(pick(range(a.shape[0]), r)), np.int64).reshape(-1, r)
    return a[rows]


def _nonzero_static(a: np.ndarray, *, size: int, fill_value: int = -1) -> np.ndarray:
    """``nonzero`` cut or padded (with ``fill_value`` rows) to exactly ``size`` rows."""
    if size < 0:
        raise RuntimeError(f"nonzero_static: 'size' must be an non-negative integer but got {size}")
    rows = _nonzero(a)[:size]
    out = np.full((size, a.ndim), fill_value, np.int64)
    out[:rows.shape[0]] = rows
    return out


for _overload in ("Tensor_Tensor", "Tensor_Scalar", "Scalar_Tensor"):
    register(f"aten.isin.{_overload}", _isin)
register("aten.combinations.default", _combinations)
register("aten.nonzero_static.default", _nonzero_static)
