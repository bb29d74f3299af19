import torch
from functorch.experimental.control_flow import map
from torch.export import Dim


class MapDynamicBatch(torch.nn.Module):
    """
    ``map`` over a first dimension declared dynamic. The body is traced once
    on a single row (``f32[3]``), so the number of rows need not be known:
    the input and the stacked output are ``f32[s0, 3]`` and the ``map_impl``
    node runs the body for however many rows arrive. Unrolling a Python
    ``for`` loop over the rows instead would fix the number of iterations to
    the example's batch size, which is why ``map`` is the tool for a dynamic
    batch whose rows need work that does not broadcast.
    """

    def forward(self, rows, bias):
        def body(row, b):
            return (row + b).tanh()

        return map(body, rows, bias)


example_args = (torch.randn(5, 3), torch.randn(3))
dynamic_shapes = {"rows": {0: Dim("batch")}, "bias": None}
tags = {"torch.map", "torch.dynamic-shape"}
model = MapDynamicBatch()
