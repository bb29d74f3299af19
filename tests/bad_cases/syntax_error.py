# expect-problem: 8: syntax error
import torch


class Model(torch.nn.Module):
    """A forward without its colon."""

    def forward(self, x)
        return x + 1


example_args = (torch.randn(2),)
model = Model()
