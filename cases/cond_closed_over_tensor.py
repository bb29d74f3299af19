import torch
from functorch.experimental.control_flow import cond


class CondClosedOverTensor(torch.nn.Module):
    """
    The branches read a parameter and a tensor from the enclosing scope without
    receiving them as operands. The exporter turns each of them into an extra
    operand of the cond node. The order surprises: values both branches read
    come first (``shift``, then ``x``: sorted by the names torch's tracer gave
    them, where the input ``x`` is ``l_flat_args_1_``), then ``scale``, which
    only the true branch reads.
    """

    def __init__(self):
        super().__init__()
        self.scale = torch.nn.Parameter(torch.ones(3))

    def forward(self, flag, x):
        shift = x.abs()

        def grow(t):
            return t * self.scale + shift

        def shrink(t):
            return t - shift

        return cond(flag, grow, shrink, (x,))


example_args = (torch.tensor(False), torch.randn(2, 3))
tags = {"torch.cond", "python.closure"}
model = CondClosedOverTensor()
