import torch
from torch._export.db.case import SupportLevel


class DvalueTolistPythonMath(torch.nn.Module):
    """
    ``tolist()`` turns a float tensor into Python numbers so that the code can
    do plain Python arithmetic on them. While tracing there are no numbers to
    hand out (the data is unknown, and floats cannot even become symbols), so
    the export fails at the ``tolist()`` call. Keep the computation on
    tensors instead: the rewrite computes the same normalised weights with
    ``sum`` and a division, which are recorded in the graph and run on the
    real data.
    """

    def forward(self, weights, x):
        values = weights.tolist()
        total = sum(values)
        scale = torch.tensor([v / total for v in values])
        return x * scale


class DvalueTensorMath(torch.nn.Module):
    def forward(self, weights, x):
        return x * (weights / weights.sum())


example_args = (torch.rand(3) + 0.5, torch.randn(4, 3))
tags = {"torch.dynamic-value", "python.builtin"}
support_level = SupportLevel.NOT_SUPPORTED_YET
model = DvalueTolistPythonMath()
rewrite = DvalueTensorMath()
