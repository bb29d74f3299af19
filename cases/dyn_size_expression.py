import torch
from torch.export import Dim


class DynSizeExpression(torch.nn.Module):
    """
    ``torch.cat`` stacks ``x`` three times, so ``c`` has ``3*s0`` rows, and
    the code reads that size. torch.export does not read it off ``c``: it
    rebuilds the expression from the input's size, ``3 * sym_size_int_2``,
    where the size is first used; the slice's size ``s0 - 1`` becomes
    ``-1 + sym_size_int_2`` the same way. The names are surprising: torch
    first read the two sizes off ``c`` and ``d`` (``sym_size_int`` and
    ``sym_size_int_1``, dropped once rebuilt), so the read of ``x`` is
    ``sym_size_int_2``, and the arithmetic is named after every other node
    (``mul_2``, since the tensor products are ``mul`` and ``mul_1``).
    """

    def forward(self, x):
        c = torch.cat([x, x, x])
        d = x[1:]
        return c.sum() * c.shape[0], d * d.shape[0]


example_args = (torch.randn(6, 3),)
dynamic_shapes = {"x": {0: Dim.DYNAMIC}}
tags = {"torch.dynamic-shape"}
model = DynSizeExpression()
