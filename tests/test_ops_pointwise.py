"""Element-wise ops (exporter/ops/pointwise*.py, frontend/tensor_math.py, math_functions.py,
tensor_convert.py): the ATen overload each call records, and eager values against torch."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest

from exporter_helpers import export_and_lint, targets, torch

from exportdb.exporter.ops.table import unknown_qualnames

try:
    import torch as real_torch
except ModuleNotFoundError:  # the value checks need torch; the recorded-op checks do not
    real_torch = None

needs_torch = pytest.mark.skipif(real_torch is None, reason="torch is not installed (pip install torch==2.13.0)")

RNG = np.random.default_rng(0)
F32 = RNG.uniform(-2, 2, (3, 4)).astype(np.float32)
POS = RNG.uniform(0.1, 3, (3, 4)).astype(np.float32)
UNIT = RNG.uniform(0.05, 0.95, (3, 4)).astype(np.float32)
I64 = RNG.integers(-5, 6, (3, 4)).astype(np.int64)
SMALL = RNG.integers(0, 4, (3, 4)).astype(np.int64)
B8 = RNG.integers(0, 2, (3, 4)).astype(np.bool_)

#: (id, call on a torch-like module and tensors, inputs, ATen ops recorded)
CASES: list[tuple[str, Callable[..., Any], tuple, list[str]]] = [
    ("erf", lambda t, x: t.erf(x), (F32,), ["aten.erf.default"]),
    ("erf_int", lambda t, x: t.erf(x), (I64,), ["aten.erf.default"]),
    ("lgamma", lambda t, x: x.lgamma(), (POS,), ["aten.lgamma.default"]),
    ("digamma", lambda t, x: t.digamma(x), (POS,), ["aten.digamma.default"]),
    ("polygamma", lambda t, x: t.polygamma(2, x), (POS,), ["aten.polygamma.default"]),
    ("polygamma_method", lambda t, x: x.polygamma(1), (POS,), ["aten.polygamma.default"]),
    ("mvlgamma", lambda t, x: t.mvlgamma(x + 2, 3), (POS,), ["aten.add.Tensor", "aten.mvlgamma.default"]),
    ("logit_eps", lambda t, x: t.logit(x, 0.2), (UNIT,), ["aten.logit.default"]),
    ("sinc", lambda t, x: t.sinc(x), (F32,), ["aten.sinc.default"]),
    ("deg2rad_int", lambda t, x: t.deg2rad(x), (I64,), ["aten.deg2rad.default"]),
    ("frac", lambda t, x: x.frac(), (F32,), ["aten.frac.default"]),
    ("sgn_bool", lambda t, x: t.sgn(x), (B8,), ["aten.sgn.default"]),
    ("signbit", lambda t, x: t.signbit(x), (F32,), ["aten.signbit.default"]),
    ("isfinite_int", lambda t, x: t.isfinite(x), (I64,), ["aten.isfinite.default"]),
    ("nan_to_num", lambda t, x: t.nan_to_num(t.log(x), nan=1.0), (F32,),
     ["aten.log.default", "aten.nan_to_num.default"]),
    ("round_decimals", lambda t, x: t.round(x, decimals=2), (F32,), ["aten.round.decimals"]),
    ("arccos_alias", lambda t, x: t.arccos(x / 2), (F32,), ["aten.div.Tensor", "aten.arccos.default"]),
    ("special_erfcx", lambda t, x: t.special.erfcx(x), (F32,), ["aten.special_erfcx.default"]),
    ("special_expit", lambda t, x: t.special.expit(x), (F32,), ["aten.special_expit.default"]),
    ("special_i1e", lambda t, x: t.special.i1e(x), (F32,), ["aten.special_i1e.default"]),
    ("special_ndtri", lambda t, x: t.special.ndtri(x), (UNIT,), ["aten.special_ndtri.default"]),
    ("special_zeta", lambda t, x, q: t.special.zeta(x + 1, q), (POS, POS),
     ["aten.add.Tensor", "aten.special_zeta.default"]),
    ("legendre", lambda t, x, n: t.special.legendre_polynomial_p(x, n), (F32, SMALL),
     ["aten.special_legendre_polynomial_p.default"]),
    ("hermite_he", lambda t, x, n: t.special.hermite_polynomial_he(x, n), (F32, SMALL),
     ["aten.special_hermite_polynomial_he.default"]),
    ("atan2_int", lambda t, a, b: t.atan2(a, b), (I64, SMALL), ["aten.atan2.default"]),
    ("copysign_scalar", lambda t, x: x.copysign(-2), (F32,), ["aten.copysign.Scalar"]),
    ("xlogy_scalar_self", lambda t, y: t.xlogy(2.0, y), (POS,), ["aten.xlogy.Scalar_Self"]),
    ("float_power", lambda t, x: t.float_power(x, 2), (F32,), ["aten.float_power.Tensor_Scalar"]),
    ("float_power_scalar", lambda t, x: t.float_power(2, x), (F32,), ["aten.float_power.Scalar"]),
    ("fmod_tensor", lambda t, a, b: t.fmod(a, b), (F32, POS), ["aten.fmod.Tensor"]),
    ("remainder_scalar_first", lambda t, x: t.remainder(5, x), (POS,), ["aten.remainder.Scalar_Tensor"]),
    ("hypot", lambda t, a, b: t.hypot(a, b), (F32, POS), ["aten.hypot.default"]),
    ("heaviside", lambda t, a, b: t.heaviside(a, b), (F32, POS), ["aten.heaviside.default"]),
    ("gcd", lambda t, a, b: t.gcd(a, b), (I64, SMALL), ["aten.gcd.default"]),
    ("lcm", lambda t, a, b: t.lcm(a, b), (I64, SMALL), ["aten.lcm.default"]),
    ("ldexp", lambda t, a, b: t.ldexp(a, b), (F32, SMALL), ["aten.ldexp.Tensor"]),
    ("logaddexp", lambda t, a, b: t.logaddexp(a, b), (F32, POS), ["aten.logaddexp.default"]),
    ("nextafter", lambda t, a, b: t.nextafter(a, b), (F32, POS), ["aten.nextafter.default"]),
    ("shift", lambda t, a, b: t.bitwise_left_shift(a, b), (I64, SMALL), ["aten.bitwise_left_shift.Tensor"]),
    ("shift_operator", lambda t, a: a >> 1, (I64,), ["aten.__rshift__.Scalar"]),
    ("bitwise_and_bool", lambda t, a, b: t.bitwise_and(a, b), (B8, B8), ["aten.bitwise_and.Tensor"]),
    ("logical_xor", lambda t, a, b: t.logical_xor(a, b), (F32, I64), ["aten.logical_xor.default"]),
    ("true_divide_int", lambda t, a, b: t.true_divide(a, b), (I64, POS), ["aten.true_divide.Tensor"]),
    ("rsub_tensor", lambda t, a, b: t.rsub(a, b, alpha=2), (F32, F32), ["aten.rsub.Tensor"]),
    ("isclose", lambda t, a, b: t.isclose(a, b, rtol=0.0, atol=0.5), (F32, POS), ["aten.isclose.default"]),
    ("clamp_min_tensor", lambda t, a, b: t.clamp_min(a, b), (F32, POS), ["aten.clamp_min.Tensor"]),
    ("clamp_tensor", lambda t, a, b: t.clamp(a, min=b), (F32, POS), ["aten.clamp.Tensor"]),
    ("clip", lambda t, a: t.clip(a, -1, 1), (F32,), ["aten.clip.default"]),
    ("lerp", lambda t, a, b: t.lerp(a, b, 0.7), (F32, POS), ["aten.lerp.Scalar"]),
    ("addcmul", lambda t, a, b: t.addcmul(a, b, a, value=0.5), (F32, POS), ["aten.addcmul.default"]),
    ("addcdiv", lambda t, a, b: t.addcdiv(a, a, b), (F32, POS), ["aten.addcdiv.default"]),
    ("radd_tensor", lambda t, a, b: b.__radd__(a), (F32, POS), ["aten.add.Tensor"]),
    ("rsub_operator", lambda t, a: 2 - a, (F32,), ["aten.rsub.Scalar"]),
    ("rpow_tensor", lambda t, a, b: b.__rpow__(a), (POS, F32), ["aten.pow.Tensor_Tensor"]),
    ("int_pow", lambda t, a: a ** 2, (I64,), ["aten.pow.Tensor_Scalar"]),
    ("bool_add", lambda t, a, b: a + b, (B8, B8), ["aten.add.Tensor"]),
    ("atan2_inplace", lambda t, a, b: a.clone().atan2_(b), (F32, POS), ["aten.clone.default", "aten.atan2_.default"]),
    ("xlogy_inplace", lambda t, a, b: a.clone().xlogy_(b), (F32, POS), ["aten.clone.default", "aten.xlogy_.Tensor"]),
    ("pow_inplace", lambda t, a: a.clone().pow_(2), (F32,), ["aten.clone.default", "aten.pow_.Scalar"]),
    ("erf_inplace", lambda t, a: a.clone().erf_(), (F32,), ["aten.clone.default", "aten.erf_.default"]),
    ("polygamma_inplace", lambda t, a: a.clone().polygamma_(1), (POS,), ["aten.clone.default", "aten.polygamma_.default"]),
    ("int_pow_negative_tensor", lambda t, a, b: a ** (b - 2), (I64, SMALL), ["aten.sub.Tensor", "aten.pow.Tensor_Tensor"]),
    ("square_bool", lambda t, a: t.square(a), (B8,), ["aten.square.default"]),
    ("add_alpha_bool", lambda t, a, b: t.add(a, b, alpha=True), (B8, B8), ["aten.add.Tensor"]),
    ("addcdiv_value", lambda t, a, b: t.addcdiv(a, a, b, value=0.5), (F32, POS),
     ["aten.div.Tensor", "aten.mul.Tensor", "aten.add.Tensor"]),
    ("addcmul_inplace_value", lambda t, a, b: a.clone().addcmul_(a, b, value=2), (F32, POS),
     ["aten.clone.default", "aten.mul.Tensor", "prims.fma.default", "aten.copy_.default"]),
    ("short", lambda t, a: a.short(), (F32,), ["aten._assert_tensor_metadata.default", "aten.to.dtype"]),
    ("half", lambda t, a: a.half(), (F32,), ["aten._assert_tensor_metadata.default", "aten.to.dtype"]),
    ("to_other", lambda t, a, b: a.to(b), (F32, I64), ["aten._assert_tensor_metadata.default", "aten.to.device"]),
    ("to_memory_format", lambda t, a: a.double(memory_format=t.contiguous_format), (F32,),
     ["aten._assert_tensor_metadata.default", "aten.to.dtype"]),
]


def _front_end_tensors(arrays: tuple) -> tuple:
    return tuple(torch.Tensor._make(a.copy()) for a in arrays)


def _module(fn: Callable[..., Any], module: Any) -> Any:
    class OneCall(module.nn.Module):
        def forward(self, *xs: Any) -> Any:
            return fn(module, *xs)

    return OneCall()


@pytest.mark.parametrize("name, fn, arrays, ops", CASES, ids=[c[0] for c in CASES])
def test_records_the_aten_op(name: str, fn: Callable[..., Any], arrays: tuple, ops: list[str]) -> None:
    ep = export_and_lint(_module(fn, torch), _front_end_tensors(arrays))
    assert targets(ep.graph) == ops


@needs_torch
@pytest.mark.parametrize("name, fn, arrays, ops", CASES, ids=[c[0] for c in CASES])
def test_values_match_eager_torch(name: str, fn: Callable[..., Any], arrays: tuple, ops: list[str]) -> None:
    want = fn(real_torch, *(real_torch.from_numpy(a.copy()) for a in arrays)).numpy()
    got = _module(fn, torch)(*_front_end_tensors(arrays))._value
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=2e-6, atol=1e-5, equal_nan=True)


def test_augmented_assignment_records_in_place_ops() -> None:
    def fn(t: Any, x: Any, i: Any) -> Any:
        y = x.clone()
        y //= 2
        y %= 3
        y **= 2
        j = i.clone()
        j <<= 1
        j >>= 1
        return y, j

    ep = export_and_lint(_module(fn, torch), _front_end_tensors((F32, I64)))
    assert targets(ep.graph) == [
        "aten.clone.default", "aten.floor_divide_.Tensor", "aten.remainder_.Scalar", "aten.pow_.Scalar",
        "aten.clone.default", "aten.__ilshift__.Scalar", "aten.__irshift__.Scalar"]


def test_exported_program_runs_like_eager() -> None:
    fn = lambda t, a, b: t.special.xlog1py(a, b) + t.hypot(a, b).erfc()  # noqa: E731
    model, xs = _module(fn, torch), _front_end_tensors((F32, POS))
    ep = export_and_lint(model, xs)
    np.testing.assert_allclose(ep.module()(*xs)._value, model(*xs)._value)


@pytest.mark.parametrize("fn, message", [
    (lambda t, b: b - b, "Subtraction, the `-` operator, with a bool tensor is not supported"),
    (lambda t, i: i.frac(), "frac_cpu"),
    (lambda t, i: i ** -1, "Integers to negative integer powers are not allowed"),
    (lambda t, i: t.addcdiv(i, i, i), "Integer division with addcdiv"),
])
def test_integer_and_bool_semantics_refuse_as_torch_does(fn: Callable[..., Any], message: str) -> None:
    arrays = (B8,) if "bool" in message else (I64,)
    with pytest.raises(Exception, match=message.replace("(", r"\(")):
        fn(torch, *_front_end_tensors(arrays))


def test_out_argument_records_the_out_overload() -> None:
    def fn(t: Any, x: Any, buf: Any) -> Any:
        t.copysign(x, -2, out=buf)
        t.xlogy(2.0, x.abs(), out=buf)
        return buf * 2

    model, xs = _module(fn, torch), _front_end_tensors((POS, F32))
    ep = export_and_lint(model, xs)
    assert targets(ep.graph) == ["aten.copysign.Scalar_out", "aten.abs.default", "aten.xlogy.OutScalar_Self",
                                 "aten.mul.Tensor"]
    assert "out = copysign" in str(ep)
    buf = torch.Tensor._make(np.zeros(4, np.float32))
    torch.sin(torch.Tensor._make(POS[0].copy()), out=buf)
    np.testing.assert_allclose(buf._value, np.sin(POS[0]))


def test_out_argument_of_the_wrong_shape_is_refused() -> None:
    x = torch.Tensor._make(F32.copy())
    with pytest.raises(Exception, match="out= tensor has shape"):
        torch.atan2(x, x, out=torch.Tensor._make(np.zeros(2, np.float32)))


def test_every_registered_op_exists_in_torch() -> None:
    assert unknown_qualnames() == []
