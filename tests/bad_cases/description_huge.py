# expect-problem: 12: characters long
import torch


class Model(torch.nn.Module):
    def forward(self, x):
        return x + 1


example_args = (torch.randn(2),)
model = Model()
description = "A description that goes on. " * 2000
