import torch
from functorch.experimental.control_flow import cond
from torch._export.db.case import SupportLevel


class CondMutatesOperand(torch.nn.Module):
    """
    The true branch clamps its operand in place with ``clamp_``. A branch must
    not change its inputs: the cond node would otherwise have an effect on
    ``x`` that only happens when one branch runs, which a side-effect-free
    sub-graph cannot express. The fix is to work on a new tensor. In-place
    operations on tensors the branch created itself are allowed, as the
    rewrite shows with ``clone()`` followed by ``clamp_``.
    """

    def forward(self, flag, x):
        def bounded(v):
            v.clamp_(-1.0, 1.0)
            return v + 0

        def unbounded(v):
            return v * 1.0

        return cond(flag, bounded, unbounded, (x,))


class CondMutatesCopy(torch.nn.Module):
    def forward(self, flag, x):
        def bounded(v):
            out = v.clone()
            out.clamp_(-1.0, 1.0)
            return out

        def unbounded(v):
            return v * 1.0

        return cond(flag, bounded, unbounded, (x,))


example_args = (torch.tensor(True), torch.randn(6) * 3)
tags = {"torch.cond", "torch.mutation"}
support_level = SupportLevel.NOT_SUPPORTED_YET
model = CondMutatesOperand()
rewrite = CondMutatesCopy()
