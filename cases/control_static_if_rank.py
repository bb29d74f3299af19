import torch


class ControlStaticIfRank(torch.nn.Module):
    """
    An ``if`` on the number of dimensions: a single sample (one dimension) is
    given a batch dimension first, a batch is used as is. ``x.dim()`` is
    known while tracing, so only the taken path is recorded; this example is
    a single sample, so the graph starts with ``unsqueeze``. No ``cond`` is
    needed, because the decision does not depend on data: the exported
    program accepts only one-dimensional inputs of this size.
    """

    def __init__(self):
        super().__init__()
        self.proj = torch.nn.Linear(4, 2)

    def forward(self, x):
        if x.dim() == 1:
            x = x.unsqueeze(0)
        return self.proj(x)


example_args = (torch.randn(4),)
tags = {"python.control-flow"}
model = ControlStaticIfRank()
