"""Symbolic output shapes, one rule per op family.

Only used when some input has a symbolic size (static tracing reads shapes off
the NumPy results).  A rule gets the op's arguments as the user passed them
(tensors, ints, SymInts) and returns the output shape as a tuple of ints and
SymInts (a list of shapes for multi-output ops).  Broadcasting a dynamic size
against a different size records a guard, as torch does.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

from exportdb.exporter.trace.dispatch import user_location
from exportdb.errors import UnsupportedAPIError
from exportdb.exporter.ops.shape_ops import INT64_MAX
from exportdb.exporter.symbolic.shape_env import SymInt, check_size

RULES: dict[str, Callable[..., Any]] = {}


def rule(*qualnames: str):
    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        for name in qualnames:
            RULES[name] = fn
        return fn

    return register


def _shape(value: Any) -> tuple:
    from exportdb.exporter.frontend.tensor import Tensor

    return tuple(value.shape) if isinstance(value, Tensor) else ()


def _plain(value: Any) -> Any:
    """A size as a sympy expression (specialised symbols replaced) or an int."""
    return value.env.simplify(value.expr) if isinstance(value, SymInt) else value


def same_size(a: Any, b: Any) -> bool:
    """True when two sizes are the same int or the same symbolic expression."""
    if isinstance(a, SymInt) or isinstance(b, SymInt):
        return bool((_plain(a) - _plain(b)) == 0)
    return a == b



def require_equal(a: Any, b: Any) -> None:
    """Two sizes an op needs equal (matmul's inner dims, cat's other dims): when
    they are not the same expression, guard that they are equal (a Dim.AUTO size
    is specialised by it; a named Dim whose range allows other sizes fails)."""
    if not same_size(a, b):
        bool(a == b)


def _broadcast_dim(a: Any, b: Any) -> Any:
    if same_size(a, b):
        return a
    if isinstance(a, int) and a == 1:
        return b
    if isinstance(b, int) and b == 1:
        return a
    # Sizes differ symbolically: the code only works if they are equal or one is 1.
    for one, other in ((a, b), (b, a)):
        if isinstance(one, SymInt) and one.hint == 1:
            bool(one == 1)  # size-1 broadcasting specialises the dim: guarded (and checked) here
            return other
    bool(a == b)
    return a if isinstance(a, SymInt) else b


def broadcast(*shapes: Sequence[Any]) -> tuple:
    ndim = max((len(s) for s in shapes), default=0)
    out: list[Any] = []
    for i in range(ndim):
        dims = [s[len(s) - ndim + i] for s in shapes if len(s) - ndim + i >= 0]
        d = dims[0]
        for other in dims[1:]:
            d = _broadcast_dim(d, other)
        out.append(d)
    return tuple(out)


def _wrap(dim: int, ndim: int) -> int:
    return dim % max(ndim, 1)


def _tensor_args(args: tuple) -> list:
    from exportdb.exporter.frontend.tensor import Tensor

    return [a for a in args if isinstance(a, Tensor)]


@rule(*[f"aten.{n}" for n in (
    "add.Tensor", "sub.Tensor", "mul.Tensor", "div.Tensor", "div.Tensor_mode", "rsub.Scalar", "floor_divide.default",
    "remainder.Scalar", "remainder.Tensor", "fmod.Scalar", "pow.Tensor_Scalar", "pow.Tensor_Tensor", "pow.Scalar",
    "maximum.default", "minimum.default", "max.other", "min.other", "__and__.Tensor", "__or__.Tensor",
    "__xor__.Tensor", "logical_and.default", "logical_or.default", "logical_xor.default", "eq.Tensor",
    "eq.Scalar", "ne.Tensor", "ne.Scalar", "lt.Tensor", "lt.Scalar", "le.Tensor", "le.Scalar", "gt.Tensor",
    "gt.Scalar", "ge.Tensor", "ge.Scalar", "where.self", "where.ScalarOther", "where.ScalarSelf", "where.Scalar",
    "clamp.Tensor", "__and__.Scalar", "__or__.Scalar", "__xor__.Scalar", "bitwise_and.Scalar", "bitwise_or.Scalar",
    "bitwise_xor.Scalar", "remainder.Scalar_Tensor", "masked_fill.Scalar", "masked_fill.Tensor")])
def _pointwise(*args: Any, **kwargs: Any) -> tuple:
    return broadcast(*(_shape(t) for t in _tensor_args(args)))


@rule(*[f"aten.{n}.default" for n in (
    "cos", "sin", "tan", "exp", "log", "sqrt", "rsqrt", "sigmoid", "tanh", "reciprocal", "log1p", "expm1", "acos",
    "asin", "atan", "cosh", "sinh", "exp2", "abs", "neg", "relu", "floor", "ceil", "round", "trunc", "sign",
    "square", "bitwise_not", "logical_not", "clamp", "clone", "lift_fresh_copy", "detach", "alias", "gelu",
    "zeros_like", "ones_like", "empty_like", "randn_like", "rand_like", "full_like")],
    "aten.to.dtype", "aten._to_copy.default", "aten.softmax.int", "aten.log_softmax.int", "aten.dropout.default")
def _same_shape(a: Any, *args: Any, **kwargs: Any) -> tuple:
    return _shape(a)


@rule("aten.sum.default", "aten.mean.default", "aten.prod.default", "aten.max.default", "aten.min.default",
      "aten.any.default", "aten.all.default")
def _full_reduce(a: Any, *args: Any, **kwargs: Any) -> tuple:
    return ()


def _reduce(shape: tuple, dims: Any, keepdim: bool) -> tuple:
    if dims is None or (isinstance(dims, (list, tuple)) and len(dims) == 0):
        dims = list(range(len(shape)))
    dims = {_wrap(d, len(shape)) for d in ([dims] if isinstance(dims, int) else dims)}
    if keepdim:
        return tuple(1 if i in dims else s for i, s in enumerate(shape))
    return tuple(s for i, s in enumerate(shape) if i not in dims)


@rule("aten.sum.dim_IntList", "aten.mean.dim", "aten.amax.default", "aten.amin.default", "aten.any.dim",
      "aten.all.dim", "aten.prod.dim_int")
def _dim_reduce(a: Any, dims: Any = (), keepdim: bool = False, **kwargs: Any) -> tuple:
    return _reduce(_shape(a), dims, keepdim)


@rule("aten.argmax.default", "aten.argmin.default")
def _arg_reduce(a: Any, dim: Any = None, keepdim: bool = False) -> tuple:
    if dim is None:
        return (1,) * len(_shape(a)) if keepdim else ()
    return _reduce(_shape(a), [dim], keepdim)


@rule("aten.max.dim", "aten.min.dim")
def _extreme_dim(a: Any, dim: int, keepdim: bool = False) -> list:
    shape = _reduce(_shape(a), [dim], keepdim)
    return [shape, shape]


def _numel(shape: Sequence[Any]) -> Any:
    n: Any = 1
    for s in shape:
        n = n * s
    return n


@rule("aten.view.default", "aten.reshape.default", "aten._unsafe_view.default")
def _view(a: Any, shape: Sequence[Any]) -> tuple:
    shape = list(shape)
    if -1 in [s for s in shape if isinstance(s, int)]:
        i = next(i for i, s in enumerate(shape) if isinstance(s, int) and s == -1)
        known = _numel(shape[:i] + shape[i + 1:])
        total = _numel(_shape(a))
        shape[i] = _divide(total, known)
    return tuple(shape)


def _divide(total: Any, known: Any) -> Any:
    import sympy

    from exportdb.exporter.symbolic.shape_env import SymInt

    t = total.expr if isinstance(total, SymInt) else sympy.Integer(total)
    k = known.expr if isinstance(known, SymInt) else sympy.Integer(known)
    q = sympy.cancel(t / k)
    if sympy.fraction(q)[1] != 1:
        raise UnsupportedAPIError(f"cannot infer the -1 size of a view: {t} is not a multiple of {k} for every size",
                                  location=user_location(), hint="spell out every size of the view")
    env = (total if isinstance(total, SymInt) else known).env
    return SymInt(q, env, ())


@rule("aten.permute.default")
def _permute(a: Any, dims: Sequence[int]) -> tuple:
    shape = _shape(a)
    return tuple(shape[_wrap(d, len(shape))] for d in dims)


@rule("aten.transpose.int")
def _transpose(a: Any, d0: int, d1: int) -> tuple:
    shape = list(_shape(a))
    i, j = _wrap(d0, len(shape)), _wrap(d1, len(shape))
    shape[i], shape[j] = shape[j], shape[i]
    return tuple(shape)


@rule("aten.t.default", "aten.numpy_T.default")
def _t(a: Any) -> tuple:
    return tuple(reversed(_shape(a)))


@rule("aten.unsqueeze.default")
def _unsqueeze(a: Any, dim: int) -> tuple:
    shape = list(_shape(a))
    shape.insert(_wrap(dim, len(shape) + 1), 1)
    return tuple(shape)


@rule("aten.squeeze.dim", "aten.squeeze.dims", "aten.squeeze.default")
def _squeeze(a: Any, dims: Any = None) -> tuple:
    shape = _shape(a)
    if dims is None:
        dims = range(len(shape))
    dims = {_wrap(d, len(shape)) for d in ([dims] if isinstance(dims, int) else dims)}
    return tuple(s for i, s in enumerate(shape) if not (i in dims and isinstance(s, int) and s == 1))


@rule("aten.flatten.using_ints")
def _flatten(a: Any, start: int = 0, end: int = -1) -> tuple:
    shape = _shape(a)
    if not shape:
        return (1,)
    s, e = _wrap(start, len(shape)), _wrap(end, len(shape))
    return shape[:s] + (_numel(shape[s:e + 1]),) + shape[e + 1:]


@rule("aten.expand.default")
def _expand(a: Any, sizes: Sequence[Any]) -> tuple:
    shape = _shape(a)
    lead = len(sizes) - len(shape)
    return tuple(shape[i - lead] if isinstance(s, int) and s == -1 else s for i, s in enumerate(sizes))


@rule("aten.cat.default")
def _cat(tensors: Sequence[Any], dim: int = 0) -> tuple:
    shapes = [_shape(t) for t in tensors]
    d = _wrap(dim, len(shapes[0]))
    out = list(shapes[0])
    for s in shapes[1:]:
        for i, size in enumerate(s):
            if i != d:
                require_equal(out[i], size)
        out[d] = out[d] + s[d]
    return tuple(out)


@rule("aten.stack.default")
def _stack(tensors: Sequence[Any], dim: int = 0) -> tuple:
    shape = list(_shape(tensors[0]))
    shape.insert(_wrap(dim, len(shape) + 1), len(tensors))
    return tuple(shape)


@rule("aten.select.int")
def _select(a: Any, dim: int, index: Any) -> tuple:
    shape = _shape(a)
    d = _wrap(dim, len(shape))
    return shape[:d] + shape[d + 1:]


def _bound(value: Any, size: Any) -> Any:
    """A slice bound made non-negative and clamped to ``size`` like Python slicing."""
    if isinstance(value, int):
        if value >= INT64_MAX:
            return size
        if value < 0:
            return size + value
        if isinstance(size, int):
            return min(value, size)
        from exportdb.exporter.symbolic.shape_env import sym_min

        return value if bool(size >= value) else sym_min(value, size)
    return value


@rule("aten.slice.Tensor")
def _slice(a: Any, dim: int = 0, start: Any = None, end: Any = None, step: int = 1) -> tuple:
    shape = list(_shape(a))
    d = _wrap(dim, len(shape))
    size = shape[d]
    lo = 0 if start is None else _bound(start, size)
    hi = size if end is None else _bound(end, size)
    length = hi - lo
    shape[d] = length if step == 1 else (length + step - 1) // step
    return tuple(shape)


@rule("aten.narrow.default")
def _narrow(a: Any, dim: int, start: Any, length: Any) -> tuple:
    shape = list(_shape(a))
    shape[_wrap(dim, len(shape))] = length
    return tuple(shape)


@rule(*[f"aten.{n}.default" for n in ("zeros", "ones", "randn", "rand")], "aten.empty.memory_format",
      "aten.full.default")
def _factory(size: Sequence[Any], *args: Any, **kwargs: Any) -> tuple:
    for s in size:
        check_size(s)
    return tuple(size)


@rule("aten.new_zeros.default", "aten.new_ones.default", "aten.new_empty.default", "aten.new_full.default")
def _new_factory(a: Any, size: Sequence[Any], *args: Any, **kwargs: Any) -> tuple:
    """``x.new_zeros(size)``: shaped like ``torch.zeros(size)``, whatever ``x``'s shape."""
    return _factory(size)


