"""Runtime checks of a value read with ``item()`` sit where torch.export 2.13 puts them.

Right after the ``item`` node: the bounds of the value's final range (``u0 >= lo``, then
``u0 <= hi``), then the strict and ``!=`` checks as the program wrote them, each once.  A
``<=``/``>=`` check only narrows the range.  Expected texts come from torch.export 2.13.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from exporter_helpers import export_and_lint, torch


class Checked(torch.nn.Module):
    def __init__(self, checks, use="scale"):
        super().__init__()
        self.checks, self.use = checks, use

    def forward(self, t, i):
        r = i.item()
        y = t * 2
        for check in self.checks:
            torch._check(check(r))
        return y[r] if self.use == "index" else t * r


def checks_of(ep) -> list[tuple[str, str]]:
    """(comparison line, asserted text) in graph order, from the printed program."""
    lines = [line.strip() for line in str(ep).splitlines() if line.strip()]
    out = []
    for line in lines:
        match = re.search(r"_assert_scalar\.default\((\w+), \"Runtime assertion failed for expression (.*) on", line)
        if match:
            out.append((match.group(1), match.group(2)))
    return out


def program(checks, use="scale"):
    return export_and_lint(Checked(checks, use), (torch.randn(5, 3), torch.tensor(2)))


def test_checks_written_after_other_work_run_right_after_item_bounds_first():
    ep = program([lambda r: r >= 0, lambda r: r < 5], use="index")
    assert checks_of(ep) == [("ge_1", "u0 >= 0"), ("le", "u0 <= 4"), ("lt_1", "u0 < 5")]
    body = [line.strip().split(":")[0] for line in str(ep).splitlines() if ": \"" in line and "=" in line]
    assert body.index("item") < body.index("lt_1") < body.index("mul"), body
    assert "Range constraints: {u0: VR[0, 4]}" in str(ep)


@pytest.mark.parametrize("checks, expected", [
    # non-strict checks only narrow the range; the range's bounds are asserted once
    ([lambda r: r >= 0, lambda r: r <= 5, lambda r: r <= 4], [("ge_1", "u0 >= 0"), ("le_2", "u0 <= 4")]),
    ([lambda r: r >= 2, lambda r: r >= 0], [("ge_2", "u0 >= 2")]),
    # strict checks stay as written (worded b < a), after the bounds
    ([lambda r: r > 0, lambda r: r > 1], [("ge", "u0 >= 2"), ("gt_2", "0 < u0"), ("gt_3", "1 < u0")]),
    ([lambda r: r >= 0, lambda r: r < 5, lambda r: r < 3],
     [("ge_1", "u0 >= 0"), ("le", "u0 <= 2"), ("lt_2", "u0 < 5"), ("lt_3", "u0 < 3")]),
    # != is eq + torch.sym_not, and does not narrow the range
    ([lambda r: r != 3], [("sym_not", "Ne(u0, 3)")]),
])
def test_check_order_and_names_follow_torch(checks, expected):
    ep = program(checks)
    assert checks_of(ep) == expected, str(ep)
    if expected[-1][0] == "sym_not":
        assert 'eq: "Sym(Eq(u0, 3))" = item == 3' in str(ep)
        assert 'sym_not: "Sym(Ne(u0, 3))" = torch.sym_not(eq)' in str(ep)
        assert "Range constraints: {u0: VR[-int_oo, int_oo]}" in str(ep)


def test_the_placed_checks_run_and_refuse_a_bad_value():
    ep = program([lambda r: r >= 0, lambda r: r < 5, lambda r: r != 3], use="index")
    t = torch.randn(5, 3)
    out = ep.module()(t, torch.tensor(4))
    np.testing.assert_allclose(out._value, t._value[4] * 2, rtol=1e-6)
    for bad, text in ((5, "u0 <= 4"), (3, "Ne(u0, 3)"), (-1, "u0 >= 0")):
        with pytest.raises(Exception, match=re.escape(text)):
            ep.module()(t, torch.tensor(bad))
