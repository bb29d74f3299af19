"""``torch.fft``: discrete Fourier transforms and the frequency shifts.

torch.export 2.13 records each function as its own ATen op with the arguments
laid out by the op's schema, ``norm`` positional::

    torch.fft.rfft(x, n=10, dim=1, norm="ortho")   -> aten.fft_rfft.default(x, 10, 1, 'ortho')
    torch.fft.fft2(x, norm="ortho")                -> aten.fft_fft2.default(x, None, [-2, -1], 'ortho')
    torch.fft.fftn(x, dim=0)                       -> aten.fft_fftn.default(x, None, [0])
    torch.fft.fftshift(x, dim=(0, 1))              -> aten.fft_fftshift.default(x, [0, 1])

A ``dim`` given as one int is a one-element list, tuples are lists.  ``out=`` is refused.

``torch.stft`` (a ``torch`` function) pads a centred signal in Python first, so torch.export
records ``view``, ``pad`` and ``view`` before ``aten.stft.default``::

    torch.stft(x, 10, return_complex=True)   # x: f32[100]
    -> view = aten.view.default(x, [1, 1, 100]); pad = aten.pad.default(view, [5, 5], 'reflect')
       view_1 = aten.view.default(pad, [110])
       stft = aten.stft.default(view_1, 10, None, None, None, False, None, True)
"""

from __future__ import annotations

from typing import Any

from exportdb.errors import UnsupportedAPIError
from exportdb.exporter.frontend.functions import _factory_kwargs
from exportdb.exporter.ops import aten
from exportdb.exporter.trace.dispatch import call
from exportdb.exporter.trace.user_frames import user_location

#: The transforms; each has a one-dim form (``rfft``), a 2-D one (``rfft2``) and an n-D one (``rfftn``).
_TRANSFORMS = ("fft", "ifft", "rfft", "irfft", "hfft", "ihfft")


def _no_out(name: str, out: Any) -> None:
    if out is not None:
        raise UnsupportedAPIError(f"torch.fft.{name}(..., out=...) is not provided by the built-in front end",
                                  location=user_location(), hint="assign the result instead: y = torch.fft.f(x)")


def _int_list(value: Any) -> list | None:
    """``dim`` / ``s`` as the schema's list: None stays None, one int is a one-element list."""
    if value is None:
        return None
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _one_dim(name: str):
    def fn(input: Any, n: Any = None, dim: int = -1, norm: str | None = None, *, out: Any = None) -> Any:  # noqa: A002
        _no_out(name, out)
        return call(aten(f"fft_{name}.default"), input, n, dim, norm)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"``torch.fft.{name}``: ``aten.fft_{name}.default``."
    return fn


def _n_dim(name: str, default_dim: tuple[int, ...] | None):
    def fn(input: Any, s: Any = None, dim: Any = default_dim, norm: str | None = None, *,  # noqa: A002
           out: Any = None) -> Any:
        _no_out(name, out)
        return call(aten(f"fft_{name}.default"), input, _int_list(s), _int_list(dim), norm)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"``torch.fft.{name}``: ``aten.fft_{name}.default``."
    return fn


def _shift(name: str):
    def fn(input: Any, dim: Any = None) -> Any:  # noqa: A002
        return call(aten(f"fft_{name}.default"), input, _int_list(dim))

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"``torch.fft.{name}``: ``aten.fft_{name}.default``."
    return fn


def stft(input: Any, n_fft: int, hop_length: int | None = None, win_length: int | None = None,  # noqa: A002
         window: Any = None, center: bool = True, pad_mode: str = "reflect", normalized: bool = False,
         onesided: bool | None = None, return_complex: bool | None = None, align_to_window: bool | None = None) -> Any:
    """``torch.stft``: centring pads the signal by ``n_fft // 2`` on both sides (as a 3-D view, which
    ``pad``'s reflect mode needs), then ``aten.stft.default`` takes every argument positionally."""
    if align_to_window:
        raise UnsupportedAPIError("torch.stft(..., align_to_window=True) is not provided by the built-in front end",
                                  location=user_location(), hint="leave align_to_window unset")
    if center:
        ndim = input.dim()
        extended = [1] * (3 - ndim) + list(input.shape)
        half = n_fft // 2
        padded = call(aten("pad.default"), input.view(extended), [half, half], pad_mode)
        input = padded.view(list(padded.shape[-ndim:]))
    return call(aten("stft.default"), input, n_fft, hop_length, win_length, window, normalized, onesided,
                return_complex)


def istft(input: Any, n_fft: int, hop_length: int | None = None, win_length: int | None = None,  # noqa: A002
          window: Any = None, center: bool = True, normalized: bool = False, onesided: bool | None = None,
          length: int | None = None, return_complex: bool = False) -> Any:
    """``torch.istft``: ``aten.istft.default``, arguments positional."""
    return call(aten("istft.default"), input, n_fft, hop_length, win_length, window, center, normalized, onesided,
                length, return_complex)


def _frequencies(name: str):
    """``fftfreq`` / ``rfftfreq``: factories, recorded with ``device`` and ``pin_memory`` (and ``dtype`` when given)."""
    def fn(n: Any, d: float = 1.0, *, out: Any = None, dtype: Any = None, layout: Any = None, device: Any = None,
           requires_grad: bool = False) -> Any:
        _no_out(name, out)
        return call(aten(f"fft_{name}.default"), n, d, **_factory_kwargs(dtype))

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"``torch.fft.{name}``: ``aten.fft_{name}.default``."
    return fn


#: ``torch.fft``'s functions.
FFT: dict[str, Any] = {
    **{name: _one_dim(name) for name in _TRANSFORMS},
    **{f"{name}2": _n_dim(f"{name}2", (-2, -1)) for name in _TRANSFORMS},
    **{f"{name}n": _n_dim(f"{name}n", None) for name in _TRANSFORMS},
    "fftfreq": _frequencies("fftfreq"),
    "rfftfreq": _frequencies("rfftfreq"),
    "fftshift": _shift("fftshift"),
    "ifftshift": _shift("ifftshift"),
}
#: Names the ``torch`` module gets.
NAMESPACE: dict[str, Any] = {"stft": stft, "istft": istft}
