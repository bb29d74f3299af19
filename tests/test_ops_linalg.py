"""Linear algebra (torch.linalg decompositions and solvers, and their torch.* forms): values
against eager PyTorch, the graph torch.export 2.13 records (static and symbolic sizes), errors.

``ours`` is exportdb's front end; ``real`` is the installed torch (tests comparing with it
skip without it).  Singular and eigenvectors are compared up to their sign, which LAPACK
implementations choose differently (torch's MKL, NumPy's OpenBLAS).
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

from exporter_helpers import export_and_lint, targets, torch as ours

from exportdb.errors import ExportError
from exportdb.exporter.frontend.export_api import Dim

RNG = np.random.default_rng(7)
SQ = RNG.standard_normal((2, 4, 4)).astype(np.float32)
SPD = (SQ @ SQ.transpose(0, 2, 1) + 4 * np.eye(4)).astype(np.float32)
TALL = RNG.standard_normal((2, 5, 3)).astype(np.float32)
WIDE = RNG.standard_normal((2, 3, 5)).astype(np.float32)
RHS = RNG.standard_normal((2, 4, 3)).astype(np.float32)
VEC = RNG.standard_normal(4).astype(np.float32)

CALLS = [
    ("det", lambda t, a: t.linalg.det(a), (SQ,)),
    ("slogdet", lambda t, a: tuple(t.linalg.slogdet(a)), (SQ,)),
    ("logdet", lambda t, a: t.logdet(a), (SPD,)),
    ("torch.det", lambda t, a: t.det(a), (SQ,)),
    ("inv", lambda t, a: t.linalg.inv(a), (SQ,)),
    ("inv_ex", lambda t, a: tuple(t.linalg.inv_ex(a)), (SQ,)),
    ("inverse", lambda t, a: t.inverse(a), (SQ,)),
    ("solve_matrix", lambda t, a, b: t.linalg.solve(a, b), (SQ, RHS)),
    ("solve_vector", lambda t, a, v: t.linalg.solve(a, v), (SQ, VEC)),
    ("solve_right", lambda t, a, b: t.linalg.solve(a, b.mT, left=False), (SQ, RHS)),
    ("solve_ex", lambda t, a, b: tuple(t.linalg.solve_ex(a, b[0])), (SQ, RHS)),
    ("solve_triangular", lambda t, a, b: t.linalg.solve_triangular(a.triu() + 4 * t.eye(4), b, upper=True),
     (SQ, RHS)),
    ("solve_triangular_right_unit", lambda t, a, b: t.linalg.solve_triangular(
        a.tril(), b.mT, upper=False, left=False, unitriangular=True), (SQ, RHS)),
    ("triangular_solve", lambda t, b, a: tuple(t.triangular_solve(b, a.tril() + 4 * t.eye(4), upper=False,
                                                                  transpose=True)), (RHS, SQ)),
    ("cholesky", lambda t, a: t.linalg.cholesky(a), (SPD,)),
    ("cholesky_upper", lambda t, a: t.linalg.cholesky(a, upper=True), (SPD,)),
    ("cholesky_ex", lambda t, a: tuple(t.linalg.cholesky_ex(a)), (SPD,)),
    ("torch.cholesky", lambda t, a: t.cholesky(a, True), (SPD,)),
    ("cholesky_inverse", lambda t, a: t.cholesky_inverse(t.linalg.cholesky(a)), (SPD,)),
    ("cholesky_solve_upper", lambda t, a, b: t.cholesky_solve(b, t.linalg.cholesky(a, upper=True), True), (SPD, RHS)),
    ("qr_complete", lambda t, a: tuple(t.linalg.qr(a, mode="complete")), (TALL,)),
    ("qr_r", lambda t, a: t.linalg.qr(a, mode="r").R, (WIDE,)),
    ("torch.qr", lambda t, a: tuple(t.qr(a, some=False)), (WIDE,)),
    ("geqrf", lambda t, a: tuple(t.geqrf(a)), (TALL,)),
    ("householder_product", lambda t, a: t.linalg.householder_product(*t.geqrf(a)), (TALL,)),
    ("ormqr", lambda t, a, b: t.ormqr(*t.geqrf(a[..., :3]), b, left=True, transpose=True), (SQ, RHS)),
    ("ormqr_right", lambda t, a, b: t.ormqr(*t.geqrf(a[..., :3]), b.mT, left=False), (SQ, RHS)),
    ("svdvals", lambda t, a: t.linalg.svdvals(a), (WIDE,)),
    ("pinv", lambda t, a: t.linalg.pinv(a), (TALL,)),
    ("pinv_rtol", lambda t, a: t.linalg.pinv(a, rtol=0.5), (TALL,)),
    ("pinv_hermitian", lambda t, a: t.linalg.pinv(a, hermitian=True), (SPD,)),
    ("pinverse", lambda t, a: t.pinverse(a), (WIDE,)),
    ("matrix_rank_atol", lambda t, a: t.linalg.matrix_rank(a @ a.mT, atol=1.0), (TALL,)),
    ("matrix_rank", lambda t, a: t.linalg.matrix_rank(a @ a.mT), (TALL,)),
    ("eigvalsh", lambda t, a: t.linalg.eigvalsh(a, UPLO="U"), (SPD,)),
    ("lu_factor_ex", lambda t, a: tuple(t.linalg.lu_factor_ex(a)), (WIDE,)),
    ("lu", lambda t, a: tuple(t.linalg.lu(a)), (TALL,)),
    ("lu_unpack", lambda t, a: tuple(t.lu_unpack(*t.linalg.lu_factor(a))), (WIDE,)),
    ("torch.lu_infos", lambda t, a: t.lu(a, get_infos=True), (SQ,)),
    ("lu_solve_adjoint_right", lambda t, a, b: t.linalg.lu_solve(*t.linalg.lu_factor(a), b.mT, left=False,
                                                                 adjoint=True), (SQ, RHS)),
    ("torch.lu_solve", lambda t, a, b: t.lu_solve(b, *t.linalg.lu_factor(a)), (SQ, RHS)),
    ("ldl", lambda t, a, b: t.linalg.ldl_solve(*t.linalg.ldl_factor(a), b), (SPD, RHS)),
    ("tensorinv", lambda t, a: t.linalg.tensorinv(a[0].reshape(2, 2, 4), ind=2), (SQ,)),
    ("tensorsolve", lambda t, a, b: t.linalg.tensorsolve(a[0].reshape(2, 2, 2, 2), b[0, :2, :2], dims=(0,)),
     (SQ, RHS)),
    ("vander", lambda t, v: t.linalg.vander(v, N=3), (VEC,)),
    ("cond", lambda t, a: t.linalg.cond(a), (SQ,)),
    ("cond_fro", lambda t, a: t.linalg.cond(a, "fro"), (SQ,)),
    ("matrix_exp", lambda t, a: t.matrix_exp(a / 4), (SQ,)),
    ("eigvals", lambda t, a: t.linalg.eigvals(a), (SPD,)),
]


def _leaves(value):
    return list(value) if isinstance(value, tuple) else [value]


def _real():
    real = pytest.importorskip("torch", reason="compared against eager PyTorch")
    warnings.filterwarnings("ignore", category=UserWarning)
    return real


@pytest.mark.parametrize("name,expr,arrays", CALLS, ids=[c[0] for c in CALLS])
def test_values_match_eager_torch(name, expr, arrays):
    real = _real()
    mine = _leaves(expr(ours, *(ours.from_numpy(a.copy()) for a in arrays)))
    theirs = _leaves(expr(real, *(real.from_numpy(a.copy()) for a in arrays)))
    assert len(mine) == len(theirs)
    for m, t in zip(mine, theirs):
        assert m._value.shape == tuple(t.shape) and m.dtype.name == str(t.dtype)[6:], name
        np.testing.assert_allclose(m._value, t.numpy(), rtol=1e-4, atol=1e-4)


def _column_signs(ours_q: np.ndarray, theirs_q: np.ndarray) -> np.ndarray:
    """+-1 per column making ``ours_q`` line up with ``theirs_q`` (vectors are defined up to sign)."""
    return np.sign(np.sum(ours_q * theirs_q, axis=-2, keepdims=True))


@pytest.mark.parametrize("full", [True, False])
def test_svd_matches_eager_torch_up_to_the_sign_of_each_singular_pair(full):
    real = _real()
    U, S, Vh = ours.linalg.svd(ours.from_numpy(WIDE.copy()), full_matrices=full)
    u, s, vh = (t.numpy() for t in real.linalg.svd(real.from_numpy(WIDE.copy()), full_matrices=full))
    np.testing.assert_allclose(S._value, s, rtol=1e-5, atol=1e-5)
    k = s.shape[-1]
    signs = _column_signs(U._value[..., :k], u[..., :k])
    np.testing.assert_allclose(U._value[..., :k] * signs, u[..., :k], atol=1e-4)
    np.testing.assert_allclose(Vh._value[..., :k, :] * np.swapaxes(signs, -1, -2), vh[..., :k, :], atol=1e-4)
    assert U.shape == tuple(u.shape) and Vh.shape == tuple(vh.shape)
    V = ours.svd(ours.from_numpy(WIDE.copy())).V  # torch.svd gives V, not its adjoint
    np.testing.assert_allclose(np.abs(V._value), np.abs(np.swapaxes(Vh._value[..., :k, :], -1, -2)), atol=1e-6)


def test_eigh_and_eig_match_eager_torch_up_to_sign():
    real = _real()
    w, v = ours.linalg.eigh(ours.from_numpy(SPD.copy()))
    tw, tv = (t.numpy() for t in real.linalg.eigh(real.from_numpy(SPD.copy())))
    np.testing.assert_allclose(w._value, tw, rtol=1e-5)
    np.testing.assert_allclose(v._value * _column_signs(v._value, tv), tv, atol=1e-4)
    values, vectors = ours.linalg.eig(ours.from_numpy(SPD.copy()))
    assert values.dtype is ours.complex64 and vectors.dtype is ours.complex64
    np.testing.assert_allclose(np.sort(values._value.real), np.sort(tw), rtol=1e-5)


class _Call(ours.nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn


class _Call1(_Call):
    def forward(self, a):
        return self.fn(a)


class _Call2(_Call):
    def forward(self, a, b):
        return self.fn(a, b)


def _graph_lines(text: str) -> list[str]:
    """The op and getitem lines of a printed program, symbol numbers dropped (s27 -> s)."""
    return [re.sub(r"\bs\d+\b", "s", line.strip()) for line in text.splitlines()
            if (" = " in line or line.strip().startswith("return")) and "# File" not in line]


def _torch_program(real, fn, arrays, dynamic_shapes=None) -> str:
    class M(real.nn.Module):
        def forward(self, a, b):
            return fn(real, a, b)

    class M1(real.nn.Module):
        def forward(self, a):
            return fn(real, a)

    args = tuple(real.from_numpy(a.copy()) for a in arrays)
    model = M() if len(args) == 2 else M1()
    return str(real.export.export(model, args, dynamic_shapes=dynamic_shapes, strict=True))


RECORDED = [c for c in CALLS if c[0] in (
    "slogdet", "solve_right", "solve_triangular_right_unit", "triangular_solve", "cholesky_upper", "torch.cholesky",
    "cholesky_solve_upper", "qr_r", "torch.qr", "ormqr", "pinv_rtol", "pinv_hermitian", "matrix_rank_atol",
    "eigvalsh", "torch.lu_infos", "lu_solve_adjoint_right", "tensorsolve", "vander", "cond_fro", "eigvals")]


@pytest.mark.parametrize("name,expr,arrays", RECORDED, ids=[c[0] for c in RECORDED])
def test_recorded_graph_matches_torch_export(name, expr, arrays):
    real = _real()
    model = (_Call1 if len(arrays) == 1 else _Call2)(lambda *a: expr(ours, *a))
    ep = export_and_lint(model, tuple(ours.from_numpy(a.copy()) for a in arrays))
    assert _graph_lines(str(ep)) == _graph_lines(_torch_program(real, expr, arrays))


SYMBOLIC = [
    ("solve_ex", lambda t, a, b: t.linalg.solve_ex(a, b), (SQ, RHS), {0: "n"}, {0: "n"}),
    ("svd", lambda t, a, b: t.linalg.svd(a, full_matrices=False), (WIDE, RHS), {2: "k"}, None),
    ("lu", lambda t, a, b: t.linalg.lu(a), (TALL, RHS), {1: "k"}, None),
    ("ldl_factor_ex", lambda t, a, b: t.linalg.ldl_factor_ex(a), (SPD, RHS), {0: "n"}, None),
    ("triangular_solve", lambda t, a, b: t.triangular_solve(b, a), (SQ, RHS), {0: "n"}, {0: "n"}),
    ("pinv_rcond", lambda t, a, b: t.linalg.pinv(a, 0.1), (WIDE, RHS), {2: "k"}, None),
]


@pytest.mark.parametrize("name,expr,arrays,dims_a,dims_b", SYMBOLIC, ids=[c[0] for c in SYMBOLIC])
def test_symbolic_sizes_match_torch_export(name, expr, arrays, dims_a, dims_b):
    real = _real()

    def spec(dim_type, dims):
        return None if dims is None else {axis: dim_type(label) for axis, label in dims.items()}

    ep = export_and_lint(_Call2(lambda *a: expr(ours, *a)), tuple(ours.from_numpy(a.copy()) for a in arrays),
                         dynamic_shapes=(spec(Dim, dims_a), spec(Dim, dims_b)))
    theirs = _torch_program(real, expr, arrays, (spec(real.export.Dim, dims_a), spec(real.export.Dim, dims_b)))
    assert _graph_lines(str(ep)) == _graph_lines(theirs)


def test_default_rtol_guards_the_matrix_sizes_as_torch_does():
    model = _Call1(lambda a: ours.linalg.matrix_rank(a))
    with pytest.raises(ExportError, match="s0 >= 3"):
        export_and_lint(model, (ours.from_numpy(WIDE.copy()),), dynamic_shapes=({2: Dim("k")},))
    ep = export_and_lint(model, (ours.from_numpy(WIDE.copy()),), dynamic_shapes=({2: Dim("k", min=3)},))
    assert targets(ep.graph) == ["aten.linalg_matrix_rank.atol_rtol_tensor"]


def test_geqrf_has_no_symbolic_rule_as_torch_cannot_trace_it():
    model = _Call1(lambda a: ours.geqrf(a))
    with pytest.raises(ExportError, match="no symbolic-shape rule"):
        export_and_lint(model, (ours.from_numpy(TALL.copy()),), dynamic_shapes=({0: Dim("n")},))


def test_singular_and_indefinite_inputs_fail_like_torch_or_report_info():
    singular = ours.zeros(2, 3, 3)
    with pytest.raises(ExportError, match="singular"):
        ours.linalg.inv(singular)
    assert ours.linalg.inv_ex(singular).info._value.tolist() == [1, 1]
    indefinite = -ours.eye(3)
    with pytest.raises(ExportError, match="not positive-definite"):
        ours.linalg.cholesky(indefinite)
    assert ours.linalg.cholesky_ex(indefinite).info._value.tolist() == 1
    with pytest.raises(ExportError, match="square"):
        ours.linalg.det(ours.from_numpy(WIDE.copy()))


def test_empty_batches_and_matrices():
    real = _real()
    for shape in ((0, 3, 3), (2, 0, 0)):
        a = np.zeros(shape, np.float32)
        for fn in (lambda t, x: t.linalg.det(x), lambda t, x: t.linalg.inv(x), lambda t, x: t.linalg.svdvals(x),
                   lambda t, x: t.linalg.lu_factor(x)[1], lambda t, x: t.linalg.qr(x).Q):
            mine, theirs = fn(ours, ours.from_numpy(a.copy())), fn(real, real.from_numpy(a.copy()))
            assert mine._value.shape == tuple(theirs.shape)
            np.testing.assert_array_equal(mine._value, theirs.numpy())


METHODS = [
    ("det", lambda t, a, b: a.det(), (SQ, RHS)),
    ("slogdet", lambda t, a, b: a.slogdet().logabsdet, (SQ, RHS)),
    ("triangular_solve", lambda t, a, b: b.triangular_solve(a, upper=False).solution, (SQ, RHS)),
    ("cholesky_solve", lambda t, a, b: b.cholesky_solve(a.cholesky()), (SPD, RHS)),
    ("svd", lambda t, a, b: a.svd().S, (SQ, RHS)),
    ("lu_solve", lambda t, a, b: b.lu_solve(*a.lu()), (SQ, RHS)),
    ("ormqr", lambda t, a, b: a.ormqr(b[..., 0], b), (SQ, RHS)),
]


@pytest.mark.parametrize("name,expr,arrays", METHODS, ids=[c[0] for c in METHODS])
def test_tensor_methods_record_as_torch_does(name, expr, arrays):
    real = _real()
    ep = export_and_lint(_Call2(lambda *a: expr(ours, *a)), tuple(ours.from_numpy(a.copy()) for a in arrays))
    assert _graph_lines(str(ep)) == _graph_lines(_torch_program(real, expr, arrays))
    mine = ep.module()(*(ours.from_numpy(a.copy()) for a in arrays))
    theirs = expr(real, *(real.from_numpy(a.copy()) for a in arrays))
    np.testing.assert_allclose(mine._value, theirs.numpy(), rtol=1e-4, atol=1e-4)


LOWRANK = [
    ("svd_lowrank", lambda t, a, b: t.svd_lowrank(a @ b.mT, q=2)),
    ("svd_lowrank_wide_M", lambda t, a, b: t.svd_lowrank((a @ b.mT).mT, q=2, M=b[..., :1, :1])),
    ("pca_lowrank", lambda t, a, b: t.pca_lowrank(b @ a.mT, q=2)),
]


@pytest.mark.parametrize("name,expr", LOWRANK, ids=[c[0] for c in LOWRANK])
def test_lowrank_svd_records_as_torch_does_and_recovers_a_low_rank_matrix(name, expr):
    real = _real()
    arrays = (TALL[..., :2], RHS[..., :2].copy())
    ep = export_and_lint(_Call2(lambda *a: expr(ours, *a)), tuple(ours.from_numpy(a.copy()) for a in arrays))
    assert _graph_lines(str(ep)) == _graph_lines(_torch_program(real, expr, arrays))
    low = ours.svd_lowrank(ours.from_numpy(TALL[..., :2] @ RHS[..., :2].transpose(0, 2, 1)), q=2)
    u, s, v = (t._value for t in low)
    np.testing.assert_allclose((u * s[..., None, :]) @ v.transpose(0, 2, 1),
                               TALL[..., :2] @ RHS[..., :2].transpose(0, 2, 1), atol=1e-4)
