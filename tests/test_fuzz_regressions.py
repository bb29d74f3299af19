"""Regression tests for exporter bugs the fuzzer (exportdb.tools.fuzz) found.

Each test is the smallest program showing one bug, written against the built-in
front end and checked against what torch.export 2.13 prints for it.  Bugs in
parts owned elsewhere are pinned with ``xfail(strict=True)`` so they show up
when fixed; the fuzzer's torch comparison steers around them (see
``programs(torch_safe=True)``).
"""

from __future__ import annotations

import pytest

from exporter_helpers import CASES_DIR, body, check_against_eager, export_and_lint, node, torch

from exportdb.engines.case_module import load_case_module
from exportdb.exporter.symbolic.dim_types import Dim


class Fn(torch.nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, *args):
        return self.fn(*args)


def call_names(graph):
    return [n.name for n in graph.nodes if n.op == "call_function"]


# -- fixed -----------------------------------------------------------------------------------
def test_cast_to_own_dtype_returns_the_tensor_and_later_uses_read_the_to_node():
    # torch: x.float() of a float32 tensor is x itself, so after `v2 = v1.float()` every use of
    # v1 reads `to_1` (found as a graph difference in a generated program)
    def fn(x):
        v1 = x.float()
        v2 = v1.float()
        v3 = v1.square()
        return v2 + v3

    x = torch.randn(4, 2)
    assert x.float() is x and x.double() is not x
    ep = export_and_lint(Fn(fn), (x,))
    assert node(ep.graph, "square").args == (node(ep.graph, "to_1"),)
    check_against_eager(Fn(fn), ep, (x,))


def test_unused_indexing_reads_are_dropped_and_names_follow_torch():
    # torch.export drops `x[1:]` and friends when the result is never used (dynamo removes
    # unused getitem calls), so the used `x[0]` is named `select`, not `select_2`
    def fn(x):
        a = x[1:, 0]
        b = x[1:][0]
        c = x[0]
        d = c[1:]
        e = x.transpose(0, 1)
        return c + 1

    ep = export_and_lint(Fn(fn), (torch.randn(4, 3),))
    assert call_names(ep.graph) == ["select", "transpose", "add"]
    check_against_eager(Fn(fn), ep, (torch.randn(4, 3),))


def test_dropping_unused_indexing_renames_outputs_too():
    def fn(x):
        unused = x[2:]
        return x[1:], x[0]

    ep = export_and_lint(Fn(fn), (torch.randn(4, 3),))
    assert call_names(ep.graph) == ["slice_1", "select"]
    assert [s.arg.name for s in ep.graph_signature.output_specs] == ["slice_1", "select"]
    assert "return (slice_1, select)" in "\n".join(body(ep))


class _UnusedSecondOperand(torch.nn.Module):
    def forward(self, x, y):
        def true_fn(a, b):
            return a + y

        def false_fn(a, b):
            return a - b

        return torch.cond(x.sum() > 0, true_fn, false_fn, (x, x * 2))


class _TwoClosures(torch.nn.Module):
    def forward(self, x, y):
        v = y * 2

        def true_fn(a):
            return a + y + x

        def false_fn(a):
            return a - 1

        return torch.cond(x.sum() > 0, true_fn, false_fn, (v,))


class _StoredOperands(torch.nn.Module):
    # dynamo renames a node after the plain local it is first stored in (`zeta`, `alpha`), not
    # after a variable a branch closes over (`w` stays `sin`); shared values sort by those names
    def forward(self, x, y):
        zeta = x * 2
        alpha = y * 3
        w = x.sin()

        def true_fn(a, b):
            return a + b + w

        def false_fn(a, b):
            return a - w

        return torch.cond(x.sum() > 0, true_fn, false_fn, (zeta, alpha))


class _DeadRead(torch.nn.Module):
    # a value only dead code reads (y.sin()) is still lifted: dynamo lifted it before the
    # dead code was dropped
    def forward(self, x, y):
        def true_fn(a):
            unused = y.sin()
            return a + 1

        return torch.cond(x.sum() > 0, true_fn, lambda a: a.cos(), (x,))


