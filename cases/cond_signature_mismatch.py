import torch
from functorch.experimental.control_flow import cond
from torch._export.db.case import SupportLevel


class CondSignatureMismatch(torch.nn.Module):
    """
    cond calls the chosen branch with the operands unpacked, one positional
    argument per operand, so each branch's signature must match the operand
    tuple. Here two operands are passed but the false branch accepts only one
    parameter, so calling it fails while tracing and the export stops with an
    error saying the function signature must match the operands. A branch
    that does not need an operand still has to accept it; the exporter then
    drops the operand if no branch reads it.
    """

    def forward(self, flag, x, y):
        def combine(a, b):
            return a + b

        def first_only(a):
            return a * 2

        return cond(flag, combine, first_only, (x, y))


class CondSignatureMatched(torch.nn.Module):
    def forward(self, flag, x, y):
        def combine(a, b):
            return a + b

        def first_only(a, _unused):
            return a * 2

        return cond(flag, combine, first_only, (x, y))


example_args = (torch.tensor(True), torch.randn(3), torch.randn(3))
tags = {"torch.cond"}
support_level = SupportLevel.NOT_SUPPORTED_YET
model = CondSignatureMismatch()
rewrite = CondSignatureMatched()
