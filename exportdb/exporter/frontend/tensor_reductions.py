"""Reduction, scan, sorting and statistics methods of the front end's ``torch.Tensor``.

A mixin of :class:`exportdb.exporter.frontend.tensor.Tensor`.  Each method picks the
overload torch.export 2.13 records for the call (``x.std(1)`` is ``aten.std.dim``,
``x.std()`` is ``aten.std.correction``, ``x.sort(stable=True)`` is ``aten.sort.stable``)
and :func:`record` lays the arguments out as the op's schema says (positional
before ``*``, defaults dropped): ``x.cumsum(1)`` records
``torch.ops.aten.cumsum.default(x, 1)`` and ``x.topk(2, largest=False)`` records
``torch.ops.aten.topk.default(x, 2, -1, False)``.
"""

from __future__ import annotations

from collections import namedtuple
from typing import TYPE_CHECKING, Any

from exportdb.exporter.ir.dtypes import DType
from exportdb.exporter.ir.values import TensorValue
from exportdb.exporter.ops import aten
from exportdb.exporter.trace.dispatch import call
from exportdb.exporter.frontend.tensor_views import data_dependent
from exportdb.exporter.ir.dims import wrap_dim
from exportdb.exporter.ir.tensor_meta import TensorMeta
from exportdb.exporter.symbolic.shape_env import attach_sizes
from exportdb.exporter.trace.context import active_builder

if TYPE_CHECKING:
    from exportdb.exporter.frontend.tensor import Tensor

#: What torch's ``torch.return_types`` hold: ``values`` and ``indices`` (sort, topk, cummax, ...).
ValuesIndices = namedtuple("ValuesIndices", ["values", "indices"])
MinMax = namedtuple("MinMax", ["min", "max"])
Histogram = namedtuple("Histogram", ["hist", "bin_edges"])

#: Marks an argument the caller left out (torch picks overloads by which ones are given).
MISSING: Any = object()


def record(name: str, *args: Any, **kwargs: Any) -> Any:
    """Call ``aten.<name>``; :func:`call` lays the arguments out as torch.export records them."""
    return call(aten(name), *args, **kwargs)


def is_tensor(value: Any) -> bool:
    return isinstance(value, TensorValue)


def dim_list(dim: Any) -> Any:
    """A dim argument as an ``int[]`` (None stays None)."""
    if dim is None or isinstance(dim, list):
        return dim
    return list(dim) if isinstance(dim, tuple) else [dim]


def variance(name: str, self: Any, dim: Any = MISSING, unbiased: Any = MISSING, keepdim: bool = False, *,
             correction: Any = MISSING) -> Any:
    """std/var/std_mean/var_mean: the overload torch's argument parser picks for the call."""
    if isinstance(dim, bool) and unbiased is MISSING:  # x.std(True): the unbiased flag, positionally
        return record(f"{name}.default", self, dim)
    if correction is not MISSING:
        return record(f"{name}.correction", self, None if dim is MISSING else dim_list(dim),
                      correction=correction, keepdim=keepdim)
    if dim is not MISSING:
        return record(f"{name}.dim", self, dim_list(dim), True if unbiased is MISSING else unbiased, keepdim)
    if unbiased is not MISSING:
        return record(f"{name}.default", self, unbiased)
    return record(f"{name}.correction", self, keepdim=keepdim)


def vector_or_matrix_norm(self: Any, p: Any = "fro", dim: Any = None, keepdim: bool = False,
                          dtype: DType | None = None) -> Any:
    """``torch.norm``: a vector norm unless ``p`` is ``"nuc"`` (or ``"fro"`` over more than two dims)."""
    kw = {} if dtype is None else {"dtype": dtype}
    if isinstance(dim, int):
        dim = [dim]
    if p == "nuc":
        dims = [0, 1] if dim is None else dim_list(dim)
        return record("linalg_matrix_norm.str_ord", self, "nuc", dims, keepdim, **kw)
    if p is None or p == "fro":
        if dim is None or len(dim) <= 2:
            return record("linalg_vector_norm.default", self, 2, dim_list(dim), keepdim, **kw)
        return record("linalg_matrix_norm.str_ord", self, "fro", dim_list(dim), keepdim, **kw)
    return record("linalg_vector_norm.default", self, p, dim_list(dim), keepdim, **kw)


