# expect-problem: 13: support_level must be
import torch


class Model(torch.nn.Module):
    """Returns its input plus one."""

    def forward(self, x):
        return x + 1


example_args = (torch.randn(2),)
support_level = "SUPPORTED"
model = Model()
