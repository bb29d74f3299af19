"""Assorted ops (random draws, set tests, gradient, histograms, segment reductions, native norms,
unpooling, grid sampling, ...): the printed
program against torch.export's, and the values against eager PyTorch."""

from __future__ import annotations

import re

import numpy as np
import pytest

from exporter_helpers import body, export_and_lint, torch

real = pytest.importorskip("torch")


def _model(module: object, expression: str, count: int) -> object:
    """A model of ``module`` (our front end or real torch) whose forward returns ``expression``
    over its inputs ``a, b, c, ...``."""
    params = ", ".join("abcdefg"[:count])
    namespace: dict = {"torch": module}
    exec(f"class M(torch.nn.Module):\n    def forward(self, {params}):\n        return {expression}\n", namespace)
    return namespace["M"]()


def _code(ep: object) -> list[str]:
    """The forward body without torch's ``# File:`` source comments; the built-in engine numbers
    the ``sym_size`` node of an unbacked size ``sym_size_int_1`` (as for nonzero), which
    ``exportdb compare`` takes for the same node, so the number is dropped."""
    return [re.sub(r"sym_size_int_\d+", "sym_size_int", line) for line in body(ep) if not line.startswith("#")]


def _structurally_equal(ours: object, theirs: object) -> bool:
    """What ``exportdb compare`` decides (node names positional, symbols renamed in order of use)."""
    from exportdb.engines import EngineResult
    from exportdb.tools.compare import compare_results

    text = "\n".join(line for line in str(theirs).splitlines() if not line.strip().startswith("# File:"))
    comparison = compare_results(EngineResult("builtin", True, str(ours)), EngineResult("torch", True, text))
    return comparison.classification == "agree"


def check(expression: str, *arrays: np.ndarray, random: bool = False, rtol: float = 1e-5,
          structural: bool = False) -> list[str]:
    """Export ``expression`` with both engines: the graph bodies must be the same (or, ``structural``,
    agree as ``exportdb compare`` decides), and the values of ``ep.module()`` those of eager torch
    (only shapes and dtypes when ``random``)."""
    ours = export_and_lint(_model(torch, expression, len(arrays)), tuple(torch.from_numpy(a.copy()) for a in arrays))
    theirs = real.export.export(_model(real, expression, len(arrays)),
                                tuple(real.from_numpy(a.copy()) for a in arrays), strict=True)
    if structural:
        assert _structurally_equal(ours, theirs), f"{ours}\n{theirs}"
    else:
        assert _code(ours) == _code(theirs)
    got = ours.module()(*(torch.from_numpy(a.copy()) for a in arrays))
    with real.no_grad():
        want = _model(real, expression, len(arrays))(*(real.from_numpy(a.copy()) for a in arrays))
    got = got if isinstance(got, tuple) else (got,)
    want = tuple(want) if isinstance(want, (tuple, list)) else (want,)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert tuple(g.shape) == tuple(w.shape) and g.dtype.name == str(w.dtype).removeprefix("torch.")
        if not random:
            np.testing.assert_allclose(g._value, w.numpy(), rtol=rtol, atol=1e-5)  # the float32 default
    return _code(ours)


RNG = np.random.default_rng(5)


def floats(*shape: int) -> np.ndarray:
    return RNG.standard_normal(shape).astype(np.float32)


@pytest.mark.parametrize("expression,shapes", [
    ("torch.randint(3, 9, (2, 3))", []),
    ("torch.randint(5, size=(4,), dtype=torch.float64)", []),
    ("torch.randint_like(a, 10)", [(2, 3)]),
    ("torch.randint_like(a, 2, 10, dtype=torch.float64)", [(3,)]),
    ("torch.multinomial(a.abs() + 0.1, 2)", [(3, 4)]),
    ("torch.normal(a, 1.5)", [(2, 3)]),
    ("torch.normal(a, b.abs())", [(1, 3), (2, 3)]),
    ("torch.bernoulli(a.sigmoid())", [(2, 3)]),
])
def test_random_ops_record_torch_programs(expression, shapes):
    check(expression, *(floats(*s) for s in shapes), random=True)


