import torch
from functorch.experimental.control_flow import cond


class CondPredNumericMatrix(torch.nn.Module):
    """
    A predicate does not have to be boolean or rank 0: any tensor with exactly
    one element will do. Here it is a float tensor of shape ``[1, 1]`` (a
    reduction that keeps its dimensions), read the way Python reads a number:
    zero selects the false branch, anything else the true branch. The node
    takes the tensor as it is; no conversion to ``bool`` appears in the graph.
    """

    def forward(self, x):
        total = x.sum(dim=[0, 1], keepdim=True)

        def shifted(v):
            return v - 1.0

        def scaled(v):
            return v * 3.0

        return cond(total, shifted, scaled, (x,))


example_args = (torch.randn(3, 4),)
tags = {"torch.cond"}
model = CondPredNumericMatrix()
