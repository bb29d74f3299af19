"""How a user writes the OpInfos whose ``op`` is a test wrapper (a lambda) rather than a torch callable.

op_db wraps some ops to fit its "first argument is a tensor" convention or to
test a property: ``einsum``'s OpInfo calls ``lambda tensors, equation:
torch.einsum(equation, tensors)``, ``T``'s calls ``lambda x: x.T``.  A user
writes the call the lambda makes, so the harness writes it too, from a
template whose ``{0}``, ``{1}``, ... stand for the sample's input and
positional arguments (as literals or tensor parameters) and ``{more}`` for the
rest of them and the keyword arguments (each preceded by ``, ``)::

    "einsum": "torch.einsum({1}, {0})"   ->   torch.einsum('i,j->ij', [t0, t1])

``slice`` (``torch.ops.aten.slice.Tensor``) is what indexing with a slice
records, so it is written as a subscript: ``t0[:, 1:-2]``.

Each template repeats its OpInfo's lambda (tests/test_conformance_ops.py runs
both on every sample and compares); private and internal ops (``aten._*``,
``jiterator_*``, ``sparse.*``, backward ops) have no user spelling and none here.
"""

from __future__ import annotations

import re
from typing import Any, Callable

#: OpInfo key -> the call its ``op`` lambda makes, as a template.
TEMPLATES = {
    "einsum": "torch.einsum({1}, {0})",
    "T": "{0}.T",
    "H": "{0}.H",
    "mT": "{0}.mT",
    "mH": "{0}.mH",
    "zero_": "{0}.clone().zero_()",
    "resize_": "{0}.clone().resize_({1})",
    "resize_as_": "{0}.clone().resize_as_({1})",
    "svd_lowrank": "torch.svd_lowrank({0} @ {1}.mT{more})",
    "pca_lowrank": "torch.pca_lowrank({0} @ {1}.mT{more})",
    "normal.number_mean": "torch.normal({1}, {0}{more})",
    "nn.functional.embedding": "torch.nn.functional.embedding({1}, {0}{more})",
    "nn.functional.embedding_bag": "torch.nn.functional.embedding_bag({1}, {0}{more})",
    "linalg.lstsq.grad_oriented": "torch.linalg.lstsq({0}, {1}{more})[:2]",
    "linalg.pinv.singular": "torch.linalg.pinv({0} @ {1}.mT{more})",
    "special.polygamma.special_polygamma_n_0": "torch.special.polygamma({1}, {0}{more})",
}
#: OpInfo key -> the name of the subscript spelling.
SUBSCRIPTS = {"slice": "slice"}

_SLOT = re.compile(r"\{(\d+|more)\}")


class SpellingError(ValueError):
    """The sample does not fit the template (an argument it has no place for)."""


def fill(template: str, positional: list[str], keywords: list[tuple[str, str]]) -> str:
    """The template with its slots filled by the written arguments."""
    used = {int(m.group(1)) for m in _SLOT.finditer(template) if m.group(1) != "more"}
    if used and max(used) >= len(positional):
        raise SpellingError(f"the sample has {len(positional)} positional values, the spelling needs {max(used) + 1}")
    rest = [text for i, text in enumerate(positional) if i not in used] + [f"{k}={v}" for k, v in keywords]
    if rest and "{more}" not in template:
        raise SpellingError(f"the spelling has no place for {', '.join(rest)}")

    def slot(match: re.Match) -> str:
        name = match.group(1)
        return "".join(", " + r for r in rest) if name == "more" else positional[int(name)]

    return _SLOT.sub(slot, template)


def slice_subscript(tensor: str, args: tuple, kwargs: dict, write: Callable[[Any], str]) -> str:
    """``aten.slice.Tensor(x, dim=0, start=None, end=None, step=1)`` as the subscript that records it."""
    names = ("dim", "start", "end", "step")
    if len(args) > len(names) or set(kwargs) - set(names):
        raise SpellingError("slice takes dim, start, end and step")
    bound = dict(zip(names, args), **kwargs)
    dim, start, end, step = (bound.get(n, d) for n, d in zip(names, (0, None, None, 1)))
    if not isinstance(dim, int) or dim < 0:
        raise SpellingError("a subscript needs a non-negative literal dim")
    parts = ["" if start is None else write(start), "" if end is None else write(end)]
    text = ":".join(parts) + ("" if step == 1 else f":{write(step)}")
    return f"{tensor}[{', '.join([':'] * dim + [text])}]"
