"""Shape rules of scans (same shape), sorts and searches, differences and integrals along a
dim, and distances between sets of vectors."""

from __future__ import annotations

from typing import Any

from exportdb.exporter.symbolic.shape_rules.core import broadcast, rule, shape_of, wrap_dim


@rule("aten.cumsum.default", "aten.cumprod.default", "aten.logcumsumexp.default", "aten.argsort.default",
      "aten.argsort.stable", "aten.msort.default", "aten.renorm.default",
      "aten.clamp_min.default")  # clamp_min: F.normalize's, with a scalar bound
def _same_shape(a: Any, *args: Any, **kwargs: Any) -> tuple:
    return shape_of(a)


@rule("aten.cummax.default", "aten.cummin.default", "aten.sort.default", "aten.sort.stable")
def _same_shape_pair(a: Any, *args: Any, **kwargs: Any) -> list:
    return [shape_of(a), shape_of(a)]


def _replace(shape: tuple, dim: int, size: Any) -> tuple:
    if not shape:
        return shape
    axis = wrap_dim(dim, len(shape))
    return shape[:axis] + (size,) + shape[axis + 1:]


@rule("aten.topk.default")
def _topk(a: Any, k: Any, dim: int = -1, largest: bool = True, sorted: bool = True) -> list:  # noqa: A002
    shape = _replace(shape_of(a), dim, k)
    return [shape, shape]


@rule("aten.diff.default")
def _diff(a: Any, n: int = 1, dim: int = -1, prepend: Any = None, append: Any = None) -> tuple:
    shape = shape_of(a)
    if n == 0:  # the input, unchanged
        return shape
    axis = wrap_dim(dim, len(shape))
    size = shape[axis]
    for extra in (prepend, append):
        if extra is not None:
            size = size + shape_of(extra)[axis]
    return _replace(shape, axis, size - n)


@rule("aten.trapezoid.x", "aten.trapz.x", "aten.trapezoid.dx", "aten.trapz.dx")
def _integral(y: Any, *args: Any, dim: int = -1, **kwargs: Any) -> tuple:
    shape = shape_of(y)
    axis = wrap_dim(dim, len(shape))
    return shape[:axis] + shape[axis + 1:]


@rule("aten.cumulative_trapezoid.x", "aten.cumulative_trapezoid.dx")
def _cumulative_integral(y: Any, *args: Any, dim: int = -1, **kwargs: Any) -> tuple:
    shape = shape_of(y)
    return _replace(shape, dim, shape[wrap_dim(dim, len(shape))] - 1)


@rule("aten.searchsorted.Tensor", "aten.searchsorted.Scalar")
def _searchsorted(sorted_sequence: Any, values: Any, **kwargs: Any) -> tuple:
    return shape_of(values)


@rule("aten.bucketize.Tensor", "aten.bucketize.Scalar")
def _bucketize(values: Any, boundaries: Any, **kwargs: Any) -> tuple:
    return shape_of(values)


@rule("aten.histogram.bin_ct")
def _histogram(a: Any, bins: Any = 100, **kwargs: Any) -> list:
    return [(bins,), (bins + 1,)]


@rule("aten.histogram.bins_tensor")
def _histogram_edges(a: Any, bins: Any, **kwargs: Any) -> list:
    n = shape_of(bins)[0]
    return [(n - 1,), (n,)]


@rule("aten.histc.default")
def _histc(a: Any, bins: int = 100, *args: Any) -> tuple:
    return (bins,)


@rule("aten.cosine_similarity.default")
def _cosine_similarity(x1: Any, x2: Any, dim: int = 1, eps: float = 1e-8) -> tuple:
    shape = broadcast(shape_of(x1), shape_of(x2))
    axis = wrap_dim(dim, len(shape))
    return shape[:axis] + shape[axis + 1:]


@rule("aten.pairwise_distance.default")
def _pairwise_distance(x1: Any, x2: Any, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> tuple:
    shape = broadcast(shape_of(x1), shape_of(x2))
    if not shape:
        return shape
    return shape[:-1] + ((1,) if keepdim else ())


@rule("aten.cdist.default")
def _cdist(x1: Any, x2: Any, *args: Any) -> tuple:
    s1, s2 = shape_of(x1), shape_of(x2)
    return broadcast(s1[:-2], s2[:-2]) + (s1[-2], s2[-2])


@rule("aten.pdist.default")
def _pdist(a: Any, p: float = 2.0) -> tuple:
    n = shape_of(a)[0]
    return (n * (n - 1) // 2,)


@rule(*[f"aten.gradient.{overload}" for overload in (
    "scalarint", "scalararray", "array", "scalarrayint", "scalarrayarray", "tensorarrayint", "tensorarray")])
def _gradient(a: Any, *, spacing: Any = None, dim: Any = None, edge_order: int = 1) -> list:
    ndim = len(shape_of(a))
    count = ndim if dim is None else 1 if isinstance(dim, int) else len(dim)
    return [shape_of(a)] * count
