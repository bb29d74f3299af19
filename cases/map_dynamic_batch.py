import torch
from functorch.experimental.control_flow import map
from torch._export.db.case import SupportLevel
from torch.export import Dim


class MapDynamicBatch(torch.nn.Module):
    """
    ``map`` over a first dimension declared dynamic. The body is traced once
    on a single row (``f32[3]``), so the number of rows need not be known:
    ``torch.export`` 2.13 exports it with input and stacked output
    ``f32[s0, 3]`` and a ``map_impl`` node that runs for however many rows
    arrive. Unrolling a Python ``for`` loop over the rows instead would fix
    the number of iterations to the example's batch size. exportdb's
    built-in exporter cannot map over a symbolic size yet (an exporter bug,
    listed as a difference). When the body only does element-wise work, as
    here, the rewrite avoids ``map`` altogether: the same computation on the
    whole batch broadcasts ``bias`` over the rows and keeps the batch
    dimension dynamic.
    """

    def forward(self, rows, bias):
        def body(row, b):
            return (row + b).tanh()

        return map(body, rows, bias)


class MapDynamicBatchBroadcast(torch.nn.Module):
    def forward(self, rows, bias):
        return (rows + bias).tanh()


example_args = (torch.randn(5, 3), torch.randn(3))
dynamic_shapes = {"rows": {0: Dim("batch")}, "bias": None}
tags = {"torch.map", "torch.dynamic-shape"}
support_level = SupportLevel.NOT_SUPPORTED_YET
model = MapDynamicBatch()
rewrite = MapDynamicBatchBroadcast()
