import torch
from functorch.experimental.control_flow import map


class MapClosure(torch.nn.Module):
    """
    The body reads a parameter (``weight``) and a tensor computed in
    ``forward`` (``shift``) without receiving them. As with cond, the body
    graph may not close over anything, so the exporter passes them to
    ``map_impl`` as extra arguments, after any the user gave, in order of
    first use; like extra arguments they are handed to every call whole.
    """

    def __init__(self):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.randn(3, 3))

    def forward(self, batch):
        shift = batch.mean(dim=0)

        def project(row):
            return self.weight @ (row - shift)

        return map(project, batch)


example_args = (torch.randn(6, 3),)
tags = {"torch.map", "python.closure"}
model = MapClosure()
