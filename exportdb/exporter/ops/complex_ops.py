"""Complex-number ops: building complex tensors (``complex``, ``polar``, ``view_as_complex``),
taking them apart (``real``, ``imag``, ``angle``, ``view_as_real``) and conjugation.

torch keeps ``conj()`` lazy (a "conjugate bit" on a view); NumPy has no such bit, so
``aten._conj`` conjugates into a new array and ``resolve_conj`` / ``resolve_neg`` are views
of their input.  ``real``, ``imag``, ``view_as_real`` and ``view_as_complex`` are NumPy views
sharing the input's memory, as torch's are.
"""

from __future__ import annotations

import numpy as np

from exportdb.exporter.ir import dtypes
from exportdb.exporter.ops.kernel_util import as_array, float_dtype
from exportdb.exporter.ops.table import register

_COMPLEX_OF = {dtypes.float32: dtypes.complex64, dtypes.float64: dtypes.complex128}


def _dtype(a: np.ndarray) -> dtypes.DType:
    return dtypes.from_numpy(a.dtype)


def _view_as_complex(a: np.ndarray) -> np.ndarray:
    dt = _dtype(a)
    if dt not in _COMPLEX_OF:
        raise TypeError(f"view_as_complex is only supported for float and double tensors, but got a tensor of "
                        f"scalar type: {dt.name}")
    if a.ndim == 0 or a.shape[-1] != 2:
        raise ValueError("Tensor must have a last dimension of size 2")
    if a.strides[-1] != a.itemsize:
        raise ValueError("Tensor must have a last dimension with stride 1")
    if any(stride % (2 * a.itemsize) for stride, size in zip(a.strides[:-1], a.shape[:-1]) if size > 1):
        raise ValueError("Tensor must have a stride divisible by 2 for all but last dimension")
    return a.view(_COMPLEX_OF[dt].np)[..., 0]


def _view_as_real(a: np.ndarray) -> np.ndarray:
    if not _dtype(a).is_complex:
        raise TypeError("view_as_real is only supported for complex tensors")
    return a[..., np.newaxis].view(a.real.dtype)


def _real(a: np.ndarray) -> np.ndarray:
    return a.real if _dtype(a).is_complex else a[...]


def _imag(a: np.ndarray) -> np.ndarray:
    if not _dtype(a).is_complex:
        raise TypeError("imag is not implemented for tensors with non-complex dtypes.")
    return a.imag


def _parts(real: np.ndarray, imag: np.ndarray, what: str) -> tuple[np.ndarray, np.ndarray, dtypes.DType]:
    """Both halves of a complex result: floats of one dtype, broadcast together."""
    a, b = _dtype(real), _dtype(imag)
    if a not in _COMPLEX_OF or b not in _COMPLEX_OF:
        raise TypeError(f"Expected both inputs of {what} to be float or double tensors but got {a.name} and {b.name}")
    if a != b:
        raise TypeError(f"Expected object of scalar type {a.name} but got scalar type {b.name} for second argument")
    x, y = np.broadcast_arrays(real, imag)
    return x, y, _COMPLEX_OF[a]


def _complex(real: np.ndarray, imag: np.ndarray) -> np.ndarray:
    x, y, dt = _parts(real, imag, "complex")
    out = np.empty(x.shape, dt.np)
    out.real, out.imag = x, y
    return out


def _polar(abs: np.ndarray, angle: np.ndarray) -> np.ndarray:  # noqa: A002
    r, theta, dt = _parts(abs, angle, "polar")
    out = np.empty(r.shape, dt.np)
    with np.errstate(all="ignore"):
        out.real, out.imag = r * np.cos(theta), r * np.sin(theta)
    return out


def _angle(a: np.ndarray) -> np.ndarray:
    """The argument of each element: for reals, pi below zero, else 0 (NaN stays NaN)."""
    dt = _dtype(a)
    if dt.is_complex:
        return np.angle(a)
    x = a.astype(float_dtype(a).np, copy=False)
    return as_array(np.where(np.isnan(x), x, np.where(x < 0, np.pi, 0.0)), float_dtype(a))


register("aten.view_as_complex.default", _view_as_complex)
register("aten.view_as_real.default", _view_as_real)
register("aten.real.default", _real)
register("aten.imag.default", _imag)
register("aten.complex.default", _complex)
register("aten.polar.default", _polar)
register("aten.angle.default", _angle)
register("aten._conj.default", lambda a: np.conj(a))
register("aten.conj_physical.default", lambda a: np.conj(a))
register("aten.resolve_conj.default", lambda a: a[...])
register("aten.resolve_neg.default", lambda a: a[...])
