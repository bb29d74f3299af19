import torch
from torch.export import Dim


class CondClosureSizeInput(torch.nn.Module):
    """
    ``rows`` is read from the input's shape before the cond, and the true
    branch closes over it. torch.export does not recompute it inside the
    branch: the enclosing graph reads the size once (``sym_size.int``) and
    passes it into the cond as an input of its own, so both branches take a ``Sym(s0)`` placeholder, even the one that never
    uses it. Reading ``t.shape[0]`` inside the branch instead would read the
    size off the branch's own tensor and pass nothing extra.
    """

    def forward(self, x):
        rows = x.shape[0]

        def scale(t):
            return t * rows

        def shift(t):
            return t - 1

        return torch.cond(x.sum() > 0, scale, shift, (x,))


example_args = (torch.randn(5, 3),)
dynamic_shapes = {"x": {0: Dim("n")}}
tags = {"torch.cond", "torch.dynamic-shape", "python.closure"}
model = CondClosureSizeInput()
