"""The shape-rule table and the helpers every family of rules shares.

A rule gets the op's arguments as the user passed them (tensors, ints,
SymInts) and returns the output shape as a tuple of ints and SymInts (a list
of shapes for multi-output ops).  Broadcasting a dynamic size against a
different size records a guard, as torch does.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

from exportdb.exporter.trace.user_frames import user_location
from exportdb.errors import UnsupportedAPIError
from exportdb.exporter.ir.dims import wrap_dim  # noqa: F401  (re-exported for the rule families)
from exportdb.exporter.symbolic.shape_env import SymInt
from exportdb.exporter.ir.values import TensorValue

RULES: dict[str, Callable[..., Any]] = {}


def rule(*qualnames: str):
    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        for name in qualnames:
            RULES[name] = fn
        return fn

    return register


def shape_of(value: Any) -> tuple:
    return tuple(value.shape) if isinstance(value, TensorValue) else ()


def plain_size(value: Any) -> Any:
    """A size as a sympy expression (specialised symbols replaced) or an int."""
    return value.env.simplify(value.expr) if isinstance(value, SymInt) else value


def same_size(a: Any, b: Any) -> bool:
    """True when two sizes are the same int or the same symbolic expression."""
    if isinstance(a, SymInt) or isinstance(b, SymInt):
        return bool((plain_size(a) - plain_size(b)) == 0)
    return a == b



def require_equal(a: Any, b: Any) -> None:
    """Two sizes an op needs equal (matmul's inner dims, cat's other dims): when
    they are not the same expression, guard that they are equal (a Dim.AUTO size
    is specialised by it; a named Dim whose range allows other sizes fails)."""
    if not same_size(a, b):
        bool(a == b)


def broadcast_dim(a: Any, b: Any) -> Any:
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
            d = broadcast_dim(d, other)
        out.append(d)
    return tuple(out)


def tensor_args(args: tuple) -> list:
    return [a for a in args if isinstance(a, TensorValue)]


def numel(shape: Sequence[Any]) -> Any:
    n: Any = 1
    for s in shape:
        n = n * s
    return n


def exact_quotient(total: Any, known: Any) -> Any:
    import sympy  # imported on first use: sympy takes a while to import, and static traces never need it

    t = total.expr if isinstance(total, SymInt) else sympy.Integer(total)
    k = known.expr if isinstance(known, SymInt) else sympy.Integer(known)
    q = sympy.cancel(t / k)
    if sympy.fraction(q)[1] != 1:
        raise UnsupportedAPIError(f"cannot infer the -1 size of a view: {t} is not a multiple of {k} for every size",
                                  location=user_location(), hint="spell out every size of the view")
    env = (total if isinstance(total, SymInt) else known).env
    return SymInt(q, env, ())
