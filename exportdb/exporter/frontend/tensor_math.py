"""Element-wise math methods of the front end's ``torch.Tensor``, from one table.

A mixin of :class:`exportdb.exporter.frontend.tensor.Tensor`.  Each method binds
the ATen overload whose schema fits its arguments, in the order torch's
binding tries them, and lays the call out as torch.export 2.13 records it::

    x.atan2(y)            -> aten.atan2.default(x, y)
    x.copysign(2)         -> aten.copysign.Scalar(x, 2)
    x.xlogy_(y)           -> aten.xlogy_.Tensor(x, y)
    x.round(decimals=2)   -> aten.round.decimals(x, decimals = 2)
    x.polygamma(2)        -> aten.polygamma.default(2, x)

:data:`OPS` lists every op name with its overloads; :data:`INPLACE` the in-place
forms (``x.atan2_(y)``).  :mod:`.math_functions` builds the ``torch.*`` and
``torch.special.*`` functions from the same tables.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from exportdb.errors import UnsupportedAPIError
from exportdb.exporter.frontend.aten_binding import call_overloads
from exportdb.exporter.frontend.out_variants import call_with_out
from exportdb.exporter.ops import aten, op
from exportdb.exporter.trace.dispatch import call
from exportdb.exporter.trace.user_frames import user_location

if TYPE_CHECKING:
    from exportdb.exporter.frontend.tensor import Tensor

_UNARY = (
    "abs", "absolute", "acos", "arccos", "acosh", "arccosh", "asin", "arcsin", "asinh", "arcsinh", "atan", "arctan",
    "atanh", "arctanh", "ceil", "cos", "cosh", "deg2rad", "rad2deg", "exp", "exp2", "expm1", "floor", "frac", "log",
    "log10", "log1p", "log2", "neg", "negative", "positive", "reciprocal", "rsqrt", "sigmoid", "sign", "sgn",
    "signbit", "sin", "sinc", "sinh", "sqrt", "square", "tan", "tanh", "trunc", "fix", "relu", "erf", "erfc",
    "erfinv", "lgamma", "digamma", "i0", "isfinite", "isinf", "isposinf", "isneginf", "isnan", "isreal",
    "bitwise_not", "logical_not", "logit", "nan_to_num",
)
#: op name -> its overloads, tried in order (the first whose schema fits the arguments wins).
OPS: dict[str, tuple[str, ...]] = {
    **{name: ("default",) for name in _UNARY},
    "round": ("default", "decimals"),
    "mvlgamma": ("default",),
    **{name: ("default",) for name in (
        "atan2", "arctan2", "fmax", "fmin", "hypot", "heaviside", "lcm", "gcd", "logaddexp", "logaddexp2",
        "nextafter", "logical_and", "logical_or", "logical_xor", "isclose", "addcmul", "addcdiv", "maximum",
        "minimum", "igamma", "igammac")},
    "frexp": ("Tensor",),
    **{name: ("Tensor", "Scalar") for name in (
        "copysign", "fmod", "true_divide", "divide", "multiply", "subtract", "not_equal", "greater",
        "greater_equal", "less", "less_equal", "lerp")},
    **{name: ("Tensor", "default") for name in ("clamp_min", "clamp_max")},  # the Scalar overload is .default
    "divide": ("Tensor", "Tensor_mode"),
    "multiply": ("Tensor",),
    "subtract": ("Tensor",),
    "true_divide": ("Tensor",),
    "clip": ("default", "Tensor"),
    "float_power": ("Tensor_Tensor", "Tensor_Scalar", "Scalar"),
    "xlogy": ("Tensor", "Scalar_Other", "Scalar_Self"),
    "ldexp": ("Tensor",),
    "rsub": ("Tensor", "Scalar"),
    **{f"bitwise_{n}": ("Tensor", "Scalar", "Scalar_Tensor") for n in ("and", "or", "xor")},
    **{f"bitwise_{n}_shift": ("Tensor", "Tensor_Scalar", "Scalar_Tensor") for n in ("left", "right")},
}
#: In-place op name -> its overloads (``x.pow_(2)`` is ``pow_.Scalar``: named after the exponent alone).
INPLACE: dict[str, tuple[str, ...]] = {
    **{f"{name}_": ("default",) for name in _UNARY if name not in (
        "positive", "signbit", "isfinite", "isinf", "isposinf", "isneginf", "isnan", "isreal")},
    "round_": ("default", "decimals"),
    "mvlgamma_": ("default",),
    "polygamma_": ("default",),  # polygamma_(self, n): unlike polygamma(n, self), the tensor comes first
    **{f"{name}_": ("default",) for name in (
        "atan2", "arctan2", "hypot", "heaviside", "lcm", "gcd", "nextafter", "logical_and", "logical_or",
        "logical_xor", "ldexp", "igamma", "igammac")},
    **{f"{name}_": ("Tensor", "Scalar") for name in (
        "copysign", "fmod", "true_divide", "divide", "multiply", "subtract", "not_equal", "greater",
        "greater_equal", "less", "less_equal", "lerp", "float_power",
        "eq", "ne", "lt", "le", "gt", "ge")},
    **{name: ("Tensor", "default") for name in ("clamp_min_", "clamp_max_")},
    "xlogy_": ("Tensor", "Scalar_Other"),
    "clip_": ("default", "Tensor"),
    "clamp_": ("default", "Tensor"),
    **{f"bitwise_{n}_": ("Tensor", "Scalar") for n in ("and", "or", "xor")},
    **{f"bitwise_{n}_shift_": ("Tensor", "Tensor_Scalar") for n in ("left", "right")},
}
#: Ops whose first argument is not the tensor (``polygamma(n, x)``): the method passes ``self`` second.
SELF_SECOND = {"polygamma": ("default",)}


def bind(name: str, overloads: tuple[str, ...], args: tuple, kwargs: dict) -> Any:
    """Call ``aten.<name>`` with the first overload that fits (its out variant for ``out=``)."""
    out = kwargs.pop("out", None)
    if "input" in kwargs:
        args = (kwargs.pop("input"), *args)
    if name in ("round", "round_") and "decimals" in kwargs:
        overloads = ("decimals",)  # an explicit decimals=0 still records round.decimals, as torch does
    if out is None:
        return call_overloads(name, overloads, args, kwargs)
    try:
        return call_with_out(name, overloads, args, kwargs, out)
    except TypeError:
        raise UnsupportedAPIError(f"{name}(..., out=...) is not provided by the built-in front end for these "
                                  "arguments", location=user_location(),
                                  hint="assign the result instead of passing out=") from None


def _fused_update(self: "Tensor", kind: str, tensor1: "Tensor", tensor2: "Tensor", value: Any) -> "Tensor":
    """``x.addcmul_(t1, t2)`` records ``addcmul_``; with ``value=`` torch.export records
    ``mul`` (or ``div``), ``prims.fma`` and ``copy_`` into ``x`` instead."""
    if value is None:
        return call_overloads(f"addc{kind}_", ("default",), (self, tensor1, tensor2), {})
    product = call(aten(f"{kind}.Tensor"), tensor1, tensor2)
    return call(aten("copy_.default"), self, call(op("prims.fma.default"), product, value, self))


def _method(name: str, overloads: tuple[str, ...], self_second: bool = False):
    if self_second:
        def method(self: "Tensor", first: Any, *args: Any, **kwargs: Any) -> "Tensor":
            return bind(name, overloads, (first, self, *args), kwargs)
    else:
        def method(self: "Tensor", *args: Any, **kwargs: Any) -> "Tensor":
            return bind(name, overloads, (self, *args), kwargs)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"``aten.{name}`` ({', '.join(overloads)})."
    return method


class TensorMath:
    """Unary math, special functions, named binary ops and their in-place forms (see :data:`OPS`)."""

    __slots__ = ()

    def addcmul_(self, tensor1: "Tensor", tensor2: "Tensor", *, value: Any = None) -> "Tensor":
        return _fused_update(self, "mul", tensor1, tensor2, value)

    def addcdiv_(self, tensor1: "Tensor", tensor2: "Tensor", *, value: Any = None) -> "Tensor":
        return _fused_update(self, "div", tensor1, tensor2, value)

    def allclose(self, other: "Tensor", rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> bool:
        return bool(self.isclose(other, rtol, atol, equal_nan).all())

    def equal(self, other: "Tensor") -> bool:
        return tuple(self.shape) == tuple(other.shape) and bool(self.eq(other).all())


for _table in (OPS, INPLACE):
    for _name, _overloads in _table.items():
        setattr(TensorMath, _name, _method(_name, _overloads))
for _name, _overloads in SELF_SECOND.items():
    setattr(TensorMath, _name, _method(_name, _overloads, self_second=True))
