# expect-problem: 1: no `example_args`
import torch


class Model(torch.nn.Module):
    """Returns its input plus one."""

    def forward(self, x):
        return x + 1


model = Model()
