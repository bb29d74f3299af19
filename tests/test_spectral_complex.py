"""torch.fft and complex numbers: the nodes torch.export 2.13 records and the values of eager PyTorch.

``ours`` is exportdb's front end; ``real`` is the installed torch (the value tests skip without it).
The expected node texts were checked against ``print(torch.export.export(M(), args, strict=True))``.
"""

from __future__ import annotations

import numpy as np
import pytest

from exporter_helpers import Call, body, export_and_lint, torch as ours

from exportdb.errors import ExportError
from exportdb.exporter.symbolic.dim_types import Dim

RNG = np.random.default_rng(7)
X3 = RNG.uniform(-9, 9, (5, 6, 7)).astype(np.float32)
X2 = RNG.uniform(-9, 9, (4, 5)).astype(np.float32)
PAIRS = RNG.standard_normal((6, 2)).astype(np.float32)
INTS = np.array([[-1, 0, 3], [2, -5, 0]], dtype=np.int64)



class _Two(Call):
    def forward(self, x, y):
        return self.fn(x, y)


class _Three(Call):
    def forward(self, x, y, z):
        return self.fn(x, y, z)


def _export(fn, *arrays, **options):
    model = (Call, _Two, _Three)[len(arrays) - 1](fn)
    return export_and_lint(model, tuple(ours.from_numpy(a.copy()) for a in arrays), **options)


# -- recorded nodes -------------------------------------------------------------------
RECORDED = [
    (lambda t, x: t.fft.fft(x, n=10, dim=1, norm="ortho"),
     'fft_fft: "c64[5, 10, 7]" = torch.ops.aten.fft_fft.default(x, 10, 1, \'ortho\')'),
    (lambda t, x: t.fft.fft(x, dim=-1), 'fft_fft: "c64[5, 6, 7]" = torch.ops.aten.fft_fft.default(x)'),
    (lambda t, x: t.fft.rfft(x, dim=-3), 'fft_rfft: "c64[3, 6, 7]" = torch.ops.aten.fft_rfft.default(x, None, -3)'),
    (lambda t, x: t.fft.irfft(x, norm="ortho"),
     'fft_irfft: "f32[5, 6, 12]" = torch.ops.aten.fft_irfft.default(x, None, -1, \'ortho\')'),
    (lambda t, x: t.fft.ihfft(x, n=7), 'fft_ihfft: "c64[5, 6, 4]" = torch.ops.aten.fft_ihfft.default(x, 7)'),
    (lambda t, x: t.fft.fft2(x, norm="ortho"),
     'fft_fft2: "c64[5, 6, 7]" = torch.ops.aten.fft_fft2.default(x, None, [-2, -1], \'ortho\')'),
    (lambda t, x: t.fft.hfft2(x, dim=0), 'fft_hfft2: "f32[8, 6, 7]" = torch.ops.aten.fft_hfft2.default(x, None, [0])'),
    (lambda t, x: t.fft.rfft2(x, s=(3, 10), dim=(1, 2), norm="ortho"),
     'fft_rfft2: "c64[5, 3, 6]" = torch.ops.aten.fft_rfft2.default(x, [3, 10], [1, 2], \'ortho\')'),
    (lambda t, x: t.fft.fftn(x, norm="ortho"),
     'fft_fftn: "c64[5, 6, 7]" = torch.ops.aten.fft_fftn.default(x, None, None, \'ortho\')'),
    (lambda t, x: t.fft.irfftn(x, s=(8,)), 'fft_irfftn: "f32[5, 6, 8]" = torch.ops.aten.fft_irfftn.default(x, [8])'),
    (lambda t, x: t.fft.ihfftn(x, dim=(0, -1)),
     'fft_ihfftn: "c64[5, 6, 4]" = torch.ops.aten.fft_ihfftn.default(x, None, [0, -1])'),
    (lambda t, x: t.fft.fftshift(x, dim=(0, 2)),
     'fft_fftshift: "f32[5, 6, 7]" = torch.ops.aten.fft_fftshift.default(x, [0, 2])'),
    (lambda t, x: t.fft.ifftshift(x), 'fft_ifftshift: "f32[5, 6, 7]" = torch.ops.aten.fft_ifftshift.default(x)'),
    (lambda t, x: t.angle(x), 'angle: "f32[5, 6, 7]" = torch.ops.aten.angle.default(x)'),
    (lambda t, x: t.conj_physical(x), 'conj_physical: "f32[5, 6, 7]" = torch.ops.aten.conj_physical.default(x)'),
    (lambda t, x: t.complex(x, x[0]), 'complex_1: "c64[5, 6, 7]" = torch.ops.aten.complex.default(x, select)'),
    (lambda t, x: t.polar(x, x), 'polar: "c64[5, 6, 7]" = torch.ops.aten.polar.default(x, x)'),
    (lambda t, x: x.cdouble(), 'to: "c128[5, 6, 7]" = torch.ops.aten.to.dtype(x, torch.complex128)'),
]


