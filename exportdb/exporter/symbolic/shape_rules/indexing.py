"""Shape rules of indexing ops: gathers and scatters, ``index_*`` along a dim, take/put.

The data-dependent ops (``nonzero``, ``masked_select``, ...) get their unbacked
size from the front end, never from a rule.
"""

from __future__ import annotations

from typing import Any

from exportdb.exporter.symbolic.shape_rules.core import broadcast, rule, shape_of, wrap_dim


@rule("aten.scatter.src", "aten.scatter.value", "aten.scatter.reduce", "aten.scatter.value_reduce",
      "aten.scatter_add.default", "aten.scatter_reduce.two", "aten.index_add.default", "aten.index_copy.default",
      "aten.index_fill.int_Scalar", "aten.index_fill.int_Tensor", "aten.index_reduce.default", "aten.put.default",
      "aten.index_put.default")
def _like_self(a: Any, *args: Any, **kwargs: Any) -> tuple:
    return shape_of(a)


@rule("aten.masked_scatter.default")
def _masked_scatter(a: Any, mask: Any, source: Any) -> tuple:
    return broadcast(shape_of(a), shape_of(mask))


@rule("aten.gather.default")
def _gather(a: Any, dim: int, index: Any, **kwargs: Any) -> tuple:
    return shape_of(index)


@rule("aten.take.default")
def _take(a: Any, index: Any) -> tuple:
    return shape_of(index)


@rule("aten.index_select.default")
def _index_select(a: Any, dim: int, index: Any) -> tuple:
    shape = list(shape_of(a))
    if not shape:
        return ()
    index_shape = shape_of(index)
    shape[wrap_dim(dim, len(shape))] = index_shape[0] if index_shape else 1
    return tuple(shape)


@rule("aten.take_along_dim.default")
def _take_along_dim(a: Any, indices: Any, dim: int | None = None) -> tuple:
    if dim is None:
        n: Any = 1
        for s in shape_of(indices):
            n = n * s
        return (n,)
    sa, si = list(shape_of(a)), list(shape_of(indices))
    d = wrap_dim(dim, len(sa))
    keep = si[d]
    sa[d] = si[d] = 1
    out = list(broadcast(tuple(sa), tuple(si)))
    out[d] = keep
    return tuple(out)


@rule("aten.isin.Tensor_Tensor", "aten.isin.Tensor_Scalar")
def _isin(elements: Any, test_elements: Any, **kwargs: Any) -> tuple:
    return shape_of(elements)


@rule("aten.isin.Scalar_Tensor")
def _isin_scalar(element: Any, test_elements: Any, **kwargs: Any) -> tuple:
    return ()


@rule("aten.nonzero_static.default")
def _nonzero_static(a: Any, *, size: Any, fill_value: int = -1) -> tuple:
    return (size, len(shape_of(a)))
