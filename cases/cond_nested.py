import torch
from functorch.experimental.control_flow import cond


class CondNested(torch.nn.Module):
    """
    A branch of one cond calls cond again. Nested conds become nested
    sub-graph modules, one level per cond.
    """

    def forward(self, outer, inner, x):
        def inner_true(t):
            return t * 10

        def inner_false(t):
            return t / 10

        def outer_true(t):
            return cond(inner, inner_true, inner_false, (t,))

        def outer_false(t):
            return -t

        return cond(outer, outer_true, outer_false, (x,))


example_args = (torch.tensor(True), torch.tensor(False), torch.randn(3))
tags = {"torch.cond"}
model = CondNested()
