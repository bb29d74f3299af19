import torch
from torch.export import Dim


class DynCondShapePredicate(torch.nn.Module):
    """
    The number of rows is declared dynamic, so while tracing ``x.shape[0]`` is
    the symbol ``s0`` and ``x.shape[0] > 4`` is a symbolic boolean
    (``Sym(s0 > 4)``), not ``True`` or ``False``. Handed to ``cond`` as its
    predicate it becomes a graph node, and both branches are traced and kept:
    the exported program picks ``cos`` for more than four rows and ``sin``
    otherwise, for every size it is called with. A plain Python ``if`` on the
    same expression would instead record a guard on ``s0`` and fail, because
    the guard does not hold for every size (see ``dyn_guard_violated``).
    """

    def forward(self, x):
        def many_rows(t):
            return t.cos()

        def few_rows(t):
            return t.sin()

        return torch.cond(x.shape[0] > 4, many_rows, few_rows, (x,))


example_args = (torch.randn(6, 3),)
dynamic_shapes = {"x": {0: Dim("rows")}}
tags = {"torch.cond", "torch.dynamic-shape"}
model = DynCondShapePredicate()
