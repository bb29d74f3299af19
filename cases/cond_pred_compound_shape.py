import torch
from functorch.experimental.control_flow import cond
from torch.export import Dim


class CondPredCompoundShape(torch.nn.Module):
    """
    The predicate is a boolean expression over the input's shape,
    ``x.dim() > 1 and x.shape[1] > 4``. The number of dimensions is static, so
    ``x.dim() > 1`` is a plain ``True`` while tracing and Python's ``and``
    moves on to the second part. The column count is dynamic, so
    ``x.shape[1] > 4`` is a symbolic boolean (``Sym(s0 > 4)``) and becomes
    the cond's predicate: the choice between the branches is kept in the
    program and made for each input's size when it runs.
    """

    def forward(self, x):
        def wide(v):
            return v.amax(dim=1)

        def narrow(v):
            return v.sum(dim=1)

        return cond(x.dim() > 1 and x.shape[1] > 4, wide, narrow, (x,))


example_args = (torch.randn(2, 6),)
dynamic_shapes = {"x": {1: Dim("cols", min=2)}}
tags = {"torch.cond", "torch.dynamic-shape"}
model = CondPredCompoundShape()
