import collections

import torch

Stats = collections.namedtuple("Stats", ["low", "high", "spread"])


class DataNamedtupleOutput(torch.nn.Module):
    """
    ``forward`` returns a ``collections.namedtuple``, which is a tuple
    subclass with named fields. Outputs are flattened like inputs: the graph
    returns the three tensors as a flat tuple (``amin``, ``amax``, ``sub``),
    and the field names survive in the output specification, which rebuilds
    a ``Stats`` when the exported program is called.
    """

    def forward(self, x):
        low = x.amin(dim=0)
        high = x.amax(dim=0)
        return Stats(low, high, high - low)


example_args = (torch.randn(5, 3),)
tags = {"python.data-structure", "python.standard-library"}
model = DataNamedtupleOutput()
