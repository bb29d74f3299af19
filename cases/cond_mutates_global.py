import torch
from functorch.experimental.control_flow import cond
from torch._export.db.case import SupportLevel

# Module-level state shared by every call of the model.
SEEN = torch.zeros(2)


class CondMutatesGlobal(torch.nn.Module):
    """
    The true branch writes to ``SEEN``, a tensor held in a module-level
    (global) variable. Branches cannot have in-place mutations on global
    variables: the exported program has no place to keep a global, and a
    write that happens only in one branch could not be replayed. Return the
    new value instead and leave updating the global to the caller.
    """

    def forward(self, flag, x):
        def record(v):
            SEEN.copy_(v.amax(dim=0))
            return v * 2

        def ignore(v):
            return v * 2

        return cond(flag, record, ignore, (x,))


class CondReturnsGlobalUpdate(torch.nn.Module):
    def forward(self, flag, x):
        def record(v):
            return v * 2, v.amax(dim=0)

        def ignore(v):
            return v * 2, torch.zeros_like(v[0])

        return cond(flag, record, ignore, (x,))


example_args = (torch.tensor(True), torch.randn(3, 2))
tags = {"torch.cond", "torch.mutation"}
support_level = SupportLevel.NOT_SUPPORTED_YET
model = CondMutatesGlobal()
rewrite = CondReturnsGlobalUpdate()
