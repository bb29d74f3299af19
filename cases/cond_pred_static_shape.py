import torch
from functorch.experimental.control_flow import cond


class CondPredStaticShape(torch.nn.Module):
    """
    The predicate is a boolean expression over the input's rank and sizes.
    With static shapes each size is a plain integer while tracing, so the
    expression is already ``True`` or ``False``: it stays a constant in the
    cond node, and the exported program only accepts inputs of the traced
    shape anyway. (When a size is marked dynamic the same expression becomes a
    symbolic ``Sym(...)`` predicate instead.) ``torch.export`` 2.13 inlines
    the selected branch rather than keeping the node.
    """

    def forward(self, x):
        wide = x.dim() == 2 and x.shape[1] > 3

        def pool_columns(v):
            return v.mean(dim=1, keepdim=True).expand(v.shape[0], v.shape[1])

        def pass_through(v):
            return v + 0

        return cond(wide, pool_columns, pass_through, (x,))


example_args = (torch.randn(2, 5),)
tags = {"torch.cond"}
model = CondPredStaticShape()
