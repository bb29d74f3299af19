"""torch.nn convolutions, pools, norms, padding, embedding and resampling: values against eager PyTorch,
training-mode buffer updates, symbolic batch sizes and module state semantics."""

from __future__ import annotations

import numpy as np
import pytest

from exporter_helpers import export_and_lint, torch

real = pytest.importorskip("torch")

MODULES = [
    ("Conv1d(4, 6, 3, stride=2, padding=1)", (2, 4, 9)),
    ("Conv2d(4, 6, (3, 2), stride=(2, 1), padding=(1, 0), dilation=(1, 2), groups=2)", (2, 4, 7, 8)),
    ("Conv2d(3, 4, 3, padding='same', padding_mode='reflect')", (2, 3, 6, 5)),
    ("Conv2d(3, 4, 4, padding='same', dilation=2)", (3, 6, 7)),
    ("Conv3d(2, 4, 2, stride=2, bias=False)", (1, 2, 4, 5, 6)),
    ("ConvTranspose1d(4, 3, 3, stride=2, padding=1, output_padding=1)", (2, 4, 5)),
    ("ConvTranspose2d(4, 6, 3, stride=2, padding=1, groups=2, dilation=2)", (2, 4, 4, 5)),
    ("ConvTranspose3d(2, 3, 2, stride=(1, 2, 2))", (1, 2, 3, 3, 3)),
    ("MaxPool2d(3, stride=2, padding=1, dilation=1, ceil_mode=True)", (2, 3, 8, 7)),
    ("MaxPool1d(2, dilation=2)", (2, 3, 9)),
    ("AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)", (2, 3, 8, 7)),
    ("AvgPool3d(2, divisor_override=3)", (1, 2, 4, 4, 4)),
    ("AdaptiveAvgPool2d((3, None))", (2, 3, 7, 5)),
    ("AdaptiveMaxPool1d(4)", (2, 3, 9)),
    ("LPPool2d(3, 2, stride=1)", (1, 2, 5, 5)),
    ("BatchNorm2d(3, momentum=0.3)", (4, 3, 5, 5)),
    ("BatchNorm1d(4, affine=False)", (6, 4)),
    ("InstanceNorm2d(3, affine=True, track_running_stats=True)", (2, 3, 4, 4)),
    ("GroupNorm(2, 6)", (3, 6, 4)),
    ("LayerNorm((4, 5), eps=1e-3)", (2, 3, 4, 5)),
    ("RMSNorm(5)", (2, 3, 5)),
    ("LocalResponseNorm(3)", (2, 5, 4, 4)),
    ("ReflectionPad2d((1, 2, 0, 1))", (2, 3, 4, 4)),
    ("ReplicationPad1d(2)", (2, 3, 4)),
    ("CircularPad2d((2, 1, 1, 3))", (1, 2, 3, 4)),
    ("ConstantPad3d((1, 0, 2, 1, 0, 1), 1.5)", (1, 2, 2, 3, 2)),
    ("ZeroPad2d((-1, 1, 2, -1))", (1, 2, 4, 4)),
    ("PixelShuffle(2)", (1, 8, 3, 2)),
    ("PixelUnshuffle(2)", (1, 2, 4, 6)),
    ("Upsample(scale_factor=2, mode='nearest')", (1, 2, 3, 4)),
    ("Upsample(size=(5, 7), mode='bilinear', align_corners=True)", (1, 2, 3, 4)),
    ("Upsample(scale_factor=1.5, mode='bilinear')", (1, 2, 4, 4)),
    ("Upsample(size=7, mode='linear')", (1, 2, 4)),
    ("Upsample(scale_factor=1.7, mode='nearest-exact')", (1, 2, 4, 5)),
    ("Upsample(size=(3, 2), mode='area')", (1, 2, 7, 5)),
    ("Upsample(size=(6, 7), mode='bicubic')", (1, 2, 4, 5)),
    ("Upsample(scale_factor=2, mode='bicubic', align_corners=True)", (1, 2, 3, 3)),
    ("Flatten()", (2, 3, 4)),
    ("Unflatten(1, (2, 3))", (2, 6, 4)),
    ("Identity()", (2, 3)),
    ("Unfold(2, dilation=(1, 2), padding=1, stride=2)", (2, 3, 5, 6)),
    ("Fold((4, 5), 2, stride=1)", (2, 12, 12)),
    ("Fold(5, (2, 3), dilation=(2, 1), padding=1, stride=(2, 1))", (12, 15)),
]


