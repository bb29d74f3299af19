"""Reductions, scans, sorting and statistics: values against eager PyTorch, recorded ATen calls.

``ours`` is exportdb's front end; ``real`` is the installed torch (the value tests
skip without it).  Each value test runs one call, written once as a function of
the ``torch`` namespace and the input tensors, on the same NumPy data in both.
The export tests check the node torch.export 2.13 records for the call.
"""

from __future__ import annotations

import numpy as np
import pytest

from exporter_helpers import Call, body, export_and_lint, targets, torch as ours

from exportdb.errors import ExportError

RNG = np.random.default_rng(7)
X = RNG.standard_normal((4, 5)).astype(np.float32)
Y = RNG.standard_normal((3, 5)).astype(np.float32)
T3 = RNG.standard_normal((2, 3, 4)).astype(np.float32)
WITH_NAN = X.copy()
WITH_NAN[1, 2] = np.nan
TIES = np.array([[3, 1, 3, 2, 1], [0, 0, 5, 5, 5]], np.float32)
INTS = np.array([[4, -2, 0, 7], [1, 1, 9, -3]], np.int64)
SORTED = np.sort(RNG.standard_normal(6).astype(np.float32))

CALLS = [
    ("nansum", lambda t, x: t.nansum(x, 1), [WITH_NAN]),
    ("nanmean", lambda t, x: t.nanmean(x, dim=0, keepdim=True), [WITH_NAN]),
    ("aminmax", lambda t, x: t.aminmax(x, dim=1), [X]),
    ("count_nonzero", lambda t, x: t.count_nonzero(x, dim=(0, 1)), [INTS]),
    ("logsumexp", lambda t, x: t.logsumexp(x, 1), [X]),
    ("any-dims", lambda t, x: t.any(x > 1, dim=(0, 1)), [X]),
    ("std-correction", lambda t, x: t.std(x, dim=1, correction=0), [X]),
    ("var-unbiased", lambda t, x: t.var(x, 0, False, True), [X]),
    ("std_mean", lambda t, x: t.std_mean(x, dim=0), [X]),
    ("var_mean", lambda t, x: t.var_mean(x), [X]),
    ("median", lambda t, x: t.median(x, dim=1), [TIES]),
    ("median-nan", lambda t, x: t.median(x), [WITH_NAN]),
    ("nanmedian", lambda t, x: t.nanmedian(x, 1), [WITH_NAN]),
    ("mode", lambda t, x: t.mode(x, 1), [TIES]),
    ("kthvalue", lambda t, x: t.kthvalue(x, 2, 0, True), [X]),
    ("quantile", lambda t, x: t.quantile(x, 0.3, dim=1, interpolation="midpoint"), [X]),
    ("nanquantile", lambda t, x: t.nanquantile(x, 0.75), [WITH_NAN]),
    ("cumsum-int", lambda t, x: t.cumsum(x, 1), [INTS]),
    ("cumprod-dtype", lambda t, x: t.cumprod(x, 0, dtype=t.float64), [X]),
    ("cummax", lambda t, x: t.cummax(x, 1), [TIES]),
    ("cummin-nan", lambda t, x: t.cummin(x, 1), [WITH_NAN]),
    ("logcumsumexp", lambda t, x: t.logcumsumexp(x, 0), [X]),
    ("diff-append", lambda t, x, y: t.diff(x, 2, 0, append=y), [X, Y]),
    ("trapezoid-x", lambda t, y, x: t.trapezoid(y, x), [X, X[0].copy()]),
    ("cumulative_trapezoid", lambda t, x: t.cumulative_trapezoid(x, dx=0.5, dim=0), [X]),
    ("sort-descending-stable", lambda t, x: t.sort(x, dim=1, descending=True, stable=True), [TIES]),
    ("sort-nan", lambda t, x: t.sort(x, 1), [WITH_NAN]),
    ("argsort", lambda t, x: t.argsort(x, 0, True), [TIES]),
    ("msort", lambda t, x: t.msort(x), [X]),
    ("topk-smallest", lambda t, x: t.topk(x, 2, largest=False), [X]),
    ("searchsorted", lambda t, s, x: t.searchsorted(s, x, right=True), [SORTED, X]),
    ("bucketize", lambda t, x, s: t.bucketize(x, s, out_int32=True), [X, SORTED]),
    ("histc", lambda t, x: t.histc(x, bins=4, min=-1, max=1), [X]),
    ("bincount-weights", lambda t, x, w: t.bincount(x, w, minlength=12), [INTS[INTS >= 0].copy(), X.reshape(-1)[:6].copy()]),
    ("unique", lambda t, x: t.unique(x, return_inverse=True, return_counts=True), [TIES]),
    ("unique-dim", lambda t, x: t.unique(x, dim=1, return_counts=True), [TIES]),
    ("unique_consecutive", lambda t, x: t.unique_consecutive(x, return_inverse=True, return_counts=True), [TIES]),
    ("norm-fro", lambda t, x: t.norm(x), [X]),
    ("norm-nuc", lambda t, x: t.norm(x, "nuc"), [X]),
    ("norm-inf-dim", lambda t, x: t.norm(x, float("inf"), 1, True), [X]),
    ("vector_norm", lambda t, x: t.linalg.vector_norm(x, 3.5, dim=(0, 2)), [T3]),
    ("matrix_norm", lambda t, x: t.linalg.matrix_norm(x, -2), [T3]),
    ("linalg-norm", lambda t, x: t.linalg.norm(x, 1), [X]),
    ("dist", lambda t, x, y: t.dist(x, y[0], 3), [X, Y]),
    ("renorm", lambda t, x: t.renorm(x, 2, 0, 1.5), [X]),
    ("cdist", lambda t, x, y: t.cdist(x, y, p=1.0), [X, Y]),
    ("pdist", lambda t, x: t.nn.functional.pdist(x), [X]),
    ("cosine_similarity", lambda t, x, y: t.nn.functional.cosine_similarity(x, y[:1], dim=1), [X, Y]),
    ("pairwise_distance", lambda t, x, y: t.nn.functional.pairwise_distance(x[:3], y, keepdim=True), [X, Y]),
    ("normalize", lambda t, x: t.nn.functional.normalize(x, p=1.0, dim=0), [X]),
]


