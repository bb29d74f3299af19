import torch
from functorch.experimental.control_flow import map


class MapTupleOutput(torch.nn.Module):
    """
    The body returns two tensors for each row: the row normalised to unit
    length and its length. ``map`` stacks each output separately along a
    new first dimension, so the ``map_impl`` node is followed by two
    ``getitem`` nodes, one ``f32[4, 3]`` and one ``f32[4]``. The body graph
    returns a flat tuple, just as a cond branch does, and must return the
    same structure for every row.
    """

    def forward(self, points):
        def normalise(p):
            length = (p * p).sum().sqrt()
            return p / length, length

        directions, lengths = map(normalise, points)
        return directions, lengths


example_args = (torch.randn(4, 3),)
tags = {"torch.map", "python.data-structure"}
model = MapTupleOutput()
