# expect-problem: 12: only http(s) and mailto addresses are allowed
import torch


class Model(torch.nn.Module):
    def forward(self, x):
        return x + 1


example_args = (torch.randn(2),)
model = Model()
description = """
Click `here <javascript:alert('link')>`__ for more.
"""
