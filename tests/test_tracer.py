"""exportdb.exporter.trace.export: ATen overload choices, naming, lifting, in-place ops, errors."""

from __future__ import annotations

import numpy as np
import pytest

from exporter_helpers import (body, check_against_eager, export_and_lint, load_case, node, targets, torch,
                              write_case)

from exportdb.errors import (DataDependentControlFlowError, DataDependentValueError, ExportError, InputError,
                             UnsupportedAPIError)
from exportdb.exporter.ir.signature import ConstantArgument, InputKind

nn = torch.nn
F = nn.functional


class Fn(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, *args):
        return self.fn(*args)


def one_line(fn, *args) -> str:
    """The first node line of the exported body (``name: "ann" = call``), dead list cut off."""
    ep = export_and_lint(Fn(fn), args)
    return body(ep)[0].split(";  ")[0]


X = torch.randn(10, 3)


@pytest.mark.parametrize("fn, want", [
    (lambda x: x + 1, 'add: "f32[10, 3]" = torch.ops.aten.add.Tensor(args_0, 1)'),
    (lambda x: 1 + x, 'add: "f32[10, 3]" = torch.ops.aten.add.Tensor(args_0, 1)'),
    (lambda x: 1 - x, 'rsub: "f32[10, 3]" = torch.ops.aten.rsub.Scalar(args_0, 1)'),
    (lambda x: x * 2, 'mul: "f32[10, 3]" = torch.ops.aten.mul.Tensor(args_0, 2)'),
    (lambda x: x / 2, 'div: "f32[10, 3]" = torch.ops.aten.div.Tensor(args_0, 2)'),
    (lambda x: x > 0, 'gt: "b8[10, 3]" = torch.ops.aten.gt.Scalar(args_0, 0)'),
    (lambda x: x == x, 'eq: "b8[10, 3]" = torch.ops.aten.eq.Tensor(args_0, args_0)'),
    (lambda x: x[1:], 'slice_1: "f32[9, 3]" = torch.ops.aten.slice.Tensor(args_0, 0, 1, 9223372036854775807)'),
    (lambda x: x[:, 0], 'select: "f32[10]" = torch.ops.aten.select.int(args_0, 1, 0)'),
    (lambda x: x[2], 'select: "f32[3]" = torch.ops.aten.select.int(args_0, 0, 2)'),
    (lambda x: x[:, ::2], 'slice_1: "f32[10, 2]" = torch.ops.aten.slice.Tensor(args_0, 1, 0, 9223372036854775807, 2)'),
    (lambda x: x[None], 'unsqueeze: "f32[1, 10, 3]" = torch.ops.aten.unsqueeze.default(args_0, 0)'),
    (lambda x: x.sum(), 'sum_1: "f32[]" = torch.ops.aten.sum.default(args_0)'),
    (lambda x: x.sum(0), 'sum_1: "f32[3]" = torch.ops.aten.sum.dim_IntList(args_0, [0])'),
    (lambda x: x.sum(dim=1, keepdim=True), 'sum_1: "f32[10, 1]" = torch.ops.aten.sum.dim_IntList(args_0, [1], True)'),
    (lambda x: x.mean(-1), 'mean: "f32[10]" = torch.ops.aten.mean.dim(args_0, [-1])'),
    (lambda x: x.cos(), 'cos: "f32[10, 3]" = torch.ops.aten.cos.default(args_0)'),
    (lambda x: x.abs(), 'abs_1: "f32[10, 3]" = torch.ops.aten.abs.default(args_0)'),
    (lambda x: x ** 2, 'pow_1: "f32[10, 3]" = torch.ops.aten.pow.Tensor_Scalar(args_0, 2)'),
    (lambda x: F.relu(x), 'relu: "f32[10, 3]" = torch.ops.aten.relu.default(args_0)'),
    (lambda x: x.view(-1), 'view: "f32[30]" = torch.ops.aten.view.default(args_0, [-1])'),
    (lambda x: x.reshape(3, 10), 'reshape: "f32[3, 10]" = torch.ops.aten.reshape.default(args_0, [3, 10])'),
    (lambda x: x.permute(1, 0), 'permute: "f32[3, 10]" = torch.ops.aten.permute.default(args_0, [1, 0])'),
    (lambda x: x.transpose(0, 1), 'transpose: "f32[3, 10]" = torch.ops.aten.transpose.int(args_0, 0, 1)'),
    (lambda x: x.t(), 't: "f32[3, 10]" = torch.ops.aten.t.default(args_0)'),
    (lambda x: x.flatten(), 'flatten: "f32[30]" = torch.ops.aten.flatten.using_ints(args_0)'),
    (lambda x: x.unsqueeze(1), 'unsqueeze: "f32[10, 1, 3]" = torch.ops.aten.unsqueeze.default(args_0, 1)'),
    (lambda x: torch.cat([x, x], dim=1), 'cat: "f32[10, 6]" = torch.ops.aten.cat.default([args_0, args_0], 1)'),
    (lambda x: torch.stack([x, x]), 'stack: "f32[2, 10, 3]" = torch.ops.aten.stack.default([args_0, args_0])'),
    (lambda x: x @ x.t(), 't: "f32[3, 10]" = torch.ops.aten.t.default(args_0)'),
    (lambda x: x.clone(), 'clone: "f32[10, 3]" = torch.ops.aten.clone.default(args_0)'),
    (lambda x: x.clamp(min=0.0), 'clamp: "f32[10, 3]" = torch.ops.aten.clamp.default(args_0, 0.0)'),
    (lambda x: torch.where(x > 0, x, 0.0), 'gt: "b8[10, 3]" = torch.ops.aten.gt.Scalar(args_0, 0)'),
    (lambda x: x.softmax(-1), 'softmax: "f32[10, 3]" = torch.ops.aten.softmax.int(args_0, -1)'),
    (lambda x: x.argmax(), 'argmax: "i64[]" = torch.ops.aten.argmax.default(args_0)'),
    (lambda x: torch.zeros(2, 3), 'zeros: "f32[2, 3]" = torch.ops.aten.zeros.default([2, 3], device = device(type=\'cpu\'), pin_memory = False)'),
])
def test_aten_overload_choice(fn, want):
    assert one_line(fn, X) == want


