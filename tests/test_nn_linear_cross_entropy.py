"""LinearCrossEntropyLoss / F.linear_cross_entropy with LinearCrossEntropyOptions: the torch_nn chunked op
torch.export 2.13 records, its resolved arguments (checked against torch's own resolution), and values
against eager PyTorch."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from exporter_helpers import body, export_and_lint, torch as ours

real = pytest.importorskip("torch", reason="values are compared against eager PyTorch")

RNG = np.random.default_rng(5)
X = RNG.standard_normal((6, 4)).astype(np.float32)
T = np.array([0, 2, 1, -100, 5, 3], dtype=np.int64)


def _options(lib, **kwargs):
    return lib.nn.LinearCrossEntropyOptions(**kwargs)


@pytest.mark.parametrize("rows,classes,features", [(6, 6, 4), (1, 3, 5), (17, 40, 3), (64, 10, 10)])
@pytest.mark.parametrize("kwargs", [{}, {"batch_chunk_size": 2}, {"chunking_method": "aspect_ratio"},
                                    {"chunking_method": "aspect_ratio:4", "acc_policy": "accurate"},
                                    {"chunking_method": None, "acc_policy": "balanced"}])
def test_options_resolve_as_torch_resolves_them(rows, classes, features, kwargs):
    want = _options(real, **kwargs)._adjust(num_batches=rows, in_features=features, num_classes=classes,
                                             dtype=real.float32, device=real.device("cpu"))
    size, policy, acc_dtype = _options(ours, **kwargs).resolved(rows, features, classes, ours.float32)
    assert (size, policy, acc_dtype.name) == (want.batch_chunk_size, want.acc_policy, "float32")


def test_conflicting_chunk_size_and_method_fail():
    with pytest.raises(ValueError, match="pass only one"):
        _options(ours, batch_chunk_size=3, chunking_method="aspect_ratio").resolved(8, 4, 6, ours.float32)
    with pytest.raises(ValueError, match="acc_policy"):
        _options(ours, acc_policy="fast")


def _pair(reduction, options, bias=False):
    real.manual_seed(0)
    theirs = real.nn.LinearCrossEntropyLoss(4, 6, bias=bias, reduction=reduction, options=_options(real, **options))
    mine = ours.nn.LinearCrossEntropyLoss(4, 6, bias=bias, reduction=reduction, options=_options(ours, **options))
    mine.linear.weight._value = theirs.linear.weight.detach().numpy().copy()
    if bias:
        mine.linear.bias._value = theirs.linear.bias.detach().numpy().copy()
    return theirs, mine


@pytest.mark.parametrize("reduction,options,bias", [
    ("mean", {"allow_retain_graph": True, "batch_chunk_size": 2}, False),
    ("sum", {"chunking_method": "aspect_ratio:2"}, True),
    ("none", {}, True)])
def test_module_with_options_records_the_chunked_op(reduction, options, bias):
    theirs, mine = _pair(reduction, options, bias)
    ep = export_and_lint(mine, (ours.from_numpy(X.copy()), ours.from_numpy(T.copy())))
    mine_calls = [line for line in body(ep) if "torch_nn." in line]
    exported = real.export.export(theirs, (real.from_numpy(X.copy()), real.from_numpy(T.copy())), strict=True)
    torch_calls = [line.strip() for line in str(exported).splitlines() if "torch_nn." in line]
    assert mine_calls == torch_calls and len(mine_calls) == 1
    if reduction != "none":  # the loss, then the three precomputed gradients, each read by a getitem
        assert "'compact', torch.float32, True, False, True, " in mine_calls[0]
        assert [line.split(":")[0] for line in body(ep) if line.startswith("getitem")] == \
            ["getitem", "getitem_1", "getitem_2", "getitem_3"]
    got = ep.module()(ours.from_numpy(X.copy()), ours.from_numpy(T.copy()))._value
    with real.no_grad():
        want = theirs(real.from_numpy(X.copy()), real.from_numpy(T.copy())).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_functional_with_options_on_a_1d_input_unsqueezes_and_squeezes():
    w = RNG.standard_normal((6, 4)).astype(np.float32)
    for reduction, options in itertools.product(("mean", "none"), ({}, {"batch_chunk_size": 1})):
        got = ours.nn.functional.linear_cross_entropy(ours.from_numpy(X[0].copy()), ours.from_numpy(w),
                                                      ours.from_numpy(T[:1].reshape(()).copy()),
                                                      reduction=reduction, options=_options(ours, **options))
        want = real.nn.functional.linear_cross_entropy(real.from_numpy(X[0].copy()), real.from_numpy(w),
                                                       real.from_numpy(T[:1].reshape(()).copy()),
                                                       reduction=reduction, options=_options(real, **options))
        assert got._value.shape == tuple(want.shape)
        np.testing.assert_allclose(got._value, want.numpy(), rtol=1e-5)
