import torch
from torch.export import Dim


class DynReductions(torch.nn.Module):
    """
    Reductions over dynamic dimensions: both sizes of ``x`` are symbols. Summing
    over the rows leaves ``[s1]``, a row-wise maximum with ``keepdim`` leaves
    ``[s0, 1]`` (which broadcasts back against ``x``), and a full mean is a
    scalar. The reduced sizes disappear from the shapes; the others stay
    symbolic.
    """

    def forward(self, x):
        centred = x - x.amax(dim=1, keepdim=True)
        return centred.sum(dim=0), x.mean()


example_args = (torch.randn(4, 6),)
dynamic_shapes = {"x": {0: Dim("rows"), 1: Dim("cols")}}
tags = {"torch.dynamic-shape"}
model = DynReductions()
