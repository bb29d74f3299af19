"""``torch.nn`` pooling: max (with indices), average, adaptive average/max and LP pools, 1d/2d/3d.

``nn.MaxPool2d(3, 2, 1)`` records ``aten.max_pool2d.default(x, [3, 3], [2, 2], [1, 1])``
(``max_pool2d_with_indices`` with ``return_indices=True``); ``nn.LPPool2d`` is the
composite torch records: ``pow``, ``avg_pool2d``, ``sign``, ``abs``, ``relu``, ``mul`` and ``pow``.
"""

from __future__ import annotations

import math
from typing import Any

from exportdb.exporter.frontend.functions import rand
from exportdb.exporter.frontend.nn_modules import Module
from exportdb.exporter.frontend.nn_record import ntuple, record
from exportdb.exporter.frontend.tensor import Tensor


def _stride(stride: Any, kernel_size: Any) -> Any:
    return [] if stride is None or (isinstance(stride, (list, tuple)) and not stride) else stride


def _max_pool(nd: int, input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,  # noqa: A002
              dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False) -> Any:
    name = f"max_pool{nd}d_with_indices.default" if return_indices else f"max_pool{nd}d.default"
    return record(name, input, kernel_size, _stride(stride, kernel_size), padding, dilation, ceil_mode)


