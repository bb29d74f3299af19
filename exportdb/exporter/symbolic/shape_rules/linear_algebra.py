"""Shape rules of matrix products: the inner sizes must agree (a guard when they are symbolic)."""

from __future__ import annotations

from typing import Any

from exportdb.exporter.symbolic.shape_rules.core import broadcast, require_equal, rule, shape_of


@rule("aten.linear.default")
def _linear(x: Any, weight: Any, bias: Any = None) -> tuple:
    require_equal(shape_of(x)[-1], shape_of(weight)[-1])
    return broadcast(shape_of(x)[:-1]) + (shape_of(weight)[0],)


@rule("aten.matmul.default", "aten.mm.default", "aten.bmm.default")
def _matmul(a: Any, b: Any) -> tuple:
    sa, sb = shape_of(a), shape_of(b)
    require_equal(sa[-1], sb[0] if len(sb) == 1 else sb[-2])
    if len(sb) == 1:
        return sa[:-1]
    if len(sa) == 1:
        return sb[:-2] + sb[-1:]
    return broadcast(sa[:-2], sb[:-2]) + (sa[-2], sb[-1])
