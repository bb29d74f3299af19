"""Discrete Fourier transforms (``torch.fft``, ``stft``, ``istft``) on NumPy's ``numpy.fft``.

torch.export 2.13 records the ``torch.fft`` functions as their own ATen ops
(``torch.fft.rfft2(x)`` is ``aten.fft_rfft2.default``), so each kernel takes the
op's arguments as recorded: ``n`` / ``s`` (output sizes along the transformed
dims; ``None``, or ``-1`` inside ``s``, for "the input's"), ``dim`` and ``norm``.

dtypes follow torch: a real input of float32 (or an integer or bool input,
promoted to the default float) gives complex64, float64 gives complex128;
the real-valued results (``irfft``, ``hfft``) are float32 / float64.  float16 is
refused, as torch does on the CPU.

NumPy has no ``hfftn`` / ``ihfftn``: they are the inverse real transforms of the
conjugated input with the normalisation swapped (``backward`` <-> ``forward``),
which is what ``numpy.fft.hfft`` does along one dim.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from exportdb.exporter.ir import dtypes
from exportdb.exporter.ir.dims import wrap_dim
from exportdb.exporter.ops.table import register

_NORMS = (None, "backward", "forward", "ortho")
_SWAPPED = {None: "forward", "backward": "forward", "forward": "backward", "ortho": "ortho"}
_COMPLEX_OF = {dtypes.float32: dtypes.complex64, dtypes.float64: dtypes.complex128}
_REAL_OF = {dtypes.complex64: dtypes.float32, dtypes.complex128: dtypes.float64}


def _checked_norm(norm: str | None) -> str | None:
    if norm not in _NORMS:
        raise ValueError(f'Invalid normalization mode: "{norm}"')
    return norm


def _working(a: np.ndarray, name: str, *, real_only: bool = False) -> tuple[np.ndarray, dtypes.DType]:
    """``a`` in double precision, and the real dtype of the result (float32 for ints and bools).

    The transforms run in float64 / complex128 and round once to the result's dtype: torch's
    float32 results differ from the exact ones by their own rounding, which the OpInfo
    tolerances allow for; a float32 computation of ours would add a different rounding."""
    dt = dtypes.from_numpy(a.dtype)
    if dt == dtypes.float16:
        raise TypeError("Unsupported dtype Half")
    if real_only and dt.is_complex:
        raise TypeError(f"{name} expects a real input tensor, but got {dt.name}")
    real = _REAL_OF.get(dt, dt) if dt.kind in "fc" else dtypes.DEFAULT_FLOAT
    return a.astype(np.complex128 if dt.is_complex else np.float64), real


def _check_points(n: int) -> None:
    if n < 1:
        raise ValueError(f"Invalid number of data points ({n}) specified")


def _one_dim(fn: Callable[..., np.ndarray], name: str, *, real_in: bool = False,
             real_out: bool = False) -> Callable[..., np.ndarray]:
    """Kernel of a transform along one dim: ``(self, n=None, dim=-1, norm=None)``."""
    def kernel(a: np.ndarray, n: int | None = None, dim: int = -1, norm: str | None = None) -> np.ndarray:
        x, real = _working(a, name, real_only=real_in)
        if x.ndim == 0:
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        axis = wrap_dim(dim, x.ndim)
        if n is None:  # the inverse real transforms default to 2 * (m - 1) output points
            n = 2 * (x.shape[axis] - 1) if real_out else x.shape[axis]
        _check_points(n)
        out = fn(x, n=n, axis=axis, norm=_checked_norm(norm))
        return np.asarray(out, dtype=real.np if real_out else _COMPLEX_OF[real].np)

    kernel.__name__ = name
    return kernel


def resolve_sizes_dims(ndim: int, s: Sequence[Any] | None, dim: Sequence[int] | None) -> tuple[list, list[int]]:
    """torch's reading of ``s`` and ``dim`` of an n-dimensional transform: ``(sizes, dims)``,
    where a size of ``None`` means "the input's" (or, for the last dim of an inverse
    real transform, ``2 * (m - 1)``).  Shared with the shape rule."""
    if s is not None and len(s) > ndim:
        raise ValueError(f"Got shape with {len(s)} values but input tensor only has {ndim} dimensions.")
    if dim is None:
        dims = list(range(ndim - len(s), ndim)) if s is not None else list(range(ndim))
    else:
        dims = [wrap_dim(d, ndim) for d in dim]
        if len(set(dims)) != len(dims):
            raise ValueError("FFT dims must be unique")
    if s is None:
        sizes: list = [None] * len(dims)
    else:
        if len(s) != len(dims):
            raise ValueError(f"When given, dim and shape arguments must have the same length, got {len(dims)} "
                             f"dims and {len(s)} sizes")
        sizes = [None if isinstance(size, int) and size == -1 else size for size in s]
    return sizes, dims


def _n_dim(kind: str, name: str, default_dim: list[int] | None) -> Callable[..., np.ndarray]:
    """Kernel of a transform over several dims: ``(self, s=None, dim=default_dim, norm=None)``.

    ``kind`` is ``c2c`` / ``ic2c`` (complex to complex, forward / inverse), ``r2c`` (rfftn),
    ``c2r`` (irfftn), ``h2r`` (hfftn) or ``r2h`` (ihfftn)."""
    real_out = kind in ("c2r", "h2r")

    def kernel(a: np.ndarray, s: Sequence[int] | None = None, dim: Sequence[int] | None = default_dim,
               norm: str | None = None) -> np.ndarray:
        x, real = _working(a, name, real_only=kind in ("r2c", "r2h"))
        result = real if real_out else _COMPLEX_OF[real]
        sizes, dims = resolve_sizes_dims(x.ndim, s, dim)
        norm = _checked_norm(norm)
        if not dims:
            if kind not in ("c2c", "ic2c"):
                raise ValueError(f"{name} must transform at least one axis")
            return np.array(x, dtype=result.np)
        if real_out and sizes[-1] is None:
            sizes[-1] = 2 * (x.shape[dims[-1]] - 1)
        shape = [size if size is not None else x.shape[d] for size, d in zip(sizes, dims)]
        for size in shape:
            _check_points(size)
        return np.asarray(_TRANSFORMS[kind](x, shape, dims, norm), dtype=result.np)

    kernel.__name__ = name
    return kernel


_TRANSFORMS: dict[str, Callable[..., np.ndarray]] = {
    "c2c": np.fft.fftn,
    "ic2c": np.fft.ifftn,
    "r2c": np.fft.rfftn,
    "c2r": np.fft.irfftn,
    "h2r": lambda x, shape, dims, norm: np.fft.irfftn(np.conj(x), shape, dims, _SWAPPED[norm]),
    "r2h": lambda x, shape, dims, norm: np.conj(np.fft.rfftn(x, shape, dims, _SWAPPED[norm])),
}


def _shift(inverse: bool) -> Callable[..., np.ndarray]:
    def kernel(a: np.ndarray, dim: Sequence[int] | None = None) -> np.ndarray:
        if dim is not None and not dim:
            raise ValueError("`shifts` required")
        axes = None if dim is None else [wrap_dim(d, a.ndim) for d in dim]
        return (np.fft.ifftshift if inverse else np.fft.fftshift)(a, axes=axes)

    return kernel


def _window(n_fft: int, win: int, window: np.ndarray | None) -> np.ndarray:
    """The window (ones by default) centred in ``n_fft`` points."""
    taper = np.zeros(n_fft, dtype=np.complex128 if window is not None and window.dtype.kind == "c" else np.float64)
    left = (n_fft - win) // 2
    taper[left:left + win] = 1.0 if window is None else window
    return taper


def stft_layout(n_fft: int, hop_length: int | None, win_length: int | None) -> tuple[int, int]:
    """``(hop, win)``: the defaults of ``stft`` filled in (a quarter of ``n_fft``, and ``n_fft``)."""
    return (n_fft // 4 if hop_length is None else hop_length), (n_fft if win_length is None else win_length)


def _stft(a: np.ndarray, n_fft: int, hop_length: int | None = None, win_length: int | None = None,
          window: np.ndarray | None = None, normalized: bool = False, onesided: bool | None = None,
          return_complex: bool | None = None, align_to_window: bool | None = None) -> np.ndarray:
    """Short-time Fourier transform of a 1-D signal or a batch of them: ``(..., freq, frames)``.

    Frame ``m`` starts at ``m * hop``; the window (ones by default, centred in ``n_fft`` when
    shorter) multiplies each frame before its DFT."""
    x, real = _working(a, "stft")
    hop, win = stft_layout(n_fft, hop_length, win_length)
    length = x.shape[-1] if x.ndim in (1, 2) else 0
    if x.ndim not in (1, 2):
        raise ValueError(f"stft: expected a 1D or 2D tensor, but got {x.ndim}D")
    if not 0 < n_fft <= length:
        raise ValueError(f"stft: expected 0 < n_fft < {length}, but got n_fft={n_fft}")
    if hop <= 0:
        raise ValueError(f"stft: expected hop_length > 0, but got hop_length={hop}")
    if not 0 < win <= n_fft:
        raise ValueError(f"stft: expected 0 < win_length <= n_fft, but got win_length={win}")
    if window is not None and (window.ndim != 1 or window.shape[0] != win):
        raise ValueError(f"stft: expected a 1D window tensor of size equal to win_length={win}, but got window "
                         f"with size {list(window.shape)}")
    complex_in = x.dtype.kind == "c" or (window is not None and window.dtype.kind == "c")
    if onesided is None:
        onesided = not complex_in
    elif onesided and complex_in:
        raise ValueError("Cannot have onesided output if window or input is complex")
    if return_complex is None and not complex_in:
        raise ValueError("stft requires the return_complex parameter be given for real inputs")
    taper = _window(n_fft, win, window)
    if window is not None and window.dtype.kind in "fc":
        real = dtypes.promote_types(real, _working(window, "stft")[1])
    frames = np.lib.stride_tricks.sliding_window_view(x, n_fft, axis=-1)[..., ::hop, :] * taper
    spectrum = (np.fft.rfft if onesided else np.fft.fft)(frames, axis=-1, norm="ortho" if normalized else None)
    out = np.asarray(np.swapaxes(spectrum, -1, -2), dtype=_COMPLEX_OF[real].np)
    return out if return_complex or return_complex is None else np.stack([out.real, out.imag], axis=-1)


def istft_length(n_fft: int, hop: int, frames: Any, center: bool, length: Any) -> Any:
    """Points of ``istft``'s output: ``length`` when given, else what the frames cover (less the
    centring padding).  Shared with the shape rule."""
    if length is not None:
        return length
    covered = n_fft + hop * (frames - 1)
    return covered - 2 * (n_fft // 2) if center else covered


def _istft(a: np.ndarray, n_fft: int, hop_length: int | None = None, win_length: int | None = None,
           window: np.ndarray | None = None, center: bool = True, normalized: bool = False,
           onesided: bool | None = None, length: int | None = None, return_complex: bool = False) -> np.ndarray:
    """Inverse of :func:`_stft`: each frame's inverse DFT times the window, overlapped and added,
    divided by the overlapped squared window."""
    if a.dtype.kind != "c":
        raise TypeError("istft requires a complex-valued input tensor")
    if a.ndim not in (2, 3):
        raise ValueError(f"istft: expected a tensor with 2 or 3 dimensions of complex values, but got {a.ndim}")
    x, real = _working(a, "istft")
    hop, win = stft_layout(n_fft, hop_length, win_length)
    freq, frames = x.shape[-2:]
    if onesided is None:
        onesided = freq != n_fft
    if freq != (n_fft // 2 + 1 if onesided else n_fft):
        raise ValueError(f"istft: expected the frequency dimension (dim -2) of the input to equal "
                         f"{n_fft // 2 + 1 if onesided else n_fft}, but got {freq}")
    if not 0 < win <= n_fft:
        raise ValueError(f"istft: expected 0 < win_length <= n_fft, but got win_length={win}")
    if onesided and return_complex:
        raise ValueError("cannot have onesided output if window or input is complex")
    taper = _window(n_fft, win, window)
    spectra = np.swapaxes(x, -1, -2) * (np.sqrt(n_fft) if normalized else 1.0)
    pieces = (np.fft.irfft(spectra, n_fft, axis=-1) if onesided else np.fft.ifft(spectra, axis=-1)) * taper
    covered = n_fft + hop * (frames - 1)
    signal = np.zeros(pieces.shape[:-2] + (covered,), dtype=pieces.dtype)
    envelope = np.zeros(covered)
    for m in range(frames):
        signal[..., m * hop:m * hop + n_fft] += pieces[..., m, :]
        envelope[m * hop:m * hop + n_fft] += np.abs(taper) ** 2
    start = n_fft // 2 if center else 0
    stop = istft_length(n_fft, hop, frames, center, length) + start
    signal, envelope = signal[..., start:stop], envelope[start:stop]
    if envelope.size and envelope.min() < 1e-11:
        raise ValueError("istft: window overlap add min: 0 (the window's overlap-add must not be zero)")
    signal = signal / envelope
    if length is not None and signal.shape[-1] < length:
        signal = np.concatenate([signal, np.zeros(signal.shape[:-1] + (length - signal.shape[-1],))], axis=-1)
    if not return_complex:
        signal = signal.real
    return np.asarray(signal, dtype=_COMPLEX_OF[real].np if return_complex else real.np)


register("aten.stft.default", _stft)
register("aten.istft.default", _istft)
register("aten.fft_fft.default", _one_dim(np.fft.fft, "fft"))
register("aten.fft_ifft.default", _one_dim(np.fft.ifft, "ifft"))
register("aten.fft_rfft.default", _one_dim(np.fft.rfft, "rfft", real_in=True))
register("aten.fft_irfft.default", _one_dim(np.fft.irfft, "irfft", real_out=True))
register("aten.fft_hfft.default", _one_dim(np.fft.hfft, "hfft", real_out=True))
register("aten.fft_ihfft.default", _one_dim(np.fft.ihfft, "ihfft", real_in=True))
for _prefix, _kind in (("", "c2c"), ("i", "ic2c"), ("r", "r2c"), ("ir", "c2r"), ("h", "h2r"), ("ih", "r2h")):
    register(f"aten.fft_{_prefix}fft2.default", _n_dim(_kind, f"{_prefix}fft2", [-2, -1]))
    register(f"aten.fft_{_prefix}fftn.default", _n_dim(_kind, f"{_prefix}fftn", None))
def _frequencies(real_half: bool) -> Callable[..., np.ndarray]:
    """``fftfreq`` / ``rfftfreq``: the sample frequencies of an ``n``-point transform, ``d`` apart in
    time: ``k / (n * d)`` for ``k = 0, 1, ...`` (then the negative ones, unless ``rfftfreq``)."""
    def kernel(n: int, d: float = 1.0, *, dtype: dtypes.DType | None = None, **_: Any) -> np.ndarray:
        if n < 0:
            raise ValueError(f"Trying to create tensor with negative dimension {n}: [{n}]")
        k = np.arange(n // 2 + 1) if real_half else np.concatenate([np.arange((n + 1) // 2), np.arange(-(n // 2), 0)])
        with np.errstate(all="ignore"):  # rfftfreq(0) is [nan], as in torch
            out = k / np.float64(n * d)
        return out.astype((dtype or dtypes.DEFAULT_FLOAT).np)

    return kernel


register("aten.fft_fftfreq.default", _frequencies(False))
register("aten.fft_rfftfreq.default", _frequencies(True))
register("aten.fft_fftshift.default", _shift(False))
register("aten.fft_ifftshift.default", _shift(True))
