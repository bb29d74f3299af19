import torch
from torch.export import Dim
from torch._export.db.case import SupportLevel


class DynRoundSize(torch.nn.Module):
    """
    ``round(x.shape[0] / 2)`` sends a dynamic size through a float and back.
    The built-in exporter keeps sizes as exact integer expressions and stops
    at the true division with a clear error; torch.export 2.13 traces it as
    ``RoundToInt(IntTrueDiv(s0, 2))``. Integer arithmetic says the same thing
    exactly and works everywhere: the rewrite uses ``(n + 1) // 2``. Note that
    the two differ for odd sizes whose half ends in .5 (Python's ``round``
    rounds halves to even, ``(n + 1) // 2`` always up), so choose the rounding
    you actually want. ``min=3`` keeps the new size at least 2, which
    torch.export would otherwise have to guard on.
    """

    def forward(self, x):
        half = round(x.shape[0] / 2)
        return torch.ones(half, x.shape[1]) * x.mean(dim=0)


class DynRoundSizeFloorDiv(torch.nn.Module):
    def forward(self, x):
        half = (x.shape[0] + 1) // 2
        return torch.ones(half, x.shape[1]) * x.mean(dim=0)


example_args = (torch.randn(6, 3),)
dynamic_shapes = {"x": {0: Dim("n", min=3)}}
tags = {"torch.dynamic-shape", "python.builtin"}
support_level = SupportLevel.NOT_SUPPORTED_YET
model = DynRoundSize()
rewrite = DynRoundSizeFloorDiv()
