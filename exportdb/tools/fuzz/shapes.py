"""Sizes and dtypes as the program generator tracks them.

A size is a linear form ``scale * sym + offset`` of at most one dynamic
dimension (``Size("B", 2, -1)`` is ``2*B - 1``); a static size has no symbol.
The generator only combines two sizes when the result stays such a form, so
every generated program is valid for every value in the declared ranges.
Dtypes are the short codes the printer uses (``f32``, ``f64``, ``i64``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence


@dataclass(frozen=True)
class Size:
    sym: str | None
    scale: int
    offset: int

    @staticmethod
    def static(n: int) -> "Size":
        return Size(None, 0, n)

    @property
    def is_static(self) -> bool:
        return self.sym is None

    def value(self, binding: Mapping[str, int]) -> int:
        return self.offset if self.sym is None else self.scale * binding[self.sym] + self.offset

    def low(self, ranges: Mapping[str, tuple[int, int]]) -> int:
        """The smallest value this size takes inside the declared ranges."""
        return self.offset if self.sym is None else self.scale * ranges[self.sym][0] + self.offset

    def plus(self, other: "Size") -> "Size | None":
        """The size of two tensors joined along this dim, or None when not a single-symbol form."""
        if self.sym is None:
            return Size(other.sym, other.scale, other.offset + self.offset)
        if other.sym is None or other.sym == self.sym:
            return Size(self.sym, self.scale + other.scale, self.offset + other.offset)
        return None

    def times(self, n: int) -> "Size":
        return Size(self.sym, self.scale * n, self.offset * n)


Shape = tuple[Size, ...]
ONE = Size.static(1)


def static_shape(*dims: int) -> Shape:
    return tuple(Size.static(d) for d in dims)


def concrete(shape: Shape, binding: Mapping[str, int]) -> tuple[int, ...]:
    return tuple(s.value(binding) for s in shape)


def broadcast(a: Shape, b: Shape) -> Shape | None:
    """The broadcast shape of ``a`` and ``b``, or None when they may not broadcast for every size.

    Two dims broadcast when they are the same form or one is a static 1."""
    out = []
    for i in range(1, max(len(a), len(b)) + 1):
        x = a[-i] if i <= len(a) else ONE
        y = b[-i] if i <= len(b) else ONE
        if x == y or y == ONE:
            out.append(x)
        elif x == ONE:
            out.append(y)
        else:
            return None
    return tuple(reversed(out))


def fits_into(target: Shape, other: Shape) -> bool:
    """``other`` broadcasts to ``target`` without changing it (so ``target.add_(other)`` is valid)."""
    return broadcast(target, other) == target


def symbols(shape: Shape) -> list[str]:
    return [s.sym for s in shape if s.sym is not None]


FLOATS = ("f32", "f64")
TORCH_DTYPE = {"f32": "torch.float32", "f64": "torch.float64", "i64": "torch.int64", "b8": "torch.bool"}


def is_float(dtype: str) -> bool:
    return dtype in FLOATS


def promote(a: str, b: str) -> str:
    """Result dtype of a tensor-tensor op (torch's promotion among f64 > f32 > i64 > b8)."""
    order = ("b8", "i64", "f32", "f64")
    return a if order.index(a) >= order.index(b) else b


def promote_scalar(dtype: str, scalar_is_float: bool) -> str:
    """Result dtype of a tensor-Python-number op: a float number lifts an integer tensor to f32."""
    if scalar_is_float and not is_float(dtype):
        return "f32"
    return "i64" if dtype == "b8" else dtype


def factorizations(n: int, parts: int) -> list[tuple[int, ...]]:
    """Every way of writing ``n`` as an ordered product of ``parts`` factors (each >= 1)."""
    if parts == 1:
        return [(n,)]
    out = []
    for d in range(1, n + 1):
        if n % d == 0:
            out += [(d, *rest) for rest in factorizations(n // d, parts - 1)]
    return out


def numel(shape: Sequence[Size]) -> int | None:
    """Element count of an all-static shape, else None."""
    n = 1
    for s in shape:
        if not s.is_static:
            return None
        n *= s.offset
    return n
