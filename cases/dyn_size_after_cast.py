import torch
from torch.export import Dim


class DynSizeAfterCast(torch.nn.Module):
    """
    ``x.float()`` on a tensor that already is float32 returns ``x`` itself,
    yet torch.export records a ``to`` node for it. The code then reads the
    number of rows of the result; torch.export reads that size off the input
    ``x`` (``sym_size.int(x, 0)``, placed right after the inputs), not off the
    ``to`` node, because a dynamic size always comes from the input that
    carries its symbol.
    """

    def forward(self, x):
        x = x.float()
        rows = x.shape[0]
        return x.sum(dim=1) / rows


example_args = (torch.randn(6, 3),)
dynamic_shapes = {"x": {0: Dim("rows")}}
tags = {"torch.dynamic-shape"}
model = DynSizeAfterCast()
