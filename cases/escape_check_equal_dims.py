import torch
from torch.export import Dim


class EscapeCheckEqualDims(torch.nn.Module):
    """
    ``a``'s rows are declared with ``Dim("n")`` and ``b``'s with
    ``Dim.AUTO``, which lets the exporter decide. ``torch._check`` tells the
    exporter a fact it cannot see in the code: the two inputs have the same
    number of rows. Checking it unifies the two sizes into one symbol, so
    both inputs are annotated ``[s0, 3]`` (torch names it ``s27``) and the
    addition needs no broadcasting guard. Once the sizes are one symbol, the
    check holds by construction, so it leaves no node in the graph; calling
    the program with inputs of different lengths is rejected when the inputs
    are checked against their shapes.
    """

    def forward(self, a, b):
        torch._check(a.shape[0] == b.shape[0])
        return a + b


example_args = (torch.randn(4, 3), torch.randn(4, 3))
dynamic_shapes = {"a": {0: Dim("n")}, "b": {0: Dim.AUTO}}
tags = {"torch.escape-hatch", "torch.dynamic-shape"}
model = EscapeCheckEqualDims()
