"""Convolutions and transposed convolutions, 1d/2d/3d, on NumPy.

A convolution gathers every kernel window with ``sliding_window_view`` (strided
and dilated by slicing the window view) and contracts windows and weights with
one ``einsum`` per call, group by group in a single expression.  A transposed
convolution is the convolution of the zero-stuffed, re-padded input with the
flipped kernel whose in/out channels are swapped.  Arithmetic runs in float64
and the result takes the input's dtype.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from exportdb.exporter.ops.kernel_util import as_array
from exportdb.exporter.ops.table import register

_LETTERS = "uvw"


def expand(value: Any, n: int, name: str = "argument") -> list[int]:
    """An ``int`` or a sequence of ``n`` ints as a list of ``n`` ints (``[]`` stays empty)."""
    if isinstance(value, (list, tuple)):
        values = [int(v) for v in value]
        if len(values) == 1 and n > 1:
            values = values * n
        if values and len(values) != n:
            raise RuntimeError(f"expected {name} to be a single integer value or a list of {n} values")
        return values
    return [int(value)] * n


def _batched(x: np.ndarray, nd: int) -> tuple[np.ndarray, bool]:
    if x.ndim == nd + 1:
        return x[None], True
    if x.ndim != nd + 2:
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to conv{nd}d, "
                           f"but got input of size: {list(x.shape)}")
    return x, False


def same_padding(kernel: Sequence[int], dilation: Sequence[int]) -> list[tuple[int, int]]:
    """(left, right) zero padding of ``padding='same'``: the odd element goes right."""
    pads = []
    for k, d in zip(kernel, dilation):
        total = d * (k - 1)
        pads.append((total // 2, total - total // 2))
    return pads


def convolve(x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None, stride: Sequence[int],
             pads: Sequence[tuple[int, int]], dilation: Sequence[int], groups: int) -> np.ndarray:
    """N-d grouped convolution of a batched ``x`` (N, C, *spatial) with explicit (left, right) pads."""
    nd = weight.ndim - 2
    n, c = x.shape[:2]
    out_c = weight.shape[0]
    if c != weight.shape[1] * groups:
        raise RuntimeError(f"Given groups={groups}, weight of size {list(weight.shape)}, expected input"
                           f"{list(x.shape)} to have {weight.shape[1] * groups} channels, but got {c} channels "
                           "instead")
    xf = x.astype(np.float64)
    widths = [(0, 0), (0, 0)]
    for lo, hi in pads:
        widths.append((max(lo, 0), max(hi, 0)))
    xf = np.pad(xf, widths)
    crop = tuple(slice(-lo if lo < 0 else 0, xf.shape[2 + i] + hi if hi < 0 else None)
                 for i, (lo, hi) in enumerate(pads))
    xf = xf[(slice(None), slice(None)) + crop]
    kernel = weight.shape[2:]
    span = [(k - 1) * d + 1 for k, d in zip(kernel, dilation)]
    if any(xf.shape[2 + i] < span[i] for i in range(nd)):
        raise RuntimeError(f"Calculated padded input size per channel: {tuple(xf.shape[2:])}. Kernel size: "
                           f"{tuple(span)}. Kernel size can't be greater than actual input size")
    windows = sliding_window_view(xf, span, axis=tuple(range(2, 2 + nd)))
    index = (slice(None), slice(None)) + tuple(slice(None, None, s) for s in stride) + \
        tuple(slice(None, None, d) for d in dilation)
    windows = windows[index]
    out_shape = windows.shape[2:2 + nd]
    windows = windows.reshape((n, groups, c // groups) + out_shape + tuple(kernel))
    w = weight.astype(np.float64).reshape((groups, out_c // groups, c // groups) + tuple(kernel))
    sp, ks = _LETTERS[:nd], "xyz"[:nd]
    out = np.einsum(f"ngc{sp}{ks},gfc{ks}->ngf{sp}", windows, w, optimize=True)
    out = out.reshape((n, out_c) + out_shape)
    if bias is not None:
        out = out + bias.astype(np.float64).reshape((1, out_c) + (1,) * nd)
    return out


def _conv(nd: int):
    def kernel(x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None = None, stride: Any = 1,
               padding: Any = 0, dilation: Any = 1, groups: int = 1) -> np.ndarray:
        xb, unbatched = _batched(x, nd)
        stride, dilation = expand(stride, nd, "stride"), expand(dilation, nd, "dilation")
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise RuntimeError(f"Invalid padding string: '{padding}'")
            if padding == "same" and any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            pads = same_padding(weight.shape[2:], dilation) if padding == "same" else [(0, 0)] * nd
        else:
            pads = [(p, p) for p in expand(padding, nd, "padding")]
        out = convolve(xb, weight, bias, stride, pads, dilation, groups)
        return as_array(out[0] if unbatched else out, x.dtype)

    return kernel


def _conv_transpose(nd: int):
    def kernel(x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None = None, stride: Any = 1,
               padding: Any = 0, output_padding: Any = 0, groups: int = 1, dilation: Any = 1) -> np.ndarray:
        xb, unbatched = _batched(x, nd)
        stride, dilation = expand(stride, nd, "stride"), expand(dilation, nd, "dilation")
        padding, output_padding = expand(padding, nd, "padding"), expand(output_padding, nd, "output_padding")
        n, c = xb.shape[:2]
        if c != weight.shape[0]:
            raise RuntimeError(f"Given transposed=1, weight of size {list(weight.shape)}, expected input "
                               f"{list(xb.shape)} to have {weight.shape[0]} channels, but got {c} channels instead")
        stuffed_shape = tuple((size - 1) * s + 1 for size, s in zip(xb.shape[2:], stride))
        stuffed = np.zeros((n, c) + stuffed_shape, np.float64)
        stuffed[(slice(None), slice(None)) + tuple(slice(None, None, s) for s in stride)] = xb
        kernel_size = weight.shape[2:]
        pads = [(d * (k - 1) - p, d * (k - 1) - p + op)
                for k, d, p, op in zip(kernel_size, dilation, padding, output_padding)]
        per_group_out = weight.shape[1]
        w = weight.reshape((groups, c // groups, per_group_out) + tuple(kernel_size)).swapaxes(1, 2)
        w = w.reshape((groups * per_group_out, c // groups) + tuple(kernel_size))
        w = np.flip(w, axis=tuple(range(2, 2 + nd)))
        out = convolve(stuffed, w, bias, [1] * nd, pads, dilation, groups)
        return as_array(out[0] if unbatched else out, x.dtype)

    return kernel


def _im2col(x: np.ndarray, kernel_size: Any, dilation: Any, padding: Any, stride: Any) -> np.ndarray:
    """``F.unfold``: every (C, kh, kw) block of a (N, C, H, W) input as a column: (N, C*kh*kw, L)."""
    xb, unbatched = (x[None], True) if x.ndim == 3 else (x, False)
    k, d = expand(kernel_size, 2, "kernel_size"), expand(dilation, 2, "dilation")
    p, s = expand(padding, 2, "padding"), expand(stride, 2, "stride")
    xp = np.pad(xb, [(0, 0), (0, 0), (p[0], p[0]), (p[1], p[1])])
    span = [(k_ - 1) * d_ + 1 for k_, d_ in zip(k, d)]
    if xp.shape[2] < span[0] or xp.shape[3] < span[1]:
        raise RuntimeError(f"Given input with spatial size {list(xb.shape[2:])}, kernel_size={k}, dilation={d}, "
                           f"padding={p}, calculated shape of the array of sliding blocks is non-positive")
    win = sliding_window_view(xp, span, axis=(2, 3))[:, :, ::s[0], ::s[1], ::d[0], ::d[1]]
    n, c, oh, ow = win.shape[:4]
    out = np.ascontiguousarray(win.transpose(0, 1, 4, 5, 2, 3)).reshape(n, c * k[0] * k[1], oh * ow)
    return out[0] if unbatched else out


def _col2im(cols: np.ndarray, output_size: Any, kernel_size: Any, dilation: Any, padding: Any,
            stride: Any) -> np.ndarray:
    """``F.fold``: sum the columns of ``F.unfold`` back into a (N, C, H, W) image."""
    cb, unbatched = (cols[None], True) if cols.ndim == 2 else (cols, False)
    size, k = expand(output_size, 2, "output_size"), expand(kernel_size, 2, "kernel_size")
    d, p, s = expand(dilation, 2, "dilation"), expand(padding, 2, "padding"), expand(stride, 2, "stride")
    blocks = [(size[i] + 2 * p[i] - d[i] * (k[i] - 1) - 1) // s[i] + 1 for i in range(2)]
    n, rows, length = cb.shape
    if rows % (k[0] * k[1]) or length != blocks[0] * blocks[1]:
        raise RuntimeError(f"Given output_size={size}, kernel_size={k}, dilation={d}, padding={p}, stride={s}, "
                           f"expected size of input's dimension 2 to match the calculated number of sliding "
                           f"blocks {blocks[0]} * {blocks[1]} = {blocks[0] * blocks[1]}, "
                           f"but got input.size(2)={length}.")
    c = rows // (k[0] * k[1])
    parts = cb.astype(np.float64).reshape(n, c, k[0], k[1], blocks[0], blocks[1])
    out = np.zeros((n, c, size[0] + 2 * p[0], size[1] + 2 * p[1]))
    for i in range(k[0]):
        for j in range(k[1]):
            out[:, :, i * d[0]:i * d[0] + s[0] * (blocks[0] - 1) + 1:s[0],
                j * d[1]:j * d[1] + s[1] * (blocks[1] - 1) + 1:s[1]] += parts[:, :, i, j]
    out = out[:, :, p[0]:p[0] + size[0], p[1]:p[1] + size[1]]
    return as_array(out[0] if unbatched else out, cols.dtype)


register("aten.im2col.default", _im2col)
register("aten.col2im.default", _col2im)
for _nd in (1, 2, 3):
    register(f"aten.conv{_nd}d.default", _conv(_nd))
    register(f"aten.conv{_nd}d.padding", _conv(_nd))
register("aten.conv_transpose1d.default", _conv_transpose(1))
register("aten.conv_transpose2d.input", _conv_transpose(2))
register("aten.conv_transpose3d.input", _conv_transpose(3))
