import torch
from functorch.experimental.control_flow import cond
from torch.export import Dim


class CondSymbolicSize(torch.nn.Module):
    """
    The first dimension is dynamic, so ``x.shape[0] > 4`` is a symbolic boolean
    rather than a Python constant. The cond node keeps it as its predicate.
    """

    def forward(self, x):
        return cond(x.shape[0] > 4, lambda t: t.cos(), lambda t: t.sin(), (x,))


example_args = (torch.randn(6, 3),)
dynamic_shapes = {"x": {0: Dim("rows")}}
tags = {"torch.cond", "torch.dynamic-shape"}
model = CondSymbolicSize()
