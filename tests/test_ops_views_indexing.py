"""View, shape, indexing and creation ops: values against eager PyTorch, recorded ATen names,
views that stay views, and the unbacked sizes of data-dependent ops.

``ours`` is exportdb's front end; ``real`` is the installed torch (the value tests
skip without it).  Each value test runs the same call on the same NumPy data in
both and compares.
"""

from __future__ import annotations

import numpy as np
import pytest

from exporter_helpers import Call, body, export_and_lint, targets, torch as ours

RNG = np.random.default_rng(1)
X = RNG.standard_normal((3, 4)).astype(np.float32)
X3 = RNG.standard_normal((2, 3, 4)).astype(np.float32)
IDX = np.array([[0, 3], [2, 2], [1, 0]])
ROWS = np.array([2, 0])
MASK = X > 0


def _run(lib, expr, *arrays):
    tensors = [lib.from_numpy(a.copy()) for a in arrays]
    out = expr(lib, *tensors)
    return out


def _values(out):
    if isinstance(out, (tuple, list)):
        return [_values(o) for o in out]
    return out._value if hasattr(out, "_value") else out.numpy()


CALLS = [
    ("flip", lambda t, x: t.flip(x, [0, 1]), (X,)),
    ("fliplr", lambda t, x: t.fliplr(x), (X,)),
    ("roll", lambda t, x: t.roll(x, 2), (X,)),
    ("roll_dims", lambda t, x: t.roll(x, (1, -1), (0, 1)), (X,)),
    ("rot90", lambda t, x: t.rot90(x, 3, [0, 1]), (X,)),
    ("repeat", lambda t, x: x.repeat(2, 1, 3), (X,)),
    ("tile", lambda t, x: t.tile(x, (2,)), (X,)),
    ("repeat_interleave", lambda t, x: t.repeat_interleave(x, 2, dim=1), (X,)),
    ("tril", lambda t, x: t.tril(x, -1), (X,)),
    ("triu", lambda t, x: x.triu(1), (X,)),
    ("diag", lambda t, x: t.diag(x, 1), (X,)),
    ("diag_vector", lambda t, x: t.diag(x[0], -1), (X,)),
    ("diagonal", lambda t, x: t.diagonal(x, offset=1, dim1=2, dim2=0), (X3,)),
    ("diag_embed", lambda t, x: t.diag_embed(x, offset=-1, dim1=0, dim2=2), (X,)),
    ("diagflat", lambda t, x: t.diagflat(x, 1), (X,)),
    ("trace", lambda t, x: t.trace(x), (X,)),
    ("unfold", lambda t, x: x.unfold(2, 2, 1), (X3,)),
    ("movedim", lambda t, x: t.movedim(x, (0, 2), (2, 0)), (X3,)),
    ("unflatten", lambda t, x: t.unflatten(x, 1, (2, -1)), (X,)),
    ("atleast_3d", lambda t, x: t.atleast_3d(x[0]), (X,)),
    ("hstack", lambda t, x: t.hstack([x, x]), (X,)),
    ("dstack", lambda t, x: t.dstack([x, x]), (X,)),
    ("column_stack", lambda t, x: t.column_stack([x[0], x[1]]), (X,)),
    ("tensor_split", lambda t, x: t.tensor_split(x, 3, dim=1), (X,)),
    ("tensor_split_indices", lambda t, x: t.tensor_split(x, [1, 5]), (X,)),
    ("hsplit", lambda t, x: t.hsplit(x, [1, 3]), (X,)),
    ("meshgrid", lambda t, x: t.meshgrid(x[0], x[1, :2], indexing="xy"), (X,)),
    ("broadcast_tensors", lambda t, x: t.broadcast_tensors(x, x[0]), (X,)),
    ("select_scatter", lambda t, x: t.select_scatter(x, x[:, 0], 1, 2), (X,)),
    ("slice_scatter", lambda t, x: t.slice_scatter(x, x[:, :2], 1, 1, 3), (X,)),
    ("diagonal_scatter", lambda t, x: t.diagonal_scatter(x, x[0, :3], 1), (X,)),
    ("gather", lambda t, x, i: t.gather(x, 1, i), (X, IDX)),
    ("scatter_src", lambda t, x, i: t.scatter(t.zeros(3, 4), 1, i, x), (X, IDX)),
    ("scatter_value_reduce", lambda t, x, i: t.zeros(3, 4).scatter(1, i, 2.0, reduce="add"), (X, IDX)),
    ("scatter_add", lambda t, x, i: t.scatter_add(t.zeros(3, 4), 1, i, x), (X, IDX)),
    ("scatter_reduce_amax", lambda t, x, i: t.scatter_reduce(t.ones(3, 4), 1, i, x, "amax", include_self=False),
     (X, IDX)),
    ("scatter_reduce_mean", lambda t, x, i: t.scatter_reduce(t.ones(3, 4), 1, i, x, "mean"), (X, IDX)),
    ("index_select", lambda t, x, r: t.index_select(x, 1, r), (X, ROWS)),
    ("index_add", lambda t, x, r: t.index_add(x, 0, r, x[:2], alpha=2), (X, ROWS)),
    ("index_copy", lambda t, x, r: t.index_copy(x, 1, r, x[:, :2]), (X, ROWS)),
    ("index_fill", lambda t, x, r: t.index_fill(x, 1, r, -1.5), (X, ROWS)),
    ("index_reduce", lambda t, x, r: t.index_reduce(x, 0, r, x[:2] * 3, "prod", include_self=False), (X, ROWS)),
    ("take", lambda t, x, i: t.take(x, i), (X, IDX)),
    ("take_along_dim", lambda t, x, i: t.take_along_dim(x, i, 1), (X, IDX)),
    ("put", lambda t, x, r: t.put(x, r, x[0, :2], True), (X, ROWS)),
    ("masked_scatter", lambda t, x, m: t.masked_scatter(x, m, x * 10), (X, MASK)),
    ("masked_select", lambda t, x, m: t.masked_select(x, m), (X, MASK)),
    ("nonzero", lambda t, x, m: t.nonzero(m), (X, MASK)),
    ("nonzero_tuple", lambda t, x, m: t.nonzero(m, as_tuple=True), (X, MASK)),
    ("argwhere", lambda t, x: t.argwhere(x > 0), (X,)),
    ("bool_mask_index", lambda t, x: x[x > 0], (X,)),
    ("linspace", lambda t, x: t.linspace(-2.0, 3, 7), (X,)),
    ("logspace", lambda t, x: t.logspace(0, 2, 5, base=2.0), (X,)),
    ("eye", lambda t, x: t.eye(3, 5), (X,)),
    ("scalar_tensor", lambda t, x: t.scalar_tensor(4), (X,)),
    ("tril_indices", lambda t, x: t.tril_indices(4, 3, 1), (X,)),
    ("arange_step", lambda t, x: t.arange(1, 2.5, 0.5), (X,)),
]


