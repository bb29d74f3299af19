import torch
from torch.export import Dim
from torch._export.db.case import SupportLevel


class DynGuardViolated(torch.nn.Module):
    """
    The same Python ``if`` on a dynamic size, but now the ``Dim`` allows sizes on
    both sides of the test. Tracing takes the example's branch (six rows, so
    ``x.shape[0] > 4``) and records the guard ``s0 > 4``; since a call with
    three rows would need the other branch, the guard does not hold over the
    declared range and export fails with a constraint violation that names
    the dimension, its range and the guard. Either narrow the range
    (``Dim("n", min=5)``) if small inputs never occur, or keep both branches
    with ``torch.cond`` as the rewrite does.
    """

    def forward(self, x):
        if x.shape[0] > 4:
            return x.exp()
        return x.neg()


class DynGuardViolatedWithCond(torch.nn.Module):
    def forward(self, x):
        return torch.cond(x.shape[0] > 4, lambda t: t.exp(), lambda t: t.neg(), (x,))


example_args = (torch.randn(6, 2),)
dynamic_shapes = {"x": {0: Dim("n")}}
tags = {"torch.dynamic-shape", "python.control-flow", "torch.cond"}
support_level = SupportLevel.NOT_SUPPORTED_YET
model = DynGuardViolated()
rewrite = DynGuardViolatedWithCond()
