import torch
from torch.export import Dim


class DynPythonMaxMin(torch.nn.Module):
    """
    Plain Python ``max`` and ``min`` over sizes. One might expect them to
    compare the example sizes and leave a guard behind; torch.export instead
    records ``torch.sym_max`` / ``torch.sym_min`` nodes, exactly as if the
    code had called those, so the program stays valid for every size. With
    more than two arguments the calls are chained:
    ``min(a, b, 3)`` is ``sym_min(sym_min(a, b), 3)``.
    """

    def forward(self, a, b):
        longest = max(a.shape[0], b.shape[0])
        capped = min(a.shape[0], b.shape[0], 3)
        return torch.zeros(longest), a[:capped] + b[:capped]


example_args = (torch.randn(6), torch.randn(5))
dynamic_shapes = {"a": {0: Dim.DYNAMIC}, "b": {0: Dim.DYNAMIC}}
tags = {"torch.dynamic-shape"}
model = DynPythonMaxMin()
