"""A case file of exportdb's own, run once by each worker before it forks its first case.

Every engine and the metadata reader run it in the worker itself, so the
caches they fill on first use (operator schemas, compiled helpers, lazy
imports such as sympy for symbolic shapes) are filled once, in the fork
server, and shared by every child, instead of being rebuilt in each child for
each case.
"""

import torch
from functorch.experimental.control_flow import cond, map
from torch.export import Dim


class WarmUp(torch.nn.Module):
    """Adds, multiplies, reduces, branches and maps over a dynamic batch, as most cases do."""

    def forward(self, x, y):
        z = torch.relu(x @ y + 1.0)
        shift = z.sum() * 0.5

        def positive(v):
            return v.cos() + shift

        def negative(v):
            return v.sin() - shift

        w = cond(z.sum() > 0, positive, negative, (z,))
        return map(lambda row: row.tanh() * 2, w).sum(dim=0), z.view(-1).shape[0]


example_args = (torch.randn(3, 4), torch.randn(4, 2))
dynamic_shapes = {"x": {0: Dim("rows")}, "y": None}
tags = {"python.closure", "torch.cond", "torch.map", "torch.dynamic-shape"}
model = WarmUp()
