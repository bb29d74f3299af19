import torch
from functorch.experimental.control_flow import cond
from torch._export.db.case import SupportLevel


class CondMutatesClosure(torch.nn.Module):
    """
    The false branch adds to ``total``, a tensor from ``forward`` that it
    closes over. A closed-over tensor becomes an operand of the cond node, so
    writing to it is an in-place mutation of an input, which branches may not
    do. Instead, return the new value from both branches and use it after the
    cond.
    """

    def forward(self, flag, x):
        total = x.sum(dim=0)

        def fresh(v):
            return v.cos()

        def accumulate(v):
            total.add_(1)
            return v.sin()

        out = cond(flag, fresh, accumulate, (x,))
        return out + total


class CondReturnsUpdate(torch.nn.Module):
    def forward(self, flag, x):
        total = x.sum(dim=0)

        def fresh(v, t):
            return v.cos(), t.clone()

        def accumulate(v, t):
            return v.sin(), t + 1

        out, new_total = cond(flag, fresh, accumulate, (x, total))
        return out + new_total


example_args = (torch.tensor(False), torch.randn(3, 2))
tags = {"torch.cond", "torch.mutation", "python.closure"}
support_level = SupportLevel.NOT_SUPPORTED_YET
model = CondMutatesClosure()
rewrite = CondReturnsUpdate()
