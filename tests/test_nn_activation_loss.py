"""torch.nn activations and losses: values against eager PyTorch, recorded ATen names.

``ours`` is exportdb's front end; ``real`` is the installed torch (the value tests
skip without it).  Each value test runs the same call on the same NumPy data in
both and compares; the export tests check the ATen overload torch.export 2.13
records for the call.
"""

from __future__ import annotations

import numpy as np
import pytest

from exporter_helpers import export_and_lint, targets, torch as ours

real = pytest.importorskip("torch", reason="values are compared against eager PyTorch")

RNG = np.random.default_rng(0)
X = RNG.standard_normal((3, 5)).astype(np.float32)
Y = RNG.standard_normal((3, 5)).astype(np.float32)
P = RNG.random((3, 5)).astype(np.float32)
CLS = np.array([1, 0, 4])
W5 = RNG.random(5).astype(np.float32)


def _both(fn_name: str, *arrays: np.ndarray, **kwargs):
    """(ours, torch's) result of ``F.<fn_name>`` on the same arrays."""
    mine = getattr(ours.nn.functional, fn_name)(*(ours.from_numpy(a.copy()) for a in arrays), **kwargs)
    theirs = getattr(real.nn.functional, fn_name)(*(real.from_numpy(a.copy()) for a in arrays), **kwargs)
    return mine._value, theirs.numpy()


ACTIVATIONS = [
    ("relu6", {}), ("hardtanh", {"min_val": -0.5, "max_val": 2.0}), ("leaky_relu", {"negative_slope": 0.2}),
    ("elu", {"alpha": 0.7}), ("celu", {"alpha": 1.5}), ("selu", {}), ("silu", {}), ("mish", {}),
    ("hardswish", {}), ("hardsigmoid", {}), ("hardshrink", {"lambd": 0.3}), ("softshrink", {"lambd": 0.3}),
    ("tanhshrink", {}), ("softsign", {}), ("softplus", {"beta": 2.0, "threshold": 1.0}),
    ("threshold", {"threshold": 0.1, "value": -3.0}), ("rrelu", {}), ("glu", {"dim": 0}), ("logsigmoid", {}),
    ("softmin", {"dim": 1}), ("gelu", {"approximate": "tanh"}), ("gelu", {}),
]


@pytest.mark.parametrize("name,kwargs", ACTIVATIONS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(ACTIVATIONS)])
def test_activation_values_match_eager_torch(name, kwargs):
    data = RNG.standard_normal((4, 5)).astype(np.float32) * 3
    mine, theirs = _both(name, data, **kwargs)
    np.testing.assert_allclose(mine, theirs, rtol=1e-5, atol=1e-6)


def test_prelu_with_one_weight_per_channel():
    x, w = RNG.standard_normal((2, 3, 4)).astype(np.float32), np.array([0.1, 0.2, 0.3], np.float32)
    mine, theirs = _both("prelu", x, w)
    np.testing.assert_allclose(mine, theirs, rtol=1e-6)


LOSSES = [
    ("mse_loss", (X, Y), {}), ("mse_loss", (X, Y[0]), {"reduction": "none"}), ("l1_loss", (X, Y), {"reduction": "sum"}),
    ("smooth_l1_loss", (X, Y), {"beta": 0.5}), ("huber_loss", (X, Y), {"delta": 0.7}),
    ("cross_entropy", (X, CLS), {}), ("cross_entropy", (X, P), {"label_smoothing": 0.2}),
    ("cross_entropy", (X, CLS), {"weight": W5, "label_smoothing": 0.1}),
    ("cross_entropy", (X, CLS), {"ignore_index": 0, "label_smoothing": 0.3}),
    ("cross_entropy", (X, CLS), {"reduction": "none", "label_smoothing": 0.1}),
    ("nll_loss", (X, CLS), {"weight": W5}), ("nll_loss", (X, CLS), {"ignore_index": 4, "reduction": "sum"}),
    ("binary_cross_entropy", (P, P[::-1].copy()), {"weight": W5}),
    ("binary_cross_entropy_with_logits", (X, P), {"pos_weight": W5}),
    ("kl_div", (X, P), {"reduction": "batchmean"}), ("kl_div", (X, Y), {"log_target": True, "reduction": "sum"}),
    ("poisson_nll_loss", (X, np.abs(Y)), {}), ("poisson_nll_loss", (np.abs(X), np.abs(Y) * 3), {"log_input": False,
                                                                                                  "full": True}),
    ("margin_ranking_loss", (X[0], Y[0], np.sign(P[0] - 0.5)), {"margin": 0.3}),
    ("hinge_embedding_loss", (X, np.sign(P - 0.5)), {"margin": 0.5}),
    ("soft_margin_loss", (X, np.sign(P - 0.5)), {}),
    ("multilabel_soft_margin_loss", (X, (P > 0.5).astype(np.float32)), {"weight": W5}),
    ("multi_margin_loss", (X, CLS), {}), ("multi_margin_loss", (X, CLS), {"p": 2, "margin": 0.5, "weight": W5}),
    ("multilabel_margin_loss", (X, np.array([[3, 0, -1, 1, 2], [1, -1, 0, 0, 0], [4, 3, 2, 1, 0]])), {}),
    ("cosine_embedding_loss", (X, Y, np.array([1.0, -1.0, 1.0], np.float32)), {"margin": 0.2}),
    ("triplet_margin_loss", (X, Y, P), {}), ("triplet_margin_loss", (X, Y, P), {"p": 1, "swap": True, "margin": 2.0}),
]


