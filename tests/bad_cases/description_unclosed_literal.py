# expect-problem: 6: Inline literal start-string without end-string
import torch


class Model(torch.nn.Module):
    """Adds ``one to its input."""

    def forward(self, x):
        return x + 1


example_args = (torch.randn(2),)
model = Model()
