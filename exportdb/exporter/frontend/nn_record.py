"""Shared helpers of the ``torch.nn`` module families: recording an ATen call laid out as
torch.export records it, seeded parameter initialisation, and int-or-tuple arguments."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from exportdb.exporter.frontend.tensor import Parameter, Tensor
from exportdb.exporter.ops import aten
from exportdb.exporter.ops import creation as _creation
from exportdb.exporter.ops.schemas import normalize
from exportdb.exporter.trace.dispatch import call


def record(name: str, *args: Any) -> Any:
    """Call ``aten.<name>`` with ``args`` normalised to the recorded layout (defaults trimmed,
    tuples as lists): ``record("conv2d.default", x, w, None, (1, 1))`` records ``conv2d(x, w)``."""
    positional, keywords = normalize(f"aten.{name}", args, {})
    return call(aten(name), *positional, **keywords)


def ntuple(value: Any, n: int) -> tuple:
    """``3`` -> ``(3, 3)`` for n=2; sequences become tuples."""
    if isinstance(value, (list, tuple)):
        return tuple(value)
    return (value,) * n


def uniform_parameter(shape: tuple, bound: float) -> Parameter:
    """A float32 parameter drawn uniformly from [-bound, bound) with the front end's seeded generator."""
    value = _creation.RNG.uniform(-bound, bound, size=shape).astype(np.float32)
    return Parameter(Tensor._make(value))


def constant_parameter(shape: tuple, fill: float) -> Parameter:
    return Parameter(Tensor._make(np.full(shape, fill, np.float32)))


def constant_buffer(shape: tuple, fill: float, dtype: Any = np.float32) -> Tensor:
    return Tensor._make(np.full(shape, fill, dtype))


def fan_in_bound(fan_in: int) -> float:
    """The bound of torch's default init for weights and biases: ``1 / sqrt(fan_in)``."""
    return 1 / math.sqrt(fan_in) if fan_in > 0 else 0.0
