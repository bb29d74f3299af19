"""Shape rules of the linear-algebra decompositions and solvers (ops/linalg.py,
ops/linalg_decomp.py): a batch of matrices ``(*batch, m, n)`` in, batches of
matrices, vectors (``min(m, n)`` singular values, pivots) or scalars (``info``,
determinants) out.  Square inputs guard ``m == n`` when the sizes are symbolic."""

from __future__ import annotations

from typing import Any

from exportdb.exporter.symbolic.shape_env import sym_min
from exportdb.exporter.symbolic.shape_rules.core import broadcast, require_equal, rule, same_size, shape_of, wrap_dim


def _matrix(a: Any, square: bool = False) -> tuple[tuple, Any, Any]:
    """(batch, m, n) of a batch of matrices."""
    s = shape_of(a)
    if square:
        require_equal(s[-2], s[-1])
    return s[:-2], s[-2], s[-1]


def _k(m: Any, n: Any) -> Any:
    if isinstance(m, int) and isinstance(n, int):
        return min(m, n)
    return m if same_size(m, n) else sym_min(m, n)


def _square_batch(a: Any, *args: Any, **kwargs: Any) -> tuple:
    return _matrix(a, square=True)[0]


# linalg_cond.p_str and geqrf have no rule: torch.export 2.13 cannot trace them with symbolic sizes either.
rule("aten.linalg_det.default", "aten.det.default", "aten.logdet.default", "aten.linalg_cond.default")(_square_batch)


@rule("aten.linalg_slogdet.default", "aten.slogdet.default")
def _slogdet(a: Any) -> list:
    batch = _square_batch(a)
    return [batch, batch]


@rule("aten.linalg_inv.default", "aten.inverse.default", "aten.linalg_cholesky.default", "aten.cholesky.default",
      "aten.cholesky_inverse.default", "aten.linalg_matrix_exp.default", "aten.matrix_exp.default")
def _same_square(a: Any, *args: Any, **kwargs: Any) -> tuple:
    _matrix(a, square=True)
    return shape_of(a)


@rule("aten.linalg_inv_ex.default", "aten.linalg_cholesky_ex.default")
def _square_with_info(a: Any, *args: Any, **kwargs: Any) -> list:
    batch = _square_batch(a)
    return [shape_of(a), batch]


def _solution(a: Any, b: Any) -> tuple:
    """X of A X = B with torch's vector rule (B is a vector when 1-D or A's shape less its last dim)."""
    batch, m, n = _matrix(a, square=True)
    sb = shape_of(b)
    vector = len(sb) == 1 or (len(sb) == len(shape_of(a)) - 1 and all(map(same_size, sb, shape_of(a)[:-1])))
    if vector:
        require_equal(sb[-1], n)
        return broadcast(batch, sb[:-1]) + (n,)
    return broadcast(batch, sb[:-2]) + sb[-2:]


@rule("aten.linalg_solve.default")
def _solve(a: Any, b: Any, *, left: bool = True) -> tuple:
    return _solution(a, b)


@rule("aten.linalg_solve_ex.default")
def _solve_ex(a: Any, b: Any, *, left: bool = True, check_errors: bool = False) -> list:
    return [_solution(a, b), _matrix(a)[0]]  # info: one per matrix of A


def _matrix_rhs(a: Any, b: Any) -> tuple:
    batch = _matrix(a, square=True)[0]
    sb = shape_of(b)
    return broadcast(batch, sb[:-2]) + sb[-2:]


@rule("aten.linalg_solve_triangular.default")
def _solve_triangular(a: Any, b: Any, **kwargs: Any) -> tuple:
    return _matrix_rhs(a, b)


@rule("aten.triangular_solve.default")
def _triangular_solve(b: Any, a: Any, *args: Any) -> list:
    x = _matrix_rhs(a, b)
    return [x, x[:-2] + shape_of(a)[-2:]]


@rule("aten.cholesky_solve.default", "aten.lu_solve.default")
def _rhs_first(b: Any, factor: Any, *args: Any) -> tuple:
    return _matrix_rhs(factor, b)


@rule("aten.linalg_lu_solve.default", "aten.linalg_ldl_solve.default")
def _factor_first(factor: Any, pivots: Any, b: Any, **kwargs: Any) -> tuple:
    return _matrix_rhs(factor, b)


# -- QR, SVD ---------------------------------------------------------------------------------------
def _qr_shapes(a: Any, mode: str) -> list:
    batch, m, n = _matrix(a)
    k = _k(m, n)
    if mode == "r":
        return [(0,), batch + (k, n)]
    if mode == "complete":
        return [batch + (m, m), batch + (m, n)]
    return [batch + (m, k), batch + (k, n)]


@rule("aten.linalg_qr.default")
def _linalg_qr(a: Any, mode: str = "reduced") -> list:
    return _qr_shapes(a, mode)


@rule("aten.qr.default")
def _qr(a: Any, some: bool = True) -> list:
    return _qr_shapes(a, "reduced" if some else "complete")


@rule("aten.linalg_householder_product.default", "aten.orgqr.default")
def _householder(a: Any, tau: Any) -> tuple:
    return shape_of(a)


@rule("aten.ormqr.default")
def _ormqr(a: Any, tau: Any, c: Any, *args: Any) -> tuple:
    return shape_of(c)