@pytest.mark.parametrize("fn,line", RECORDED, ids=[r[1].split(":")[0] for r in RECORDED])
def test_recorded_node(fn, line):
    lines = [text.split(";")[0] for text in body(_export(lambda x: fn(ours, x), X3))]
    assert line in lines, lines


def test_complex_views_and_lazy_conjugation():
    """conj() of a complex tensor is aten._conj; resolve_conj of it is a new node; x.real and
    friends of a complex tensor are their own ops."""
    def fn(x):
        c = ours.view_as_complex(x)
        a = c.conj()
        return a, a.resolve_conj(), c.real, c.imag, ours.view_as_real(c), c.abs()

    lines = [text.split(";")[0] for text in body(_export(fn, PAIRS))]
    assert lines == [
        'view_as_complex: "c64[6]" = torch.ops.aten.view_as_complex.default(x)',
        '_conj: "c64[6]" = torch.ops.aten._conj.default(view_as_complex)',
        'resolve_conj: "c64[6]" = torch.ops.aten.resolve_conj.default(_conj)',
        'real: "f32[6]" = torch.ops.aten.real.default(view_as_complex)',
        'imag: "f32[6]" = torch.ops.aten.imag.default(view_as_complex)',
        'view_as_real: "f32[6, 2]" = torch.ops.aten.view_as_real.default(view_as_complex)',
        'abs_1: "f32[6]" = torch.ops.aten.abs.default(view_as_complex)',
        "return (_conj, resolve_conj, real, imag, view_as_real, abs_1)",
    ]


def test_conjugate_bit_follows_views_and_double_conjugation():
    """conj().conj() has no conjugate bit (resolve_conj returns it, later uses read that node);
    a view of a conjugate keeps the bit (resolve_conj makes a new tensor, the view stays)."""
    def fn(x):
        c = ours.view_as_complex(x)
        d = c.conj().conj()
        e = d.resolve_conj()
        v = c.conj().t()
        return e, d + 1, v.resolve_conj(), v * 2

    lines = [text.split(";")[0] for text in body(_export(fn, PAIRS.reshape(3, 2, 2)))]
    assert lines[3:] == [
        'resolve_conj: "c64[3, 2]" = torch.ops.aten.resolve_conj.default(_conj_1)',
        '_conj_2: "c64[3, 2]" = torch.ops.aten._conj.default(view_as_complex)',
        't: "c64[2, 3]" = torch.ops.aten.t.default(_conj_2)',
        'add: "c64[3, 2]" = torch.ops.aten.add.Tensor(resolve_conj, 1)',
        'resolve_conj_1: "c64[2, 3]" = torch.ops.aten.resolve_conj.default(t)',
        'mul: "c64[2, 3]" = torch.ops.aten.mul.Tensor(t, 2)',
        "return (resolve_conj, add, resolve_conj_1, mul)",
    ]


def test_ops_returning_their_input_are_read_through_their_node():
    """resolve_conj / resolve_neg / real of a real tensor return it: later uses read the new node;
    conj() of a real tensor records nothing."""
    def fn(x, y, z):
        a = ours.resolve_conj(x)
        b = x + 1
        c = ours.real(y)
        d = y * 2
        e = ours.conj(z)
        return a, b, c, d, e, z + 1

    lines = [text.split(";")[0] for text in body(_export(fn, X2, X2, X2))]
    assert lines == [
        'resolve_conj: "f32[4, 5]" = torch.ops.aten.resolve_conj.default(x)',
        'add: "f32[4, 5]" = torch.ops.aten.add.Tensor(resolve_conj, 1)',
        'real: "f32[4, 5]" = torch.ops.aten.real.default(y)',
        'mul: "f32[4, 5]" = torch.ops.aten.mul.Tensor(real, 2)',
        'add_1: "f32[4, 5]" = torch.ops.aten.add.Tensor(z, 1)',
        "return (resolve_conj, add, real, mul, z, add_1)",
    ]


