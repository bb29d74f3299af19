import torch
from functorch.experimental.control_flow import map
from torch._export.db.case import SupportLevel
from torch.export import Dim


class ControlLoopOverDynamicRows(torch.nn.Module):
    """
    A Python ``for`` loop over the rows of an input whose first dimension is
    dynamic. ``range(x.shape[0])`` needs a concrete number of iterations, so
    the exporter uses the example's size and records the guard that the size
    is exactly that; the declared ``Dim`` allows other sizes, the guard
    cannot hold for them, and the export fails with a constraint violation.
    A loop whose every iteration does the same work on one row is what
    ``map`` expresses: the rewrite traces the body once on a single row and
    keeps the number of rows dynamic (``f32[s0, 3]``).
    """

    def forward(self, x):
        rows = []
        for i in range(x.shape[0]):
            rows.append(x[i].softmax(dim=0) * (x[i] > 0))
        return torch.stack(rows)


class ControlLoopAsMap(torch.nn.Module):
    def forward(self, x):
        return map(lambda row: row.softmax(dim=0) * (row > 0), x)


example_args = (torch.randn(4, 3),)
dynamic_shapes = {"x": {0: Dim("rows")}}
tags = {"python.control-flow", "torch.dynamic-shape", "torch.map"}
support_level = SupportLevel.NOT_SUPPORTED_YET
model = ControlLoopOverDynamicRows()
rewrite = ControlLoopAsMap()
