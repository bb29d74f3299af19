import torch
from torch.export import Dim


class DynDimAuto(torch.nn.Module):
    """
    ``Dim.AUTO`` lets the exporter decide: a dimension stays dynamic unless the
    code forces it to one value. Here both dimensions of ``x`` are ``AUTO``, but
    the matrix product with the (4, 2) weight only works when ``x`` has exactly
    4 columns, so that dimension becomes static (``f32[s0, 4]``) without an
    error, while the number of rows stays the symbol ``s0``. With a named
    ``Dim`` on the columns the same code would be a constraint violation.
    """

    def __init__(self):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.randn(4, 2))

    def forward(self, x):
        return x @ self.weight


example_args = (torch.randn(5, 4),)
dynamic_shapes = {"x": {0: Dim.AUTO, 1: Dim.AUTO}}
tags = {"torch.dynamic-shape"}
model = DynDimAuto()