def _svd_shapes(a: Any, full: bool) -> list:
    batch, m, n = _matrix(a)
    k = _k(m, n)
    if full:
        return [batch + (m, m), batch + (k,), batch + (n, n)]
    return [batch + (m, k), batch + (k,), batch + (k, n)]


@rule("aten.linalg_svd.default")
def _linalg_svd(a: Any, full_matrices: bool = True, *, driver: Any = None) -> list:
    return _svd_shapes(a, full_matrices)


@rule("aten.svd.default")
def _svd(a: Any, some: bool = True, compute_uv: bool = True) -> list:
    u, s, vh = _svd_shapes(a, not some or not compute_uv)
    return [u, s, vh[:-2] + (vh[-1], vh[-2])]


@rule("aten.linalg_svdvals.default")
def _svdvals(a: Any, *, driver: Any = None) -> tuple:
    batch, m, n = _matrix(a)
    return batch + (_k(m, n),)


@rule("aten.linalg_pinv.default", "aten.linalg_pinv.rcond_tensor", "aten.pinverse.default")
def _pinv_rcond(a: Any, *args: Any, **kwargs: Any) -> tuple:
    batch, m, n = _matrix(a)
    return batch + (n, m)


@rule("aten.linalg_pinv.atol_rtol_tensor", "aten.linalg_pinv.atol_rtol_float")
def _pinv(a: Any, **kwargs: Any) -> tuple:
    batch, m, n = _matrix(a)
    _default_rtol(m, n, (), kwargs)
    return batch + (n, m)


def _default_rtol(m: Any, n: Any, args: tuple, kwargs: dict) -> None:
    """Without rtol, the default eps * max(m, n) compares the sizes: a guard when they are symbolic
    (torch takes it even when an atol > 0 then sets rtol to 0); a legacy rcond / tol needs none."""
    if args or kwargs.get("rtol") is not None:
        return
    if not (isinstance(m, int) and isinstance(n, int)):
        bool(n < m)


@rule("aten.linalg_matrix_rank.atol_rtol_tensor", "aten.linalg_matrix_rank.atol_rtol_float",
      "aten.linalg_matrix_rank.default", "aten.linalg_matrix_rank.tol_tensor")
def _matrix_rank(a: Any, *args: Any, **kwargs: Any) -> tuple:
    batch, m, n = _matrix(a)
    _default_rtol(m, n, args, kwargs)
    return batch


# -- eigendecompositions, LU, LDL -------------------------------------------------------------------
@rule("aten.linalg_eigh.default", "aten.linalg_eig.default")
def _eigh(a: Any, *args: Any) -> list:
    batch, _, n = _matrix(a, square=True)
    return [batch + (n,), shape_of(a)]


@rule("aten.linalg_eigvalsh.default", "aten.linalg_eigvals.default")
def _eigvals(a: Any, *args: Any) -> tuple:
    batch, _, n = _matrix(a, square=True)
    return batch + (n,)


@rule("aten.linalg_lu_factor.default")
def _lu_factor(a: Any, *, pivot: bool = True) -> list:
    batch, m, n = _matrix(a)
    return [shape_of(a), batch + (_k(m, n),)]


@rule("aten.linalg_lu_factor_ex.default", "aten._lu_with_info.default")
def _lu_factor_ex(a: Any, *args: Any, **kwargs: Any) -> list:
    return _lu_factor(a) + [_matrix(a)[0]]


def _plu(lu: Any) -> list:
    batch, m, n = _matrix(lu)
    k = _k(m, n)
    return [batch + (m, m), batch + (m, k), batch + (k, n)]


@rule("aten.linalg_lu.default")
def _linalg_lu(a: Any, *, pivot: bool = True) -> list:
    return _plu(a)


@rule("aten.lu_unpack.default")
def _lu_unpack(lu: Any, pivots: Any, unpack_data: bool = True, unpack_pivots: bool = True) -> list:
    p, lower, upper = _plu(lu)
    return [p if unpack_pivots else (0,), lower if unpack_data else (0,), upper if unpack_data else (0,)]


@rule("aten.linalg_ldl_factor.default")
def _ldl_factor(a: Any, **kwargs: Any) -> list:
    batch, _, n = _matrix(a, square=True)
    return [shape_of(a), batch + (n,)]


@rule("aten.linalg_ldl_factor_ex.default")
def _ldl_factor_ex(a: Any, **kwargs: Any) -> list:
    return _ldl_factor(a) + [_matrix(a)[0]]


# -- Vandermonde, tensor inverse and solve ---------------------------------------------------------
@rule("aten.linalg_vander.default")
def _vander(x: Any, *, N: Any = None) -> tuple:  # noqa: N803 - the schema's name
    s = shape_of(x) or (1,)
    return s + (s[-1] if N is None else N,)


@rule("aten.linalg_tensorinv.default")
def _tensorinv(a: Any, ind: int = 2) -> tuple:
    s = shape_of(a)
    return s[ind:] + s[:ind]


@rule("aten.linalg_tensorsolve.default")
def _tensorsolve(a: Any, b: Any, dims: Any = None) -> tuple:
    s = shape_of(a)
    if dims is not None:
        moved = [wrap_dim(d, len(s)) for d in dims]
        s = tuple(x for i, x in enumerate(s) if i not in moved) + tuple(s[d] for d in moved)
    return s[len(shape_of(b)):]
