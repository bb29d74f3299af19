"""Arithmetic, comparison and logical methods of the front end's ``torch.Tensor``.

A mixin of :class:`exportdb.exporter.frontend.tensor.Tensor`, kept apart so each module
stays readable: every method maps onto one ATen overload, chosen as
torch.export records it (``x + 1`` is ``aten.add.Tensor``, ``1 - x`` is
``aten.rsub.Scalar``, ``2 // x`` is ``aten.floor_divide.default``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from exportdb.exporter.frontend.functions import where
from exportdb.exporter.trace.dispatch import call
from exportdb.exporter.ops import aten

if TYPE_CHECKING:
    from exportdb.exporter.frontend.tensor import Tensor


def _is_scalar(value: Any) -> bool:
    return isinstance(value, (bool, int, float, complex, np.number, np.bool_))


def _clamp_overload(*bounds: Any) -> str:
    """clamp.Tensor when a bound is a tensor, else clamp.default (numbers)."""
    return "Tensor" if any(isinstance(b, TensorArithmetic) for b in bounds) else "default"


def _trim_none(*values: Any) -> tuple:
    """Drop trailing Nones, so optional arguments left out are left out of the node too."""
    values = list(values)
    while values and values[-1] is None:
        values.pop()
    return tuple(values)


class TensorArithmetic:
    """``+ - * / // % **``, comparisons, ``& | ^ ~`` and their named and in-place forms."""

    __slots__ = ()
    def add(self, other: Any, *, alpha: Any = 1) -> "Tensor":
        return call(aten("add.Tensor"), self, other, alpha=alpha)

    def sub(self, other: Any, *, alpha: Any = 1) -> "Tensor":
        return call(aten("sub.Tensor"), self, other, alpha=alpha)

    def mul(self, other: Any) -> "Tensor":
        return call(aten("mul.Tensor"), self, other)

    def div(self, other: Any, *, rounding_mode: str | None = None) -> "Tensor":
        if rounding_mode is not None:
            return call(aten("div.Tensor_mode"), self, other, rounding_mode=rounding_mode)
        return call(aten("div.Tensor"), self, other)

    def add_(self, other: Any, *, alpha: Any = 1) -> "Tensor":
        return call(aten("add_.Tensor"), self, other, alpha=alpha)

    def sub_(self, other: Any, *, alpha: Any = 1) -> "Tensor":
        return call(aten("sub_.Tensor"), self, other, alpha=alpha)

    def mul_(self, other: Any) -> "Tensor":
        return call(aten("mul_.Tensor"), self, other)

    def div_(self, other: Any, *, rounding_mode: str | None = None) -> "Tensor":
        if rounding_mode is not None:
            return call(aten("div_.Tensor_mode"), self, other, rounding_mode=rounding_mode)
        return call(aten("div_.Tensor"), self, other)

    # `x //= 2` is floor_divide_.Tensor(x, 2) (the number stays an argument of the Tensor overload);
    # `x %= 3` and `x **= 2` pick remainder_/pow_'s Scalar or Tensor overload by the operand.
    def floor_divide_(self, other: Any) -> "Tensor":
        return call(aten("floor_divide_.Tensor"), self, other)

    def remainder_(self, other: Any) -> "Tensor":
        return call(aten("remainder_.Tensor" if isinstance(other, TensorArithmetic) else "remainder_.Scalar"),
                    self, other)

    def pow_(self, exponent: Any) -> "Tensor":
        return call(aten("pow_.Tensor" if isinstance(exponent, TensorArithmetic) else "pow_.Scalar"), self, exponent)

    def pow(self, exponent: Any) -> "Tensor":
        return call(aten("pow.Tensor_Tensor" if isinstance(exponent, TensorArithmetic) else "pow.Tensor_Scalar"), self, exponent)

    def remainder(self, other: Any) -> "Tensor":
        return call(aten("remainder.Tensor" if isinstance(other, TensorArithmetic) else "remainder.Scalar"), self, other)

    def floor_divide(self, other: Any) -> "Tensor":
        return call(aten("floor_divide.default"), self, other)

    __add__ = add
    __sub__ = sub
    __mul__ = mul
    __truediv__ = div
    __floordiv__ = floor_divide
    __mod__ = remainder
    __pow__ = pow
    __iadd__ = add_
    __isub__ = sub_
    __imul__ = mul_
    __itruediv__ = div_
    __ifloordiv__ = floor_divide_
    __imod__ = remainder_
    __ipow__ = pow_

    # Reflected operators: a tensor on the left (`t1.__radd__(t0)`) keeps its place, `t0 + t1`; a
    # number (`2 + x`) comes second, as torch records them (`2 - x` is rsub.Scalar(x, 2)).
    def __radd__(self, other: Any) -> "Tensor":
        if isinstance(other, TensorArithmetic):
            return call(aten("add.Tensor"), other, self)
        return call(aten("add.Tensor"), self, other)

    def __rmul__(self, other: Any) -> "Tensor":
        if isinstance(other, TensorArithmetic):
            return call(aten("mul.Tensor"), other, self)
        return call(aten("mul.Tensor"), self, other)

    def __rsub__(self, other: Any) -> "Tensor":
        if isinstance(other, TensorArithmetic):
            return call(aten("sub.Tensor"), other, self)
        return call(aten("rsub.Scalar"), self, other)

    def __rtruediv__(self, other: Any) -> "Tensor":
        return call(aten("mul.Tensor"), self.reciprocal(), other)

    # `2 // x` is floor_divide.default(2, x) and `5 % x` remainder.Scalar_Tensor(5, x): the
    # number stays first, as torch.export records them.
    def __rfloordiv__(self, other: Any) -> "Tensor":
        return call(aten("floor_divide.default"), other, self)

    def __rmod__(self, other: Any) -> "Tensor":
        if isinstance(other, TensorArithmetic):
            return call(aten("remainder.Tensor"), other, self)
        return call(aten("remainder.Scalar_Tensor"), other, self)

    def __rpow__(self, other: Any) -> "Tensor":
        if isinstance(other, TensorArithmetic):
            return call(aten("pow.Tensor_Tensor"), other, self)
        return call(aten("pow.Scalar"), other, self)

    def __matmul__(self, other: "Tensor") -> "Tensor":
        return call(aten("matmul.default"), self, other)

    def __rmatmul__(self, other: "Tensor") -> "Tensor":
        return call(aten("matmul.default"), other, self)

    def __neg__(self) -> "Tensor":
        return call(aten("neg.default"), self)

    def __pos__(self) -> "Tensor":
        return self

    def __abs__(self) -> "Tensor":
        return call(aten("abs.default"), self)

    def __invert__(self) -> "Tensor":
        return call(aten("bitwise_not.default"), self)

    def _bitwise(self, name: str, other: Any) -> "Tensor":
        return call(aten(f"{name}.Tensor" if isinstance(other, TensorArithmetic) else f"{name}.Scalar"), self, other)

    def __and__(self, other: Any) -> "Tensor":
        return self._bitwise("__and__", other)

    def __or__(self, other: Any) -> "Tensor":
        return self._bitwise("__or__", other)

    def __xor__(self, other: Any) -> "Tensor":
        return self._bitwise("__xor__", other)

    def __iand__(self, other: Any) -> "Tensor":
        return self._bitwise("__iand__", other)

    def __ior__(self, other: Any) -> "Tensor":
        return self._bitwise("__ior__", other)

    def __ixor__(self, other: Any) -> "Tensor":
        return self._bitwise("__ixor__", other)

    # Reflected forms: a number (`3 & t`) gives the bitwise_*.Scalar op with the tensor first, a
    # tensor (`t1.__rand__(t0)`) is `t0 & t1`, as torch records them.
    def __rand__(self, other: Any) -> "Tensor":
        return other.__and__(self) if isinstance(other, TensorArithmetic) else self._bitwise("bitwise_and", other)

    def __ror__(self, other: Any) -> "Tensor":
        return other.__or__(self) if isinstance(other, TensorArithmetic) else self._bitwise("bitwise_or", other)

    def __rxor__(self, other: Any) -> "Tensor":
        return other.__xor__(self) if isinstance(other, TensorArithmetic) else self._bitwise("bitwise_xor", other)

    def __lshift__(self, other: Any) -> "Tensor":
        return self._bitwise("__lshift__", other)

    def __rshift__(self, other: Any) -> "Tensor":
        return self._bitwise("__rshift__", other)

    def __ilshift__(self, other: Any) -> "Tensor":
        return self._bitwise("__ilshift__", other)

    def __irshift__(self, other: Any) -> "Tensor":
        return self._bitwise("__irshift__", other)

    def __rlshift__(self, other: Any) -> "Tensor":
        return call(aten("bitwise_left_shift.Scalar_Tensor"), other, self)

    def __rrshift__(self, other: Any) -> "Tensor":
        return call(aten("bitwise_right_shift.Scalar_Tensor"), other, self)

    def _compare(self, name: str, other: Any) -> "Tensor":
        return call(aten(f"{name}.Tensor" if isinstance(other, TensorArithmetic) else f"{name}.Scalar"), self, other)

    def eq(self, other: Any) -> "Tensor":
        return self._compare("eq", other)

    def ne(self, other: Any) -> "Tensor":
        return self._compare("ne", other)

    def lt(self, other: Any) -> "Tensor":
        return self._compare("lt", other)

    def le(self, other: Any) -> "Tensor":
        return self._compare("le", other)

    def gt(self, other: Any) -> "Tensor":
        return self._compare("gt", other)

    def ge(self, other: Any) -> "Tensor":
        return self._compare("ge", other)

    def __eq__(self, other: Any) -> "Tensor":  # type: ignore[override]
        return self.eq(other) if isinstance(other, TensorArithmetic) or _is_scalar(other) else NotImplemented

    def __ne__(self, other: Any) -> "Tensor":  # type: ignore[override]
        return self.ne(other) if isinstance(other, TensorArithmetic) or _is_scalar(other) else NotImplemented

    __lt__ = lt
    __le__ = le
    __gt__ = gt
    __ge__ = ge

    def clamp(self, min: Any = None, max: Any = None) -> "Tensor":  # noqa: A002
        return call(aten(f"clamp.{_clamp_overload(min, max)}"), self, *_trim_none(min, max))

    def clamp_(self, min: Any = None, max: Any = None) -> "Tensor":  # noqa: A002
        return call(aten(f"clamp_.{_clamp_overload(min, max)}"), self, *_trim_none(min, max))

    def where(self, condition: "Tensor", other: Any) -> "Tensor":
        return where(condition, self, other)

    def masked_fill(self, mask: "Tensor", value: Any) -> "Tensor":
        return call(aten("masked_fill.Tensor" if isinstance(value, TensorArithmetic) else "masked_fill.Scalar"),
                    self, mask, value)

    def masked_fill_(self, mask: "Tensor", value: Any) -> "Tensor":
        return call(aten("masked_fill_.Tensor" if isinstance(value, TensorArithmetic) else "masked_fill_.Scalar"),
                    self, mask, value)
