"""exportdb.exporter.ir.graph (Namespace, Node, Graph.lint) and exportdb.exporter.ir.pytree."""

from __future__ import annotations

from collections import namedtuple

import pytest

from exportdb.exporter.ir import pytree
from exportdb.exporter.ir.graph import Graph, Namespace
from exportdb.exporter.ops import aten


# -- Namespace ------------------------------------------------------------------
@pytest.mark.parametrize("candidates, want", [
    (["add", "add", "add"], ["add", "add_1", "add_2"]),
    (["sum", "sum"], ["sum_1", "sum_2"]),              # builtins get a suffix
    (["slice", "slice"], ["slice_1", "slice_2"]),
    (["max", "min", "input", "getitem", "getitem"], ["max_1", "min_1", "input_1", "getitem", "getitem_1"]),
    (["add_", "add_"], ["add_", "add__1"]),            # in-place names keep their underscore
    (["add_1", "add", "add"], ["add_1", "add", "add_2"]),
    (["x", "x_0", "x"], ["x", "x_0", "x_1"]),
    (["foo_10", "foo", "foo"], ["foo_10", "foo", "foo_11"]),
    (["1abc", "a-b", "", "class", "inf", "torch"], ["_1abc", "a_b", "_unnamed", "class_1", "inf_1", "torch_1"]),
])
def test_namespace_names_like_fx(candidates, want):
    ns = Namespace()
    assert [ns.create(c) for c in candidates] == want


def test_namespace_agrees_with_torch_fx():
    fx_graph = pytest.importorskip("torch.fx.graph")
    seqs = [["add", "add", "add_1", "add"], ["sum", "sum_1", "sum"], ["getitem"] * 3, ["mul_", "mul_", "mul__1"],
            ["cond", "true_graph_0", "cond"], ["list", "dict", "len", "abs", "pow"]]
    for seq in seqs:
        theirs = fx_graph._Namespace()
        ours = Namespace()
        assert [ours.create(c) for c in seq] == [theirs.create_name(c, None) for c in seq], seq


def test_graph_names_come_from_one_namespace():
    g = Graph()
    x = g.placeholder("x")
    a = g.create_node("call_function", aten("add.Tensor"), (x, 1), name="add")
    b = g.create_node("call_function", aten("add.Tensor"), (a, 1), name="add")
    s = g.create_node("call_function", aten("sum.default"), (b,), name="sum")
    g.output((s,))
    assert [n.name for n in g.nodes] == ["x", "add", "add_1", "sum_1", "output"]
    g.lint()


# -- Node / Graph ---------------------------------------------------------------------
def _small_graph() -> Graph:
    g = Graph()
    x = g.placeholder("x")
    y = g.placeholder("y")
    add = g.create_node("call_function", aten("add.Tensor"), (x, y), name="add")
    mul = g.create_node("call_function", aten("mul.Tensor"), (add, add), name="mul")
    g.output((mul,))
    return g


def test_users_and_input_nodes_track_arguments():
    g = _small_graph()
    x, y, add, mul, out = g.nodes
    assert add.input_nodes() == [x, y]
    assert mul.input_nodes() == [add], "repeated arguments are listed once"
    assert list(add.users) == [mul] and list(mul.users) == [out]
    assert g.placeholders == [x, y] and g.output_node is out


def test_placeholder_is_inserted_after_existing_placeholders():
    g = _small_graph()
    z = g.placeholder("z")
    assert [n.name for n in g.nodes[:3]] == ["x", "y", "z"]
    assert g.placeholders[-1] is z
    g.lint()


def test_unknown_opcode_is_refused():
    g = Graph()
    with pytest.raises(ValueError, match="unknown opcode"):
        g.create_node("call_method", "foo")


def test_erase_refuses_used_nodes_and_unlinks_unused_ones():
    g = _small_graph()
    x, y, add, mul, out = g.nodes
    with pytest.raises(ValueError, match="still used"):
        g.erase(add)
    dead = g.create_node("call_function", aten("neg.default"), (x,), name="neg", index=3)
    assert dead in x.users
    g.erase(dead)
    assert dead not in x.users and dead not in g.nodes
    g.lint()


def test_subgraphs_get_fresh_numbered_names_and_walk_depth_first():
    g, t, f, inner = Graph(), Graph(), Graph(), Graph()
    assert g.add_subgraph("true_graph", t) == "true_graph_0"
    assert g.add_subgraph("false_graph", f) == "false_graph_0"
    assert g.add_subgraph("true_graph", Graph()) == "true_graph_1"
    t.add_subgraph("body_graph", inner)
    assert list(g.walk())[:3] == [g, t, inner]


# -- lint -------------------------------------------------------------------------
def test_lint_accepts_a_well_formed_graph():
    _small_graph().lint()


