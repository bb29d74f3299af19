import torch
from torch.export import Dim


class DynSizeRemainder(torch.nn.Module):
    """
    Integer arithmetic on a dynamic size, ``//`` and ``%`` included, is
    recorded node by node: padding a sequence up to a multiple of four needs
    ``(4 - n % 4) % 4`` zero rows, an expression in ``s0`` that becomes the
    size of the ``zeros`` tensor. The padded length ``s0 + Mod(...)`` then
    follows from ``cat`` without any guard, because nothing in the code
    branches on the size.
    """

    def forward(self, x):
        pad = (4 - x.shape[0] % 4) % 4
        filler = torch.zeros(pad, x.shape[1])
        return torch.cat([x, filler])


example_args = (torch.randn(6, 3),)
dynamic_shapes = {"x": {0: Dim("steps", min=1)}}
tags = {"torch.dynamic-shape"}
model = DynSizeRemainder()
