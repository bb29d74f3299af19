"""Element-wise math beyond arithmetic: unary functions with float results, the
``is*`` tests, rounding variants, gamma-family and ``torch.special`` functions.

Integer and bool inputs give float32 results, as in torch (``torch.erf`` of an
int64 tensor is float32).  Special functions come from :mod:`scipy.special`,
imported on first use so that importing the exporter stays fast; they are
evaluated in float64 and cast back, which is at least as accurate as torch's
float32 kernels.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from exportdb.exporter.ir import dtypes
from exportdb.exporter.ops.kernel_util import as_array, float_dtype, promoted, write_into
from exportdb.exporter.ops.table import register

_SCIPY: Any = None


def sp() -> Any:
    """:mod:`scipy.special`, imported on first use."""
    global _SCIPY
    if _SCIPY is None:
        import scipy.special

        _SCIPY = scipy.special
    return _SCIPY


def _float_fn(fn: Callable[[np.ndarray], Any], *, wide: bool = False) -> Callable[[np.ndarray], np.ndarray]:
    """A unary op with a float result; ``wide`` evaluates in float64 (scipy's accuracy)."""
    def kernel(a: np.ndarray) -> np.ndarray:
        dt = float_dtype(a)
        with np.errstate(all="ignore"):
            x = a.astype(np.float64 if wide else dt.np, copy=False)
            return as_array(fn(x), dt)

    return kernel


def _lazy(name: str) -> Callable[[np.ndarray], Any]:
    return lambda x: getattr(sp(), name)(x)


def _sinc(x: np.ndarray) -> np.ndarray:
    return np.sinc(x)


def _deg2rad(x: np.ndarray) -> np.ndarray:
    return x * x.dtype.type(math.pi / 180)


def _rad2deg(x: np.ndarray) -> np.ndarray:
    return x * x.dtype.type(180 / math.pi)


def _ndtr(x: np.ndarray) -> np.ndarray:
    return sp().ndtr(x)


def _spherical_j0(x: np.ndarray) -> np.ndarray:
    return sp().spherical_jn(0, x)


def _airy_ai(x: np.ndarray) -> np.ndarray:
    return sp().airy(x)[0]


def _digamma(x: np.ndarray) -> np.ndarray:
    out = sp().psi(x)
    # torch: digamma(0) is -inf (scipy gives nan at the pole 0 only for -0.0/0.0 alike)
    return np.where(x == 0, np.copysign(np.inf, -np.copysign(1.0, x)), out)


#: op name -> function of a float array (float64 when the name is in _WIDE).
FLOAT_UNARY: dict[str, Callable[[np.ndarray], Any]] = {
    "acosh": np.arccosh, "asinh": np.arcsinh, "atanh": np.arctanh, "log10": np.log10, "log2": np.log2,
    "sinc": _sinc, "deg2rad": _deg2rad, "rad2deg": _rad2deg,
    "erf": _lazy("erf"), "erfc": _lazy("erfc"), "erfinv": _lazy("erfinv"), "lgamma": _lazy("gammaln"),
    "digamma": _digamma, "i0": _lazy("i0"),
    "special_i0e": _lazy("i0e"), "special_i1": _lazy("i1"), "special_i1e": _lazy("i1e"),
    "special_ndtr": _ndtr, "special_ndtri": _lazy("ndtri"), "special_log_ndtr": _lazy("log_ndtr"),
    "special_erfcx": _lazy("erfcx"), "special_entr": _lazy("entr"), "special_airy_ai": _airy_ai,
    "special_bessel_j0": _lazy("j0"), "special_bessel_j1": _lazy("j1"),
    "special_bessel_y0": _lazy("y0"), "special_bessel_y1": _lazy("y1"),
    "special_modified_bessel_i0": _lazy("i0"), "special_modified_bessel_i1": _lazy("i1"),
    "special_modified_bessel_k0": _lazy("k0"), "special_modified_bessel_k1": _lazy("k1"),
    "special_scaled_modified_bessel_k0": _lazy("k0e"), "special_scaled_modified_bessel_k1": _lazy("k1e"),
    "special_spherical_bessel_j0": _spherical_j0,
}
_WIDE = {name for name in FLOAT_UNARY if name not in ("acosh", "asinh", "atanh", "log10", "log2", "deg2rad",
                                                     "rad2deg")}
#: torch.special names recorded as their own ATen ops, computed like the op they alias.
SPECIAL_ALIASES = {
    "special_erf": "erf", "special_erfc": "erfc", "special_erfinv": "erfinv", "special_gammaln": "lgamma",
    "special_digamma": "digamma", "special_psi": "digamma", "special_i0": "i0", "special_sinc": "sinc",
}


def _bool_test(fn: Callable[[np.ndarray], np.ndarray]) -> Callable[[np.ndarray], np.ndarray]:
    def kernel(a: np.ndarray) -> np.ndarray:
        if a.dtype.kind in "biu":
            return as_array(fn(a.astype(np.float32)), np.bool_)
        return as_array(fn(a), np.bool_)

    return kernel


BOOL_UNARY: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "isfinite": _bool_test(np.isfinite), "isinf": _bool_test(np.isinf), "isnan": _bool_test(np.isnan),
    "isposinf": _bool_test(np.isposinf), "isneginf": _bool_test(np.isneginf), "signbit": _bool_test(np.signbit),
    "isreal": lambda a: np.ones(a.shape, np.bool_) if a.dtype.kind != "c" else as_array(a.imag == 0, np.bool_),
}


