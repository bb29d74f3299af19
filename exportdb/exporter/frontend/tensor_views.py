"""View, shape, indexing and matrix-product methods of the front end's ``torch.Tensor``.

A mixin of :class:`exportdb.exporter.frontend.tensor.Tensor`.  Most methods are
one ATen op each, bound by :mod:`.aten_binding` from the op's schema, so
``x.diagonal(offset=1)`` records ``aten.diagonal.default(x, 1)`` as torch.export
does.  Ops whose result size depends on the data (``nonzero``,
``masked_select``, ...) give it an unbacked size ``u0`` bounded by run-time
asserts, as torch.export 2.13 does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from exportdb.exporter.frontend.aten_binding import call_aten, call_overloads
from exportdb.exporter.ir.values import TensorValue
from exportdb.exporter.trace.context import active_builder
from exportdb.exporter.ir.tensor_meta import TensorMeta
from exportdb.exporter.ir.dims import wrap_dim
from exportdb.exporter.ops.control_ops import SYM_STORAGE_OFFSET
from exportdb.exporter.symbolic.shape_env import SymInt, assert_at_run_time, attach_sizes
from exportdb.exporter.frontend.functions import _like_kwargs

if TYPE_CHECKING:
    from exportdb.exporter.frontend.tensor import Tensor


def data_dependent(out: Any, dim: int, bound: int | None, *, quiet_bound: int | None = None, low: int = 0) -> Any:
    """While tracing, give ``out``'s size ``dim`` a new unbacked symbol ``u<n>`` and assert
    ``low <= u<n>`` (and ``<= bound``) when the program runs, as torch.export does for
    ``nonzero`` and friends; ``quiet_bound`` caps the symbol's range without an assert.
    Eagerly, ``out`` is returned unchanged."""
    builder = active_builder()
    if builder is None or not isinstance(out, TensorValue) or out._node is None or bound == 0:
        return out  # nothing can be selected from an empty tensor: the size is a static 0

    env = builder.env
    size = SymInt(env.new_unbacked(int(out._value.shape[dim])), env, ())
    shape = list(out._sym or out._value.shape)
    shape[dim] = size
    attach_sizes(out, shape)
    out._node.meta["val"] = TensorMeta(tuple(out._sym), out._node.meta["val"].dtype)
    symbolic = out._sym[dim]
    assert_at_run_time(symbolic >= low)
    if bound is not None:
        assert_at_run_time(symbolic <= bound)
    elif quiet_bound is not None:
        env.ranges[size.expr] = (env.ranges[size.expr][0], quiet_bound)
    return out


#: The largest size torch.export gives an unbacked size it knows nothing else about (sys.maxsize - 1).
_MAX_SIZE = 9223372036854775806


def _same_length(part: Any, first: Any) -> Any:
    """Another index vector of ``nonzero(as_tuple=True)``: it shares the first one's unbacked
    length, and torch.export reads it (its ``getitem``) after the first one's asserts."""
    if first._sym is None or part._node is None:
        return part

    attach_sizes(part, first._sym)
    part._node.meta["val"] = TensorMeta(tuple(part._sym), part._node.meta["val"].dtype)
    nodes = part._node.graph.nodes
    nodes.remove(part._node)
    nodes.append(part._node)
    return part


def _split_by_values(self: Any, parts: tuple, dim: int) -> tuple:
    """``tensor_split`` at the indices a tensor holds: while tracing, each part's length along ``dim``
    is a new unbacked size (read right after the part) and every part but the first starts at an
    unbacked storage offset; then, as torch.export does, each length is asserted within
    ``[0, size(dim)]`` and each offset ``>= 0``."""
    builder = active_builder()
    if builder is None or not parts or any(p._node is None for p in parts):
        return parts
    env, axis = builder.env, wrap_dim(dim, self.ndim)
    bound = self.shape[axis]
    stride = int(np.prod(self._value.shape[axis + 1:], dtype=np.int64))
    checks: list = []
    start = 0
    for i, part in enumerate(parts):
        length = int(part._value.shape[axis])
        shape = list(part._sym or part._value.shape)
        shape[axis] = SymInt(env.new_unbacked(length), env, ())
        attach_sizes(part, shape)
        part._node.meta["val"] = TensorMeta(tuple(part._sym), part._node.meta["val"].dtype)
        size = part._sym[axis]
        size.seq = part._node.seq  # read right after the part, as torch reads it
        checks += [(size, 0, bound)]
        if i:
            offset = SymInt(env.new_unbacked(start * stride), env, (SYM_STORAGE_OFFSET, (part,)))
            offset.seq = part._node.seq
            checks.append((offset, 0, None))
        start += length
    for value, low, high in checks:  # each comparison made just before its assert, as torch does
        assert_at_run_time(value >= low)
        if high is not None:
            assert_at_run_time(value <= high)
    return parts


def _numel_bound(t: Any) -> int:
    return int(t._value.size)


