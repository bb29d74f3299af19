import torch
from torch.export import Dim


class DynDynamicDimsUnify(torch.nn.Module):
    """
    Both inputs mark their rows ``Dim.DYNAMIC``. Unlike two named ``Dim``
    objects, two ``DYNAMIC`` dims that the program forces to be equal (here
    by adding ``x`` and ``y``) are not a constraint violation: the exporter
    unifies them into one symbol, ``f32[s0, 3]`` for both. What surprises is
    where the size is then read from: ``x.shape[0]`` becomes
    ``sym_size.int(y, 0)``, named ``sym_size_int_2``: of the two merged
    symbols torch keeps ``y``'s (its hashed name sorts first) and names the
    read after that size's place among the inputs' symbolic sizes. Pinning a
    ``DYNAMIC`` dim to one value (``if x.shape[0] == 4``) is still an error.
    """

    def forward(self, x, y):
        return x + y, x.shape[0] * 2


example_args = (torch.randn(4, 3), torch.randn(4, 3))
dynamic_shapes = {"x": {0: Dim.DYNAMIC}, "y": {0: Dim.DYNAMIC}}
tags = {"torch.dynamic-shape"}
model = DynDynamicDimsUnify()
