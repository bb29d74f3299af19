import torch
from torch.export import Dim


class DynAutoGuardRefines(torch.nn.Module):
    """
    A Python ``if`` on a ``Dim.AUTO`` size does not fail the export: the
    exporter takes the branch the example input takes (6 rows, so ``sin``),
    keeps the condition ``s0 > 4`` as a guard and narrows the symbol's range
    to match, which ``Range constraints`` shows as ``VR[5, int_oo]``. The
    program is only valid where the guard holds, so running it on fewer than
    five rows is refused. With a named ``Dim`` whose range includes sizes up
    to 4, the same guard is a constraint violation (see
    ``dyn_guard_violated``), and ``torch.cond`` keeps both branches (see
    ``dyn_cond_shape_predicate``).
    """

    def forward(self, x):
        if x.shape[0] > 4:
            return x.sin()
        return x.cos()


example_args = (torch.randn(6, 3),)
dynamic_shapes = {"x": {0: Dim.AUTO}}
tags = {"torch.dynamic-shape"}
model = DynAutoGuardRefines()
