import torch
from torch.export import Dim


class DynRoundSize(torch.nn.Module):
    """
    ``round(x.shape[0] / 2)`` sends a dynamic size through a float and back.
    torch.export keeps both steps symbolic: the true division is a symbolic
    float ``IntTrueDiv(s0, 2)`` and ``round`` turns it back into a size,
    ``RoundToInt(IntTrueDiv(s0, 2))``, so the new tensor's size is that
    expression, recomputed for every input with Python's rounding (halves go
    to the even neighbour: 5 rows give 2, 7 give 4). ``min=3`` keeps the new size at least 2, which torch.export would
    otherwise have to guard on.
    """

    def forward(self, x):
        half = round(x.shape[0] / 2)
        return torch.ones(half, x.shape[1]) * x.mean(dim=0)


example_args = (torch.randn(6, 3),)
dynamic_shapes = {"x": {0: Dim("n", min=3)}}
tags = {"torch.dynamic-shape", "python.builtin"}
model = DynRoundSize()
