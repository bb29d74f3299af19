import torch


class ControlWhileHalving(torch.nn.Module):
    """
    A ``while`` loop whose condition depends only on a size: the input is
    pooled by averaging neighbouring pairs of columns until at most two
    columns are left. ``width`` is a Python integer computed from the static
    shape, so the loop runs while tracing (8 -> 4 -> 2 columns) and is
    unrolled into two rounds of ``view`` and ``mean``. With a dynamic width
    the loop condition would become a guard instead, specialising the
    program to the example width.
    """

    def forward(self, x):
        width = x.shape[1]
        while width > 2:
            width //= 2
            x = x.view(x.shape[0], width, 2).mean(dim=-1)
        return x


example_args = (torch.randn(3, 8),)
tags = {"python.control-flow"}
model = ControlWhileHalving()
