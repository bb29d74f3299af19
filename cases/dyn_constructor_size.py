import torch
from torch.export import Dim


class DynConstructorSize(torch.nn.Module):
    """
    A tensor constructor can take a size computed from a dynamic size.
    ``x.shape[0] * 2`` is recorded as a ``sym_size`` node followed by a
    multiplication node (``Sym(2*s0)``), and ``zeros`` receives that node as
    its size, so the new tensor grows with the input instead of being frozen
    at the example's size.
    """

    def forward(self, x):
        padding = torch.zeros(x.shape[0] * 2, x.shape[1])
        return padding + torch.cat([x, x.abs()], dim=0)


example_args = (torch.randn(3, 5),)
dynamic_shapes = {"x": {0: Dim("n")}}
tags = {"torch.dynamic-shape"}
model = DynConstructorSize()
