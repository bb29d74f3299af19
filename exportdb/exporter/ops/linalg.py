"""Linear-algebra kernels of the solve/factorize family: determinants, inverses, linear
solves (general, triangular, Cholesky, LU, LDL) and the factorizations they use.

Every kernel works on a batch of matrices (the last two dims) and computes in float64
(complex128) with NumPy / SciPy's LAPACK, rounding once to the input's dtype.  The
``info`` outputs of the ``*_ex`` ops are int32 arrays of the batch shape, and LU / LDL
pivots are LAPACK's 1-based int32 row indices, as torch returns them.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from exportdb.exporter.ops.table import register


class _SciPyLinalg:
    """:mod:`scipy.linalg` and its LAPACK wrappers, imported on first use (importing them takes
    over half a second, which programs without linear algebra should not pay)."""

    def __getattr__(self, name: str) -> Any:
        import scipy.linalg
        from scipy.linalg import lapack as lapack_module

        self.__dict__.update(solve_triangular=scipy.linalg.solve_triangular, expm=scipy.linalg.expm,
                             lapack=lapack_module)
        return self.__dict__[name]


scipy_linalg = _SciPyLinalg()


def lapack(routine: str, complex_: bool) -> Any:
    """LAPACK's double-precision ``routine`` (``getrf``): the real one, or the complex one."""
    return getattr(scipy_linalg.lapack, ("z" if complex_ else "d") + routine)


# -- helpers shared with ops/linalg_decomp.py ------------------------------------------------------
def wide(a: np.ndarray) -> np.ndarray:
    """``a`` in float64 (complex128 when complex): every kernel computes at that precision."""
    return a.astype(np.complex128 if a.dtype.kind == "c" else np.float64, copy=False)


def float_result(*arrays: np.ndarray) -> np.dtype:
    """The dtype of a linear-algebra result: the operands' common float (or complex) dtype."""
    dt = np.result_type(*arrays)
    if dt.kind not in "fc":
        raise RuntimeError(f"linalg: expected a floating point or complex tensor as input. Got {dt}")
    return dt


def out(value: Any, dtype: np.dtype) -> np.ndarray:
    return np.asarray(value).astype(dtype, copy=False)


def need_matrix(what: str, a: np.ndarray, square: bool = True) -> None:
    if a.ndim < 2:
        raise RuntimeError(f"{what}: The input tensor A must have at least 2 dimensions.")
    if square and a.shape[-1] != a.shape[-2]:
        raise RuntimeError(f"{what}: A must be batches of square matrices, but they are "
                           f"{a.shape[-2]} by {a.shape[-1]} matrices")


def adjoint(a: np.ndarray) -> np.ndarray:
    return np.conj(np.swapaxes(a, -1, -2)) if a.dtype.kind == "c" else np.swapaxes(a, -1, -2)


def per_matrix(fn: Callable[..., tuple], arrays: tuple, shapes: tuple, dtypes: tuple) -> tuple:
    """Apply ``fn`` to each matrix of a batch (all ``arrays`` share the batch dims, the last
    two dims being the matrix); ``shapes`` are the per-matrix output shapes, ``dtypes`` theirs."""
    batch = arrays[0].shape[:-2]
    results = tuple(np.zeros(batch + tuple(s), dt) for s, dt in zip(shapes, dtypes))
    if any(0 in tuple(s) for s in shapes) and not any(s == () for s in shapes):
        return results
    for index in np.ndindex(*batch):
        outs = fn(*(a[index] for a in arrays))
        for target, value in zip(results, outs):
            target[index] = value
    return results


def broadcast_batch(a: np.ndarray, b: np.ndarray, b_tail: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """``a`` (matrices) and ``b`` (its last ``b_tail`` dims per item) with their batch dims broadcast."""
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:b.ndim - b_tail])
    return (np.broadcast_to(a, batch + a.shape[-2:]),
            np.broadcast_to(b, batch + b.shape[b.ndim - b_tail:]))


# -- determinants and inverses ----------------------------------------------------------------------
def _det(a: np.ndarray) -> np.ndarray:
    need_matrix("linalg.det", a)
    return out(np.linalg.det(wide(a)), float_result(a))