def _positive(a: np.ndarray) -> np.ndarray:
    if a.dtype == np.bool_:
        raise TypeError("The `+` operator, on a bool tensor is not supported.")
    return a.copy()


def _frac(a: np.ndarray) -> np.ndarray:
    if a.dtype.kind not in "fc":
        raise TypeError(f'"frac_cpu" not implemented for \'{dtypes.from_numpy(a.dtype).name}\'')
    return as_array(a - np.trunc(a), a.dtype)


def _sgn(a: np.ndarray) -> np.ndarray:
    if a.dtype == np.bool_:
        return a.copy()
    return as_array(np.sign(a), a.dtype)


def _nan_to_num(a: np.ndarray, nan: float | None = None, posinf: float | None = None,
                neginf: float | None = None) -> np.ndarray:
    if a.dtype.kind not in "fc":
        return a.copy()
    info = np.finfo(a.dtype)
    return as_array(np.nan_to_num(a, nan=0.0 if nan is None else nan, posinf=info.max if posinf is None else posinf,
                                  neginf=info.min if neginf is None else neginf), a.dtype)


def _round_decimals(a: np.ndarray, *, decimals: int = 0) -> np.ndarray:
    if a.dtype.kind not in "fc":
        if decimals:
            raise TypeError(f'"round_cpu" not implemented for \'{dtypes.from_numpy(a.dtype).name}\'')
        return a.copy()
    with np.errstate(all="ignore"):
        if decimals >= 0:
            scale = a.dtype.type(10.0 ** decimals)
            return as_array(np.rint(a * scale) / scale, a.dtype)
        scale = a.dtype.type(10.0 ** -decimals)
        return as_array(np.rint(a / scale) * scale, a.dtype)


def _logit(a: np.ndarray, eps: float | None = None) -> np.ndarray:
    dt = float_dtype(a)
    x = a.astype(dt.np)
    if eps is not None:
        x = np.clip(x, dt.np.type(eps), dt.np.type(1 - eps))
    with np.errstate(all="ignore"):
        return as_array(np.log(x / (1 - x)), dt)


def _mvlgamma(a: np.ndarray, p: int) -> np.ndarray:
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    dt = float_dtype(a)
    x = a.astype(np.float64)
    if np.any(x <= (p - 1) / 2):
        raise RuntimeError("All elements must be greater than (p-1)/2")
    out = p * (p - 1) / 4 * math.log(math.pi) + sum(sp().gammaln(x - j / 2) for j in range(p))
    return as_array(out, dt)


