"""Shape rules of tensor factories: sizes are checked to be sizes."""

from __future__ import annotations

from typing import Any, Sequence

from exportdb.exporter.symbolic.shape_env import check_size
from exportdb.exporter.symbolic.shape_rules.core import broadcast, rule


@rule(*[f"aten.{n}.default" for n in ("zeros", "ones", "randn", "rand")], "aten.empty.memory_format",
      "aten.full.default")
def _factory(size: Sequence[Any], *args: Any, **kwargs: Any) -> tuple:
    for s in size:
        check_size(s)
    return tuple(size)


@rule("aten.new_zeros.default", "aten.new_ones.default", "aten.new_empty.default", "aten.new_full.default")
def _new_factory(a: Any, size: Sequence[Any], *args: Any, **kwargs: Any) -> tuple:
    """``x.new_zeros(size)``: shaped like ``torch.zeros(size)``, whatever ``x``'s shape."""
    return _factory(size)


@rule("aten.arange.default", "aten.arange.start")
def _arange(*args: Any, **kwargs: Any) -> tuple:
    return (args[0],) if len(args) == 1 else (args[1] - args[0],)


@rule("aten.eye.default", "aten.eye.m")
def _eye(n: Any, m: Any = None, **kwargs: Any) -> tuple:
    check_size(n)
    if m is not None:
        check_size(m)
    return (n, n if m is None else m)


@rule("aten.linspace.default", "aten.logspace.default")
def _spaced(start: Any, end: Any, steps: Any, *args: Any, **kwargs: Any) -> tuple:
    check_size(steps)
    return (steps,)


@rule("aten.scalar_tensor.default")
def _scalar_tensor(s: Any, **kwargs: Any) -> tuple:
    return ()


@rule("aten.arange.start_step")
def _arange_step(start: Any, end: Any, step: Any, **kwargs: Any) -> tuple:
    if not isinstance(step, int) or step == 0:
        raise ValueError("arange with a symbolic bound needs a non-zero integer step")
    return ((end - start + step - 1) // step,) if step > 0 else ((start - end - step - 1) // -step,)


@rule("aten.randint.default")
def _randint(high: Any, size: Sequence[Any], **kwargs: Any) -> tuple:
    return _factory(size)


@rule("aten.normal.float_float")
def _normal_float_float(mean: Any, std: Any, size: Sequence[Any], **kwargs: Any) -> tuple:
    return _factory(size)


@rule("aten.randint.low")
def _randint_low(low: Any, high: Any, size: Sequence[Any], **kwargs: Any) -> tuple:
    return _factory(size)


@rule("aten.randint_like.default", "aten.randint_like.Tensor", "aten.randint_like.low_dtype",
      "aten.bernoulli.default", "aten.bernoulli.p")
def _like(a: Any, *args: Any, **kwargs: Any) -> tuple:
    return tuple(a.shape)


@rule("aten.multinomial.default")
def _multinomial(probs: Any, num_samples: Any, *args: Any, **kwargs: Any) -> tuple:
    check_size(num_samples)
    return (*tuple(probs.shape)[:-1], num_samples)


@rule("aten.normal.Tensor_Tensor", "aten.normal.Tensor_float", "aten.normal.float_Tensor")
def _normal(mean: Any, std: Any, **kwargs: Any) -> tuple:
    return broadcast(*(tuple(t.shape) for t in (mean, std) if hasattr(t, "shape")))