def _slogdet(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    need_matrix("linalg.slogdet", a)
    sign, logabs = np.linalg.slogdet(wide(a))
    dt = float_result(a)
    return out(sign, dt), out(logabs, np.float32 if dt == np.complex64 else np.float64 if dt.kind == "c" else dt)


def _logdet(a: np.ndarray) -> np.ndarray:
    need_matrix("logdet", a)
    sign, logabs = np.linalg.slogdet(wide(a))
    return out(np.where(sign < 0, np.nan, logabs), float_result(a))


def _getrf(m: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """LAPACK getrf of one matrix: (LU, 1-based pivots, info)."""
    if 0 in m.shape:
        return m.copy(), np.zeros(0, np.int32), 0
    lu, piv, info = lapack("getrf", m.dtype.kind == "c")(m)
    return lu, piv + 1, info


def lu_factor_ex(a: np.ndarray, pivot: bool = True, check_errors: bool = False,
                 what: str = "linalg.lu_factor") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    need_matrix(what, a, square=False)
    if not pivot:
        raise RuntimeError(f"{what}: LU without pivoting is not implemented on the CPU")
    m, n = a.shape[-2:]
    lu, piv, info = per_matrix(_getrf, (wide(a),), ((m, n), (min(m, n),), ()),
                               (wide(a).dtype, np.int32, np.int32))
    if check_errors and np.any(info > 0):
        raise RuntimeError(f"{what}: U[{int(info.max())},{int(info.max())}] is zero and using it on lu_solve "
                           "would result in a division by zero.")
    return out(lu, float_result(a)), piv, info


def _inv_ex(a: np.ndarray, *, check_errors: bool = False, what: str = "linalg.inv_ex") -> tuple:
    need_matrix(what, a)
    dt = float_result(a)
    info = lu_factor_ex(a)[2]
    if np.any(info > 0):
        if check_errors:
            raise RuntimeError(f"{what}: The diagonal element {int(info.max())} is zero, the inversion could not "
                               "be completed because the input matrix is singular.")
        inverse = np.full(a.shape, np.nan)
        for index in np.ndindex(*a.shape[:-2]):
            if info[index] == 0:
                inverse[index] = np.linalg.inv(wide(a[index]))
        return out(inverse, dt), info
    return out(np.linalg.inv(wide(a)), dt), info


def _inv(a: np.ndarray) -> np.ndarray:
    return _inv_ex(a, check_errors=True, what="linalg.inv")[0]


# -- general solves -----------------------------------------------------------------------------------
def is_vector_rhs(a: np.ndarray, b: np.ndarray) -> bool:
    """torch's rule: B is a (batch of) vector(s) when 1-D, or when it is A's shape less the last dim."""
    return b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1])


def solve(a: np.ndarray, b: np.ndarray, left: bool = True, what: str = "linalg.solve") -> np.ndarray:
    """X with A X = B (left) or X A = B, float64; B a matrix or a vector as torch decides."""
    need_matrix(what, a)
    vector = is_vector_rhs(a, b)
    a64, b64 = wide(a), wide(b)
    if not left:
        a64 = np.swapaxes(a64, -1, -2)
        b64 = b64 if vector else np.swapaxes(b64, -1, -2)
    rhs = b64[..., None] if vector else b64
    if rhs.shape[-2] != a64.shape[-1]:
        raise RuntimeError(f"{what}: Incompatible shapes of A and B for the equation "
                           f"{'AX = B' if left else 'XA = B'} ({a.shape[-2]}x{a.shape[-1]} and "
                           f"{b.shape[-1] if vector else 'x'.join(map(str, b.shape[-2:]))})")
    a64, rhs = broadcast_batch(a64, rhs)
    x = np.linalg.solve(a64, rhs) if rhs.size and a64.size else np.zeros(rhs.shape, a64.dtype)
    if vector:
        return x[..., 0]
    return x if left else np.swapaxes(x, -1, -2)


def _solve(a: np.ndarray, b: np.ndarray, *, left: bool = True) -> np.ndarray:
    return out(solve(a, b, left), float_result(a, b))


