"""exportdb.exporter.ir.printer: golden texts of small exported programs (seed layout)."""

from __future__ import annotations

import textwrap

from exporter_helpers import export_and_lint, torch

from exportdb.exporter.ir.graph import Graph
from exportdb.exporter.ir.tensor_meta import TensorMeta
from exportdb.exporter.ir import dtypes
from exportdb.exporter.ir.printer import format_arg, format_graph_module, PrintSettings

nn = torch.nn
cond = torch.cond


def golden(text: str) -> str:
    return textwrap.dedent(text).strip("\n")


def _user(name: str) -> str:
    return f"InputSpec(kind=<InputKind.USER_INPUT: 1>, arg=TensorArgument(name='{name}'), target=None, persistent=None)"


def _out(name: str) -> str:
    return f"OutputSpec(kind=<OutputKind.USER_OUTPUT: 1>, arg=TensorArgument(name='{name}'), target=None)"


class DeadValues(nn.Module):
    def forward(self, a, b):
        x = a + b
        z = a - b
        x.add_(1)
        return x * x + z


def test_dead_values_blank_lines_and_inplace_reuse():
    ep = export_and_lint(DeadValues(), (torch.randn(3, 2), torch.randn(2)))
    assert str(ep) == golden(f"""
        ExportedProgram:
            class GraphModule(torch.nn.Module):
                def forward(self, a: "f32[3, 2]", b: "f32[2]"):
                    add: "f32[3, 2]" = torch.ops.aten.add.Tensor(a, b)

                    sub: "f32[3, 2]" = torch.ops.aten.sub.Tensor(a, b);  a = b = None

                    add_: "f32[3, 2]" = torch.ops.aten.add_.Tensor(add, 1);  add = None

                    mul: "f32[3, 2]" = torch.ops.aten.mul.Tensor(add_, add_);  add_ = None
                    add_1: "f32[3, 2]" = torch.ops.aten.add.Tensor(mul, sub);  mul = sub = None
                    return (add_1,)

        Graph signature: ExportGraphSignature(input_specs=[{_user('a')}, {_user('b')}], output_specs=[{_out('add_1')}])
        Range constraints: {{}}
        """)