@pytest.mark.parametrize("name,expr,arrays", CALLS, ids=[c[0] for c in CALLS])
def test_values_match_eager_torch(name, expr, arrays):
    real = pytest.importorskip("torch", reason="values are compared against eager PyTorch")
    mine, theirs = _values(_run(ours, expr, *arrays)), _values(_run(real, expr, *arrays))
    if not isinstance(mine, list):
        mine, theirs = [mine], [theirs]
    assert len(mine) == len(theirs)
    for m, t in zip(mine, theirs):
        assert m.shape == t.shape and m.dtype == t.dtype, (m.shape, t.shape, m.dtype, t.dtype)
        np.testing.assert_allclose(m, t, rtol=1e-5, atol=1e-6)



RECORDED = [
    (lambda x: ours.diag_embed(x, offset=2), "aten.diag_embed.default", "diag_embed.default(x, 2)"),
    (lambda x: x.flip(0), "aten.flip.default", "flip.default(x, [0])"),
    (lambda x: ours.index_fill(x, 1, ours.tensor([0]), 2.0), "aten.index_fill.int_Scalar", ", 2.0)"),
    (lambda x: x.scatter(0, ours.tensor([[0, 1, 2, 0]]), x, reduce="multiply"), "aten.scatter.reduce",
     "reduce = 'multiply'"),
    (lambda x: ours.linalg.diagonal(x, offset=1), "aten.linalg_diagonal.default", "(x, offset = 1)"),
    (lambda x: ours.tensor_split(x, [1]), "aten.tensor_split.indices", "(x, [1])"),
    (lambda x: x.mT, "aten.mT.default", 'm_t: "f32[4, 3]"'),
    (lambda x: ours.arange(0, 3, 2), "aten.arange.start_step", "arange.start_step(0, 3, 2"),
]