# -- values against eager torch ---------------------------------------------------------
def _complex_input(t, x):
    return t.view_as_complex(x.reshape(5, 21, 2))


VALUES = [
    ("fft_ortho", lambda t, x: t.fft.fft(x, n=10, dim=1, norm="ortho"), X3),
    ("fft_crop", lambda t, x: t.fft.fft(x, n=4, dim=0), X3),
    ("ifft_forward", lambda t, x: t.fft.ifft(x, norm="forward"), X3),
    ("rfft", lambda t, x: t.fft.rfft(x, dim=-2), X3),
    ("irfft_n", lambda t, x: t.fft.irfft(x, n=9), X3),
    ("hfft", lambda t, x: t.fft.hfft(x, dim=0), X3),
    ("ihfft", lambda t, x: t.fft.ihfft(x, norm="ortho"), X3),
    ("fft2_s", lambda t, x: t.fft.fft2(x, s=(3, 10), dim=(1, 2)), X3),
    ("ifft2", lambda t, x: t.fft.ifft2(x), X3),
    ("rfft2", lambda t, x: t.fft.rfft2(x, dim=(0, -1), norm="forward"), X3),
    ("irfft2", lambda t, x: t.fft.irfft2(x, s=(6, 8)), X3),
    ("hfft2_three_dims", lambda t, x: t.fft.hfft2(x, dim=(-3, -2, -1)), X3),
    ("ihfft2", lambda t, x: t.fft.ihfft2(x, s=(3, 10), dim=(1, 2), norm="ortho"), X3),
    ("fftn", lambda t, x: t.fft.fftn(x), X3),
    ("fftn_pad_last", lambda t, x: t.fft.fftn(x, s=(-1, 9)), X3),
    ("ifftn", lambda t, x: t.fft.ifftn(x, dim=-2, norm="ortho"), X3),
    ("rfftn", lambda t, x: t.fft.rfftn(x, s=(8,)), X3),
    ("irfftn", lambda t, x: t.fft.irfftn(x), X3),
    ("hfftn", lambda t, x: t.fft.hfftn(x, dim=(0, -1), norm="backward"), X3),
    ("ihfftn", lambda t, x: t.fft.ihfftn(x, s=(4, 4, 4)), X3),
    ("fftshift", lambda t, x: t.fft.fftshift(x, dim=1), X3),
    ("ifftshift", lambda t, x: t.fft.ifftshift(x), X3),
    ("fft_of_complex", lambda t, x: t.fft.fft(_complex_input(t, x), dim=0), X3),
    ("irfftn_of_complex", lambda t, x: t.fft.irfftn(_complex_input(t, x), norm="ortho"), X3),
    ("hfft_of_conj", lambda t, x: t.fft.hfft(_complex_input(t, x).conj(), n=11), X3),
    ("fft_of_ints", lambda t, i: t.fft.fft2(i), INTS),
    ("irfft_of_ints", lambda t, i: t.fft.irfft(i), INTS),
    ("fft_double", lambda t, x: t.fft.rfftn(x.double()), X2),
    ("angle_real", lambda t, x: t.angle(x - 1), X2),
    ("angle_ints", lambda t, i: t.angle(i), INTS),
    ("angle_complex", lambda t, x: t.angle(_complex_input(t, x)), X3),
    ("complex_broadcast", lambda t, x: t.complex(x, x[:1]), X2),
    ("polar", lambda t, x: t.polar(x.abs(), x), X2),
    ("view_as_real", lambda t, x: t.view_as_real(_complex_input(t, x) * 2j), X3),
    ("real_imag", lambda t, x: _complex_input(t, x).real - _complex_input(t, x).imag, X3),
    ("conj", lambda t, x: t.conj(_complex_input(t, x)).resolve_conj() + 1, X3),
    ("conj_physical", lambda t, x: t.conj_physical(_complex_input(t, x)), X3),
    ("cfloat", lambda t, x: x.cfloat() * (1 + 2j), X2),
    ("cdouble", lambda t, x: x.cdouble(), X2),
    ("complex_abs", lambda t, x: _complex_input(t, x).abs(), X3),
]


