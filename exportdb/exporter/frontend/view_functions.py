"""``torch.*`` and ``torch.linalg.*`` functions of the view, indexing, creation and
matrix-product families.

Functions that are a Tensor method under another spelling (``torch.flip(x, d)``
is ``x.flip(d)``) call the method; the others bind their ATen op from its
schema (:mod:`.aten_binding`), varargs tensors collected into the op's
``Tensor[]`` argument (``torch.block_diag(a, b)`` records
``aten.block_diag.default([a, b])``).
"""

from __future__ import annotations

import functools
from typing import Any, Sequence

from exportdb.errors import UnsupportedAPIError
from exportdb.exporter.frontend.aten_binding import call_aten, call_overloads
from exportdb.exporter.frontend.functions import _factory_kwargs
from exportdb.exporter.frontend.tensor import Tensor
from exportdb.exporter.ir.dtypes import DType
from exportdb.exporter.trace.user_frames import user_location
from exportdb.exporter.frontend.tensor import Size
from exportdb.exporter.symbolic.shape_rules import broadcast
from exportdb.exporter.frontend.tensor_views import data_dependent


def _refusing_out(fn: Any) -> Any:
    """``fn`` refusing an ``out=`` tensor (the ``.out`` overloads) rather than ignoring it."""
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if kwargs.pop("out", None) is not None:
            raise UnsupportedAPIError(f"torch.{fn.__name__}(..., out=...) is not supported by the built-in front end",
                                      location=user_location(), hint="assign the result instead: y = torch.f(x)")
        return fn(*args, **kwargs)

    return wrapper


