"""``torch.svd_lowrank`` and ``torch.pca_lowrank``: randomized low-rank SVD (Halko, Martinsson
and Tropp's randomized range finder with ``niter`` subspace iterations), composed of the ops
torch.export 2.13 records for them: a Gaussian test matrix (``randn``), products with A and
its adjoint, the Q factor of ``linalg_qr`` after every product, then ``linalg_svd`` of the
small projected matrix.

A wide input (m < n) is handled through its adjoint, whose factors come back swapped.  With
``M`` (``svd_lowrank``) every product with A is one with A - M, written as two products and
a difference so that A - M is never formed.  :data:`NAMESPACE` joins ``torch``.
"""

from __future__ import annotations

from typing import Any

from exportdb.exporter.frontend import functions
from exportdb.exporter.frontend.linalg_functions import LINALG


class _Shifted:
    """A, or A - M kept as the pair (products are taken with each, then subtracted)."""

    def __init__(self, a: Any, m: Any = None):
        self.a, self.m = a, m

    @property
    def adjoint(self) -> "_Shifted":
        return _Shifted(self.a.mH, None if self.m is None else self.m.mH)

    def times(self, x: Any) -> Any:
        """(A - M) @ x."""
        product = self.a @ x
        return product if self.m is None else product - self.m @ x

    def adjoint_times(self, x: Any) -> Any:
        """(A - M)^H @ x, each adjoint taken just before its product."""
        product = self.a.mH @ x
        return product if self.m is None else product - self.m.mH @ x

    def left_times(self, x: Any) -> Any:
        """x @ (A - M), with x the adjoint of the basis (taken afresh for each product)."""
        product = x.mH @ self.a
        return product if self.m is None else product - x.mH @ self.m


def _basis(a: _Shifted, q: int, niter: int) -> Any:
    """An orthonormal basis (m x q) approximating the range of A - M."""
    n = a.a.shape[-1]
    omega = functions.randn(n, q, dtype=a.a.dtype, device=a.a.device)
    basis = _orthonormal(a.times(omega))
    for _ in range(niter):
        basis = _orthonormal(a.adjoint_times(basis))
        basis = _orthonormal(a.times(basis))
    return basis


def _orthonormal(x: Any) -> Any:
    return LINALG["qr"](x).Q


def _lowrank(a: Any, q: int, niter: int, m: Any = None) -> tuple:
    if niter < 0:
        raise ValueError(f"niter must be a non-negative integer, got {niter}")
    rows, cols = a.shape[-2], a.shape[-1]
    shifted = _Shifted(a, None if m is None else m.broadcast_to(a.shape))
    wide = rows < cols
    if wide:
        shifted = shifted.adjoint
    basis = _basis(shifted, q, niter)
    u, s, vh = LINALG["svd"](shifted.left_times(basis), full_matrices=False)
    v = vh.mH
    u = basis @ u
    return (v, s, u) if wide else (u, s, v)


def svd_lowrank(A: Any, q: int | None = 6, niter: int = 2, M: Any = None) -> tuple:  # noqa: N803 - torch's names
    return _lowrank(A, 6 if q is None else q, niter, M)


def pca_lowrank(A: Any, q: int | None = None, center: bool = True, niter: int = 2) -> tuple:  # noqa: N803
    rows, cols = A.shape[-2], A.shape[-1]
    if q is None:
        q = min(6, rows, cols)
    elif not 0 <= q <= min(rows, cols):
        raise ValueError(f"q(={q}) must be non-negative integer and not greater than min(m, n)={min(rows, cols)}")
    if center:
        A = A - A.mean(dim=(-2,), keepdim=True)
    return _lowrank(A, q, niter)


NAMESPACE = {"svd_lowrank": svd_lowrank, "pca_lowrank": pca_lowrank}
