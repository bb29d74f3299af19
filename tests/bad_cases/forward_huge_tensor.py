# expect-result: MemoryError
import torch


class Model(torch.nn.Module):
    """Asks for a tensor of 160 GB."""

    def forward(self, x):
        return x + torch.ones(200_000, 200_000)


example_args = (torch.randn(2),)
model = Model()
