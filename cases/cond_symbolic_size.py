import torch
from functorch.experimental.control_flow import cond
from torch._export.db.case import SupportLevel
from torch.export import Dim


class CondSymbolicSize(torch.nn.Module):
    """
    The first dimension is dynamic, so ``x.shape[0] > 4`` is a symbolic boolean
    rather than a Python constant. The cond node keeps it as its predicate.
    """

    def forward(self, x):
        return cond(x.shape[0] > 4, lambda t: t.cos(), lambda t: t.sin(), (x,))


example_args = (torch.randn(6, 3),)
dynamic_shapes = {"x": {0: Dim("rows")}}
tags = {"torch.cond", "torch.dynamic-shape"}
# torch.export handles this case; exportdb's built-in exporter does not trace
# dynamic dimensions yet. Switch to SUPPORTED when it does (the build says so).
support_level = SupportLevel.NOT_SUPPORTED_YET
model = CondSymbolicSize()
