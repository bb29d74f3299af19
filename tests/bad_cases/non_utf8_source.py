# expect-problem: 3: not valid UTF-8
import torch
# café in Latin-1, not UTF-8


class Model(torch.nn.Module):
    """Latin-1 source."""

    def forward(self, x):
        return x + 1


example_args = (torch.randn(2),)
model = Model()
