"""F.one_hot and torch.unravel_index: the nodes torch.export 2.13 records, values against eager PyTorch,
and torch's errors."""

from __future__ import annotations

import numpy as np
import pytest

from exporter_helpers import body, export_and_lint, torch as ours

real = pytest.importorskip("torch", reason="values are compared against eager PyTorch")

IDX = np.array([[0, 3], [7, 19]], dtype=np.int64)


class _OneHot(ours.nn.Module):
    def forward(self, x):
        return ours.nn.functional.one_hot(x, num_classes=20)


def test_one_hot_records_one_node_and_matches_eager():
    ep = export_and_lint(_OneHot(), (ours.from_numpy(IDX.copy()),))
    assert body(ep)[0] == 'one_hot: "i64[2, 2, 20]" = torch.ops.aten.one_hot.default(x, 20);  x = None'
    got = ep.module()(ours.from_numpy(IDX.copy()))._value
    np.testing.assert_array_equal(got, real.nn.functional.one_hot(real.from_numpy(IDX.copy()), 20).numpy())
    eager = ours.nn.functional.one_hot(ours.from_numpy(IDX.copy()))._value  # num_classes from the values
    np.testing.assert_array_equal(eager, real.nn.functional.one_hot(real.from_numpy(IDX.copy())).numpy())


def test_one_hot_errors():
    from exportdb.errors import DataDependentValueError

    class Inferred(ours.nn.Module):
        def forward(self, x):
            return ours.nn.functional.one_hot(x)

    with pytest.raises(DataDependentValueError):
        export_and_lint(Inferred(), (ours.from_numpy(IDX.copy()),))
    with pytest.raises(Exception, match="smaller than num_classes"):
        ours.nn.functional.one_hot(ours.from_numpy(IDX.copy()), 5)
    with pytest.raises(RuntimeError, match="LongTensor"):
        ours.nn.functional.one_hot(ours.ones(3))


class _Unravel(ours.nn.Module):
    def __init__(self, shape):
        super().__init__()
        self.shape = shape

    def forward(self, x):
        return ours.unravel_index(x, self.shape)


@pytest.mark.parametrize("shape", [(4, 5), 20, (2, 2, 5), ()])
def test_unravel_index_records_torchs_steps_and_matches_eager(shape):
    ep = export_and_lint(_Unravel(shape), (ours.from_numpy(IDX.copy()),))
    lines = body(ep)
    assert [line.split(" = ")[1].split("(")[0] for line in lines if " = torch.ops" in line][:6] == [
        "torch.ops.aten.unsqueeze.default", "torch.ops.aten.lift_fresh_copy.default", "torch.ops.aten.detach_.default",
        "torch.ops.aten.floor_divide.default", "torch.ops.aten.lift_fresh_copy.default",
        "torch.ops.aten.detach_.default"]
    got = [t._value for t in ep.module()(ours.from_numpy(IDX.copy()))]
    want = [t.numpy() for t in real.unravel_index(real.from_numpy(IDX.copy()), shape)]
    assert len(got) == len(want)
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g, w)


def test_unravel_index_errors():
    with pytest.raises(TypeError, match="integer dtype"):
        ours.unravel_index(ours.ones(2), (2, 3))
    with pytest.raises(ValueError, match="negative"):
        ours.unravel_index(ours.from_numpy(IDX.copy()), (4, -5))


class _Embed(ours.nn.Module):
    def __init__(self, bag: bool, **kwargs):
        super().__init__()
        self.bag, self.kwargs = bag, kwargs

    def forward(self, w, i, o):
        if self.bag:
            return ours.nn.functional.embedding_bag(i, w, o, **self.kwargs)
        return ours.nn.functional.embedding(i, w, **self.kwargs)


W = np.random.default_rng(4).standard_normal((5, 3)).astype(np.float32) * 3
I = np.array([1, 4, 4, 0, 2], dtype=np.int64)
O = np.array([0, 2, 4], dtype=np.int64)


@pytest.mark.parametrize("bag,kwargs", [(False, {"max_norm": 1.0}), (True, {"max_norm": 1.5, "norm_type": 1.0}),
                                        (True, {"padding_idx": -1, "mode": "sum"}),
                                        (True, {"include_last_offset": True, "mode": "mean"})])
def test_embedding_programs_match_torch_export_and_eager(bag, kwargs):
    args = (W, I, np.array([0, 2, 5]) if kwargs.get("include_last_offset") else O)
    ep = export_and_lint(_Embed(bag, **kwargs), tuple(ours.from_numpy(a.copy()) for a in args))

    class Theirs(real.nn.Module):
        def forward(self, w, i, o):
            if bag:
                return real.nn.functional.embedding_bag(i, w, o, **kwargs)
            return real.nn.functional.embedding(i, w, **kwargs)

    exported = real.export.export(Theirs(), tuple(real.from_numpy(a.copy()) for a in args), strict=True)
    theirs = [line.strip() for line in str(exported).splitlines() if " = torch.ops" in line or "getitem" in line
              and " = " in line and not line.strip().startswith("#")]
    assert body(ep)[:len(theirs)] == theirs
    got = ep.module()(*(ours.from_numpy(a.copy()) for a in args))._value
    want = Theirs()(*(real.from_numpy(a.copy()) for a in args)).numpy()  # renormalises its own copy of w
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
