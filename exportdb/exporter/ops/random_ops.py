"""Random sampling ops beyond rand/randn: randint, randint_like, multinomial, normal, bernoulli, and the
in-place fills (uniform_, normal_, cauchy_, exponential_, geometric_, log_normal_).

Every draw comes from the front end's seeded generator (:data:`creation.RNG`,
read at call time: ``torch.manual_seed`` replaces it), so the values are
reproducible but not torch's; only shapes and dtypes can agree with torch.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from exportdb.exporter.ir import dtypes
from exportdb.exporter.ir.dtypes import DType
from exportdb.exporter.ops import creation
from exportdb.exporter.ops.table import register


def _integers(low: int, high: int, shape: tuple, dtype: DType) -> np.ndarray:
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    return creation.RNG.integers(int(low), int(high), size=shape).astype(dtype.np)


def _randint(high: int, size: Sequence[int], *, dtype: DType | None = None, layout: Any = None,
             device: Any = None, pin_memory: Any = None) -> np.ndarray:
    return _integers(0, high, _shape(size), dtype or dtypes.int64)


def _randint_low(low: int, high: int, size: Sequence[int], *, dtype: DType | None = None, layout: Any = None,
                 device: Any = None, pin_memory: Any = None) -> np.ndarray:
    return _integers(low, high, _shape(size), dtype or dtypes.int64)


def _shape(size: Sequence[int]) -> tuple:
    shape = tuple(int(s) for s in size)
    if any(s < 0 for s in shape):
        raise RuntimeError(f"Trying to create tensor with negative dimension: {list(shape)}")
    return shape


def _randint_like(a: np.ndarray, high: Any, *, dtype: DType | None = None, layout: Any = None, device: Any = None,
                  pin_memory: Any = None, memory_format: Any = None) -> np.ndarray:
    return _integers(0, int(np.asarray(high)), a.shape, dtype or dtypes.from_numpy(a.dtype))


def _randint_like_low(a: np.ndarray, low: int, high: int, *, dtype: DType | None = None, layout: Any = None,
                      device: Any = None, pin_memory: Any = None, memory_format: Any = None) -> np.ndarray:
    return _integers(low, high, a.shape, dtype or dtypes.from_numpy(a.dtype))


def _multinomial(probs: np.ndarray, num_samples: int, replacement: bool = False, *, generator: Any = None) -> np.ndarray:
    if probs.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    rows = probs.reshape(-1, probs.shape[-1]).astype(np.float64)
    if (rows < 0).any() or not np.isfinite(rows).all():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    if not replacement and num_samples > rows.shape[-1]:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    out = np.empty((rows.shape[0], num_samples), np.int64)
    for i, row in enumerate(rows):
        total = row.sum()
        if total <= 0:
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        if replacement:
            out[i] = creation.RNG.choice(row.size, size=num_samples, replace=True, p=row / total)
        else:  # draw without replacement among the categories of non-zero weight first, as torch does
            keys = np.where(row > 0, creation.RNG.random(row.size) ** (1 / np.where(row > 0, row, 1)), -1.0)
            out[i] = np.argsort(-keys, kind="stable")[:num_samples]
    return out.reshape(probs.shape[:-1] + (num_samples,))


def _normal(mean: Any, std: Any, *, generator: Any = None) -> np.ndarray:
    mean_a, std_a = np.asarray(mean), np.asarray(std)
    if (std_a < 0).any():
        raise RuntimeError("normal expects all elements of std >= 0.0")
    dtype = (mean_a if isinstance(mean, np.ndarray) else std_a).dtype
    shape = np.broadcast_shapes(mean_a.shape, std_a.shape)
    return np.asarray(mean_a + std_a * creation.RNG.standard_normal(shape), dtype=dtype)


def _normal_float_float(mean: float, std: float, size: Sequence[int], *, generator: Any = None,
                        dtype: DType | None = None, layout: Any = None, device: Any = None,
                        pin_memory: Any = None) -> np.ndarray:
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    values = mean + std * creation.RNG.standard_normal(_shape(size))
    return np.asarray(values, dtype=(dtype or dtypes.float32).np)


def _fill_with(draw: Any) -> Any:
    """An in-place kernel writing ``draw(shape, *params)`` into its tensor."""
    def kernel(a: np.ndarray, *params: Any, generator: Any = None) -> np.ndarray:
        a[...] = draw(a.shape, *params)
        return a

    return kernel


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise RuntimeError(message)


def _uniform(shape: tuple, low: float = 0.0, high: float = 1.0) -> np.ndarray:
    _check(low <= high, f"uniform_ expects to return a [from, to) range, but found from={low} > to={high}")
    return creation.RNG.uniform(low, high, shape)


def _normal_fill(shape: tuple, mean: float = 0.0, std: float = 1.0) -> np.ndarray:
    _check(std >= 0, f"normal expects std >= 0.0, but found std {std}")
    return mean + std * creation.RNG.standard_normal(shape)


def _cauchy(shape: tuple, median: float = 0.0, sigma: float = 1.0) -> np.ndarray:
    _check(sigma > 0, f"cauchy_ expects sigma > 0.0, but found sigma={sigma}")
    return median + sigma * creation.RNG.standard_cauchy(shape)


def _exponential(shape: tuple, lambd: float = 1.0) -> np.ndarray:
    _check(lambd > 0, f"exponential_ expects lambda > 0.0, but found lambda={lambd}")
    return creation.RNG.exponential(1 / lambd, shape)


def _geometric(shape: tuple, p: float) -> np.ndarray:
    _check(0 < p < 1, f"geometric_ expects p to be in (0, 1), but got p={p}")
    return creation.RNG.geometric(p, shape)


def _log_normal(shape: tuple, mean: float = 1.0, std: float = 2.0) -> np.ndarray:
    _check(std > 0, f"log_normal_ expects std > 0.0, but found std={std}")
    return creation.RNG.lognormal(mean, std, shape)


def _bernoulli(a: np.ndarray, p: Any = None, *, generator: Any = None) -> np.ndarray:
    prob = a if p is None else np.broadcast_to(np.asarray(p), a.shape)
    if ((prob < 0) | (prob > 1)).any():
        raise RuntimeError("bernoulli expects 0 <= p <= 1")
    return np.asarray(creation.RNG.random(a.shape) < prob, dtype=a.dtype)


register("aten.randint.default", _randint, nondeterministic=True)
register("aten.randint.low", _randint_low, nondeterministic=True)
register("aten.randint_like.default", _randint_like, nondeterministic=True)
register("aten.randint_like.Tensor", _randint_like, nondeterministic=True)
register("aten.randint_like.low_dtype", _randint_like_low, nondeterministic=True)
register("aten.multinomial.default", _multinomial, nondeterministic=True)
for _overload in ("Tensor_Tensor", "Tensor_float", "float_Tensor"):
    register(f"aten.normal.{_overload}", _normal, nondeterministic=True)
register("aten.bernoulli.default", _bernoulli, nondeterministic=True)
register("aten.bernoulli.p", _bernoulli, nondeterministic=True)
register("aten.normal.float_float", _normal_float_float, nondeterministic=True)
for _name, _draw in {"uniform_": _uniform, "normal_": _normal_fill, "cauchy_": _cauchy, "exponential_": _exponential,
                     "geometric_": _geometric, "log_normal_": _log_normal}.items():
    register(f"aten.{_name}.default", _fill_with(_draw), mutates=0, nondeterministic=True)
