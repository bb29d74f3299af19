import torch
from functorch.experimental.control_flow import cond


class CondTupleOutput(torch.nn.Module):
    """
    Each branch returns a tuple of two tensors. The outputs of a sub-graph are
    always a flat tuple, so a tuple result is carried as is, and the cond node
    is followed by one ``getitem`` per element. Both branches must return the
    same structure, and the tensors in matching positions must agree in shape
    and dtype (here ``f32[3, 2]`` and ``f32[2]``). The cond guide lists
    single-tensor outputs as a temporary limitation; tuples, lists and dicts
    of tensors are supported now.
    """

    def forward(self, by_rows, x):
        def stats_a(v):
            return v * 2, v.sum(dim=0)

        def stats_b(v):
            return v - 1, v.amax(dim=0)

        doubled, summary = cond(by_rows, stats_a, stats_b, (x,))
        return doubled + summary


example_args = (torch.tensor(True), torch.randn(3, 2))
tags = {"torch.cond", "python.data-structure"}
model = CondTupleOutput()