def unique_outputs(self: Any, outs: tuple, dim: int | None, return_inverse: bool, return_counts: bool) -> Any:
    """What torch.unique returns, and while tracing the sizes torch.export gives the three
    outputs: the unique values' length along ``dim`` is a new unbacked ``u0`` asserted within
    ``[0, numel]`` (``[0, size(dim)]``), the counts share it, and a second symbol ``u1``
    (torch's counts length, unified with ``u0``) stays in the range constraints."""

    values, inverse, counts = outs
    axis = 0 if dim is None else wrap_dim(dim, self.ndim)
    bound = int(self._value.size) if dim is None else int(self._value.shape[axis])
    values = data_dependent(values, axis, bound)
    builder = active_builder()
    if builder is not None and values._sym is not None:
        length = values._sym[axis]
        twin = builder.env.new_unbacked(int(values._value.shape[axis]))
        builder.env.ranges[twin] = builder.env.ranges[length.expr]
        for part in (inverse, counts):  # torch reads them after the asserts
            if part is counts and (return_counts or dim is not None):
                attach_sizes(part, (length,))
                part._node.meta["val"] = TensorMeta(tuple(part._sym), part._node.meta["val"].dtype)
            nodes = part._node.graph.nodes
            nodes.remove(part._node)
            nodes.append(part._node)
    result = (values,) + ((inverse,) if return_inverse else ()) + ((counts,) if return_counts else ())
    return result if len(result) > 1 else values


def _last_dim_annotations(self: Any, outs: tuple) -> None:
    """The shapes torch.export 2.13 prints for ``unique_consecutive(x, dim=-1)``: its shape function
    keeps ``x.shape[:dim]``, the unbacked length and ``x.shape[dim + 1:]``, which for ``dim=-1`` is
    all of ``x.shape`` (``f32[3, u0, 3, 4]`` for a ``[3, 4]`` input), and the counts keep ``x``'s
    last size.  Only the printed annotations follow it: the tensors keep their true sizes."""
    values, _, counts = outs
    if active_builder() is None or values._sym is None:
        return
    sizes = tuple(self.shape)
    values._node.meta["val"] = TensorMeta(tuple(values._sym) + sizes, values._node.meta["val"].dtype)
    counts._node.meta["val"] = TensorMeta(sizes[-1:], counts._node.meta["val"].dtype)


