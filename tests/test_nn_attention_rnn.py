"""Attention, recurrent layers, Transformer layers and grad modes: values against eager
PyTorch (with the same weights) and the ATen ops torch.export 2.13 records."""

from __future__ import annotations

import numpy as np
import pytest

from exporter_helpers import body, export_and_lint, targets, torch as ours
from exportdb.exporter.ops import OPS

real = pytest.importorskip("torch", reason="values are compared against eager PyTorch")
nn = ours.nn
F = nn.functional
RNG = np.random.default_rng(1)


def _arr(*shape: int) -> np.ndarray:
    return RNG.standard_normal(shape).astype(np.float32)


def _copy_weights(mine, theirs) -> None:
    state = {k: v.detach().numpy() for k, v in theirs.state_dict().items()}
    for name, tensor in (*mine.named_parameters(), *mine.named_buffers()):
        np.copyto(tensor._value, state[name])


class _Apply(nn.Module):
    def __init__(self, module, **call):
        super().__init__()
        self.m, self.call = module, call

    def forward(self, *args):
        return self.m(*args, **self.call)


@pytest.mark.parametrize("kwargs", [{}, {"is_causal": True}, {"scale": 0.3}])
def test_sdpa_values(kwargs):
    q, k, v = _arr(2, 3, 4, 8), _arr(2, 3, 4, 8), _arr(2, 3, 4, 8)
    mine = F.scaled_dot_product_attention(*(ours.from_numpy(a) for a in (q, k, v)), **kwargs)
    theirs = real.nn.functional.scaled_dot_product_attention(*(real.from_numpy(a) for a in (q, k, v)), **kwargs)
    np.testing.assert_allclose(mine._value, theirs.numpy(), rtol=1e-5, atol=1e-6)


def test_sdpa_with_a_boolean_mask_and_its_result_layout():
    q, k, v = _arr(1, 2, 3, 4), _arr(1, 2, 5, 4), _arr(1, 2, 5, 4)
    mask = RNG.random((3, 5)) > 0.3
    mask[:, 0] = True
    mine = F.scaled_dot_product_attention(*(ours.from_numpy(a) for a in (q, k, v)), ours.from_numpy(mask))
    theirs = real.nn.functional.scaled_dot_product_attention(*(real.from_numpy(a) for a in (q, k, v)),
                                                             real.from_numpy(mask))
    np.testing.assert_allclose(mine._value, theirs.numpy(), rtol=1e-5, atol=1e-6)
    assert mine.transpose(1, 2)._value.flags.c_contiguous  # as torch's CPU kernel lays it out


@pytest.mark.parametrize("options,call", [
    ({}, {}), ({"batch_first": True}, {"need_weights": False}), ({"bias": False}, {"average_attn_weights": False}),
])
def test_multihead_attention_values(options, call):
    theirs = real.nn.MultiheadAttention(8, 2, **options).eval()
    mine = nn.MultiheadAttention(8, 2, **options).eval()
    _copy_weights(mine, theirs)
    x = _arr(4, 3, 8)
    out, weights = mine(*(ours.from_numpy(x),) * 3, **call)
    with real.no_grad():
        want, want_w = theirs(*(real.from_numpy(x),) * 3, **call)
    np.testing.assert_allclose(out._value, want.numpy(), rtol=1e-5, atol=1e-6)
    if want_w is not None:
        np.testing.assert_allclose(weights._value, want_w.numpy(), rtol=1e-5, atol=1e-6)


def test_multihead_self_attention_records_packed_projection_and_lifts_bias_first():
    distinct = tuple(ours.randn(4, 2, 8) for _ in range(3))
    ep = export_and_lint(_Apply(nn.MultiheadAttention(8, 2).eval()), distinct)
    assert [n.name for n in ep.graph.placeholders][:2] == ["p_m_in_proj_weight", "p_m_in_proj_bias"]
    x = ours.randn(4, 2, 8)

    class Self(nn.Module):
        def __init__(self):
            super().__init__()
            self.m = nn.MultiheadAttention(8, 2)

        def forward(self, x):
            return self.m(x, x, x, need_weights=False)[0]

    ep = export_and_lint(Self().eval(), (x,))
    assert [n.name for n in ep.graph.placeholders][:2] == ["p_m_in_proj_bias", "p_m_in_proj_weight"]
    assert "aten.unflatten.int" in targets(ep.graph) and "aten.scaled_dot_product_attention.default" in targets(ep.graph)


@pytest.mark.parametrize("cls,options", [
    ("LSTM", {}), ("LSTM", {"num_layers": 2, "bidirectional": True, "batch_first": True}), ("LSTM", {"proj_size": 2}),
    ("GRU", {"num_layers": 2}), ("RNN", {"nonlinearity": "relu", "bias": False}),
])
def test_recurrent_layers_match_eager_torch(cls, options):
    theirs = getattr(real.nn, cls)(4, 3, **options).eval()
    mine = getattr(nn, cls)(4, 3, **options).eval()
    _copy_weights(mine, theirs)
    x = _arr(2, 5, 4) if options.get("batch_first") else _arr(5, 2, 4)
    ep = export_and_lint(_Apply(mine), (ours.from_numpy(x),))
    got = ep.module()(ours.from_numpy(x))
    with real.no_grad():
        want = theirs(real.from_numpy(x))
    np.testing.assert_allclose(got[0]._value, want[0].numpy(), rtol=1e-5, atol=1e-6)
    op = {"LSTM": "aten.lstm.input", "GRU": "aten.gru.input", "RNN": "aten.rnn_relu.input"}[cls]
    assert op in targets(ep.graph)


