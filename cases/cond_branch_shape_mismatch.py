import torch
from functorch.experimental.control_flow import cond
from torch._export.db.case import SupportLevel


class CondBranchShapeMismatch(torch.nn.Module):
    """
    The two branches return tensors of different shapes. cond requires both
    branches to produce outputs with the same metadata, so the export fails.
    """

    def forward(self, flag, x):
        return cond(flag, lambda t: t.sum(dim=0), lambda t: t * 2, (x,))


example_args = (torch.tensor(True), torch.randn(3, 4))
tags = {"torch.cond"}
support_level = SupportLevel.NOT_SUPPORTED_YET
model = CondBranchShapeMismatch()
