import torch
from torch.export import Dim


class DynSpecByPosition(torch.nn.Module):
    """
    ``dynamic_shapes`` can follow the inputs by position instead of by name:
    a tuple with one entry per argument, each entry shaped like its input.
    Here the first argument is a dict of two tensors, so its entry is a dict
    with the same keys; ``None`` marks the bias as fully static and
    ``Dim.STATIC`` pins one dimension explicitly. The two ``batch`` entries
    share one ``Dim`` object, so both tensors get the same symbol ``s0``.
    """

    def forward(self, features, bias):
        mixed = features["dense"] * 2 + features["sparse"]
        return mixed + bias


batch = Dim("batch")
example_args = ({"dense": torch.randn(5, 4), "sparse": torch.randn(5, 4)}, torch.randn(4))
dynamic_shapes = ({"dense": {0: batch, 1: Dim.STATIC}, "sparse": {0: batch}}, None)
tags = {"torch.dynamic-shape", "python.data-structure"}
model = DynSpecByPosition()
