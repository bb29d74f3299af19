import torch


class CtxNoGradBlock(torch.nn.Module):
    """
    A ``torch.no_grad()`` block turns gradient recording off for the
    projection only. The tensor operations inside the block are exported
    like any others. ``torch.export`` 2.13 keeps the grad-mode change in the
    program: the block becomes a sub-graph called through
    ``torch.ops.higher_order.wrap_with_set_grad_enabled(False, ...)``, so a
    training program built from it still knows which part is excluded from
    autograd. The sub-graph takes what the block reads (here the input and
    the layer's parameters) and returns what is used after it.
    """

    def __init__(self):
        super().__init__()
        self.proj = torch.nn.Linear(3, 2)

    def forward(self, x):
        with torch.no_grad():
            frozen = self.proj(x)
        return frozen.relu() + x.sum(dim=1, keepdim=True)


example_args = (torch.randn(4, 3),)
tags = {"python.context-manager"}
model = CtxNoGradBlock()
