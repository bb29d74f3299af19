"""Shape rules of matrix products (mm, mv, dot, the ``add*`` products, outer/inner/kron/tensordot,
einsum, cross): the inner sizes must agree (a guard when they are symbolic)."""

from __future__ import annotations

from typing import Any

from exportdb.errors import UnsupportedAPIError
from exportdb.exporter.symbolic.shape_rules.core import broadcast, require_equal, rule, shape_of, wrap_dim
from exportdb.exporter.trace.user_frames import user_location


@rule("aten.linear.default")
def _linear(x: Any, weight: Any, bias: Any = None) -> tuple:
    require_equal(shape_of(x)[-1], shape_of(weight)[-1])
    return broadcast(shape_of(x)[:-1]) + (shape_of(weight)[0],)


@rule("aten.bilinear.default")
def _bilinear(x1: Any, x2: Any, weight: Any, bias: Any = None) -> tuple:
    require_equal(shape_of(x1)[-1], shape_of(weight)[1])
    require_equal(shape_of(x2)[-1], shape_of(weight)[2])
    return broadcast(shape_of(x1)[:-1], shape_of(x2)[:-1]) + (shape_of(weight)[0],)


@rule("aten.matmul.default", "aten.mm.default", "aten.bmm.default")
def _matmul(a: Any, b: Any) -> tuple:
    sa, sb = shape_of(a), shape_of(b)
    require_equal(sa[-1], sb[0] if len(sb) == 1 else sb[-2])
    if len(sb) == 1:
        return sa[:-1]
    if len(sa) == 1:
        return sb[:-2] + sb[-1:]
    return broadcast(sa[:-2], sb[:-2]) + (sa[-2], sb[-1])


@rule("aten.mv.default")
def _mv(a: Any, vec: Any) -> tuple:
    require_equal(shape_of(a)[1], shape_of(vec)[0])
    return shape_of(a)[:1]


@rule("aten.dot.default", "aten.vdot.default")
def _dot(a: Any, b: Any) -> tuple:
    require_equal(shape_of(a)[0], shape_of(b)[0])
    return ()


@rule("aten.addmm.default", "aten.addmv.default", "aten.addr.default")
def _fused(a: Any, m1: Any, m2: Any, **kwargs: Any) -> tuple:
    s1, s2 = shape_of(m1), shape_of(m2)
    if len(s1) == 1:  # addr: an outer product
        return (s1[0], s2[0])
    require_equal(s1[-1], s2[0] if len(s2) == 1 else s2[-2])
    if len(s2) == 1:  # addmv
        return s1[:1]
    return (s1[-2], s2[-1])


def _batch_product(b1: Any, b2: Any) -> tuple:
    s1, s2 = shape_of(b1), shape_of(b2)
    require_equal(s1[0], s2[0])
    require_equal(s1[2], s2[1])
    return (s1[0], s1[1], s2[2])


@rule("aten.baddbmm.default")
def _baddbmm(a: Any, b1: Any, b2: Any, **kwargs: Any) -> tuple:
    return _batch_product(b1, b2)


@rule("aten.addbmm.default")
def _addbmm(a: Any, b1: Any, b2: Any, **kwargs: Any) -> tuple:
    return _batch_product(b1, b2)[1:]


@rule("aten.outer.default", "aten.ger.default")
def _outer(a: Any, b: Any) -> tuple:
    return (shape_of(a)[0], shape_of(b)[0])


@rule("aten.inner.default")
def _inner(a: Any, b: Any) -> tuple:
    sa, sb = shape_of(a), shape_of(b)
    if not sa or not sb:
        return broadcast(sa, sb)
    require_equal(sa[-1], sb[-1])
    return sa[:-1] + sb[:-1]


@rule("aten.kron.default")
def _kron(a: Any, b: Any) -> tuple:
    sa, sb = shape_of(a), shape_of(b)
    n = max(len(sa), len(sb))
    sa, sb = (1,) * (n - len(sa)) + sa, (1,) * (n - len(sb)) + sb
    return tuple(x * y for x, y in zip(sa, sb))


@rule("aten.tensordot.default")
def _tensordot(a: Any, b: Any, dims_a: Any, dims_b: Any) -> tuple:
    sa, sb = shape_of(a), shape_of(b)
    da = {wrap_dim(d, len(sa)) for d in dims_a}
    db = {wrap_dim(d, len(sb)) for d in dims_b}
    return tuple(s for i, s in enumerate(sa) if i not in da) + tuple(s for i, s in enumerate(sb) if i not in db)


@rule("aten.cross.default", "aten.linalg_cross.default")
def _cross(a: Any, b: Any, *args: Any, **kwargs: Any) -> tuple:
    return broadcast(shape_of(a), shape_of(b))


@rule("aten.linalg_vecdot.default")
def _vecdot(x: Any, y: Any, *, dim: int = -1) -> tuple:
    shape = broadcast(shape_of(x), shape_of(y))
    d = wrap_dim(dim, len(shape))
    return shape[:d] + shape[d + 1:]


@rule("aten.linalg_matrix_power.default", "aten.matrix_power.default")
def _matrix_power(a: Any, n: int) -> tuple:
    return shape_of(a)


@rule("aten.einsum.default")
def _einsum(equation: str, tensors: Any, **kwargs: Any) -> tuple:
    inputs, arrow, output = equation.replace(" ", "").partition("->")
    sizes: dict[str, Any] = {}
    for spec, t in zip(inputs.split(","), tensors):
        if "." in spec:
            raise UnsupportedAPIError("einsum with '...' and symbolic sizes is not supported by the built-in exporter",
                                      location=user_location(), hint="spell out every dimension in the equation")
        for letter, size in zip(spec, shape_of(t)):
            if letter in sizes and not (isinstance(size, int) and size == 1):
                require_equal(sizes[letter], size)
            elif letter not in sizes or isinstance(sizes[letter], int) and sizes[letter] == 1:
                sizes[letter] = size
    if not arrow:
        output = "".join(sorted(c for c in set(inputs.replace(",", "")) if inputs.count(c) == 1))
    return tuple(sizes[c] for c in output)
