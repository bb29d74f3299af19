import torch


class OpOverloadChoice(torch.nn.Module):
    """
    One Python spelling can map to different ATen overloads depending on the
    arguments, and the exported program names the exact overload:
    ``x * 2`` and ``x * y`` are both ``mul.Tensor`` (a Python number is
    accepted where a tensor is), ``x ** 2`` is ``pow.Tensor_Scalar``,
    ``x.sum()`` is ``sum.default`` while ``x.sum(dim=0)`` is
    ``sum.dim_IntList``, and ``div`` with a ``rounding_mode`` is
    ``div.Tensor_mode``. Keyword arguments such as ``alpha`` are printed as
    keywords. A backend consuming the program dispatches on these names.
    """

    def forward(self, x, y):
        scaled = x * 2
        product = x * y
        squared = x**2
        shifted = torch.add(x, y, alpha=3)
        floored = x.div(y, rounding_mode="floor")
        total = x.sum()
        per_column = x.sum(dim=0)
        return scaled + product + squared + shifted + floored, total, per_column


example_args = (torch.randn(4, 3), torch.rand(4, 3) + 1)
tags = {"torch.operator"}
model = OpOverloadChoice()
