import torch
from functorch.experimental.control_flow import cond


class CondClosureModuleState(torch.nn.Module):
    """
    The branches read a parameter (``weight``) and a buffer (``running_mean``)
    of the module through ``self``. Module state is lifted into the exported
    program as inputs of their own (``p_weight``, ``b_running_mean``); inside
    the cond they are closed-over tensors like any other, so they are passed
    to the node as extra operands and become placeholders of both sub-graphs:
    first what both branches read (``weight`` before ``x``, since torch sorts
    them by its internal names and module state sorts before inputs), then
    the buffer only the true branch reads. Reading state is fine; writing it inside a branch is not (see
    ``cond_mutates_buffer``).
    """

    def __init__(self):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.randn(4))
        self.register_buffer("running_mean", torch.zeros(4))

    def forward(self, training_like, x):
        def normalize(v):
            return (v - self.running_mean) * self.weight

        def weigh_only(v):
            return v * self.weight

        return cond(training_like, normalize, weigh_only, (x,))


example_args = (torch.tensor(False), torch.randn(2, 4))
tags = {"torch.cond", "python.closure"}
model = CondClosureModuleState()
