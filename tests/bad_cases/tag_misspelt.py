# expect-problem: 13: did you mean 'python.closure'
import torch


class Model(torch.nn.Module):
    """Returns its input plus one."""

    def forward(self, x):
        return x + 1


example_args = (torch.randn(2),)
tags = {"python.clousre"}
model = Model()