def _pair(expr: str, training: bool):
    real.manual_seed(0)
    theirs = eval(f"real.nn.{expr}").train(training)
    ours = eval(f"torch.nn.{expr}").train(training)
    state = dict(theirs.named_parameters())
    state.update(theirs.named_buffers())
    mine = dict(ours.named_parameters())
    mine.update(ours.named_buffers())
    assert list(sorted(mine)) == list(sorted(state)), "state names as torch's"
    for name, value in state.items():
        assert mine[name].shape == tuple(value.shape) and mine[name]._value.dtype == value.detach().numpy().dtype
        mine[name]._value = value.detach().numpy().copy()
    return theirs, ours


@pytest.mark.parametrize("training", [False, True], ids=["eval", "train"])
@pytest.mark.parametrize("expr,shape", MODULES, ids=[m[0].split("(")[0] + f"-{i}" for i, m in enumerate(MODULES)])
def test_module_matches_eager_torch(expr, shape, training):
    theirs, ours = _pair(expr, training)
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    with real.no_grad():
        want = theirs(real.from_numpy(x.copy())).numpy()
    ep = export_and_lint(ours, (torch.from_numpy(x.copy()),))
    program = ep.module()
    got = program(torch.from_numpy(x.copy()))._value
    assert got.shape == want.shape and got.dtype == want.dtype
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
    for name, buffer in theirs.named_buffers():
        np.testing.assert_allclose(program.state[name], buffer.numpy(), rtol=1e-5, atol=1e-6, err_msg=name)


def test_batch_norm_training_records_the_counter_and_updates_running_stats():
    m = torch.nn.BatchNorm2d(3)
    ep = export_and_lint(m, (torch.randn(4, 3, 2, 2),))
    text = str(ep)
    assert "torch.ops.aten.add_.Tensor(b_num_batches_tracked, 1)" in text
    assert ("torch.ops.aten.batch_norm.default(input_1, p_weight, p_bias, b_running_mean, b_running_var, True, 0.1, "
            "1e-05, False)") in text
    assert [n.name for n in ep.graph.placeholders][:5] == ["p_weight", "p_bias", "b_num_batches_tracked",
                                                          "b_running_mean", "b_running_var"]
    m.eval()
    assert "b_num_batches_tracked" not in str(export_and_lint(m, (torch.randn(4, 3, 2, 2),)))


def test_functional_forms_record_torch_arguments():
    class M(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.randn(4, 3, 3, 3))

        def forward(self, x, idx):
            F = torch.nn.functional
            return (F.conv2d(x, self.w, None, 2), F.pad(x, (1, 1)), F.max_pool2d(x, 2, return_indices=True),
                    F.interpolate(x, size=(5, 7)), F.embedding(idx, x[0, 0], padding_idx=0), F.avg_pool2d(x, 2))

    ep = export_and_lint(M(), (torch.randn(1, 3, 6, 6), torch.tensor([1, 0])))
    text = str(ep)
    for call in ("aten.conv2d.default(x, p_w, None, [2, 2])", "aten.pad.default(x, [1, 1])",
                 "aten.max_pool2d_with_indices.default(x, [2, 2])", "aten.avg_pool2d.default(x, [2, 2])",
                 "aten.upsample_nearest2d.vec(x, [5, 7], None)", "aten.embedding.default(select_1, idx, 0)"):
        assert call in text, call


