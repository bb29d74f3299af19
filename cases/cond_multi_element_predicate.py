import torch
from functorch.experimental.control_flow import cond
from torch._export.db.case import SupportLevel


class CondMultiElementPredicate(torch.nn.Module):
    """
    The predicate is an elementwise comparison with one ``bool`` per entry of
    ``x``. cond chooses one branch for the whole call, so its predicate must be
    a single truth value: a tensor with exactly one element (or a Python
    bool). Decide how the elements combine (``.any()``, ``.all()``), or, for
    a per-element choice, use ``torch.where`` instead of cond. (``torch.export``
    2.13 does not check this while exporting: it records the three-element
    predicate, and the program fails only when it runs.)
    """

    def forward(self, x):
        def grow(v):
            return v * 2

        def shrink(v):
            return v / 2

        return cond(x > 0, grow, shrink, (x,))


class CondReducedPredicate(torch.nn.Module):
    def forward(self, x):
        def grow(v):
            return v * 2

        def shrink(v):
            return v / 2

        return cond((x > 0).all(), grow, shrink, (x,))


example_args = (torch.randn(3),)
tags = {"torch.cond"}
support_level = SupportLevel.NOT_SUPPORTED_YET
model = CondMultiElementPredicate()
rewrite = CondReducedPredicate()