def test_lint_catches_use_before_definition():
    g = _small_graph()
    x, y, add, mul, out = g.nodes
    g.nodes = [x, y, mul, add, out]
    with pytest.raises(AssertionError, match="mul uses add before it is defined"):
        g.lint()


def test_lint_catches_duplicate_names():
    g = _small_graph()
    g.nodes[3].name = "add"
    with pytest.raises(AssertionError, match="duplicate name add"):
        g.lint()


def test_lint_catches_missing_output():
    g = _small_graph()
    g.nodes.pop()
    g.nodes[-1].users.clear()
    with pytest.raises(AssertionError, match="no output"):
        g.lint()


def test_lint_catches_output_that_is_not_last():
    g = _small_graph()
    g.nodes.append(g.nodes.pop(3))
    with pytest.raises(AssertionError):
        g.lint()


def test_lint_catches_stale_users():
    g = _small_graph()
    x, y, add, mul, out = g.nodes
    x.users[mul] = None  # mul does not read x
    with pytest.raises(AssertionError, match="stale user mul of x"):
        g.lint()


def test_lint_catches_missing_user_link():
    g = _small_graph()
    g.nodes[2].users.clear()
    with pytest.raises(AssertionError, match="add.users lacks mul"):
        g.lint()


def test_lint_catches_placeholder_after_other_nodes():
    g = _small_graph()
    late = g.placeholder("late", index=3)
    assert g.nodes[3] is late
    with pytest.raises(AssertionError, match="placeholder late after other nodes"):
        g.lint()


def test_lint_catches_nodes_from_another_graph():
    g, other = _small_graph(), _small_graph()
    stranger = other.nodes[0]
    g.nodes[2].args = (stranger, g.nodes[1])
    stranger.users[g.nodes[2]] = None
    with pytest.raises(AssertionError, match="before it is defined"):
        g.lint()


def test_lint_catches_get_attr_without_subgraph_and_recurses():
    g = _small_graph()
    g.create_node("get_attr", "true_graph_0", name="true_graph_0", index=2)
    with pytest.raises(AssertionError, match="no sub-graph true_graph_0"):
        g.lint()
    g.subgraphs["true_graph_0"] = broken = _small_graph()
    g.lint()
    broken.nodes.pop()
    broken.nodes[-1].users.clear()
    with pytest.raises(AssertionError, match="no output"):
        g.lint()


# -- pytree -------------------------------------------------------------------------
Pair = namedtuple("Pair", ["left", "right"])

TREES = [
    1,
    None,
    (1, 2),
    [1, [2, 3], (4,)],
    {"a": (1, 2), "b": [3], "c": None},
    {"z": 1, "a": 2},                       # insertion order is kept, not sorted
    Pair(1, (2, 3)),
    ((), [], {}),
    [None, (None, 1)],
]


@pytest.mark.parametrize("tree", TREES, ids=repr)
def test_pytree_round_trip(tree):
    leaves, spec = pytree.tree_flatten(tree)
    assert spec.num_leaves == len(leaves)
    rebuilt = pytree.tree_unflatten(leaves, spec)
    assert rebuilt == tree and type(rebuilt) is type(tree)
    assert pytree.tree_leaves(tree) == leaves


def test_pytree_flatten_order_and_map():
    tree = {"b": (1, 2), "a": [3, {"x": 4}]}
    assert pytree.tree_leaves(tree) == [1, 2, 3, 4]
    assert pytree.tree_map(lambda v: v * 10, tree) == {"b": (10, 20), "a": [30, {"x": 40}]}


def test_pytree_none_is_an_empty_node_not_a_leaf():
    leaves, spec = pytree.tree_flatten((None, 1))
    assert leaves == [1]
    assert spec.children[0].kind == "none"


def test_pytree_paths_give_flat_input_names():
    pairs, _ = pytree.tree_flatten_with_path({"pair": (10, 20), "w": [30]})
    assert pairs == [(("pair", 0), 10), (("pair", 1), 20), (("w", 0), 30)]


def test_pytree_unflatten_checks_leaf_count():
    _, spec = pytree.tree_flatten((1, 2))
    with pytest.raises(ValueError, match="too few"):
        pytree.tree_unflatten([1], spec)
    with pytest.raises(ValueError, match="too many"):
        pytree.tree_unflatten([1, 2, 3], spec)


def test_pytree_specs_compare_by_structure():
    assert pytree.tree_flatten((1, [2]))[1] == pytree.tree_flatten((5, [6]))[1]
    assert pytree.tree_flatten((1, [2]))[1] != pytree.tree_flatten((1, (2,)))[1]
    assert pytree.tree_flatten({"a": 1})[1] != pytree.tree_flatten({"b": 1})[1]
