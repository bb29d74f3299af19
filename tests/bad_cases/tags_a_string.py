# expect-problem: 13: must be a set or frozenset or list or tuple, got str
import torch


class Model(torch.nn.Module):
    """Returns its input plus one."""

    def forward(self, x):
        return x + 1


example_args = (torch.randn(2),)
tags = "python.closure"
model = Model()