def test_randint_values_lie_in_the_bounds():
    torch.manual_seed(0)
    x = torch.randint(3, 9, (200,))
    assert x.dtype is torch.int64 and 3 <= int(x.min()) and int(x.max()) <= 8
    assert set(torch.multinomial(torch.tensor([0.0, 1.0, 1.0]), 2).tolist()) == {1, 2}


@pytest.mark.parametrize("expression,arrays", [
    ("torch.igamma(a.abs(), b.abs())", [floats(3, 4), floats(4)]),
    ("torch.igammac(a.abs(), b.abs())", [floats(3, 4), floats(3, 1)]),
    ("torch.frexp(a)", [floats(5)]),
    ("torch.isin(a, b)", [np.array([1.0, 2.0, 3.0, 2.0], np.float32), np.array([2.0, 7.0], np.float32)]),
    ("torch.fill(a, 2.5)", [floats(2, 3)]),
    ("torch.constant_pad_nd(a, (1, -1, 2, 0), 1.5)", [floats(2, 3, 4)]),
    ("a.sum_to_size(3, 1)", [floats(2, 3, 4)]),
    ("torch.nn.functional.channel_shuffle(a, 2)", [floats(2, 4, 3, 3)]),
    ("torch.nonzero_static(a > 0, size=4)", [floats(3, 3)]),
    ("torch.nonzero_static(a > 0, size=12, fill_value=-3)", [floats(3, 3)]),
    ("torch.gradient(a)", [floats(4, 5)]),
    ("torch.gradient(a, spacing=[2.0, 0.5], dim=(0, 1), edge_order=2)", [floats(4, 5, 3)]),
    ("torch.gradient(a, spacing=[b, c], dim=(0, -1))", [floats(3, 4), np.array([0.0, 1.0, 3.0], np.float32),
                                                        np.array([0.0, 0.5, 2.0, 2.5], np.float32)]),
    ("torch.gradient(a, spacing=3.0, dim=1)", [floats(3, 4)]),
    ("torch.histogram(a, 4)", [floats(3, 5)]),
    ("torch.histogram(a, 3, range=(-1.0, 1.0), weight=b.abs(), density=True)", [floats(10), floats(10)]),
    ("torch.histogram(a, b)", [floats(7), np.array([-1.0, 0.0, 0.5, 2.0], np.float32)]),
    ("torch.segment_reduce(a, 'mean', lengths=b, initial=2)", [floats(6, 2), np.array([2, 0, 3, 1])]),
    ("torch.segment_reduce(a, 'max', lengths=b, axis=1)", [floats(2, 5, 3), np.array([[2, 0, 3], [1, 1, 3]])]),
    ("torch.segment_reduce(a, 'prod', offsets=b, unsafe=True)", [floats(5), np.array([0, 2, 2, 5])]),
    ("torch.hash_tensor(a)", [floats(3, 4)]),
    ("torch.hash_tensor(a, dim=(0, -1), keepdim=True)", [floats(3, 2, 4)]),
    ("a.hash_tensor(1)", [np.arange(12).reshape(3, 4)]),
])
def test_value_ops_match_torch(expression, arrays):
    check(expression, *arrays)


@pytest.mark.parametrize("n", [2, 4])
def test_combinations_get_an_unbacked_length(n):
    lines = check("torch.combinations(a, r=1)", floats(n))
    assert any("u0 >= 0" in line for line in lines)
    assert any("u0 <= 4" in line for line in lines) == (n == 4)


def test_combinations_values():
    x = torch.tensor([1.0, 2.0, 3.0])
    assert torch.combinations(x).tolist() == [[1.0, 2.0], [1.0, 3.0], [2.0, 3.0]]
    assert torch.combinations(x, 2, with_replacement=True).shape == (6, 2)