def _trigamma(x: np.ndarray, dt: np.dtype) -> np.ndarray:
    """polygamma(1, x); below 0.5 by the reflection psi1(x) = pi^2 / sin^2(pi x) - psi1(1 - x), with
    sin(pi x) in the tensor's dtype as torch computes it (near the poles that rounding dominates)."""
    low = x < 0.5
    sin = np.sin(dt.type(math.pi) * x.astype(dt)).astype(np.float64)
    reflected = np.float64(dt.type(math.pi ** 2)) / (sin * sin) - sp().polygamma(1, 1 - x)
    return np.where(low, reflected, sp().polygamma(1, np.where(low, 1.0, x)))


def _polygamma(n: int, a: np.ndarray) -> np.ndarray:
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    dt = float_dtype(a)
    x = a.astype(np.float64)
    with np.errstate(all="ignore"):
        out = _digamma(x) if n == 0 else _trigamma(x, dt.np) if n == 1 else sp().polygamma(n, x)
    return as_array(out, dt)


def _binary_float(fn: Callable[[np.ndarray, np.ndarray], Any], *, wide: bool = True) -> Callable[..., np.ndarray]:
    """A binary special function: operands promote, ints and bools become float32; evaluated in
    float64 when ``wide``, else in the result's dtype (as torch's recurrences run)."""
    def kernel(a: Any, b: Any) -> np.ndarray:
        dt = promoted(a, b)
        if dt.kind in "bi":
            dt = dtypes.DEFAULT_FLOAT
        work = np.float64 if wide else dt.np
        with np.errstate(all="ignore"):
            out = fn(np.asarray(a, dtype=dt.np).astype(work), np.asarray(b, dtype=dt.np).astype(work))
        return as_array(out, dt)

    return kernel


def _recurrence(first: Callable, second: Callable, step: Callable) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """A polynomial family P_n(x) from P_0, P_1 and P_{k+1} = step(k, x, P_k, P_{k-1}); n < 0 gives 0.

    Each step is evaluated in float64 and rounded to ``x``'s dtype, as a fused multiply-add does."""
    def poly(x: np.ndarray, n: np.ndarray) -> np.ndarray:
        n = np.trunc(n)
        x, n = np.broadcast_arrays(x, n)
        wide = x.astype(np.float64)
        top = int(np.nanmax(n, initial=0)) if n.size else 0
        prev, cur = first(x), second(wide).astype(x.dtype)
        out = np.where(n == 0, prev, 0.0)
        out = np.where(n == 1, cur, out)
        for k in range(1, top):
            prev, cur = cur, step(k, wide, cur.astype(np.float64), prev.astype(np.float64)).astype(x.dtype)
            out = np.where(n == k + 1, cur, out)
        return np.where(n < 0, 0.0, out)

    return poly


_ONE = np.ones_like
_chebyshev_t = _recurrence(_ONE, lambda x: x, lambda k, x, p, q: 2 * x * p - q)
_chebyshev_u = _recurrence(_ONE, lambda x: 2 * x, lambda k, x, p, q: 2 * x * p - q)
_chebyshev_v = _recurrence(_ONE, lambda x: 2 * x - 1, lambda k, x, p, q: 2 * x * p - q)
_chebyshev_w = _recurrence(_ONE, lambda x: 2 * x + 1, lambda k, x, p, q: 2 * x * p - q)
POLYNOMIALS: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "special_chebyshev_polynomial_t": _chebyshev_t,
    "special_chebyshev_polynomial_u": _chebyshev_u,
    "special_chebyshev_polynomial_v": _chebyshev_v,
    "special_chebyshev_polynomial_w": _chebyshev_w,
    "special_shifted_chebyshev_polynomial_t": lambda x, n: _chebyshev_t(2 * x - 1, n),
    "special_shifted_chebyshev_polynomial_u": lambda x, n: _chebyshev_u(2 * x - 1, n),
    "special_shifted_chebyshev_polynomial_v": lambda x, n: _chebyshev_v(2 * x - 1, n),
    "special_shifted_chebyshev_polynomial_w": lambda x, n: _chebyshev_w(2 * x - 1, n),
    "special_hermite_polynomial_h": _recurrence(_ONE, lambda x: 2 * x, lambda k, x, p, q: 2 * x * p - 2 * k * q),
    "special_hermite_polynomial_he": _recurrence(_ONE, lambda x: x, lambda k, x, p, q: x * p - k * q),
    "special_laguerre_polynomial_l": _recurrence(
        _ONE, lambda x: 1 - x, lambda k, x, p, q: ((2 * k + 1 - x) * p - k * q) / (k + 1)),
    "special_legendre_polynomial_p": _recurrence(
        _ONE, lambda x: x, lambda k, x, p, q: ((2 * k + 1) * x * p - k * q) / (k + 1)),
}


