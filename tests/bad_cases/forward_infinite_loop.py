# expect-result: did not finish within
import torch


class Model(torch.nn.Module):
    """Never returns from forward."""

    def forward(self, x):
        while True:
            x = x + 1


example_args = (torch.randn(2),)
model = Model()
