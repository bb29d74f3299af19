"""A case file of exportdb's own, run once by each worker before it forks its first case.

Every engine and the metadata reader run it in the worker itself, so the
caches they fill on first use (operator schemas, compiled helpers, lazy
imports) are filled once, in the fork server, and shared by every child,
instead of being rebuilt in each child for each case.
"""

import torch


class WarmUp(torch.nn.Module):
    """Adds, multiplies, reduces and branches, as most cases do."""

    def forward(self, x, y):
        z = torch.relu(x @ y + 1.0)
        return z.sum(dim=0) * 2, z.view(-1).shape[0]


example_args = (torch.randn(3, 4), torch.randn(4, 2))
tags = {"python.closure"}
model = WarmUp()