def _leaves(value):
    if isinstance(value, (tuple, list)):
        return [leaf for v in value for leaf in _leaves(v)]
    return [value]


@pytest.mark.parametrize("name,fn,arrays", CALLS, ids=[c[0] for c in CALLS])
def test_values_match_eager_torch(name, fn, arrays):
    real = pytest.importorskip("torch", reason="values are compared against eager PyTorch")
    mine = _leaves(fn(ours, *(ours.from_numpy(a.copy()) for a in arrays)))
    theirs = _leaves(fn(real, *(real.from_numpy(a.copy()) for a in arrays)))
    assert len(mine) == len(theirs)
    for m, t in zip(mine, theirs):
        expected = t.numpy()
        assert m._value.dtype == expected.dtype and m._value.shape == expected.shape
        np.testing.assert_allclose(m._value, expected, rtol=1e-5, atol=1e-6, equal_nan=True)



RECORDED = [
    (lambda x: x.std(), "std: \"f32[]\" = torch.ops.aten.std.correction(x)"),
    (lambda x: x.std(1), "std: \"f32[4]\" = torch.ops.aten.std.dim(x, [1])"),
    (lambda x: x.var(True), "var: \"f32[]\" = torch.ops.aten.var.default(x)"),
    (lambda x: x.var(0, keepdim=True), "var: \"f32[1, 5]\" = torch.ops.aten.var.dim(x, [0], True, True)"),
    (lambda x: ours.var_mean(x, 1, correction=2), "var_mean = torch.ops.aten.var_mean.correction(x, [1], correction = 2)"),
    (lambda x: x.cumsum(-1), "cumsum: \"f32[4, 5]\" = torch.ops.aten.cumsum.default(x, -1)"),
    (lambda x: x.sort(stable=True, descending=True), "sort = torch.ops.aten.sort.stable(x, stable = True, descending = True)"),
    (lambda x: x.topk(2, dim=0, largest=False), "topk = torch.ops.aten.topk.default(x, 2, 0, False)"),
    (lambda x: x.kthvalue(2, -1), "kthvalue = torch.ops.aten.kthvalue.default(x, 2)"),
    (lambda x: x.quantile(0.5, 0, interpolation="lower"),
     "quantile: \"f32[5]\" = torch.ops.aten.quantile.scalar(x, 0.5, 0, interpolation = 'lower')"),
    (lambda x: x.norm(2, 1), "linalg_vector_norm: \"f32[4]\" = torch.ops.aten.linalg_vector_norm.default(x, 2, [1])"),
    (lambda x: ours.linalg.matrix_norm(x), "linalg_matrix_norm: \"f32[]\" = torch.ops.aten.linalg_matrix_norm.str_ord(x)"),
    (lambda x: ours.cdist(x, x, compute_mode="use_mm_for_euclid_dist"),
     "cdist: \"f32[4, 4]\" = torch.ops.aten.cdist.default(x, x, 2.0, 1)"),
    (lambda x: x.aminmax(dim=1), "aminmax = torch.ops.aten.aminmax.default(x, dim = 1)"),
    (lambda x: x.any(dim=(0, 1)), "any_1: \"b8[]\" = torch.ops.aten.any.dims(x, [0, 1])"),
]


