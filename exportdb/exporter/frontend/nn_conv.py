"""``torch.nn`` convolutions and transposed convolutions (1d/2d/3d) and their functional forms.

``nn.Conv2d(3, 4, 3, stride=2)(x)`` records ``aten.conv2d.default(x, p_weight, p_bias, [2, 2])``;
``padding='same'`` records the ``conv2d.padding`` overload; a non-zero ``padding_mode`` pads with
``aten.pad`` first, as torch does.
"""

from __future__ import annotations

import math
from typing import Any

from exportdb.exporter.frontend.nn_modules import Module
from exportdb.exporter.frontend.nn_record import fan_in_bound, ntuple, record, uniform_parameter
from exportdb.exporter.frontend.tensor import Tensor
from exportdb.exporter.frontend.nn_reshape import pad

_TRANSPOSED_OVERLOAD = {1: "conv_transpose1d.default", 2: "conv_transpose2d.input", 3: "conv_transpose3d.input"}


def _conv(nd: int, input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,  # noqa: A002
          padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    overload = "padding" if isinstance(padding, str) else "default"
    return record(f"conv{nd}d.{overload}", input, weight, bias, stride, padding, dilation, groups)


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1, padding: Any = 0,  # noqa: A002
           dilation: Any = 1, groups: int = 1) -> Tensor:
    return _conv(1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1, padding: Any = 0,  # noqa: A002
           dilation: Any = 1, groups: int = 1) -> Tensor:
    return _conv(2, input, weight, bias, stride, padding, dilation, groups)


def conv3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1, padding: Any = 0,  # noqa: A002
           dilation: Any = 1, groups: int = 1) -> Tensor:
    return _conv(3, input, weight, bias, stride, padding, dilation, groups)


def _conv_transpose(nd: int, input: Tensor, weight: Tensor, bias: Tensor | None = None,  # noqa: A002
                    stride: Any = 1, padding: Any = 0, output_padding: Any = 0, groups: int = 1,
                    dilation: Any = 1) -> Tensor:
    return record(_TRANSPOSED_OVERLOAD[nd], input, weight, bias, stride, padding, output_padding, groups, dilation)


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,  # noqa: A002
                     padding: Any = 0, output_padding: Any = 0, groups: int = 1, dilation: Any = 1) -> Tensor:
    return _conv_transpose(1, input, weight, bias, stride, padding, output_padding, groups, dilation)


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,  # noqa: A002
                     padding: Any = 0, output_padding: Any = 0, groups: int = 1, dilation: Any = 1) -> Tensor:
    return _conv_transpose(2, input, weight, bias, stride, padding, output_padding, groups, dilation)


def conv_transpose3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,  # noqa: A002
                     padding: Any = 0, output_padding: Any = 0, groups: int = 1, dilation: Any = 1) -> Tensor:
    return _conv_transpose(3, input, weight, bias, stride, padding, output_padding, groups, dilation)


