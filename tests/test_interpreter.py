"""exportdb.exporter.interpreter: running exported programs on NumPy."""

from __future__ import annotations

import numpy as np
import pytest

from exporter_helpers import check_against_eager, export_and_lint, torch

from exportdb.errors import InputError
from exportdb.exporter.ir.graph import Graph
from exportdb.exporter.interpreter import InterpreterError, run_graph
from exportdb.exporter.ops import aten

nn = torch.nn


class Scale(nn.Module):
    def forward(self, x, n):
        return x * n


def test_exported_module_runs_like_eager():
    ep = export_and_lint(Scale(), (torch.randn(3, 2), 2))
    x = torch.randn(3, 2)
    out = ep.module()(x, 2)
    np.testing.assert_allclose(out._value, x._value * 2)
    assert isinstance(out, torch.Tensor) and out.dtype is torch.float32
    np.testing.assert_allclose(ep.module()(x._value, 2)._value, x._value * 2)


@pytest.mark.parametrize("args, message", [
    ((torch.randn(3, 3), 2), "input x: dimension 1 must be 2 (the program was exported for f32[3, 2]), got 3"),
    ((torch.randn(2, 2), 2), "input x: dimension 0 must be 3"),
    ((torch.randn(3), 2), "input x: expected 2 dimensions, got 1"),
    ((torch.ones(3, 2, dtype=torch.int64), 2), "input x: expected dtype float32, got int64"),
    ((torch.randn(3, 2), 3), "input n: the program was specialized to the constant 2, got 3"),
    ((5, 2), "input x: expected a tensor, got int"),
    ((torch.randn(3, 2),), "missing a required argument: 'n'"),
])
def test_wrong_inputs_are_rejected_with_the_input_name(args, message):
    ep = export_and_lint(Scale(), (torch.randn(3, 2), 2))
    with pytest.raises(InputError) as info:
        ep.module()(*args)
    assert message in str(info.value)


def test_keyword_and_nested_inputs():
    class M(nn.Module):
        def forward(self, pair, *, bias):
            return pair[0] @ pair[1] + bias

    args = ((torch.randn(2, 3), torch.randn(3, 2)),)
    kwargs = {"bias": torch.randn(2)}
    ep = export_and_lint(M(), args, kwargs)
    check_against_eager(M(), ep, args, kwargs)
    with pytest.raises(InputError, match="pair_1: dimension 1 must be 2"):
        ep.module()((torch.randn(2, 3), torch.randn(3, 3)), bias=torch.randn(2))


def test_state_is_copied_per_module_call():
    class Count(nn.Module):
        def __init__(self):
            super().__init__()
            self.register_buffer("n", torch.zeros(1))

        def forward(self, x):
            self.n.add_(1)
            return x + self.n

    ep = export_and_lint(Count(), (torch.zeros(1),))
    runner = ep.module()
    assert runner(torch.zeros(1))._value.tolist() == [1.0]
    assert runner(torch.zeros(1))._value.tolist() == [2.0], "a module keeps its own buffer state between calls"
    assert ep.module()(torch.zeros(1))._value.tolist() == [1.0]
    assert ep.state_dict["n"].tolist() == [0.0]


def test_outputs_keep_their_pytree_structure():
    class M(nn.Module):
        def forward(self, x):
            return {"a": x + 1, "b": [x * 2, (x.sum(), 3)]}

    ep = export_and_lint(M(), (torch.randn(2),))
    out = ep.module()(torch.ones(2))
    assert set(out) == {"a", "b"} and out["b"][1][1] == 3
    assert out["b"][0]._value.tolist() == [2.0, 2.0]


def test_run_graph_counts_inputs_and_wraps_kernel_errors():
    g = Graph()
    x = g.placeholder("x")
    v = g.create_node("call_function", aten("view.default"), (x, [7]), name="view")
    g.output((v,))
    g.lint()
    with pytest.raises(InputError, match="expects 1 inputs, got 0"):
        run_graph(g, [])
    with pytest.raises(InterpreterError, match=r"while executing view = torch.ops.aten.view.default"):
        run_graph(g, [np.zeros(3, np.float32)])
    assert run_graph(g, [np.zeros(7, np.float32)])[0].shape == (7,)


def test_fresh_values_flow_through_multi_output_ops():
    class M(nn.Module):
        def forward(self, x):
            v, i = x.max(0)
            a, b = x.chunk(2, 1)
            return v + a.sum(), i, b

    ep = export_and_lint(M(), (torch.randn(4, 4),))
    for seed in range(3):
        rng = np.random.default_rng(seed)
        check_against_eager(M(), ep, (torch.Tensor._make(rng.standard_normal((4, 4)).astype(np.float32)),))


def test_setitem_single_element_is_replayed():
    class M(nn.Module):
        def forward(self, x):
            x[0] = 1.0
            return x * 2

    ep = export_and_lint(M(), (torch.zeros(3),))
    assert ep.module()(torch.zeros(3))._value.tolist() == [2.0, 0.0, 0.0]
