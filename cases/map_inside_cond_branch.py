import torch
from functorch.experimental.control_flow import cond, map


class MapInsideCondBranch(torch.nn.Module):
    """
    Higher-order operators nest: the true branch of a ``cond`` runs a ``map``
    over the rows, the false branch a single batched operation. The map's
    body becomes a sub-graph of the branch (``body_graph_0`` inside
    ``true_graph_0``), and the parameter ``scale`` that the body reads is
    lifted twice: into the branch as an operand of the cond, then into the
    body as an extra argument of ``map_impl``. Both branches return
    ``f32[4, 3]``, as cond requires.
    """

    def __init__(self):
        super().__init__()
        self.scale = torch.nn.Parameter(torch.tensor([0.5, 1.0, 2.0]))

    def forward(self, per_row, x):
        def row_by_row(v):
            return map(lambda row: (row * self.scale).softmax(dim=0), v)

        def batched(v):
            return (v * self.scale).softmax(dim=1)

        return cond(per_row, row_by_row, batched, (x,))


example_args = (torch.tensor(True), torch.randn(4, 3))
tags = {"torch.map", "torch.cond", "python.closure"}
model = MapInsideCondBranch()