def test_nn_linear_records_linear_default():
    lin = nn.Linear(3, 2)
    ep = export_and_lint(lin, (torch.randn(4, 3),))
    assert targets(ep.graph) == ["aten.linear.default"]
    # Linear.forward's parameter is torch's `input`, which shadows a builtin: fx aliases it as torch does
    assert body(ep)[0] == "input_1 = input"
    assert body(ep)[1].startswith('linear: "f32[4, 2]" = torch.ops.aten.linear.default(input_1, p_weight, p_bias)')
    no_bias = nn.Linear(3, 2, bias=False)
    ep = export_and_lint(no_bias, (torch.randn(4, 3),))
    assert "torch.ops.aten.linear.default(input_1, p_weight)" in body(ep)[1]


def test_float_division_of_ints_and_where_variants():
    ints = torch.tensor([[1, 2], [3, 4]])
    ep = export_and_lint(Fn(lambda a: a / 2), (ints,))
    assert node(ep.graph, "div").meta["val"].annotation() == "f32[2, 2]"
    ep = export_and_lint(Fn(lambda a: torch.where(a > 2, a, 0)), (ints,))
    assert targets(ep.graph) == ["aten.gt.Scalar", "aten.where.ScalarOther"]
    ep = export_and_lint(Fn(lambda a: torch.where(a > 2, 1, a)), (ints,))
    assert targets(ep.graph) == ["aten.gt.Scalar", "aten.where.ScalarSelf"]


