# expect-problem: 1: not a plain identifier
import torch


class Model(torch.nn.Module):
    """Returns its input plus one."""

    def forward(self, x):
        return x + 1


example_args = (torch.randn(2),)
model = Model()
