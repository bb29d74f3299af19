"""``torch.nn`` padding modules, pixel shuffles, upsampling, flatten/unflatten and their functional forms.

Every padding module records ``aten.pad.default``: ``nn.ZeroPad2d(1)`` is
``pad(x, [1, 1, 1, 1], 'constant', 0.0)``, ``nn.ReflectionPad1d((1, 2))`` is
``pad(x, [1, 2], 'reflect')``.  ``F.interpolate`` records ``upsample_<mode>.vec``.
"""

from __future__ import annotations

from typing import Any

from exportdb.errors import UnsupportedAPIError
from exportdb.exporter.frontend.nn_modules import Module
from exportdb.exporter.frontend.nn_record import ntuple, record
from exportdb.exporter.frontend.tensor import Tensor
from exportdb.exporter.trace.user_frames import user_location
from exportdb.exporter.frontend.nn_pooling import _adaptive


def pad(input: Tensor, pad: Any, mode: str = "constant", value: float | None = None) -> Tensor:  # noqa: A002
    return record("pad.default", input, list(pad), mode, value)


class _Pad(Module):
    nd = 1
    mode = "constant"

    def __init__(self, padding: Any) -> None:
        super().__init__()
        self.padding = ntuple(padding, 2 * self.nd)
        self.value: float | None = None

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return pad(input, self.padding, self.mode, self.value)

    def extra_repr(self) -> str:
        return f"{self.padding}"


def _pad_class(name: str, nd: int, mode: str, constant: bool = False, zero: bool = False) -> type:
    """``ConstantPad<n>d(padding, value)``; the others take ``padding`` only (``ZeroPad`` fills 0.0)."""
    def with_value(self: Any, padding: Any, value: float) -> None:
        _Pad.__init__(self, padding)
        self.value = value

    def padding_only(self: Any, padding: Any) -> None:
        _Pad.__init__(self, padding)
        if zero:
            self.value = 0.0

    return type(name, (_Pad,), {"nd": nd, "mode": mode, "__init__": with_value if constant else padding_only})


_PADS = [_pad_class(f"{kind}Pad{nd}d", nd, mode, constant=kind == "Constant", zero=kind == "Zero")
         for kind, mode in (("Zero", "constant"), ("Constant", "constant"), ("Reflection", "reflect"),
                            ("Replication", "replicate"), ("Circular", "circular"))
         for nd in (1, 2, 3)]


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:  # noqa: A002
    return record("pixel_shuffle.default", input, upscale_factor)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:  # noqa: A002
    return record("pixel_unshuffle.default", input, downscale_factor)


def channel_shuffle(input: Tensor, groups: int) -> Tensor:  # noqa: A002
    return record("channel_shuffle.default", input, groups)


class ChannelShuffle(Module):
    def __init__(self, groups: int) -> None:
        super().__init__()
        self.groups = groups

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return channel_shuffle(input, self.groups)

    def extra_repr(self) -> str:
        return f"groups={self.groups}"


class PixelShuffle(Module):
    def __init__(self, upscale_factor: int) -> None:
        super().__init__()
        self.upscale_factor = upscale_factor

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return pixel_shuffle(input, self.upscale_factor)


class PixelUnshuffle(Module):
    def __init__(self, downscale_factor: int) -> None:
        super().__init__()
        self.downscale_factor = downscale_factor

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return pixel_unshuffle(input, self.downscale_factor)


_LINEAR_MODES = {1: "linear", 2: "bilinear", 3: "trilinear"}
_LINEAR_OPS = {1: "upsample_linear1d.vec", 2: "upsample_bilinear2d.vec", 3: "upsample_trilinear3d.vec"}