# -- in-place ops ------------------------------------------------------------------
class InPlaceChain(nn.Module):
    def forward(self, x):
        y = x * 2
        y.add_(1)
        y.mul_(3)
        y += 1
        return y, y.sum()


def test_inplace_ops_stay_in_place_and_later_uses_refer_to_them():
    ep = export_and_lint(InPlaceChain(), (torch.randn(3),))
    assert targets(ep.graph) == ["aten.mul.Tensor", "aten.add_.Tensor", "aten.mul_.Tensor", "aten.add_.Tensor",
                                 "aten.sum.default"]
    names = [n.name for n in ep.graph.nodes if n.op == "call_function"]
    assert names == ["mul", "add_", "mul_", "add__1", "sum_1"]
    assert node(ep.graph, "mul_").args[0] is node(ep.graph, "add_")
    assert node(ep.graph, "sum_1").args[0] is node(ep.graph, "add__1")
    assert [a.name for a in ep.graph.output_node.args[0]] == ["add__1", "sum_1"]
    check_against_eager(InPlaceChain(), ep, (torch.randn(3),))


def test_inplace_on_input_is_recorded_on_the_placeholder():
    ep = export_and_lint(Fn(lambda x: x.relu_()), (torch.randn(3),))
    assert body(ep)[0] == 'relu_: "f32[3]" = torch.ops.aten.relu_.default(args_0);  args_0 = None'


def test_no_dead_code_elimination():
    ep = export_and_lint(Fn(lambda x: (x + 1, x)[1].cos()), (torch.randn(2),))
    assert targets(ep.graph) == ["aten.add.Tensor", "aten.cos.default"]
    assert body(ep)[0] == 'add: "f32[2]" = torch.ops.aten.add.Tensor(args_0, 1);  add = None'


def test_export_does_not_change_the_model_state():
    class Counter(nn.Module):
        def __init__(self):
            super().__init__()
            self.register_buffer("count", torch.zeros(1))

        def forward(self, x):
            self.count.add_(1)
            return x + self.count

    model = Counter()
    ep = export_and_lint(model, (torch.randn(2),))
    assert model.count._value.tolist() == [0.0]
    assert ep.state_dict["count"].tolist() == [0.0]
    assert [s.kind for s in ep.graph_signature.input_specs] == [InputKind.BUFFER, InputKind.USER_INPUT]


# -- inputs -----------------------------------------------------------------------------
def test_pytree_inputs_are_flattened_with_path_names():
    class Inputs(nn.Module):
        def forward(self, batch, flag, *rest, scale=None):
            a, b = batch["pair"]
            out = a + b * scale
            for r in rest:
                out = out + r
            return out if flag else -out

    args = ({"pair": (torch.randn(2), torch.randn(2))}, True, torch.randn(2))
    ep = export_and_lint(Inputs(), args, {"scale": torch.randn(2)})
    assert [n.name for n in ep.graph.placeholders] == ["batch_pair_0", "batch_pair_1", "flag", "rest_0", "scale"]
    check_against_eager(Inputs(), ep, args, {"scale": torch.randn(2)})


def test_bad_example_inputs_raise_input_error():
    with pytest.raises(InputError, match="must be a tuple"):
        export_and_lint(Fn(lambda x: x), [torch.randn(2)])
    with pytest.raises(InputError, match="do not match"):
        export_and_lint(TwoArgs(), (torch.randn(2),))
    with pytest.raises(InputError, match="expects a torch.nn.Module"):
        export_and_lint(lambda x: x, (torch.randn(2),))
    with pytest.raises(InputError, match="example input args_0 is a object"):
        export_and_lint(Fn(lambda x: x), (object(),))


class TwoArgs(nn.Module):
    def forward(self, a, b):
        return a + b


