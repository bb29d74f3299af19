"""exportdb.exporter.ir.dtypes: dtype table and torch's type promotion."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from exportdb.exporter.ir import dtypes as D
from exportdb.exporter.ir.dtypes import Operand

# (a, b, torch.promote_types(a, b)) as printed by torch 2.13.
PROMOTE = [
    ("bool", "bool", "bool"),
    ("bool", "uint8", "uint8"),
    ("bool", "float16", "float16"),
    ("uint8", "int8", "int16"),
    ("uint8", "int16", "int16"),
    ("int8", "int64", "int64"),
    ("int32", "float16", "float16"),
    ("int64", "float16", "float16"),
    ("int64", "float32", "float32"),
    ("float16", "float32", "float32"),
    ("float32", "float64", "float64"),
    ("float32", "complex64", "complex64"),
    ("float64", "complex64", "complex128"),
    ("uint8", "uint8", "uint8"),
]


@pytest.mark.parametrize("a, b, want", PROMOTE)
def test_promote_types_matches_torch_table(a, b, want):
    got = D.promote_types(D.TORCH_NAMES[a], D.TORCH_NAMES[b])
    assert got.name == want
    assert D.promote_types(D.TORCH_NAMES[b], D.TORCH_NAMES[a]).name == want, "promotion must be symmetric"


# (operands, torch.result_type): tensors as (dtype, ndim), Python scalars as themselves.
RESULT = [
    ((("int64", 1), 2.5), "float32"),          # int tensor meets a Python float
    ((("int32", 1), 2), "int32"),              # Python int does not widen an int tensor
    ((("uint8", 1), True), "uint8"),
    ((("bool", 1), 1), "int64"),               # bool tensor + Python int
    ((("bool", 1), 1.5), "float32"),
    ((("float16", 1), 2.5), "float16"),        # a Python float keeps the tensor's float width
    ((("int64", 1), ("float64", 0)), "float64"),   # a 0-dim float brings its own dtype to ints
    ((("float16", 1), ("float64", 0)), "float16"),
    ((("int8", 1), ("int64", 0)), "int8"),     # same category: dimensioned tensor wins
    ((("int8", 0), ("int64", 0)), "int64"),
    ((("float32", 1), 1j), "complex64"),
    ((("float64", 1), 1j), "complex128"),
    ((("int32", 0), 2.5), "float32"),
    ((2, 2.5), "float32"),
]


@pytest.mark.parametrize("operands, want", RESULT)
def test_result_type_matches_torch(operands, want):
    ops = [Operand(D.TORCH_NAMES[o[0]], o[1]) if isinstance(o, tuple) else o for o in operands]
    assert D.result_type(*ops).name == want


def test_annotation_codes():
    codes = {d.name: d.code for d in D.ALL}
    assert codes == {"bool": "b8", "uint8": "u8", "int8": "i8", "int16": "i16", "int32": "i32", "int64": "i64",
                     "uint64": "u64", "float16": "f16", "float32": "f32", "float64": "f64", "complex64": "c64",
                     "complex128": "c128"}


def test_torch_aliases_and_repr():
    assert D.TORCH_NAMES["float"] is D.float32 and D.TORCH_NAMES["long"] is D.int64
    assert D.TORCH_NAMES["half"] is D.float16 and D.TORCH_NAMES["double"] is D.float64
    assert repr(D.float32) == "torch.float32"
    assert D.DEFAULT_FLOAT is D.float32


def test_numpy_round_trip_and_unknown_dtype():
    for d in D.ALL:
        assert D.from_numpy(d.np) is d
    with pytest.raises(TypeError, match="no torch counterpart"):
        D.from_numpy(np.dtype("uint16"))


def test_scalar_dtype():
    assert D.scalar_dtype(True) is D.bool_
    assert D.scalar_dtype(3) is D.int64
    assert D.scalar_dtype(np.int32(3)) is D.int64
    assert D.scalar_dtype(3.0) is D.float32
    assert D.scalar_dtype(1j) is D.complex64


NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64", "complex64",
         "complex128"]


def test_promotion_agrees_with_real_torch_on_every_pair():
    torch = pytest.importorskip("torch")
    for a, b in itertools.product(NAMES, NAMES):
        want = torch.promote_types(getattr(torch, a), getattr(torch, b))
        assert repr(D.promote_types(D.TORCH_NAMES[a], D.TORCH_NAMES[b])) == str(want), (a, b)


def test_result_type_agrees_with_real_torch():
    torch = pytest.importorskip("torch")
    real = [n for n in NAMES if not n.startswith("complex")]
    for (a, b), (na, nb) in itertools.product(itertools.product(real, real), [(1, 1), (1, 0), (0, 1), (0, 0)]):
        ta = torch.zeros([2] * na, dtype=getattr(torch, a))
        tb = torch.zeros([2] * nb, dtype=getattr(torch, b))
        got = D.result_type(Operand(D.TORCH_NAMES[a], na), Operand(D.TORCH_NAMES[b], nb))
        assert repr(got) == str(torch.result_type(ta, tb)), (a, na, b, nb)
    for a, na, scalar in itertools.product(real, (0, 1), (True, 2, 2.5)):
        t = torch.zeros([2] * na, dtype=getattr(torch, a))
        assert repr(D.result_type(Operand(D.TORCH_NAMES[a], na), scalar)) == str(torch.result_type(t, scalar))
