import torch
from functorch.experimental.control_flow import cond


def soft_branch(x, y):
    return torch.sigmoid(x) * y


def hard_branch(x, y):
    return torch.where(x > 0, y, 0.0)


class CondBranchFreeFunctions(torch.nn.Module):
    """
    The branches are ordinary functions defined at module level, outside the
    ``nn.Module``. Any Python callable is fine as a branch: the exporter calls
    it once per branch with stand-ins for the operands and records what it
    computes. Each function receives the operands positionally, in the order
    the tuple lists them, so both take ``(x, y)``.
    """

    def forward(self, smooth, x, y):
        return cond(smooth, soft_branch, hard_branch, (x, y))


example_args = (torch.tensor(False), torch.randn(3, 3), torch.randn(3, 3))
tags = {"torch.cond"}
model = CondBranchFreeFunctions()