def _xlog1py(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return sp().xlog1py(x, y)


def _zeta(x: np.ndarray, q: np.ndarray) -> np.ndarray:
    return sp().zeta(x, q)


def _igamma(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    return sp().gammainc(a, x)


def _igammac(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    return sp().gammaincc(a, x)


BINARY_SPECIAL: dict[str, Callable[[np.ndarray, np.ndarray], Any]] = {
    "special_xlog1py": _xlog1py, "special_zeta": _zeta, "special_xlogy": lambda x, y: sp().xlogy(x, y),
    "igamma": _igamma, "igammac": _igammac, "special_gammainc": _igamma, "special_gammaincc": _igammac,
    **POLYNOMIALS,
}
#: Overloads of the binary special ops taking a Python number first or second.
SCALAR_OVERLOADS = {"special_xlog1py": ("self_scalar", "other_scalar"), "special_zeta": ("self_scalar", "other_scalar"),
                    "special_xlogy": ("self_scalar", "other_scalar"),
                    "igamma": (), "igammac": (), "special_gammainc": (), "special_gammaincc": (),
                    **{name: ("x_scalar", "n_scalar") for name in POLYNOMIALS}}


def _frexp(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mantissa in [0.5, 1) (signed) and int32 exponent: ``a == mantissa * 2 ** exponent``."""
    if a.dtype.kind not in "f":
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    mantissa, exponent = np.frexp(a)
    return as_array(mantissa, a.dtype), as_array(exponent, np.int32)


def _inplace(kernel: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
    def run(a: np.ndarray, *args: Any, **kwargs: Any) -> np.ndarray:
        return write_into(a, kernel(a, *args, **kwargs))

    return run


def _register_all() -> None:
    unary: dict[str, Callable[..., np.ndarray]] = {
        name: _float_fn(fn, wide=name in _WIDE) for name, fn in FLOAT_UNARY.items()}
    unary.update({alias: unary[target] for alias, target in SPECIAL_ALIASES.items()})
    unary.update(BOOL_UNARY)
    unary.update({"positive": _positive, "frac": _frac, "sgn": _sgn, "nan_to_num": _nan_to_num, "logit": _logit,
                  "special_logit": _logit, "mvlgamma": _mvlgamma, "special_multigammaln": _mvlgamma})
    for name, kernel in unary.items():
        register(f"aten.{name}.default", kernel)
    register("aten.round.decimals", _round_decimals)
    register("aten.special_round.default", _round_decimals)
    register("aten.round_.decimals", _inplace(_round_decimals), mutates=0)
    register("aten.polygamma.default", _polygamma)
    register("aten.special_polygamma.default", _polygamma)
    register("aten.polygamma_.default", lambda a, n: write_into(a, _polygamma(n, a)), mutates=0)
    for name in ("acosh", "asinh", "atanh", "log10", "log2", "sinc", "deg2rad", "rad2deg", "erf", "erfc",
                 "erfinv", "lgamma", "digamma", "i0", "frac", "sgn", "nan_to_num", "logit", "mvlgamma"):
        register(f"aten.{name}_.default", _inplace(unary[name]), mutates=0)
    register("aten.frexp.Tensor", _frexp, multi=True)
    register("aten.igamma_.default", _inplace(_binary_float(_igamma)), mutates=0)
    register("aten.igammac_.default", _inplace(_binary_float(_igammac)), mutates=0)
    for name, fn in BINARY_SPECIAL.items():
        kernel = _binary_float(fn, wide=name != "special_hermite_polynomial_he")
        register(f"aten.{name}.default", kernel)
        for overload in SCALAR_OVERLOADS[name]:
            register(f"aten.{name}.{overload}", kernel)


_register_all()
