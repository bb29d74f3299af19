import torch
from torch.export import Dim


class DynDerivedDims(torch.nn.Module):
    """
    A size can be declared as a function of another: ``2 * n`` for ``pairs``
    and ``n + 1`` for ``fenced``. Only ``n`` gets a symbol (``s0``); the other
    inputs' sizes are printed as ``2*s0`` and ``s0 + 1``. Because the relation
    is known, concatenating ``x`` with itself gives exactly ``pairs``' size, and
    dropping the first row of ``fenced`` gives exactly ``x``'s size, so neither
    operation needs a guard.
    """

    def forward(self, x, pairs, fenced):
        doubled = torch.cat([x, x], dim=0) + pairs
        trimmed = fenced[1:] * x
        return doubled, trimmed


n = Dim("n", min=2, max=32)
example_args = (torch.randn(3, 4), torch.randn(6, 4), torch.randn(4, 4))
dynamic_shapes = {"x": {0: n}, "pairs": {0: 2 * n}, "fenced": {0: n + 1}}
tags = {"torch.dynamic-shape"}
model = DynDerivedDims()
