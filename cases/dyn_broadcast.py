import torch
from torch.export import Dim


class DynBroadcast(torch.nn.Module):
    """
    Broadcasting with a dynamic dimension: ``scale`` has one value per row
    (shape ``[s0, 1]``, sharing the ``Dim`` of ``x``'s rows) and ``shift`` one
    value per column (``[3]``). The size-1 and missing dimensions are static,
    so the result's shape ``[s0, 3]`` follows without any guard.
    """

    def forward(self, x, scale, shift):
        return x * scale + shift


rows = Dim("rows")
example_args = (torch.randn(4, 3), torch.randn(4, 1), torch.randn(3))
dynamic_shapes = {"x": {0: rows}, "scale": {0: rows}, "shift": None}
tags = {"torch.dynamic-shape"}
model = DynBroadcast()
