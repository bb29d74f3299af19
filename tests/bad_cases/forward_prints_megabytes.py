# expect-result: printed more than
import torch


class Model(torch.nn.Module):
    """Prints a few megabytes while it is exported."""

    def forward(self, x):
        for _ in range(3000):
            print("y" * 1000)
        return x + 1


example_args = (torch.randn(2),)
model = Model()
