"""exportdb.exporter.frontend.nn_modules: Module state, layers and functional equivalents."""

from __future__ import annotations

import numpy as np
import pytest

from exporter_helpers import check_against_eager, export_and_lint, targets, torch

nn = torch.nn
F = nn.functional


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
        self.register_buffer("mean", torch.zeros(2))
        self.register_buffer("scratch", torch.ones(2), persistent=False)
        self.scale = nn.Parameter(torch.ones(2))
        self.plain = torch.ones(1)

    def forward(self, x):
        return (self.body(x) - self.mean) * self.scale + self.plain


def test_parameters_buffers_and_submodules_are_tracked_by_path():
    m = Block()
    assert [n for n, _ in m.named_parameters()] == ["scale", "body.0.weight", "body.0.bias", "body.2.weight",
                                                     "body.2.bias"]
    assert [n for n, _ in m.named_buffers()] == ["mean", "scratch"]
    assert [n for n, _ in m.named_modules()] == ["", "body", "body.0", "body.1", "body.2"]
    assert list(m.state_dict()) == ["scale", "body.0.weight", "body.0.bias", "body.2.weight", "body.2.bias", "mean"]
    assert m.is_persistent_buffer("mean") and not m.is_persistent_buffer("scratch")
    assert m.get_submodule("body.2") is m.body[2]
    assert len(m.body) == 3 and isinstance(list(m.body)[1], nn.ReLU)


def test_module_export_lifts_state_in_torch_order():
    m = Block()
    ep = export_and_lint(m, (torch.randn(5, 4),))
    # scratch is never read: torch 2.13 does not lift it; parameters, then buffers, come in the
    # order forward first reads them (body's before scale), as torch.export 2.13 lifts them
    assert [n.name for n in ep.graph.placeholders] == [
        "p_body_0_weight", "p_body_0_bias", "p_body_2_weight", "p_body_2_bias", "p_scale", "b_mean",
        "c_plain", "x"]
    assert targets(ep.graph) == ["aten.linear.default", "aten.relu.default", "aten.linear.default",
                                 "aten.sub.Tensor", "aten.mul.Tensor", "aten.add.Tensor"]
    check_against_eager(m, ep, (torch.randn(5, 4),))


def test_linear_matches_the_formula_and_init_bounds():
    lin = nn.Linear(4, 3)
    assert lin.weight.shape == (3, 4) and lin.bias.shape == (3,)
    assert np.abs(lin.weight._value).max() <= 0.5 and lin.weight.dtype is torch.float32
    x = torch.randn(2, 4)
    np.testing.assert_allclose(lin(x)._value, x._value @ lin.weight._value.T + lin.bias._value, rtol=1e-5)
    assert repr(lin) == "Linear(in_features=4, out_features=3, bias=True)"
    assert nn.Linear(4, 3, bias=False).bias is None


def test_functional_equivalents():
    x = torch.randn(3, 4)
    np.testing.assert_allclose(F.relu(x)._value, np.maximum(x._value, 0))
    np.testing.assert_allclose(F.softmax(x, dim=-1)._value.sum(-1), np.ones(3), rtol=1e-6)
    np.testing.assert_allclose(F.sigmoid(x)._value, 1 / (1 + np.exp(-x._value)), rtol=1e-6)
    assert vals_equal(F.dropout(x, 0.5, training=False), x)
    assert vals_equal(nn.Identity()(x), x)
    assert vals_equal(nn.Tanh()(x), x.tanh())


def vals_equal(a, b):
    return a.shape == b.shape and np.allclose(a._value, b._value)


def test_train_eval_and_dropout_export():
    model = nn.Sequential(nn.Linear(3, 3), nn.Dropout(0.5))
    model.eval()
    assert not model.training and not model[1].training
    ep = export_and_lint(model, (torch.randn(2, 3),))
    assert targets(ep.graph) == ["aten.linear.default", "aten.dropout.default"]
    assert ep.graph.nodes[-2].args[1:] == (0.5, False)
    check_against_eager(model, ep, (torch.randn(2, 3),))


def test_module_list_and_dict():
    class Stack(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(2)])
            self.heads = nn.ModuleDict({"a": nn.Linear(2, 1)})

        def forward(self, x):
            for layer in self.layers:
                x = layer(x).relu()
            return self.heads["a"](x)

    m = Stack()
    ep = export_and_lint(m, (torch.randn(3, 2),))
    assert [n.name for n in ep.graph.placeholders][:2] == ["p_layers_0_weight", "p_layers_0_bias"]
    assert "p_heads_a_weight" in [n.name for n in ep.graph.placeholders]
    check_against_eager(m, ep, (torch.randn(3, 2),))


def test_attribute_reassignment_and_errors():
    m = nn.Module()
    m.w = nn.Parameter(torch.ones(1))
    m.w = torch.zeros(1)  # a plain tensor replaces the parameter
    assert list(m.named_parameters()) == []
    with pytest.raises(AttributeError, match="has no attribute 'missing'"):
        m.missing

    class Forgot(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(torch.ones(1))

    with pytest.raises(AttributeError, match="super\\(\\).__init__\\(\\)"):
        Forgot()
    with pytest.raises(NotImplementedError, match="forward"):
        nn.Module()(torch.ones(1))


def test_shared_parameters_are_listed_once():
    lin = nn.Linear(2, 2)
    m = nn.Sequential(lin, lin)
    assert len(list(m.parameters())) == 2
    ep = export_and_lint(m, (torch.randn(1, 2),))
    assert [n.name for n in ep.graph.placeholders] == ["p_0_weight", "p_0_bias", "x"]
