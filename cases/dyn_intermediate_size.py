import torch
from torch.export import Dim


class DynIntermediateSize(torch.nn.Module):
    """
    The code reads the size of an intermediate result, ``s.shape[1]``. The
    exported program does not read it off ``s``: a size that is one input
    symbol is read from the input that carries it,
    ``sym_size.int(x, 1)``, placed right after the inputs. The node is called
    ``sym_size_int_2`` although it is the only one, because torch names it
    after the size's place among the inputs' symbolic sizes (``x`` is
    ``f32[s0, s1]``: ``s1`` is the second).
    """

    def forward(self, x):
        s = x.sigmoid()
        return s * s.shape[1]


example_args = (torch.randn(4, 3),)
dynamic_shapes = {"x": {0: Dim.DYNAMIC, 1: Dim.DYNAMIC}}
tags = {"torch.dynamic-shape"}
model = DynIntermediateSize()
