import torch
from functorch.experimental.control_flow import cond


class CondClosureForwardTensors(torch.nn.Module):
    """
    The branches read ``bias`` and ``scale``, two tensors computed in
    ``forward``, without receiving them as operands. A sub-graph has no outer
    scope to look things up in, so the exporter turns every tensor a branch
    closes over into an explicit operand, and each placeholder is named after
    the outer value it stands for. Operands follow torch's order: those both
    branches read (``x``, ``bias``), then those only the true branch reads
    (``scale``). Both sub-graphs get the same inputs even though the false
    branch only reads ``bias``.
    """

    def forward(self, flag, x):
        scale = x.abs().amax()
        bias = x.mean(dim=0)

        def rescale(v):
            return v / scale + bias

        def recenter(v):
            return v - bias

        return cond(flag, rescale, recenter, (x,))


example_args = (torch.tensor(True), torch.randn(3, 4))
tags = {"torch.cond", "python.closure"}
model = CondClosureForwardTensors()