#: an in-place op's result is the tensor it wrote: dynamo still names it after the op that
#: made it (`abs_1`, before `mul`), not after the in-place op (`sub_`, which sorts after)
_ClosureUpdatedInPlace = type(load_case_module(CASES_DIR / "cond_closure_updated_in_place.py").model)


# torch 2.13 orders a cond's operands: those both branches read, then the true branch's own,
# then the false branch's own, each group sorted by dynamo's name for the value
@pytest.mark.parametrize("model, want", [(_UnusedSecondOperand, ["x", "y", "mul"]),
                                         (_TwoClosures, ["mul", "x", "y"]),
                                         (_StoredOperands, ["sin", "mul", "mul_1"]),
                                         (_DeadRead, ["x", "y"]),
                                         (_ClosureUpdatedInPlace, ["x", "sub_", "mul"])],
                         ids=["unused-operand", "two-closures", "stored-locals", "dead-read", "closure-in-place"])
def test_cond_operand_order_matches_torch(model, want):
    ep = export_and_lint(model(), (torch.randn(4, 2), torch.randn(4, 2)))
    cond = node(ep.graph, "cond")
    assert [n.name for n in cond.args[3]] == want
    for graph in ep.graph.subgraphs.values():
        assert [n.name for n in graph.placeholders] == want


def test_cond_branches_drop_unused_pure_ops():
    class M(torch.nn.Module):
        def forward(self, x):
            def true_fn(t):
                unused_view = t[1:]
                unused_sin = t.sin()
                kept = t.cos()
                kept.add_(1)
                return t + 1

            def false_fn(t):
                return t - 1

            return torch.cond(x.sum() > 0, true_fn, false_fn, (x,))

    ep = export_and_lint(M(), (torch.randn(4, 2),))
    assert call_names(ep.graph.subgraphs["true_graph_0"]) == ["cos", "add_", "add"]


def test_shared_dim_is_read_from_the_last_input_carrying_it():
    from exportdb.exporter.symbolic.dim_types import Dim

    class M(torch.nn.Module):
        def forward(self, x, y):
            return torch.cond(x.shape[0] > 4, lambda t: t + 1, lambda t: t - 1, (y,))

    b = Dim("B", min=2, max=9)
    ep = export_and_lint(M(), (torch.randn(5), torch.randn(5)), dynamic_shapes={"x": {0: b}, "y": {0: b}})
    assert node(ep.graph, "sym_size_int_2").args[0] is node(ep.graph, "y")


def test_intermediate_sizes_are_read_from_the_inputs():
    # torch.export reads a size that is one input symbol off the input carrying it, placed after
    # the placeholders, and names the read after the size's place among the inputs' symbolic
    # sizes (x: [s0, s1] -> dim 1 is the second: sym_size_int_2), never off the intermediate
    from exportdb.exporter.symbolic.dim_types import Dim

    class M(torch.nn.Module):
        def forward(self, x):
            s = x.sigmoid()
            return s * s.shape[1]

    ep = export_and_lint(M(), (torch.randn(4, 3),), dynamic_shapes=({0: Dim.DYNAMIC, 1: Dim.DYNAMIC},))
    size = node(ep.graph, "sym_size_int_2")
    assert size.args == (node(ep.graph, "x"), 1)
    assert [n.name for n in ep.graph.nodes][:2] == ["x", "sym_size_int_2"]


def test_state_placeholder_is_named_after_the_path_it_was_first_read_by():
    # torch.export: self.alias is self.w; read first as self.alias, the input is p_alias, target 'w'
    class M(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.ones(3))
            self.alias = self.w

        def forward(self, x):
            return x * self.alias + self.w

    ep = export_and_lint(M(), (torch.randn(2, 3),))
    spec = ep.graph_signature.input_specs[0]
    assert (spec.arg.name, spec.target) == ("p_alias", "w")
    assert node(ep.graph, "mul").args == (node(ep.graph, "x"), node(ep.graph, "p_alias"))
    check_against_eager(M(), ep, (torch.randn(2, 3),))


