import torch
from functorch.experimental.control_flow import cond
from torch._export.db.case import SupportLevel


class CondBranchReturnsInt(torch.nn.Module):
    """
    Each branch returns a tensor and a Python number, a label telling which
    branch ran. A branch may only return tensors: the Python number is
    computed while tracing, so it would have to be a constant of the graph,
    and which constant depends on a branch that is only chosen at run time.
    The exporter refuses the non-tensor output. Return the label as a tensor
    instead, as the rewrite does with ``torch.ones((), dtype=torch.int64)``
    and ``zeros``: both branches then return an ``f32[4, 3]`` and an
    ``i64[]``, and the label is an ordinary output of the cond node.
    """

    def forward(self, flag, x):
        def sharpen(v):
            return v * 2, 1

        def blur(v):
            return v.mean(dim=0, keepdim=True).expand(4, 3), 0

        values, label = cond(flag, sharpen, blur, (x,))
        return values, label


class CondBranchReturnsTensorLabel(torch.nn.Module):
    def forward(self, flag, x):
        def sharpen(v):
            return v * 2, torch.ones((), dtype=torch.int64)

        def blur(v):
            return v.mean(dim=0, keepdim=True).expand(4, 3), torch.zeros((), dtype=torch.int64)

        return cond(flag, sharpen, blur, (x,))


example_args = (torch.tensor(True), torch.randn(4, 3))
tags = {"torch.cond"}
support_level = SupportLevel.NOT_SUPPORTED_YET
model = CondBranchReturnsInt()
rewrite = CondBranchReturnsTensorLabel()
