import torch
from torch.export import Dim


class DynSymMinMax(torch.nn.Module):
    """
    Python's ``min``/``max`` would have to decide which size is smaller, a
    guard on the example sizes. ``torch.sym_min`` and ``torch.sym_max`` instead
    build the symbolic values ``Min(s0, s1)`` and ``Max(s0, s1)`` and record
    them as nodes, so the program crops two sequences to their common length
    and allocates a buffer for the longer one whatever their sizes are.
    """

    def forward(self, a, b):
        common = torch.sym_min(a.shape[0], b.shape[0])
        longest = torch.sym_max(a.shape[0], b.shape[0])
        overlap = a[:common] * b[:common]
        return overlap, torch.ones(longest)


example_args = (torch.randn(5), torch.randn(3))
dynamic_shapes = {"a": {0: Dim("len_a")}, "b": {0: Dim("len_b")}}
tags = {"torch.dynamic-shape"}
model = DynSymMinMax()
