"""Padding, embedding lookups, pixel shuffles and upsampling (nearest, linear, bilinear, trilinear)."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from exportdb.exporter.ops.kernel_util import as_array
from exportdb.exporter.ops.table import register

_NP_MODES = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def _pad(x: np.ndarray, pad: Sequence[int], mode: str = "constant", value: float | None = None) -> np.ndarray:
    """``F.pad``: ``pad`` lists (left, right) pairs from the last dim backwards; negative pads crop."""
    pad = [int(p) for p in pad]
    if len(pad) % 2 or len(pad) // 2 > x.ndim:
        raise RuntimeError(f"Padding length should be divisible by 2 and at most twice the input's dims, got {pad}")
    if mode not in ("constant", *_NP_MODES):
        raise RuntimeError(f"Unrecognised padding mode {mode}")
    widths = [(0, 0)] * x.ndim
    crop = [slice(None)] * x.ndim
    for i in range(len(pad) // 2):
        dim = x.ndim - 1 - i
        lo, hi = pad[2 * i], pad[2 * i + 1]
        size = x.shape[dim]
        if mode == "reflect" and (lo >= size or hi >= size):
            raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding input dimension, "
                               f"but got: padding ({lo}, {hi}) at dimension {dim} of input {list(x.shape)}")
        if mode == "circular" and (lo > size or hi > size):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        widths[dim] = (max(lo, 0), max(hi, 0))
        crop[dim] = slice(-lo if lo < 0 else 0, size + hi if hi < 0 else None)
    if mode == "replicate":  # index arithmetic: also right when a negative pad crops what the other side repeats
        for i in range(len(pad) // 2):
            dim = x.ndim - 1 - i
            size = x.shape[dim]
            index = np.clip(np.arange(size + pad[2 * i] + pad[2 * i + 1]) - pad[2 * i], 0, size - 1)
            x = np.take(x, index, axis=dim)
        return as_array(x, x.dtype)
    x = x[tuple(crop)]
    if mode == "constant":
        fill = 0 if value is None else value
        out = np.pad(x, widths, mode="constant", constant_values=np.asarray(fill).astype(x.dtype))
    else:
        out = np.pad(x, widths, mode=_NP_MODES[mode])
    return as_array(out, x.dtype)


def _embedding_renorm_(weight: np.ndarray, indices: np.ndarray, max_norm: float, norm_type: float) -> np.ndarray:
    """Scale each row ``indices`` names (once each) whose ``norm_type``-norm exceeds ``max_norm`` down to it."""
    for row in np.unique(indices.astype(np.int64)):
        values = weight[row].astype(np.float64)
        norm = np.sum(np.abs(values) ** norm_type) ** (1.0 / norm_type)
        if norm > max_norm:
            weight[row] = values * (max_norm / (norm + 1e-7))
    return weight


def _one_hot(a: np.ndarray, num_classes: int = -1) -> np.ndarray:
    if a.size and a.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if a.size and a.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    return (a[..., None] == np.arange(num_classes)).astype(np.int64)


def _embedding(weight: np.ndarray, indices: np.ndarray, padding_idx: int = -1, scale_grad_by_freq: bool = False,
               sparse: bool = False) -> np.ndarray:
    if indices.dtype.kind not in "iu":
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the following scalar types: "
                           f"Long, Int; but got {indices.dtype} instead")
    if indices.size and (indices.min() < -weight.shape[0] or indices.max() >= weight.shape[0]):
        raise IndexError("index out of range in self")
    return weight[indices]


def _embedding_bag(weight: np.ndarray, indices: np.ndarray, offsets: np.ndarray, scale_grad_by_freq: bool,
                   mode: int, sparse: bool, per_sample_weights: np.ndarray | None, include_last_offset: bool,
                   padding_idx: int | None) -> tuple:
    """Sum (0), mean (1) or max (2) of each bag of rows; also torch's three bookkeeping outputs
    (offset2bag, bag_size, max_indices) with the shapes its CPU kernel gives them."""
    if indices.ndim != 1 or offsets.ndim != 1:
        raise ValueError("embedding_bag: input and offsets have to be 1D")
    n, d = len(indices), weight.shape[1]
    bags = len(offsets) - (1 if include_last_offset else 0)
    ends = list(offsets[1:]) + ([] if include_last_offset else [n])
    out = np.zeros((bags, d), np.float64)
    sizes = np.zeros(bags, np.int64)
    arg = np.zeros((bags, d), np.int64)
    padding = None if padding_idx is None else padding_idx % weight.shape[0]  # torch passes -1 as given
    for b in range(bags):
        rows = [i for i in range(int(offsets[b]), int(ends[b])) if padding is None or indices[i] != padding]
        sizes[b] = len(rows)
        if not rows:
            continue
        values = weight[indices[rows]].astype(np.float64)
        if per_sample_weights is not None:
            values = values * per_sample_weights[rows, None]
        if mode == 2:
            arg[b] = indices[rows][np.argmax(values, axis=0)]
            out[b] = values.max(axis=0)
        else:
            out[b] = values.sum(axis=0) / (len(rows) if mode == 1 else 1)
    offset2bag = np.zeros((0 if mode == 0 and padding_idx is None else n,), np.int64)
    bag_size = np.zeros(len(offsets), np.int64) if mode == 0 else sizes
    max_indices = arg if mode == 2 else np.zeros(bag_size.shape, np.int64)
    return as_array(out, weight.dtype), offset2bag, bag_size, max_indices


def _embedding_bag_traced(weight: np.ndarray, indices: np.ndarray, offsets: np.ndarray, *args: Any) -> tuple:
    """What torch.export 2.13 records: its meta kernel sizes bag_size by the offsets and max_indices by the
    bags whatever the mode (the CPU kernel differs with include_last_offset)."""
    out, offset2bag, bag_size, max_indices = _embedding_bag(weight, indices, offsets, *args)
    count, bags = len(offsets), out.shape[0]
    sized = np.zeros(count, np.int64)
    sized[:min(count, len(bag_size))] = bag_size[:count]
    if max_indices.ndim == 1:
        kept = np.zeros(bags, np.int64)
        kept[:min(bags, len(max_indices))] = max_indices[:bags]
        max_indices = kept
    return out, offset2bag, sized, max_indices


def _channel_shuffle(x: np.ndarray, groups: int) -> np.ndarray:
    """Channels ``(groups, c // groups)`` transposed to ``(c // groups, groups)``."""
    if x.ndim < 3:
        raise RuntimeError(f"channel_shuffle expects input to have at least 3 dimensions, but got input with "
                           f"sizes {list(x.shape)}")
    if groups <= 0 or x.shape[1] % groups:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {x.shape[1]} channels and "
                           f"{groups} groups.")
    n, c = x.shape[:2]
    grouped = x.reshape((n, groups, c // groups) + x.shape[2:])
    return np.ascontiguousarray(grouped.swapaxes(1, 2)).reshape(x.shape)


def _pixel_shuffle(x: np.ndarray, upscale_factor: int) -> np.ndarray:
    r = int(upscale_factor)
    *lead, c, h, w = x.shape
    if c % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of "
                           f"upscale_factor, but input.size(-3)={c} is not divisible by {r * r}")
    y = x.reshape(*lead, c // (r * r), r, r, h, w)
    n = len(lead)
    y = y.transpose(*range(n), n, n + 3, n + 1, n + 4, n + 2)
    return np.ascontiguousarray(y.reshape(*lead, c // (r * r), h * r, w * r))


def _pixel_unshuffle(x: np.ndarray, downscale_factor: int) -> np.ndarray:
    r = int(downscale_factor)
    *lead, c, h, w = x.shape
    if h % r or w % r:
        raise RuntimeError(f"pixel_unshuffle expects height and width to be divisible by downscale_factor {r}")
    y = x.reshape(*lead, c, h // r, r, w // r, r)
    n = len(lead)
    y = y.transpose(*range(n), n, n + 2, n + 4, n + 1, n + 3)
    return np.ascontiguousarray(y.reshape(*lead, c * r * r, h // r, w // r))


def _output_sizes(x: np.ndarray, nd: int, output_size: Sequence[int] | None,
                  scale_factors: Sequence[float] | None) -> tuple[list[int], list[float | None]]:
    spatial = x.shape[x.ndim - nd:]
    if output_size is not None:
        return [int(s) for s in output_size], [None] * nd
    if scale_factors is None:
        raise RuntimeError("either output_size or scale_factors must be given")
    scales = [float(s) for s in scale_factors]
    return [int(np.floor(n * s)) for n, s in zip(spatial, scales)], scales


def _nearest(nd: int, exact: bool = False):
    """``nearest`` takes source pixel ``floor(dst * ratio)``; ``nearest-exact`` ``floor((dst + 0.5) * ratio)``."""
    def kernel(x: np.ndarray, output_size: Sequence[int] | None, scale_factors: Sequence[float] | None = None):
        outs, scales = _output_sizes(x, nd, output_size, scale_factors)
        y = x
        for i, (o, s) in enumerate(zip(outs, scales)):
            axis = x.ndim - nd + i
            n = x.shape[axis]
            ratio = np.float32(1.0 / s if s else n / o)
            dst = np.arange(o, dtype=np.float32) + (np.float32(0.5) if exact else np.float32(0))
            src = np.minimum(np.floor(dst * ratio).astype(np.int64), n - 1)
            y = np.take(y, src, axis=axis)
        return as_array(y, x.dtype)

    return kernel


def _cubic_weights(t: np.ndarray, a: float = -0.75) -> list[np.ndarray]:
    """The four cubic-convolution weights of taps -1, 0, 1, 2 at fraction ``t``."""
    def near(v: np.ndarray) -> np.ndarray:
        return ((a + 2) * v - (a + 3)) * v * v + 1

    def far(v: np.ndarray) -> np.ndarray:
        return ((a * v - 5 * a) * v + 8 * a) * v - 4 * a

    return [far(t + 1), near(t), near(1 - t), far(2 - t)]


def _bicubic(x: np.ndarray, output_size: Sequence[int] | None, align_corners: bool,
             scale_factors: Sequence[float] | None = None) -> np.ndarray:
    outs, scales = _output_sizes(x, 2, output_size, scale_factors)
    y = x.astype(np.float64)
    for i, (o, s) in enumerate(zip(outs, scales)):
        axis = x.ndim - 2 + i
        n = x.shape[axis]
        dst = np.arange(o, dtype=np.float64)
        if align_corners:
            src = dst * ((n - 1) / (o - 1)) if o > 1 else np.zeros(o)
        else:
            src = (dst + 0.5) * (1.0 / s if s else n / o) - 0.5  # no clamp at 0 for cubic
        base = np.floor(src).astype(np.int64)
        weights = _cubic_weights(src - base)
        shape = [1] * y.ndim
        shape[axis] = o
        y = sum(np.take(y, np.clip(base + tap - 1, 0, n - 1), axis=axis) * w.reshape(shape)
                for tap, w in enumerate(weights))
    return as_array(y, x.dtype)


def _source_coords(n: int, o: int, scale: float | None, align_corners: bool) -> np.ndarray:
    dst = np.arange(o, dtype=np.float64)
    if align_corners:
        return dst * ((n - 1) / (o - 1)) if o > 1 else np.zeros(o)
    ratio = 1.0 / scale if scale else n / o
    return np.maximum((dst + 0.5) * ratio - 0.5, 0.0)


def _linear(nd: int):
    def kernel(x: np.ndarray, output_size: Sequence[int] | None, align_corners: bool,
               scale_factors: Sequence[float] | None = None) -> np.ndarray:
        outs, scales = _output_sizes(x, nd, output_size, scale_factors)
        y = x.astype(np.float64)
        for i, (o, s) in enumerate(zip(outs, scales)):
            axis = x.ndim - nd + i
            n = x.shape[axis]
            src = _source_coords(n, o, s, align_corners)
            lo = np.minimum(np.floor(src).astype(np.int64), n - 1)
            hi = np.minimum(lo + 1, n - 1)
            frac = src - lo
            shape = [1] * y.ndim
            shape[axis] = o
            frac = frac.reshape(shape)
            y = np.take(y, lo, axis=axis) * (1 - frac) + np.take(y, hi, axis=axis) * frac
        return as_array(y, x.dtype)

    return kernel


register("aten.pad.default", _pad)
register("aten.constant_pad_nd.default", lambda x, pad, value=0: _pad(x, pad, "constant", value))
register("aten.channel_shuffle.default", _channel_shuffle)
register("aten.embedding.default", _embedding)
register("aten.one_hot.default", _one_hot)
register("aten.embedding_renorm_.default", _embedding_renorm_, mutates=0)
register("aten.embedding_bag.padding_idx", _embedding_bag, multi=True, traced=_embedding_bag_traced)
register("aten.pixel_shuffle.default", _pixel_shuffle)
register("aten.pixel_unshuffle.default", _pixel_unshuffle)
for _nd, _name in ((1, "upsample_nearest1d"), (2, "upsample_nearest2d"), (3, "upsample_nearest3d")):
    register(f"aten.{_name}.vec", _nearest(_nd))
    register(f"aten._upsample_nearest_exact{_nd}d.vec", _nearest(_nd, exact=True))
for _nd, _name in ((1, "upsample_linear1d"), (2, "upsample_bilinear2d"), (3, "upsample_trilinear3d")):
    register(f"aten.{_name}.vec", _linear(_nd))
register("aten.upsample_bicubic2d.vec", _bicubic)
