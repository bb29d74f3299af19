"""The front end's ``torch.Tensor``: a NumPy array plus, while tracing, its graph node.

Every method maps onto one ATen overload from the op table and goes through
:func:`exportdb.exporter.trace.dispatch.call`, choosing the overload torch.export records
(``x + 1`` is ``aten.add.Tensor``, ``x > 0`` is ``aten.gt.Scalar``).
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from exportdb.exporter.ir import dtypes
from exportdb.exporter.ir.dims import wrap_dim
from exportdb.exporter.ir.device import CPU
from exportdb.exporter.ir.layouts import strided
from exportdb.exporter.ir.values import TensorValue
from exportdb.exporter.trace.context import active_builder, note_size_read
from exportdb.exporter.trace.dispatch import call
from exportdb.exporter.trace.user_frames import user_location
from exportdb.exporter.ir.dtypes import DType
from exportdb.errors import DataDependentControlFlowError, DataDependentValueError, UnsupportedAPIError
from exportdb.exporter.ops import aten
from exportdb.exporter.ops.shape_ops import INT64_MAX
from exportdb.exporter.frontend.functions import MinMaxResult, _like_kwargs, size_arg, tensor
from exportdb.exporter.frontend.indexing import getitem, setitem
from exportdb.exporter.frontend.linalg_functions import TensorLinalg
from exportdb.exporter.frontend.complex_functions import TensorComplex
from exportdb.exporter.frontend.random_functions import TensorRandom
from exportdb.exporter.frontend.tensor_arith import TensorArithmetic
from exportdb.exporter.frontend.tensor_convert import TensorConversions
from exportdb.exporter.frontend.tensor_math import TensorMath
from exportdb.exporter.frontend.tensor_reductions import TensorReductions
from exportdb.exporter.frontend.tensor_views import TensorViews


class Size(tuple):
    """``torch.Size``: a tuple of sizes."""

    def __repr__(self) -> str:
        return f"torch.Size([{', '.join(str(s) for s in self)}])"

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n




class Tensor(TensorArithmetic, TensorMath, TensorConversions, TensorComplex, TensorReductions, TensorViews,
             TensorRandom, TensorLinalg, TensorValue, user_facing=True):
    """A tensor backed by a NumPy array; ``_node`` is its graph node while tracing."""

    __slots__ = ()

    def __init__(self, *args: Any) -> None:
        raise UnsupportedAPIError("torch.Tensor(...) cannot be constructed directly in the built-in front end",
                                  location=user_location(), hint="use torch.tensor(data) or a factory such as torch.zeros")

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name.startswith("_"):
            raise AttributeError(name)
        raise UnsupportedAPIError(f"Tensor.{name} is not provided by the built-in front end",
                                  location=user_location(),
                                  hint="rewrite the case with a supported Tensor method, or run it with the torch engine")

    # -- metadata -----------------------------------------------------------
    @property
    def shape(self) -> Size:
        note_size_read(self)
        if self._sym is None:
            return Size(self._value.shape)
        env = next(d.env for d in self._sym if not isinstance(d, int))
        if env.replacements:  # a guard specialised some sizes: those read as ints now
            return Size(d if isinstance(d, int) or d.constant is None else d.constant for d in self._sym)
        return Size(self._sym)

    def size(self, dim: int | None = None) -> Any:
        if dim is None:
            return self.shape
        return self.shape[wrap_dim(dim, self.ndim)]

    @property
    def dtype(self) -> DType:
        return dtypes.from_numpy(self._value.dtype)

    @property
    def ndim(self) -> int:
        return self._value.ndim

    def dim(self) -> int:
        return self._value.ndim

    def numel(self) -> Any:
        return self.shape.numel() if self._sym is not None else int(self._value.size)

    nelement = numel

    @property
    def device(self):
        return CPU

    @property
    def is_cuda(self) -> bool:
        return False

    def is_floating_point(self) -> bool:
        return self.dtype.is_floating_point

    def is_complex(self) -> bool:
        return self.dtype.is_complex

    def element_size(self) -> int:
        return self.dtype.itemsize

    @property
    def grad(self) -> None:
        return None

    @property
    def T(self) -> "Tensor":
        return call(aten("numpy_T.default"), self)

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return int(self.shape[0])

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        # every row is selected up front, as dynamo unpacks a tensor before the loop body runs
        return iter([self.select(0, i) for i in range(len(self))])

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        body = np.array2string(self._value, separator=", ", precision=4)
        defaults = (dtypes.float32, dtypes.int64, dtypes.bool_, dtypes.complex64)  # torch prints no dtype for these
        extra = "" if self.dtype in defaults else f", dtype={self.dtype!r}"
        return f"tensor({body}{extra})"

    # -- leaving the graph: Python values from tensor data ----------------------
    def _concrete(self, what: str, error: type = DataDependentValueError) -> np.ndarray:
        if active_builder() is not None and self._node is not None:
            if error is DataDependentControlFlowError:
                raise error(f"{what} depends on a tensor's value, which is unknown while tracing",
                            location=user_location(),
                            hint="express data-dependent branches with torch.cond(pred, true_fn, false_fn, operands)")
            raise error(f"{what} needs a tensor's value as a Python number, which is unknown while tracing",
                        location=user_location(),
                        hint="keep the value a tensor, or use torch.cond for control flow on it")
        return self._value

    def __bool__(self) -> bool:
        value = self._concrete("Python control flow (if/while/bool())", DataDependentControlFlowError)
        if value.size != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(value.reshape(()))

    def item(self) -> Any:
        builder = active_builder()
        if builder is not None and self._node is not None and self.dtype.kind in "bi" and self._value.size == 1:
            return builder.unbacked_item(self)
        value = self._concrete("Tensor.item()")
        if value.size != 1:
            raise RuntimeError(f"a Tensor with {value.size} elements cannot be converted to Scalar")
        return value.reshape(()).item()

    def __int__(self) -> int:
        return int(self._concrete("int(tensor)").reshape(()).item())

    def __float__(self) -> float:
        return float(self._concrete("float(tensor)").reshape(()).item())

    def __index__(self) -> int:
        if self.dtype.kind not in "bi":
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._concrete("using a tensor as an index").reshape(()).item())

    def tolist(self) -> Any:
        builder = active_builder()
        if builder is not None and self._node is not None and self.dtype.kind in "bi":
            # while tracing, element by element: select then item() (an unbacked u<n>), as torch
            if self.ndim == 0:
                return self.item()
            return [self.select(0, i).tolist() for i in range(len(self))]
        return self._concrete("Tensor.tolist()").tolist()

    def numpy(self) -> np.ndarray:
        return self._concrete("Tensor.numpy()")

    # -- reductions ----------------------------------------------------------
    def sum(self, dim: Any = None, keepdim: bool = False, *, dtype: DType | None = None) -> "Tensor":
        kw = {"dtype": dtype} if dtype is not None else {}
        if dim is None:
            return call(aten("sum.default"), self, **kw)
        return call(aten("sum.dim_IntList"), self, _dims(dim), *((keepdim,) if keepdim else ()), **kw)

    def mean(self, dim: Any = None, keepdim: bool = False, *, dtype: DType | None = None) -> "Tensor":
        kw = {"dtype": dtype} if dtype is not None else {}
        if dim is None:
            return call(aten("mean.default"), self, **kw)
        return call(aten("mean.dim"), self, _dims(dim), *((keepdim,) if keepdim else ()), **kw)

    def prod(self, dim: int | None = None, keepdim: bool = False, *, dtype: DType | None = None) -> "Tensor":
        kw = {"dtype": dtype} if dtype is not None else {}
        if dim is None:
            return call(aten("prod.default"), self, **kw)
        return call(aten("prod.dim_int"), self, dim, *((keepdim,) if keepdim else ()), **kw)

    def _extreme(self, name: str, dim: Any, keepdim: bool) -> Any:
        if isinstance(dim, Tensor):
            return call(aten(f"{name}imum.default"), self, dim)
        if dim is None:
            return call(aten(f"{name}.default"), self)
        values, indices = call(aten(f"{name}.dim"), self, dim, *((keepdim,) if keepdim else ()))
        return MinMaxResult(values, indices)

    def max(self, dim: Any = None, keepdim: bool = False) -> Any:
        if isinstance(dim, Tensor):
            return call(aten("max.other"), self, dim)
        return self._extreme("max", dim, keepdim)

    def min(self, dim: Any = None, keepdim: bool = False) -> Any:
        if isinstance(dim, Tensor):
            return call(aten("min.other"), self, dim)
        return self._extreme("min", dim, keepdim)

    def amax(self, dim: Any = (), keepdim: bool = False) -> "Tensor":
        return call(aten("amax.default"), self, *_reduce_args(dim, keepdim))

    def amin(self, dim: Any = (), keepdim: bool = False) -> "Tensor":
        return call(aten("amin.default"), self, *_reduce_args(dim, keepdim))

    def argmax(self, dim: int | None = None, keepdim: bool = False) -> "Tensor":
        return call(aten("argmax.default"), self, *_arg_args(dim, keepdim))

    def argmin(self, dim: int | None = None, keepdim: bool = False) -> "Tensor":
        return call(aten("argmin.default"), self, *_arg_args(dim, keepdim))

    def any(self, dim: int | None = None, keepdim: bool = False) -> "Tensor":
        if dim is None:
            return call(aten("any.default"), self)
        if isinstance(dim, (tuple, list)):
            return call(aten("any.dims"), self, list(dim), *((keepdim,) if keepdim else ()))
        return call(aten("any.dim"), self, dim, *((keepdim,) if keepdim else ()))

    def all(self, dim: int | None = None, keepdim: bool = False) -> "Tensor":
        if dim is None:
            return call(aten("all.default"), self)
        if isinstance(dim, (tuple, list)):
            return call(aten("all.dims"), self, list(dim), *((keepdim,) if keepdim else ()))
        return call(aten("all.dim"), self, dim, *((keepdim,) if keepdim else ()))

    # -- shapes -----------------------------------------------------------------
    def view(self, *shape: Any) -> "Tensor":
        if len(shape) == 1 and isinstance(shape[0], dtypes.DType):
            raise UnsupportedAPIError("Tensor.view(dtype) is not provided by the built-in front end",
                                      location=user_location())
        return call(aten("view.default"), self, size_arg(shape))

    def reshape(self, *shape: Any) -> "Tensor":
        return call(aten("reshape.default"), self, size_arg(shape))

    def permute(self, *dims: Any) -> "Tensor":
        return call(aten("permute.default"), self, size_arg(dims))

    def transpose(self, dim0: int, dim1: int) -> "Tensor":
        return call(aten("transpose.int"), self, dim0, dim1)

    def t(self) -> "Tensor":
        return call(aten("t.default"), self)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> "Tensor":
        extra = (start_dim,) if end_dim == -1 else (start_dim, end_dim)
        return call(aten("flatten.using_ints"), self, *(extra if extra != (0,) else ()))

    def unsqueeze(self, dim: int) -> "Tensor":
        return call(aten("unsqueeze.default"), self, dim)

    def squeeze(self, dim: Any = None) -> "Tensor":
        if dim is None:
            return call(aten("squeeze.default"), self)
        if isinstance(dim, (tuple, list)):
            return call(aten("squeeze.dims"), self, list(dim))
        return call(aten("squeeze.dim"), self, dim)

    def expand(self, *sizes: Any) -> "Tensor":
        return call(aten("expand.default"), self, size_arg(sizes))

    def split(self, split_size: Any, dim: int = 0) -> tuple["Tensor", ...]:
        extra = () if dim == 0 else (dim,)
        if isinstance(split_size, (list, tuple)):
            return call(aten("split_with_sizes.default"), self, list(split_size), *extra)
        return call(aten("split.Tensor"), self, split_size, *extra)

    def chunk(self, chunks: int, dim: int = 0) -> tuple["Tensor", ...]:
        return call(aten("chunk.default"), self, chunks, *(() if dim == 0 else (dim,)))

    def unbind(self, dim: int = 0) -> tuple["Tensor", ...]:
        return call(aten("unbind.int"), self, *(() if dim == 0 else (dim,)))

    def select(self, dim: int, index: int) -> "Tensor":
        return call(aten("select.int"), self, dim, index)

    def narrow(self, dim: int, start: int, length: int) -> "Tensor":
        return call(aten("narrow.default"), self, dim, start, length)

    def contiguous(self, memory_format: Any = None) -> "Tensor":
        # torch records aten.contiguous only for a non-contiguous tensor; the kernels keep
        # NumPy's views (transpose, expand, slices) as torch keeps its strided views.
        return self if self._value.flags.c_contiguous else call(aten("contiguous.default"), self)

    def __getitem__(self, key: Any) -> "Tensor":
        builder = active_builder()
        if builder is None:
            return getitem(self, key)
        start = len(builder.graph.nodes)
        out = getitem(self, key)
        made = [n for n in builder.graph.nodes[start:] if n.op == "call_function"]
        if made and isinstance(out, Tensor) and out._node is made[-1]:
            # torch.export drops an indexing result nobody uses (dynamo removes unused getitem
            # calls); the tracer does the same with this tag (see tracer.drop_unused_indexing)
            made[-1].meta["indexing"] = made
        return out

    def __setitem__(self, key: Any, value: Any) -> None:
        setitem(self, key, value)

    # -- copies, casts, in-place fills ------------------------------------------
    def clone(self, *, memory_format: Any = None) -> "Tensor":
        return call(aten("clone.default"), self)

    def detach(self) -> "Tensor":
        return call(aten("detach.default"), self)

    def copy_(self, src: "Tensor", non_blocking: bool = False) -> "Tensor":
        return call(aten("copy_.default"), self, src)

    def fill_(self, value: Any) -> "Tensor":
        return call(aten("fill_.Tensor" if isinstance(value, Tensor) else "fill_.Scalar"), self, value)

    def zero_(self) -> "Tensor":
        return call(aten("zero_.default"), self)

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        self.requires_grad = requires_grad
        return self

    # -- linear algebra and activations --------------------------------------
    def matmul(self, other: "Tensor") -> "Tensor":
        return call(aten("matmul.default"), self, other)

    def mm(self, other: "Tensor") -> "Tensor":
        return call(aten("mm.default"), self, other)

    def bmm(self, other: "Tensor") -> "Tensor":
        return call(aten("bmm.default"), self, other)

    def softmax(self, dim: int, dtype: DType | None = None) -> "Tensor":
        return call(aten("softmax.int"), self, dim, *((dtype,) if dtype else ()))

    def log_softmax(self, dim: int, dtype: DType | None = None) -> "Tensor":
        return call(aten("log_softmax.int"), self, dim, *((dtype,) if dtype else ()))

    # x.new_zeros(3) is aten.new_zeros.default(x, [3], pin_memory=False) in torch.export: the
    # tensor stays an argument (its dtype is the default), dtype is passed only when given.
    def _new(self, name: str, size: tuple, *rest: Any, dtype: DType | None = None, device: Any = None) -> "Tensor":
        return call(aten(f"{name}.default"), self, size_arg(size), *rest, **_like_kwargs(dtype, device))

    def new_zeros(self, *size: Any, dtype: DType | None = None, device: Any = None,
                  requires_grad: bool = False) -> "Tensor":
        return self._new("new_zeros", size, dtype=dtype, device=device)

    def new_ones(self, *size: Any, dtype: DType | None = None, device: Any = None,
                 requires_grad: bool = False) -> "Tensor":
        return self._new("new_ones", size, dtype=dtype, device=device)

    def new_empty(self, *size: Any, dtype: DType | None = None, device: Any = None,
                  requires_grad: bool = False) -> "Tensor":
        return self._new("new_empty", size, dtype=dtype, device=device)

    def new_full(self, size: Sequence[int], fill_value: Any, *, dtype: DType | None = None, device: Any = None,
                 requires_grad: bool = False) -> "Tensor":
        return self._new("new_full", (size,), fill_value, dtype=dtype, device=device)

    def new_tensor(self, data: Any, *, dtype: DType | None = None, device: Any = None,
                   requires_grad: bool = False) -> "Tensor":
        """A constant like torch.tensor(data), in this tensor's dtype unless ``dtype`` is given."""
        if isinstance(data, Tensor):
            raise UnsupportedAPIError("Tensor.new_tensor(a tensor) is not provided by the built-in front end",
                                      location=user_location(), hint="use t.clone().detach() instead")
        return tensor(data, dtype=dtype or self.dtype)


class Parameter(Tensor):
    """``torch.nn.Parameter``: a tensor registered on a module as a parameter."""

    __slots__ = ()

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True) -> "Parameter":
        value = np.zeros((0,), np.float32) if data is None else data._value
        p = object.__new__(cls)
        p._value = value
        p._node = None
        p._sym = None
        p.requires_grad = requires_grad
        return p

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True) -> None:
        pass

    def __repr__(self) -> str:
        return f"Parameter containing:\n{Tensor.__repr__(self)}"


def _dims(dim: Any) -> list:
    return list(dim) if isinstance(dim, (tuple, list)) else [dim]


def _reduce_args(dim: Any, keepdim: bool) -> tuple:
    dims = _dims(dim) if dim != () else []
    if keepdim:
        return (dims, True)
    return (dims,) if dims else ()


def _arg_args(dim: int | None, keepdim: bool) -> tuple:
    if keepdim:
        return (dim, True)
    return () if dim is None else (dim,)




__all__ = ["Tensor", "Parameter", "Size", "strided", "INT64_MAX"]
