import torch
from functorch.experimental.control_flow import cond


class CondStaticPredicate(torch.nn.Module):
    """
    The predicate is a Python boolean built from a static size, so its value is
    known while tracing. It stays a constant argument of the cond node.
    """

    def forward(self, x):
        return cond(x.shape[0] > 2, lambda t: t + 1, lambda t: t - 1, (x,))


example_args = (torch.randn(4, 2),)
tags = {"torch.cond"}
model = CondStaticPredicate()