def _solve_ex(a: np.ndarray, b: np.ndarray, *, left: bool = True, check_errors: bool = False) -> tuple:
    dt = float_result(a, b)
    info = lu_factor_ex(a)[2]  # one per matrix of A (not of the broadcast batch)
    if np.any(info > 0):
        if check_errors:
            raise RuntimeError("linalg.solve_ex: The solver failed because the input matrix is singular.")
        eye = np.broadcast_to(np.eye(a.shape[-1]), a.shape)
        return out(solve(eye, b, left, "linalg.solve_ex") * np.nan, dt), info
    return out(solve(a, b, left, "linalg.solve_ex"), dt), info


# -- triangular solves ---------------------------------------------------------------------------------
def triangular(a: np.ndarray, b: np.ndarray, upper: bool, trans: bool = False,
               unit: bool = False) -> np.ndarray:
    """X with op(A) X = B for triangular A (op: transpose or conjugate transpose when ``trans``), float64."""
    a64, b64 = broadcast_batch(wide(a), wide(b))
    if a64.size == 0 or b64.size == 0:
        return np.zeros(b64.shape, np.result_type(a64, b64))
    return scipy_linalg.solve_triangular(a64, b64, lower=not upper, unit_diagonal=unit,
                                trans=("C" if a64.dtype.kind == "c" else "T") if trans else "N", check_finite=False)


def _solve_triangular(a: np.ndarray, b: np.ndarray, *, upper: bool, left: bool = True,
                      unitriangular: bool = False) -> np.ndarray:
    need_matrix("linalg.solve_triangular", a)
    if b.ndim < 2:
        raise RuntimeError("linalg.solve_triangular: The input tensor B must have at least 2 dimensions.")
    dt = float_result(a, b)
    if left:
        return out(triangular(a, b, upper, unit=unitriangular), dt)
    # X A = B  <=>  A^T X^T = B^T
    return out(np.swapaxes(triangular(a, np.swapaxes(b, -1, -2), upper, trans=True, unit=unitriangular), -1, -2), dt)


def _triangular_solve(b: np.ndarray, a: np.ndarray, upper: bool = True, transpose: bool = False,
                      unitriangular: bool = False) -> tuple[np.ndarray, np.ndarray]:
    need_matrix("triangular_solve", a)
    dt = float_result(a, b)
    x = triangular(a, b, upper, trans=transpose, unit=unitriangular)
    return out(x, dt), np.array(np.broadcast_to(a, x.shape[:-2] + a.shape[-2:]), dtype=dt)


# -- Cholesky ------------------------------------------------------------------------------------------
def _potrf(m: np.ndarray) -> tuple[np.ndarray, int]:
    if m.size == 0:
        return m.copy(), 0
    factor, info = lapack("potrf", m.dtype.kind == "c")(m, lower=1, clean=1)
    return np.tril(factor), info


def cholesky_ex(a: np.ndarray, upper: bool = False, check_errors: bool = False,
                what: str = "linalg.cholesky") -> tuple[np.ndarray, np.ndarray]:
    need_matrix(what, a)
    factor, info = per_matrix(_potrf, (wide(a),), (a.shape[-2:], ()), (wide(a).dtype, np.int32))
    if check_errors and np.any(info > 0):
        order = int(info.max())
        raise RuntimeError(f"{what}: The factorization could not be completed because the input is not "
                           f"positive-definite (the leading minor of order {order} is not positive-definite).")
    return out(adjoint(factor) if upper else factor, float_result(a)), info


def _linalg_cholesky_ex(a: np.ndarray, *, upper: bool = False, check_errors: bool = False) -> tuple:
    return cholesky_ex(a, upper, check_errors, "linalg.cholesky_ex")


def _linalg_cholesky(a: np.ndarray, *, upper: bool = False) -> np.ndarray:
    return cholesky_ex(a, upper, True)[0]


def _cholesky(a: np.ndarray, upper: bool = False) -> np.ndarray:
    return cholesky_ex(a, upper, True, "cholesky")[0]


