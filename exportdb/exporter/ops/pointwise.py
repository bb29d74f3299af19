"""Element-wise ops: arithmetic, comparison, logic, unary math, and their in-place forms."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from exportdb.exporter.ir import dtypes
from exportdb.exporter.ops.table import register
from exportdb.exporter.ops.kernel_util import as_array, cast, float_dtype, promoted, write_into

def _arith(fn: Callable[[Any, Any], Any], *, true_div: bool = False) -> Callable[..., np.ndarray]:
    def kernel(a: Any, b: Any) -> np.ndarray:
        dt = promoted(a, b)
        if true_div and dt.kind in "bi":
            dt = dtypes.DEFAULT_FLOAT
        if fn is np.subtract and any(isinstance(v, np.ndarray) and v.dtype == np.bool_ for v in (a, b)):
            raise TypeError("Subtraction, the `-` operator, with a bool tensor is not supported")
        with np.errstate(all="ignore"):
            return as_array(fn(cast(a, dt), cast(b, dt)), dt)

    return kernel


def _compare(fn: Callable[[Any, Any], Any]) -> Callable[..., np.ndarray]:
    def kernel(a: Any, b: Any) -> np.ndarray:
        dt = promoted(a, b)
        return as_array(fn(cast(a, dt), cast(b, dt)), np.bool_)

    return kernel


def _bitwise(fn: Callable[[Any, Any], Any]) -> Callable[..., np.ndarray]:
    def kernel(a: Any, b: Any) -> np.ndarray:
        dt = promoted(a, b)
        if dt.kind not in "bi":
            raise TypeError(f"bitwise ops are only defined for integer and bool tensors, got {dt.name}")
        return as_array(fn(cast(a, dt), cast(b, dt)), dt)

    return kernel


def _logical(fn: Callable[[Any, Any], Any]) -> Callable[..., np.ndarray]:
    return lambda a, b: as_array(fn(np.asarray(a, dtype=bool), np.asarray(b, dtype=bool)), np.bool_)


def _with_alpha(base: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
    def kernel(a: Any, b: Any, alpha: Any = 1) -> np.ndarray:
        return base(a, b if alpha == 1 else _mul(b, alpha))

    return kernel


_mul = _arith(np.multiply)
_add = _with_alpha(_arith(np.add))
_sub = _with_alpha(_arith(np.subtract))
_div = _arith(np.divide, true_div=True)


def _div_mode(a: Any, b: Any, rounding_mode: str | None = None) -> np.ndarray:
    if rounding_mode is None:
        return _div(a, b)
    dt = promoted(a, b)
    fn = np.floor_divide if rounding_mode == "floor" else (lambda x, y: np.trunc(np.divide(x, y)))
    with np.errstate(all="ignore"):
        return as_array(fn(cast(a, dt), cast(b, dt)), dt)


def _power(base: Any, exponent: Any) -> Any:
    """np.power, except that an integer tensor exponent may be negative, as in torch:
    1 ** -n is 1, (-1) ** -n is +-1, any other base gives 0."""
    if not isinstance(exponent, np.ndarray) or exponent.dtype.kind not in "iu" or not np.any(exponent < 0):
        return np.power(base, exponent)
    b = np.asarray(base)
    if b.dtype.kind not in "iu":
        return np.power(base, exponent)
    safe = np.power(b, np.where(exponent < 0, 0, exponent))
    negative = np.where(b == 1, 1, np.where(b == -1, np.where(exponent % 2 == 0, 1, -1), 0)).astype(safe.dtype)
    return np.where(exponent < 0, negative, safe)


BINARY: dict[str, Callable[..., np.ndarray]] = {
    "add.Tensor": _add,
    "sub.Tensor": _sub,
    "mul.Tensor": _mul,
    "div.Tensor": _div,
    "div.Tensor_mode": _div_mode,
    "rsub.Scalar": lambda a, b, alpha=1: _sub(b, a, alpha),
    "floor_divide.default": _arith(np.floor_divide),
    "remainder.Scalar": _arith(np.mod),
    "remainder.Tensor": _arith(np.mod),
    "remainder.Scalar_Tensor": _arith(np.mod),
    "fmod.Scalar": _arith(np.fmod),
    "pow.Tensor_Scalar": _arith(np.power),
    "pow.Tensor_Tensor": _arith(_power),
    "pow.Scalar": _arith(_power),
    "maximum.default": _arith(np.maximum),
    "minimum.default": _arith(np.minimum),
    "max.other": _arith(np.maximum),
    "min.other": _arith(np.minimum),
    "__and__.Tensor": _bitwise(np.bitwise_and),
    "__or__.Tensor": _bitwise(np.bitwise_or),
    "__xor__.Tensor": _bitwise(np.bitwise_xor),
    # `t & 3` is __and__.Scalar; the reflected `3 & t` is bitwise_and.Scalar(t, 3), as torch records them.
    "__and__.Scalar": _bitwise(np.bitwise_and),
    "__or__.Scalar": _bitwise(np.bitwise_or),
    "__xor__.Scalar": _bitwise(np.bitwise_xor),
    "bitwise_and.Scalar": _bitwise(np.bitwise_and),
    "bitwise_or.Scalar": _bitwise(np.bitwise_or),
    "bitwise_xor.Scalar": _bitwise(np.bitwise_xor),
    "logical_and.default": _logical(np.logical_and),
    "logical_or.default": _logical(np.logical_or),
    "logical_xor.default": _logical(np.logical_xor),
}
for _name, _fn in {"eq": np.equal, "ne": np.not_equal, "lt": np.less, "le": np.less_equal,
                   "gt": np.greater, "ge": np.greater_equal}.items():
    BINARY[f"{_name}.Tensor"] = _compare(_fn)
    BINARY[f"{_name}.Scalar"] = _compare(_fn)


def _float_unary(fn: Callable[[np.ndarray], np.ndarray]) -> Callable[[np.ndarray], np.ndarray]:
    def kernel(a: np.ndarray) -> np.ndarray:
        dt = float_dtype(a)
        with np.errstate(all="ignore"):
            return as_array(fn(a.astype(dt.np, copy=False)), dt)

    return kernel


def _same_unary(fn: Callable[[np.ndarray], np.ndarray]) -> Callable[[np.ndarray], np.ndarray]:
    return lambda a: as_array(fn(a), a.dtype)


def _sigmoid(a: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-a))


def _neg(a: np.ndarray) -> np.ndarray:
    if a.dtype == np.bool_:
        raise TypeError("Negation, the `-` operator, on a bool tensor is not supported")
    return -a


def _sign(a: np.ndarray) -> np.ndarray:
    return a.copy() if a.dtype == np.bool_ else np.sign(a)


def _bitwise_not(a: np.ndarray) -> np.ndarray:
    if a.dtype.kind == "f":
        raise TypeError("bitwise_not is only defined for integer and bool tensors")
    return np.logical_not(a) if a.dtype == np.bool_ else np.invert(a)


UNARY: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    **{f"{n}.default": _float_unary(f) for n, f in {
        "cos": np.cos, "sin": np.sin, "tan": np.tan, "exp": np.exp, "log": np.log, "sqrt": np.sqrt,
        "rsqrt": lambda a: 1.0 / np.sqrt(a), "sigmoid": _sigmoid, "tanh": np.tanh,
        "reciprocal": np.reciprocal, "log1p": np.log1p, "expm1": np.expm1, "acos": np.arccos,
        "asin": np.arcsin, "atan": np.arctan, "cosh": np.cosh, "sinh": np.sinh, "exp2": np.exp2,
    }.items()},
    **{f"{n}.default": _same_unary(f) for n, f in {
        "neg": _neg, "relu": lambda a: np.maximum(a, a.dtype.type(0)) if a.dtype != np.bool_ else a,
        "floor": np.floor, "ceil": np.ceil, "round": np.round, "trunc": np.trunc, "sign": _sign,
        "bitwise_not": _bitwise_not,
    }.items()},
    "abs.default": lambda a: as_array(np.abs(a), a.real.dtype),  # a complex tensor's abs is real
    "logical_not.default": lambda a: as_array(np.logical_not(a), np.bool_),
    "square.default": lambda a: as_array(np.square(a.astype(np.int64) if a.dtype == np.bool_ else a),
                                         np.int64 if a.dtype == np.bool_ else a.dtype),
}


def _where(cond: np.ndarray, a: Any, b: Any) -> np.ndarray:
    dt = promoted(a, b)
    return as_array(np.where(np.asarray(cond, dtype=bool), cast(a, dt), cast(b, dt)), dt)


def _fill_value(a: np.ndarray, mask: Any, value: Any) -> Any:
    """masked_fill's checks; the fill value cast to ``a``'s dtype (torch casts it, even 2.7 into an int)."""
    if not isinstance(mask, np.ndarray) or mask.dtype != np.bool_:
        got = dtypes.from_numpy(mask.dtype).name if isinstance(mask, np.ndarray) else type(mask).__name__
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype {got}")
    if isinstance(value, np.ndarray):
        if value.ndim:
            raise RuntimeError("masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                               f"{value.ndim} dimension(s).")
        value = value.item()
    return np.asarray(value).astype(a.dtype)


def _masked_fill(a: np.ndarray, mask: Any, value: Any) -> np.ndarray:
    fill = _fill_value(a, mask, value)
    out = np.array(np.broadcast_to(a, np.broadcast_shapes(a.shape, mask.shape)))
    np.copyto(out, fill, where=mask)
    return out


def _masked_fill_(a: np.ndarray, mask: Any, value: Any) -> np.ndarray:
    fill = _fill_value(a, mask, value)
    if np.broadcast_shapes(a.shape, mask.shape) != a.shape:
        raise RuntimeError(f"masked_fill_: the mask of shape {list(mask.shape)} does not broadcast to the "
                           f"tensor's shape {list(a.shape)}")
    np.copyto(a, fill, where=mask)
    return a


def _clamp(a: np.ndarray, min: Any = None, max: Any = None) -> np.ndarray:  # noqa: A002 - torch's names
    dt = promoted(a, *(v for v in (min, max) if v is not None))
    out = cast(a, dt)
    if min is not None:
        out = np.maximum(out, cast(min, dt))
    if max is not None:
        out = np.minimum(out, cast(max, dt))
    return as_array(out, dt)


def _float_binary(fn: Callable[[Any, Any], Any]) -> Callable[..., np.ndarray]:
    """A binary op with a float result: operands promote, ints and bools become float32."""
    return _arith(fn, true_div=True)


def _float_power(a: Any, b: Any) -> np.ndarray:
    dt = dtypes.complex128 if promoted(a, b).kind == "c" else dtypes.float64
    with np.errstate(all="ignore"):
        return as_array(np.power(cast(a, dt) if isinstance(a, np.ndarray) else a,
                                 cast(b, dt) if isinstance(b, np.ndarray) else b), dt)


def _heaviside(a: np.ndarray, values: np.ndarray) -> np.ndarray:
    if a.dtype != values.dtype:
        raise TypeError("heaviside is not yet implemented for tensors with different dtypes")
    if a.dtype == np.bool_:
        return as_array(np.where(a, True, values), np.bool_)
    zero = a.dtype.type(0)
    return as_array(np.where(a == zero, values, (a > zero).astype(a.dtype)), a.dtype)


def _integer_only(fn: Callable[[Any, Any], Any], name: str) -> Callable[..., np.ndarray]:
    def kernel(a: Any, b: Any) -> np.ndarray:
        dt = promoted(a, b)
        if dt.kind != "i":
            raise TypeError(f'"{name}_cpu" not implemented for \'{dt.name.capitalize()}\'')
        return as_array(fn(cast(a, dt), cast(b, dt)), dt)

    return kernel


def _ldexp(a: Any, b: Any) -> np.ndarray:
    """``a * 2 ** b`` in the promoted float dtype."""
    dt = promoted(a, b)
    dt = dtypes.DEFAULT_FLOAT if dt.kind in "bi" else dt
    with np.errstate(all="ignore"):
        return as_array(cast(a, dt) * np.exp2(cast(b, dt)), dt)


def _xlogy(x: Any, y: Any) -> Any:
    out = np.where(x == 0, 0.0, x * np.log(y))
    return np.where(np.isnan(y), np.nan, out)


def _shift(fn: Callable[[Any, Any], Any]) -> Callable[..., np.ndarray]:
    """Shifts as torch computes them: shifting by the width or more gives 0 (or -1 for negative right shifts)."""
    def kernel(a: Any, b: Any) -> np.ndarray:
        dt = promoted(a, b)
        if dt.kind not in "bi":
            raise TypeError(f"shift ops are only defined for integer tensors, got {dt.name}")
        x, n = np.asarray(cast(a, dt)), np.asarray(cast(b, dt))
        bits = x.dtype.itemsize * 8
        big = (n < 0) | (n >= bits)
        safe = np.where(big, 0, n).astype(x.dtype)
        out = fn(x, safe)
        overflow = np.where(x < 0, -1, 0) if fn is np.right_shift else 0
        return as_array(np.where(big, overflow, out), dt)

    return kernel


def _isclose(a: np.ndarray, b: np.ndarray, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> np.ndarray:
    if a.dtype != b.dtype:
        raise TypeError(f"{dtypes.from_numpy(a.dtype).name} did not match {dtypes.from_numpy(b.dtype).name}")
    if a.dtype == np.bool_ or a.dtype.kind in "iu":
        if a.dtype == np.bool_:
            return as_array(a == b, np.bool_)
        diff = np.abs(a.astype(np.float64) - b.astype(np.float64))
        return as_array((a == b) | (diff <= atol + rtol * np.abs(b.astype(np.float64))), np.bool_)
    with np.errstate(all="ignore"):
        close = a == b
        if equal_nan:
            close |= np.isnan(a) & np.isnan(b)
        finite = np.isfinite(a) & np.isfinite(b)
        tol = a.dtype.type(atol) + a.dtype.type(rtol) * np.abs(b)
        close |= finite & (np.abs(a - b) <= tol)
    return as_array(close, np.bool_)


def _lerp(start: np.ndarray, end: np.ndarray, weight: Any) -> np.ndarray:
    dt = promoted(start, end)
    if dt.kind not in "fc":
        raise TypeError(f'"lerp_kernel_scalar" not implemented for \'{dt.name.capitalize()}\'')
    s, e = cast(start, dt), cast(end, dt)
    w = cast(weight, dt) if isinstance(weight, np.ndarray) else dt.np.type(weight)
    with np.errstate(all="ignore"):
        diff = e - s
        out = np.where(np.abs(w) < 0.5, s + w * diff, e - diff * (1 - w))
    return as_array(out, dt)


def _addcmul(a: np.ndarray, t1: np.ndarray, t2: np.ndarray, *, value: Any = 1) -> np.ndarray:
    dt = promoted(a, t1, t2)
    if dt.kind == "b" and not isinstance(value, bool):
        raise TypeError("For integral input tensors, argument alpha must not be a floating point number.")
    with np.errstate(all="ignore"):
        return as_array(cast(a, dt) + cast(value, dt) * cast(t1, dt) * cast(t2, dt), dt)


def _addcdiv(a: np.ndarray, t1: np.ndarray, t2: np.ndarray, *, value: Any = 1) -> np.ndarray:
    dt = promoted(a, t1, t2)
    if promoted(t1, t2).kind in "bi":
        raise RuntimeError("Integer division with addcdiv is no longer supported, and in a future release "
                           "addcdiv will perform a true division of tensor1 and tensor2.")
    with np.errstate(all="ignore"):
        return as_array(cast(a, dt) + cast(value, dt) * (cast(t1, dt) / cast(t2, dt)), dt)


def _fma(a: Any, b: Any, c: Any) -> np.ndarray:
    """prims.fma: ``a * b + c`` (what torch.export records for ``x.addcmul_(t1, t2, value=v)``)."""
    dt = promoted(a, b, c)
    with np.errstate(all="ignore"):
        return as_array(cast(a, dt) * cast(b, dt) + cast(c, dt), dt)


def _clamp_bound(fn: Callable[[Any, Any], Any]) -> Callable[..., np.ndarray]:
    def kernel(a: np.ndarray, bound: Any) -> np.ndarray:
        dt = promoted(a, bound)
        return as_array(fn(cast(a, dt), cast(bound, dt)), dt)

    return kernel


BINARY.update({
    "atan2.default": _float_binary(np.arctan2),
    "copysign.Tensor": _float_binary(np.copysign),
    "copysign.Scalar": _float_binary(np.copysign),
    "fmax.default": _arith(np.fmax),
    "fmin.default": _arith(np.fmin),
    "fmod.Tensor": _arith(np.fmod),
    "float_power.Tensor_Tensor": _float_power,
    "float_power.Tensor_Scalar": _float_power,
    "float_power.Scalar": _float_power,
    "hypot.default": _arith(np.hypot),
    "heaviside.default": _heaviside,
    "lcm.default": _integer_only(np.lcm, "lcm"),
    "gcd.default": _integer_only(np.gcd, "gcd"),
    "ldexp.Tensor": _ldexp,
    "logaddexp.default": _float_binary(np.logaddexp),
    "logaddexp2.default": _float_binary(np.logaddexp2),
    "xlogy.Tensor": _float_binary(_xlogy),
    "xlogy.Scalar_Self": _float_binary(_xlogy),
    "xlogy.Scalar_Other": _float_binary(_xlogy),
    "nextafter.default": _arith(np.nextafter),
    "true_divide.Tensor": _div,
    "true_divide.Scalar": _div,
    "rsub.Tensor": lambda a, b, alpha=1: _sub(b, a, alpha),
    "floor_divide.Scalar": _arith(np.floor_divide),
    "clamp_min.default": _clamp_bound(np.maximum),
    "clamp_min.Tensor": _clamp_bound(np.maximum),
    "clamp_max.default": _clamp_bound(np.minimum),
    "clamp_max.Tensor": _clamp_bound(np.minimum),
    "isclose.default": _isclose,
    "lerp.Scalar": _lerp,
    "lerp.Tensor": _lerp,
    "addcmul.default": _addcmul,
    "addcdiv.default": _addcdiv,
})
for _name, _fn in {"and": np.bitwise_and, "or": np.bitwise_or, "xor": np.bitwise_xor}.items():
    BINARY[f"bitwise_{_name}.Tensor"] = _bitwise(_fn)
    BINARY[f"bitwise_{_name}.Scalar_Tensor"] = _bitwise(_fn)
for _name, _fn in {"left": np.left_shift, "right": np.right_shift}.items():
    for _overload in ("Tensor", "Tensor_Scalar", "Scalar_Tensor"):
        BINARY[f"bitwise_{_name}_shift.{_overload}"] = _shift(_fn)
    _short = "__lshift__" if _name == "left" else "__rshift__"
    BINARY[f"{_short}.Tensor"] = BINARY[f"{_short}.Scalar"] = _shift(_fn)

#: ATen aliases torch.export records under their own names (torch.arccos records aten.arccos).
ALIASES = {
    "arccos.default": "acos.default", "arcsin.default": "asin.default", "arctan.default": "atan.default",
    "arctan2.default": "atan2.default", "fix.default": "trunc.default", "negative.default": "neg.default",
    "absolute.default": "abs.default", "divide.Tensor": "div.Tensor", "divide.Tensor_mode": "div.Tensor_mode",
    "multiply.Tensor": "mul.Tensor", "subtract.Tensor": "sub.Tensor", "special_expit.default": "sigmoid.default",
    "special_exp2.default": "exp2.default", "special_expm1.default": "expm1.default",
    "special_log1p.default": "log1p.default",
    **{f"{alias}.{ov}": f"{name}.{ov}" for alias, name in (
        ("not_equal", "ne"), ("greater", "gt"), ("greater_equal", "ge"), ("less", "lt"), ("less_equal", "le"))
       for ov in ("Tensor", "Scalar")},
}


def _inplace(kernel: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
    def run(a: np.ndarray, *args: Any, **kwargs: Any) -> np.ndarray:
        return write_into(a, kernel(a, *args, **kwargs))

    return run


for _qual, _kernel in BINARY.items():
    register(f"aten.{_qual}", _kernel)
for _qual, _kernel in UNARY.items():
    register(f"aten.{_qual}", _kernel)
register("aten.where.self", _where)
for _overload in ("Scalar", "Tensor"):
    register(f"aten.masked_fill.{_overload}", _masked_fill)
    register(f"aten.masked_fill_.{_overload}", _masked_fill_, mutates=0)
for _overload in ("default", "Tensor"):
    register(f"aten.clamp.{_overload}", _clamp)
    register(f"aten.clip.{_overload}", _clamp)
    register(f"aten.clamp_.{_overload}", _inplace(_clamp), mutates=0)
    register(f"aten.clip_.{_overload}", _inplace(_clamp), mutates=0)
register("prims.fma.default", _fma)
for _alias, _target in ALIASES.items():
    register(f"aten.{_alias}", (BINARY.get(_target) or UNARY[_target]))

# In-place variants write the out-of-place result back into the first argument: `name_.overload`,
# except where torch names the in-place overload after the other operand alone (pow_.Scalar).
_INPLACE_RENAMED = {"pow.Tensor_Scalar": "pow_.Scalar", "pow.Tensor_Tensor": "pow_.Tensor",
                    "float_power.Tensor_Scalar": "float_power_.Scalar",
                    "float_power.Tensor_Tensor": "float_power_.Tensor", "ldexp.Tensor": "ldexp_.default",
                    "floor_divide.default": "floor_divide_.Tensor"}
for _base in ("add.Tensor", "sub.Tensor", "mul.Tensor", "div.Tensor", "div.Tensor_mode", "remainder.Scalar",
              "remainder.Tensor", "__and__.Tensor", "__or__.Tensor", "__xor__.Tensor", "__and__.Scalar",
              "__or__.Scalar", "__xor__.Scalar", "__lshift__.Scalar", "__lshift__.Tensor", "__rshift__.Scalar",
              "__rshift__.Tensor", "atan2.default", "copysign.Tensor", "copysign.Scalar", "fmod.Tensor",
              "fmod.Scalar", "hypot.default", "heaviside.default", "lcm.default", "gcd.default",
              "xlogy.Tensor", "xlogy.Scalar_Other", "nextafter.default", "true_divide.Tensor",
              "true_divide.Scalar", "floor_divide.Scalar", "clamp_min.default", "clamp_min.Tensor",
              "clamp_max.default", "clamp_max.Tensor", "lerp.Scalar", "lerp.Tensor", "addcmul.default",
              "addcdiv.default", "bitwise_and.Tensor", "bitwise_or.Tensor", "bitwise_xor.Tensor",
              "bitwise_and.Scalar", "bitwise_or.Scalar", "bitwise_xor.Scalar", "bitwise_left_shift.Tensor",
              "bitwise_left_shift.Tensor_Scalar", "bitwise_right_shift.Tensor", "bitwise_right_shift.Tensor_Scalar",
              "logical_and.default", "logical_or.default", "logical_xor.default", "eq.Tensor", "eq.Scalar",
              "ne.Tensor", "ne.Scalar", "lt.Tensor", "lt.Scalar", "le.Tensor", "le.Scalar", "gt.Tensor",
              "gt.Scalar", "ge.Tensor", "ge.Scalar", *_INPLACE_RENAMED):
    _name, _overload = _base.split(".")
    _inplace_name = f"__i{_name[2:]}.{_overload}" if _name.startswith("__") else f"{_name}_.{_overload}"
    register(f"aten.{_INPLACE_RENAMED.get(_base, _inplace_name)}", _inplace(BINARY[_base]), mutates=0)
for _base in ("relu", "neg", "abs", "cos", "sin", "tan", "exp", "exp2", "expm1", "log", "log1p", "sqrt", "rsqrt",
              "sigmoid", "tanh", "floor", "ceil", "round", "trunc", "sign", "square", "reciprocal", "acos", "asin",
              "atan", "cosh", "sinh", "bitwise_not", "logical_not"):
    register(f"aten.{_base}_.default", _inplace(UNARY[f"{_base}.default"]), mutates=0)
