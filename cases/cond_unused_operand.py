import torch
from functorch.experimental.control_flow import cond


class CondUnusedOperand(torch.nn.Module):
    """
    The call passes three operands, but the branches only read two of them:
    ``mask`` is accepted by both functions and then ignored. Operands that no
    branch uses are dropped from the cond node and from the sub-graphs'
    signatures, so the node takes ``[x, shifted]``. The operation that
    produced a dropped operand is not removed: the exporter keeps every
    operation the user wrote, so ``mask`` (``gt``) still appears in the
    outer graph, unused.
    """

    def forward(self, flag, x):
        shifted = x + 1
        mask = x > 0

        def forward_diff(a, b, m):
            return b - a

        def backward_diff(a, b, m):
            return a - b

        return cond(flag, forward_diff, backward_diff, (x, shifted, mask))


example_args = (torch.tensor(True), torch.randn(3))
tags = {"torch.cond"}
model = CondUnusedOperand()