def interpolate(input: Tensor, size: Any = None, scale_factor: Any = None, mode: str = "nearest",  # noqa: A002
                align_corners: bool | None = None, recompute_scale_factor: bool | None = None,
                antialias: bool = False) -> Tensor:
    nd = input.dim() - 2
    if nd not in (1, 2, 3):
        raise UnsupportedAPIError(f"interpolate: expected a 3D, 4D or 5D input, got {input.dim()}D",
                                  location=user_location(), hint="add batch and channel dims")
    if (size is None) == (scale_factor is None):
        raise ValueError("only one of size or scale_factor should be defined")
    sizes = None if size is None else [int(s) for s in ntuple(size, nd)]
    scales = None if scale_factor is None else [float(s) for s in ntuple(scale_factor, nd)]
    if recompute_scale_factor and scales is not None:
        spatial = tuple(input.shape)[2:]
        sizes, scales = [int(n * s) for n, s in zip(spatial, scales)], None
    if mode in ("nearest", "nearest-exact", "area"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: "
                             "linear | bilinear | bicubic | trilinear")
        if mode == "area":

            spatial = tuple(input.shape)[2:]
            return _adaptive(nd, "avg", input, sizes or [int(n * s) for n, s in zip(spatial, scales)])
        name = f"upsample_nearest{nd}d.vec" if mode == "nearest" else f"_upsample_nearest_exact{nd}d.vec"
        return record(name, input, sizes, scales)
    if mode == "bicubic":
        if nd != 2:
            raise NotImplementedError(f"Got {input.dim()}D input, but bicubic mode needs 4D input")
        return record("upsample_bicubic2d.vec", input, sizes, bool(align_corners), scales)
    if mode in ("linear", "bilinear", "trilinear"):
        if _LINEAR_MODES[nd] != mode:
            raise NotImplementedError(f"Got {input.dim()}D input, but {mode} mode needs "
                                      f"{ {'linear': 3, 'bilinear': 4, 'trilinear': 5}[mode] }D input")
        return record(_LINEAR_OPS[nd], input, sizes, bool(align_corners), scales)
    raise UnsupportedAPIError(f"interpolate(mode={mode!r}) is not supported by the built-in front end",
                              location=user_location(),
                              hint="use mode 'nearest', 'nearest-exact', 'area', 'linear', 'bilinear', 'bicubic' or "
                                   "'trilinear'")


def upsample(input: Tensor, size: Any = None, scale_factor: Any = None, mode: str = "nearest",  # noqa: A002
             align_corners: bool | None = None) -> Tensor:
    """Deprecated ``F.upsample``: ``F.interpolate``."""
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input: Tensor, size: Any = None, scale_factor: Any = None) -> Tensor:  # noqa: A002
    """Deprecated ``F.upsample_nearest``: nearest ``F.interpolate``."""
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input: Tensor, size: Any = None, scale_factor: Any = None) -> Tensor:  # noqa: A002
    """Deprecated ``F.upsample_bilinear``: bilinear ``F.interpolate`` with ``align_corners=True``."""
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


class Upsample(Module):
    def __init__(self, size: Any = None, scale_factor: Any = None, mode: str = "nearest",
                 align_corners: bool | None = None, recompute_scale_factor: bool | None = None) -> None:
        super().__init__()
        self.size, self.mode, self.align_corners = size, mode, align_corners
        self.scale_factor = float(scale_factor) if isinstance(scale_factor, (int, float)) else scale_factor
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return interpolate(input, self.size, self.scale_factor, self.mode, self.align_corners,
                           recompute_scale_factor=self.recompute_scale_factor)


class Flatten(Module):
    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return input.flatten(self.start_dim, self.end_dim)


class Unflatten(Module):
    def __init__(self, dim: int, unflattened_size: Any) -> None:
        super().__init__()
        self.dim, self.unflattened_size = dim, tuple(unflattened_size)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return record("unflatten.int", input, self.dim, list(self.unflattened_size))


def unfold(input: Tensor, kernel_size: Any, dilation: Any = 1, padding: Any = 0,  # noqa: A002
           stride: Any = 1) -> Tensor:
    return record("im2col.default", input, *(list(ntuple(v, 2)) for v in (kernel_size, dilation, padding, stride)))


def fold(input: Tensor, output_size: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0,  # noqa: A002
         stride: Any = 1) -> Tensor:
    return record("col2im.default", input, *(list(ntuple(v, 2)) for v in (output_size, kernel_size, dilation,
                                                                          padding, stride)))


class Unfold(Module):
    def __init__(self, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1) -> None:
        super().__init__()
        self.kernel_size, self.dilation, self.padding, self.stride = kernel_size, dilation, padding, stride

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)


class Fold(Module):
    def __init__(self, output_size: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0,
                 stride: Any = 1) -> None:
        super().__init__()
        self.output_size, self.kernel_size = output_size, kernel_size
        self.dilation, self.padding, self.stride = dilation, padding, stride

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return fold(input, self.output_size, self.kernel_size, self.dilation, self.padding, self.stride)


FUNCTIONAL = {f.__name__: f for f in (pad, pixel_shuffle, pixel_unshuffle, channel_shuffle, interpolate, upsample, upsample_nearest,
                                      upsample_bilinear, unfold, fold)}
LAYERS = {c.__name__: c for c in (*_PADS, ChannelShuffle, PixelShuffle, PixelUnshuffle, Upsample, Flatten, Unflatten, Fold, Unfold)}
