"""Linear-algebra kernels of the decomposition family: QR (and its Householder form:
geqrf, householder_product, ormqr), SVD, pseudo-inverse and rank, symmetric and general
eigendecompositions, condition numbers, the matrix exponential, Vandermonde matrices and
the tensor inverse / solve.

Like ops/linalg.py, kernels take batches of matrices and compute in float64 with
LAPACK (the same drivers torch's CPU build calls: gesdd, geqrf, syevd, geev), so
signs and orderings follow LAPACK's conventions as torch's do.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from exportdb.exporter.ops.linalg import (adjoint, float_result, lapack, need_matrix, out, per_matrix, scipy_linalg,
                                         solve, wide)
from exportdb.exporter.ops.table import register


# -- QR and Householder reflectors ----------------------------------------------------------------------
def _qr(a: np.ndarray, mode: str = "reduced") -> tuple[np.ndarray, np.ndarray]:
    need_matrix("linalg.qr", a, square=False)
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), "
                           "'r', or 'complete'")
    dt = float_result(a)
    if mode == "r":
        return np.zeros((0,), dt), out(np.linalg.qr(wide(a), mode="r"), dt)
    q, r = np.linalg.qr(wide(a), mode=mode)
    return out(q, dt), out(r, dt)


def _qr_some(a: np.ndarray, some: bool = True) -> tuple[np.ndarray, np.ndarray]:
    return _qr(a, "reduced" if some else "complete")


def _geqrf_one(m: np.ndarray) -> tuple:
    if m.size == 0:
        return m.copy(), np.zeros(0, m.dtype)
    qr, tau, _, _ = lapack("geqrf", m.dtype.kind == "c")(m)
    return qr, tau


def _geqrf(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    need_matrix("geqrf", a, square=False)
    m, n = a.shape[-2:]
    a64 = wide(a)
    qr, tau = per_matrix(_geqrf_one, (a64,), ((m, n), (min(m, n),)), (a64.dtype, a64.dtype))
    dt = float_result(a)
    return out(qr, dt), out(tau, dt)


def reflector_product(a: np.ndarray, tau: np.ndarray, size: int) -> np.ndarray:
    """H_1 H_2 ... H_k (batch of ``size`` x ``size``), H_i = I - tau_i v_i v_i^H with v_i the
    i-th column of ``a`` below the diagonal and a 1 on it (LAPACK's compact QR form)."""
    a64, tau64 = wide(a), wide(tau)
    batch = np.broadcast_shapes(a64.shape[:-2], tau64.shape[:-1])
    q = np.broadcast_to(np.eye(size, dtype=np.result_type(a64, tau64)), batch + (size, size)).copy()
    for i in range(tau64.shape[-1]):
        v = np.zeros(batch + (size,), q.dtype)
        v[..., i] = 1
        v[..., i + 1:] = a64[..., i + 1:size, i]
        qv = q @ v[..., :, None]  # Q H_i = Q - tau (Q v) v^H
        q = q - tau64[..., i, None, None] * qv @ np.conj(v)[..., None, :]
    return q


def _householder_product(a: np.ndarray, tau: np.ndarray) -> np.ndarray:
    need_matrix("linalg.householder_product", a, square=False)
    m, n = a.shape[-2:]
    if n > m:
        raise RuntimeError("torch.linalg.householder_product: input.shape[-2] must be greater than or equal to "
                           "input.shape[-1]")
    if tau.shape[-1] > n:
        raise RuntimeError("torch.linalg.householder_product: input.shape[-1] must be greater than or equal to "
                           "tau.shape[-1]")
    return out(reflector_product(a, tau, m)[..., :, :n], float_result(a, tau))


def _ormqr(a: np.ndarray, tau: np.ndarray, c: np.ndarray, left: bool = True, transpose: bool = False) -> np.ndarray:
    need_matrix("ormqr", a, square=False)
    size = c.shape[-2] if left else c.shape[-1]
    if a.shape[-2] != size:
        raise RuntimeError(f"torch.ormqr: input.shape[-2] must be equal to other.shape[{-2 if left else -1}]")
    q = reflector_product(a, tau, size)
    if transpose:
        q = adjoint(q)
    c64 = wide(c)
    return out(q @ c64 if left else c64 @ q, float_result(a, tau, c))


# -- SVD, pseudo-inverse, rank ---------------------------------------------------------------------------
def svd(a: np.ndarray, full_matrices: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    need_matrix("linalg.svd", a, square=False)
    return np.linalg.svd(wide(a), full_matrices=full_matrices)


def _real(dt: np.dtype) -> np.dtype:
    return np.dtype(np.float32 if dt == np.complex64 else np.float64) if dt.kind == "c" else dt


def _linalg_svd(a: np.ndarray, full_matrices: bool = True, *, driver: str | None = None) -> tuple:
    dt = float_result(a)
    u, s, vh = svd(a, full_matrices)
    return out(u, dt), out(s, _real(dt)), out(vh, dt)


def _svd(a: np.ndarray, some: bool = True, compute_uv: bool = True) -> tuple:
    dt = float_result(a)
    u, s, vh = svd(a, not some)
    if not compute_uv:  # torch returns zero-filled U and V of the full shapes
        m, n = a.shape[-2:]
        return (np.zeros(a.shape[:-2] + (m, m), dt), out(s, _real(dt)), np.zeros(a.shape[:-2] + (n, n), dt))
    return out(u, dt), out(s, _real(dt)), out(adjoint(vh), dt)


def _svdvals(a: np.ndarray, *, driver: str | None = None) -> np.ndarray:
    need_matrix("linalg.svdvals", a, square=False)
    return out(np.linalg.svd(wide(a), compute_uv=False), _real(float_result(a)))


def _tolerances(a: np.ndarray, atol: Any, rtol: Any) -> tuple[np.ndarray, np.ndarray]:
    """torch's rule: rtol defaults to eps * max(m, n), or to 0 where atol is given and > 0."""
    eps = np.finfo(_real(float_result(a))).eps
    default = eps * max(a.shape[-2:])
    atol_ = np.zeros(()) if atol is None else np.asarray(atol, np.float64)
    if rtol is None:
        rtol_ = np.where(atol_ > 0, 0.0, default) if atol is not None else np.asarray(default)
    else:
        rtol_ = np.asarray(rtol, np.float64)
    return atol_, rtol_


def _spectrum(a: np.ndarray, hermitian: bool) -> tuple[np.ndarray, Any]:
    """Singular values (or |eigenvalues| when hermitian) and what rebuilds the pseudo-inverse."""
    if hermitian:
        need_matrix("linalg.eigh", a)
        w, v = np.linalg.eigh(wide(a))
        return np.abs(w), (w, v)
    u, s, vh = np.linalg.svd(wide(a), full_matrices=False)
    return s, (u, s, vh)


def _threshold(a: np.ndarray, s: np.ndarray, atol: Any, rtol: Any) -> np.ndarray:
    atol_, rtol_ = _tolerances(a, atol, rtol)
    smax = s.max(axis=-1) if s.shape[-1] else np.zeros(s.shape[:-1])
    return np.maximum(atol_, rtol_ * smax)[..., None]


def pinv(a: np.ndarray, atol: Any = None, rtol: Any = None, hermitian: bool = False) -> np.ndarray:
    need_matrix("linalg.pinv", a, square=False)
    dt = float_result(a)
    if a.size == 0:
        return np.zeros(a.shape[:-2] + (a.shape[-1], a.shape[-2]), dt)
    s, parts = _spectrum(a, hermitian)
    keep = s > _threshold(a, s, atol, rtol)
    if hermitian:
        w, v = parts
        inv = np.where(keep, 1 / np.where(keep, w, 1), 0)
        return out((v * inv[..., None, :]) @ adjoint(v), dt)
    u, s, vh = parts
    inv = np.where(keep, 1 / np.where(keep, s, 1), 0)
    return out(adjoint(vh) @ (inv[..., :, None] * adjoint(u)), dt)


def _pinv_tols(a: np.ndarray, *, atol: Any = None, rtol: Any = None, hermitian: bool = False) -> np.ndarray:
    return pinv(a, atol, rtol, hermitian)


def _pinv_rcond(a: np.ndarray, rcond: Any, hermitian: bool = False) -> np.ndarray:
    return pinv(a, 0.0, rcond, hermitian)


def _pinverse(a: np.ndarray, rcond: float = 1e-15) -> np.ndarray:
    return pinv(a, 0.0, rcond)


def matrix_rank(a: np.ndarray, atol: Any = None, rtol: Any = None, hermitian: bool = False) -> np.ndarray:
    need_matrix("linalg.matrix_rank", a, square=False)
    if a.size == 0:
        return np.zeros(a.shape[:-2], np.int64)
    s, _ = _spectrum(a, hermitian)
    return np.asarray((s > _threshold(a, s, atol, rtol)).sum(axis=-1), np.int64)


def _rank_tols(a: np.ndarray, *, atol: Any = None, rtol: Any = None, hermitian: bool = False) -> np.ndarray:
    return matrix_rank(a, atol, rtol, hermitian)


def _rank_tol(a: np.ndarray, tol: Any, hermitian: bool = False) -> np.ndarray:
    return matrix_rank(a, tol, 0.0, hermitian)


# -- eigendecompositions -----------------------------------------------------------------------------------
def _eigh(a: np.ndarray, uplo: str = "L") -> tuple[np.ndarray, np.ndarray]:
    need_matrix("linalg.eigh", a)
    if uplo not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {uplo}")
    dt = float_result(a)
    w, v = np.linalg.eigh(wide(a), UPLO=uplo)
    return out(w, _real(dt)), out(v, dt)


def _eigvalsh(a: np.ndarray, uplo: str = "L") -> np.ndarray:
    need_matrix("linalg.eigvalsh", a)
    return out(np.linalg.eigvalsh(wide(a), UPLO=uplo), _real(float_result(a)))


def _complex(dt: np.dtype) -> np.dtype:
    return np.dtype(np.complex128 if dt in (np.float64, np.complex128) else np.complex64)


def _eig(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    need_matrix("linalg.eig", a)
    dt = _complex(float_result(a))
    w, v = np.linalg.eig(wide(a))
    return out(w, dt), out(v, dt)


def _eigvals(a: np.ndarray) -> np.ndarray:
    need_matrix("linalg.eigvals", a)
    return out(np.linalg.eigvals(wide(a)), _complex(float_result(a)))


# -- condition number, matrix exponential -------------------------------------------------------------------
def _cond(a: np.ndarray, p: Any = None) -> np.ndarray:
    need_matrix("linalg.cond", a, square=p in (None, 2, -2))
    dt = _real(float_result(a))
    if a.size == 0:
        return np.zeros(a.shape[:-2], dt)
    if p in (None, 2, -2):
        s = np.linalg.svd(wide(a), compute_uv=False)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = s[..., 0] / s[..., -1] if p != -2 else s[..., -1] / s[..., 0]
        return out(ratio, dt)
    with np.errstate(all="ignore"):
        return out(np.linalg.cond(wide(a), p), dt)


def _matrix_exp(a: np.ndarray) -> np.ndarray:
    need_matrix("linalg.matrix_exp", a)
    if a.size == 0:
        return a.copy()
    return out(scipy_linalg.expm(wide(a)), float_result(a))


# -- Vandermonde, tensor inverse and solve ------------------------------------------------------------------
def _vander(x: np.ndarray, *, N: int | None = None) -> np.ndarray:  # noqa: N803 - the schema's name
    x = x.reshape(1) if x.ndim == 0 else x
    n = x.shape[-1] if N is None else N
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    result = np.ones(x.shape + (n,), x.dtype)
    if n > 1:  # successive products, as torch's cumulative product computes the powers
        result[..., 1:] = np.cumprod(np.broadcast_to(x[..., None], x.shape + (n - 1,)), axis=-1, dtype=x.dtype)
    return result


def _tensorinv(a: np.ndarray, ind: int = 2) -> np.ndarray:
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    rows, cols = int(np.prod(a.shape[:ind])), int(np.prod(a.shape[ind:]))
    if rows != cols:
        raise RuntimeError("Expected self to satisfy the requirement prod(self.shape[ind:]) == "
                           "prod(self.shape[:ind]), but got "
                           f"{cols} != {rows}")
    inv = np.linalg.inv(wide(a.reshape(rows, cols))) if rows else np.zeros((0, 0))
    return out(inv.reshape(a.shape[ind:] + a.shape[:ind]), float_result(a))


def _tensorsolve(a: np.ndarray, b: np.ndarray, dims: Any = None) -> np.ndarray:
    if dims is not None:
        moved = [d % a.ndim for d in dims]
        a = np.moveaxis(a, moved, list(range(a.ndim - len(moved), a.ndim)))
    result_shape = a.shape[b.ndim:]
    rows, cols = int(np.prod(b.shape)), int(np.prod(result_shape))
    if rows != cols:
        raise RuntimeError("Expected self to satisfy the requirement prod(self.shape[other.ndim:]) == "
                           f"prod(self.shape[:other.ndim]), but got {cols} != {rows}")
    x = solve(a.reshape(rows, cols), b.reshape(rows), what="linalg.tensorsolve")
    return out(x.reshape(result_shape), float_result(a, b))


for _name, _kernel, _multi in (
    ("linalg_qr.default", _qr, True), ("qr.default", _qr_some, True), ("geqrf.default", _geqrf, True),
    ("linalg_householder_product.default", _householder_product, False),
    ("orgqr.default", _householder_product, False), ("ormqr.default", _ormqr, False),
    ("linalg_svd.default", _linalg_svd, True), ("svd.default", _svd, True),
    ("linalg_svdvals.default", _svdvals, False),
    ("linalg_pinv.atol_rtol_tensor", _pinv_tols, False), ("linalg_pinv.atol_rtol_float", _pinv_tols, False),
    ("linalg_pinv.default", _pinv_rcond, False), ("linalg_pinv.rcond_tensor", _pinv_rcond, False),
    ("pinverse.default", _pinverse, False),
    ("linalg_matrix_rank.atol_rtol_tensor", _rank_tols, False),
    ("linalg_matrix_rank.atol_rtol_float", _rank_tols, False),
    ("linalg_matrix_rank.default", _rank_tol, False), ("linalg_matrix_rank.tol_tensor", _rank_tol, False),
    ("linalg_eigh.default", _eigh, True), ("linalg_eigvalsh.default", _eigvalsh, False),
    ("linalg_eig.default", _eig, True), ("linalg_eigvals.default", _eigvals, False),
    ("linalg_cond.default", _cond, False), ("linalg_cond.p_str", _cond, False),
    ("linalg_matrix_exp.default", _matrix_exp, False), ("matrix_exp.default", _matrix_exp, False),
    ("linalg_vander.default", _vander, False),
    ("linalg_tensorinv.default", _tensorinv, False), ("linalg_tensorsolve.default", _tensorsolve, False),
):
    register(f"aten.{_name}", _kernel, multi=_multi)
