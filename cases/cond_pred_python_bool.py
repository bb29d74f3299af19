import torch
from functorch.experimental.control_flow import cond


class CondPredPythonBool(torch.nn.Module):
    """
    The predicate is a plain Python ``bool`` fixed when the module is built.
    Its value is known while tracing, so there is nothing to decide at run
    time; the exporter still records a cond node with both branches and keeps
    the predicate as the constant ``True`` in it (the cond guide's invariant
    for constant predicates). ``torch.export`` 2.13 instead inlines the branch
    the constant selects, so its graph has no cond at all.
    """

    def __init__(self, normalize=True):
        super().__init__()
        self.normalize = normalize

    def forward(self, x):
        def unit_range(v):
            return (v - v.min()) / (v.max() - v.min())

        def untouched(v):
            return v.clone()

        return cond(self.normalize, unit_range, untouched, (x,))


example_args = (torch.randn(6),)
tags = {"torch.cond", "python.object-model"}
model = CondPredPythonBool()