@pytest.mark.parametrize("expr,shape", [
    ("Conv2d(3, 4, 3, stride=2)", (2, 3, 7, 7)),
    ("ConvTranspose1d(3, 2, 3, stride=2)", (2, 3, 5)),
    ("MaxPool2d(2)", (2, 3, 6, 6)),
    ("AvgPool1d(3, 2, 1)", (2, 3, 8)),
    ("AdaptiveMaxPool2d(2)", (2, 3, 5, 5)),
    ("BatchNorm2d(3)", (2, 3, 4, 4)),
    ("GroupNorm(1, 3)", (2, 3, 4)),
    ("LayerNorm(4)", (2, 3, 4)),
    ("ReflectionPad2d(1)", (2, 3, 4, 4)),
    ("Embedding(10, 3)", None),
])
def test_symbolic_batch_size(expr, shape):
    batch = torch.export.Dim("batch", min=2)
    model = eval(f"torch.nn.{expr}").eval()
    x = torch.tensor([[1, 2, 3], [4, 5, 6]]) if shape is None else torch.randn(*shape)
    ep = export_and_lint(model, (x,), dynamic_shapes={"input": {0: batch}})
    assert "s0" in str(ep).split("Graph signature")[0].splitlines()[2]
    bigger = torch.tensor([[1, 2, 3]] * 5) if shape is None else torch.randn(5, *shape[1:])
    np.testing.assert_allclose(ep.module()(bigger)._value, model(bigger)._value, rtol=1e-5, atol=1e-6)