@rule("aten.arange.default", "aten.arange.start")
def _arange(*args: Any, **kwargs: Any) -> tuple:
    return (args[0],) if len(args) == 1 else (args[1] - args[0],)


@rule("aten.linear.default")
def _linear(x: Any, weight: Any, bias: Any = None) -> tuple:
    require_equal(_shape(x)[-1], _shape(weight)[-1])
    return broadcast(_shape(x)[:-1]) + (_shape(weight)[0],)


@rule("aten.matmul.default", "aten.mm.default", "aten.bmm.default")
def _matmul(a: Any, b: Any) -> tuple:
    sa, sb = _shape(a), _shape(b)
    require_equal(sa[-1], sb[0] if len(sb) == 1 else sb[-2])
    if len(sb) == 1:
        return sa[:-1]
    if len(sa) == 1:
        return sb[:-2] + sb[-1:]
    return broadcast(sa[:-2], sb[:-2]) + (sa[-2], sb[-1])


def output_shape(op: Any, args: tuple, kwargs: dict) -> Any:
    """The symbolic output shape of ``op``, or raise when no rule covers it."""
    fn = RULES.get(op.qualname)
    if fn is None:
        raise UnsupportedAPIError(f"{op.qualname} has no symbolic-shape rule, so it cannot take inputs with dynamic "
                                  "sizes in the built-in exporter", location=user_location(),
                                  hint="mark the dimension static, or run the case with the torch engine")
    return fn(*args, **kwargs)
