import math

import torch


class MathConstants(torch.nn.Module):
    """
    Values computed with the ``math`` module are plain Python numbers while
    tracing and end up as constants in the graph.
    """

    def forward(self, x):
        return x * math.sqrt(2.0) + math.pi


example_args = (torch.randn(3),)
tags = {"python.standard-library"}
model = MathConstants()
