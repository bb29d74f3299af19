import torch


class DirectParameter(torch.nn.Module):
    """
    A weight created directly as an ``nn.Parameter`` attribute (no layer class)
    is found on the module and becomes a parameter input.
    """

    def __init__(self):
        super().__init__()
        self.gain = torch.nn.Parameter(torch.ones(4))

    def forward(self, x):
        return x * self.gain


example_args = (torch.randn(2, 4),)
tags = {"python.object-model"}
model = DirectParameter()
