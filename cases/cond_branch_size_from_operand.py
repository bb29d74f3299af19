import torch
from torch.export import Dim


class CondBranchSizeFromOperand(torch.nn.Module):
    """
    The false branch adds the number of rows of ``x``, a tensor it closes
    over, to its argument ``h``, which has the same dynamic number of rows;
    the true branch returns ``x * 2`` and ignores its argument. Both branches
    read ``x``, so torch.export passes it into the cond first
    (``[x, div]``). Yet the false branch reads the size off ``div``
    (``sym_size.int(div, 0)``, named after its place among the inputs'
    dynamic sizes, ``sym_size_int_2``): inside a branch a dynamic size comes
    from the first input carrying it in the order the branch received them,
    its own arguments before the tensors it closes over.
    """

    def forward(self, x, y):
        h = y / (x.abs() + 1)

        def keep(t):
            return x * 2

        def grow(t):
            return t + x.shape[0]

        return torch.cond(h.sum() > 0, keep, grow, (h,))


example_args = (torch.randn(6, 3), torch.randn(6, 3))
dynamic_shapes = {"x": {0: Dim("n")}, "y": {0: Dim("n")}}
tags = {"torch.cond", "torch.dynamic-shape", "python.closure"}
model = CondBranchSizeFromOperand()
