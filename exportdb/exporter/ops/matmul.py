"""Matrix products beyond ``mm``/``bmm``/``matmul``: matrix-vector and vector products,
the ``add*`` fused products, outer/inner/kron/tensordot/einsum, cross products,
block_diag, cartesian_prod and the ``linalg`` products.

Floating-point products are computed in float64 and rounded to the operands'
dtype once, so results sit within float32 rounding of torch's.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from exportdb.exporter.ops.kernel_util import promoted, wrap_dim
from exportdb.exporter.ops.table import provide


def _same_dtype(what: str, *arrays: np.ndarray) -> np.dtype:
    dt = arrays[0].dtype
    for a in arrays[1:]:
        if a.dtype != dt:
            raise RuntimeError(f"{what}: expected both operands to have the same dtype, but got: {dt} != {a.dtype}")
    return dt


def _wide(a: np.ndarray) -> np.ndarray:
    """Operands of a float product in float64 (complex128 for complex)."""
    if a.dtype.kind == "f":
        return a.astype(np.float64)
    if a.dtype.kind == "c":
        return a.astype(np.complex128)
    return a


def _product(fn: Any, dt: np.dtype, *arrays: np.ndarray) -> np.ndarray:
    return np.asarray(fn(*(_wide(a) for a in arrays))).astype(dt, copy=False)


def _need(what: str, a: np.ndarray, ndim: int, name: str = "") -> None:
    if a.ndim != ndim:
        raise RuntimeError(f"{what}: expected {name or 'argument'} to be {ndim}-D, but got {a.ndim}-D")


def _mv(a: np.ndarray, vec: np.ndarray) -> np.ndarray:
    _need("mv", a, 2, "self")
    _need("mv", vec, 1, "vec")
    if a.shape[1] != vec.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({a.shape[0]}), mat ({a.shape[0]}x{a.shape[1]}), "
                           f"vec ({vec.shape[0]})")
    return _product(np.matmul, _same_dtype("mv", a, vec), a, vec)


def _dot(a: np.ndarray, b: np.ndarray, conj: bool = False) -> np.ndarray:
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    if a.shape != b.shape:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src [{b.shape[0]}] to "
                           "have the same number of elements, but got {a.shape[0]} and {b.shape[0]} elements respectively")
    dt = _same_dtype("dot", a, b)
    return _product(lambda x, y: np.dot(np.conj(x) if conj else x, y), dt, a, b)


def _fused(what: str, product: Any, ndims: tuple[int, int]):
    """``beta * self + alpha * product(m1, m2)``; with beta 0, ``self`` is ignored (NaNs included)."""
    def kernel(a: np.ndarray, m1: np.ndarray, m2: np.ndarray, *, beta: Any = 1, alpha: Any = 1) -> np.ndarray:
        _need(what, m1, ndims[0])
        _need(what, m2, ndims[1])
        dt = _same_dtype(what, a, m1, m2)
        if dt.kind in "biu":  # integral operands take integral factors: torch truncates them (addr refuses)
            if what == "addr" and any(isinstance(f, float) for f in (beta, alpha)):
                raise RuntimeError("For integral input tensors, argument beta must not be a floating point number.")
            beta, alpha = int(beta), int(alpha)
        prod = product(_wide(m1), _wide(m2))
        scaled = prod if alpha == 1 else prod * alpha
        if beta == 0:
            out = np.broadcast_to(scaled, np.broadcast_shapes(a.shape, scaled.shape)) * 1
        else:
            out = (_wide(a) if beta == 1 else _wide(a) * beta) + scaled
        if out.shape != scaled.shape:
            raise RuntimeError(f"{what}: the input of shape {list(a.shape)} does not broadcast to the product's "
                               f"shape {list(scaled.shape)}")
        return np.asarray(out).astype(dt, copy=False)

    return kernel


def _outer(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"outer: Expected 1-D argument self, but got {a.ndim}-D")
    return _product(np.outer, np.dtype(promoted(a, b).np), a, b)


def _inner(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    dt = np.dtype(promoted(a, b).np)
    if a.ndim == 0 or b.ndim == 0:
        return _product(np.multiply, dt, a, b)
    if a.shape[-1] != b.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but got shapes "
                           f"{list(a.shape)} and {list(b.shape)}")
    return _product(np.inner, dt, a, b)


def _kron(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return _product(np.kron, np.dtype(promoted(a, b).np), a, b)


def _tensordot(a: np.ndarray, b: np.ndarray, dims_self: Sequence[int], dims_other: Sequence[int]) -> np.ndarray:
    if len(dims_self) != len(dims_other):
        raise RuntimeError("both dimension lists should have same length")
    axes = ([wrap_dim(d, a.ndim) for d in dims_self], [wrap_dim(d, b.ndim) for d in dims_other])
    dt = _same_dtype("tensordot", a, b)
    shape_a, shape_b = list(a.shape), list(b.shape)
    for i, j in zip(*axes):  # a contracted size 1 broadcasts against the other side's size
        if shape_a[i] != shape_b[j]:
            if shape_a[i] != 1 and shape_b[j] != 1:
                raise RuntimeError(f"contracted dimensions need to match, but first has size {shape_a[i]} in dim "
                                   f"{i} and second has size {shape_b[j]} in dim {j}")
            shape_a[i] = shape_b[j] = max(shape_a[i], shape_b[j])
    a, b = np.broadcast_to(a, shape_a), np.broadcast_to(b, shape_b)
    return _product(lambda x, y: np.tensordot(x, y, axes), dt, a, b)


def _einsum(equation: str, tensors: Sequence[np.ndarray], *, path: Any = None) -> np.ndarray:
    dt = np.dtype(promoted(*tensors).np)
    equation = equation.replace(" ", "")
    inputs, arrow, output = equation.partition("->")
    if arrow and "..." in inputs and "..." not in output:
        # torch sums the broadcast (ellipsis) dims an explicit output leaves out; NumPy refuses: keep them, then sum
        spans = [t.ndim - len(term.replace("...", "")) for term, t in zip(inputs.split(","), tensors) if "..." in term]
        lead = max(spans, default=0)

        def run(*ts: np.ndarray) -> np.ndarray:
            return np.einsum(f"{inputs}->...{output}", *ts).sum(axis=tuple(range(lead)))

        return _product(run, dt, *tensors)
    return _product(lambda *ts: np.einsum(equation, *ts), dt, *tensors)


def _cross_dim(a: np.ndarray, b: np.ndarray, dim: int | None) -> tuple[np.ndarray, np.ndarray, int]:
    shape = np.broadcast_shapes(a.shape, b.shape)
    a, b = np.broadcast_to(a, shape), np.broadcast_to(b, shape)
    if dim is None:
        dim = next((i for i, n in enumerate(shape) if n == 3), None)
        if dim is None:
            raise RuntimeError("no dimension of size 3 in input")
    d = wrap_dim(dim, len(shape))
    if shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got {a.shape[d]} and "
                           f"{b.shape[d]}")
    return a, b, d


def _cross(a: np.ndarray, b: np.ndarray, dim: int | None = None) -> np.ndarray:
    dt = _same_dtype("linalg.cross", a, b)
    a, b, d = _cross_dim(a, b, dim)
    return _product(lambda x, y: np.cross(x, y, axis=d), dt, a, b)


def _block_diag(tensors: Sequence[np.ndarray]) -> np.ndarray:
    mats = [t.reshape(1, -1) if t.ndim < 2 else t for t in tensors]
    if any(m.ndim != 2 for m in mats):
        raise RuntimeError("torch.block_diag: Input tensors must have 2 or fewer dimensions")
    dt = promoted(*tensors).np if tensors else np.float32
    out = np.zeros((sum(m.shape[0] for m in mats), sum(m.shape[1] for m in mats)), dt)
    r = c = 0
    for m in mats:
        out[r:r + m.shape[0], c:c + m.shape[1]] = m
        r, c = r + m.shape[0], c + m.shape[1]
    return out


def _cartesian_prod(tensors: Sequence[np.ndarray]) -> np.ndarray:
    if any(t.ndim != 1 for t in tensors):
        raise RuntimeError("Expect a 1D vector, but got shape with a different number of dimensions")
    if len(tensors) == 1:
        return tensors[0].copy()
    dt = _same_dtype("cartesian_prod", *tensors)
    grids = np.meshgrid(*tensors, indexing="ij")
    return np.stack([g.reshape(-1) for g in grids], axis=1).astype(dt, copy=False)


def _vecdot(x: np.ndarray, y: np.ndarray, *, dim: int = -1) -> np.ndarray:
    dt = _same_dtype("linalg.vecdot", x, y)
    shape = np.broadcast_shapes(x.shape, y.shape)
    d = wrap_dim(dim, len(shape))
    return _product(lambda p, q: np.sum(np.conj(p) * q, axis=d), dt, np.broadcast_to(x, shape),
                    np.broadcast_to(y, shape))


def _multi_dot(tensors: Sequence[np.ndarray]) -> np.ndarray:
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    dt = _same_dtype("multi_dot", *tensors)
    for i, t in enumerate(tensors):
        allowed = (1, 2) if i in (0, len(tensors) - 1) else (2,)
        if t.ndim not in allowed:
            raise RuntimeError(f"multi_dot(): tensor {i} must be {' or '.join(map(str, allowed))}D but got {t.ndim}D")
    return _product(lambda *ts: np.linalg.multi_dot(ts), dt, *tensors)


def _matrix_power(a: np.ndarray, n: int) -> np.ndarray:
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise RuntimeError("linalg.matrix_power: A must be batches of square matrices")
    if n < 0 and a.dtype.kind not in "fc":
        raise RuntimeError("linalg.matrix_power: inverse of an integer matrix is not supported")
    if a.dtype.kind in "biu":
        return np.linalg.matrix_power(a, n).astype(a.dtype, copy=False)
    return _product(lambda m: np.linalg.matrix_power(m, n), a.dtype, a)


provide("aten.mv.default", _mv)
provide("aten.dot.default", _dot)
provide("aten.vdot.default", lambda a, b: _dot(a, b, conj=True))
provide("aten.addmm.default", _fused("addmm", np.matmul, (2, 2)))
provide("aten.addmv.default", _fused("addmv", np.matmul, (2, 1)))
provide("aten.addbmm.default", _fused("addbmm", lambda x, y: np.matmul(x, y).sum(axis=0), (3, 3)))
provide("aten.baddbmm.default", _fused("baddbmm", np.matmul, (3, 3)))
provide("aten.addr.default", _fused("addr", np.outer, (1, 1)))
provide("aten.outer.default", _outer)
provide("aten.ger.default", _outer)
provide("aten.inner.default", _inner)
provide("aten.kron.default", _kron)
provide("aten.tensordot.default", _tensordot)
provide("aten.einsum.default", _einsum)
provide("aten.cross.default", _cross)
provide("aten.linalg_cross.default", lambda a, b, *, dim=-1: _cross(a, b, dim))
provide("aten.block_diag.default", _block_diag)
provide("aten.cartesian_prod.default", _cartesian_prod)
provide("aten.linalg_vecdot.default", _vecdot)
provide("aten.linalg_multi_dot.default", _multi_dot)
provide("aten.linalg_matrix_power.default", _matrix_power)
provide("aten.matrix_power.default", _matrix_power)
provide("aten.chain_matmul.default", lambda ts: _multi_dot(ts) if len(ts) > 1 else ts[0].copy())
