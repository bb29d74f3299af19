"""Argument lists as torch.export records them for ``torch.nn`` calls."""

from __future__ import annotations

from typing import Any, Sequence

#: ATen's reduction codes (``reduction='mean'`` is recorded as ``1``).
REDUCTIONS = {"none": 0, "mean": 1, "sum": 2}


def trim_defaults(args: Sequence[Any], defaults: Sequence[Any]) -> tuple:
    """``args`` without the trailing ones that equal the schema's default, the way
    torch.export prints a call: a value of another type stays (``1.0`` against a
    default ``1`` is printed), as do all arguments before a non-default one.

    >>> trim_defaults((0.2, 1.0), (0.01, 1.0))
    (0.2,)
    >>> trim_defaults((1.0,), (1,))
    (1.0,)
    """
    out = list(args)
    for value, default in zip(reversed(args), reversed(defaults)):
        if type(value) is not type(default) or value != default:
            break
        out.pop()
    return tuple(out)


def reduction_code(reduction: str) -> int:
    """``'mean'`` -> 1; unknown names fail as torch fails."""
    try:
        return REDUCTIONS[reduction]
    except KeyError:
        raise ValueError(f"{reduction} is not a valid value for reduction") from None
