import torch
from functorch.experimental.control_flow import cond
from torch._export.db.case import SupportLevel


class CondOutputDtypeMismatch(torch.nn.Module):
    """
    Both branches return a tensor of the same shape, but one is ``float32``
    and the other ``bool`` (a comparison). The dtype is part of a tensor's
    metadata, which must be the same for both branches, so the export fails.
    Convert one branch's result explicitly so the two agree.
    """

    def forward(self, flag, x):
        def values(v):
            return v.relu()

        def signs(v):
            return v > 0

        return cond(flag, values, signs, (x,))


class CondOutputDtypeMatched(torch.nn.Module):
    def forward(self, flag, x):
        def values(v):
            return v.relu()

        def signs(v):
            return torch.where(v > 0, 1.0, 0.0)

        return cond(flag, values, signs, (x,))


example_args = (torch.tensor(True), torch.randn(5))
tags = {"torch.cond"}
support_level = SupportLevel.NOT_SUPPORTED_YET
model = CondOutputDtypeMismatch()
rewrite = CondOutputDtypeMatched()