@pytest.mark.parametrize("expression,arrays", [
    ("torch.native_group_norm(a, b, c, 2, 6, 3, 3, 1e-5)", [floats(2, 6, 3), floats(6), floats(6)]),
    ("torch.native_group_norm(a, None, None, 0, 2, 1, 1, 1e-5)", [floats(0, 2)]),
    ("torch.native_layer_norm(a, (3, 4), b, None, 1e-5)", [floats(2, 3, 4), floats(3, 4)]),
    ("torch.native_batch_norm(a, b, c, d, e, True, 0.1, 1e-5)",
     [floats(4, 3, 5), floats(3), floats(3), floats(3), np.ones(3, np.float32)]),
    ("torch.native_batch_norm(a, None, None, b, c, False, 0.1, 1e-5)",
     [floats(4, 3), floats(3), np.ones(3, np.float32)]),
    ("torch.nn.functional.group_norm(a, 2)", [floats(0, 4, 3)]),
])
def test_native_norms_match_torch(expression, arrays):
    check(expression, *arrays, rtol=1e-4)


def _pooled(nd: int, shape: tuple) -> tuple[np.ndarray, np.ndarray]:
    x = real.from_numpy(floats(*shape))
    out, indices = getattr(real.nn.functional, f"max_pool{nd}d")(x, 2, return_indices=True)
    return out.numpy(), indices.numpy()


@pytest.mark.parametrize("nd,shape,call", [
    (1, (2, 3, 8), "torch.nn.functional.max_unpool1d(a, b, 2)"),
    (2, (2, 3, 6, 4), "torch.nn.functional.max_unpool2d(a, b, 2, output_size=(7, 5))"),
    (3, (1, 2, 4, 4, 6), "torch.nn.functional.max_unpool3d(a, b, 2, stride=2)"),
])
def test_max_unpool_matches_torch(nd, shape, call):
    check(call, *_pooled(nd, shape))


def test_max_unpool_module_and_bad_index():
    x, indices = _pooled(2, (1, 1, 4, 4))
    ours = torch.nn.MaxUnpool2d(2)(torch.from_numpy(x), torch.from_numpy(indices))
    want = real.nn.MaxUnpool2d(2)(real.from_numpy(x), real.from_numpy(indices))
    np.testing.assert_array_equal(ours._value, want.numpy())
    with pytest.raises(Exception, match="invalid max index"):
        torch.nn.functional.max_unpool2d(torch.from_numpy(x), torch.from_numpy(indices + 100), 2)


def test_fractional_max_pool_draws_its_samples():
    lines = check("torch.nn.functional.fractional_max_pool2d(a, 2, output_size=3)", floats(2, 3, 7, 7), random=True)
    assert lines[0].startswith('rand: "f32[2, 3, 2]" = torch.ops.aten.rand.default([2, 3, 2], dtype = torch.float32')


def test_multilabel_margin_loss_of_a_scalar():
    check("torch.nn.functional.multilabel_margin_loss(a, b)", np.array(0.5, np.float32), np.array(0, np.int64))


@pytest.mark.parametrize("mode", ["bilinear", "nearest", "bicubic"])
@pytest.mark.parametrize("padding_mode,align_corners", [("zeros", False), ("border", True), ("reflection", False),
                                                        ("reflection", True)])
def test_grid_sample_matches_torch(mode, padding_mode, align_corners):
    grid = (RNG.random((2, 4, 3, 2)) * 2.6 - 1.3).astype(np.float32)  # also outside [-1, 1]
    check(f"torch.nn.functional.grid_sample(a, b, mode={mode!r}, padding_mode={padding_mode!r}, "
          f"align_corners={align_corners})", floats(2, 3, 5, 6), grid, rtol=1e-4)


@pytest.mark.parametrize("mode,padding_mode", [(0, 0), (1, 1), (0, 2)])
def test_grid_sampler_3d_matches_torch(mode, padding_mode):
    grid = (RNG.random((1, 2, 3, 4, 3)) * 2.4 - 1.2).astype(np.float32)
    check(f"torch.grid_sampler_3d(a, b, {mode}, {padding_mode}, False)", floats(1, 2, 3, 4, 5), grid, rtol=1e-4)