# -- errors -----------------------------------------------------------------------------
def test_python_if_on_tensor_names_case_file_and_suggests_cond(tmp_path):
    mod = load_case(tmp_path, """
        import torch

        class M(torch.nn.Module):
            def forward(self, x):
                y = x * 2
                if y.sum() > 0:
                    return y
                return -y

        example_args = (torch.randn(3),)
        model = M()
        """)
    with pytest.raises(DataDependentControlFlowError) as info:
        export_and_lint(mod.model, mod.example_args)
    err = info.value
    assert isinstance(err, ExportError)
    assert err.summary.startswith(f"{tmp_path / 'case.py'}:6: ")
    assert "cond" in err.hint
    assert err.one_line().startswith("DataDependentControlFlowError: ") and "\n" not in err.one_line()


def test_while_and_item_on_traced_tensors_are_refused(tmp_path):
    mod = load_case(tmp_path, """
        import torch

        class Loop(torch.nn.Module):
            def forward(self, x):
                while x.sum() < 10:
                    x = x + 1
                return x

        class Item(torch.nn.Module):
            def forward(self, x):
                return x * x.max().item()

        example_args = (torch.randn(3),)
        model = Loop()
        """)
    with pytest.raises(DataDependentControlFlowError, match=r"case\.py:5: "):
        export_and_lint(mod.Loop(), mod.example_args)
    with pytest.raises(DataDependentValueError, match=r"case\.py:11: Tensor\.item\(\)"):
        export_and_lint(mod.Item(), mod.example_args)


def test_unsupported_api_names_the_api_and_the_line(tmp_path):
    mod = load_case(tmp_path, """
        import torch

        class Fft(torch.nn.Module):
            def forward(self, x):
                return torch.fft_magic(x)

        class Cumsum(torch.nn.Module):
            def forward(self, x):
                return x.cumsum_magic(0)

        example_args = (torch.randn(3),)
        model = Fft()
        """)
    path = tmp_path / "case.py"
    with pytest.raises(UnsupportedAPIError) as info:
        export_and_lint(mod.Fft(), mod.example_args)
    assert info.value.summary == f"{path}:5: torch.fft_magic is not provided by the built-in front end"
    with pytest.raises(UnsupportedAPIError) as info:
        export_and_lint(mod.Cumsum(), mod.example_args)
    assert info.value.summary == f"{path}:9: Tensor.cumsum_magic is not provided by the built-in front end"


def test_op_errors_are_export_errors_with_location(tmp_path):
    mod = load_case(tmp_path, """
        import torch

        class Bad(torch.nn.Module):
            def forward(self, x):
                return x.view(7)

        example_args = (torch.randn(3),)
        model = Bad()
        """)
    with pytest.raises(ExportError) as info:
        export_and_lint(mod.model, mod.example_args)
    assert f"{tmp_path / 'case.py'}:5: aten.view.default" in info.value.summary


# -- against real torch.export ------------------------------------------------------------
OPS_CASE = """
    import torch
    import torch.nn.functional as F

    class Ops(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = torch.nn.Linear(3, 3)

        def forward(self, x, y, i):
            a = x.sum(dim=0, keepdim=True) + torch.cat([x, y], dim=1)[:, :3]
            b = F.relu(self.lin(x)).softmax(-1) * (1 - y)
            c = x[..., 1] + x[:, ::2].sum(1) + x[i].mean(-1)
            v, idx = x.max(1)
            first, rest = x.split([1, 2], dim=1)
            d = torch.where(x > 0, x, 0.0) + x.clamp(0.0, 1.0) + 2 ** x + x / 2
            e = x.t() @ y
            f = x.clone()
            f.add_(1)
            f[0] += 2
            return a, b, c, v, idx, first, rest, d, e, f.exp()

    example_args = (torch.randn(2, 3), torch.randn(2, 3), torch.tensor([1, 0]))
    model = Ops()
"""


