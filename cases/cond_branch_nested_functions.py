import torch
from functorch.experimental.control_flow import cond


class CondBranchNestedFunctions(torch.nn.Module):
    """
    The branches are functions defined inside ``forward`` right before the
    cond call, which keeps the two alternatives next to where they are used.
    Defining them locally does not by itself make them closures: everything
    they read arrives through their parameters, so each sub-graph takes
    exactly the two operands, in the order of the operand tuple.
    """

    def forward(self, pick_left, left, right):
        def left_heavy(a, b):
            return a * 0.75 + b * 0.25

        def right_heavy(a, b):
            return a * 0.25 + b * 0.75

        return cond(pick_left, left_heavy, right_heavy, (left, right))


example_args = (torch.tensor(True), torch.randn(4, 2), torch.randn(4, 2))
tags = {"torch.cond"}
model = CondBranchNestedFunctions()
