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
    "pow.Tensor_Tensor": _arith(np.power),
    "pow.Scalar": _arith(np.power),
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
        "abs": np.abs, "neg": _neg, "relu": lambda a: np.maximum(a, a.dtype.type(0)) if a.dtype != np.bool_ else a,
        "floor": np.floor, "ceil": np.ceil, "round": np.round, "trunc": np.trunc, "sign": np.sign,
        "square": np.square, "bitwise_not": _bitwise_not,
    }.items()},
    "logical_not.default": lambda a: np.logical_not(a),
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
register("aten.clamp.default", _clamp)
register("aten.clamp.Tensor", _clamp)

# In-place variants write the out-of-place result back into the first argument.
for _base in ("add.Tensor", "sub.Tensor", "mul.Tensor", "div.Tensor", "div.Tensor_mode",
              "remainder.Scalar",
              "__and__.Tensor", "__or__.Tensor", "__xor__.Tensor",
              "__and__.Scalar", "__or__.Scalar", "__xor__.Scalar"):
    _name, _overload = _base.split(".")
    _inplace_name = f"__i{_name[2:]}" if _name.startswith("__") else f"{_name}_"
    register(f"aten.{_inplace_name}.{_overload}", _inplace(BINARY[_base]), mutates=0)
for _base in ("relu", "neg", "abs", "cos", "sin", "exp", "log", "sqrt", "sigmoid", "tanh", "floor",
              "ceil", "round", "reciprocal"):
    register(f"aten.{_base}_.default", _inplace(UNARY[f"{_base}.default"]), mutates=0)
register("aten.clamp_.default", _inplace(_clamp), mutates=0)
# pow_'s overloads are named after the exponent only: x.pow_(2) is aten.pow_.Scalar.
register("aten.pow_.Scalar", _inplace(BINARY["pow.Tensor_Scalar"]), mutates=0)
