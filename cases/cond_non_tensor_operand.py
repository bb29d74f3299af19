import torch
from functorch.experimental.control_flow import cond
from torch._export.db.case import SupportLevel


class CondNonTensorOperand(torch.nn.Module):
    """
    A Python float is passed in the operand tuple next to the tensor. The
    cond guide requires the operands to be a tuple of tensors: the sub-graphs'
    inputs are tensors, and a number has no place among them. A number that
    is fixed while tracing does not need to be an operand at all: let the
    branches close over it and it is written into their operations as a
    constant. (``torch.export`` 2.13 accepts the float and bakes it in the
    same way, although calling the model eagerly raises an error.)
    """

    def __init__(self, threshold=0.25):
        super().__init__()
        self.threshold = threshold

    def forward(self, flag, x):
        def cut(v, t):
            return torch.where(v > t, v, 0.0)

        def soften(v, t):
            return v * t

        return cond(flag, cut, soften, (x, self.threshold))


class CondConstantClosedOver(torch.nn.Module):
    def __init__(self, threshold=0.25):
        super().__init__()
        self.threshold = threshold

    def forward(self, flag, x):
        t = self.threshold

        def cut(v):
            return torch.where(v > t, v, 0.0)

        def soften(v):
            return v * t

        return cond(flag, cut, soften, (x,))


example_args = (torch.tensor(True), torch.randn(6))
tags = {"torch.cond", "python.closure"}
support_level = SupportLevel.NOT_SUPPORTED_YET
model = CondNonTensorOperand()
rewrite = CondConstantClosedOver()
