import torch
from torch.export import Dim


class CondBranchReadsClosureShape(torch.nn.Module):
    """
    The true branch only reads the number of columns of ``weights``, a
    tensor it closes over, and uses no operation on it. Because ``weights``
    has a dynamic size, reading its shape inside the branch is enough for
    torch.export to pass the whole tensor into the cond as an operand (and
    to read the size from the branch's placeholder). Had ``weights`` been
    fully static, the size would just be the constant and nothing would be
    lifted.
    """

    def forward(self, x, weights):
        def scale(t):
            return t * weights.shape[1]

        def shift(t):
            return t - 1

        return torch.cond(x.sum() > 0, scale, shift, (x,))


example_args = (torch.randn(5), torch.randn(5, 3))
dynamic_shapes = {"x": {0: Dim("n")}, "weights": {0: Dim("n"), 1: Dim("k")}}
tags = {"torch.cond", "torch.dynamic-shape", "python.closure"}
model = CondBranchReadsClosureShape()