def max_pool1d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,  # noqa: A002
               ceil_mode: bool = False, return_indices: bool = False) -> Any:
    return _max_pool(1, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,  # noqa: A002
               ceil_mode: bool = False, return_indices: bool = False) -> Any:
    return _max_pool(2, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool3d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,  # noqa: A002
               ceil_mode: bool = False, return_indices: bool = False) -> Any:
    return _max_pool(3, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def _avg_pool(nd: int, input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,  # noqa: A002
              ceil_mode: bool = False, count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    args: tuple = (input, kernel_size, _stride(stride, kernel_size), padding, ceil_mode, count_include_pad)
    if nd > 1:
        args += (divisor_override,)
    return record(f"avg_pool{nd}d.default", *args)


def avg_pool1d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,  # noqa: A002
               ceil_mode: bool = False, count_include_pad: bool = True) -> Tensor:
    return _avg_pool(1, input, kernel_size, stride, padding, ceil_mode, count_include_pad)


def avg_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,  # noqa: A002
               ceil_mode: bool = False, count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    return _avg_pool(2, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)


def avg_pool3d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,  # noqa: A002
               ceil_mode: bool = False, count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    return _avg_pool(3, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)


def _adaptive_size(nd: int, input: Tensor, output_size: Any) -> list:
    sizes = ntuple(output_size, nd)
    spatial = tuple(input.shape)[-nd:]
    return [n if s is None else s for s, n in zip(sizes, spatial)]


def _adaptive(nd: int, reduce: str, input: Tensor, output_size: Any, return_indices: bool = False) -> Any:  # noqa: A002
    out = record(f"adaptive_{reduce}_pool{nd}d.default", input, _adaptive_size(nd, input, output_size))
    if reduce == "max" and not return_indices:
        return out[0]
    return out


def adaptive_avg_pool1d(input: Tensor, output_size: Any) -> Tensor:  # noqa: A002
    return _adaptive(1, "avg", input, output_size)


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:  # noqa: A002
    return _adaptive(2, "avg", input, output_size)


def adaptive_avg_pool3d(input: Tensor, output_size: Any) -> Tensor:  # noqa: A002
    return _adaptive(3, "avg", input, output_size)


def adaptive_max_pool1d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:  # noqa: A002
    return _adaptive(1, "max", input, output_size, return_indices)


def adaptive_max_pool2d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:  # noqa: A002
    return _adaptive(2, "max", input, output_size, return_indices)


def adaptive_max_pool3d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:  # noqa: A002
    return _adaptive(3, "max", input, output_size, return_indices)


def _lp_pool(nd: int, input: Tensor, norm_type: float, kernel_size: Any, stride: Any = None,  # noqa: A002
             ceil_mode: bool = False) -> Tensor:
    kernel = ntuple(kernel_size, nd)
    powered = record("pow.Tensor_Scalar", input, float(norm_type))
    pooled = _avg_pool(nd, powered, kernel, stride, 0, ceil_mode)
    sign = record("sign.default", pooled)
    signed = record("mul.Tensor", sign, record("relu.default", record("abs.default", pooled)))
    return record("pow.Tensor_Scalar", record("mul.Tensor", signed, math.prod(kernel)), 1.0 / norm_type)


def lp_pool1d(input: Tensor, norm_type: float, kernel_size: Any, stride: Any = None,  # noqa: A002
              ceil_mode: bool = False) -> Tensor:
    return _lp_pool(1, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool2d(input: Tensor, norm_type: float, kernel_size: Any, stride: Any = None,  # noqa: A002
              ceil_mode: bool = False) -> Tensor:
    return _lp_pool(2, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool3d(input: Tensor, norm_type: float, kernel_size: Any, stride: Any = None,  # noqa: A002
              ceil_mode: bool = False) -> Tensor:
    return _lp_pool(3, input, norm_type, kernel_size, stride, ceil_mode)


class _MaxPool(Module):
    nd = 2

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1,
                 return_indices: bool = False, ceil_mode: bool = False) -> None:
        super().__init__()
        self.kernel_size, self.padding, self.dilation = kernel_size, padding, dilation
        self.stride = stride if stride is not None else kernel_size
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def forward(self, input: Tensor) -> Any:  # noqa: A002
        return _max_pool(self.nd, input, self.kernel_size, self.stride, self.padding, self.dilation,
                         self.ceil_mode, self.return_indices)


class _AvgPool(Module):
    nd = 2

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0, ceil_mode: bool = False,
                 count_include_pad: bool = True, divisor_override: int | None = None) -> None:
        super().__init__()
        self.kernel_size, self.padding = kernel_size, padding
        self.stride = stride if stride is not None else kernel_size
        self.ceil_mode, self.count_include_pad, self.divisor_override = ceil_mode, count_include_pad, divisor_override

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return _avg_pool(self.nd, input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                         self.count_include_pad, self.divisor_override)


class _AdaptivePool(Module):
    nd = 2
    reduce = "avg"

    def __init__(self, output_size: Any, return_indices: bool = False) -> None:
        super().__init__()
        self.output_size, self.return_indices = output_size, return_indices

    def forward(self, input: Tensor) -> Any:  # noqa: A002
        return _adaptive(self.nd, self.reduce, input, self.output_size, self.return_indices)


class _LPPool(Module):
    nd = 2

    def __init__(self, norm_type: float, kernel_size: Any, stride: Any = None, ceil_mode: bool = False) -> None:
        super().__init__()
        self.norm_type, self.kernel_size, self.stride, self.ceil_mode = norm_type, kernel_size, stride, ceil_mode

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return _lp_pool(self.nd, input, self.norm_type, self.kernel_size, self.stride, self.ceil_mode)


def _fractional(nd: int, input: Tensor, kernel_size: Any, output_size: Any = None,  # noqa: A002
                output_ratio: Any = None, return_indices: bool = False, _random_samples: Tensor | None = None) -> Any:

    if output_size is None and output_ratio is None:
        raise ValueError(f"fractional_max_pool{nd}d requires specifying either an output_size or an output_ratio")
    if output_size is None:
        ratios = ntuple(output_ratio, nd)
        output_size = [int(n * r) for n, r in zip(tuple(input.shape)[-nd:], ratios)]
    if _random_samples is None:  # torch draws the windows' offsets: rand(N, C, nd) in the input's dtype
        batch = 1 if input.dim() == nd + 1 else input.shape[0]
        _random_samples = rand(batch, input.shape[-nd - 1], nd, dtype=input.dtype)
    out = record(f"fractional_max_pool{nd}d.default", input, ntuple(kernel_size, nd), ntuple(output_size, nd),
                 _random_samples)
    return out if return_indices else out[0]


def fractional_max_pool2d(input: Tensor, kernel_size: Any, output_size: Any = None,  # noqa: A002
                          output_ratio: Any = None, return_indices: bool = False,
                          _random_samples: Tensor | None = None) -> Any:
    return _fractional(2, input, kernel_size, output_size, output_ratio, return_indices, _random_samples)


def fractional_max_pool3d(input: Tensor, kernel_size: Any, output_size: Any = None,  # noqa: A002
                          output_ratio: Any = None, return_indices: bool = False,
                          _random_samples: Tensor | None = None) -> Any:
    return _fractional(3, input, kernel_size, output_size, output_ratio, return_indices, _random_samples)


class _FractionalMaxPool(Module):
    nd = 2

    def __init__(self, kernel_size: Any, output_size: Any = None, output_ratio: Any = None,
                 return_indices: bool = False, _random_samples: Tensor | None = None) -> None:
        super().__init__()
        self.kernel_size, self.output_size, self.output_ratio = kernel_size, output_size, output_ratio
        self.return_indices = return_indices
        self.register_buffer("_random_samples", _random_samples)

    def forward(self, input: Tensor) -> Any:  # noqa: A002
        return _fractional(self.nd, input, self.kernel_size, self.output_size, self.output_ratio,
                           self.return_indices, self._random_samples)


def _adaptive_init(self: Any, output_size: Any) -> None:
    _AdaptivePool.__init__(self, output_size)


_CLASSES = []
for _nd in (1, 2, 3):
    _CLASSES += [
        type(f"MaxPool{_nd}d", (_MaxPool,), {"nd": _nd}),
        type(f"AvgPool{_nd}d", (_AvgPool,), {"nd": _nd}),
        type(f"AdaptiveAvgPool{_nd}d", (_AdaptivePool,), {"nd": _nd, "reduce": "avg", "__init__": _adaptive_init}),
        type(f"AdaptiveMaxPool{_nd}d", (_AdaptivePool,), {"nd": _nd, "reduce": "max"}),
        type(f"LPPool{_nd}d", (_LPPool,), {"nd": _nd}),
    ]

_CLASSES += [type(f"FractionalMaxPool{_nd}d", (_FractionalMaxPool,), {"nd": _nd}) for _nd in (2, 3)]

FUNCTIONAL = {f.__name__: f for f in (fractional_max_pool2d, fractional_max_pool3d, 
    max_pool1d, max_pool2d, max_pool3d, avg_pool1d, avg_pool2d, avg_pool3d, adaptive_avg_pool1d,
    adaptive_avg_pool2d, adaptive_avg_pool3d, adaptive_max_pool1d, adaptive_max_pool2d, adaptive_max_pool3d,
    lp_pool1d, lp_pool2d, lp_pool3d)}
LAYERS = {c.__name__: c for c in _CLASSES}
