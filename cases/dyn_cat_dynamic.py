import torch
from torch.export import Dim


class DynCatDynamic(torch.nn.Module):
    """
    Concatenating along dimensions with two independent dynamic sizes gives a
    size that is their sum: ``f32[s0 + s1, 4]``. The other dimension is static
    and equal for both inputs, so no guard is needed.
    """

    def forward(self, history, recent):
        return torch.cat([history, recent], dim=0).tanh()


example_args = (torch.randn(5, 4), torch.randn(3, 4))
dynamic_shapes = {"history": {0: Dim("past")}, "recent": {0: Dim("new")}}
tags = {"torch.dynamic-shape"}
model = DynCatDynamic()
