"""Indexing a tensor with a symbolic integer: ``x[k]`` with ``k`` from ``item()``
(after ``torch._check`` bounds) or computed from a dynamic size is recorded as
``select.int`` with the symbol as its index, and the exported program picks the
row the index names at run time."""

from __future__ import annotations

from exporter_helpers import check_against_eager, export_and_lint, torch

from exportdb.exporter.symbolic.dim_types import Dim


class PickRow(torch.nn.Module):
    def forward(self, table, idx):
        k = idx.item()
        torch._check(k >= 0)
        torch._check(k < table.shape[0])
        return table[k] * 2


class LastRow(torch.nn.Module):
    def forward(self, x):
        return x[x.shape[0] - 1] + 1


def test_select_with_an_unbacked_index_runs_for_every_row():
    model = PickRow()
    table = torch.randn(5, 3)
    ep = export_and_lint(model, (table, torch.tensor(2)))
    text = str(ep)
    assert 'select: "f32[3]" = torch.ops.aten.select.int(table, 0, item)' in text
    assert "u0: VR[0, 4]" in text
    for i in range(5):
        check_against_eager(model, ep, (table, torch.tensor(i)))


def test_select_with_a_symbolic_size_expression():
    model = LastRow()
    ep = export_and_lint(model, (torch.randn(4, 3),), dynamic_shapes={"x": {0: Dim("n")}})
    assert "torch.ops.aten.select.int(x, 0, sub" in str(ep)
    for rows in (2, 3, 7):
        check_against_eager(model, ep, (torch.randn(rows, 3),))
