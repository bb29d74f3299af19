import torch
from torch.export import Dim


class DynViewSymbolic(torch.nn.Module):
    """
    ``view`` and ``reshape`` accept symbolic sizes. Splitting each row of six
    values into two groups of three uses the batch size read from the input
    (``view(s0, 2, 3)``); merging batch and groups uses the product
    ``s0 * 2``. The exporter keeps these sizes as nodes, so the program works
    for any batch size, and the element counts agree symbolically.
    """

    def forward(self, x):
        batch = x.shape[0]
        groups = x.view(batch, 2, 3)
        flat = x.reshape(batch * 2, 3)
        return groups.sum(dim=2), flat


example_args = (torch.randn(4, 6),)
dynamic_shapes = {"x": {0: Dim("batch")}}
tags = {"torch.dynamic-shape"}
model = DynViewSymbolic()
