import torch


class StaticLoopUnrolled(torch.nn.Module):
    """
    A ``for`` loop over ``range`` with a constant bound is unrolled while
    tracing: the graph contains one copy of the body per iteration.
    """

    def forward(self, x):
        out = x
        for i in range(3):
            out = out * 2 + i
        return out


example_args = (torch.randn(2, 3),)
tags = {"python.control-flow"}
model = StaticLoopUnrolled()
