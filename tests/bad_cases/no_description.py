# expect-problem: 5: no description
import torch


class Model(torch.nn.Module):
    def forward(self, x):
        return x + 1


example_args = (torch.randn(2),)
model = Model()