def _op(name: str, *overloads: str, pack: bool = False):
    """A method calling ``aten.<name>`` (the first fitting overload); ``pack`` collects
    ``x.repeat(2, 3)``'s varargs sizes into one list argument."""
    overloads = overloads or ("default",)

    def method(self: "Tensor", *args: Any, **kwargs: Any) -> Any:
        if pack and args and all(isinstance(a, int) for a in args):
            args = (list(args),)
        return call_overloads(name, overloads, (self, *args), kwargs)

    method.__name__ = name
    return method


class TensorViews:
    """Views and reshapes, triangles and diagonals, gathers and scatters, matrix products."""
    __slots__ = ()

    # -- views whose torch name differs from the method, or with Python-level arguments ---------
    @property
    def mT(self) -> "Tensor":  # noqa: N802
        return call_aten("aten.mT.default", self)

    @property
    def mH(self) -> "Tensor":  # noqa: N802
        return call_aten("aten.mH.default", self)

    @property
    def H(self) -> "Tensor":  # noqa: N802
        return call_aten("aten.matrix_H.default", self)

    def view_as(self, other: "Tensor") -> "Tensor":
        return call_aten("aten.view_as.default", self, other)

    def reshape_as(self, other: "Tensor") -> "Tensor":
        return call_aten("aten.reshape_as.default", self, other)

    def expand_as(self, other: "Tensor") -> "Tensor":
        return call_aten("aten.expand_as.default", self, other)

    def movedim(self, source: Any, destination: Any) -> "Tensor":
        return call_overloads("movedim", ("int", "intlist"), (self, source, destination), {})

    def moveaxis(self, source: Any, destination: Any) -> "Tensor":
        return call_overloads("moveaxis", ("int", "intlist"), (self, source, destination), {})

    def tensor_split(self, indices_or_sections: Any = None, dim: int = 0, *, sections: Any = None,
                     indices: Any = None) -> tuple:
        value = next(v for v in (indices_or_sections, sections, indices) if v is not None)
        if isinstance(value, TensorValue):
            parts = call_aten("aten.tensor_split.tensor_indices_or_sections", self, value, dim)
            return _split_by_values(self, parts, dim) if value.ndim == 1 else parts
        if isinstance(value, (list, tuple)):
            return call_aten("aten.tensor_split.indices", self, list(value), dim)
        return call_aten("aten.tensor_split.sections", self, value, dim)

    def hsplit(self, sections: Any) -> tuple:
        return call_overloads("hsplit", ("int", "array"), (self, sections), {})

    def vsplit(self, sections: Any) -> tuple:
        return call_overloads("vsplit", ("int", "array"), (self, sections), {})

    def dsplit(self, sections: Any) -> tuple:
        return call_overloads("dsplit", ("int", "array"), (self, sections), {})

    def repeat_interleave(self, repeats: Any, dim: int | None = None, *, output_size: int | None = None) -> "Tensor":
        kwargs = {} if output_size is None else {"output_size": output_size}
        if isinstance(repeats, TensorValue):
            out = call_aten("aten.repeat_interleave.self_Tensor", self, repeats, dim, **kwargs)
            return out if output_size is not None else data_dependent(out, 0 if dim is None else dim, None)
        return call_aten("aten.repeat_interleave.self_int", self, repeats, dim, **kwargs)

    def unflatten(self, dim: int, sizes: Sequence[Any]) -> "Tensor":
        return call_aten("aten.unflatten.int", self, dim, list(sizes))

    def broadcast_to(self, size: Sequence[Any]) -> "Tensor":
        return call_aten("aten.broadcast_to.default", self, list(size))

    def as_strided(self, size: Sequence[Any], stride: Sequence[Any], storage_offset: Any = None) -> "Tensor":
        return call_aten("aten.as_strided.default", self, list(size), list(stride), storage_offset)

    def as_strided_scatter(self, src: "Tensor", size: Sequence[Any], stride: Sequence[Any],
                           storage_offset: Any = None) -> "Tensor":
        return call_aten("aten.as_strided_scatter.default", self, src, list(size), list(stride), storage_offset)

    def new_empty_strided(self, size: Sequence[Any], stride: Sequence[Any], *, dtype: Any = None, device: Any = None,
                          requires_grad: bool = False) -> "Tensor":

        return call_aten("aten.new_empty_strided.default", self, list(size), list(stride),
                         **_like_kwargs(dtype, device))

    # -- data-dependent sizes -------------------------------------------------------------------
    def nonzero(self, *, as_tuple: bool = False) -> Any:
        if as_tuple:
            parts = call_aten("aten.nonzero_numpy.default", self)
            first = data_dependent(parts[0], 0, _numel_bound(self))
            return (first, *(_same_length(p, first) for p in parts[1:]))
        return data_dependent(call_aten("aten.nonzero.default", self), 0, _numel_bound(self))

    def nonzero_static(self, *, size: Any, fill_value: int = -1) -> "Tensor":
        return call_aten("aten.nonzero_static.default", self, size=size, fill_value=fill_value)

    def argwhere(self) -> "Tensor":
        return data_dependent(call_aten("aten.argwhere.default", self), 0, _numel_bound(self))

    def masked_select(self, mask: "Tensor") -> "Tensor":
        out = call_aten("aten.masked_select.default", self, mask)
        # torch.export bounds the size by self's numel (even when the mask broadcasts self to
        # more elements); for a one-element self it asserts no upper bound and caps the range
        # at the largest size instead
        bound = _numel_bound(self)
        if bound == 1:
            return data_dependent(out, 0, None, quiet_bound=_MAX_SIZE)
        return data_dependent(out, 0, bound) if bound else out

    # -- scatters with several overloads ----------------------------------------------------------
    def scatter(self, dim: int, index: "Tensor", src: Any = None, *, value: Any = None,
                reduce: str | None = None) -> "Tensor":
        return self._scatter("scatter", dim, index, src, value, reduce)

    def scatter_(self, dim: int, index: "Tensor", src: Any = None, *, value: Any = None,
                 reduce: str | None = None) -> "Tensor":
        return self._scatter("scatter_", dim, index, src, value, reduce)

    def _scatter(self, name: str, dim: int, index: "Tensor", src: Any, value: Any, reduce: str | None) -> "Tensor":
        source = src if src is not None else value
        tensor = isinstance(source, TensorValue)
        overload = ("src" if tensor else "value") + ("_reduce" if reduce is not None and not tensor else "")
        if reduce is not None and tensor:
            overload = "reduce"
        kwargs = {} if reduce is None else {"reduce": reduce}
        return call_aten(f"aten.{name}.{overload}", self, dim, index, source, **kwargs)

    def index_fill(self, dim: int, index: "Tensor", value: Any) -> "Tensor":
        return call_overloads("index_fill", ("int_Tensor", "int_Scalar"), (self, dim, index, value), {})

    def index_fill_(self, dim: int, index: "Tensor", value: Any) -> "Tensor":
        return call_overloads("index_fill_", ("int_Tensor", "int_Scalar"), (self, dim, index, value), {})

    def index_put(self, indices: Sequence[Any], values: "Tensor", accumulate: bool = False) -> "Tensor":
        return call_aten("aten.index_put.default", self, list(indices), values, accumulate)

    def index_put_(self, indices: Sequence[Any], values: "Tensor", accumulate: bool = False) -> "Tensor":
        return call_aten("aten.index_put_.default", self, list(indices), values, accumulate)

    # -- one op each, bound from the schema -------------------------------------------------------
    flip = _op("flip", pack=True)
    fliplr = _op("fliplr")
    flipud = _op("flipud")
    roll = _op("roll")
    rot90 = _op("rot90")
    repeat = _op("repeat", pack=True)
    tile = _op("tile", pack=True)
    tril = _op("tril")
    triu = _op("triu")
    tril_ = _op("tril_")
    triu_ = _op("triu_")
    diag = _op("diag")
    diagonal = _op("diagonal")
    diag_embed = _op("diag_embed")
    diagflat = _op("diagflat")
    trace = _op("trace")
    unfold = _op("unfold")
    ravel = _op("ravel")
    narrow_copy = _op("narrow_copy")
    unsafe_split = _op("unsafe_split", "Tensor")
    unsafe_chunk = _op("unsafe_chunk")
    select_scatter = _op("select_scatter")
    slice_scatter = _op("slice_scatter")
    diagonal_scatter = _op("diagonal_scatter")
    gather = _op("gather")
    scatter_add = _op("scatter_add")
    scatter_add_ = _op("scatter_add_")
    scatter_reduce = _op("scatter_reduce", "two")
    scatter_reduce_ = _op("scatter_reduce_", "two")
    index_select = _op("index_select")
    index_add = _op("index_add")
    index_add_ = _op("index_add_")
    index_copy = _op("index_copy")
    index_copy_ = _op("index_copy_")
    index_reduce = _op("index_reduce")
    index_reduce_ = _op("index_reduce_")
    take = _op("take")
    take_along_dim = _op("take_along_dim")
    put = _op("put")
    put_ = _op("put_")
    masked_scatter = _op("masked_scatter")
    masked_scatter_ = _op("masked_scatter_")
    mv = _op("mv")
    dot = _op("dot")
    vdot = _op("vdot")
    addmm = _op("addmm")
    addmv = _op("addmv")
    addbmm = _op("addbmm")
    baddbmm = _op("baddbmm")
    addr = _op("addr")
    outer = _op("outer")
    ger = _op("ger")
    swapaxes = _op("swapaxes")
    swapdims = _op("swapdims")
    adjoint = _op("adjoint")
    matrix_power = _op("matrix_power")
    inner = _op("inner")
    kron = _op("kron")
    cross = _op("cross")
