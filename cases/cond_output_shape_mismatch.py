import torch
from functorch.experimental.control_flow import cond
from torch._export.db.case import SupportLevel


class CondOutputShapeMismatch(torch.nn.Module):
    """
    The true branch keeps all four columns while the false branch reduces
    them to one. The exported program has to describe its result without
    knowing which branch will run, so both branches must return tensors with
    the same metadata (shape and dtype). The error names the output that
    differs and both shapes. (``torch.export`` 2.13 is more lenient than the
    cond guide here: it exports the node and gives the differing size an
    unbacked symbol, ``f32[2, u0]``; exportdb keeps the guide's rule.)
    """

    def forward(self, flag, x):
        def keep(v):
            return v.sin()

        def reduce(v):
            return v.sum(dim=1, keepdim=True)

        return cond(flag, keep, reduce, (x,))


class CondOutputShapeMatched(torch.nn.Module):
    def forward(self, flag, x):
        def keep(v):
            return v.sin()

        def reduce(v):
            # broadcast the reduced column back to the full width
            return v.sum(dim=1, keepdim=True) * torch.ones_like(v)

        return cond(flag, keep, reduce, (x,))


example_args = (torch.tensor(False), torch.randn(2, 4))
tags = {"torch.cond"}
support_level = SupportLevel.NOT_SUPPORTED_YET
model = CondOutputShapeMismatch()
rewrite = CondOutputShapeMatched()
