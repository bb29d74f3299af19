import torch


class InplaceOnIntermediate(torch.nn.Module):
    """
    In-place operators on a fresh intermediate tensor stay in-place in the
    graph (``mul_``, ``add_``), and later uses refer to the in-place result.
    """

    def forward(self, x):
        y = x.clone()
        y.mul_(2)
        y.add_(1)
        return y * x


example_args = (torch.randn(3, 3),)
tags = {"torch.mutation"}
model = InplaceOnIntermediate()
