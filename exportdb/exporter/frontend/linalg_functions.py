"""``torch.linalg`` decompositions and solvers, and their ``torch.*`` forms (``torch.svd``,
``torch.cholesky_solve``, ``torch.lu`` ...): each call records the one ATen op torch.export
2.13 records for it.

Most functions bind their op from its schema (the Python argument names are the
schema's).  Ops returning several tensors give the named tuples of ``torch.return_types``
(``torch.linalg.svd(A).S``).  :data:`LINALG` joins ``torch.linalg``, :data:`NAMESPACE`
joins ``torch``.
"""

from __future__ import annotations

from collections import namedtuple
from typing import Any

from exportdb.errors import UnsupportedAPIError
from exportdb.exporter.frontend.aten_binding import call_aten, call_overloads
from exportdb.exporter.ir.values import TensorValue
from exportdb.exporter.trace.user_frames import user_location

#: ``torch.return_types`` of the multi-output ops, by field names.
_RESULTS: dict[str, Any] = {}


def _result(*fields: str) -> Any:
    key = "_".join(fields)
    if key not in _RESULTS:
        _RESULTS[key] = namedtuple(f"linalg_{key}", fields)
    return _RESULTS[key]


def _bound(python_name: str, aten_name: str, *overloads: str, fields: tuple = ()):
    """``torch.<python_name>`` calling the first overload of ``aten.<aten_name>`` whose schema fits."""
    result = _result(*fields) if fields else None

    def fn(*args: Any, **kwargs: Any) -> Any:
        if kwargs.pop("out", None) is not None:
            raise UnsupportedAPIError(f"torch.{python_name}(..., out=...) is not supported by the built-in front end",
                                      location=user_location(), hint="assign the result instead: y = torch.f(x)")
        if "input" in kwargs:
            args = (kwargs.pop("input"), *args)
        value = call_overloads(aten_name, overloads or ("default",), args, kwargs)
        return result(*value) if result is not None else value

    fn.__name__ = python_name.rsplit(".", 1)[-1]
    fn.__qualname__ = python_name
    return fn


def _tolerance_overload(args: tuple, kwargs: dict, legacy: str, legacy_tensor: str) -> tuple[str, tuple, dict]:
    """pinv / matrix_rank: a legacy positional tolerance (rcond, tol) binds the old overloads;
    otherwise a tensor atol/rtol binds ``atol_rtol_tensor``, a number ``atol_rtol_float``."""
    legacy_name = "rcond" if legacy == "linalg_pinv" else "tol"
    if len(args) > 1 or legacy_name in kwargs:
        tol = args[1] if len(args) > 1 else kwargs.pop(legacy_name)
        overload = legacy_tensor if isinstance(tol, TensorValue) else "default"
        return overload, (args[0], tol, *args[2:]), kwargs
    tols = [kwargs.get("atol"), kwargs.get("rtol")]
    if any(isinstance(t, TensorValue) for t in tols) or all(t is None for t in tols):
        return "atol_rtol_tensor", args, kwargs
    return "atol_rtol_float", args, kwargs


def pinv(*args: Any, **kwargs: Any) -> Any:
    kwargs.pop("out", None)
    overload, args, kwargs = _tolerance_overload(args, kwargs, "linalg_pinv", "rcond_tensor")
    return call_aten(f"aten.linalg_pinv.{overload}", *args, **kwargs)


def matrix_rank(*args: Any, **kwargs: Any) -> Any:
    kwargs.pop("out", None)
    overload, args, kwargs = _tolerance_overload(args, kwargs, "linalg_matrix_rank", "tol_tensor")
    return call_aten(f"aten.linalg_matrix_rank.{overload}", *args, **kwargs)


def cond(A: Any, p: Any = None) -> Any:  # noqa: N803 - torch's name
    if isinstance(p, str):
        return call_aten("aten.linalg_cond.p_str", A, p)
    return call_aten("aten.linalg_cond.default", A, p)


def lu(A: Any, pivot: bool = True, get_infos: bool = False) -> tuple:  # noqa: N803 - torch's name
    """``torch.lu``: the LU factorization; its infos only when asked for (errors are raised otherwise)."""
    lu_, pivots, infos = call_aten("aten._lu_with_info.default", A, pivot, not get_infos)
    return (lu_, pivots, infos) if get_infos else (lu_, pivots)


