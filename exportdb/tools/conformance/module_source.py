"""Python source text for a ``module_db`` constructor call.

The builtin front end builds a module from *source text*, as a case file
would: ``torch.nn.Conv2d(4, 5, 3, padding='same')``.  :func:`literal` writes
one constructor argument as a Python expression a case file could hold
(numbers, strings, containers, dtypes, small tensors, ``torch.nn.functional``
callables, and module instances and options objects as their constructor calls,
see :mod:`~exportdb.tools.conformance.object_source`); anything else raises
:class:`NotLiteral`::

    >>> constructor_source("nn.Conv2d", (4, 5, 3), {"padding": "same"})
    "torch.nn.Conv2d(4, 5, 3, padding='same')"
"""

from __future__ import annotations

from typing import Any

from exportdb.tools.conformance.object_source import NoSource, object_source
from exportdb.tools.conformance.op_source import float_literal


class NotLiteral(ValueError):
    """A constructor argument has no source form the harness can write."""


def _tensor(value: Any) -> str:
    dtype = str(value.dtype)  # "torch.float32"
    if value.numel() > 64:
        raise NotLiteral(f"a tensor of {value.numel()} elements")
    return f"torch.tensor({value.tolist()!r}, dtype={dtype})"


def literal(value: Any) -> str:
    """``value`` as Python source for a case file that has ``import torch``."""
    if value is None or isinstance(value, (bool, int, str)):
        return repr(value)
    if isinstance(value, float):
        return float_literal(value)
    if isinstance(value, tuple):
        if type(value).__name__ == "Size":
            return f"({', '.join(literal(v) for v in value)}{',' if len(value) == 1 else ''})"
        items = ", ".join(literal(v) for v in value)
        return f"({items},)" if len(value) == 1 else f"({items})"
    if isinstance(value, list):
        return f"[{', '.join(literal(v) for v in value)}]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in value.items()) + "}"
    kind = type(value).__module__ + "." + type(value).__name__
    if kind == "torch.dtype":
        return str(value)
    if kind == "torch.device":
        return repr(str(value))
    if kind in ("torch.Tensor", "torch.nn.parameter.Parameter"):
        return _tensor(value)
    module = getattr(value, "__module__", None) or ""
    name = getattr(value, "__name__", None)
    if callable(value) and name and module in ("torch.nn.functional", "torch._C._nn", "torch"):
        if module == "torch":
            return f"torch.{name}"
        return f"torch.nn.functional.{name}"
    try:
        return object_source(value, literal)  # a module instance or an options object: its constructor call
    except NoSource as exc:
        raise NotLiteral(str(exc)) from None


def constructor_source(module_name: str, args: tuple, kwargs: dict) -> str:
    """``torch.nn.Conv2d(4, 5, 3, padding='same')`` for ``module_db``'s ``nn.Conv2d`` input."""
    parts = [literal(a) for a in args] + [f"{k}={literal(v)}" for k, v in kwargs.items()]
    return f"torch.{module_name}({', '.join(parts)})"


def case_source(expression: str) -> str:
    """A case file that builds ``model`` from ``expression``."""
    return f"import torch\n\nmodel = {expression}\n"