def test_tolist_reads_unbacked_values_checked_right_where_they_are_read():
    # torch.export: select, item (u0), its u0 >= 0 check, then select_1, item_1 (u1), its check
    class M(torch.nn.Module):
        def forward(self, counts):
            rows, cols = counts.tolist()
            return torch.ones(rows), torch.zeros(cols, 2)

    ep = export_and_lint(M(), (torch.tensor([3, 4]),))
    assert call_names(ep.graph) == ["select", "item", "ge", "_assert_scalar_default", "select_1", "item_1", "ge_1",
                                    "_assert_scalar_default_1", "ones", "zeros"]
    assert [str(v) for v in ep.range_constraints] == ["u0", "u1"]


def test_iterating_a_tensor_selects_every_row_before_the_loop_body():
    # torch.export (dynamo) unpacks the tensor first: select, select_1, select_2, then the body
    def fn(x):
        return [row + 1 for row in x]

    ep = export_and_lint(Fn(fn), (torch.randn(3, 2),))
    assert call_names(ep.graph) == ["select", "select_1", "select_2", "add", "add_1", "add_2"]
    check_against_eager(Fn(fn), ep, (torch.randn(3, 2),))


def test_size_expressions_are_rebuilt_from_the_inputs_where_first_used():
    # torch.export: cat's 3*s0 rows become `3 * sym_size_int_1` just before the product that
    # uses them, named after every other node (the tensor product took `mul`)
    from exportdb.exporter.symbolic.dim_types import Dim

    class M(torch.nn.Module):
        def forward(self, x):
            c = torch.cat([x, x, x])
            return c.sum() * c.shape[0]

    ep = export_and_lint(M(), (torch.randn(4, 3),), dynamic_shapes=({0: Dim.DYNAMIC},))
    names = [n.name for n in ep.graph.nodes]
    assert names == ["x", "sym_size_int_1", "cat", "sum_1", "mul_1", "mul", "output"]
    assert node(ep.graph, "mul_1").args == (3, node(ep.graph, "sym_size_int_1"))
    check_against_eager(M(), ep, (torch.randn(7, 3),))


def test_branch_sizes_are_read_from_the_first_placeholder_carrying_them():
    from exportdb.exporter.symbolic.dim_types import Dim

    class M(torch.nn.Module):
        def forward(self, x):
            def true_fn(a, b):
                c = a.cos()
                return c * c.shape[1] + b

            return torch.cond(x.sum() > 0, true_fn, lambda a, b: a - b, (x.abs(), x.exp()))

    ep = export_and_lint(M(), (torch.randn(4, 3),), dynamic_shapes=({0: Dim.DYNAMIC, 1: Dim.DYNAMIC},))
    graph = ep.graph.subgraphs["true_graph_0"]
    size = node(graph, "sym_size_int_2")
    assert size.args == (node(graph, "abs_1"), 1)


def test_branch_reading_a_closures_dynamic_shape_lifts_it():
    from exportdb.exporter.symbolic.dim_types import Dim

    class M(torch.nn.Module):
        def forward(self, x, y):
            def true_fn(t):
                return t * y.shape[1]

            def false_fn(t):
                return t - 1

            return torch.cond(x.sum() > 0, true_fn, false_fn, (x,))

    b = Dim("B", min=2, max=9)
    ep = export_and_lint(M(), (torch.randn(5), torch.randn(5, 3)), dynamic_shapes={"x": {0: b}, "y": {0: b}})
    assert [n.name for n in node(ep.graph, "cond").args[3]] == ["x", "y"]
    # a closure with static sizes only is not lifted by a shape read (torch: [x])
    ep = export_and_lint(M(), (torch.randn(5), torch.randn(5, 3)), dynamic_shapes={"x": {0: b}, "y": None})
    assert [n.name for n in node(ep.graph, "cond").args[3]] == ["x"]


def test_a_nested_conds_results_are_not_lifted_when_their_shapes_are_read():
    # reading the shape of the inner cond's results (the outer branch's own values) must not
    # lift anything into the outer graph (found by the fuzzer: two c_lifted_tensor inputs)
    from exportdb.exporter.symbolic.dim_types import Dim

    class M(torch.nn.Module):
        def forward(self, x):
            def outer_true(t):
                inner = torch.cond(t.sum() > 0, lambda u: u.sin(), lambda u: u.cos(), (t * 2,))
                return inner * inner.shape[0]

            return torch.cond(x.shape[0] > 3, outer_true, lambda t: t - 1, (x,))

    ep = export_and_lint(M(), (torch.randn(5, 3),), dynamic_shapes=({0: Dim.DYNAMIC},))
    assert [n.name for n in ep.graph.placeholders] == ["x"]
    assert [n.name for n in node(ep.graph, "cond").args[3]] == ["x"]