@pytest.mark.parametrize("fn,target,text", RECORDED, ids=[r[1] for r in RECORDED])
def test_recorded_overload_and_arguments(fn, target, text):
    ep = export_and_lint(Call(fn), (ours.from_numpy(X.copy()),))
    assert target in targets(ep.graph)
    assert any(text in line for line in body(ep)), body(ep)


def test_diagonal_is_a_view_of_its_base():
    x = ours.zeros(3, 3)
    x.diagonal().fill_(2.0)
    x.unfold(1, 2, 1)[0, 0].fill_(5.0)
    np.testing.assert_array_equal(x._value, [[5, 5, 0], [0, 2, 0], [0, 0, 2]])


def test_movedim_and_tensor_split_are_views_copies_are_not():
    x = ours.zeros(2, 3)
    ours.movedim(x, 0, 1)[2, 1].fill_(1.0)
    ours.tensor_split(x, 3, dim=1)[0].fill_(7.0)
    ours.permute_copy(x, [1, 0]).fill_(9.0)
    np.testing.assert_array_equal(x._value, [[7, 0, 0], [7, 0, 1]])


def test_nonzero_records_an_unbacked_size_with_run_time_bounds():
    ep = export_and_lint(Call(lambda x: ours.nonzero(x > 0)), (ours.from_numpy(X.copy()),))
    text = "\n".join(body(ep))
    assert 'nonzero: "i64[u0, 2]"' in text
    assert "Runtime assertion failed for expression u0 >= 0" in text
    assert "Runtime assertion failed for expression u0 <= 12" in text
    assert "u0: VR[0, 12]" in str(ep)
    other = RNG.standard_normal((3, 4)).astype(np.float32)
    out = ep.module()(ours.from_numpy(other))
    assert out.shape == (int((other > 0).sum()), 2)


def test_masked_select_result_feeds_later_ops():
    ep = export_and_lint(Call(lambda x: ours.masked_select(x, x > 0).sum()), (ours.from_numpy(X.copy()),))
    assert "aten.masked_select.default" in targets(ep.graph)
    np.testing.assert_allclose(ep.module()(ours.from_numpy(X.copy()))._value, X[MASK].sum(), rtol=1e-6)


def test_in_place_scatter_add_counts_repeated_ids():
    ids = ours.tensor([0, 3, 3, 1, 3])
    counts = ours.zeros(4, dtype=ours.int64).scatter_add_(0, ids, ours.ones_like(ids))
    np.testing.assert_array_equal(counts._value, [1, 1, 0, 3])


def test_int_arguments_specialise_a_symbolic_size_as_torch_does():
    from exportdb.errors import ConstraintViolationError

    class Spaced(ours.nn.Module):
        def forward(self, x):
            return ours.linspace(0, 1, x.shape[0])

    rows = ours.export.Dim("rows", min=2, max=16)
    with pytest.raises(ConstraintViolationError, match="specializes it to the constant 3"):
        export_and_lint(Spaced(), (ours.from_numpy(X.copy()),), dynamic_shapes={"x": {0: rows}})


def test_triangles_and_gathers_keep_symbolic_sizes():
    class Causal(ours.nn.Module):
        def forward(self, x):
            n = x.shape[0]
            mask = ours.triu(ours.ones(n, n, dtype=ours.bool), diagonal=1)
            return x.masked_fill(mask, 0.0).diagonal(offset=1), ours.eye(n)

    rows = ours.export.Dim("rows", min=2, max=16)
    ep = export_and_lint(Causal(), (ours.from_numpy(RNG.standard_normal((4, 4)).astype(np.float32)),),
                         dynamic_shapes={"x": {0: rows, 1: rows}})
    text = "\n".join(body(ep))
    assert 'diagonal: "f32[s0 - 1]"' in text and 'eye: "f32[s0, s0]"' in text
