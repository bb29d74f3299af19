import torch


class SmallMLP(torch.nn.Module):
    """
    Layers stacked in an ``nn.Sequential``. Every submodule is called in turn;
    parameters are named after their path in the module tree.
    """

    def __init__(self):
        super().__init__()
        self.layers = torch.nn.Sequential(
            torch.nn.Linear(8, 16),
            torch.nn.ReLU(),
            torch.nn.Linear(16, 4),
        )

    def forward(self, x):
        return self.layers(x)


example_args = (torch.randn(2, 8),)
tags = {"python.object-model"}
model = SmallMLP()
