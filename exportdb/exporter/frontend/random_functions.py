"""Random ``torch.*`` functions beyond rand/randn: randint, randint_like, multinomial, normal, bernoulli.

Each records its ATen op as torch.export 2.13 does: ``torch.randint(2, 10, (5,))``
is ``aten.randint.low(2, 10, [5], device = device(type='cpu'), pin_memory = False)``
(factories record the device and pin_memory torch's binding fills in),
``torch.randint_like(x, 10)`` is ``aten.randint_like.default(x, 10, pin_memory = False)``,
``torch.normal(m, 1.1)`` is ``aten.normal.Tensor_float(m, 1.1)``.
"""

from __future__ import annotations

from typing import Any

from exportdb.exporter.frontend.aten_binding import call_aten, call_overloads
from exportdb.exporter.frontend.functions import _factory_kwargs, _like_kwargs, size_arg
from exportdb.exporter.ir.dtypes import DType
from exportdb.exporter.ir.values import TensorValue


def randint(*args: Any, size: Any = None, generator: Any = None, dtype: DType | None = None, device: Any = None,
            layout: Any = None, requires_grad: bool = False, pin_memory: bool = False) -> Any:
    """``torch.randint(high, size)`` or ``torch.randint(low, high, size)`` (``size`` may be a keyword)."""
    if size is not None:
        args = (*args, size)
    if len(args) == 2:
        return call_aten("aten.randint.default", args[0], size_arg((args[1],)), **_factory_kwargs(dtype))
    if len(args) == 3:
        return call_aten("aten.randint.low", args[0], args[1], size_arg((args[2],)), **_factory_kwargs(dtype))
    raise TypeError("randint() expects (high, size) or (low, high, size)")


def randint_like(input: Any, *args: Any, low: Any = None, high: Any = None, dtype: DType | None = None,  # noqa: A002
                 device: Any = None, layout: Any = None, requires_grad: bool = False, memory_format: Any = None,
                 generator: Any = None) -> Any:
    """``torch.randint_like(x, high)`` or ``torch.randint_like(x, low, high)``."""
    bounds = [*args, *(b for b in (low, high) if b is not None)]
    kwargs = _like_kwargs(dtype, device)
    if len(bounds) == 1:
        overload = "Tensor" if isinstance(bounds[0], TensorValue) else "default"
        return call_aten(f"aten.randint_like.{overload}", input, bounds[0], **kwargs)
    return call_aten("aten.randint_like.low_dtype", input, bounds[0], bounds[1], **kwargs)


def multinomial(input: Any, num_samples: Any, replacement: bool = False, *, generator: Any = None) -> Any:  # noqa: A002
    return call_aten("aten.multinomial.default", input, num_samples, replacement)


def normal(mean: Any, std: Any = 1.0, *args: Any, generator: Any = None, **kwargs: Any) -> Any:
    if not isinstance(mean, TensorValue) and not isinstance(std, TensorValue):  # normal(0.0, 1.0, size)
        size = args[0] if args else kwargs.pop("size")
        layout = kwargs.pop("layout", None)
        kwargs.pop("device", None)
        kwargs.pop("requires_grad", None)
        extra = _factory_kwargs(kwargs.pop("dtype", None))
        if layout is not None:  # recorded where the caller gave it, between dtype and device
            extra = {k: v for k, v in extra.items() if k == "dtype"} | {"layout": layout} | \
                {k: v for k, v in extra.items() if k != "dtype"}
        if kwargs:
            raise TypeError(f"normal() got unexpected keyword arguments {', '.join(kwargs)}")
        return call_aten("aten.normal.float_float", float(mean), float(std), size_arg((size,)), **extra)
    return call_overloads("normal", ("Tensor_Tensor", "Tensor_float", "float_Tensor"), (mean, std, *args), kwargs)


class TensorRandom:
    """The in-place random fills of a tensor: ``x.uniform_(0, 1)`` records ``aten.uniform_.default``."""

    __slots__ = ()

    def uniform_(self, from_: float = 0.0, to: float = 1.0, *, generator: Any = None) -> Any:
        return call_aten("aten.uniform_.default", self, float(from_), float(to))

    def normal_(self, mean: float = 0.0, std: float = 1.0, *, generator: Any = None) -> Any:
        return call_aten("aten.normal_.default", self, float(mean), float(std))

    def cauchy_(self, median: float = 0.0, sigma: float = 1.0, *, generator: Any = None) -> Any:
        return call_aten("aten.cauchy_.default", self, float(median), float(sigma))

    def exponential_(self, lambd: float = 1.0, *, generator: Any = None) -> Any:
        return call_aten("aten.exponential_.default", self, float(lambd))

    def geometric_(self, p: float, *, generator: Any = None) -> Any:
        return call_aten("aten.geometric_.default", self, float(p))

    def log_normal_(self, mean: float = 1.0, std: float = 2.0, *, generator: Any = None) -> Any:
        return call_aten("aten.log_normal_.default", self, float(mean), float(std))


def bernoulli(input: Any, p: Any = None, *, generator: Any = None) -> Any:  # noqa: A002
    if p is None:
        return call_aten("aten.bernoulli.default", input)
    return call_aten("aten.bernoulli.p", input, p)


NAMESPACE: dict[str, Any] = {f.__name__: f for f in (randint, randint_like, multinomial, normal, bernoulli)}
