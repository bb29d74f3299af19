# expect-problem: 13: must be a dict, got list
import torch


class Model(torch.nn.Module):
    """Returns its input plus one."""

    def forward(self, x):
        return x + 1


example_args = (torch.randn(2),)
example_kwargs = [("y", 1)]
model = Model()