def _cholesky_inverse(factor: np.ndarray, upper: bool = False) -> np.ndarray:
    need_matrix("cholesky_inverse", factor)
    dt = float_result(factor)
    eye = np.broadcast_to(np.eye(factor.shape[-1]), factor.shape)
    inv = triangular(factor, eye, upper)  # L^-1 (or U^-1)
    return out(inv @ adjoint(inv) if upper else adjoint(inv) @ inv, dt)


def _cholesky_solve(b: np.ndarray, factor: np.ndarray, upper: bool = False) -> np.ndarray:
    need_matrix("cholesky_solve", factor)
    dt = float_result(b, factor)
    if upper:  # A = U^H U
        y = triangular(factor, b, True, trans=True)
        return out(triangular(factor, y, True), dt)
    y = triangular(factor, b, False)  # A = L L^H
    return out(triangular(factor, y, False, trans=True), dt)


# -- LU --------------------------------------------------------------------------------------------------
def _linalg_lu_factor_ex(a: np.ndarray, *, pivot: bool = True, check_errors: bool = False) -> tuple:
    return lu_factor_ex(a, pivot, check_errors, "linalg.lu_factor_ex")


def _linalg_lu_factor(a: np.ndarray, *, pivot: bool = True) -> tuple:
    return lu_factor_ex(a, pivot, True)[:2]


def _lu_with_info(a: np.ndarray, pivot: bool = True, check_errors: bool = True) -> tuple:
    return lu_factor_ex(a, pivot, check_errors, "lu")


def permutation(pivots: np.ndarray, m: int, dtype: np.dtype) -> np.ndarray:
    """P (batch of m x m) with A = P L U, from LAPACK's 1-based row interchanges."""
    batch = pivots.shape[:-1]
    perm = np.broadcast_to(np.arange(m), batch + (m,)).copy()
    if perm.size == 0:
        return np.zeros(batch + (m, m), dtype)
    rows = np.arange(int(np.prod(batch, dtype=np.int64)))
    flat, piv = perm.reshape(-1, m), pivots.reshape(-1, pivots.shape[-1]).astype(np.int64) - 1
    for i in range(piv.shape[-1]):
        j = piv[:, i]
        flat[rows, i], flat[rows, j] = flat[rows, j], flat[rows, i].copy()
    p = np.zeros(batch + (m, m), dtype)
    np.put_along_axis(p, perm[..., :, None], 1, axis=-1)  # P^T[i, perm[i]] = 1
    return np.swapaxes(p, -1, -2)


