import torch
from torch._export.db.case import SupportLevel
from torch.export import Dim


class AssertGuardOutsideRange(torch.nn.Module):
    """
    An ``assert`` on a dynamic size becomes a guard, and a guard must hold for
    every size the ``Dim`` allows, not only for the example. Here the example
    has six rows, so the assertion passes while tracing, but ``rows`` is
    declared with ``min=2``: sizes 2 and 3 would break ``x.shape[0] >= 4``,
    so the export fails with a constraint violation that names the range and
    the guard. Either the model accepts fewer rows, or the declared range
    says what the model needs: the rewrite keeps the code and declares
    ``Dim("rows", min=4)``, so the assertion is proven for the whole range.
    """

    def forward(self, x):
        assert x.shape[0] >= 4, "the window needs four rows"
        return x[:4].sum(dim=0)


class AssertGuardInsideRange(torch.nn.Module):
    def forward(self, x):
        assert x.shape[0] >= 4, "the window needs four rows"
        return x[:4].sum(dim=0)


example_args = (torch.randn(6, 3),)
dynamic_shapes = {"x": {0: Dim("rows", min=2)}}
tags = {"python.assert", "torch.dynamic-shape"}
support_level = SupportLevel.NOT_SUPPORTED_YET
model = AssertGuardOutsideRange()
rewrite = AssertGuardInsideRange()
rewrite_dynamic_shapes = {"x": {0: Dim("rows", min=4)}}
