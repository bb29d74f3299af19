import torch
from functorch.experimental.control_flow import cond


class CondTensorPredicate(torch.nn.Module):
    """
    The predicate is a one-element boolean tensor computed from the input.
    Both branches take the same operands and return tensors of the same shape
    and dtype; each becomes a sub-graph of the exported program.
    """

    def forward(self, x):
        def when_positive(t):
            return t.cos()

        def otherwise(t):
            return t.sin()

        return cond(x.mean() > 0, when_positive, otherwise, (x,))


example_args = (torch.randn(4, 3),)
tags = {"torch.cond"}
model = CondTensorPredicate()
