"""Matrix products: values against eager PyTorch and the ATen overloads torch.export 2.13 records.

``ours`` is exportdb's front end; ``real`` is the installed torch (the value tests
skip without it).
"""

from __future__ import annotations

import numpy as np
import pytest

from exporter_helpers import body, export_and_lint, targets, torch as ours

RNG = np.random.default_rng(2)
A = RNG.standard_normal((3, 4)).astype(np.float32)
B = RNG.standard_normal((4, 5)).astype(np.float32)
V4 = RNG.standard_normal(4).astype(np.float32)
V3 = RNG.standard_normal(3).astype(np.float32)
B1 = RNG.standard_normal((2, 3, 4)).astype(np.float32)
B2 = RNG.standard_normal((2, 4, 5)).astype(np.float32)
C3 = RNG.standard_normal((2, 3)).astype(np.float32)
SQ = RNG.standard_normal((2, 3, 3)).astype(np.float32)

CALLS = [
    ("mv", lambda t, a, v: t.mv(a, v), (A, V4)),
    ("dot", lambda t, v: t.dot(v, v * 2), (V4,)),
    ("vdot", lambda t, v: t.vdot(v, v + 1), (V4,)),
    ("addmm", lambda t, a, b: t.addmm(t.ones(5), a, b, beta=0.5, alpha=2), (A, B)),
    ("addmm_beta0", lambda t, a, b: t.addmm(t.full((3, 5), float("nan")), a, b, beta=0), (A, B)),
    ("addmv", lambda t, a, v: t.addmv(t.ones(3), a, v, alpha=-1), (A, V4)),
    ("addbmm", lambda t, x, y: t.addbmm(t.ones(3, 5), x, y), (B1, B2)),
    ("baddbmm", lambda t, x, y: t.baddbmm(t.ones(1), x, y, beta=2), (B1, B2)),
    ("addr", lambda t, v, w: t.addr(t.zeros(4, 3), v, w), (V4, V3)),
    ("outer", lambda t, v, w: t.outer(v, w), (V4, V3)),
    ("inner", lambda t, a, b: t.inner(a, b.T), (A, B)),
    ("kron", lambda t, a, c: t.kron(a, c), (A, C3)),
    ("tensordot_int", lambda t, a, b: t.tensordot(a, b, 1), (A, B)),
    ("tensordot_lists", lambda t, x, y: t.tensordot(x, y, ([0, 2], [0, 1])), (B1, B2)),
    ("einsum_batched", lambda t, x, y: t.einsum("bij,bjk->bik", x, y), (B1, B2)),
    ("einsum_list", lambda t, a, b: t.einsum("ij,jk", [a, b]), (A, B)),
    ("einsum_trace", lambda t, s: t.einsum("bii->b", s), (SQ,)),
    ("einsum_drops_ellipsis", lambda t, x, c: t.einsum("...ik, ...j -> ij", [x, c]), (B1, C3)),
    ("cross", lambda t, x: t.cross(x, x.flip(-1), dim=1), (SQ,)),
    ("linalg_cross", lambda t, x: t.linalg.cross(x, x[:1] * 2), (SQ,)),
    ("block_diag", lambda t, a, c: t.block_diag(a, c, a[0]), (A, C3)),
    ("cartesian_prod", lambda t, v, w: t.cartesian_prod(v, w), (V4, V3)),
    ("vecdot", lambda t, x, y: t.linalg.vecdot(x, y, dim=1), (B1, B1)),
    ("multi_dot", lambda t, v, a, b: t.linalg.multi_dot([v[:3], a, b]), (V4, A, B)),
    ("matrix_power", lambda t, s: t.linalg.matrix_power(s, 3), (SQ,)),
    ("matrix_power_inverse", lambda t, s: t.linalg.matrix_power(s, -2), (SQ,)),
]


@pytest.mark.parametrize("name,expr,arrays", CALLS, ids=[c[0] for c in CALLS])
def test_values_match_eager_torch(name, expr, arrays):
    real = pytest.importorskip("torch", reason="values are compared against eager PyTorch")
    mine = expr(ours, *(ours.from_numpy(a.copy()) for a in arrays))
    theirs = expr(real, *(real.from_numpy(a.copy()) for a in arrays))
    assert mine._value.shape == tuple(theirs.shape) and mine.dtype.name == str(theirs.dtype)[6:]
    np.testing.assert_allclose(mine._value, theirs.numpy(), rtol=1e-4, atol=1e-5)


class _Two(ours.nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x, y):
        return self.fn(x, y)


RECORDED = [
    (lambda x, y: ours.addmm(y[0], x, y, beta=0.5), "aten.addmm.default", "addmm.default(select, x, y, beta = 0.5)"),
    (lambda x, y: ours.einsum("ij,jk->ik", x, y), "aten.einsum.default", "einsum.default('ij,jk->ik', [x, y])"),
    (lambda x, y: ours.tensordot(x, y, 1), "aten.tensordot.default", "tensordot.default(x, y, [-1], [0])"),
    (lambda x, y: ours.linalg.vecdot(x, x), "aten.linalg_vecdot.default", "linalg_vecdot.default(x, x)"),
    (lambda x, y: ours.block_diag(x, y), "aten.block_diag.default", "block_diag.default([x, y])"),
]


@pytest.mark.parametrize("fn,target,text", RECORDED, ids=[r[1] for r in RECORDED])
def test_recorded_overload_and_arguments(fn, target, text):
    ep = export_and_lint(_Two(fn), (ours.from_numpy(A.copy()), ours.from_numpy(B.copy())))
    assert target in targets(ep.graph)
    assert any(text in line for line in body(ep)), body(ep)


def test_mismatched_inner_sizes_fail_like_torch():
    from exportdb.errors import ExportError

    with pytest.raises(ExportError, match="size mismatch"):
        ours.mv(ours.from_numpy(A.copy()), ours.from_numpy(V3.copy()))
