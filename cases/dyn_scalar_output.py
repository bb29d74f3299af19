import torch
from torch.export import Dim


class DynScalarOutput(torch.nn.Module):
    """
    A size can be returned as a plain integer. With a dynamic dimension the
    returned ``x.shape[0] * x.shape[1]`` is not a constant: it is a
    ``Sym(s0*s1)`` node, listed in the graph signature as a
    ``SymIntArgument`` output, and the exported program computes it from the
    sizes of the tensor it is called with.
    """

    def forward(self, x):
        count = x.shape[0] * x.shape[1]
        return x.sum() / count, count


example_args = (torch.randn(4, 5),)
dynamic_shapes = {"x": {0: Dim("rows"), 1: Dim("cols")}}
tags = {"torch.dynamic-shape"}
model = DynScalarOutput()
