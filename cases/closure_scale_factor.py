import torch


class ClosureScaleFactor(torch.nn.Module):
    """
    A helper defined inside ``forward`` reads a tensor and a Python number from
    the enclosing scope. Tracing runs the helper like ordinary Python, so the
    closure leaves no trace in the graph: only the arithmetic is recorded.
    """

    def forward(self, x, y):
        factor = 3.0
        offset = y * 2

        def scaled(t):
            return t * factor + offset

        return scaled(x)


example_args = (torch.randn(4, 3), torch.randn(4, 3))
tags = {"python.closure"}
model = ClosureScaleFactor()
