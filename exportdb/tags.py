"""The tag taxonomy: every tag a case may carry, in display order.

Tags are always ordered by their position here (``torch.*`` before
``python.*``), never by set iteration, so generated pages do not depend on the
hash seed::

    >>> sort_tags({"python.closure", "torch.cond"})
    ('torch.cond', 'python.closure')
    >>> suggest("python.clousre")
    'python.closure'
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Tag:
    """One tag: its dotted name and a paragraph saying what it covers."""

    name: str
    description: str


TAXONOMY: tuple[Tag, ...] = (
    Tag(
        "torch.cond",
        "Cases built on the ``cond`` higher-order operator, the structured way to "
        "branch on a value that is only known when the program runs. Both branches "
        "are traced into sub-graphs and the choice between them is kept in the "
        "exported program instead of being decided while tracing.",
    ),
    Tag(
        "torch.dynamic-shape",
        "Cases whose inputs have sizes that are not fixed at export time. The "
        "exporter replaces such sizes with symbols, records the guards the program "
        "relies on, and prints the allowed ranges under *Range constraints*.",
    ),
    Tag(
        "torch.dynamic-value",
        "Cases that read a number out of a tensor (for example with ``.item()``) "
        "and use it afterwards. The value is unknown while tracing, so it becomes "
        "an unbacked symbol, and anything that needs its concrete value fails.",
    ),
    Tag(
        "torch.escape-hatch",
        "Cases that use an explicit way out of tracing, such as treating a result "
        "as a constant or marking a function so the exporter keeps it opaque, "
        "trading generality for an exportable program.",
    ),
    Tag(
        "torch.map",
        "Cases built on the ``map`` higher-order operator, which applies one traced "
        "body to every slice of a tensor along its first dimension, so a loop over "
        "data becomes a single node in the graph.",
    ),
    Tag(
        "torch.mutation",
        "Cases that change state in place: tensors updated with in-place operators, "
        "buffers written during ``forward``, or attributes assigned on the module. "
        "The exported program must either express the change or refuse it.",
    ),
    Tag(
        "torch.operator",
        "Cases about the operators themselves: which ATen overload a call is "
        "recorded as, and what happens when a case calls an operator the exporter "
        "does not know.",
    ),
    Tag(
        "python.assert",
        "Cases that use Python ``assert`` statements. Assertions on shapes or other "
        "facts known while tracing are checked once; assertions on tensor values "
        "would need the data and cannot be decided while tracing.",
    ),
    Tag(
        "python.builtin",
        "Cases that call Python built-in functions such as ``len``, ``isinstance``, "
        "``range`` or ``zip`` on traced values and containers. They run once while "
        "tracing and leave only their effect on the tensors in the graph.",
    ),
    Tag(
        "python.closure",
        "Cases whose code reads or writes variables from an enclosing scope: nested "
        "functions, ``nonlocal`` updates and lambdas. Tracing runs the Python code, "
        "so closures are followed and disappear from the exported graph.",
    ),
    Tag(
        "python.context-manager",
        "Cases that run part of ``forward`` inside a ``with`` block. Context "
        "managers that only affect Python state are traced through; the graph "
        "shows just the tensor operations inside the block.",
    ),
    Tag(
        "python.control-flow",
        "Cases with Python ``if``, ``for`` and ``while`` statements. Control flow "
        "that depends only on shapes, constants or Python values is unrolled while "
        "tracing; control flow on tensor data is rejected with a hint to use "
        "``cond``.",
    ),
    Tag(
        "python.data-structure",
        "Cases that pass tensors around in lists, tuples, dictionaries and other "
        "nested containers. Inputs and outputs are flattened into plain lists of "
        "tensors and rebuilt around the graph.",
    ),
    Tag(
        "python.object-model",
        "Cases that rely on classes: methods, attributes, properties, inheritance "
        "and submodules. Attribute look-ups are resolved while tracing; parameters "
        "and buffers found on modules become inputs of the exported program.",
    ),
    Tag(
        "python.standard-library",
        "Cases that use modules from the Python standard library, such as "
        "``math``, ``functools`` or ``operator``, around tensor code. Calls on "
        "plain Python values are evaluated while tracing.",
    ),
)

_INDEX: dict[str, int] = {tag.name: i for i, tag in enumerate(TAXONOMY)}
_BY_NAME: dict[str, Tag] = {tag.name: tag for tag in TAXONOMY}


def tag_names() -> tuple[str, ...]:
    """All tag names, in taxonomy order."""
    return tuple(tag.name for tag in TAXONOMY)


def is_known(name: str) -> bool:
    """True when ``name`` is a tag of the taxonomy."""
    return name in _INDEX


def get_tag(name: str) -> Tag:
    """The :class:`Tag` called ``name`` (KeyError when unknown)."""
    return _BY_NAME[name]


def sort_tags(names: Iterable[str]) -> tuple[str, ...]:
    """Known tags in taxonomy order, without duplicates; unknown names go last, sorted."""
    unique = set(names)
    known = sorted((n for n in unique if n in _INDEX), key=_INDEX.__getitem__)
    return tuple(known) + tuple(sorted(n for n in unique if n not in _INDEX))


def suggest(name: str) -> str | None:
    """The known tag closest to a misspelt ``name``, or None when nothing is close."""
    matches = difflib.get_close_matches(name, tag_names(), n=1, cutoff=0.6)
    return matches[0] if matches else None