@pytest.mark.parametrize("name,fn,array", VALUES, ids=[v[0] for v in VALUES])
def test_values_match_eager_torch(name, fn, array):
    real = pytest.importorskip("torch", reason="values are compared against eager PyTorch")
    theirs = fn(real, real.from_numpy(array.copy())).resolve_conj()
    for mine in (fn(ours, ours.from_numpy(array.copy())), _export(lambda x: fn(ours, x), array).module()(
            ours.from_numpy(array.copy()))):
        assert mine._value.shape == tuple(theirs.shape) and mine.dtype.name == str(theirs.dtype)[6:]
        np.testing.assert_allclose(mine._value, theirs.numpy(), rtol=1.3e-6, atol=1e-5)


# -- errors -------------------------------------------------------------------------------
ERRORS = [
    (lambda t, x: t.fft.rfft(_complex_input(t, x)), "expects a real input"),
    (lambda t, x: t.fft.fft(x, norm="bad"), "Invalid normalization mode"),
    (lambda t, x: t.fft.fft(x, n=0), r"Invalid number of data points \(0\)"),
    (lambda t, x: t.fft.irfft(x[:, :, :1]), r"Invalid number of data points \(0\)"),
    (lambda t, x: t.fft.fftn(x, s=(3, 4), dim=(0,)), "same length"),
    (lambda t, x: t.fft.fft2(x, dim=(1, 1)), "unique"),
    (lambda t, x: t.fft.fft(x.half()), "Half"),
    (lambda t, x: x.imag, "non-complex"),
    (lambda t, x: t.view_as_complex(x), "last dimension of size 2"),
    (lambda t, x: t.complex(x, x.double()), "scalar type"),
]


@pytest.mark.parametrize("fn,message", ERRORS, ids=[e[1] for e in ERRORS])
def test_refused_like_torch(fn, message):
    with pytest.raises(ExportError, match=message):
        fn(ours, ours.from_numpy(X3.copy()))


def test_fft_out_is_refused():
    from exportdb.errors import UnsupportedAPIError

    x = ours.from_numpy(X2.copy())
    with pytest.raises(UnsupportedAPIError, match="out="):
        ours.fft.fft(x, out=ours.fft.fft(x))


# -- dynamic shapes ------------------------------------------------------------------------
def test_symbolic_sizes_of_the_transforms():
    def fn(x):
        return ours.fft.rfft(x), ours.fft.irfft(x, dim=0), ours.fft.hfftn(x), ours.fft.fftshift(x), \
            ours.fft.ihfft2(x), ours.fft.fft(x, n=3, dim=0)

    ep = _export(fn, X2, dynamic_shapes={"x": {0: Dim("a", min=4), 1: Dim("b")}})
    lines = [text.split(";")[0] for text in body(ep)]
    assert lines[:-1] == [
        'fft_rfft: "c64[s0, ((s1//2)) + 1]" = torch.ops.aten.fft_rfft.default(x)',
        'fft_irfft: "f32[2*s0 - 2, s1]" = torch.ops.aten.fft_irfft.default(x, None, 0)',
        'fft_hfftn: "f32[s0, 2*s1 - 2]" = torch.ops.aten.fft_hfftn.default(x)',
        'fft_fftshift: "f32[s0, s1]" = torch.ops.aten.fft_fftshift.default(x)',
        'fft_ihfft2: "c64[s0, ((s1//2)) + 1]" = torch.ops.aten.fft_ihfft2.default(x)',
        'fft_fft: "c64[3, s1]" = torch.ops.aten.fft_fft.default(x, 3, 0)',
    ]
    for shape in ((4, 5), (6, 9), (9, 2)):
        x = RNG.standard_normal(shape).astype(np.float32)
        got = ep.module()(ours.from_numpy(x.copy()))
        want = fn(ours.from_numpy(x.copy()))
        for g, w in zip(got, want):
            np.testing.assert_allclose(g._value, w._value, rtol=1e-6, atol=1e-6)


