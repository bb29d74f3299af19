"""In-place random fills (x.uniform_(), normal_, cauchy_, exponential_, geometric_, log_normal_) and
torch.normal(mean, std, size): the ATen call torch.export 2.13 records, values from exportdb's seeded
generator (only their shapes, dtypes and ranges can match torch's), and torch's errors."""

from __future__ import annotations

import numpy as np
import pytest

from exporter_helpers import body, export_and_lint, torch as ours


class _Fill(ours.nn.Module):
    def __init__(self, name, *args):
        super().__init__()
        self.name, self.args = name, args

    def forward(self, x):
        return getattr(x, self.name)(*self.args)


@pytest.mark.parametrize("name,args,call", [
    ("uniform_", (-100, 100), "torch.ops.aten.uniform_.default(x, -100.0, 100.0)"),
    ("normal_", (0, 5), "torch.ops.aten.normal_.default(x, 0.0, 5.0)"),
    ("cauchy_", (0, 0.5), "torch.ops.aten.cauchy_.default(x, 0.0, 0.5)"),
    ("exponential_", (0.5,), "torch.ops.aten.exponential_.default(x, 0.5)"),
    ("geometric_", (0.2,), "torch.ops.aten.geometric_.default(x, 0.2)"),
    ("log_normal_", (0, 0.25), "torch.ops.aten.log_normal_.default(x, 0.0, 0.25)"),
])
def test_in_place_fills_record_their_aten_op_on_the_input(name, args, call):
    ep = export_and_lint(_Fill(name, *args), (ours.zeros(50),))
    assert body(ep)[0] == f'{name}: "f32[50]" = {call};  x = None'
    out = ep.module()(ours.zeros(50))._value
    assert out.shape == (50,) and out.dtype == np.float32
    if name == "uniform_":
        assert ((out >= -100) & (out < 100)).all()
    if name in ("exponential_", "log_normal_"):
        assert (out > 0).all()
    if name == "geometric_":
        assert (out >= 1).all() and (out == np.round(out)).all()


def test_a_fill_writes_the_tensor_it_is_called_on():
    x = ours.zeros(3, 4)
    assert x.uniform_(2, 3) is x and ((x._value >= 2) & (x._value < 3)).all()


@pytest.mark.parametrize("name,args,message", [
    ("uniform_", (1, 0), "from=1.0 > to=0.0"), ("exponential_", (0,), "lambda > 0.0"),
    ("geometric_", (1.5,), r"p to be in \(0, 1\)"), ("cauchy_", (0, -1), "sigma > 0.0")])
def test_fill_parameters_are_checked_as_torch_checks_them(name, args, message):
    with pytest.raises(Exception, match=message):
        getattr(ours.zeros(2), name)(*args)


class _Normal(ours.nn.Module):
    def forward(self):
        return ours.normal(0.3, 1.6, [2, 3], dtype=ours.float32, layout=ours.strided)


def test_normal_of_two_numbers_and_a_size_is_a_factory():
    ep = export_and_lint(_Normal(), ())
    assert body(ep)[0] == ('normal: "f32[2, 3]" = torch.ops.aten.normal.float_float(0.3, 1.6, [2, 3], '
                           "dtype = torch.float32, layout = torch.strided, device = device(type='cpu'), pin_memory = False)")
    assert ours.normal(0.0, 1.0, (4,))._value.shape == (4,)