_LU_FACTOR = ("LU", "pivots")
_LINALG_TABLE: tuple = (
    # torch.linalg name, aten name, overloads, result fields
    ("det", "linalg_det", (), ()),
    ("slogdet", "linalg_slogdet", (), ("sign", "logabsdet")),
    ("inv", "linalg_inv", (), ()),
    ("inv_ex", "linalg_inv_ex", (), ("inverse", "info")),
    ("solve", "linalg_solve", (), ()),
    ("solve_ex", "linalg_solve_ex", (), ("result", "info")),
    ("solve_triangular", "linalg_solve_triangular", (), ()),
    ("cholesky", "linalg_cholesky", (), ()),
    ("cholesky_ex", "linalg_cholesky_ex", (), ("L", "info")),
    ("qr", "linalg_qr", (), ("Q", "R")),
    ("householder_product", "linalg_householder_product", (), ()),
    ("svd", "linalg_svd", (), ("U", "S", "Vh")),
    ("svdvals", "linalg_svdvals", (), ()),
    ("eigh", "linalg_eigh", (), ("eigenvalues", "eigenvectors")),
    ("eigvalsh", "linalg_eigvalsh", (), ()),
    ("eig", "linalg_eig", (), ("eigenvalues", "eigenvectors")),
    ("eigvals", "linalg_eigvals", (), ()),
    ("lu_factor", "linalg_lu_factor", (), _LU_FACTOR),
    ("lu_factor_ex", "linalg_lu_factor_ex", (), (*_LU_FACTOR, "info")),
    ("lu", "linalg_lu", (), ("P", "L", "U")),
    ("lu_solve", "linalg_lu_solve", (), ()),
    ("ldl_factor", "linalg_ldl_factor", (), ("LD", "pivots")),
    ("ldl_factor_ex", "linalg_ldl_factor_ex", (), ("LD", "pivots", "info")),
    ("ldl_solve", "linalg_ldl_solve", (), ()),
    ("tensorinv", "linalg_tensorinv", (), ()),
    ("tensorsolve", "linalg_tensorsolve", (), ()),
    ("vander", "linalg_vander", (), ()),
    ("matrix_exp", "linalg_matrix_exp", (), ()),
)
_TORCH_TABLE: tuple = (
    ("det", "det", (), ()),
    ("slogdet", "slogdet", (), ("sign", "logabsdet")),
    ("logdet", "logdet", (), ()),
    ("inverse", "inverse", (), ()),
    ("triangular_solve", "triangular_solve", (), ("solution", "cloned_coefficient")),
    ("cholesky", "cholesky", (), ()),
    ("cholesky_inverse", "cholesky_inverse", (), ()),
    ("cholesky_solve", "cholesky_solve", (), ()),
    ("qr", "qr", (), ("Q", "R")),
    ("geqrf", "geqrf", (), ("a", "tau")),
    ("orgqr", "orgqr", (), ()),
    ("ormqr", "ormqr", (), ()),
    ("svd", "svd", (), ("U", "S", "V")),
    ("pinverse", "pinverse", (), ()),
    ("lu_solve", "lu_solve", (), ()),
    ("lu_unpack", "lu_unpack", (), ("P", "L", "U")),
    ("matrix_exp", "matrix_exp", (), ()),
)

LINALG: dict[str, Any] = {
    **{name: _bound(f"linalg.{name}", aten_name, *overloads, fields=fields)
       for name, aten_name, overloads, fields in _LINALG_TABLE},
    "pinv": pinv, "matrix_rank": matrix_rank, "cond": cond,
}
NAMESPACE: dict[str, Any] = {
    **{name: _bound(name, aten_name, *overloads, fields=fields) for name, aten_name, overloads, fields in _TORCH_TABLE},
    "lu": lu,
}


class TensorLinalg:
    """A mixin of :class:`exportdb.exporter.frontend.tensor.Tensor`: ``x.det()``, ``x.svd()``, ``x.lu()``
    ... record what the ``torch.*`` function records for the same call."""

    __slots__ = ()


def _method(fn: Any) -> Any:
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        return fn(self, *args, **kwargs)

    method.__name__ = method.__qualname__ = fn.__name__
    return method


for _name in ("det", "slogdet", "logdet", "inverse", "triangular_solve", "cholesky", "cholesky_inverse",
              "cholesky_solve", "qr", "geqrf", "orgqr", "ormqr", "svd", "pinverse", "lu", "lu_solve", "matrix_exp"):
    setattr(TensorLinalg, _name, _method(NAMESPACE[_name]))