def _tensors(tensors: tuple) -> list:
    """Varargs tensors, or the one list/tuple of them, as the op's ``Tensor[]`` argument."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        return list(tensors[0])
    return list(tensors)


def _sequence_op(name: str):
    """``torch.stack``-style: one list (or tuple) of tensors."""
    def fn(tensors: Sequence[Tensor], *, out: Any = None) -> Tensor:
        return call_aten(f"aten.{name}.default", list(tensors))

    fn.__name__ = name
    return fn


def _method_alias(name: str):
    def fn(input: Tensor, *args: Any, **kwargs: Any) -> Any:  # noqa: A002
        return getattr(input, name)(*args, **kwargs)

    fn.__name__ = name
    return fn


def _schema_function(name: str, *overloads: str):
    def fn(*args: Any, **kwargs: Any) -> Any:
        if "input" in kwargs:
            args = (kwargs.pop("input"), *args)
        return call_overloads(name, overloads or ("default",), args, kwargs)

    fn.__name__ = name
    return fn


def _atleast(n: int):
    def fn(*tensors: Any) -> Any:
        if len(tensors) == 1 and isinstance(tensors[0], Tensor):
            return call_aten(f"aten.atleast_{n}d.default", tensors[0])
        return call_aten(f"aten.atleast_{n}d.Sequence", _tensors(tensors))

    fn.__name__ = f"atleast_{n}d"
    return fn


def broadcast_tensors(*tensors: Tensor) -> tuple:
    return call_aten("aten.broadcast_tensors.default", _tensors(tensors))


def broadcast_shapes(*shapes: Any) -> Any:
    """The broadcast of some shapes, computed in Python (torch records no op)."""
    as_tuples = [(s,) if isinstance(s, int) else tuple(s) for s in shapes]
    for shape in as_tuples:
        if any(isinstance(d, int) and d < 0 for d in shape):
            raise RuntimeError(f"Trying to create tensor with negative dimension: {list(shape)}")
    for i in range(1, max((len(s) for s in as_tuples), default=0) + 1):
        sizes = {s[-i] for s in as_tuples if len(s) >= i and not (isinstance(s[-i], int) and s[-i] == 1)}
        if len(sizes) > 1 and all(isinstance(d, int) for d in sizes):
            raise RuntimeError(f"Shape mismatch: objects cannot be broadcast to a single shape.  Mismatch is at "
                               f"dim {-i}")
    return Size(broadcast(*as_tuples))


def meshgrid(*tensors: Any, indexing: str | None = None) -> tuple:
    return call_aten("aten.meshgrid.indexing", _tensors(tensors), indexing=indexing or "ij")


def einsum(equation: str, *operands: Any) -> Tensor:
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not isinstance(equation, str):
        raise UnsupportedAPIError("torch.einsum in the sublist format is not provided by the built-in front end",
                                  location=user_location(), hint="write the equation as a string, e.g. 'ij,jk->ik'")
    return call_aten("aten.einsum.default", equation, list(operands))


def tensordot(a: Tensor, b: Tensor, dims: Any = 2, out: Any = None) -> Tensor:
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        dims_a, dims_b = list(range(-dims, 0)), list(range(dims))
    else:
        dims_a, dims_b = dims
        dims_a = [dims_a] if isinstance(dims_a, int) else list(dims_a)
        dims_b = [dims_b] if isinstance(dims_b, int) else list(dims_b)
    return call_aten("aten.tensordot.default", a, b, dims_a, dims_b)


def concat(tensors: Sequence[Tensor], dim: int = 0, *, out: Any = None) -> Tensor:
    return call_aten("aten.concat.default", list(tensors), dim)


def concatenate(tensors: Sequence[Tensor], axis: int = 0, *, out: Any = None) -> Tensor:
    return call_aten("aten.concatenate.default", list(tensors), axis)


def chain_matmul(*matrices: Tensor, out: Any = None) -> Tensor:
    return call_aten("aten.chain_matmul.default", _tensors(matrices))


def cartesian_prod(*tensors: Tensor) -> Tensor:
    return call_aten("aten.cartesian_prod.default", _tensors(tensors))


def block_diag(*tensors: Tensor) -> Tensor:
    return call_aten("aten.block_diag.default", _tensors(tensors))


def repeat_interleave(input: Any, repeats: Any = None, dim: int | None = None, *,  # noqa: A002
                      output_size: int | None = None) -> Tensor:
    if repeats is None:  # torch.repeat_interleave(repeats): indices repeated by their counts

        kwargs = {} if output_size is None else {"output_size": output_size}
        out = call_aten("aten.repeat_interleave.Tensor", input, **kwargs)
        return out if output_size is not None else data_dependent(out, 0, None)
    return input.repeat_interleave(repeats, dim, output_size=output_size)


def nonzero(input: Tensor, *, as_tuple: bool = False, out: Any = None) -> Any:  # noqa: A002
    return input.nonzero(as_tuple=as_tuple)


def split_with_sizes(input: Tensor, split_sizes: Sequence[int], dim: int = 0) -> tuple:  # noqa: A002
    return call_aten("aten.split_with_sizes.default", input, list(split_sizes), dim)


# -- factories -----------------------------------------------------------------------------------
def _spaced(name: str):
    def fn(start: Any, end: Any, steps: int, base: float = 10.0, *, dtype: DType | None = None, layout: Any = None,
           device: Any = None, requires_grad: bool = False, out: Any = None) -> Tensor:
        overload = {(True, True): "Tensor_Tensor", (True, False): "Tensor_Scalar",
                    (False, True): "Scalar_Tensor"}.get((isinstance(start, Tensor), isinstance(end, Tensor)), "default")
        extra = (base,) if name == "logspace" else ()
        return call_aten(f"aten.{name}.{overload}", start, end, steps, *extra, **_factory_kwargs(dtype))

    fn.__name__ = name
    return fn


linspace = _spaced("linspace")
logspace = _spaced("logspace")


def eye(n: int, m: int | None = None, *, dtype: DType | None = None, layout: Any = None, device: Any = None,
        requires_grad: bool = False, out: Any = None) -> Tensor:
    if m is None:
        return call_aten("aten.eye.default", n, **_factory_kwargs(dtype))
    return call_aten("aten.eye.m", n, m, **_factory_kwargs(dtype))


def scalar_tensor(s: Any, *, dtype: DType | None = None, layout: Any = None, device: Any = None,
                  requires_grad: bool = False) -> Tensor:
    return call_aten("aten.scalar_tensor.default", s, **_factory_kwargs(dtype))


def empty_strided(size: Sequence[Any], stride: Sequence[Any], *, dtype: DType | None = None, layout: Any = None,
                  device: Any = None, requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    return call_aten("aten.empty_strided.default", list(size), list(stride), **_factory_kwargs(dtype))


def empty_permuted(size: Sequence[Any], physical_layout: Sequence[int], *, dtype: DType | None = None,
                   layout: Any = None, device: Any = None, requires_grad: bool = False,
                   pin_memory: bool = False) -> Tensor:
    return call_aten("aten.empty_permuted.default", list(size), list(physical_layout), **_factory_kwargs(dtype))


def _tri_indices(name: str):
    def fn(row: int, col: int, offset: int = 0, *, dtype: DType | None = None, layout: Any = None,
           device: Any = None, requires_grad: bool = False) -> Tensor:
        return call_aten(f"aten.{name}.default", row, col, offset, **_factory_kwargs(dtype))

    fn.__name__ = name
    return fn


# -- torch.linalg --------------------------------------------------------------------------------
def linalg_cross(input: Tensor, other: Tensor, *, dim: int = -1, out: Any = None) -> Tensor:  # noqa: A002
    return call_aten("aten.linalg_cross.default", input, other, dim=dim)


def linalg_diagonal(A: Tensor, *, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:  # noqa: N803
    return call_aten("aten.linalg_diagonal.default", A, offset=offset, dim1=dim1, dim2=dim2)


def linalg_vecdot(x: Tensor, y: Tensor, *, dim: int = -1, out: Any = None) -> Tensor:
    return call_aten("aten.linalg_vecdot.default", x, y, dim=dim)


def linalg_multi_dot(tensors: Sequence[Tensor], *, out: Any = None) -> Tensor:
    return call_aten("aten.linalg_multi_dot.default", list(tensors))


def linalg_matrix_power(A: Tensor, n: int, *, out: Any = None) -> Tensor:  # noqa: N803
    return call_aten("aten.linalg_matrix_power.default", A, n)


#: torch.<name>(t, ...) that call the Tensor method of the same name.
_METHODS = (
    "flip", "fliplr", "flipud", "roll", "rot90", "tile", "tril", "triu", "diag", "diagonal", "diag_embed",
    "diagflat", "trace", "movedim", "moveaxis", "unflatten", "ravel", "broadcast_to", "narrow_copy",
    "tensor_split", "hsplit", "vsplit", "dsplit", "unsafe_split", "unsafe_chunk", "select_scatter",
    "slice_scatter", "diagonal_scatter", "gather", "scatter", "scatter_add", "scatter_reduce", "index_select",
    "index_add", "index_copy", "index_fill", "index_put", "index_put_", "index_reduce", "take", "take_along_dim",
    "put", "masked_select", "masked_scatter", "argwhere", "as_strided", "as_strided_scatter", "mv", "dot", "vdot", "addmm", "addmv", "addbmm",
    "baddbmm", "addr", "outer", "ger", "inner", "kron", "cross", "swapaxes", "swapdims", "adjoint", "matrix_power",
)
#: torch.<name>_copy functions: one op each, bound from its schema.
_COPIES = {
    "view_copy": (), "permute_copy": (), "transpose_copy": ("int",), "t_copy": (), "expand_copy": (),
    "squeeze_copy": ("default", "dim", "dims"), "unsqueeze_copy": (), "diagonal_copy": (), "unfold_copy": (),
    "unbind_copy": ("int",), "split_with_sizes_copy": (), "alias_copy": (), "as_strided_copy": (),
    "select_copy": ("int",), "slice_copy": ("Tensor",),
}

NAMESPACE: dict[str, Any] = {
    **{name: _method_alias(name) for name in _METHODS},
    **{name: _schema_function(name, *overloads) for name, overloads in _COPIES.items()},
    "atleast_1d": _atleast(1), "atleast_2d": _atleast(2), "atleast_3d": _atleast(3),
    "hstack": _sequence_op("hstack"), "vstack": _sequence_op("vstack"), "row_stack": _sequence_op("row_stack"),
    "dstack": _sequence_op("dstack"), "column_stack": _sequence_op("column_stack"),
    "broadcast_tensors": broadcast_tensors, "broadcast_shapes": broadcast_shapes, "meshgrid": meshgrid,
    "concat": concat, "concatenate": concatenate, "chain_matmul": chain_matmul,
    "einsum": einsum, "tensordot": tensordot, "cartesian_prod": cartesian_prod, "block_diag": block_diag,
    "repeat_interleave": repeat_interleave, "nonzero": nonzero, "split_with_sizes": split_with_sizes,
    "linspace": linspace, "logspace": logspace, "eye": eye, "scalar_tensor": scalar_tensor,
    "empty_strided": empty_strided, "empty_permuted": empty_permuted,
    "tril_indices": _tri_indices("tril_indices"), "triu_indices": _tri_indices("triu_indices"),
}
LINALG: dict[str, Any] = {
    "cross": linalg_cross, "diagonal": linalg_diagonal, "vecdot": linalg_vecdot, "multi_dot": linalg_multi_dot,
    "matrix_power": linalg_matrix_power,
}
NAMESPACE = {name: _refusing_out(fn) if callable(fn) else fn for name, fn in NAMESPACE.items()}
LINALG = {name: _refusing_out(fn) for name, fn in LINALG.items()}
