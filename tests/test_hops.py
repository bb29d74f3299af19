"""exportdb.exporter.trace.higher_order: cond and map traced into sub-graphs, and the rules they enforce."""

from __future__ import annotations

import pytest

from exporter_helpers import body, check_against_eager, export_and_lint, load_case, targets, torch, write_case

from exportdb.errors import CondError, ExportError, MapError
from exportdb.exporter.frontend.modules import resolve

nn = torch.nn
cond = torch.cond
map_ = resolve("functorch.experimental.control_flow").map

T, F_ = torch.tensor(True), torch.tensor(False)


class Closure(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(3, 3)

    def forward(self, p, x, unused, z):
        w = z * 3

        def true_fn(a, b):
            return a + w

        def false_fn(a, b):
            c = a.clone()
            c.add_(1)  # in-place on an intermediate is allowed
            return self.lin(c) - w

        return cond(p, true_fn, false_fn, (x, unused))


def closure_args(pred):
    return (pred, torch.randn(2, 3), torch.randn(2, 3), torch.randn(3))


@pytest.mark.parametrize("pred", [True, False])
def test_cond_matches_eager_for_both_predicates(pred):
    model = Closure()
    ep = export_and_lint(model, closure_args(T))
    check_against_eager(model, ep, closure_args(torch.tensor(pred)))


def test_operands_follow_torchs_order_and_unused_operands_are_dropped():
    # torch.export 2.13: [x, mul] both branches read (dynamo names l_flat_args_1_, mul), then the
    # parameters only the false branch reads, sorted by name (bias before weight); `unused` goes
    ep = export_and_lint(Closure(), closure_args(T))
    cond_node = next(n for n in ep.graph.nodes if n.name == "cond")
    assert [n.name for n in cond_node.args[3]] == ["x", "mul", "p_lin_bias", "p_lin_weight"]
    for sub in ("true_graph_0", "false_graph_0"):
        graph = ep.graph.subgraphs[sub]
        assert [n.name for n in graph.placeholders] == ["x", "mul", "p_lin_bias", "p_lin_weight"]
    assert targets(ep.graph.subgraphs["false_graph_0"]) == ["aten.clone.default", "aten.add_.Tensor",
                                                           "aten.linear.default", "aten.sub.Tensor"]


class Nested(nn.Module):
    def forward(self, p, q, x, y):
        k = y * 2

        def inner_true(a):
            return a + k

        def inner_false(a):
            return a - k

        def outer_true(a):
            return cond(q, inner_true, inner_false, (a,))

        def outer_false(a):
            return a.cos() * y

        return cond(p, outer_true, outer_false, (x,))


def test_nested_conds_lift_closures_through_each_level():
    model = Nested()
    args = (T, F_, torch.randn(3), torch.randn(3))
    ep = export_and_lint(model, args)
    outer = ep.graph.subgraphs["true_graph_0"]
    assert [n.name for n in outer.placeholders] == ["x", "q", "mul", "y"]
    inner = outer.subgraphs["true_graph_0"]
    assert [n.name for n in inner.placeholders] == ["x", "mul"]
    for p in (True, False):
        for q in (True, False):
            check_against_eager(model, ep, (torch.tensor(p), torch.tensor(q)) + args[2:])


def test_static_predicate_stays_a_constant_and_multiple_outputs():
    class Static(nn.Module):
        def forward(self, x):
            return cond(x.shape[0] > 2, lambda a: (a.cos(), a + 1), lambda a: (a.sin(), a - 1), (x,))

    ep = export_and_lint(Static(), (torch.randn(3, 2),))
    lines = body(ep)
    assert ("cond = torch.ops.higher_order.cond(True, true_graph_0, false_graph_0, [x]);  "
            "true_graph_0 = false_graph_0 = x = None") in lines
    assert 'getitem_1: "f32[3, 2]" = cond[1];  cond = None' in lines
    check_against_eager(Static(), ep, (torch.randn(3, 2),))


# -- restrictions -----------------------------------------------------------------------
RULES = """
    import torch
    from functorch.experimental.control_flow import cond

    class Signature(torch.nn.Module):
        def forward(self, p, x):
            return cond(p, lambda a, b: a + b, lambda a: a.sin(), (x,))

    class Shape(torch.nn.Module):
        def forward(self, p, x):
            return cond(p, lambda a: a.sum(0), lambda a: a.sin(), (x,))

    class Dtype(torch.nn.Module):
        def forward(self, p, x):
            return cond(p, lambda a: a.long(), lambda a: a.sin(), (x,))

    class MutateOperand(torch.nn.Module):
        def forward(self, p, x):
            def t(a):
                a.add_(1)
                return a.cos()
            return cond(p, t, lambda a: a.sin(), (x,))

    class MutateClosure(torch.nn.Module):
        def forward(self, p, x):
            y = x * 2
            def t(a):
                y.mul_(2)
                return a.cos()
            return cond(p, t, lambda a: a.sin(), (x,))

    class MutateParameter(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.ones(3))
        def forward(self, p, x):
            def t(a):
                self.w.mul_(2)
                return a.cos()
            return cond(p, t, lambda a: a.sin(), (x,))

    class MutateSlice(torch.nn.Module):
        def forward(self, p, x):
            def t(a):
                a[1:].add_(1)
                return a.cos()
            return cond(p, t, lambda a: a.sin(), (x,))

    class Alias(torch.nn.Module):
        def forward(self, p, x):
            return cond(p, lambda a: a, lambda a: a.sin(), (x,))

    class AliasView(torch.nn.Module):
        def forward(self, p, x):
            return cond(p, lambda a: a.view(3), lambda a: a.sin(), (x,))

    class NonTensor(torch.nn.Module):
        def forward(self, p, x):
            return cond(p, lambda a, n: a * n, lambda a, n: a.sin(), (x, 3))

    class WidePredicate(torch.nn.Module):
        def forward(self, p, x):
            return cond(x > 0, lambda a: a.cos(), lambda a: a.sin(), (x,))

    class Structure(torch.nn.Module):
        def forward(self, p, x):
            return cond(p, lambda a: (a.cos(), a.sin()), lambda a: a.sin(), (x,))

    example_args = (torch.tensor(True), torch.randn(3))
    model = Signature()
"""


def _line_of(path, class_name, marker):
    """1-based line of the first ``marker`` after ``class <class_name>(`` in the case file."""
    lines = path.read_text().splitlines()
    start = next(i for i, text in enumerate(lines) if text.startswith(f"class {class_name}("))
    return next(i for i in range(start, len(lines)) if marker in lines[i]) + 1


@pytest.mark.parametrize("name, marker, pieces", [
    ("Signature", "return cond", ["cannot be called with 1 operand(s)", "the function signature must match with operands"]),
    ("Shape", "return cond", ['returns "f32[]"', 'returns "f32[3]"', "must return a tensor with the same metadata"]),
    ("Dtype", "return cond", ['returns "i64[3]"', 'returns "f32[3]"', "same metadata"]),
    ("MutateOperand", "a.add_(1)", ["mutates x in place (aten.add_.Tensor)", "cannot have in-place mutations"]),
    ("MutateClosure", "y.mul_(2)", ["mutates mul in place (aten.mul_.Tensor)", "cannot have in-place mutations"]),
    ("MutateParameter", "self.w.mul_(2)", ["mutates p_w in place (aten.mul_.Tensor)", "cannot have in-place mutations"]),
    ("MutateSlice", "a[1:].add_(1)", ["mutates", "in place (aten.add_.Tensor)"]),
    ("Alias", "return cond", ["returns output 0 aliasing an input (x)", "must not alias inputs"]),
    ("AliasView", "return cond", ["aliasing an input", "must not alias inputs"]),
    ("NonTensor", "return cond", ["cond operand 1 is a int", "the operands must be a tuple of tensors"]),
    ("WidePredicate", "return cond", ["cond predicate has 3 elements", "only one element"]),
    ("Structure", "return cond", ["cond branches return different structures", "same metadata"]),
])
def test_each_cond_rule_raises_cond_error_naming_it(tmp_path, name, marker, pieces):
    mod = load_case(tmp_path, RULES)
    line = _line_of(tmp_path / "case.py", name, marker)
    with pytest.raises(CondError) as info:
        export_and_lint(getattr(mod, name)(), mod.example_args)
    err = info.value
    assert err.summary.startswith(f"{tmp_path / 'case.py'}:{line}: "), err.summary
    for piece in pieces:
        assert piece in err.summary, (piece, err.summary)
    assert "\n" not in err.one_line() and err.hint


def test_alias_hint_suggests_clone(tmp_path):
    mod = load_case(tmp_path, RULES)
    with pytest.raises(CondError) as info:
        export_and_lint(mod.Alias(), mod.example_args)
    assert info.value.hint == "return x.clone() instead"


def test_eager_cond_checks_the_predicate_too():
    assert cond(T, lambda a: a + 1, lambda a: a - 1, (torch.zeros(1),))._value.tolist() == [1.0]
    assert cond(False, lambda a: a + 1, lambda a: a - 1, (torch.zeros(1),))._value.tolist() == [-1.0]
    with pytest.raises(CondError, match="predicate has 2 elements"):
        cond(torch.ones(2), lambda a: a, lambda a: a, (torch.zeros(1),))


# -- map -------------------------------------------------------------------------------
class MapModel(nn.Module):
    def forward(self, xs, y, z):
        w = z + 1

        def body_fn(x, y):
            return x * y + w, x.sum()

        return map_(body_fn, xs, y)


def test_map_prints_map_impl_with_closures_after_extra_args():
    args = (torch.randn(4, 3), torch.randn(3), torch.randn(3))
    ep = export_and_lint(MapModel(), args)
    lines = body(ep)
    assert ("map_impl = torch.ops.higher_order.map_impl(body_graph_0, [xs], [y, add]);  "
            "body_graph_0 = xs = y = add = None") in lines
    assert 'getitem: "f32[4, 3]" = map_impl[0]' in lines
    assert 'getitem_1: "f32[4]" = map_impl[1];  map_impl = None' in lines
    sub = ep.graph.subgraphs["body_graph_0"]
    assert [(n.name, n.meta["val"].annotation()) for n in sub.placeholders] == [
        ("xs", "f32[3]"), ("y", "f32[3]"), ("add", "f32[3]")]
    check_against_eager(MapModel(), ep, args)
    check_against_eager(MapModel(), ep, (torch.randn(4, 3), torch.randn(3), torch.randn(3)))


def test_map_rules(tmp_path):
    mod = load_case(tmp_path, """
        import torch
        from functorch.experimental.control_flow import map

        class Mutates(torch.nn.Module):
            def forward(self, xs, y):
                def body(x, y):
                    y.add_(1)
                    return x + y
                return map(body, xs, y)

        class Aliases(torch.nn.Module):
            def forward(self, xs, y):
                return map(lambda x, y: x, xs, y)

        class Scalar(torch.nn.Module):
            def forward(self, xs, y):
                return map(lambda x, y: x, xs, 3)

        example_args = (torch.randn(2, 3), torch.randn(3))
        model = Mutates()
        """)
    with pytest.raises(MapError, match=r"case\.py:7: map .*mutates y in place"):
        export_and_lint(mod.Mutates(), mod.example_args)
    with pytest.raises(MapError, match="aliasing an input"):
        export_and_lint(mod.Aliases(), mod.example_args)
    with pytest.raises(MapError, match="map operands must be tensors"):
        export_and_lint(mod.Scalar(), mod.example_args)


# -- against torch.export ---------------------------------------------------------------------
def test_cond_structure_matches_torch_export(tmp_path):
    real = pytest.importorskip("torch")
    from exportdb.engines.case_module import load_case_module

    path = write_case(tmp_path, """
        import torch
        from functorch.experimental.control_flow import cond

        class M(torch.nn.Module):
            def forward(self, p, x, y):
                k = y * 3

                def t(a, b):
                    return a.cos() + k

                def f(a, b):
                    c = a.clone()
                    c.mul_(2)
                    return c - k

                return cond(p, t, f, (x, y))

        example_args = (torch.tensor(True), torch.randn(2, 3), torch.randn(3))
        model = M()
        """)
    ours = load_case_module(path)
    theirs = load_case_module(path, frontend="torch")
    ep = export_and_lint(ours.model, ours.example_args)
    tep = real.export.export(theirs.model, theirs.example_args, strict=True)

    def names(graph):
        return [n.name for n in graph.nodes]

    assert names(ep.graph)[:-1] == [n.name for n in tep.graph.nodes][:-1]
    t_cond = next(n for n in tep.graph.nodes if n.name == "cond")
    o_cond = next(n for n in ep.graph.nodes if n.name == "cond")
    assert [a.name for a in o_cond.args[3]] == [a.name for a in t_cond.args[3]]
    for sub in ("true_graph_0", "false_graph_0"):
        assert names(ep.graph.subgraphs[sub]) == [n.name for n in getattr(tep.graph_module, sub).graph.nodes]
        assert targets(ep.graph.subgraphs[sub]) == [
            str(n.target).replace("::", ".") for n in getattr(tep.graph_module, sub).graph.nodes
            if n.op == "call_function"]
    check_against_eager(ours.model, ep, ours.example_args)


# -- known bugs ---------------------------------------------------------------------------------
def test_branch_placeholders_are_named_before_branch_nodes():
    class M(nn.Module):
        def forward(self, p, x, y):
            k = y * 2
            return cond(p, lambda a: a * 3, lambda a: a + k, (x,))

    ep = export_and_lint(M(), (T, torch.randn(3), torch.randn(3)))
    true_graph = ep.graph.subgraphs["true_graph_0"]
    assert [n.name for n in true_graph.placeholders] == ["x", "mul"]
    assert [n.name for n in true_graph.nodes if n.op == "call_function"] == ["mul_1"]


def test_setitem_on_operand_in_branch_is_refused():
    def t(a):
        a[0] = 1.0
        return a.cos()

    class M(nn.Module):
        def forward(self, p, x):
            return cond(p, t, lambda a: a.sin(), (x,))

    with pytest.raises(CondError, match="mutates"):
        export_and_lint(M(), (T, torch.randn(3)))


def test_map_over_a_list_passes_the_slice_list():
    class M(nn.Module):
        def forward(self, xs, ys, z):
            return map_(lambda pair, c: pair[0] * c + pair[1], [xs, ys], z)

    args = (torch.randn(4, 3), torch.randn(4, 3), torch.randn(3))
    eager = M()(*args)
    assert eager.shape == (4, 3)
    ep = export_and_lint(M(), args)
    check_against_eager(M(), ep, args)


def test_hop_errors_are_export_errors():
    assert issubclass(CondError, ExportError) and issubclass(MapError, ExportError)
