"""The dynamic-dimension types of ``torch.export``: ``Dim``, its hints, derived dims and ``dynamic_dim``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class DimHint:
    """``Dim.AUTO``, ``Dim.STATIC`` and ``Dim.DYNAMIC``: a dimension's treatment without a name."""

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return f"Dim.{self.name}"


@dataclass(frozen=True)
class Dim:
    """A named dynamic dimension with an inclusive range, as ``torch.export.Dim``."""

    name: str
    min: int | None = None
    max: int | None = None

    AUTO = DimHint("AUTO")
    STATIC = DimHint("STATIC")
    DYNAMIC = DimHint("DYNAMIC")

    def __post_init__(self) -> None:
        lo = 0 if self.min is None else self.min
        if self.max is not None and self.max < lo:
            raise ValueError(f"Dim {self.name!r}: max {self.max} is below min {lo}")

    def __mul__(self, k: int) -> "DerivedDim":
        return DerivedDim(self, k, 0)

    __rmul__ = __mul__

    def __add__(self, k: int) -> "DerivedDim":
        return DerivedDim(self, 1, k)

    __radd__ = __add__

    def __sub__(self, k: int) -> "DerivedDim":
        return DerivedDim(self, 1, -k)


@dataclass(frozen=True)
class DerivedDim:
    """``scale * root + offset`` for a root :class:`Dim`."""

    root: Dim
    scale: int
    offset: int

    def __mul__(self, k: int) -> "DerivedDim":
        return DerivedDim(self.root, self.scale * k, self.offset * k)

    __rmul__ = __mul__

    def __add__(self, k: int) -> "DerivedDim":
        return DerivedDim(self.root, self.scale, self.offset + k)

    __radd__ = __add__

    def __sub__(self, k: int) -> "DerivedDim":
        return DerivedDim(self.root, self.scale, self.offset - k)


def dims(*names: str, min: int | None = None, max: int | None = None) -> tuple[Dim, ...]:  # noqa: A002
    return tuple(Dim(n, min=min, max=max) for n in names)


@dataclass(frozen=True)
class DynamicDimConstraint:
    """The legacy ``dynamic_dim(x, i)`` form: dimension ``i`` of tensor ``x`` is dynamic."""

    tensor: Any
    dim: int


def dynamic_dim(tensor: Any, index: int) -> DynamicDimConstraint:
    return DynamicDimConstraint(tensor, index)
