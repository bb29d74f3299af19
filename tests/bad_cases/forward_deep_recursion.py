# expect-result: RecursionError
import torch


def deeper(depth):
    return deeper(depth + 1)


class Model(torch.nn.Module):
    """Recurses without end in forward."""

    def forward(self, x):
        return x + deeper(0)


example_args = (torch.randn(2),)
model = Model()
