import torch
from torch.export import Dim


class DynGuardHolds(torch.nn.Module):
    """
    A Python ``if`` on a dynamic size is evaluated with the example size and
    the answer is kept as a guard that must hold for every size the ``Dim``
    allows. Here ``Dim("n", min=3)`` guarantees ``x.shape[0] > 2``, so the
    condition is true over the whole range: only the taken branch is traced,
    nothing is left in the graph, and the ``assert`` is likewise proven.
    """

    def forward(self, x):
        assert x.shape[0] >= 3, "need at least three rows"
        if x.shape[0] > 2:
            return x.exp()
        return x


example_args = (torch.randn(4, 2),)
dynamic_shapes = {"x": {0: Dim("n", min=3)}}
tags = {"torch.dynamic-shape", "python.control-flow", "python.assert"}
model = DynGuardHolds()