def _lu_unpack(lu: np.ndarray, pivots: np.ndarray, unpack_data: bool = True,
               unpack_pivots: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    m, n = lu.shape[-2:]
    k = min(m, n)
    empty = np.zeros((0,), lu.dtype)
    lower = upper = empty
    if unpack_data:
        lower = np.tril(lu[..., :, :k], -1) + np.eye(m, k, dtype=lu.dtype)
        upper = np.triu(lu[..., :k, :])
    p = permutation(pivots, m, lu.dtype) if unpack_pivots else empty
    return p, lower, upper


def _linalg_lu(a: np.ndarray, *, pivot: bool = True) -> tuple:
    lu, piv, _ = lu_factor_ex(a, pivot, False, "linalg.lu")
    return _lu_unpack(lu, piv)


def lu_solve(lu: np.ndarray, pivots: np.ndarray, b: np.ndarray, left: bool = True,
             adjoint_: bool = False) -> np.ndarray:
    need_matrix("linalg.lu_solve", lu)
    dt = float_result(lu, b)
    p, lower, upper = _lu_unpack(wide(lu), pivots)
    a = p @ lower @ upper  # the factored matrix, rebuilt in float64
    if adjoint_:
        a = adjoint(a)
    return out(solve(a, b, left, "linalg.lu_solve"), dt)


def _linalg_lu_solve(lu: np.ndarray, pivots: np.ndarray, b: np.ndarray, *, left: bool = True,
                     adjoint: bool = False) -> np.ndarray:
    if b.ndim < 2:
        raise RuntimeError("linalg.lu_solve: The input tensor B must have at least 2 dimensions.")
    return lu_solve(lu, pivots, b, left, adjoint)


def _lu_solve(b: np.ndarray, lu: np.ndarray, pivots: np.ndarray) -> np.ndarray:
    return _linalg_lu_solve(lu, pivots, b)


# -- LDL (Bunch-Kaufman) --------------------------------------------------------------------------------
def _sytrf(m: np.ndarray, hermitian: bool) -> tuple:
    if m.size == 0:
        return m.copy(), np.zeros(0, np.int32), 0
    complex_ = m.dtype.kind == "c"
    fn = lapack("hetrf" if hermitian and complex_ else "sytrf", complex_)
    ldu, ipiv, info = fn(m, lower=1)
    return np.tril(ldu), ipiv, info


def _ldl_factor_ex(a: np.ndarray, *, hermitian: bool = False, check_errors: bool = False) -> tuple:
    need_matrix("linalg.ldl_factor_ex", a)
    n = a.shape[-1]
    ld, piv, info = per_matrix(lambda m: _sytrf(m, hermitian), (wide(a),), ((n, n), (n,), ()),
                               (wide(a).dtype, np.int32, np.int32))
    if check_errors and np.any(info > 0):
        raise RuntimeError("linalg.ldl_factor_ex: The factorization could not be completed because the input "
                           "is singular.")
    return out(ld, float_result(a)), piv, info


def _ldl_factor(a: np.ndarray, *, hermitian: bool = False) -> tuple:
    return _ldl_factor_ex(a, hermitian=hermitian)[:2]


def _ldl_solve(ld: np.ndarray, pivots: np.ndarray, b: np.ndarray, *, hermitian: bool = False) -> np.ndarray:
    need_matrix("linalg.ldl_solve", ld)
    dt = float_result(ld, b)
    ld64, b64 = broadcast_batch(wide(ld), wide(b))
    piv = np.broadcast_to(pivots, ld64.shape[:-1])
    complex_ = ld64.dtype.kind == "c" or b64.dtype.kind == "c"
    fn = lapack("hetrs" if hermitian and complex_ else "sytrs", complex_)
    x = np.zeros(b64.shape, np.result_type(ld64, b64))
    if ld64.size and b64.size:
        for index in np.ndindex(*ld64.shape[:-2]):
            x[index] = fn(ld64[index], piv[index], b64[index], lower=1)[0]
    return out(x, dt)


for _name, _kernel, _multi in (
    ("linalg_det.default", _det, False), ("det.default", _det, False),
    ("linalg_slogdet.default", _slogdet, True), ("slogdet.default", _slogdet, True),
    ("logdet.default", _logdet, False),
    ("linalg_inv.default", _inv, False), ("inverse.default", _inv, False),
    ("linalg_inv_ex.default", _inv_ex, True),
    ("linalg_solve.default", _solve, False), ("linalg_solve_ex.default", _solve_ex, True),
    ("linalg_solve_triangular.default", _solve_triangular, False),
    ("triangular_solve.default", _triangular_solve, True),
    ("linalg_cholesky.default", _linalg_cholesky, False), ("linalg_cholesky_ex.default", _linalg_cholesky_ex, True),
    ("cholesky.default", _cholesky, False), ("cholesky_inverse.default", _cholesky_inverse, False),
    ("cholesky_solve.default", _cholesky_solve, False),
    ("linalg_lu_factor.default", _linalg_lu_factor, True), ("linalg_lu_factor_ex.default", _linalg_lu_factor_ex, True),
    ("_lu_with_info.default", _lu_with_info, True), ("linalg_lu.default", _linalg_lu, True),
    ("lu_unpack.default", _lu_unpack, True), ("linalg_lu_solve.default", _linalg_lu_solve, False),
    ("lu_solve.default", _lu_solve, False),
    ("linalg_ldl_factor.default", _ldl_factor, True), ("linalg_ldl_factor_ex.default", _ldl_factor_ex, True),
    ("linalg_ldl_solve.default", _ldl_solve, False),
):
    register(f"aten.{_name}", _kernel, multi=_multi)
