import torch


class DvalueCheckedIndex(torch.nn.Module):
    """
    A row index read with ``item()`` is an unbacked symbol ``u0``: nothing is
    known about it while tracing. Indexing with it needs to know it is in
    bounds, so the code states the bounds with ``torch._check`` before using
    it. The checks narrow ``u0`` to ``[0, 4]`` (see *Range constraints*) and
    stay in the program as ``_assert_scalar`` nodes right after the ``item``,
    so a bad index is reported when the program runs instead of reading the
    wrong memory. torch.export first asserts the bounds of the narrowed range
    (``u0 >= 0``, ``u0 <= 4``) and then the strict check as written
    (``u0 < 5``), so the upper bound is checked twice in two forms.
    """

    def forward(self, table, index):
        row = index.item()
        torch._check(row >= 0)
        torch._check(row < table.shape[0])
        return table[row] * 2


example_args = (torch.randn(5, 3), torch.tensor(2))
tags = {"torch.dynamic-value", "torch.escape-hatch"}
model = DvalueCheckedIndex()
