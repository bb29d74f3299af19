import torch
from functorch.experimental.control_flow import map


class MapPlain(torch.nn.Module):
    """
    ``map(body, xs)`` calls ``body`` on every slice ``xs[i]`` along the first
    dimension and stacks the results, like a Python loop over the rows. The
    exporter traces ``body`` once, on a stand-in for a single row (``f32[3]``
    here, not ``f32[4, 3]``), and records one ``map_impl`` node instead of
    unrolling the loop, so the graph does not grow with the number of rows.
    """

    def forward(self, rows):
        def normalize_row(r):
            return r / r.abs().sum()

        return map(normalize_row, rows)


example_args = (torch.randn(4, 3),)
tags = {"torch.map"}
model = MapPlain()
