# expect-problem: 13: `tags` holds 100 entries
import torch


class Model(torch.nn.Module):
    """Returns its input plus one."""

    def forward(self, x):
        return x + 1


example_args = (torch.randn(2),)
tags = ["python.closure"] * 100
model = Model()
