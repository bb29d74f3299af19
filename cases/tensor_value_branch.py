import torch
from functorch.experimental.control_flow import cond
from torch._export.db.case import SupportLevel


class TensorValueBranch(torch.nn.Module):
    """
    A Python ``if`` on a tensor's value needs the data, which is unknown while
    tracing, so the export fails. Express the branch with ``cond`` instead.
    """

    def forward(self, x):
        if x.sum() > 0:
            return x.cos()
        return x.sin()


class TensorValueBranchWithCond(torch.nn.Module):
    def forward(self, x):
        return cond(x.sum() > 0, lambda t: t.cos(), lambda t: t.sin(), (x,))


example_args = (torch.randn(3, 2),)
tags = {"python.control-flow", "torch.cond"}
support_level = SupportLevel.NOT_SUPPORTED_YET
model = TensorValueBranch()
rewrite = TensorValueBranchWithCond()
