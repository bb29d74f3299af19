import torch


class ShapeDependentBranch(torch.nn.Module):
    """
    An ``if`` on a static size is decided while tracing, so only the taken
    branch is in the graph. Sizes are known when they are not dynamic.
    """

    def forward(self, x):
        if x.shape[0] > 2:
            return x.exp()
        return x.log()


example_args = (torch.randn(4, 3),)
tags = {"python.control-flow"}
model = ShapeDependentBranch()
