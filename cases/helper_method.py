import torch


class HelperMethod(torch.nn.Module):
    """
    ``forward`` calls another method of the same module, which reads a plain
    Python attribute. Method calls and attribute reads are resolved while
    tracing.
    """

    def __init__(self):
        super().__init__()
        self.eps = 0.5

    def soften(self, t):
        return t / (t.abs() + self.eps)

    def forward(self, x):
        return self.soften(x) + self.soften(x * 2)


example_args = (torch.randn(3, 2),)
tags = {"python.object-model"}
model = HelperMethod()
