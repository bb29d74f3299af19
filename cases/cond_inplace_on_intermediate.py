import torch
from functorch.experimental.control_flow import cond


class CondInplaceOnIntermediate(torch.nn.Module):
    """
    A branch may update a tensor it created itself in place; only mutating the
    operands or outer state is forbidden.
    """

    def forward(self, flag, x):
        def bumped(t):
            y = t.clone()
            y.add_(1)
            return y

        def halved(t):
            return t / 2

        return cond(flag, bumped, halved, (x,))


example_args = (torch.tensor(True), torch.randn(2, 2))
tags = {"torch.cond", "torch.mutation"}
model = CondInplaceOnIntermediate()
