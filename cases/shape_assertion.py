import torch


class ShapeAssertion(torch.nn.Module):
    """
    An ``assert`` on static sizes is checked once while tracing and leaves
    nothing in the graph.
    """

    def forward(self, x):
        assert x.dim() == 2, "expected a matrix"
        assert x.shape[1] == 3
        return x.sum(dim=1)


example_args = (torch.randn(5, 3),)
tags = {"python.assert"}
model = ShapeAssertion()