@pytest.mark.parametrize("name,arrays,kwargs", LOSSES, ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(LOSSES)])
def test_loss_values_match_eager_torch(name, arrays, kwargs):
    tensors = {k: v for k, v in kwargs.items() if isinstance(v, np.ndarray)}
    plain = {k: v for k, v in kwargs.items() if k not in tensors}
    mine = getattr(ours.nn.functional, name)(*(ours.from_numpy(a.copy()) for a in arrays),
                                             **{k: ours.from_numpy(v.copy()) for k, v in tensors.items()}, **plain)
    theirs = getattr(real.nn.functional, name)(*(real.from_numpy(a.copy()) for a in arrays),
                                               **{k: real.from_numpy(v.copy()) for k, v in tensors.items()}, **plain)
    np.testing.assert_allclose(mine._value, theirs.numpy(), rtol=1e-5, atol=1e-6)


class _Apply(ours.nn.Module):
    def __init__(self, module):
        super().__init__()
        self.m = module

    def forward(self, *args):
        return self.m(*args)


@pytest.mark.parametrize("module,expected", [
    (ours.nn.ReLU6(), ["aten.hardtanh.default"]),
    (ours.nn.Softsign(), ["aten.abs.default", "aten.add.Tensor", "aten.div.Tensor"]),
    (ours.nn.Softmin(1), ["aten.neg.default", "aten.softmax.int"]),
    (ours.nn.SiLU(inplace=True), ["aten.silu_.default"]),
    (ours.nn.RReLU(), ["aten.rrelu.default"]),
])
def test_activation_modules_record_torchs_ops(module, expected):
    ep = export_and_lint(_Apply(module.eval()), (ours.randn(2, 4),))
    assert targets(ep.graph) == expected


def test_mse_loss_broadcasts_first():
    ep = export_and_lint(_Apply(ours.nn.MSELoss()), (ours.randn(3, 4), ours.randn(4)))
    assert targets(ep.graph) == ["aten.broadcast_tensors.default", "getitem", "getitem", "aten.mse_loss.default"]


def test_kl_div_batchmean_divides_by_the_batch():
    ep = export_and_lint(_Apply(ours.nn.KLDivLoss(reduction="batchmean")), (ours.randn(3, 4), ours.rand(3, 4)))
    assert "torch.ops.aten.div.Tensor(kl_div, 3)" in str(ep)


def test_unsupported_losses_fail_with_a_reason():
    from exportdb.errors import UnsupportedAPIError

    with pytest.raises(UnsupportedAPIError, match="data-dependent"):
        ours.nn.functional.gaussian_nll_loss(ours.randn(3), ours.randn(3), ours.rand(3))


def test_multilabel_margin_loss_of_a_1d_input_is_traced_as_torch_export_records_it():
    """torch.export 2.13 annotates f32[1] for a 1-d input with reduction='none'; running the program
    (and eager torch) gives a 0-d loss."""
    x, target = X[0], np.array([3, 0, -1, 1, 2])
    loss = _Apply(ours.nn.MultiLabelMarginLoss(reduction="none"))
    ep = export_and_lint(loss, (ours.from_numpy(x.copy()), ours.from_numpy(target.copy())))
    assert 'multilabel_margin_loss: "f32[1]" = torch.ops.aten.multilabel_margin_loss.default(' in str(ep)
    got = ep.module()(ours.from_numpy(x.copy()), ours.from_numpy(target.copy()))._value
    want = real.nn.functional.multilabel_margin_loss(real.from_numpy(x.copy()), real.from_numpy(target.copy()),
                                                     reduction="none")
    assert got.shape == tuple(want.shape) == ()
    np.testing.assert_allclose(got, want.numpy(), rtol=1e-6)
    eager = ours.nn.functional.multilabel_margin_loss(ours.from_numpy(x.copy()), ours.from_numpy(target.copy()),
                                                      reduction="none")
    assert eager._value.shape == ()
