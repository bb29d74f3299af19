"""Shape rules of the Fourier transforms (``aten.fft_*``, ``stft``, ``istft``) and the complex-number ops.

Along each transformed dim the output has ``n`` points (the given size, else the input's);
the real-to-complex transforms (``rfft``, ``ihfft`` and their n-D forms) keep
``n // 2 + 1`` of them on the last transformed dim, and the complex-to-real ones
(``irfft``, ``hfft``) default that dim to ``2 * (m - 1)`` points.
"""

from __future__ import annotations

from typing import Any

from exportdb.exporter.ops.spectral import istft_length, resolve_sizes_dims, stft_layout
from exportdb.exporter.symbolic.shape_env import SymInt
from exportdb.exporter.symbolic.shape_rules.core import broadcast, rule, shape_of, wrap_dim

#: transform name -> how its last transformed dim is sized: "c2c", "r2c" (halved) or "c2r".
_KINDS = {"fft": "c2c", "ifft": "c2c", "rfft": "r2c", "ihfft": "r2c", "irfft": "c2r", "hfft": "c2r"}


def _fit(m: Any, points: Any) -> None:
    """torch crops the input's ``m`` points to ``points`` when there are more and zero-pads them when
    there are fewer: the comparisons, in that order, guard a symbolic ``m`` (``m > points`` first, so a
    range that allows fewer points is refused on the guard torch's suggested fix answers)."""
    if isinstance(m, SymInt) and not bool(m > points):
        bool(m < points)


def _last_size(kind: str, given: Any, m: Any) -> Any:
    """Output points along the last transformed dim of input size ``m`` (``given``: the requested size or None)."""
    if kind == "c2r":
        if given is None:
            return 2 * (m - 1)
        _fit(m, given // 2 + 1)
        return given
    if given is None:
        return m // 2 + 1 if kind == "r2c" else m
    _fit(m, given)
    return given // 2 + 1 if kind == "r2c" else given


def _one_dim(kind: str):
    def shape(a: Any, n: Any = None, dim: int = -1, norm: str | None = None) -> tuple:
        out = list(shape_of(a))
        axis = wrap_dim(dim, len(out))
        out[axis] = _last_size(kind, n, out[axis])
        return tuple(out)

    return shape


def _n_dim(kind: str, default_dim: list[int] | None):
    def shape(a: Any, s: Any = None, dim: Any = default_dim, norm: str | None = None) -> tuple:
        out = list(shape_of(a))
        sizes, dims = resolve_sizes_dims(len(out), s, dim)
        for i, (size, d) in enumerate(zip(sizes, dims)):
            if i == len(dims) - 1:
                out[d] = _last_size(kind, size, out[d])
            elif size is not None:
                _fit(out[d], size)
                out[d] = size
        return tuple(out)

    return shape


for _name, _kind in _KINDS.items():
    rule(f"aten.fft_{_name}.default")(_one_dim(_kind))
    rule(f"aten.fft_{_name}2.default")(_n_dim(_kind, [-2, -1]))
    rule(f"aten.fft_{_name}n.default")(_n_dim(_kind, None))


@rule("aten.fft_fftshift.default", "aten.fft_ifftshift.default", "aten.real.default", "aten.imag.default",
      "aten.angle.default", "aten._conj.default", "aten.conj_physical.default", "aten.resolve_conj.default",
      "aten.resolve_neg.default")
def _same_shape(a: Any, *args: Any, **kwargs: Any) -> tuple:
    return shape_of(a)


@rule("aten.fft_fftfreq.default")
def _fftfreq(n: Any, *args: Any, **kwargs: Any) -> tuple:
    return (n,)


@rule("aten.fft_rfftfreq.default")
def _rfftfreq(n: Any, *args: Any, **kwargs: Any) -> tuple:
    return (n // 2 + 1,)


@rule("aten.view_as_complex.default")
def _view_as_complex(a: Any) -> tuple:
    return shape_of(a)[:-1]


@rule("aten.view_as_real.default")
def _view_as_real(a: Any) -> tuple:
    return (*shape_of(a), 2)


@rule("aten.complex.default", "aten.polar.default")
def _broadcast(a: Any, b: Any) -> tuple:
    return broadcast(shape_of(a), shape_of(b))


@rule("aten.stft.default")
def _stft(a: Any, n_fft: int, hop_length: Any = None, win_length: Any = None, window: Any = None,
          normalized: bool = False, onesided: bool | None = None, return_complex: bool | None = None,
          align_to_window: bool | None = None) -> tuple:
    """``(..., freq, frames)``: ``n_fft // 2 + 1`` frequencies one-sided, ``n_fft`` two-sided; one
    frame per hop that fits ``n_fft`` points; a trailing 2 for ``return_complex=False``."""
    shape = shape_of(a)
    hop, _ = stft_layout(n_fft, hop_length, win_length)
    if onesided is None:
        onesided = not (a.dtype.is_complex or (window is not None and window.dtype.is_complex))
    out = (*shape[:-1], n_fft // 2 + 1 if onesided else n_fft, 1 + (shape[-1] - n_fft) // hop)
    return out if return_complex is not False else (*out, 2)


@rule("aten.istft.default")
def _istft(a: Any, n_fft: int, hop_length: Any = None, win_length: Any = None, window: Any = None,
           center: bool = True, normalized: bool = False, onesided: bool | None = None, length: Any = None,
           return_complex: bool = False) -> tuple:
    """``(..., points)``: the batch dims, then the signal the frames cover (or ``length``)."""
    shape = shape_of(a)
    hop, _ = stft_layout(n_fft, hop_length, win_length)
    return (*shape[:-2], istft_length(n_fft, hop, shape[-1], center, length))
