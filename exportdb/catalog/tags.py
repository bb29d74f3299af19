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
        "Cases built on ``cond``, the structured way to branch on something that "
        "is only known when the program runs, such as a tensor's value or a "
        "dynamic size. Both branches are traced into sub-graphs and the choice "
        "between them stays in the exported program. The branches must take the "
        "operands they are given, return tensors of the same shape and dtype, and "
        "leave their inputs and any outside state unchanged; unsupported cases "
        "here show each rule's error next to a rewrite that follows it.",
    ),
    Tag(
        "torch.dynamic-shape",
        "Cases whose inputs have sizes that are not fixed at export time, declared "
        "with ``Dim`` in ``dynamic_shapes``. The exporter replaces such sizes with "
        "symbols (``s0``), turns Python decisions on them into guards that must "
        "hold over the whole declared range, and prints the allowed ranges under "
        "*Range constraints*. A guard that fails for part of the range stops the "
        "export with a constraint violation.",
    ),
    Tag(
        "torch.dynamic-value",
        "Cases that read a number out of a tensor, for example with ``.item()``, "
        "and keep using it. The value is unknown while tracing, so it becomes an "
        "unbacked symbol (``u0``) with no example value. Code that only passes it "
        "on (as a size or an index) exports, with ``torch._check`` to state the "
        "bounds it needs; code that needs the concrete number in Python fails.",
    ),
    Tag(
        "torch.escape-hatch",
        "Cases that tell the exporter something it cannot work out from the code: "
        "``torch._check`` and ``torch._check_is_size`` state facts about sizes and "
        "data-dependent values, and ``assume_constant_result`` freezes a result "
        "computed at export time into a constant. They make a program exportable "
        "at the price of assumptions that the user, not the exporter, guarantees.",
    ),
    Tag(
        "torch.map",
        "Cases built on ``map``, which applies one traced body to every slice of "
        "its input along the first dimension. The body becomes a sub-graph called "
        "once per row by a single ``map_impl`` node, so a loop over data is not "
        "unrolled and the number of rows can stay dynamic. Tensors the body reads "
        "from outside are passed to it as extra arguments.",
    ),
    Tag(
        "torch.mutation",
        "Cases that change state: tensors updated with in-place operators, "
        "inputs and buffers written during ``forward``, and attributes assigned on "
        "the module. In-place operations on tensors stay in place in the graph; "
        "assignments to plain Python attributes happen once, while tracing, and "
        "leave at most a constant behind; inside a ``cond`` branch, mutating an "
        "input or outside state is refused.",
    ),
    Tag(
        "torch.operator",
        "Cases about the operators themselves: which ATen operator and overload "
        "each Python call is recorded as (``mul.Tensor``, ``sum.dim_IntList``), "
        "why different spellings of one operation give the same node, and how "
        "arguments such as ``alpha`` or ``rounding_mode`` appear in the graph.",
    ),
    Tag(
        "torch.nn-model",
        "Small real models written in the style of well-known architectures: a "
        "GPT, ResNet and MobileNetV2 blocks, a Transformer encoder layer, a vision "
        "transformer and an LSTM tagger. They show what ``torch.nn`` layers record "
        "(``linear`` and ``layer_norm`` stay whole, ``MultiheadAttention`` "
        "decomposes, an LSTM is one node), how tied weights are lifted once, and "
        "in which order parameters become inputs.",
    ),
    Tag(
        "python.assert",
        "Cases that use Python ``assert`` statements. An assertion on facts known "
        "while tracing (ranks, static sizes, dtypes) is checked once and leaves "
        "nothing in the graph. An assertion on a dynamic size becomes a guard, "
        "which must hold for every size the declared range allows.",
    ),
    Tag(
        "python.builtin",
        "Cases that call Python built-in functions such as ``len``, ``getattr``, "
        "``isinstance``, ``type``, ``min``, ``enumerate`` or ``reversed`` on "
        "modules, containers and sizes. They run once while tracing and leave only "
        "their effect on the tensors in the graph; built-ins that need a tensor's "
        "data as Python numbers cannot be traced.",
    ),
    Tag(
        "python.closure",
        "Cases whose code reads or writes variables from an enclosing scope: nested "
        "functions, ``nonlocal`` updates, lambdas and decorators. Tracing runs the "
        "Python code, so closures are followed and disappear from the exported "
        "graph; inside ``cond`` and ``map``, tensors captured this way become "
        "explicit inputs of the sub-graphs.",
    ),
    Tag(
        "python.context-manager",
        "Cases that run part of ``forward`` inside a ``with`` block: user-defined "
        "context managers, ``contextlib`` helpers and grad-mode blocks. "
        "``__enter__`` and ``__exit__`` run while tracing like any other Python "
        "code, so their side effects happen once, at export time, and the graph "
        "shows only the tensor operations inside the block.",
    ),
    Tag(
        "python.control-flow",
        "Cases with Python ``if``, ``for`` and ``while`` statements. Control flow "
        "that depends only on shapes, constants or Python values is decided or "
        "unrolled while tracing, and only the path taken is recorded. Control flow "
        "on tensor data cannot be decided while tracing and is rejected with a "
        "hint to use ``cond``.",
    ),
    Tag(
        "python.data-structure",
        "Cases that pass tensors around in lists, tuples, dictionaries, named "
        "tuples and other nested containers. Inputs and outputs are flattened "
        "into plain lists of tensors, named after their path in the structure, "
        "and rebuilt around the graph; the structure itself (its length, its "
        "keys) is fixed at export time.",
    ),
    Tag(
        "python.object-model",
        "Cases that rely on classes: methods, class and static methods, "
        "attributes, inheritance, optional arguments and submodules. Attribute "
        "look-ups and method calls are resolved while tracing, non-tensor "
        "attributes become constants, and parameters and buffers found on modules "
        "become inputs of the exported program.",
    ),
    Tag(
        "python.standard-library",
        "Cases that use modules from the Python standard library, such as "
        "``math``, ``functools``, ``itertools``, ``operator``, ``enum``, "
        "``collections`` or ``contextlib``, around tensor code. Calls on plain "
        "Python values are evaluated while tracing; helpers that wrap tensor "
        "operations are traced through to the operations they call.",
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
