"""exportdb.exporter.frontend.tensor and functions: eager semantics of the NumPy front end."""

from __future__ import annotations

import numpy as np
import pytest

from exporter_helpers import torch

from exportdb.errors import UnsupportedAPIError


def vals(t):
    return t._value.tolist()


# -- dtypes -----------------------------------------------------------------------------
def test_default_dtypes():
    assert torch.randn(2).dtype is torch.float32
    assert torch.zeros(2).dtype is torch.float32
    assert torch.tensor([1, 2]).dtype is torch.int64
    assert torch.tensor([1, 2.0]).dtype is torch.float32
    assert torch.tensor([True]).dtype is torch.bool
    assert torch.tensor(3).shape == ()
    assert torch.arange(3).dtype is torch.int64
    assert torch.arange(0.0, 1.0, 0.25).dtype is torch.float32
    assert torch.full((2,), 3).dtype is torch.int64
    assert torch.full((2,), 1.5).dtype is torch.float32
    assert torch.ones(2, dtype=torch.int32).dtype is torch.int32


def test_promotion_in_arithmetic():
    ints = torch.tensor([1, 2, 3])
    assert (ints + 1.5).dtype is torch.float32 and vals(ints + 1.5) == [2.5, 3.5, 4.5]
    assert (ints / 2).dtype is torch.float32 and vals(ints / 2) == [0.5, 1.0, 1.5]
    assert (ints // 2).dtype is torch.int64 and vals(ints // 2) == [0, 1, 1]
    assert (ints * 2).dtype is torch.int64
    mask = torch.tensor([True, False, True])
    assert (mask + 1).dtype is torch.int64 and vals(mask + 1) == [2, 1, 2]
    assert (mask + ints).dtype is torch.int64
    assert (mask * 1.5).dtype is torch.float32
    half = torch.ones(2, dtype=torch.float16)
    assert (half + 1.5).dtype is torch.float16
    assert (half + torch.ones(2)).dtype is torch.float32
    small = torch.tensor([1, 2], dtype=torch.int8)
    assert (small + torch.tensor(300)).dtype is torch.int8, "a 0-dim tensor of the same category does not widen"
    assert (small + torch.tensor(1.0, dtype=torch.float64)).dtype is torch.float64
    u8 = torch.tensor([1], dtype=torch.uint8)
    assert (u8 + torch.tensor([1], dtype=torch.int8)).dtype is torch.int16


def test_comparisons_and_logic_give_bools():
    x = torch.tensor([-1.0, 0.0, 2.0])
    assert vals(x > 0) == [False, False, True]
    assert vals(x == 0) == [False, True, False]
    assert vals((x > -1) & (x < 1)) == [False, True, False]
    assert vals(~(x > 0)) == [True, True, False]
    assert (x > 0).dtype is torch.bool


def test_unary_math_and_reductions():
    ints = torch.tensor([[1, 2], [3, 4]])
    assert ints.cos().dtype is torch.float32
    assert ints.abs().dtype is torch.int64
    assert ints.sum().dtype is torch.int64 and ints.sum().item() == 10
    assert torch.tensor([True, True]).sum().item() == 2
    with pytest.raises(Exception, match="mean"):
        ints.mean()
    x = torch.tensor([[1.0, 5.0], [3.0, 2.0]])
    assert vals(x.mean(0)) == [2.0, 3.5]
    values, indices = x.max(1)
    assert vals(values) == [5.0, 3.0] and vals(indices) == [1, 0]
    assert vals(x.max(dim=0).indices) == [1, 0]
    assert x.max().item() == 5.0 and x.argmax().item() == 1
    assert vals(x.amax(1)) == [5.0, 3.0]
    assert x.sum(1, keepdim=True).shape == (2, 1)
    assert vals(x.relu()) == vals(x) and vals((-x).relu()) == [[0.0, 0.0], [0.0, 0.0]]
    np.testing.assert_allclose(x.softmax(-1)._value.sum(-1), [1.0, 1.0], rtol=1e-6)


def test_shape_ops_and_metadata():
    x = torch.arange(6).reshape(2, 3)
    assert x.shape == (2, 3) and repr(x.shape) == "torch.Size([2, 3])"
    assert x.size(1) == 3 and x.size(-1) == 3 and x.dim() == 2 and x.numel() == 6 and x.ndim == 2
    assert vals(x.t()) == [[0, 3], [1, 4], [2, 5]]
    assert x.view(3, 2).shape == (3, 2) and x.view(-1).shape == (6,)
    assert x.permute(1, 0).shape == (3, 2) and x.flatten().shape == (6,)
    assert x.unsqueeze(0).shape == (1, 2, 3) and x.unsqueeze(0).squeeze(0).shape == (2, 3)
    assert x[:1].expand(4, 3).shape == (4, 3)
    assert torch.cat([x, x], 1).shape == (2, 6) and torch.stack([x, x]).shape == (2, 2, 3)
    a, b = x.split([1, 2], dim=1)
    assert vals(b) == [[1, 2], [4, 5]]
    assert [c.shape for c in x.chunk(2, dim=1)] == [(2, 2), (2, 1)]
    assert vals(x[1]) == [3, 4, 5] and vals(x[:, 1:]) == [[1, 2], [4, 5]] and vals(x[..., -1]) == [2, 5]
    assert vals(x[torch.tensor([1, 0])]) == [[3, 4, 5], [0, 1, 2]]
    assert vals(x[x > 3]) == [4, 5]
    assert len(x) == 2 and [vals(r) for r in x] == [[0, 1, 2], [3, 4, 5]]
    assert (x @ x.t()).shape == (2, 2)


def test_inplace_ops_write_through_views():
    x = torch.zeros(2, 3)
    x[0] = 1.0
    x[:, 1:] += 2
    row = x.select(0, 1)
    row.mul_(3)
    assert vals(x) == [[1.0, 3.0, 3.0], [0.0, 6.0, 6.0]]
    y = torch.ones(3)
    assert y.add_(1) is y and vals(y) == [2.0, 2.0, 2.0]
    with pytest.raises(Exception, match="can't be cast"):
        torch.ones(2, dtype=torch.int64).add_(1.5)


def test_casts_and_copies():
    x = torch.tensor([1.7, -1.2])
    assert x.long().dtype is torch.int64 and vals(x.long()) == [1, -1]
    assert x.to(torch.float64).dtype is torch.float64
    assert x.int().dtype is torch.int32 and x.bool().dtype is torch.bool
    assert x.type() == "torch.FloatTensor"
    c = x.clone()
    c.add_(1)
    assert vals(x) == pytest.approx([1.7, -1.2])
    assert torch.zeros_like(x).dtype is torch.float32 and vals(torch.full_like(x, 2)) == [2.0, 2.0]
    assert x.new_zeros(3).shape == (3,)


def test_bool_of_a_tensor_in_eager_mode():
    assert bool(torch.tensor(True))
    assert not torch.tensor([0.0])
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(torch.tensor([1.0, 2.0]))
    assert torch.tensor(2.5).item() == 2.5 and int(torch.tensor(3)) == 3


def test_manual_seed_makes_randn_reproducible():
    torch.manual_seed(3)
    a = torch.randn(4)
    torch.manual_seed(3)
    assert vals(torch.randn(4)) == vals(a)


def test_unknown_tensor_method_is_an_unsupported_api_error():
    with pytest.raises(UnsupportedAPIError, match="Tensor.no_such_method is not provided"):
        torch.randn(2).no_such_method()
    assert not hasattr(torch.randn(2), "no_such_method")
    with pytest.raises(UnsupportedAPIError, match="cannot be constructed directly"):
        torch.Tensor(2)


def test_matches_real_torch_eager_values():
    real = pytest.importorskip("torch")
    data = [[1, 2, 3], [1, 5, 7]]
    for name in ("bool", "uint8", "int32", "int64", "float16", "float32", "float64"):
        for other in ("int64", "float32", "bool"):
            for fn in (lambda a, b: a + b, lambda a, b: a * b, lambda a, b: a / b, lambda a, b: a > b,
                       lambda a, b: a.maximum(b)):
                ours = fn(torch.tensor(data, dtype=getattr(torch, name)), torch.tensor(data, dtype=getattr(torch, other)))
                theirs = fn(real.tensor(data, dtype=getattr(real, name)), real.tensor(data, dtype=getattr(real, other)))
                assert repr(ours.dtype) == str(theirs.dtype), (name, other)
                np.testing.assert_allclose(ours._value.astype(float), theirs.numpy().astype(float), rtol=1e-3)


# -- known eager bugs ------------------------------------------------------------------
def test_setitem_on_single_element_writes_through():
    x = torch.zeros(3)
    x[0] = 1.0
    y = torch.zeros(2, 2)
    y[1, 1] = 5
    assert vals(x) == [1.0, 0.0, 0.0] and vals(y) == [[0.0, 0.0], [0.0, 5.0]]


def test_reflected_floordiv_and_mod():
    x = torch.tensor([2.0, 4.0])
    assert vals(2 // x) == [1.0, 0.0] and vals(5 % x) == [1.0, 1.0]
    i = torch.tensor([2, -3])
    assert vals(7 // i) == [3, -3] and vals(7 % i) == [1, -2] and (7 % i).dtype == torch.int64
    assert (2.5 // i).dtype == torch.float32


def test_bool_tensor_subtraction_is_refused():
    with pytest.raises(Exception, match="Subtraction"):
        torch.tensor([True, False]) - torch.tensor([1, 1])
