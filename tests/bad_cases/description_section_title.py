# expect-problem: 12: a section title
import torch


class Model(torch.nn.Module):
    def forward(self, x):
        return x + 1


example_args = (torch.randn(2),)
model = Model()
description = """
Takes over the page structure.

Hijacked
========

With a title of its own.
"""