def test_cropping_a_symbolic_size_guards_it():
    """torch crops (or pads) the input to the requested points: the comparison is a guard."""
    from exportdb.errors import ConstraintViolationError

    with pytest.raises(ConstraintViolationError, match="s0 > 3"):
        _export(lambda x: ours.fft.fft(x, n=3, dim=0), X2, dynamic_shapes={"x": {0: Dim("a")}})
    ep = _export(lambda x: ours.fft.fft(x, n=3, dim=0), X2, dynamic_shapes={"x": {0: Dim("a", min=4)}})
    assert "s0: VR[4, int_oo]" in str(ep)


def test_complex_ops_with_symbolic_sizes():
    def fn(x, y):
        c = ours.view_as_complex(y)
        return ours.view_as_real(c), ours.complex(x, x), ours.angle(c), c.real

    ep = _export(fn, X2, PAIRS, dynamic_shapes={"x": {0: Dim("a")}, "y": {0: Dim("b")}})
    lines = [text.split(";")[0] for text in body(ep)]
    assert 'view_as_real: "f32[s1, 2]" = torch.ops.aten.view_as_real.default(view_as_complex)' in lines, lines
    assert 'complex_1: "c64[s0, 5]" = torch.ops.aten.complex.default(x, x)' in lines, lines


# -- stft ---------------------------------------------------------------------------------
SIGNAL = RNG.standard_normal((3, 100)).astype(np.float32)
WINDOW = np.hanning(16).astype(np.float32)


def test_stft_pads_a_centred_signal_before_the_op():
    ep = _export(lambda x: ours.stft(x[0], 10, return_complex=True), SIGNAL)
    lines = [text.split(";")[0] for text in body(ep)]
    assert lines[1:] == [
        'view: "f32[1, 1, 100]" = torch.ops.aten.view.default(select, [1, 1, 100])',
        'pad: "f32[1, 1, 110]" = torch.ops.aten.pad.default(view, [5, 5], \'reflect\')',
        'view_1: "f32[110]" = torch.ops.aten.view.default(pad, [110])',
        'stft: "c64[6, 51]" = torch.ops.aten.stft.default(view_1, 10, None, None, None, False, None, True)',
        "return (stft,)",
    ]
    ep = _export(lambda x, w: ours.stft(x, 16, 5, 12, w[:12], center=False, return_complex=False), SIGNAL, WINDOW)
    assert 'stft: "f32[3, 9, 17, 2]" = torch.ops.aten.stft.default(x, 16, 5, 12, slice_1, False, None, False)' in [
        text.split(";")[0] for text in body(ep)]


STFTS = [
    ("default", lambda t, x, w: t.stft(x, 10, return_complex=True)),
    ("real_pairs", lambda t, x, w: t.stft(x[0], 10, return_complex=False)),
    ("not_centred", lambda t, x, w: t.stft(x, 16, hop_length=4, center=False, return_complex=True)),
    ("window_two_sided", lambda t, x, w: t.stft(x, 16, window=w, onesided=False, normalized=True,
                                                return_complex=True)),
    ("short_window", lambda t, x, w: t.stft(x, 16, 5, 12, w[:12], pad_mode="constant", return_complex=True)),
    ("complex_signal", lambda t, x, w: t.stft(t.view_as_complex(x.reshape(3, 50, 2)), 8, return_complex=True)),
    ("double_window", lambda t, x, w: t.stft(x, 16, window=w.double(), return_complex=True)),
]


@pytest.mark.filterwarnings("ignore:.*(rectangular window|return_complex=False):UserWarning")
@pytest.mark.parametrize("name,fn", STFTS, ids=[s[0] for s in STFTS])
def test_stft_values_match_eager_torch(name, fn):
    real = pytest.importorskip("torch", reason="values are compared against eager PyTorch")
    theirs = fn(real, real.from_numpy(SIGNAL.copy()), real.from_numpy(WINDOW.copy()))
    ep = _export(lambda x, w: fn(ours, x, w), SIGNAL, WINDOW)
    mine = ep.module()(ours.from_numpy(SIGNAL.copy()), ours.from_numpy(WINDOW.copy()))
    assert mine._value.shape == tuple(theirs.shape) and mine.dtype.name == str(theirs.dtype)[6:]
    np.testing.assert_allclose(mine._value, theirs.numpy(), rtol=1.3e-6, atol=1e-5)