def test_module_state_semantics():
    class M(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = torch.nn.Conv1d(2, 2, 1)
            self.register_buffer("scratch", torch.ones(2), persistent=False)
            self.register_buffer("kept", torch.zeros(2))

        def forward(self, x):
            return self.conv(x) + self.scratch[:, None] + self.kept[:, None]

    m = M()
    assert list(m.state_dict()) == ["conv.weight", "conv.bias", "kept"]
    assert m.conv.weight.shape == (2, 2, 1) and m.conv.weight.dtype is torch.float32
    assert not m.eval().training and not m.conv.training and m.train().conv.training
    text = str(export_and_lint(m, (torch.randn(1, 2, 3),)))
    assert "p_conv_weight" in text and "b_scratch" in text and "b_kept" in text
    assert "target='scratch', persistent=False" in text


def test_lazy_conv_takes_in_channels_from_the_first_input():
    m = torch.nn.LazyConv2d(4, 3)
    assert m.weight is None
    m(torch.randn(1, 5, 6, 6))
    assert type(m) is torch.nn.Conv2d and m.weight.shape == (4, 5, 3, 3) and m.in_channels == 5
    assert "aten.conv2d.default(input_1, p_weight, p_bias)" in str(export_and_lint(m, (torch.randn(1, 5, 6, 6),)))


def test_buffer_assignment_registers_a_buffer():
    class M(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.scratch = torch.nn.Buffer(torch.ones(3), persistent=False)
            self.mean = torch.nn.Buffer(torch.zeros(3))

        def forward(self, x):
            return x + self.scratch + self.mean

    m = M()
    assert [n for n, _ in m.named_buffers()] == ["scratch", "mean"] and list(m.state_dict()) == ["mean"]
    text = str(export_and_lint(m, (torch.randn(3),)))
    assert "target='scratch', persistent=False" in text and "target='mean', persistent=True" in text


def test_bilinear_matches_eager_torch():
    theirs, ours = _pair("Bilinear(3, 4, 2)", False)
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((5, 3)).astype(np.float32), rng.standard_normal((5, 4)).astype(np.float32)
    ep = export_and_lint(ours, (torch.from_numpy(a), torch.from_numpy(b)))
    assert "aten.bilinear.default(input1, input2, p_weight, p_bias)" in str(ep)
    want = theirs(real.from_numpy(a), real.from_numpy(b)).detach().numpy()
    np.testing.assert_allclose(ep.module()(torch.from_numpy(a), torch.from_numpy(b))._value, want, rtol=1e-5,
                               atol=1e-6)


@pytest.mark.parametrize("expr,call", [
    ("EmbeddingBag(10, 3, mode='sum')", "bag(i, o)"),
    ("EmbeddingBag(10, 3)", "bag(i.view(2, 3))"),
    ("EmbeddingBag(10, 3, mode='max', padding_idx=2)", "bag(i, o)"),
    ("EmbeddingBag(10, 3, include_last_offset=True)", "bag(i, torch.tensor([0, 1, 6]))"),
    ("EmbeddingBag(10, 3, mode='sum')", "bag(i, o, per_sample_weights=w)"),
])
def test_embedding_bag_matches_eager_torch(expr, call):
    theirs, ours = _pair(expr, False)
    i, o, w = [1, 2, 3, 4, 2, 9], [0, 2, 2], [0.5, 1.0, 2.0, -1.0, 3.0, 0.25]

    def run(lib, bag):
        return eval(call, {"torch": lib, "bag": bag, "i": lib.tensor(i), "o": lib.tensor(o), "w": lib.tensor(w)})

    class M(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.bag = ours

        def forward(self, i, o, w):
            return eval(call, {"torch": torch, "bag": self.bag, "i": i, "o": o, "w": w})

    ep = export_and_lint(M(), (torch.tensor(i), torch.tensor(o), torch.tensor(w)))
    assert "aten.embedding_bag.padding_idx" in str(ep)
    got = ep.module()(torch.tensor(i), torch.tensor(o), torch.tensor(w))._value
    np.testing.assert_allclose(got, run(real, theirs).detach().numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("expr", ["LinearCrossEntropyLoss(5, 4)",
                                  "LinearCrossEntropyLoss(5, 3, out_features=(2,), bias=True, label_smoothing=0.1)"])
def test_linear_cross_entropy_loss_matches_eager_torch(expr):
    theirs, ours = _pair(expr, False)
    rng = np.random.default_rng(2)
    x = rng.standard_normal((6, 5)).astype(np.float32)
    target = rng.integers(0, 3, (6,) + ((2,) if "out_features" in expr else ())).astype(np.int64)
    ep = export_and_lint(ours, (torch.from_numpy(x), torch.from_numpy(target)))
    assert "aten.cross_entropy_loss.default" in str(ep) and "p_linear_weight" in str(ep)
    want = theirs(real.from_numpy(x), real.from_numpy(target)).detach().numpy()
    np.testing.assert_allclose(ep.module()(torch.from_numpy(x), torch.from_numpy(target))._value, want, rtol=1e-5)


@pytest.mark.parametrize("nd,shape,out", [(2, (2, 3, 9, 7), (4, 3)), (3, (1, 2, 7, 6, 5), (3, 2, 2))])
def test_fractional_max_pool_matches_eager_torch(nd, shape, out):
    rng = np.random.default_rng(3)
    x = rng.standard_normal(shape).astype(np.float32)
    samples = rng.random((shape[0], shape[1], nd)).astype(np.float32)
    name = f"FractionalMaxPool{nd}d"
    theirs = getattr(real.nn, name)(2, output_size=out, return_indices=True,
                                     _random_samples=real.from_numpy(samples))
    ours = getattr(torch.nn, name)(2, output_size=out, return_indices=True, _random_samples=torch.from_numpy(samples))
    want = theirs(real.from_numpy(x))
    ep = export_and_lint(ours, (torch.from_numpy(x),))
    assert f"aten.fractional_max_pool{nd}d.default(input_1, [2" in str(ep)
    got = ep.module()(torch.from_numpy(x))
    np.testing.assert_array_equal(got[0]._value, want[0].numpy())
    np.testing.assert_array_equal(got[1]._value, want[1].numpy())
