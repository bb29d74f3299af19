import torch
import torch.nn.functional as F


class OpManySpellingsOneOp(torch.nn.Module):
    """
    ``torch.relu(x)``, ``F.relu(x)``, ``x.relu()`` and the ``nn.ReLU`` module
    are four spellings of the same operation, and all four are recorded as
    ``aten.relu.default``: the exported program is written in ATen operators,
    not in the Python API that produced them. ``nn.ReLU`` has no parameters,
    so it leaves no input behind either. ``x.clamp(min=0)`` computes the same
    values but is a different operator, ``clamp.default``; export does not
    rewrite one operator into another.
    """

    def __init__(self):
        super().__init__()
        self.act = torch.nn.ReLU()

    def forward(self, x):
        return torch.relu(x) + F.relu(x) + x.relu() + self.act(x) + x.clamp(min=0)


example_args = (torch.randn(4, 3),)
tags = {"torch.operator"}
model = OpManySpellingsOneOp()
