import enum

import torch


class Pooling(enum.Enum):
    MEAN = "mean"
    MAX = "max"


class StdlibEnumMode(torch.nn.Module):
    """
    A module configured with an ``enum.Enum`` member (a Python value fixed at
    construction) is specialised on it: the comparison ``self.mode is
    Pooling.MAX`` runs while tracing and only the selected pooling is
    recorded, here ``amax``. The exported program no longer contains the
    other option, so a model exported with ``Pooling.MEAN`` would be a
    different program. Attributes that are not tensors are treated as
    constants of the export in the same way.
    """

    def __init__(self, mode):
        super().__init__()
        self.mode = mode

    def forward(self, x):
        if self.mode is Pooling.MAX:
            return x.amax(dim=1)
        if self.mode is Pooling.MEAN:
            return x.mean(dim=1)
        raise ValueError(f"unknown pooling {self.mode}")


example_args = (torch.randn(3, 5),)
tags = {"python.standard-library", "python.object-model"}
model = StdlibEnumMode(Pooling.MAX)
