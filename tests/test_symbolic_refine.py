"""How guards act on dynamic dims: Dim.AUTO dims are refined, named Dims are strict.

torch.export treats a ``Dim.AUTO`` dim as "dynamic if the code allows": a guard
narrows its range, an equality specialises it (to a constant or to another
size), and AUTO dims with the same example size share one symbol.  A named
``Dim`` promises the whole range, so the same guards fail with a
ConstraintViolationError naming the dim.  Sym nodes are placed where the
program computes them, not where they are first used.
"""

from __future__ import annotations

import numpy as np
import pytest

from exporter_helpers import export_and_lint, torch

from exportdb import errors
from exportdb.exporter.symbolic.dim_types import Dim
from exportdb.exporter.trace.export import export


class Branchy(torch.nn.Module):
    def forward(self, x):
        if x.shape[0] > 4:
            return x.sin()
        return x.cos()


class CatColumns(torch.nn.Module):
    def forward(self, x, y):
        return torch.cat([x, y], dim=1)


class Project(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.randn(4, 2))

    def forward(self, x):
        return x @ self.weight


class LongerFirst(torch.nn.Module):
    def forward(self, x, y):
        if x.shape[0] > y.shape[0]:
            return x[: y.shape[0]] + y
        return x + 1


def test_auto_dim_guard_narrows_the_range():
    ep = export_and_lint(Branchy(), (torch.randn(6, 3),), dynamic_shapes={"x": {0: Dim.AUTO}})
    text = str(ep)
    assert "Range constraints: {s0: VR[5, int_oo]}" in text
    assert "sin.default" in text and "cos" not in text
    ep.module()(torch.randn(9, 3))
    with pytest.raises(errors.InputError, match="outside the range"):
        ep.module()(torch.randn(3, 3))


def test_named_dim_guard_is_a_violation_naming_dim_and_range():
    with pytest.raises(errors.ConstraintViolationError, match=r"rows = x.size\(\)\[0\].*\[0, int_oo\].*s0 > 4"):
        export(Branchy(), (torch.randn(6, 3),), dynamic_shapes={"x": {0: Dim("rows")}})


def test_auto_dims_with_equal_example_sizes_share_a_symbol():
    ep = export_and_lint(CatColumns(), (torch.randn(5, 2), torch.randn(5, 3)),
                         dynamic_shapes={"x": {0: Dim.AUTO}, "y": {0: Dim.AUTO}})
    text = str(ep)
    assert 'x: "f32[s0, 2]", y: "f32[s0, 3]"' in text and "s1" not in text
    with pytest.raises(errors.InputError, match="must equal"):
        ep.module()(torch.randn(4, 2), torch.randn(6, 3))


def test_named_dims_that_must_be_equal_name_both():
    with pytest.raises(errors.ConstraintViolationError, match=r"b = y.size\(\)\[0\].*a = x.size\(\)\[0\].*equal") as info:
        export(CatColumns(), (torch.randn(5, 2), torch.randn(5, 3)),
               dynamic_shapes={"x": {0: Dim("a")}, "y": {0: Dim("b")}})
    assert "same Dim" in info.value.hint


def test_auto_dim_specialised_by_an_op_becomes_static():
    ep = export_and_lint(Project(), (torch.randn(3, 4),), dynamic_shapes={"x": {0: Dim.AUTO, 1: Dim.AUTO}})
    assert 'x: "f32[s0, 4]"' in str(ep) and "s1" not in str(ep)


def test_named_dim_specialised_by_an_op_is_refused():
    with pytest.raises(errors.ConstraintViolationError, match=r"k = x.size\(\)\[1\].*constant 4"):
        export(Project(), (torch.randn(3, 4),), dynamic_shapes={"x": {1: Dim("k")}})


def test_guard_between_two_auto_dims_is_checked_at_run_time():
    ep = export_and_lint(LongerFirst(), (torch.randn(7), torch.randn(5)),
                         dynamic_shapes={"x": {0: Dim.AUTO}, "y": {0: Dim.AUTO}})
    out = ep.module()(torch.randn(9), torch.randn(3))
    assert out.shape == (3,)
    with pytest.raises(errors.InputError, match="break the guard s0 > s1"):
        ep.module()(torch.randn(3), torch.randn(9))


class SizeArithmetic(torch.nn.Module):
    def forward(self, x):
        count = x.shape[0] * x.shape[1]
        total = x.sum()
        return total / count


def test_sym_nodes_sit_where_the_program_computes_them():
    ep = export_and_lint(SizeArithmetic(), (torch.randn(3, 4),),
                         dynamic_shapes={"x": {0: Dim("a"), 1: Dim("b")}})
    order = [n.name for n in ep.graph.nodes if n.op == "call_function"]
    assert order.index("mul") < order.index("sum_1") < order.index("div")
    np.testing.assert_allclose(ep.module()(torch.randn(5, 2)._value * 0 + 1)._value, 1.0, rtol=1e-6)


# -- true division and round() on sizes -------------------------------------------------
class RoundHalf(torch.nn.Module):
    def forward(self, x):
        return torch.ones(round(x.shape[0] / 2) + 1, 2)


class FloorOfHalf(torch.nn.Module):
    def forward(self, x):
        import math

        return torch.ones(math.floor(x.shape[0] / 2), 2)


def test_round_of_a_true_division_stays_symbolic_and_rounds_halves_to_even():
    ep = export_and_lint(RoundHalf(), (torch.randn(6, 3),), dynamic_shapes={"x": {0: Dim("n", min=3)}})
    text = str(ep)
    assert 'truediv: "Sym(IntTrueDiv(s0, 2))" = sym_size_int_1 / 2' in text, text
    assert 'round_1: "Sym(RoundToInt(IntTrueDiv(s0, 2)))" = round(truediv, None)' in text, text
    assert 'add: "Sym(RoundToInt(IntTrueDiv(s0, 2)) + 1)" = round_1 + 1' in text, text
    for rows, expected in ((3, 3), (5, 3), (7, 5), (10, 6)):
        assert ep.module()(torch.randn(rows, 3)).shape == (expected, 2)


def test_other_uses_of_a_symbolic_float_fail_in_one_line():
    with pytest.raises(errors.UnsupportedAPIError) as info:
        export(FloorOfHalf(), (torch.randn(6, 3),), dynamic_shapes={"x": {0: Dim("n", min=3)}})
    line = info.value.one_line()
    assert "math.floor() on the symbolic float IntTrueDiv(s0, 2)" in line and "\n" not in line, line
