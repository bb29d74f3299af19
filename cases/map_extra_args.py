import torch
from functorch.experimental.control_flow import map


class MapExtraArgs(torch.nn.Module):
    """
    Arguments after ``xs`` are passed to every call of the body whole, not
    sliced: each row of ``points`` is paired with the same ``center`` and
    ``scale``. In the ``map_impl`` node they form the second list, after the
    list of mapped tensors, and the body graph takes a row first and then the
    extra arguments in order.
    """

    def forward(self, points, center, scale):
        def distance(p, c, s):
            return ((p - c) * s).pow(2).sum().reshape(1)

        return map(distance, points, center, scale)


example_args = (torch.randn(5, 2), torch.randn(2), torch.tensor([1.0, 0.5]))
tags = {"torch.map"}
model = MapExtraArgs()
