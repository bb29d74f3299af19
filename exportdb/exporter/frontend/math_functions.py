"""``torch.*`` and ``torch.special.*`` element-wise math functions.

Built from the tables of :mod:`.tensor_math`: ``torch.atan2(x, y)`` binds the
same overloads as ``x.atan2(y)``, and a number may come first where torch has
an overload for it (``torch.xlogy(2.0, y)`` is ``aten.xlogy.Scalar_Self``,
``torch.float_power(2, x)`` is ``aten.float_power.Scalar``).  ``torch.special``
functions record their own ``special_*`` ops (``torch.special.expit(x)`` is
``aten.special_expit.default``), as torch.export 2.13 does.
"""

from __future__ import annotations

from typing import Any

from exportdb.exporter.frontend.tensor_math import OPS, SELF_SECOND, bind
from exportdb.exporter.ir.values import TensorValue


def _function(name: str, overloads: tuple[str, ...], aten_name: str | None = None):
    def fn(*args: Any, **kwargs: Any) -> Any:
        return bind(aten_name or name, overloads, args, kwargs)

    fn.__name__ = fn.__qualname__ = name
    return fn


def _number_first(name: str, tensor_first: tuple[str, ...], number_first: str):
    """A function whose first argument may be a number (``torch.pow(2, x)``)."""
    def fn(input: Any, other: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: A002
        if not isinstance(input, TensorValue):
            return bind(name, (number_first,), (input, other, *args), kwargs)
        return bind(name, tensor_first, (input, other, *args), kwargs)

    fn.__name__ = fn.__qualname__ = name
    return fn


def addcdiv(input: Any, tensor1: Any, tensor2: Any, *, value: Any = None, out: Any = None) -> Any:  # noqa: A002
    """``torch.addcdiv``; with ``value=`` torch.export records ``div``, ``mul`` and ``add`` instead."""
    if value is None:
        return bind("addcdiv", ("default",), (input, tensor1, tensor2), {"out": out})
    return input + (tensor1 / tensor2) * value


def allclose(input: Any, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> bool:  # noqa: A002
    return input.allclose(other, rtol, atol, equal_nan)


def equal(input: Any, other: Any) -> bool:  # noqa: A002
    return input.equal(other)


#: Names the ``torch`` module gets (torch.add, torch.pow and the like stay in functions.py).
NAMESPACE: dict[str, Any] = {
    **{name: _function(name, overloads) for name, overloads in OPS.items()},
    **{name: _function(name, overloads) for name, overloads in SELF_SECOND.items()},
    "remainder": _number_first("remainder", ("Tensor", "Scalar"), "Scalar_Tensor"),
    "addcdiv": addcdiv,
    "allclose": allclose,
    "equal": equal,
}

_SPECIAL_OWN = (
    "i0e", "i1", "i1e", "ndtr", "ndtri", "log_ndtr", "erfcx", "entr", "airy_ai", "bessel_j0", "bessel_j1",
    "bessel_y0", "bessel_y1", "modified_bessel_i0", "modified_bessel_i1", "modified_bessel_k0",
    "modified_bessel_k1", "scaled_modified_bessel_k0", "scaled_modified_bessel_k1", "spherical_bessel_j0",
    "erf", "erfc", "erfinv", "expit", "exp2", "expm1", "log1p", "gammaln", "digamma", "psi", "i0", "logit", "sinc",
    "round", "multigammaln", "polygamma",
)
_SPECIAL_BINARY = ("xlog1py", "zeta", "xlogy", "gammainc", "gammaincc")
_POLYNOMIALS = (
    "chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v", "chebyshev_polynomial_w",
    "shifted_chebyshev_polynomial_t", "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v",
    "shifted_chebyshev_polynomial_w", "hermite_polynomial_h", "hermite_polynomial_he", "laguerre_polynomial_l",
    "legendre_polynomial_p",
)
#: ``torch.special``: each name records ``aten.special_<name>``.
SPECIAL: dict[str, Any] = {
    **{name: _function(name, ("default",), f"special_{name}") for name in _SPECIAL_OWN},
    **{name: _function(name, ("default", "other_scalar", "self_scalar"), f"special_{name}")
       for name in _SPECIAL_BINARY},
    **{name: _function(name, ("default", "n_scalar", "x_scalar"), f"special_{name}") for name in _POLYNOMIALS},
}
