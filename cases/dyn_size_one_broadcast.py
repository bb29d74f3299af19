import torch
from torch.export import Dim
from torch._export.db.case import SupportLevel


class DynSizeOneBroadcast(torch.nn.Module):
    """
    Broadcasting a dynamic size against another size only works when they are
    equal or one of them is 1. Here the first quarter of the rows,
    ``x[: x.shape[0] // 4]``, has ``s0 // 4`` rows, which is 1 for the example
    (four rows), so subtracting ``x`` from it broadcasts it as a single row.
    That is only right when ``s0 // 4 == 1``: export records that guard,
    which fails for most sizes in the range, and reports a constraint
    violation. If one reference row is what was meant, say so with a static
    size: the rewrite slices ``x[:1]``, whose size is the constant 1 and
    broadcasts against ``s0`` rows for every size.
    """

    def forward(self, x):
        head = x[: x.shape[0] // 4]
        return head - x


class DynSizeOneBroadcastFixed(torch.nn.Module):
    def forward(self, x):
        return x[:1] - x


example_args = (torch.randn(4, 3),)
dynamic_shapes = {"x": {0: Dim("n", min=4)}}
tags = {"torch.dynamic-shape"}
support_level = SupportLevel.NOT_SUPPORTED_YET
model = DynSizeOneBroadcast()
rewrite = DynSizeOneBroadcastFixed()
