# expect-problem: 12: the `literalinclude` directive
import torch


class Model(torch.nn.Module):
    def forward(self, x):
        return x + 1


example_args = (torch.randn(2),)
model = Model()
description = """
A list whose item is a directive:

* .. literalinclude:: ../../../secret.txt
"""
