# expect-problem: 1: duplicate case name 'twin_case'
import torch


class Model(torch.nn.Module):
    """One of two cases with the same name, in different directories."""

    def forward(self, x):
        return x + 1


example_args = (torch.randn(2),)
model = Model()
