import torch
from functorch.experimental.control_flow import cond
from torch._export.db.case import SupportLevel


class CondReturnsInputAlias(torch.nn.Module):
    """
    The false branch returns its operand unchanged. The result of a cond must
    be a new tensor: if it could be the very same tensor as an input, the
    program's output would alias its input in one branch and not in the
    other, and later in-place changes to one would show up in the other only
    sometimes. Returning ``v.clone()`` makes a copy and removes the alias.
    """

    def forward(self, flag, x):
        def adjusted(v):
            return v - v.mean()

        def unchanged(v):
            return v

        return cond(flag, adjusted, unchanged, (x,))


class CondReturnsCopy(torch.nn.Module):
    def forward(self, flag, x):
        def adjusted(v):
            return v - v.mean()

        def unchanged(v):
            return v.clone()

        return cond(flag, adjusted, unchanged, (x,))


example_args = (torch.tensor(False), torch.randn(4))
tags = {"torch.cond"}
support_level = SupportLevel.NOT_SUPPORTED_YET
model = CondReturnsInputAlias()
rewrite = CondReturnsCopy()
