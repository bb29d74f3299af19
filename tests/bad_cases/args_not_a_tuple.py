# expect-problem: 12: must be a tuple, got list
import torch


class Model(torch.nn.Module):
    """Returns its input plus one."""

    def forward(self, x):
        return x + 1


example_args = [torch.randn(2)]
model = Model()
