"""A sample's one-call case, written as ordinary torch source text.

The case's ``forward`` takes the tensors of the sample (its input, args and
kwargs, in that order, nested lists included) as parameters ``t0, t1, ...``;
every other argument is written into the call as a Python literal::

    import torch


    class OneCall(torch.nn.Module):
        def forward(self, t0, t1):
            return torch.add(t0, t1, alpha=2)


    model = OneCall()

Because it is source text, the built-in front end (which redirects the case's
``import torch``) and real torch load the very same case.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from typing import Any, Callable

from exportdb.tools.conformance.object_source import NoSource, object_source
from exportdb.tools.conformance.op_spelling import SpellingError, fill, slice_subscript
from exportdb.tools.conformance.opinfos import Callee

MODEL_CLASS = "OneCall"


class NotExpressible(ValueError):
    """A sample argument has no literal form (a generator, a callable, a sparse tensor, ...)."""


@dataclass(frozen=True)
class CaseSource:
    """The generated case and the sample tensors its forward takes, in parameter order."""

    text: str
    leaves: tuple  # torch tensors: t0, t1, ...
    call: str  # the one call, as written in forward

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()[:16]


class _Writer:
    """Writes values as literals, collecting tensors as ``t0, t1, ...``."""

    def __init__(self, is_tensor: Callable[[Any], bool]):
        self.is_tensor = is_tensor
        self.leaves: list = []

    def write(self, value: Any) -> str:
        if self.is_tensor(value):
            if getattr(value, "layout", None) is not None and str(value.layout) != "torch.strided":
                raise NotExpressible(f"a {value.layout} tensor argument")
            self.leaves.append(value)
            return f"t{len(self.leaves) - 1}"
        if value is None or isinstance(value, (bool, str)) or value is Ellipsis:
            return "..." if value is Ellipsis else repr(value)
        if isinstance(value, int):
            return repr(int(value))
        if isinstance(value, float):
            return float_literal(value)
        if isinstance(value, complex):
            return f"complex({float_literal(value.real)}, {float_literal(value.imag)})"
        if isinstance(value, slice):
            return f"slice({self.write(value.start)}, {self.write(value.stop)}, {self.write(value.step)})"
        if isinstance(value, (list, tuple)):  # torch.Size is a tuple
            items = [self.write(v) for v in value]
            if isinstance(value, list):
                return f"[{', '.join(items)}]"
            return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"
        if isinstance(value, dict) and all(isinstance(k, str) for k in value):
            return "{" + ", ".join(f"{k!r}: {self.write(v)}" for k, v in value.items()) + "}"
        try:
            return _torch_constant(value)
        except NotExpressible:
            try:  # a module instance or an options object: its constructor call
                return object_source(value, self.write)
            except NoSource as exc:
                raise NotExpressible(str(exc)) from None


def float_literal(value: float) -> str:
    """A float as Python source, nan and infinities included."""
    if math.isnan(value):
        return "float('nan')"
    if math.isinf(value):
        return "float('inf')" if value > 0 else "-float('inf')"
    return repr(float(value))


def _torch_constant(value: Any) -> str:
    """torch.float64, torch.contiguous_format, torch.strided; a device as its string."""
    kind = type(value)
    if kind.__module__ == "torch" and kind.__name__ in ("dtype", "memory_format", "layout"):
        text = str(value)
        if text.startswith("torch.") and text[6:].isidentifier():
            return text
    if kind.__module__ == "torch" and kind.__name__ == "device":
        return repr(str(value))
    if hasattr(value, "item") and getattr(value, "shape", None) == ():  # a NumPy scalar
        return _Writer(lambda v: False).write(value.item())
    raise NotExpressible(f"an argument of type {kind.__module__}.{kind.__qualname__}")


def case_source(callee: Callee, sample_input: Any, args: tuple, kwargs: dict,
                is_tensor: Callable[[Any], bool]) -> CaseSource:
    """The case calling ``callee`` on the sample; raises :class:`NotExpressible`."""
    writer = _Writer(is_tensor)
    first = writer.write(sample_input)
    for name in kwargs:
        if not name.isidentifier():
            raise NotExpressible(f"keyword argument {name!r}")
    if callee.kind == "subscript":
        if not (writer.leaves and first == "t0"):
            raise NotExpressible("a subscript needs a tensor input")
        try:
            call = slice_subscript(first, args, kwargs, writer.write)
        except SpellingError as exc:
            raise NotExpressible(str(exc)) from None
        return _case(call, writer)
    positional = [first, *(writer.write(a) for a in args)]
    keywords = [(name, writer.write(value)) for name, value in kwargs.items()]
    rest = positional[1:] + [f"{name}={text}" for name, text in keywords]
    if callee.kind == "template":
        try:
            call = fill(callee.name, positional, keywords)
        except SpellingError as exc:
            raise NotExpressible(str(exc)) from None
    elif callee.kind == "function":
        call = f"{callee.name}({', '.join([first, *rest])})"
    else:
        if not (writer.leaves and first == "t0" and is_tensor(sample_input)):
            raise NotExpressible("the method variant needs a tensor input")
        call = f"{first}.{callee.name}({', '.join(rest)})"
    return _case(call, writer)


def _case(call: str, writer: _Writer) -> CaseSource:
    params = "".join(f", t{i}" for i in range(len(writer.leaves)))
    text = (f"import torch\n\n\nclass {MODEL_CLASS}(torch.nn.Module):\n"
            f"    def forward(self{params}):\n        return {call}\n\n\nmodel = {MODEL_CLASS}()\n")
    return CaseSource(text, tuple(writer.leaves), call)
