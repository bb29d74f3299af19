"""What a generated program is: its source text plus what the checker needs to feed it.

:class:`FuzzProgram` carries the case file's source, the structure of
``forward``'s inputs (so the checker can make fresh inputs of other sizes for
both front ends from the same NumPy data), the declared dynamic ranges and the
set of features the program uses.  Its ``repr`` is the source, so hypothesis
prints a failing program as readable code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import numpy as np

from exportdb.tools.fuzz.shapes import Shape, concrete

#: Features a program may use; the CI test checks the generator reaches each of them.
FEATURES = ("cond", "nested_cond", "closure", "scalar_closure", "inplace", "loop", "pytree_input",
            "pytree_output", "dynamic", "symbolic_pred", "symint_scalar", "matmul", "view", "reduction",
            "cat", "cast", "parameter")


@dataclass(frozen=True)
class Leaf:
    """One tensor input: its shape (with dynamic sizes) and dtype code (``f32`` or ``b8``)."""

    shape: Shape
    dtype: str = "f32"

    def array(self, binding: Mapping[str, int], rng: np.random.Generator) -> np.ndarray:
        if self.dtype == "b8":
            return np.array(rng.random() < 0.5)
        return rng.standard_normal(concrete(self.shape, binding)).astype(np.float32)


@dataclass(frozen=True)
class InputArg:
    """A parameter of ``forward``: a tensor, or a tuple/list/dict of tensors."""

    name: str
    kind: str  # "tensor", "tuple", "list" or "dict"
    leaves: tuple[tuple[str, Leaf], ...]  # (key, leaf); the key is "" for a tensor, "0"/"1" or a dict key

    def build(self, binding: Mapping[str, int], rng: np.random.Generator, wrap: Callable[[np.ndarray], Any]) -> Any:
        values = [(key, wrap(leaf.array(binding, rng))) for key, leaf in self.leaves]
        if self.kind == "tensor":
            return values[0][1]
        if self.kind == "dict":
            return dict(values)
        items = [v for _, v in values]
        return tuple(items) if self.kind == "tuple" else items


@dataclass(frozen=True)
class FuzzProgram:
    source: str
    args: tuple[InputArg, ...]
    ranges: Mapping[str, tuple[int, int]]
    example: Mapping[str, int]
    features: frozenset[str] = field(default_factory=frozenset)

    def __repr__(self) -> str:
        return f"FuzzProgram(features={sorted(self.features)}, source=<<<\n{self.source}>>>)"

    def inputs(self, binding: Mapping[str, int], rng: np.random.Generator, wrap: Callable[[np.ndarray], Any]) -> tuple:
        """Fresh inputs with the dynamic sizes of ``binding``, each leaf made by ``wrap(ndarray)``."""
        return tuple(arg.build(binding, rng, wrap) for arg in self.args)

    def bindings(self, rng: np.random.Generator, extra: int = 1) -> list[dict[str, int]]:
        """Sizes to run at: the example, every range's low and high end, and ``extra`` random picks."""
        out = [dict(self.example)]
        if self.ranges:
            out.append({s: lo for s, (lo, _) in self.ranges.items()})
            out.append({s: hi for s, (_, hi) in self.ranges.items()})
            for _ in range(extra):
                out.append({s: int(rng.integers(lo, hi + 1)) for s, (lo, hi) in self.ranges.items()})
        unique = []
        for b in out:
            if b not in unique:
                unique.append(b)
        return unique
