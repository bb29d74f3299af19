"""Calling an ATen op as torch's Python binding does: pick the overload whose schema
fits the arguments, then lay the call out as torch.export records it.

``torch.index_fill(x, 0, idx, 1.5)`` binds ``aten.index_fill.int_Scalar`` and
``torch.index_fill(x, 0, idx, v)`` (``v`` a tensor) binds ``.int_Tensor``;
``torch.diag_embed(x, offset=2)`` records ``diag_embed.default(x, 2)``.  Schemas
come from :mod:`exportdb.exporter.ops.schemas`; only the op's kernel and shape
rule are exportdb's own.
"""

from __future__ import annotations

from typing import Any, Sequence

from exportdb.exporter.ir.dtypes import DType
from exportdb.exporter.ir.values import TensorValue
from exportdb.exporter.ops import OPS
from exportdb.exporter.ops.schemas import Arg, Schema, normalize, schema
from exportdb.exporter.symbolic.shape_env import SymValue
from exportdb.exporter.trace.dispatch import call

_NUMBER = (int, float, complex)


def call_aten(qualname: str, *args: Any, **kwargs: Any) -> Any:
    """Call ``qualname`` with ``args``/``kwargs`` named as in its schema (defaults dropped).

    A symbolic size passed where the schema says ``int`` (not ``SymInt``) is made a
    Python int, which specialises it, as torch does (``torch.linspace(0, 1, n)``)."""
    found = schema(qualname)
    if found is not None:
        args = tuple(_specialised(arg, value) for arg, value in zip(found.positional, args)) + args[len(found.positional):]
        kwargs = {k: _specialised(found.by_name[k], v) if k in found.by_name else v for k, v in kwargs.items()}
    args, kwargs = normalize(qualname, args, kwargs)
    return call(OPS[qualname], *args, **kwargs)


def _specialised(arg: Arg, value: Any) -> Any:
    if arg.base_type != "int":
        return value
    if isinstance(value, SymValue):
        return int(value)
    if isinstance(value, (list, tuple)):
        return type(value)(int(v) if isinstance(v, SymValue) else v for v in value)
    return value


def call_overloads(name: str, overloads: Sequence[str], args: tuple, kwargs: dict) -> Any:
    """Call the first overload of ``aten.<name>`` whose schema accepts the arguments."""
    for overload in overloads:
        qualname = f"aten.{name}.{overload}"
        found = schema(qualname)
        if found is not None and fits(found, args, kwargs):
            return call_aten(qualname, *args, **kwargs)
    shown = ", ".join(type(a).__name__ for a in args)
    raise TypeError(f"{name}() received an invalid combination of arguments: ({shown}"
                    f"{', ' if kwargs and args else ''}{', '.join(f'{k}=' for k in kwargs)})")


def fits(found: Schema, args: tuple, kwargs: dict) -> bool:
    """True when ``args``/``kwargs`` bind to ``found``'s parameters with fitting types."""
    positional = found.positional
    if len(args) > len(positional):
        return False
    bound = dict(zip((a.name for a in positional), args))
    for key, value in kwargs.items():
        if key in bound or key not in found.by_name:
            return False
        bound[key] = value
    for arg in found.args:
        if arg.name not in bound:
            if not arg.has_default:
                return False
        elif not _fits_type(arg, bound[arg.name]):
            return False
    return True


def _is_int(value: Any) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool)) or (
        isinstance(value, SymValue) and not type(value).__name__.startswith("SymBool"))


def _fits_type(arg: Arg, value: Any) -> bool:
    t = arg.type
    optional = "?" in t.split("[")[0] or t.endswith("?")
    if value is None:
        return optional or arg.default is None
    base = arg.base_type
    is_list = "[" in t
    if is_list:
        if base == "Tensor":
            return isinstance(value, (list, tuple)) and all(isinstance(v, TensorValue) or v is None for v in value)
        if isinstance(value, (list, tuple)):
            return all(_is_int(v) for v in value) if base in ("int", "SymInt") else True
        size = t[t.rindex("[") + 1:t.rindex("]")]
        return bool(size) and _is_int(value)
    if base == "Tensor":
        return isinstance(value, TensorValue)
    if isinstance(value, (TensorValue, list, tuple)):
        return False
    if base in ("int", "SymInt"):
        return _is_int(value) or isinstance(value, bool)
    if base in ("float", "Scalar"):
        return isinstance(value, _NUMBER) or isinstance(value, SymValue) or hasattr(value, "dtype")
    if base == "bool":
        return isinstance(value, bool)
    if base == "str":
        return isinstance(value, str)
    if base == "ScalarType":
        return isinstance(value, DType)
    return True
