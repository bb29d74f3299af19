"""Shape rules of torch.nn's spatial ops: convolutions, pools, normalizations, padding,
embedding, pixel shuffles and upsampling.  A symbolic batch (or channel) size passes
through; spatial sizes follow torch's output-size formulas, so symbolic spatial sizes
work too except where the formula needs a ceiling or a float scale."""

from __future__ import annotations

from typing import Any, Sequence

from exportdb.errors import UnsupportedAPIError
from exportdb.exporter.symbolic.shape_env import SymInt
from exportdb.exporter.symbolic.shape_rules.core import require_equal, rule, shape_of
from exportdb.exporter.trace.user_frames import user_location


def _ints(value: Any, n: int, default: int) -> list:
    if value is None or (isinstance(value, (list, tuple)) and not value):
        return [default] * n
    if isinstance(value, (list, tuple)):
        return list(value) * n if len(value) == 1 and n > 1 else list(value)
    return [value] * n


def _static_only(what: str) -> UnsupportedAPIError:
    return UnsupportedAPIError(f"{what} with a dynamic spatial size is not supported by the built-in exporter",
                               location=user_location(), hint="mark the spatial dims static (a dynamic batch works)")


def _window_out(size: Any, k: int, s: int, p: int, d: int, ceil_mode: bool = False) -> Any:
    span = d * (k - 1) + 1
    if not isinstance(size, SymInt):
        num = size + 2 * p - span
        out = (-(-num // s) if ceil_mode else num // s) + 1
        return out - 1 if ceil_mode and (out - 1) * s >= size + p else out
    if ceil_mode:
        raise _static_only("ceil_mode=True pooling")
    return (size + (2 * p - span)) // s + 1


def _conv_rule(nd: int):
    def shape(x: Any, weight: Any, bias: Any = None, stride: Any = None, padding: Any = 0, dilation: Any = None,
              groups: int = 1) -> tuple:
        sx, sw = shape_of(x), shape_of(weight)
        lead = sx[:len(sx) - nd - 1]
        require_equal(sx[len(sx) - nd - 1], sw[1] * groups)
        stride, dilation = _ints(stride, nd, 1), _ints(dilation, nd, 1)
        spatial = sx[len(sx) - nd:]
        if isinstance(padding, str):
            if padding == "same":
                return lead + (sw[0],) + tuple(spatial)
            padding = 0
        pads = _ints(padding, nd, 0)
        outs = tuple(_window_out(n, k, s, p, d) for n, k, s, p, d in zip(spatial, sw[2:], stride, pads, dilation))
        return lead + (sw[0],) + outs

    return shape


def _conv_transpose_rule(nd: int):
    def shape(x: Any, weight: Any, bias: Any = None, stride: Any = None, padding: Any = None,
              output_padding: Any = None, groups: int = 1, dilation: Any = None) -> tuple:
        sx, sw = shape_of(x), shape_of(weight)
        lead = sx[:len(sx) - nd - 1]
        require_equal(sx[len(sx) - nd - 1], sw[0])
        stride, pads = _ints(stride, nd, 1), _ints(padding, nd, 0)
        extra, dilation = _ints(output_padding, nd, 0), _ints(dilation, nd, 1)
        spatial = sx[len(sx) - nd:]
        outs = tuple((n - 1) * s + (d * (k - 1) + op + 1 - 2 * p)
                     for n, k, s, p, op, d in zip(spatial, sw[2:], stride, pads, extra, dilation))
        return lead + (sw[1] * groups,) + outs

    return shape


def _pool_rule(nd: int, max_pool: bool, with_indices: bool = False):
    def shape(x: Any, kernel_size: Any, stride: Any = None, padding: Any = 0, *rest: Any) -> Any:
        sx = shape_of(x)
        kernel = _ints(kernel_size, nd, 1)
        strides = _ints(stride, nd, 0)
        strides = kernel if not any(strides) else strides
        pads = _ints(padding, nd, 0)
        dilation = _ints(rest[0] if max_pool and rest else None, nd, 1)
        ceil_index = 1 if max_pool else 0
        ceil_mode = bool(rest[ceil_index]) if len(rest) > ceil_index else False
        spatial = sx[len(sx) - nd:]
        out = tuple(sx[:len(sx) - nd]) + tuple(_window_out(n, k, s, p, d, ceil_mode)
                                               for n, k, s, p, d in zip(spatial, kernel, strides, pads, dilation))
        return [out, out] if with_indices else out

    return shape


def _adaptive_rule(nd: int, with_indices: bool):
    def shape(x: Any, output_size: Sequence[Any]) -> Any:
        sx = shape_of(x)
        out = tuple(sx[:len(sx) - nd]) + tuple(_ints(output_size, nd, 1))
        return [out, out] if with_indices else out

    return shape


@rule("aten.fractional_max_pool2d.default", "aten.fractional_max_pool3d.default")
def _fractional(x: Any, kernel_size: Any, output_size: Sequence[Any], random_samples: Any) -> list:
    sx = shape_of(x)
    out = tuple(sx[:len(sx) - len(output_size)]) + tuple(output_size)
    return [out, out]


@rule("aten.grid_sampler.default", "aten.grid_sampler_2d.default", "aten.grid_sampler_3d.default")
def _grid_sampler(x: Any, grid: Any, *args: Any) -> tuple:
    return tuple(shape_of(x)[:2]) + tuple(shape_of(grid)[1:-1])


@rule("aten.max_unpool2d.default", "aten.max_unpool3d.default")
def _max_unpool(x: Any, indices: Any, output_size: Sequence[Any], *args: Any) -> tuple:
    sx = shape_of(x)
    return tuple(sx[:len(sx) - len(output_size)]) + tuple(output_size)


@rule("aten.batch_norm.default", "aten.instance_norm.default", "aten.group_norm.default",
      "aten.layer_norm.default", "aten.rms_norm.default")
def _same_shape(x: Any, *args: Any, **kwargs: Any) -> tuple:
    return shape_of(x)


@rule("aten.native_group_norm.default")
def _native_group_norm(x: Any, weight: Any, bias: Any, n: Any, c: Any, hxw: Any, group: int, eps: float) -> list:
    return [shape_of(x), (n, group), (n, group)]


@rule("aten.native_layer_norm.default")
def _native_layer_norm(x: Any, normalized_shape: Sequence[Any], *args: Any) -> list:
    sx = shape_of(x)
    stats = tuple(sx[:len(sx) - len(normalized_shape)]) + (1,) * len(normalized_shape)
    return [sx, stats, stats]


@rule("aten.native_batch_norm.default")
def _native_batch_norm(x: Any, weight: Any, bias: Any, running_mean: Any, running_var: Any, training: bool,
                       *args: Any) -> list:
    stats = (shape_of(x)[1],) if training else (0,)
    return [shape_of(x), stats, stats]


@rule("aten.pad.default", "aten.constant_pad_nd.default")
def _pad(x: Any, pad: Sequence[Any], mode: Any = "constant", value: Any = None) -> tuple:
    out = list(shape_of(x))
    for i in range(len(pad) // 2):
        out[len(out) - 1 - i] = out[len(out) - 1 - i] + (pad[2 * i] + pad[2 * i + 1])
    return tuple(out)


@rule("aten.one_hot.default")
def _one_hot(x: Any, num_classes: int = -1) -> tuple:
    return shape_of(x) + (num_classes,)


@rule("aten.embedding.default")
def _embedding(weight: Any, indices: Any, *args: Any) -> tuple:
    return shape_of(indices) + (shape_of(weight)[1],)


@rule("aten.embedding_bag.padding_idx")
def _embedding_bag(weight: Any, indices: Any, offsets: Any, scale_grad_by_freq: bool, mode: int, sparse: bool,
                   per_sample_weights: Any, include_last_offset: bool, padding_idx: Any) -> list:
    d, n, count = shape_of(weight)[1], shape_of(indices)[0], shape_of(offsets)[0]
    bags = count - 1 if include_last_offset else count
    offset2bag = (0,) if mode == 0 and padding_idx is None else (n,)
    return [(bags, d), offset2bag, (count,), (bags, d) if mode == 2 else (bags,)]  # torch.export's meta shapes


@rule("aten.pixel_shuffle.default")
def _pixel_shuffle(x: Any, r: int) -> tuple:
    *lead, c, h, w = shape_of(x)
    return tuple(lead) + (c // (r * r), h * r, w * r)


@rule("aten.channel_shuffle.default")
def _channel_shuffle(x: Any, groups: Any) -> tuple:
    return shape_of(x)


@rule("aten.pixel_unshuffle.default")
def _pixel_unshuffle(x: Any, r: int) -> tuple:
    *lead, c, h, w = shape_of(x)
    return tuple(lead) + (c * r * r, h // r, w // r)


@rule("aten.im2col.default")
def _im2col(x: Any, kernel_size: Any, dilation: Any, padding: Any, stride: Any) -> tuple:
    sx = shape_of(x)
    k, d, p, s = (_ints(v, 2, 1) for v in (kernel_size, dilation, padding, stride))
    blocks = [_window_out(n, k_, s_, p_, d_) for n, k_, s_, p_, d_ in zip(sx[-2:], k, s, p, d)]
    return tuple(sx[:-3]) + (sx[-3] * (k[0] * k[1]), blocks[0] * blocks[1])


@rule("aten.col2im.default")
def _col2im(x: Any, output_size: Any, kernel_size: Any, *rest: Any) -> tuple:
    sx = shape_of(x)
    k = _ints(kernel_size, 2, 1)
    return tuple(sx[:-2]) + (sx[-2] // (k[0] * k[1]),) + tuple(_ints(output_size, 2, 1))


def _upsample_rule(nd: int):
    def shape(x: Any, output_size: Any, *rest: Any) -> tuple:
        sx = shape_of(x)
        scales = rest[-1] if rest else None
        if output_size is not None:
            return tuple(sx[:len(sx) - nd]) + tuple(output_size)
        spatial = sx[len(sx) - nd:]
        if any(isinstance(n, SymInt) for n in spatial):
            raise _static_only("interpolate(scale_factor=...)")
        return tuple(sx[:len(sx) - nd]) + tuple(int(n * s) for n, s in zip(spatial, scales))

    return shape


for _nd in (1, 2, 3):
    rule(f"aten.conv{_nd}d.default", f"aten.conv{_nd}d.padding")(_conv_rule(_nd))
    rule(f"aten.max_pool{_nd}d.default")(_pool_rule(_nd, True))
    rule(f"aten.max_pool{_nd}d_with_indices.default")(_pool_rule(_nd, True, True))
    rule(f"aten.avg_pool{_nd}d.default")(_pool_rule(_nd, False))
    rule(f"aten.adaptive_avg_pool{_nd}d.default")(_adaptive_rule(_nd, False))
    rule(f"aten.adaptive_max_pool{_nd}d.default")(_adaptive_rule(_nd, True))
rule("aten.conv_transpose1d.default")(_conv_transpose_rule(1))
rule("aten.conv_transpose2d.input")(_conv_transpose_rule(2))
rule("aten.conv_transpose3d.input")(_conv_transpose_rule(3))
rule("aten.upsample_nearest1d.vec", "aten.upsample_linear1d.vec",
     "aten._upsample_nearest_exact1d.vec")(_upsample_rule(1))
rule("aten.upsample_nearest2d.vec", "aten.upsample_bilinear2d.vec", "aten._upsample_nearest_exact2d.vec",
     "aten.upsample_bicubic2d.vec")(_upsample_rule(2))
rule("aten.upsample_nearest3d.vec", "aten.upsample_trilinear3d.vec",
     "aten._upsample_nearest_exact3d.vec")(_upsample_rule(3))