class _ConvNd(Module):
    nd = 2
    transposed = False

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 dilation: Any = 1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device: Any = None, dtype: Any = None, output_padding: Any = 0) -> None:
        super().__init__()
        if in_channels % groups or out_channels % groups:
            raise ValueError("in_channels and out_channels must be divisible by groups")
        if padding_mode not in ("zeros", "reflect", "replicate", "circular"):
            raise ValueError(f"padding_mode must be one of 'zeros', 'reflect', 'replicate' or 'circular', "
                             f"but got padding_mode='{padding_mode}'")
        n = self.nd
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size, self.stride, self.dilation = ntuple(kernel_size, n), ntuple(stride, n), ntuple(dilation, n)
        self.padding = padding if isinstance(padding, str) else ntuple(padding, n)
        self.output_padding = ntuple(output_padding, n)
        self.padding_mode = padding_mode
        if isinstance(self.padding, str):
            if self.padding not in ("same", "valid"):
                raise ValueError(f"Invalid padding string {padding!r}, should be one of {{'valid', 'same'}}")
            if self.padding == "same" and any(s != 1 for s in self.stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
        if self.transposed:
            shape = (in_channels, out_channels // groups) + self.kernel_size
        else:
            shape = (out_channels, in_channels // groups) + self.kernel_size
        bound = fan_in_bound(shape[1] * math.prod(self.kernel_size))
        self.weight = uniform_parameter(shape, bound)
        if bias:
            self.bias = uniform_parameter((out_channels,), bound)
        else:
            self.register_parameter("bias", None)

    def _mode_padding(self) -> list[int]:
        """``F.pad`` widths of a non-zero padding mode: (left, right) per dim, last dim first."""
        pads: list[int] = []
        if isinstance(self.padding, str):
            for k, d in zip(reversed(self.kernel_size), reversed(self.dilation)):
                total = d * (k - 1)
                pads += [total // 2, total - total // 2]
            return pads
        for p in reversed(self.padding):
            pads += [p, p]
        return pads

    def extra_repr(self) -> str:
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
                + (f", padding={self.padding}" if self.padding not in ((0,) * self.nd, "valid") else ""))


class _Conv(_ConvNd):
    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 dilation: Any = 1, groups: int = 1, bias: bool = True, padding_mode: str = "zeros",
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                         padding_mode)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        if self.padding_mode != "zeros":

            padded = pad(input, self._mode_padding(), mode=self.padding_mode)
            return _conv(self.nd, padded, self.weight, self.bias, self.stride, (0,) * self.nd, self.dilation,
                         self.groups)
        return _conv(self.nd, input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)


class Conv1d(_Conv):
    nd = 1


class Conv2d(_Conv):
    nd = 2


class Conv3d(_Conv):
    nd = 3


class _ConvTranspose(_ConvNd):
    transposed = True

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 output_padding: Any = 0, groups: int = 1, bias: bool = True, dilation: Any = 1,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {type(self).__name__}')
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                         padding_mode, output_padding=output_padding)

    def _output_padding(self, input: Tensor, output_size: Any) -> tuple:  # noqa: A002
        if output_size is None:
            return self.output_padding
        sizes = list(output_size)[-self.nd:]
        spatial = tuple(input.shape)[-self.nd:]
        pads = []
        for size, n, s, p, d, k in zip(sizes, spatial, self.stride, self.padding, self.dilation, self.kernel_size):
            smallest = (n - 1) * s - 2 * p + d * (k - 1) + 1
            if not smallest <= size < smallest + s:
                raise ValueError(f"requested an output size of {list(sizes)}, but valid sizes range from "
                                 f"{smallest} to {smallest + s - 1}")
            pads.append(size - smallest)
        return tuple(pads)

    def forward(self, input: Tensor, output_size: Any = None) -> Tensor:  # noqa: A002
        return _conv_transpose(self.nd, input, self.weight, self.bias, self.stride, self.padding,
                               self._output_padding(input, output_size), self.groups, self.dilation)


class ConvTranspose1d(_ConvTranspose):
    nd = 1


class ConvTranspose2d(_ConvTranspose):
    nd = 2


class ConvTranspose3d(_ConvTranspose):
    nd = 3


def _lazy(base: type) -> type:
    """``nn.Lazy<base>``: ``in_channels`` comes from the first input; the first call builds the
    parameters and turns the module into a ``base`` (torch's ``cls_to_become``)."""

    def __init__(self: Any, out_channels: int, kernel_size: Any, *args: Any, **kwargs: Any) -> None:
        Module.__init__(self)
        object.__setattr__(self, "_lazy_args", (out_channels, kernel_size, args, kwargs))
        self.register_parameter("weight", None)
        self.register_parameter("bias", None)

    def forward(self: Any, input: Tensor, *rest: Any) -> Tensor:  # noqa: A002
        out_channels, kernel_size, args, kwargs = self.__dict__.pop("_lazy_args")
        training = self.training
        channels = tuple(input.shape)[1 if input.dim() == base.nd + 2 else 0]
        base.__init__(self, channels, out_channels, kernel_size, *args, **kwargs)
        self.train(training)
        self.__class__ = base
        return self.forward(input, *rest)

    return type(f"Lazy{base.__name__}", (base,), {"__init__": __init__, "forward": forward})


_CONVS = (Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d)
FUNCTIONAL = {f.__name__: f for f in (conv1d, conv2d, conv3d, conv_transpose1d, conv_transpose2d, conv_transpose3d)}
LAYERS = {c.__name__: c for c in (*_CONVS, *(_lazy(c) for c in _CONVS))}