@pytest.mark.parametrize("fn,line", RECORDED, ids=[r[1].split("(")[0].split(".")[-1] + str(i)
                                                  for i, r in enumerate(RECORDED)])
def test_records_the_node_torch_export_records(fn, line):
    ep = export_and_lint(Call(fn), (ours.from_numpy(X.copy()),))
    assert any(text.startswith(line) for text in body(ep)), body(ep)


def test_normalize_records_torchs_decomposition():
    ep = export_and_lint(Call(lambda x: ours.nn.functional.normalize(x)), (ours.from_numpy(X.copy()),))
    assert targets(ep.graph) == ["aten.linalg_vector_norm.default", "aten.clamp_min.default",
                                 "aten.expand_as.default", "aten.div.Tensor"]


def test_multi_output_ops_unpack_with_getitem_and_run():
    def fn(x):
        values, indices = x.cummax(1)
        return x.sort(0).values, values, indices

    model = Call(fn)
    x = ours.from_numpy(TIES.copy())
    ep = export_and_lint(model, (x,))
    assert targets(ep.graph) == ["aten.cummax.default", "getitem", "getitem", "aten.sort.default", "getitem",
                                 "getitem"]
    for got, want in zip(ep.module()(x), model(x)):
        np.testing.assert_array_equal(got._value, want._value)


def test_dynamic_sizes_flow_through_scans_sorts_and_reductions():
    from exportdb.exporter.frontend.export_api import Dim

    model = Call(lambda x: (x.cumsum(0), x.topk(2, dim=1).values, x.std(dim=0), ours.nn.functional.pdist(x)))
    ep = export_and_lint(model, (ours.from_numpy(X.copy()),), dynamic_shapes=({0: Dim("n")},))
    text = str(ep)
    for annotation in ('cumsum: "f32[s0, 5]"', 'getitem: "f32[s0, 2]"', 'std: "f32[5]"',
                       'pdist: "f32[((s0*(s0 - 1))//2)]"'):
        assert annotation in text


def test_kernel_errors_name_the_op():
    with pytest.raises(ExportError, match="aten.topk.default: selected index k out of range"):
        ours.from_numpy(X.copy()).topk(9)


def test_unique_gives_its_length_an_unbacked_size():
    model = Call(lambda x: ours.unique(x, return_counts=True))
    x = ours.from_numpy(TIES.copy())
    ep = export_and_lint(model, (x,))
    text = str(ep)
    assert '_unique2 = torch.ops.aten._unique2.default(x, True, False, True)' in text
    assert 'getitem: "f32[u0]" = _unique2[0]' in text and 'getitem_2: "i64[u0]" = _unique2[2]' in text
    assert "Runtime assertion failed for expression u0 <= 10" in text
    assert "Range constraints: {u0: VR[0, 10], u1: VR[0, 10]}" in text
    for got, want in zip(ep.module()(x), model(x)):
        np.testing.assert_array_equal(got._value, want._value)


def test_bincount_length_is_at_least_minlength():
    ep = export_and_lint(Call(lambda x: x.bincount(minlength=9)), (ours.from_numpy(INTS[INTS >= 0].copy()),))
    assert "Runtime assertion failed for expression u0 >= 9" in str(ep)