@pytest.mark.parametrize("expression,arrays", [
    ("torch.nn.functional.smooth_l1_loss(a, b, beta=0.0)", [floats(4, 3), floats(4, 3)]),
    ("torch.nn.functional.smooth_l1_loss(a, b, reduction='sum', beta=0.5)", [floats(4, 3), floats(3)]),
    ("torch.nn.functional.local_response_norm(a, 2)", [floats(0, 3, 2)]),
    ("torch.nn.functional.local_response_norm(a, 3)", [floats(2, 4, 3, 2)]),
])
def test_composite_functionals_match_torch(expression, arrays):
    check(expression, *arrays)


@pytest.mark.parametrize("dim,indices", [(0, [1, 3, 3]), (-1, [4, 2]), (1, [0])])
def test_tensor_split_at_tensor_indices(dim, indices):
    lines = check(f"torch.tensor_split(a, b, {dim})", floats(5, 4, 5), np.array(indices), structural=True)
    assert sum("sym_storage_offset.default" in line for line in lines) == len(indices)


@pytest.mark.parametrize("shape", [(6,), (3, 4)])
def test_unique_consecutive_over_the_last_dim_prints_torch_shapes(shape):
    x = np.repeat(np.arange(shape[-1] // 2, dtype=np.float32), 2).reshape(1, -1).repeat(int(np.prod(shape[:-1])), 0)
    lines = check("torch.unique_consecutive(a, return_inverse=True, return_counts=True, dim=-1)",
                  x.reshape(shape), structural=True)
    values = next(line for line in lines if "unique_consecutive[0]" in line)
    assert f'"f32[{", ".join([*map(str, shape[:-1]), "u0", *map(str, shape)])}]"' in values


@pytest.mark.parametrize("expression,arrays", [
    ("torch.randint_like(a, 5).shape[0] + torch.bernoulli(a.sigmoid()).sum()", [floats(4, 3)]),
    ("torch.constant_pad_nd(a, (1, 2, 0, 1), 0.5)", [floats(4, 3)]),
    ("a.sum_to_size(1, 3)", [floats(4, 3)]),
    ("torch.nn.functional.channel_shuffle(a, 2)", [floats(4, 6, 2)]),
    ("torch.native_layer_norm(a, (3,), None, None, 1e-5)", [floats(4, 3)]),
    ("torch.nn.functional.grid_sample(a, b, align_corners=True)", [floats(4, 2, 3, 3), floats(4, 2, 5, 2)]),
    ("torch.igamma(a.abs(), b.abs())", [floats(4, 3), floats(3)]),
])
def test_shape_rules_with_a_symbolic_batch(expression, arrays):
    """Dim 0 of the first input dynamic: the same program as torch.export's, and right on another batch size."""
    count = len(arrays)
    batched = [a.ndim == arrays[0].ndim and a.shape[0] == arrays[0].shape[0] for a in arrays]  # share the Dim
    ours_n, theirs_n = torch.export.Dim("n", min=2), real.export.Dim("n", min=2)
    ours = export_and_lint(_model(torch, expression, count), tuple(torch.from_numpy(a) for a in arrays),
                           dynamic_shapes=tuple({0: ours_n} if b else None for b in batched))
    theirs = real.export.export(_model(real, expression, count), tuple(real.from_numpy(a) for a in arrays),
                                dynamic_shapes=tuple({0: theirs_n} if b else None for b in batched), strict=True)
    assert _structurally_equal(ours, theirs), f"{ours}\n{theirs}"
    bigger = [np.concatenate([a] * 2) if b else a for a, b in zip(arrays, batched)]
    got = ours.module()(*(torch.from_numpy(a) for a in bigger))
    with real.no_grad():
        want = _model(real, expression, count)(*(real.from_numpy(a) for a in bigger))
    if "randint_like" in expression:  # random values: the shape arithmetic only
        assert tuple(got.shape) == tuple(want.shape)
        return
    got, want = (got, want) if isinstance(got, tuple) else ((got,), (want,))
    for g, w in zip(got, want):
        np.testing.assert_allclose(np.asarray(g._value, np.float64), w.double().numpy(), rtol=1e-4, atol=1e-5)
