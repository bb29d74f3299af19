import torch
from functorch.experimental.control_flow import cond
from torch._export.db.case import SupportLevel


class CondBranchMutatesOperand(torch.nn.Module):
    """
    A branch changes one of its operands in place. Branches must not mutate
    their inputs, so the export fails; return a new tensor instead.
    """

    def forward(self, flag, x):
        def grow(t):
            t.add_(1)
            return t.clone()

        def keep(t):
            return t.clone()

        return cond(flag, grow, keep, (x,))


example_args = (torch.tensor(True), torch.randn(3))
tags = {"torch.cond", "torch.mutation"}
support_level = SupportLevel.NOT_SUPPORTED_YET
model = CondBranchMutatesOperand()
