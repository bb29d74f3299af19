# expect-problem: 13: unknown tag
import torch


class Model(torch.nn.Module):
    """Returns its input plus one."""

    def forward(self, x):
        return x + 1


example_args = (torch.randn(2),)
tags = {"python.closure\n\n.. raw:: html\n\n   <script>alert('tag')</script>"}
model = Model()
