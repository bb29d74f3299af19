"""Dimension arguments: the one rule for wrapping a possibly negative ``dim``."""

from __future__ import annotations


def wrap_dim(dim: int, ndim: int) -> int:
    """Normalize a possibly negative dim, raising IndexError like torch.

    >>> wrap_dim(-1, 3)
    2
    >>> wrap_dim(0, 0)      # a 0-d tensor accepts dims 0 and -1
    0
    """
    size = max(ndim, 1)
    if not -size <= dim < size:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-size}, {size - 1}], but got {dim})")
    return dim % size