class TensorReductions:
    """Reductions, scans, sorting and statistics as ``torch.Tensor`` methods."""
    __slots__ = ()

    # -- reductions --------------------------------------------------------------------------
    def nansum(self, dim: Any = None, keepdim: bool = False, *, dtype: DType | None = None) -> "Tensor":
        return record("nansum.default", self, dim_list(dim), keepdim, dtype=dtype)

    def nanmean(self, dim: Any = None, keepdim: bool = False, *, dtype: DType | None = None) -> "Tensor":
        return record("nanmean.default", self, dim_list(dim), keepdim, dtype=dtype)

    def hash_tensor(self, dim: Any = (), *, keepdim: bool = False, mode: int = 0) -> "Tensor":
        dims = [dim] if isinstance(dim, int) else list(dim)
        return record("hash_tensor.default", self, dims, keepdim=keepdim, mode=mode)

    def sum_to_size(self, *size: Any) -> "Tensor":
        if len(size) == 1 and isinstance(size[0], (tuple, list)):
            size = tuple(size[0])
        return record("sum_to_size.default", self, list(size))

    def aminmax(self, *, dim: int | None = None, keepdim: bool = False) -> Any:
        return MinMax(*record("aminmax.default", self, dim=dim, keepdim=keepdim))

    def count_nonzero(self, dim: Any = None) -> "Tensor":
        if isinstance(dim, (tuple, list)):
            return record("count_nonzero.dim_IntList", self, list(dim))
        return record("count_nonzero.default", self, dim)

    def logsumexp(self, dim: Any, keepdim: bool = False) -> "Tensor":
        return record("logsumexp.default", self, dim_list(dim), keepdim)

    def std(self, dim: Any = MISSING, unbiased: Any = MISSING, keepdim: bool = False, *,
            correction: Any = MISSING) -> "Tensor":
        return variance("std", self, dim, unbiased, keepdim, correction=correction)

    def var(self, dim: Any = MISSING, unbiased: Any = MISSING, keepdim: bool = False, *,
            correction: Any = MISSING) -> "Tensor":
        return variance("var", self, dim, unbiased, keepdim, correction=correction)

    def median(self, dim: int | None = None, keepdim: bool = False) -> Any:
        if dim is None:
            return record("median.default", self)
        return ValuesIndices(*record("median.dim", self, dim, keepdim))

    def nanmedian(self, dim: int | None = None, keepdim: bool = False) -> Any:
        if dim is None:
            return record("nanmedian.default", self)
        return ValuesIndices(*record("nanmedian.dim", self, dim, keepdim))

    def mode(self, dim: int = -1, keepdim: bool = False) -> Any:
        return ValuesIndices(*record("mode.default", self, dim, keepdim))

    def kthvalue(self, k: int, dim: int = -1, keepdim: bool = False) -> Any:
        return ValuesIndices(*record("kthvalue.default", self, k, dim, keepdim))

    def quantile(self, q: Any, dim: int | None = None, keepdim: bool = False, *,
                 interpolation: str = "linear") -> "Tensor":
        overload = "default" if is_tensor(q) else "scalar"
        return record(f"quantile.{overload}", self, q, dim, keepdim, interpolation=interpolation)

    def nanquantile(self, q: Any, dim: int | None = None, keepdim: bool = False, *,
                    interpolation: str = "linear") -> "Tensor":
        overload = "default" if is_tensor(q) else "scalar"
        return record(f"nanquantile.{overload}", self, q, dim, keepdim, interpolation=interpolation)

    # -- norms and distances ---------------------------------------------------------------------
    def norm(self, p: Any = "fro", dim: Any = None, keepdim: bool = False, dtype: DType | None = None) -> "Tensor":
        return vector_or_matrix_norm(self, p, dim, keepdim, dtype)

    def dist(self, other: "Tensor", p: Any = 2) -> "Tensor":
        return record("dist.default", self, other, p)

    def renorm(self, p: Any, dim: int, maxnorm: Any) -> "Tensor":
        return record("renorm.default", self, p, dim, maxnorm)

    # -- scans -------------------------------------------------------------------------------------
    def cumsum(self, dim: int, *, dtype: DType | None = None) -> "Tensor":
        return record("cumsum.default", self, dim, dtype=dtype)

    def cumprod(self, dim: int, *, dtype: DType | None = None) -> "Tensor":
        return record("cumprod.default", self, dim, dtype=dtype)

    def cummax(self, dim: int) -> Any:
        return ValuesIndices(*record("cummax.default", self, dim))

    def cummin(self, dim: int) -> Any:
        return ValuesIndices(*record("cummin.default", self, dim))

    def logcumsumexp(self, dim: int) -> "Tensor":
        return record("logcumsumexp.default", self, dim)

    def diff(self, n: int = 1, dim: int = -1, prepend: Any = None, append: Any = None) -> "Tensor":
        return record("diff.default", self, n, dim, prepend, append)

    # -- sorting and searching ---------------------------------------------------------------------
    def sort(self, dim: int = -1, descending: bool = False, *, stable: Any = MISSING) -> Any:
        if stable is not MISSING:
            return ValuesIndices(*record("sort.stable", self, stable=stable, dim=dim, descending=descending))
        return ValuesIndices(*record("sort.default", self, dim, descending))

    def argsort(self, dim: int = -1, descending: bool = False, *, stable: Any = MISSING) -> "Tensor":
        if stable is not MISSING:
            return record("argsort.stable", self, stable=stable, dim=dim, descending=descending)
        return record("argsort.default", self, dim, descending)

    def msort(self) -> "Tensor":
        return record("msort.default", self)

    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:  # noqa: A002
        return ValuesIndices(*record("topk.default", self, k, dim, largest, sorted))

    def histogram(self, bins: Any = 100, *, range: Any = None, weight: Any = None,  # noqa: A002
                  density: bool = False) -> Any:
        if isinstance(bins, TensorValue):
            return Histogram(*record("histogram.bins_tensor", self, bins, weight=weight, density=density))
        range = None if range is None else [float(r) for r in range]  # noqa: A001
        return Histogram(*record("histogram.bin_ct", self, bins, range=range, weight=weight, density=density))

    def histc(self, bins: int = 100, min: Any = 0, max: Any = 0) -> "Tensor":  # noqa: A002
        return record("histc.default", self, bins, min, max)

    def unique(self, sorted: bool = True, return_inverse: bool = False, return_counts: bool = False,  # noqa: A002
               dim: int | None = None) -> Any:
        if dim is None:
            outs = record("_unique2.default", self, sorted, return_inverse, return_counts)
        else:
            outs = record("unique_dim.default", self, dim, sorted, return_inverse, return_counts)
        return unique_outputs(self, outs, dim, return_inverse, return_counts)

    def unique_consecutive(self, return_inverse: bool = False, return_counts: bool = False,
                           dim: int | None = None) -> Any:
        outs = record("unique_consecutive.default", self, return_inverse, return_counts, dim)
        result = unique_outputs(self, outs, dim, return_inverse, return_counts)
        if dim == -1:
            _last_dim_annotations(self, outs)
        return result

    def bincount(self, weights: Any = None, minlength: int = 0) -> "Tensor":
        """Its length depends on the values: an unbacked size ``u0``, asserted ``>= minlength``."""
        return data_dependent(record("bincount.default", self, weights, minlength), 0, None, low=minlength)