def test_stft_refusals():
    x = ours.from_numpy(SIGNAL.copy())
    with pytest.raises(ExportError, match="return_complex"):
        ours.stft(x, 10)
    with pytest.raises(ExportError, match="n_fft"):
        ours.stft(x, 200, center=False, return_complex=True)
    with pytest.raises(ExportError, match="win_length"):
        ours.stft(x, 8, win_length=10, return_complex=True)


def test_stft_with_a_symbolic_length():
    ep = _export(lambda x: ours.stft(x, 16, hop_length=4, return_complex=True), SIGNAL,
                 dynamic_shapes={"x": {1: Dim("n", min=20)}})
    assert 'stft: "c64[3, 9, ((s0//4)) + 1]"' in str(ep)
    for length in (20, 37, 64):
        signal = RNG.standard_normal((3, length)).astype(np.float32)
        got = ep.module()(ours.from_numpy(signal.copy()))
        want = ours.stft(ours.from_numpy(signal.copy()), 16, hop_length=4, return_complex=True)
        np.testing.assert_allclose(got._value, want._value, rtol=1e-6, atol=1e-6)


def test_a_case_imports_torch_fft(tmp_path):
    from exporter_helpers import export_case_module, load_case

    module = load_case(tmp_path, """
        import torch
        import torch.fft
        from torch.fft import rfft


        class M(torch.nn.Module):
            def forward(self, x):
                return torch.fft.irfft(rfft(x), n=x.shape[-1])


        model = M()
        example_args = (torch.arange(6.0),)
    """)
    ep = export_case_module(module)
    assert [line.split(";")[0] for line in body(ep)][:2] == [
        'fft_rfft: "c64[4]" = torch.ops.aten.fft_rfft.default(x)',
        'fft_irfft: "f32[6]" = torch.ops.aten.fft_irfft.default(fft_rfft, 6)',
    ]
    np.testing.assert_allclose(ep.module()(ours.arange(6.0))._value, np.arange(6.0), atol=1e-5)


# -- istft ----------------------------------------------------------------------------------
LIFTED = (WINDOW + 0.1).astype(np.float32)  # no zero at the ends: the overlap-add never vanishes
ISTFTS = [
    ("default", lambda t, x, w: t.istft(t.stft(x, 16, 4, window=w, return_complex=True), 16, 4, window=w),
     "istft.default(stft, 16, 4, None, y)"),
    ("shorter", lambda t, x, w: t.istft(t.stft(x, 16, 4, window=w, return_complex=True), 16, 4, window=w, length=90),
     "istft.default(stft, 16, 4, None, y, True, False, None, 90)"),
    ("zero_padded", lambda t, x, w: t.istft(t.stft(x, 16, 4, window=w, return_complex=True), 16, 4, window=w,
                                            length=120), "istft.default(stft, 16, 4, None, y, True, False, None, 120)"),
    ("not_centred", lambda t, x, w: t.istft(t.stft(x, 16, 4, window=w, center=False, return_complex=True), 16, 4,
                                            window=w, center=False), "istft.default(stft, 16, 4, None, y, False)"),
    ("short_window_normalized", lambda t, x, w: t.istft(
        t.stft(x[0], 16, 5, 12, w[:12], normalized=True, return_complex=True), 16, 5, 12, w[:12], normalized=True),
     "istft.default(stft, 16, 5, 12, slice_2, True, True)"),
    ("two_sided_complex", lambda t, x, w: t.istft(t.stft(x, 8, window=w[:8], onesided=False, return_complex=True),
                                                  8, window=w[:8], onesided=False, return_complex=True),
     "istft.default(stft, 8, None, None, slice_2, True, False, False, None, True)"),
]


