import torch
from torch.export import Dim


class DynAutoUnifiedSources(torch.nn.Module):
    """
    Four ``Dim.AUTO`` dims with equal example sizes: each starts as a symbol
    of its own (torch.export 2.13 does no "duck sizing"), and only the
    addition ``x + y`` merges them, rows with rows and columns with columns.
    The surprise is where the merged sizes are read from: the rows from ``y``
    (``sym_size.int(y, 0)``) but the columns from ``x``. torch names each
    input size's symbol by hashing the input's position and dimension, and
    of two merged symbols keeps the one whose name sorts first as a string.
    """

    def forward(self, x, y):
        return x + y, x.shape[0] + y.shape[1]


example_args = (torch.randn(4, 4), torch.randn(4, 4))
dynamic_shapes = {"x": {0: Dim.AUTO, 1: Dim.AUTO}, "y": {0: Dim.AUTO, 1: Dim.AUTO}}
tags = {"torch.dynamic-shape"}
model = DynAutoUnifiedSources()
