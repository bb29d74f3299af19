import torch
from torch.export import Dim


class DynDimMinMax(torch.nn.Module):
    """
    ``Dim("tokens", min=3, max=16)`` declares a dynamic size together with the
    sizes the program must accept. Both inputs use the same ``Dim`` object, so
    they share one symbol ``s0``: the exporter knows the two tensors always
    have the same number of rows and the addition needs no guard. The range
    is printed under ``Range constraints`` and checked when the exported
    program is called; a call with 2 or 17 rows is rejected.
    """

    def forward(self, queries, keys):
        return (queries * keys).sum(dim=1)


tokens = Dim("tokens", min=3, max=16)
example_args = (torch.randn(5, 8), torch.randn(5, 8))
dynamic_shapes = {"queries": {0: tokens}, "keys": {0: tokens}}
tags = {"torch.dynamic-shape"}
model = DynDimMinMax()
