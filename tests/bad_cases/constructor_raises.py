# expect-problem: 10: ValueError while loading: the constructor refuses
import torch


class Model(torch.nn.Module):
    """Cannot be built."""

    def __init__(self):
        super().__init__()
        raise ValueError("the constructor refuses")

    def forward(self, x):
        return x + 1


example_args = (torch.randn(2),)
model = Model()
