import torch


class LinearLayer(torch.nn.Module):
    """
    A module owns an ``nn.Linear`` submodule. Its weight and bias are lifted to
    inputs of the exported program and appear in the signature as parameters.
    """

    def __init__(self):
        super().__init__()
        self.proj = torch.nn.Linear(4, 2)

    def forward(self, x):
        return self.proj(x)


example_args = (torch.randn(3, 4),)
tags = {"python.object-model"}
model = LinearLayer()
