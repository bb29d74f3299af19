import torch
from torch.export import Dim


class DynSliceSymbolic(torch.nn.Module):
    """
    Slicing with a bound computed from a dynamic size: ``x[: x.shape[0] - 2]``
    ends at ``s0 - 2`` and ``x[2:]`` starts at 2, so both results have
    ``s0 - 2`` rows and can be subtracted (a difference over a distance of two
    rows). ``min=4`` on the ``Dim`` keeps at least two rows in each slice; with
    ``min=3`` torch.export would also have to guard that the slices never have
    exactly one row (size 1 broadcasts differently), which fails for three rows.
    """

    def forward(self, x):
        n = x.shape[0]
        return x[2:] - x[: n - 2]


example_args = (torch.randn(7, 2),)
dynamic_shapes = {"x": {0: Dim("steps", min=4)}}
tags = {"torch.dynamic-shape"}
model = DynSliceSymbolic()
