import torch
from functorch.experimental.control_flow import cond


class CondClosurePythonConstants(torch.nn.Module):
    """
    The branches close over Python numbers: a module attribute, a local float
    and an entry of a list. Unlike tensors, these are not operands: their
    values are read while tracing and written into the sub-graph's operations
    as literals (``mul(x, 0.5)``), so the cond node still takes only ``x``.
    The exported program is therefore tied to those values; changing
    ``self.margin`` after export has no effect on it.
    """

    def __init__(self):
        super().__init__()
        self.margin = 0.5

    def forward(self, flag, x):
        offsets = [1.0, -2.0]
        power = 2

        def widen(v):
            return v * self.margin + offsets[0]

        def sharpen(v):
            return v ** power + offsets[1]

        return cond(flag, widen, sharpen, (x,))


example_args = (torch.tensor(True), torch.randn(5))
tags = {"torch.cond", "python.closure"}
model = CondClosurePythonConstants()
