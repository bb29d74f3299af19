import torch
from torch.export import Dim


class EscapeCheckEqualDims(torch.nn.Module):
    """
    ``a``'s rows are declared with ``Dim("n")`` and ``b``'s with
    ``Dim.AUTO``, which lets the exporter decide. ``torch._check`` tells the
    exporter a fact it cannot see in the code: the two inputs have the same
    number of rows. Checking it unifies the two sizes into one symbol, so
    both inputs are annotated ``[s0, 3]`` (torch names it ``s27``) and the
    addition needs no broadcasting guard. In ``torch.export`` 2.13 the check
    is then proven and leaves no node; exportdb's built-in exporter still
    emits an ``_assert_scalar`` for it (a listed difference).
    """

    def forward(self, a, b):
        torch._check(a.shape[0] == b.shape[0])
        return a + b


example_args = (torch.randn(4, 3), torch.randn(4, 3))
dynamic_shapes = {"a": {0: Dim("n")}, "b": {0: Dim.AUTO}}
tags = {"torch.escape-hatch", "torch.dynamic-shape"}
model = EscapeCheckEqualDims()