def _structure(nodes, name_of_target):
    def arg(a):
        if hasattr(a, "name") and hasattr(a, "op"):
            return a.name
        if isinstance(a, (list, tuple)):
            return [arg(v) for v in a]
        return a if isinstance(a, (int, float, bool, str, type(None))) else repr(a)
    return [(n.name, name_of_target(n), arg(list(n.args))) for n in nodes if n.op == "call_function"]


def test_node_names_targets_and_arguments_match_torch_export(tmp_path):
    real = pytest.importorskip("torch")
    from exportdb.engines.case_module import load_case_module

    path = write_case(tmp_path, OPS_CASE)
    ours = load_case_module(path)
    theirs = load_case_module(path, frontend="torch")
    ep = export_and_lint(ours.model, ours.example_args)
    tep = real.export.export(theirs.model, theirs.example_args, strict=True)
    got = _structure(ep.graph.nodes, lambda n: n.target.qualname)
    want = _structure(tep.graph.nodes,
                      lambda n: "getitem" if n.target.__name__ == "getitem" else str(n.target).replace("::", "."))
    assert got == want
    assert [n.name for n in ep.graph.placeholders] == [n.name for n in tep.graph.nodes if n.op == "placeholder"]
    check_against_eager(ours.model, ep, ours.example_args)


# -- known divergences from torch.export (see the report) ----------------------------------
def test_bitwise_and_node_name_matches_torch():
    ep = export_and_lint(Fn(lambda x: (x > 0) & (x < 1)), (torch.randn(3),))
    assert [n.name for n in ep.graph.nodes if n.op == "call_function"] == ["gt", "lt", "and_1"]


def test_bitwise_family_names_and_overloads_match_torch():
    # torch.fx strips a dunder op's underscores (and, or: keywords, so and_1, or_1; xor stays);
    # a Python scalar operand picks the .Scalar overload, a reflected one bitwise_*.Scalar.
    def ops(a, b):
        c = a.clone()
        c &= b
        c |= 3
        return (a & b, a | b, a ^ b, ~a, a & b, a ^ b, a | 3, a ^ 1, 5 & a, 6 | a, 7 ^ a, c)

    ep = export_and_lint(Fn(ops), (torch.tensor([1, 2, 3]), torch.tensor([3, 2, 1])))
    calls = [(n.name, n.target.qualname) for n in ep.graph.nodes if n.op == "call_function"]
    assert calls == [
        ("clone", "aten.clone.default"), ("iand", "aten.__iand__.Tensor"), ("ior", "aten.__ior__.Scalar"),
        ("and_1", "aten.__and__.Tensor"), ("or_1", "aten.__or__.Tensor"), ("xor", "aten.__xor__.Tensor"),
        ("bitwise_not", "aten.bitwise_not.default"), ("and_2", "aten.__and__.Tensor"),
        ("xor_1", "aten.__xor__.Tensor"), ("or_2", "aten.__or__.Scalar"), ("xor_2", "aten.__xor__.Scalar"),
        ("bitwise_and", "aten.bitwise_and.Scalar"), ("bitwise_or", "aten.bitwise_or.Scalar"),
        ("bitwise_xor", "aten.bitwise_xor.Scalar")]
    assert [a for a in ep.graph.nodes if a.name == "bitwise_or"][0].args[1] == 6
    check_against_eager(Fn(ops), ep, (torch.tensor([1, 2, 3]), torch.tensor([3, 2, 1])))


def test_masked_fill_overload_matches_torch():
    ep = export_and_lint(Fn(lambda x: x.masked_fill(x > 0, 0.0)), (torch.randn(3),))
    assert targets(ep.graph) == ["aten.gt.Scalar", "aten.masked_fill.Scalar"]


def test_masked_fill_tensor_value_and_in_place_forms():
    def fill(x, v):
        y = x.clone()
        y.masked_fill_(y > 1, v)
        return torch.masked_fill(x, x < 0, v), y

    args = (torch.randn(2, 3), torch.tensor(5.0))
    ep = export_and_lint(Fn(fill), args)
    assert targets(ep.graph) == ["aten.clone.default", "aten.gt.Scalar", "aten.masked_fill_.Tensor",
                                 "aten.lt.Scalar", "aten.masked_fill.Tensor"]
    check_against_eager(Fn(fill), ep, args)


