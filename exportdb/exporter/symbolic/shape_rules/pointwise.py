"""Shape rules of element-wise ops: the inputs broadcast, or the output keeps the input's shape."""

from __future__ import annotations

from typing import Any

from exportdb.exporter.symbolic.shape_rules.core import RULES, broadcast, rule, shape_of, tensor_args
from exportdb.exporter.ops import pointwise as pw, pointwise_special as special


@rule(*[f"aten.{n}" for n in (
    "add.Tensor", "sub.Tensor", "mul.Tensor", "div.Tensor", "div.Tensor_mode", "rsub.Scalar", "floor_divide.default",
    "remainder.Scalar", "remainder.Tensor", "fmod.Scalar", "pow.Tensor_Scalar", "pow.Tensor_Tensor", "pow.Scalar",
    "maximum.default", "minimum.default", "max.other", "min.other", "__and__.Tensor", "__or__.Tensor",
    "__xor__.Tensor", "logical_and.default", "logical_or.default", "logical_xor.default", "eq.Tensor",
    "eq.Scalar", "ne.Tensor", "ne.Scalar", "lt.Tensor", "lt.Scalar", "le.Tensor", "le.Scalar", "gt.Tensor",
    "gt.Scalar", "ge.Tensor", "ge.Scalar", "where.self", "where.ScalarOther", "where.ScalarSelf", "where.Scalar",
    "clamp.Tensor", "__and__.Scalar", "__or__.Scalar", "__xor__.Scalar", "bitwise_and.Scalar", "bitwise_or.Scalar",
    "bitwise_xor.Scalar", "remainder.Scalar_Tensor", "masked_fill.Scalar", "masked_fill.Tensor")])
def _pointwise(*args: Any, **kwargs: Any) -> tuple:
    return broadcast(*(shape_of(t) for t in tensor_args(args)))


@rule(*[f"aten.{n}.default" for n in (
    "cos", "sin", "tan", "exp", "log", "sqrt", "rsqrt", "sigmoid", "tanh", "reciprocal", "log1p", "expm1", "acos",
    "asin", "atan", "cosh", "sinh", "exp2", "abs", "neg", "relu", "floor", "ceil", "round", "trunc", "sign",
    "square", "bitwise_not", "logical_not", "clamp", "clone", "lift_fresh_copy", "detach", "alias", "gelu",
    "zeros_like", "ones_like", "empty_like", "randn_like", "rand_like", "full_like")],
    "aten.fill.Scalar", "aten.fill.Tensor",
    "aten.to.dtype", "aten._to_copy.default", "aten.softmax.int", "aten.log_softmax.int", "aten.dropout.default")
def _same_shape(a: Any, *args: Any, **kwargs: Any) -> tuple:
    return shape_of(a)


def _families() -> tuple[list[str], list[str]]:
    """(broadcasting ops, same-shape ops) of the element-wise op tables that lack a rule above."""
    binary = [f"aten.{q}" for q in pw.BINARY]
    binary += [f"aten.{a}" for a, target in pw.ALIASES.items() if target in pw.BINARY]
    binary += [f"aten.{n}.{ov}" for n in special.BINARY_SPECIAL for ov in ("default", *special.SCALAR_OVERLOADS[n])]
    binary += [f"aten.{n}" for n in ("clip.Tensor", "polygamma.default", "special_polygamma.default")]
    unary = [f"aten.{q}" for q in pw.UNARY]
    unary += [f"aten.{a}" for a, target in pw.ALIASES.items() if target in pw.UNARY]
    unary += [f"aten.{n}.default" for n in (*special.FLOAT_UNARY, *special.SPECIAL_ALIASES, *special.BOOL_UNARY,
                                             "positive", "frac", "sgn", "nan_to_num", "logit", "special_logit",
                                             "mvlgamma", "special_multigammaln", "clip")]
    unary += ["aten.round.decimals", "aten.special_round.default", "aten.to.device", "aten.to.other"]
    return binary, unary


_BINARY, _UNARY = _families()
rule(*[q for q in _BINARY if q not in RULES])(_pointwise)
rule(*[q for q in _UNARY if q not in RULES])(_same_shape)


@rule("aten.frexp.Tensor")
def _frexp(a: Any) -> list:
    return [shape_of(a), shape_of(a)]
