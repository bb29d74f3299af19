"""Tensor dtypes and torch's type-promotion rules, on top of NumPy dtypes.

>>> promote_types(int64, float16).name
'float16'
>>> result_type(Operand(int64, 2), 2.5).name     # an int tensor and a Python float
'float32'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class DType:
    """A torch dtype: its name, the short code printed in annotations, its NumPy twin."""

    name: str
    code: str
    np_name: str
    kind: str  # "b" bool, "i" integer, "f" floating, "c" complex
    rank: int  # order inside the kind, smaller converts into larger

    @property
    def np(self) -> np.dtype:
        return np.dtype(self.np_name)

    @property
    def is_floating_point(self) -> bool:
        return self.kind == "f"

    @property
    def is_complex(self) -> bool:
        return self.kind == "c"

    @property
    def itemsize(self) -> int:
        return self.np.itemsize

    def __repr__(self) -> str:
        return f"torch.{self.name}"


bool_ = DType("bool", "b8", "bool", "b", 0)
uint8 = DType("uint8", "u8", "uint8", "i", 1)
int8 = DType("int8", "i8", "int8", "i", 1)
int16 = DType("int16", "i16", "int16", "i", 2)
int32 = DType("int32", "i32", "int32", "i", 3)
int64 = DType("int64", "i64", "int64", "i", 4)
uint64 = DType("uint64", "u64", "uint64", "i", 5)  # only as a result (hash_tensor): torch barely promotes it
float16 = DType("float16", "f16", "float16", "f", 1)
float32 = DType("float32", "f32", "float32", "f", 2)
float64 = DType("float64", "f64", "float64", "f", 3)
complex64 = DType("complex64", "c64", "complex64", "c", 2)
complex128 = DType("complex128", "c128", "complex128", "c", 3)

ALL = (bool_, uint8, int8, int16, int32, int64, uint64, float16, float32, float64, complex64, complex128)
_BY_NP = {d.np: d for d in ALL}
#: torch's names and aliases for each dtype, as exposed on the ``torch`` module.
TORCH_NAMES = {
    "bool": bool_, "uint8": uint8, "int8": int8, "int16": int16, "short": int16,
    "int32": int32, "int": int32, "int64": int64, "long": int64, "uint64": uint64,
    "float16": float16, "half": float16, "float32": float32, "float": float32,
    "float64": float64, "double": float64, "complex64": complex64, "cfloat": complex64,
    "complex128": complex128, "cdouble": complex128,
}
DEFAULT_FLOAT = float32
DEFAULT_COMPLEX = complex64


def from_numpy(dt: np.dtype) -> DType:
    """The DType of a NumPy dtype (raises TypeError for dtypes torch lacks)."""
    try:
        return _BY_NP[np.dtype(dt)]
    except KeyError:
        raise TypeError(f"NumPy dtype {dt} has no torch counterpart") from None


def promote_types(a: DType, b: DType) -> DType:
    """torch.promote_types: the smallest dtype both ``a`` and ``b`` convert into."""
    if a == b:
        return a
    if a.kind == "b":
        return b
    if b.kind == "b":
        return a
    if a.kind == "c" or b.kind == "c":
        if a.kind == "c" and b.kind == "c":
            return a if a.rank >= b.rank else b
        c, other = (a, b) if a.kind == "c" else (b, a)
        return complex128 if (other == float64 or c == complex128) else c
    if a.kind == "f" and b.kind == "f":
        return a if a.rank >= b.rank else b
    if a.kind == "f" or b.kind == "f":
        return a if a.kind == "f" else b
    return from_numpy(np.promote_types(a.np, b.np))


@dataclass(frozen=True)
class Operand:
    """What promotion needs to know of a tensor operand: dtype and rank."""

    dtype: DType
    ndim: int


def scalar_dtype(value: Any) -> DType:
    """dtype torch gives a Python scalar when it meets a tensor."""
    if isinstance(value, (bool, np.bool_)):
        return bool_
    if isinstance(value, (int, np.integer)):
        return int64
    if isinstance(value, complex):
        return DEFAULT_COMPLEX
    return DEFAULT_FLOAT


def _category(d: DType) -> int:
    return {"b": 0, "i": 1, "f": 2, "c": 3}[d.kind]


def _combine(higher: DType | None, lower: DType | None) -> DType | None:
    """Merge a higher-priority group's dtype with a lower one (torch's rule)."""
    if higher is None:
        return lower
    if lower is None:
        return higher
    if _category(lower) > _category(higher):
        if higher.kind == "f" and lower.kind == "c":
            return complex128 if higher == float64 else complex64
        return lower if lower.kind != "f" or higher.kind in "bi" else promote_types(higher, lower)
    return higher


def result_type(*operands: Any) -> DType:
    """torch.result_type over tensors (:class:`Operand`) and Python scalars.

    Dimensioned tensors outrank zero-dim tensors, which outrank Python scalars;
    a lower group only matters when it brings a higher category (bool < int <
    float < complex).
    """
    groups: list[DType | None] = [None, None, None]
    for op in operands:
        if isinstance(op, Operand):
            slot, dt = (0 if op.ndim > 0 else 1), op.dtype
        else:
            slot, dt = 2, scalar_dtype(op)
        groups[slot] = dt if groups[slot] is None else promote_types(groups[slot], dt)
    result = _combine(groups[0], _combine(groups[1], groups[2]))
    assert result is not None, "result_type needs at least one operand"
    return result
