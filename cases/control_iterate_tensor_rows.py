import torch


class ControlIterateTensorRows(torch.nn.Module):
    """
    Looping over a tensor (``for row in x``) and zipping a ``ModuleList``
    with a tensor (``zip(self.heads, t)``) both unroll. The surprise is the
    order of the nodes: torch.export unpacks the whole tensor before the loop
    body runs, so all the ``select`` nodes of one loop come first, then the
    body's operations, rather than a ``select`` before each iteration's
    work.
    """

    def __init__(self):
        super().__init__()
        self.heads = torch.nn.ModuleList([torch.nn.Linear(3, 2) for _ in range(3)])

    def forward(self, x, t):
        doubled = [row * 2 for row in x]
        projected = [head(r) for head, r in zip(self.heads, t)]
        return torch.stack(doubled), torch.stack(projected)


example_args = (torch.randn(3, 3), torch.randn(3, 3))
tags = {"python.control-flow"}
model = ControlIterateTensorRows()
