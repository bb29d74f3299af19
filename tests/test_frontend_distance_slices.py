"""Front-end calls the conformance harness writes: distance modules and the triplet loss over a distance
function, scalar clamp_min/clamp_max, and full slices (``t[:]`` records ``slice``; a full slice inside an
index tuple records nothing), each checked against eager PyTorch and the program torch.export 2.13 prints."""

from __future__ import annotations

import numpy as np
import pytest

from exporter_helpers import body, export_and_lint, targets, torch as ours


@pytest.fixture
def real():
    return pytest.importorskip("torch", reason="values are compared against eager PyTorch")


RNG = np.random.default_rng(3)
A, P, N = (RNG.standard_normal((4, 5)).astype(np.float32) for _ in range(3))


class _Triplet(ours.nn.Module):
    def __init__(self, **kwargs):
        super().__init__()
        self.loss = ours.nn.TripletMarginWithDistanceLoss(**kwargs)

    def forward(self, a, p, n):
        return self.loss(a, p, n)


def test_triplet_loss_over_a_pairwise_distance_module_records_torchs_steps(real):
    model = _Triplet(distance_function=ours.nn.PairwiseDistance(), swap=True)
    ep = export_and_lint(model, tuple(ours.from_numpy(x.copy()) for x in (A, P, N)))
    assert targets(ep.graph) == ["aten.pairwise_distance.default"] * 3 + [
        "aten.minimum.default", "aten.add.Tensor", "aten.sub.Tensor", "aten.clamp_min.default", "aten.mean.default"]
    assert "torch.ops.aten.clamp_min.default(sub, 0)" in str(ep)
    got = ep.module()(*(ours.from_numpy(x.copy()) for x in (A, P, N)))._value
    want = real.nn.functional.triplet_margin_with_distance_loss(
        *(real.from_numpy(x.copy()) for x in (A, P, N)), distance_function=real.nn.PairwiseDistance(), swap=True)
    np.testing.assert_allclose(got, want.numpy(), rtol=1e-5)


@pytest.mark.parametrize("kwargs", [{}, {"margin": 0.5, "reduction": "none"}, {"reduction": "sum"}])
def test_triplet_loss_with_the_default_distance_matches_eager(kwargs, real):
    mine = ours.nn.functional.triplet_margin_with_distance_loss(*(ours.from_numpy(x.copy()) for x in (A, P, N)),
                                                               **kwargs)
    theirs = real.nn.functional.triplet_margin_with_distance_loss(*(real.from_numpy(x.copy()) for x in (A, P, N)),
                                                                 **kwargs)
    np.testing.assert_allclose(mine._value, theirs.numpy(), rtol=1e-5)
    with pytest.raises(ValueError, match="greater than 0"):
        ours.nn.functional.triplet_margin_with_distance_loss(ours.from_numpy(A), ours.from_numpy(P),
                                                             ours.from_numpy(N), margin=0.0)


def test_cosine_similarity_module_and_scalar_clamps(real):
    mine = ours.nn.CosineSimilarity(dim=0)(ours.from_numpy(A), ours.from_numpy(P))._value
    theirs = real.nn.CosineSimilarity(dim=0)(real.from_numpy(A), real.from_numpy(P)).numpy()
    np.testing.assert_allclose(mine, theirs, rtol=1e-5)
    x = ours.from_numpy(A.copy())
    np.testing.assert_array_equal(x.clamp_min(0)._value, real.from_numpy(A).clamp_min(0).numpy())
    np.testing.assert_array_equal(x.clamp_max(0.5)._value, real.from_numpy(A).clamp_max(0.5).numpy())
    x.clamp_min_(0)
    assert (x._value >= 0).all()


class _Slices(ours.nn.Module):
    def forward(self, x):
        return x[:], x[:, :], x[:, 0:], x[:, :5], x[::1], x[:4], x[..., :], x[:, 1:]


def test_a_bare_slice_records_slice_and_a_full_slice_in_a_tuple_records_nothing():
    ep = export_and_lint(_Slices(), (ours.from_numpy(A.copy()),))
    calls = [line.split(" = ")[1].split(";")[0] for line in body(ep) if " = torch.ops" in line]
    assert calls == [
        "torch.ops.aten.slice.Tensor(x, 0, 0, 9223372036854775807)",
        "torch.ops.aten.alias.default(x)", "torch.ops.aten.alias.default(x)", "torch.ops.aten.alias.default(x)",
        "torch.ops.aten.slice.Tensor(x, 0, 0, 9223372036854775807)", "torch.ops.aten.slice.Tensor(x, 0, 0, 4)",
        "torch.ops.aten.alias.default(x)", "torch.ops.aten.slice.Tensor(x, 1, 1, 9223372036854775807)"]
