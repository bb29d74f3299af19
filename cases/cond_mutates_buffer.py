import torch
from functorch.experimental.control_flow import cond
from torch._export.db.case import SupportLevel


class CondMutatesBuffer(torch.nn.Module):
    """
    The true branch updates the module's ``calls`` buffer in place. Module
    state read inside a branch is passed to the cond node as an operand, and
    branches may not mutate their inputs or global state, so a buffer cannot
    be updated from inside a branch. Compute the update with a cond that
    returns it and write the buffer in ``forward`` instead, where the
    exporter can record the buffer mutation.
    """

    def __init__(self):
        super().__init__()
        self.register_buffer("calls", torch.zeros(1))

    def forward(self, flag, x):
        def counted(v):
            self.calls.add_(1)
            return v * 2

        def uncounted(v):
            return v * 2

        return cond(flag, counted, uncounted, (x,))


class CondBufferUpdatedOutside(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("calls", torch.zeros(1))

    def forward(self, flag, x):
        def counted(v):
            return v * 2, self.calls + 1

        def uncounted(v):
            return v * 2, self.calls.clone()

        out, calls = cond(flag, counted, uncounted, (x,))
        self.calls.copy_(calls)
        return out


example_args = (torch.tensor(True), torch.randn(3))
tags = {"torch.cond", "torch.mutation"}
support_level = SupportLevel.NOT_SUPPORTED_YET
model = CondMutatesBuffer()
rewrite = CondBufferUpdatedOutside()
