"""Pooling, 1d/2d/3d: max (with indices), average, adaptive average and adaptive max.

Pools work on the last ``nd`` dims of a batched (N, C, ...) or unbatched
(C, ...) input.  Fixed-window pools view every window with
``sliding_window_view`` after padding (``-inf`` for max, zeros for average);
``ceil_mode`` adds the partial windows at the end, except one that would start
in the right padding.  Indices are flat positions in each input plane, as torch
returns them.
"""

from __future__ import annotations

import itertools
import math
from typing import Any, Sequence

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from exportdb.exporter.ops.conv import expand
from exportdb.exporter.ops.kernel_util import as_array
from exportdb.exporter.ops.table import register


def pool_output_size(size: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    """Output length of a pool along one dim, as torch computes it."""
    if p > k // 2:
        raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={p}, kernel_size={k}")
    span = d * (k - 1) + 1
    num = size + 2 * p - span
    out = (-(-num // s) if ceil_mode else num // s) + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    if out <= 0:
        raise RuntimeError(f"Given input size: {size}. Calculated output size: {out}. Output size is too small")
    return out


def _params(nd: int, kernel_size: Any, stride: Any, padding: Any, dilation: Any = 1) -> tuple[list, list, list, list]:
    k = expand(kernel_size, nd, "kernel_size")
    s = expand(stride, nd, "stride") or list(k)
    return k, s, expand(padding, nd, "padding"), expand(dilation, nd, "dilation")


def _windows(x: np.ndarray, nd: int, k: list, s: list, p: list, d: list, ceil_mode: bool,
             fill: float) -> tuple[np.ndarray, list[int]]:
    """Every pooling window: shape (*lead, *out, *k); also the output sizes."""
    spatial = x.shape[x.ndim - nd:]
    outs = [pool_output_size(n, k_, s_, p_, d_, ceil_mode) for n, k_, s_, p_, d_ in zip(spatial, k, s, p, d)]
    widths = [(0, 0)] * (x.ndim - nd)
    for n, k_, s_, p_, d_, o in zip(spatial, k, s, p, d, outs):
        need = (o - 1) * s_ + d_ * (k_ - 1) + 1
        widths.append((p_, max(need - n - p_, 0)))
    xp = np.pad(x, widths, constant_values=fill)
    span = [d_ * (k_ - 1) + 1 for k_, d_ in zip(k, d)]
    win = sliding_window_view(xp, span, axis=tuple(range(x.ndim - nd, x.ndim)))
    lead = (slice(None),) * (x.ndim - nd)
    index = lead + tuple(slice(0, (o - 1) * s_ + 1, s_) for o, s_ in zip(outs, s)) + \
        tuple(slice(None, None, d_) for d_ in d)
    return win[index], outs


def _check_input(x: np.ndarray, nd: int, name: str) -> None:
    if x.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"{name}: Expected {nd + 1}D or {nd + 2}D input tensor, but got {list(x.shape)}")


def _max_pool(nd: int, with_indices: bool):
    def kernel(x: np.ndarray, kernel_size: Any, stride: Any = (), padding: Any = 0, dilation: Any = 1,
               ceil_mode: bool = False) -> Any:
        _check_input(x, nd, f"max_pool{nd}d")
        k, s, p, d = _params(nd, kernel_size, stride, padding, dilation)
        win, outs = _windows(x, nd, k, s, p, d, ceil_mode, -np.inf)
        flat = win.reshape(win.shape[:x.ndim] + (math.prod(k),))
        out = flat.max(axis=-1) if flat.size else np.zeros(flat.shape[:-1], x.dtype)
        if not with_indices:
            return as_array(out, x.dtype)
        arg = np.argmax(flat, axis=-1) if flat.size else np.zeros(flat.shape[:-1], np.int64)
        offsets = np.unravel_index(arg, k)
        spatial = x.shape[x.ndim - nd:]
        flat_index = np.zeros(arg.shape, np.int64)
        for dim in range(nd):
            shape = [1] * arg.ndim
            shape[x.ndim - nd + dim] = outs[dim]
            start = (np.arange(outs[dim]) * s[dim] - p[dim]).reshape(shape)
            coord = start + offsets[dim] * d[dim]
            flat_index = flat_index * spatial[dim] + coord
        return as_array(out, x.dtype), flat_index

    return kernel


def _avg_divisors(spatial: Sequence[int], outs: Sequence[int], k: list, s: list, p: list,
                  count_include_pad: bool) -> np.ndarray:
    sizes = []
    for n, o, k_, s_, p_ in zip(spatial, outs, k, s, p):
        start = np.arange(o) * s_ - p_
        end = np.minimum(start + k_, n + p_)
        if count_include_pad:
            sizes.append(end - start)
        else:
            sizes.append(np.minimum(end, n) - np.maximum(start, 0))
    grid = sizes[0].astype(np.float64)
    for extra in sizes[1:]:
        grid = np.multiply.outer(grid, extra)
    return grid


def _avg_pool(nd: int):
    def kernel(x: np.ndarray, kernel_size: Any, stride: Any = (), padding: Any = 0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override: int | None = None) -> np.ndarray:
        _check_input(x, nd, f"avg_pool{nd}d")
        k, s, p, _ = _params(nd, kernel_size, stride, padding)
        win, outs = _windows(x.astype(np.float64), nd, k, s, p, [1] * nd, ceil_mode, 0.0)
        total = win.reshape(win.shape[:x.ndim] + (math.prod(k),)).sum(axis=-1)
        if divisor_override:
            out = total / divisor_override
        else:
            out = total / _avg_divisors(x.shape[x.ndim - nd:], outs, k, s, p, count_include_pad)
        return as_array(out, x.dtype)

    return kernel


def adaptive_bounds(size: int, out: int) -> list[tuple[int, int]]:
    """[start, end) of each adaptive-pool window along one dim."""
    return [(math.floor(i * size / out), math.ceil((i + 1) * size / out)) for i in range(out)]


def _adaptive(nd: int, reduce: str):
    def kernel(x: np.ndarray, output_size: Any) -> Any:
        _check_input(x, nd, f"adaptive_{reduce}_pool{nd}d")
        outs = expand(output_size, nd, "output_size")
        spatial = x.shape[x.ndim - nd:]
        lead = x.shape[:x.ndim - nd]
        bounds = [adaptive_bounds(n, o) for n, o in zip(spatial, outs)]
        result = np.zeros(lead + tuple(outs), np.float64)
        indices = np.zeros(lead + tuple(outs), np.int64)
        for pos in itertools.product(*(range(o) for o in outs)):
            box = tuple(slice(*bounds[dim][i]) for dim, i in enumerate(pos))
            region = x[(Ellipsis,) + box].astype(np.float64)
            flat = region.reshape(lead + (math.prod(region.shape[len(lead):]),))
            if reduce == "avg":
                result[(Ellipsis,) + pos] = flat.mean(axis=-1)
                continue
            arg = np.argmax(flat, axis=-1)
            result[(Ellipsis,) + pos] = np.take_along_axis(flat, arg[..., None], -1)[..., 0]
            local = np.unravel_index(arg, region.shape[len(lead):])
            index = np.zeros(arg.shape, np.int64)
            for dim in range(nd):
                index = index * spatial[dim] + local[dim] + bounds[dim][pos[dim]][0]
            indices[(Ellipsis,) + pos] = index
        out = as_array(result, x.dtype)
        return out if reduce == "avg" else (out, indices)

    return kernel


def fractional_starts(size: int, out: int, k: int, sample: float) -> np.ndarray:
    """Window starts of a fractional max pool along one dim from one sample in [0, 1): pseudo-random
    steps of ``(size - k) / (out - 1)``, the last window flush with the end (computed in float32)."""
    if out <= 1:
        return np.array([size - k], np.int64)
    alpha = np.float32(size - k) / np.float32(out - 1)
    u = np.float32(sample)
    starts = [int(np.float32(i + u) * alpha) - int(u * alpha) for i in range(out - 1)]
    return np.array(starts + [size - k], np.int64)


def _fractional_max_pool(nd: int):
    def kernel(x: np.ndarray, kernel_size: Any, output_size: Any, random_samples: np.ndarray) -> tuple:
        _check_input(x, nd, f"fractional_max_pool{nd}d")
        k, outs = expand(kernel_size, nd, "kernel_size"), expand(output_size, nd, "output_size")
        xb = x if x.ndim == nd + 2 else x[None]
        spatial = xb.shape[2:]
        if any(o + kk - 1 > n for o, kk, n in zip(outs, k, spatial)):
            raise RuntimeError(f"fractional_max_pool{nd}d(): pool size {k} too large relative to input {list(spatial)}"
                               f" and output size {outs}")
        # torch's 2d kernel draws the W intervals from sample 0 and H from sample 1; 3d goes T, H, W
        order = [1, 0] if nd == 2 else list(range(nd))
        out = np.zeros(xb.shape[:2] + tuple(outs), x.dtype)
        index = np.zeros(out.shape, np.int64)
        for b in range(xb.shape[0]):
            for c in range(xb.shape[1]):
                starts = [fractional_starts(spatial[d], outs[d], k[d], random_samples[b, c, order[d]])
                          for d in range(nd)]
                for pos in itertools.product(*(range(o) for o in outs)):
                    box = tuple(slice(starts[d][i], starts[d][i] + k[d]) for d, i in enumerate(pos))
                    region = xb[(b, c) + box]
                    local = np.unravel_index(int(np.argmax(region)), region.shape)
                    flat = 0
                    for d in range(nd):
                        flat = flat * spatial[d] + starts[d][pos[d]] + local[d]
                    out[(b, c) + pos] = region[local]
                    index[(b, c) + pos] = flat
        return (out, index) if x.ndim == nd + 2 else (out[0], index[0])

    return kernel


def _max_unpool(x: np.ndarray, indices: np.ndarray, output_size: Sequence[int], stride: Any = None,
                padding: Any = None) -> np.ndarray:
    """Scatter each value to its flat position (``indices``, as a max pool returns them) in a
    zero map of ``output_size`` per channel; ``stride`` and ``padding`` are only checked by torch."""
    nd = len(output_size)
    if x.shape != indices.shape:
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor ({list(x.shape)}) but "
                           f"got indices tensor with shape: {list(indices.shape)}")
    lead = x.shape[:x.ndim - nd]
    plane = int(np.prod(output_size, dtype=np.int64))
    values = x.reshape(-1, int(np.prod(x.shape[x.ndim - nd:], dtype=np.int64)))
    where = indices.astype(np.int64).reshape(values.shape)
    if where.size and (where.min() < 0 or where.max() >= plane):
        bad = int(where.max() if where.max() >= plane else where.min())
        raise RuntimeError(f"Found an invalid max index: {bad} (output volumes are of size "
                           f"{'x'.join(str(int(s)) for s in output_size)}")
    out = np.zeros((values.shape[0], plane), x.dtype)
    for row in range(values.shape[0]):
        out[row, where[row]] = values[row]
    return out.reshape(lead + tuple(int(s) for s in output_size))


register("aten.max_unpool2d.default", _max_unpool)
register("aten.max_unpool3d.default", _max_unpool)
register("aten.fractional_max_pool2d.default", _fractional_max_pool(2), multi=True)
register("aten.fractional_max_pool3d.default", _fractional_max_pool(3), multi=True)
for _nd in (1, 2, 3):
    register(f"aten.max_pool{_nd}d.default", _max_pool(_nd, False))
    register(f"aten.max_pool{_nd}d_with_indices.default", _max_pool(_nd, True), multi=True)
    register(f"aten.avg_pool{_nd}d.default", _avg_pool(_nd))
    register(f"aten.adaptive_avg_pool{_nd}d.default", _adaptive(_nd, "avg"))
    register(f"aten.adaptive_max_pool{_nd}d.default", _adaptive(_nd, "max"), multi=True)
