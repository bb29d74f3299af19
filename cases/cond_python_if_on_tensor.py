import torch
from functorch.experimental.control_flow import cond
from torch._export.db.case import SupportLevel


class CondPythonIfOnTensor(torch.nn.Module):
    """
    A Python ``if`` tests a tensor's value. Tracing runs ``forward`` once, on
    stand-ins whose data is not meant to shape the program, so a branch
    chosen by Python would bake one path into the graph and silently give
    wrong results for inputs that should take the other. The exporter
    refuses instead. Express the choice as data: move each side into a
    function and let ``cond`` keep both.
    """

    def forward(self, x):
        if x.sum() > 0:
            return x.log1p()
        return x.expm1()


class CondInsteadOfIf(torch.nn.Module):
    def forward(self, x):
        def positive(v):
            return v.log1p()

        def otherwise(v):
            return v.expm1()

        return cond(x.sum() > 0, positive, otherwise, (x,))


example_args = (torch.rand(4),)
tags = {"torch.cond", "python.control-flow"}
support_level = SupportLevel.NOT_SUPPORTED_YET
model = CondPythonIfOnTensor()
rewrite = CondInsteadOfIf()
