"""``torch.export`` for case files: ``export``, ``Dim``, ``dynamic_dim``, plus the
torch-level helpers tied to export (``torch._check``, ``torch.sym_min``...)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from exportdb.exporter.trace.dispatch import active_builder, user_location


def is_exporting() -> bool:
    """``torch.compiler.is_compiling()``: true while the exporter traces."""
    return active_builder() is not None


class _DimHint:
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

    AUTO = _DimHint("AUTO")
    STATIC = _DimHint("STATIC")
    DYNAMIC = _DimHint("DYNAMIC")

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


def _export(model: Any, args: tuple, kwargs: dict | None = None, *, dynamic_shapes: Any = None,
            strict: bool = True, constraints: Any = None) -> Any:
    from exportdb.exporter.trace.export import export

    return export(model, args, kwargs, dynamic_shapes=dynamic_shapes, constraints=constraints)


def _check(condition: Any, message: Any = None) -> None:
    """``torch._check``: while exporting, a symbolic condition narrows the ranges and
    becomes a runtime assertion node; otherwise it must simply hold."""
    from exportdb.exporter.symbolic.shape_env import SymBool

    if isinstance(condition, SymBool):
        _record_check(condition)
        return
    if not condition:
        text = message() if callable(message) else "Expected cond to be True, but got False."
        raise RuntimeError(text)


def _record_check(condition: Any) -> None:
    from exportdb.errors import ConstraintViolationError
    from exportdb.exporter.symbolic.shape_env import assert_at_run_time

    env = condition.env
    expr = env.simplify(condition.expr)
    known = env.known(expr)
    if known is False:
        raise ConstraintViolationError(f"torch._check({expr}) can never hold for the declared ranges",
                                       location=user_location())
    if known or env.specialise(expr):
        return  # holds for every allowed size, or made a Dim.AUTO size equal: nothing left to check
    # torch.export's graph names these nodes ge_1/le_1 (its first trace used ge/le): match it
    assert_at_run_time(condition, skip_name=True)


def _check_is_size(value: Any, max: int | None = None) -> None:  # noqa: A002
    _check(value >= 0)
    if max is not None:
        _check(value <= max)


NAMESPACE = {"export": _export, "Dim": Dim, "dims": dims, "dynamic_dim": dynamic_dim}
def _sym_min(a: Any, b: Any) -> Any:
    from exportdb.exporter.symbolic.shape_env import sym_min

    return sym_min(a, b)


def _sym_max(a: Any, b: Any) -> Any:
    from exportdb.exporter.symbolic.shape_env import sym_max

    return sym_max(a, b)


TORCH_LEVEL = {"_check": _check, "_check_is_size": _check_is_size, "sym_min": _sym_min,
               "sym_max": _sym_max, "sym_int": int}