@pytest.mark.parametrize("cls", ["LSTMCell", "GRUCell", "RNNCell"])
def test_cells_match_eager_torch(cls):
    theirs, mine = getattr(real.nn, cls)(4, 3), getattr(nn, cls)(4, 3)
    _copy_weights(mine, theirs)
    x = _arr(2, 4)
    got = mine(ours.from_numpy(x))
    with real.no_grad():
        want = theirs(real.from_numpy(x))
    got, want = (got[0], want[0]) if cls == "LSTMCell" else (got, want)
    np.testing.assert_allclose(got._value, want.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("norm_first", [False, True])
def test_transformer_layers_match_eager_torch(norm_first):
    for cls, args in (("TransformerEncoderLayer", (_arr(2, 4, 8),)),
                      ("TransformerDecoderLayer", (_arr(2, 4, 8), _arr(2, 3, 8)))):
        theirs = getattr(real.nn, cls)(8, 2, 16, batch_first=True, norm_first=norm_first).eval()
        mine = getattr(nn, cls)(8, 2, 16, batch_first=True, norm_first=norm_first).eval()
        _copy_weights(mine, theirs)
        ep = export_and_lint(mine, tuple(ours.from_numpy(a) for a in args))
        with real.no_grad():
            want = theirs(*(real.from_numpy(a) for a in args))
        got = ep.module()(*(ours.from_numpy(a) for a in args))
        np.testing.assert_allclose(got._value, want.numpy(), rtol=1e-4, atol=1e-5)


def test_recurrent_kernels_are_registered_for_every_mode():
    for name in ("lstm.input", "gru.input", "rnn_tanh.input", "rnn_relu.input", "lstm_cell.default",
                 "gru_cell.default", "rnn_tanh_cell.default", "rnn_relu_cell.default"):
        assert f"aten.{name}" in OPS


class _NoGradBlock(nn.Module):
    def forward(self, x):
        y = x + 1
        with ours.no_grad():
            z = y * 2
            w = z.sum()
        return z + w


def test_no_grad_block_becomes_a_wrap_with_set_grad_enabled_subgraph():
    ep = export_and_lint(_NoGradBlock(), (ours.randn(3, 2),))
    lines = body(ep)
    assert lines[1] == "submod_3 = self.submod_1"
    assert lines[2].startswith("wrap_with_set_grad_enabled = torch.ops.higher_order.wrap_with_set_grad_enabled("
                               "False, submod_3, add)")
    assert body(ep, "submod_1")[0].startswith('mul: "f32[3, 2]" = torch.ops.aten.mul.Tensor(add, 2)')
    x = ours.randn(3, 2)
    np.testing.assert_allclose(ep.module()(x)._value, _NoGradBlock()(x)._value, rtol=1e-6)


def test_grad_mode_decorators_and_flags():
    class Deco(nn.Module):
        @ours.no_grad()
        def forward(self, x):
            assert not ours.is_grad_enabled()
            return x * 2

    ep = export_and_lint(Deco(), (ours.randn(2),))
    assert "wrap_with_set_grad_enabled(False, submod_3, x)" in str(ep)
    assert ours.is_grad_enabled()
    with ours.set_grad_enabled(False):
        assert not ours.is_grad_enabled()
        with ours.enable_grad():
            assert ours.is_grad_enabled()
    assert ours.is_grad_enabled()


def test_is_exporting_is_true_only_while_tracing():
    class Probe(nn.Module):
        def forward(self, x):
            return x + (1 if ours.compiler.is_exporting() else 0)

    assert not ours.compiler.is_exporting()
    ep = export_and_lint(Probe(), (ours.zeros(2),))
    assert "torch.ops.aten.add.Tensor(x, 1)" in str(ep)


def test_transformer_stack_matches_eager_torch():
    theirs = real.nn.Transformer(8, 2, 1, 1, 16).eval()
    mine = nn.Transformer(8, 2, 1, 1, 16).eval()
    _copy_weights(mine, theirs)
    src, tgt = _arr(4, 2, 8), _arr(3, 2, 8)
    ep = export_and_lint(mine, (ours.from_numpy(src), ours.from_numpy(tgt)))
    with real.no_grad():
        want = theirs(real.from_numpy(src), real.from_numpy(tgt))
    np.testing.assert_allclose(ep.module()(ours.from_numpy(src), ours.from_numpy(tgt))._value, want.numpy(),
                               rtol=1e-4, atol=1e-5)


def test_attention_with_bias_kv_and_zero_attn_matches_eager_torch():
    theirs = real.nn.MultiheadAttention(8, 2, add_bias_kv=True, add_zero_attn=True).eval()
    mine = nn.MultiheadAttention(8, 2, add_bias_kv=True, add_zero_attn=True).eval()
    _copy_weights(mine, theirs)
    q, kv = _arr(4, 2, 8), _arr(3, 2, 8)
    out, _ = mine(ours.from_numpy(q), ours.from_numpy(kv), ours.from_numpy(kv))
    with real.no_grad():
        want, _ = theirs(real.from_numpy(q), real.from_numpy(kv), real.from_numpy(kv))
    np.testing.assert_allclose(out._value, want.numpy(), rtol=1e-5, atol=1e-6)


def test_keyword_and_none_inputs_are_placed_as_torch_places_them():
    class Masked(nn.Module):
        def forward(self, x, a=None, b=None, mask=None):
            return x + a - b

    ep = export_and_lint(Masked(), (ours.randn(2),), {"b": ours.randn(2), "a": ours.randn(2), "mask": None})
    assert [n.name for n in ep.graph.placeholders] == ["x", "b", "a", "mask"]
