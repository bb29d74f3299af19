import torch
from functorch.experimental.control_flow import cond


class CondBranchBoundMethods(torch.nn.Module):
    """
    The branches are methods of the module, passed as ``self.encode`` and
    ``self.skip``. A bound method carries ``self`` with it, so the branch can
    read the module's parameters; the exporter notices those reads and passes
    the parameter into the cond as an extra operand (``p_gain``), because a
    sub-graph may not refer to anything it does not receive as an input.
    """

    def __init__(self):
        super().__init__()
        self.gain = torch.nn.Parameter(torch.full((3,), 2.0))

    def encode(self, v):
        return v * self.gain

    def skip(self, v):
        return v - 1

    def forward(self, active, x):
        return cond(active, self.encode, self.skip, (x,))


example_args = (torch.tensor(True), torch.randn(2, 3))
tags = {"torch.cond", "python.object-model"}
model = CondBranchBoundMethods()