def test_masked_fill_values_and_checks():
    x = torch.tensor([1, 2, 3])
    assert x.masked_fill(x > 1, 2.7).tolist() == [1, 2, 2] and x.masked_fill(x > 1, 2.7).dtype == torch.int64
    assert tuple(torch.zeros(3).masked_fill(torch.tensor([[True], [False]]), 1).shape) == (2, 3)
    with pytest.raises(Exception, match="boolean masks"):
        x.masked_fill(x, 1)
    with pytest.raises(Exception, match="0-dimensional value tensor"):
        x.masked_fill(x > 1, torch.tensor([1, 2, 3]))


def test_new_zeros_overload_matches_torch():
    ep = export_and_lint(Fn(lambda x: x + x.new_zeros(3)), (torch.randn(3),))
    assert targets(ep.graph)[0] == "aten.new_zeros.default"


def test_new_factories_keep_the_tensor_and_its_dtype():
    def make(x):
        return (x.new_ones((2, 3)), x.new_full((3,), 7), x.new_empty(3).shape[0],
                x.new_zeros(2, 3, dtype=torch.int64), x.new_tensor([1, 2]))

    ep = export_and_lint(Fn(make), (torch.randn(3),))
    lines = [line.split(" = ", 1)[1].replace("args_0", "x") for line in body(ep) if "torch.ops.aten.new_" in line]
    assert lines == ["torch.ops.aten.new_ones.default(x, [2, 3], pin_memory = False)",
                     "torch.ops.aten.new_full.default(x, [3], 7, pin_memory = False)",
                     "torch.ops.aten.new_empty.default(x, [3], pin_memory = False);  new_empty = None",
                     "torch.ops.aten.new_zeros.default(x, [2, 3], dtype = torch.int64, pin_memory = False);  x = None"]
    ones, full, n, zeros, data = make(torch.randn(3).double())
    assert (ones.dtype, full.dtype, zeros.dtype, data.dtype) == (torch.float64, torch.float64, torch.int64,
                                                               torch.float64)
    assert full.tolist() == [7.0, 7.0, 7.0] and n == 3 and data.tolist() == [1.0, 2.0]


def test_new_zeros_sized_by_a_dynamic_dim():
    class NewZeros(nn.Module):
        def forward(self, x):
            return x.new_zeros(x.shape[0], 2) + x

    ep = export_and_lint(NewZeros(), (torch.randn(4, 2),), dynamic_shapes={"x": {0: torch.export.Dim("n")}})
    assert any("torch.ops.aten.new_zeros.default(x, [sym_size_int_1, 2], pin_memory = False)" in line
               for line in body(ep))


def test_setitem_scalar_constant_has_destination_dtype():
    def write(x):
        x[1:] = 2
        return x + 1

    ep = export_and_lint(Fn(write), (torch.randn(3),))
    lifted = [n for n in ep.graph.placeholders if n.name.startswith("c_lifted_tensor")]
    assert [n.meta["val"].annotation() for n in lifted] == ["f32[]"]


