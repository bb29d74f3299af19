import torch


class DvalueTolistSizes(torch.nn.Module):
    """
    ``counts.tolist()`` turns a tensor of integers into Python numbers. While
    exporting, their values are unknown: each element is selected and read
    with ``item()``, giving the unbacked symbols ``u0`` and ``u1``, in
    element order (``select``, ``item``, ``select_1``, ``item_1``). Used as
    sizes they must not be negative, so the program asserts ``u0 >= 0`` and
    ``u1 >= 0`` when it runs, right after each value is read.
    """

    def forward(self, counts):
        rows, cols = counts.tolist()
        return torch.ones(rows), torch.zeros(cols, 2)


example_args = (torch.tensor([3, 4]),)
tags = {"torch.dynamic-value"}
model = DvalueTolistSizes()