class LinearState(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(4, 2)
        self.register_buffer("calls", torch.zeros(1))
        self.register_buffer("scratch", torch.ones(2), persistent=False)
        self.register_buffer("unused", torch.ones(2))

    def forward(self, x):
        return self.linear(x) * self.calls + self.scratch


def test_parameters_and_buffers_with_persistent_flags():
    text = str(export_and_lint(LinearState(), (torch.randn(3, 4),)))
    assert golden("""
        def forward(self, p_linear_weight: "f32[2, 4]", p_linear_bias: "f32[2]", b_calls: "f32[1]", b_scratch: "f32[2]", x: "f32[3, 4]"):
            linear: "f32[3, 2]" = torch.ops.aten.linear.default(x, p_linear_weight, p_linear_bias);  x = p_linear_weight = p_linear_bias = None
            mul: "f32[3, 2]" = torch.ops.aten.mul.Tensor(linear, b_calls);  linear = b_calls = None
            add: "f32[3, 2]" = torch.ops.aten.add.Tensor(mul, b_scratch);  mul = b_scratch = None
            return (add,)
        """) in textwrap.dedent("\n".join(text.splitlines()[2:8]))
    assert ("InputSpec(kind=<InputKind.PARAMETER: 2>, arg=TensorArgument(name='p_linear_weight'), "
            "target='linear.weight', persistent=None)") in text
    assert ("InputSpec(kind=<InputKind.BUFFER: 3>, arg=TensorArgument(name='b_calls'), target='calls', "
            "persistent=True)") in text
    assert ("InputSpec(kind=<InputKind.BUFFER: 3>, arg=TensorArgument(name='b_scratch'), target='scratch', "
            "persistent=False)") in text
    assert "b_unused" not in text, "torch 2.13 lifts only the buffers the graph reads"


class LiftedConstants(nn.Module):
    def __init__(self):
        super().__init__()
        self.offset = torch.ones(2)

    def forward(self, x, n):
        return x + torch.tensor([1.0, 2.0]) + self.offset, n, 7


def test_lifted_constants_and_constant_inputs_outputs():
    text = str(export_and_lint(LiftedConstants(), (torch.randn(2), 3)))
    assert golden("""
        ExportedProgram:
            class GraphModule(torch.nn.Module):
                def forward(self, c_lifted_tensor_0: "f32[2]", c_offset: "f32[2]", x: "f32[2]", n):
                    lift_fresh_copy: "f32[2]" = torch.ops.aten.lift_fresh_copy.default(c_lifted_tensor_0);  c_lifted_tensor_0 = None
                    detach_: "f32[2]" = torch.ops.aten.detach_.default(lift_fresh_copy);  lift_fresh_copy = None
                    add: "f32[2]" = torch.ops.aten.add.Tensor(x, detach_);  x = detach_ = None
                    add_1: "f32[2]" = torch.ops.aten.add.Tensor(add, c_offset);  add = c_offset = None
                    return (add_1, 3, 7)
        """) in text
    assert ("InputSpec(kind=<InputKind.CONSTANT_TENSOR: 4>, arg=TensorArgument(name='c_lifted_tensor_0'), "
            "target='lifted_tensor_0', persistent=None)") in text
    assert ("InputSpec(kind=<InputKind.CONSTANT_TENSOR: 4>, arg=TensorArgument(name='c_offset'), "
            "target='offset', persistent=True)") in text
    assert "InputSpec(kind=<InputKind.USER_INPUT: 1>, arg=ConstantArgument(name='n', value=3), target=None, persistent=None)" in text
    assert "OutputSpec(kind=<OutputKind.USER_OUTPUT: 1>, arg=ConstantArgument(name='', value=3), target=None)" in text
    assert "OutputSpec(kind=<OutputKind.USER_OUTPUT: 1>, arg=ConstantArgument(name='', value=7), target=None)" in text


class MultiOutput(nn.Module):
    def forward(self, x):
        values, indices = x.max(1)
        first, _ = x.split(2)
        return values, indices, first


def test_getitem_for_multi_output_ops_and_unused_results():
    ep = export_and_lint(MultiOutput(), (torch.randn(4, 3),))
    assert golden("""
        max_1 = torch.ops.aten.max.dim(x, 1)
        getitem: "f32[4]" = max_1[0]
        getitem_1: "i64[4]" = max_1[1];  max_1 = None

        split = torch.ops.aten.split.Tensor(x, 2);  x = None
        getitem_2: "f32[2, 3]" = split[0]
        getitem_3: "f32[2, 3]" = split[1];  split = getitem_3 = None
        return (getitem, getitem_1, getitem_2)
        """) in textwrap.dedent("\n".join(str(ep).splitlines()[3:11]))


class NestedConds(nn.Module):
    def forward(self, p, q, x):
        def inner_true(t):
            return t * 10

        def inner_false(t):
            return t / 10

        def outer_true(t):
            return cond(q, inner_true, inner_false, (t,))

        def outer_false(t):
            return t.neg()

        return cond(p, outer_true, outer_false, (x,))


def test_nested_cond_classes():
    ep = export_and_lint(NestedConds(), (torch.tensor(True), torch.tensor(False), torch.randn(3)))
    assert str(ep) == golden(f"""
        ExportedProgram:
            class GraphModule(torch.nn.Module):
                def forward(self, p: "b8[]", q: "b8[]", x: "f32[3]"):
                    true_graph_0 = self.true_graph_0
                    false_graph_0 = self.false_graph_0
                    cond = torch.ops.higher_order.cond(p, true_graph_0, false_graph_0, [x, q]);  p = true_graph_0 = false_graph_0 = x = q = None
                    getitem: "f32[3]" = cond[0];  cond = None
                    return (getitem,)

                class true_graph_0(torch.nn.Module):
                    def forward(self, x: "f32[3]", q: "b8[]"):
                        true_graph_0 = self.true_graph_0
                        false_graph_0 = self.false_graph_0
                        cond = torch.ops.higher_order.cond(q, true_graph_0, false_graph_0, [x]);  q = true_graph_0 = false_graph_0 = x = None
                        getitem: "f32[3]" = cond[0];  cond = None
                        return (getitem,)

                    class true_graph_0(torch.nn.Module):
                        def forward(self, x: "f32[3]"):
                            mul: "f32[3]" = torch.ops.aten.mul.Tensor(x, 10);  x = None
                            return (mul,)

                    class false_graph_0(torch.nn.Module):
                        def forward(self, x: "f32[3]"):
                            div: "f32[3]" = torch.ops.aten.div.Tensor(x, 10);  x = None
                            return (div,)

                class false_graph_0(torch.nn.Module):
                    def forward(self, x: "f32[3]", q: "b8[]"):
                        neg: "f32[3]" = torch.ops.aten.neg.default(x);  x = None
                        return (neg,)

        Graph signature: ExportGraphSignature(input_specs=[{_user('p')}, {_user('q')}, {_user('x')}], output_specs=[{_out('getitem')}])
        Range constraints: {{}}
        """)


class TwoLines(nn.Module):
    def forward(self, x):
        y = x.cos()
        return y + 1


def test_source_comments_are_optional():
    ep = export_and_lint(TwoLines(), (torch.randn(2),))
    plain = str(ep)
    assert "# File:" not in plain
    assert ep.format() == plain
    commented = ep.format(source_comments=True).splitlines()
    comments = [line.strip() for line in commented if "# File:" in line]
    assert len(comments) == 2
    assert comments[0].startswith("# File: ") and comments[0].endswith("in forward, code: y = x.cos()")
    assert __file__ in comments[0]
    assert comments[1].endswith("in forward, code: return y + 1")
    assert [line for line in commented if "# File:" not in line] == plain.splitlines()


def test_format_arg_matches_fx_codegen():
    g = Graph()
    x = g.placeholder("x")
    assert format_arg(x) == "x"
    assert format_arg([x, 1]) == "[x, 1]"
    assert format_arg((x,)) == "(x,)"
    assert format_arg((x, 2.5, None)) == "(x, 2.5, None)"
    assert format_arg({"a": x}) == "{'a': x}"
    assert format_arg(dtypes.float32) == "torch.float32"
    assert format_arg(9223372036854775807) == "9223372036854775807"
    assert format_arg("mean") == "'mean'"


def test_graph_module_layout_is_a_pure_function_of_the_graph():
    g = Graph()
    x = g.placeholder("x", meta={"val": TensorMeta((2,), dtypes.int64)})
    g.output((x,))
    lines = format_graph_module("GraphModule", g, 1, PrintSettings())
    assert lines == ["    class GraphModule(torch.nn.Module):",
                     '        def forward(self, x: "i64[2]"):',
                     "            return (x,)",
                     ""]