def test_setitem_writes_as_torch_records_them():
    # the value is lifted (in the destination's dtype) before the view; same shape: copy_,
    # a 0-d value: fill_.Tensor, else the value viewed without leading 1s, expanded, copy_
    def write(x, t0, t1, y):
        x[1:] = t0
        x[1, :] = t1
        x[0:2] = t1
        y[0] = 2.5
        x[x > 5] = 1
        return x + 1, y

    args = (torch.randn(3, 2), torch.tensor(2.0), torch.randn(1, 2), torch.tensor([1, 2, 3]))
    ep = export_and_lint(Fn(write), args)
    assert targets(ep.graph) == [
        "aten.slice.Tensor", "aten.fill_.Tensor", "aten.select.int", "aten.view.default",
        "aten.copy_.default", "aten.slice.Tensor", "aten.view.default", "aten.expand.default", "aten.copy_.default",
        "aten.lift_fresh_copy.default", "aten.select.int", "aten.copy_.default", "aten.gt.Scalar",
        "aten.lift_fresh_copy.default", "aten.index_put_.default", "aten.add.Tensor"]
    lifted = [n.meta["val"].annotation() for n in ep.graph.placeholders if n.name.startswith("c_lifted_tensor")]
    assert lifted == ["i64[]", "f32[]"]
    check_against_eager(Fn(write), ep, args)
    y = torch.tensor([1, 2, 3])
    y[0] = 2.5
    assert y.tolist() == [2, 2, 3] and y.dtype == torch.int64


def test_reflected_floordiv_and_mod_keep_the_number_first():
    fn = Fn(lambda x: (2 // x, 5 % x, x % 2))
    ep = export_and_lint(fn, (torch.tensor([2.0, 4.0]),))
    assert [(n.target.qualname, n.args[0]) for n in ep.graph.nodes if n.op == "call_function"] == [
        ("aten.floor_divide.default", 2), ("aten.remainder.Scalar_Tensor", 5), ("aten.remainder.Scalar", ep.graph.placeholders[0])]
    check_against_eager(fn, ep, (torch.tensor([3.0, -4.5]),))


def test_unused_parameters_and_buffers_are_not_inputs():
    class State(nn.Module):
        def __init__(self):
            super().__init__()
            self.used = nn.Parameter(torch.ones(3))
            self.unused = nn.Parameter(torch.ones(3))
            self.shape_only = nn.Parameter(torch.ones(4))
            self.register_buffer("buf_used", torch.ones(3))
            self.register_buffer("buf_unused", torch.ones(3))
            self.register_buffer("buf_np", torch.ones(3), persistent=False)
            self.lin = nn.Linear(3, 3)

        def forward(self, x):
            return x * self.used + self.buf_used + self.shape_only.shape[0]

    model = State()
    ep = export_and_lint(model, (torch.randn(3),))
    assert [n.name for n in ep.graph.placeholders] == ["p_used", "b_buf_used", "x"]
    assert [s.target for s in ep.graph_signature.input_specs] == ["used", "buf_used", None]
    assert "unused" in ep.state_dict and "lin.weight" in ep.state_dict
    check_against_eager(model, ep, (torch.randn(3),))


def test_none_output_is_a_constant_output():
    ep = export_and_lint(Fn(lambda x: (x + 1, None)), (torch.randn(2),))
    assert "return (add, None)" in body(ep)


def test_none_outputs_nested_keep_their_place_and_run():
    fn = Fn(lambda x: (x + 1, {"a": None, "b": x * 2}, [None]))
    ep = export_and_lint(fn, (torch.randn(2),))
    assert "return (add, None, mul, None)" in body(ep)
    assert [s.arg for s in ep.graph_signature.output_specs][1::2] == [ConstantArgument("", None)] * 2
    out = ep.module()(torch.tensor([1.0, 2.0]))
    assert out[1]["a"] is None and out[2] == [None] and out[1]["b"].tolist() == [2.0, 4.0]
    check_against_eager(fn, ep, (torch.tensor([1.0, 2.0]),))


def test_values_equal_eager_for_the_ops_case(tmp_path):
    mod = load_case(tmp_path, OPS_CASE)
    ep = export_and_lint(mod.model, mod.example_args)
    rng = np.random.default_rng(1)
    check_against_eager(mod.model, ep, mod.example_args)
    x, y = (torch.Tensor._make(rng.standard_normal((2, 3)).astype(np.float32)) for _ in range(2))
    check_against_eager(mod.model, ep, (x, y, torch.tensor([0, 0])))