@pytest.mark.filterwarnings("ignore:.*(rectangular window|shorter than the length parameter):UserWarning")
@pytest.mark.parametrize("name,fn,call", ISTFTS, ids=[s[0] for s in ISTFTS])
def test_istft_node_and_values(name, fn, call):
    ep = _export(lambda x, w: fn(ours, x, w), SIGNAL, LIFTED)
    assert any(call in line for line in body(ep)), body(ep)
    real = pytest.importorskip("torch", reason="values are compared against eager PyTorch")
    theirs = fn(real, real.from_numpy(SIGNAL.copy()), real.from_numpy(LIFTED.copy()))
    mine = ep.module()(ours.from_numpy(SIGNAL.copy()), ours.from_numpy(LIFTED.copy()))
    assert mine._value.shape == tuple(theirs.shape) and mine.dtype.name == str(theirs.dtype)[6:]
    np.testing.assert_allclose(mine._value, theirs.numpy(), rtol=1.3e-6, atol=1e-5)


def test_istft_refuses_a_vanishing_window_overlap_as_eager_torch_does():
    spectrum = ours.stft(ours.from_numpy(SIGNAL.copy()), 16, 5, 12, center=False, return_complex=True)
    with pytest.raises(ExportError, match="window overlap add min"):
        ours.istft(spectrum, 16, 5, 12, ours.from_numpy(LIFTED[:12].copy()), center=False)


def test_istft_with_a_symbolic_frame_count():
    def fn(s):
        return ours.istft(s, 16, 4)

    spectrum = ours.stft(ours.from_numpy(SIGNAL.copy()), 16, 4, return_complex=True)._value
    ep = _export(fn, spectrum, dynamic_shapes={"x": {2: Dim("frames", min=2)}})
    assert 'istft: "f32[3, 4*s0 - 4]"' in str(ep)


@pytest.mark.filterwarnings("ignore:.*rectangular window:UserWarning")
def test_tensor_stft_istft_methods_and_is_complex():
    def fn(x):
        spectrum = x.stft(16, return_complex=True)
        signal = spectrum.istft(16)
        return signal * 2 if ours.is_complex(spectrum) and not ours.is_complex(signal) else signal

    ep = _export(fn, SIGNAL[:2, :64])
    lines = [text.split(";")[0] for text in body(ep)]
    assert lines[-3:] == [
        'istft: "f32[2, 64]" = torch.ops.aten.istft.default(stft, 16)',
        'mul: "f32[2, 64]" = torch.ops.aten.mul.Tensor(istft, 2)',
        "return (mul,)",
    ]
    real = pytest.importorskip("torch", reason="values are compared against eager PyTorch")
    want = real.from_numpy(SIGNAL[:2, :64].copy()).stft(16, return_complex=True).istft(16) * 2
    got = ep.module()(ours.from_numpy(SIGNAL[:2, :64].copy()))
    np.testing.assert_allclose(got._value, want.numpy(), rtol=1.3e-6, atol=1e-5)


def test_sample_frequencies():
    def fn(x):
        return x + ours.fft.fftfreq(6), ours.fft.rfftfreq(6, d=0.5), ours.fft.fftfreq(5, 2, dtype=ours.float64)

    lines = [text.split(";")[0] for text in body(_export(fn, X3[0, 0, :6]))]
    assert lines[0] == ('fft_fftfreq: "f32[6]" = torch.ops.aten.fft_fftfreq.default(6, device = device(type=\'cpu\'), '
                        'pin_memory = False)'), lines
    assert 'fft_rfftfreq: "f32[4]" = torch.ops.aten.fft_rfftfreq.default(6, 0.5, device = device(type=\'cpu\'), ' \
           'pin_memory = False)' in lines, lines
    assert 'fft_fftfreq_1: "f64[5]" = torch.ops.aten.fft_fftfreq.default(5, 2.0, dtype = torch.float64, ' \
           'device = device(type=\'cpu\'), pin_memory = False)' in lines, lines
    real = pytest.importorskip("torch", reason="values are compared against eager PyTorch")
    for n in (0, 1, 2, 5, 6):
        for name in ("fftfreq", "rfftfreq"):
            mine, theirs = getattr(ours.fft, name)(n, 0.3), getattr(real.fft, name)(n, 0.3)
            assert mine.dtype.name == str(theirs.dtype)[6:]
            np.testing.assert_allclose(mine._value, theirs.numpy(), rtol=1e-6, equal_nan=True)
