import torch
from torch._export.db.case import SupportLevel


class DynItemBranch(torch.nn.Module):
    """
    Branching in Python on a value read with ``item()`` needs that value while
    tracing, but it is the unbacked symbol ``u0``: nothing about it is known,
    so the exporter cannot pick a branch and fails with a data-dependent
    control-flow error. Checks would not help here either, since both outcomes
    are legitimate. The rewrite compares the tensor itself and lets
    ``torch.cond`` keep both branches.
    """

    def forward(self, x, threshold):
        if threshold.item() > 0:
            return x.clamp(min=0.0)
        return x.abs()


class DynItemBranchWithCond(torch.nn.Module):
    def forward(self, x, threshold):
        return torch.cond(threshold > 0, lambda t: t.clamp(min=0.0), lambda t: t.abs(), (x,))


example_args = (torch.randn(3, 2), torch.tensor(1))
tags = {"torch.dynamic-value", "python.control-flow", "torch.cond"}
support_level = SupportLevel.NOT_SUPPORTED_YET
model = DynItemBranch()
rewrite = DynItemBranchWithCond()
