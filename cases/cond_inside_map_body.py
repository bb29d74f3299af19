import torch
from functorch.experimental.control_flow import cond, map


class CondInsideMapBody(torch.nn.Module):
    """
    A ``cond`` inside the body of a ``map`` makes a separate decision for every
    row: rows whose sum is positive are squared, the others negated. The
    predicate ``row.sum() > 0`` is computed inside the body from the row, so it
    is a one-element tensor that differs per iteration; the choice is made at
    run time, row by row. The body graph contains the cond node and the two
    branch graphs, nested one level deeper than in a plain cond.
    """

    def forward(self, x):
        def per_row(row):
            return cond(row.sum() > 0, lambda r: r * r, lambda r: -r, (row,))

        return map(per_row, x)


example_args = (torch.randn(4, 3),)
tags = {"torch.map", "torch.cond"}
model = CondInsideMapBody()
