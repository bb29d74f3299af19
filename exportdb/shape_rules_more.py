"""Symbolic output shapes for ops added after :mod:`exportdb.shape_rules` (which the
lead owns); same contract, registered into the same table.  Imported by the
builder next to it, so every rule is in place before the first lookup."""

from __future__ import annotations

from typing import Any

from exportdb.shape_rules import RULES, rule


def _alias(existing: str, *qualnames: str) -> None:
    """Ops shaped exactly like an op that already has a rule."""
    for name in qualnames:
        RULES.setdefault(name, RULES[existing])


# `t & 3`, `3 & t`, `t &= 3`: broadcasting element-wise ops like `t & u`.
_alias("aten.__and__.Tensor", *[f"aten.{n}" for n in (
    "__and__.Scalar", "__or__.Scalar", "__xor__.Scalar",
    "bitwise_and.Scalar", "bitwise_or.Scalar", "bitwise_xor.Scalar")])

# `5 % t`: the number comes first.
_alias("aten.__and__.Tensor", "aten.remainder.Scalar_Tensor")

# masked_fill broadcasts the tensor with its mask (the value is a scalar or a 0-d tensor).
_alias("aten.__and__.Tensor", "aten.masked_fill.Scalar", "aten.masked_fill.Tensor")


@rule("aten.new_zeros.default", "aten.new_ones.default", "aten.new_empty.default", "aten.new_full.default")
def _new_factory(a: Any, size: Any, *args: Any, **kwargs: Any) -> tuple:
    """x.new_zeros(size): shaped like torch.zeros(size), whatever x's shape."""
    return RULES["aten.zeros.default"](size)