# -- left for the owner of hops.py / builder.py ----------------------------------------------
@pytest.mark.xfail(strict=True, reason="core bug (hops.py): torch.export refuses a cond whose inputs alias "
                                       "each other (operand x and the closed-over view x.unsqueeze(0): "
                                       "UncapturedHigherOrderOpError, 'Higher order ops do not support "
                                       "aliasing'); the builtin exports it")
def test_cond_operand_aliasing_a_closure_is_refused():
    from exportdb.errors import ExportError

    class M(torch.nn.Module):
        def forward(self, x):
            v = x.unsqueeze(0)

            def true_fn(t):
                return t + v.sum()

            def false_fn(t):
                return t - 1

            return torch.cond(x.sum() > 0, true_fn, false_fn, (x,))

    with pytest.raises(ExportError):
        export_and_lint(M(), (torch.randn(3, 2),))


def test_a_size_read_after_casting_to_the_same_dtype_reads_the_input():
    """``x.float()`` of a float tensor is ``x`` (its node becomes the ``to``); its size is
    still read off the input placeholder, right after the inputs, as torch.export does."""
    class M(torch.nn.Module):
        def forward(self, x):
            x = x.float()
            return x.sum(dim=1) / x.shape[0]

    ep = export_and_lint(M(), (torch.randn(6, 3),), dynamic_shapes={"x": {0: Dim("rows")}})
    read = node(ep.graph, "sym_size_int_1")
    assert read.args == (ep.graph.placeholders[0], 0)
    assert ep.graph.nodes.index(read) == len(ep.graph.placeholders)


def test_a_branch_reads_a_size_off_its_own_argument_before_a_closure():
    """The branch's arguments come before its closures in dynamo's order, so a size both
    carry is read off the argument, named after its place in the final signature."""
    class M(torch.nn.Module):
        def forward(self, x, y):
            h = y / (x.abs() + 1)
            return torch.cond(h.sum() > 0, lambda t: x * 2, lambda t: t + x.shape[0], (h,))

    n = Dim("n")
    ep = export_and_lint(M(), (torch.randn(6, 3), torch.randn(6, 3)), dynamic_shapes={"x": {0: n}, "y": {0: n}})
    false_graph = ep.graph.subgraphs["false_graph_0"]
    assert [p.name for p in false_graph.placeholders] == ["x", "div"]
    read = node(false_graph, "sym_size_int_2")
    assert read.args == (false_graph.placeholders[1], 0)


def test_a_size_read_before_the_cond_and_closed_over_is_a_cond_input():
    """``k = x.shape[0]`` read outside and used in a branch: the enclosing graph reads it and
    the cond takes it as a SymInt input (both branches get the placeholder), as dynamo lifts
    it; ``t.shape[0]`` read inside a branch is read off the branch's tensor instead."""
    class Closed(torch.nn.Module):
        def forward(self, x):
            k = x.shape[0]
            return torch.cond(x.sum() > 0, lambda t: t * k, lambda t: t - 1, (x,))

    class Inside(torch.nn.Module):
        def forward(self, x):
            return torch.cond(x.sum() > 0, lambda t: t * t.shape[0], lambda t: t - 1, (x,))

    spec = {"x": {0: Dim("n")}}
    ep = export_and_lint(Closed(), (torch.randn(5, 3),), dynamic_shapes=spec)
    assert [n.name for n in node(ep.graph, "cond").args[3]] == ["x", "sym_size_int_1"]
    for graph in ep.graph.subgraphs.values():
        assert [p.name for p in graph.placeholders] == ["x", "sym_size_int_1"]
    check_against_eager(Closed(), ep, (torch.randn(7, 3),))
    inside = export_and_lint(Inside(), (torch.randn(5, 3),), dynamic_shapes=spec)
    assert [n.name for n in node(inside.graph, "cond").args[3]] == ["x"]
