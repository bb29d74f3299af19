"""Grid sampling: ``grid_sampler`` / ``grid_sampler_2d`` / ``grid_sampler_3d``.

The grid holds, per output location, normalised source coordinates in [-1, 1]
(x for the last input dim first).  Modes: 0 bilinear (trilinear in 3-D),
1 nearest, 2 bicubic (2-D only); padding modes: 0 zeros, 1 border,
2 reflection; ``align_corners`` maps -1 and 1 to the corner pixels' centres
rather than their outer edges.  Coordinates are computed in the input's dtype,
the weighted sums in float64.
"""

from __future__ import annotations

import itertools

import numpy as np

from exportdb.exporter.ops.kernel_util import as_array
from exportdb.exporter.ops.table import register

_CUBIC_A = -0.75


def _unnormalize(coord: np.ndarray, size: int, align_corners: bool) -> np.ndarray:
    if align_corners:
        return (coord + 1) / 2 * (size - 1)
    return ((coord + 1) * size - 1) / 2


def _reflect(coord: np.ndarray, twice_low: int, twice_high: int) -> np.ndarray:
    """Fold ``coord`` back into [twice_low / 2, twice_high / 2] by reflecting at the ends."""
    if twice_low == twice_high:
        return np.zeros_like(coord)
    low = twice_low / 2
    span = (twice_high - twice_low) / 2
    distance = np.abs(coord - low)
    extra = np.fmod(distance, span)
    flips = np.floor(distance / span)
    return np.where(flips % 2 == 0, extra + low, span - extra + low).astype(coord.dtype)


def _pad_coordinate(coord: np.ndarray, size: int, padding_mode: int, align_corners: bool) -> np.ndarray:
    """Where a source coordinate reads under the padding mode (zeros: anywhere, reads outside give 0)."""
    if padding_mode == 1:
        return np.clip(coord, 0, size - 1)
    if padding_mode == 2:
        twice = (0, 2 * (size - 1)) if align_corners else (-1, 2 * size - 1)
        return np.clip(_reflect(coord, *twice), 0, size - 1)
    return coord


def _fetch(x: np.ndarray, index: list[np.ndarray]) -> np.ndarray:
    """``x[n, :, i, j(, k)]`` for integer positions of shape (N, *out): (N, C, *out), zero outside."""
    sizes = x.shape[2:]
    valid = np.ones(index[0].shape, bool)
    for i, size in zip(index, sizes):
        valid &= (i >= 0) & (i < size)
    clipped = [np.clip(i, 0, size - 1) for i, size in zip(index, sizes)]
    batch = np.arange(x.shape[0]).reshape((-1,) + (1,) * (index[0].ndim - 1))
    values = x[(batch, slice(None), *clipped)]  # (N, *out, C): the advanced indices' dims come first
    return np.moveaxis(values, -1, 1) * valid[:, None]


def _cubic_weights(t: np.ndarray) -> list[np.ndarray]:
    def near(s: np.ndarray) -> np.ndarray:
        return ((_CUBIC_A + 2) * s - (_CUBIC_A + 3)) * s * s + 1

    def far(s: np.ndarray) -> np.ndarray:
        return ((_CUBIC_A * s - 5 * _CUBIC_A) * s + 8 * _CUBIC_A) * s - 4 * _CUBIC_A

    return [far(t + 1), near(t), near(1 - t), far(2 - t)]


def _grid_sampler(x: np.ndarray, grid: np.ndarray, interpolation_mode: int, padding_mode: int,
                  align_corners: bool) -> np.ndarray:
    nd = x.ndim - 2
    if nd not in (2, 3) or grid.ndim != x.ndim or grid.shape[-1] != nd or grid.shape[0] != x.shape[0]:
        raise RuntimeError(f"grid_sampler(): expected a 4-D or 5-D input and a grid of the same batch with {nd} "
                           f"coordinates, but got input {list(x.shape)} and grid {list(grid.shape)}")
    if interpolation_mode == 2 and nd != 2:
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    sizes = x.shape[2:]
    g = grid.astype(x.dtype)
    source = [_unnormalize(g[..., nd - 1 - k], sizes[k], align_corners) for k in range(nd)]
    xw = x.astype(np.float64)
    if interpolation_mode == 2:
        base = [np.floor(s) for s in source]
        weights = [_cubic_weights((s - b).astype(np.float64)) for s, b in zip(source, base)]
        out = np.zeros(x.shape[:2] + grid.shape[1:-1])
        for taps in itertools.product(range(4), repeat=nd):
            where = [_pad_coordinate(b - 1 + t, size, padding_mode, align_corners).astype(np.int64)
                     for b, t, size in zip(base, taps, sizes)]
            weight = np.prod([w[t] for w, t in zip(weights, taps)], axis=0)
            out += weight[:, None] * _fetch(xw, where)
        return as_array(out, x.dtype)
    source = [_pad_coordinate(s, size, padding_mode, align_corners) for s, size in zip(source, sizes)]
    if interpolation_mode == 1:
        return as_array(_fetch(xw, [np.rint(s).astype(np.int64) for s in source]), x.dtype)
    base = [np.floor(s) for s in source]
    frac = [(s - b).astype(np.float64) for s, b in zip(source, base)]
    out = np.zeros(x.shape[:2] + grid.shape[1:-1])
    for corner in itertools.product((0, 1), repeat=nd):
        weight = np.prod([f if c else 1 - f for f, c in zip(frac, corner)], axis=0)
        out += weight[:, None] * _fetch(xw, [b.astype(np.int64) + c for b, c in zip(base, corner)])
    return as_array(out, x.dtype)


register("aten.grid_sampler.default", _grid_sampler)
register("aten.grid_sampler_2d.default", _grid_sampler)
register("aten.grid_sampler_3d.default", _grid_sampler)
