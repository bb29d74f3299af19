"""The structural normaliser: hand-written program pairs, torch 2.13 style against the seed style."""

from __future__ import annotations

import re
import textwrap

import pytest

from exportdb.tools.compare_normalize import (
    ProgramParseError, canonical_expr, canonical_text, fold_constant_conds, named_text, parse_program,
)


def seed_signature(inputs: list[tuple[str, str, int, str | None]], outputs: list[tuple[str, str, int]]) -> str:
    """The one-line ``ExportGraphSignature(...)`` repr the seed documents print."""
    ins = ", ".join(
        f"InputSpec(kind=<InputKind.{kind}: {num}>, arg=TensorArgument(name='{name}'), "
        f"target={repr(target) if target else None}, persistent=None)" for name, kind, num, target in inputs)
    outs = ", ".join(
        f"OutputSpec(kind=<OutputKind.{kind}: {num}>, arg=TensorArgument(name='{name}'), target=None)"
        for name, kind, num in outputs)
    return f"ExportGraphSignature(input_specs=[{ins}], output_specs=[{outs}])"


def program(body: str, signature: str, ranges: str = "{}") -> str:
    """Assemble a printed program from a dedented graph body (indented under the header)."""
    graph = textwrap.indent(textwrap.dedent(body).strip("\n"), "    ")
    return f"ExportedProgram:\n{graph}\n\nGraph signature: {signature}\nRange constraints: {ranges}\n"


def agree(a: str, b: str) -> bool:
    return canonical_text(fold_constant_conds(parse_program(a))) == \
        canonical_text(fold_constant_conds(parse_program(b)))


# A small module with a parameter and a dynamic batch dimension, printed by torch 2.13 ...
TORCH_MLP = program('''
    class GraphModule(torch.nn.Module):
        def forward(self, p_fc_weight: "f32[4, 3]", x: "f32[s31, 3]"):
            # File: /cases/mlp.py:9 in forward, code: h = self.fc(x)
            linear: "f32[s31, 4]" = torch.ops.aten.linear.default(x, p_fc_weight);  x = p_fc_weight = None

            # File: /cases/mlp.py:10 in forward, code: return h.relu() * 2
            relu: "f32[s31, 4]" = torch.ops.aten.relu.default(linear);  linear = None
            mul: "f32[s31, 4]" = torch.ops.aten.mul.Tensor(relu, 2);  relu = None
            return (mul,)
''', '''
    # inputs
    p_fc_weight: PARAMETER target='fc.weight'
    x: USER_INPUT

    # outputs
    mul: USER_OUTPUT
'''.rstrip(), "{s31: VR[2, int_oo]}")

# ... and the same module in the seed's layout, as the builtin engine prints it.
SEED_MLP = program('''
    class GraphModule(torch.nn.Module):
        def forward(self, p_fc_weight: "f32[4, 3]", x: "f32[s0, 3]"):
            linear: "f32[s0, 4]" = torch.ops.aten.linear.default(x, p_fc_weight);  x = p_fc_weight = None
            relu: "f32[s0, 4]" = torch.ops.aten.relu.default(linear);  linear = None
            mul: "f32[s0, 4]" = torch.ops.aten.mul.Tensor(relu, 2);  relu = None
            return (mul,)
''', seed_signature([("p_fc_weight", "PARAMETER", 2, "fc.weight"), ("x", "USER_INPUT", 1, None)],
                   [("mul", "USER_OUTPUT", 1)]), "{s0: VR[2, int_oo]}")


def test_torch_style_and_seed_style_of_one_program_agree():
    assert agree(TORCH_MLP, SEED_MLP)
    assert named_text(parse_program(TORCH_MLP)) == named_text(parse_program(SEED_MLP))


def test_signatures_of_both_styles_parse_to_the_same_records():
    a, b = parse_program(TORCH_MLP), parse_program(SEED_MLP)
    assert [(s.name, s.kind, s.target) for s in a.inputs] == [
        ("p_fc_weight", "PARAMETER", "fc.weight"), ("x", "USER_INPUT", None)]
    assert a.inputs == b.inputs and a.outputs == b.outputs


@pytest.mark.parametrize("old, new", [
    ("torch.ops.aten.relu.default(linear)", "torch.ops.aten.sigmoid.default(linear)"),  # different op
    ('relu: "f32[s0, 4]"', 'relu: "f32[s0, 5]"'),                                     # different shape
    ('relu: "f32[s0, 4]"', 'relu: "f64[s0, 4]"'),                                     # different dtype
    ("mul.Tensor(relu, 2)", "mul.Tensor(relu, 3)"),                                   # different constant
    ("mul.Tensor(relu, 2)", "mul.Tensor(linear, 2)"),                                 # different operand
    ("linear.default(x, p_fc_weight)", "linear.default(p_fc_weight, x)"),             # swapped operands
    ("<InputKind.PARAMETER: 2>", "<InputKind.BUFFER: 3>"),                            # signature kind
    ("target='fc.weight'", "target='fc.bias'"),                                       # signature target
    ("{s0: VR[2, int_oo]}", "{s0: VR[0, int_oo]}"),                                   # range constraint
    ("return (mul,)", "return (relu,)"),                                              # returned value
])
def test_a_real_difference_is_not_normalised_away(old, new):
    changed = SEED_MLP.replace(old, new)
    assert changed != SEED_MLP
    assert not agree(TORCH_MLP, changed)


def test_an_extra_node_is_a_difference():
    extra = SEED_MLP.replace(
        "            return (mul,)",
        '            neg: "f32[s0, 4]" = torch.ops.aten.neg.default(mul)\n            return (mul,)')
    assert not agree(TORCH_MLP, extra)


def test_node_names_and_dead_lists_do_not_matter_but_are_reported():
    renamed = re.sub(r"(?<!\.)\brelu\b", "relu_7", SEED_MLP)
    renamed = re.sub(r"(?<![.'])\bmul\b", "mul_2", renamed).replace("name='mul'", "name='mul_2'")
    renamed = renamed.replace(";  linear = None", "")
    assert "relu_7: " in renamed and "aten.relu.default(linear)" in renamed and "(mul_2,)" in renamed
    assert agree(TORCH_MLP, renamed)
    assert named_text(parse_program(TORCH_MLP)) != named_text(parse_program(renamed))


def test_placeholder_names_are_part_of_the_interface():
    renamed = SEED_MLP.replace("x: ", "inp: ").replace("(x,", "(inp,").replace("name='x'", "name='inp'")
    assert not agree(TORCH_MLP, renamed)


TWO_SYMBOLS = '''
    class GraphModule(torch.nn.Module):
        def forward(self, a: "f32[{A}, 3]", b: "f32[{B}]"):
            sym_size_int: "Sym({A})" = torch.ops.aten.sym_size.int(a, 0)
            sym_size_int_1: "Sym({B})" = torch.ops.aten.sym_size.int(b, 0)
            add: "Sym({SUM})" = sym_size_int + sym_size_int_1;  sym_size_int = sym_size_int_1 = None
            mul: "Sym({TWICE})" = add * 2;  add = None
            return (mul,)
'''


def two_symbols(a: str, b: str, total: str, twice: str, ranges: str) -> str:
    body = TWO_SYMBOLS.replace("{A}", a).replace("{B}", b).replace("{SUM}", total).replace("{TWICE}", twice)
    sig = seed_signature([("a", "USER_INPUT", 1, None), ("b", "USER_INPUT", 1, None)], [("mul", "USER_OUTPUT", 1)])
    return program(body, sig, ranges)


def test_symbol_numbering_and_commutative_order_do_not_matter():
    torch_like = two_symbols("s77", "s6", "s6 + s77", "2*s6 + 2*s77", "{s6: VR[0, int_oo], s77: VR[2, 10]}")
    seed_like = two_symbols("s0", "s1", "s0 + s1", "2*s0 + 2*s1", "{s0: VR[2, 10], s1: VR[0, int_oo]}")
    assert agree(torch_like, seed_like)
    swapped_ranges = seed_like.replace("{s0: VR[2, 10], s1: VR[0, int_oo]}", "{s0: VR[0, int_oo], s1: VR[2, 10]}")
    assert not agree(torch_like, swapped_ranges)


def test_symbols_are_numbered_by_first_appearance_not_by_name():
    crossed = two_symbols("s1", "s0", "s0 + s1", "2*s0 + 2*s1", "{s0: VR[0, int_oo], s1: VR[2, 10]}")
    straight = two_symbols("s0", "s1", "s0 + s1", "2*s0 + 2*s1", "{s0: VR[2, 10], s1: VR[0, int_oo]}")
    assert agree(crossed, straight)
    wrong_dim = two_symbols("s0", "s0", "2*s0", "4*s0", "{s0: VR[2, 10]}")
    assert not agree(crossed, wrong_dim)


def test_canonical_expr_orders_terms_and_keeps_meaning():
    assert canonical_expr("s1*2 + s0") == canonical_expr("s0 + 2*s1") == "s0 + 2*s1"
    assert canonical_expr("s0 > 4") == "s0 > 4"
    assert canonical_expr("s0 + 1") != canonical_expr("s0 + 2")
    assert canonical_expr("Eq(s0, 3)") == "Eq(s0, 3)"
    assert canonical_expr("not an (expression") == "not an (expression"


def test_range_only_symbols_and_node_names_inside_messages_are_normalised():
    body = '''
        class GraphModule(torch.nn.Module):
            def forward(self, x: "i64[]"):
                item: "Sym({U})" = torch.ops.aten.item.default(x);  x = None
                {GE}: "Sym({U} >= 0)" = item >= 0
                _assert_scalar_default = torch.ops.aten._assert_scalar.default({GE}, "Runtime assertion failed for expression {U} >= 0 on node '{GE}'");  {GE} = _assert_scalar_default = None
                return (item,)
    '''
    sig = seed_signature([("x", "USER_INPUT", 1, None)], [("item", "USER_OUTPUT", 1)])
    a = program(body.replace("{U}", "u3").replace("{GE}", "ge_1"), sig, "{u3: VR[0, 9], u4: VR[0, 9]}")
    b = program(body.replace("{U}", "u0").replace("{GE}", "ge"), sig, "{u0: VR[0, 9]}")
    assert agree(a, b)


COND_OUTER = '''
    class GraphModule(torch.nn.Module):
        def forward(self, x: "f32[4]", y: "f32[4]"):
            add: "f32[4]" = torch.ops.aten.add.Tensor(x, y);  y = None
            true_graph_0 = self.true_graph_0
            false_graph_0 = self.false_graph_0
            cond = torch.ops.higher_order.cond({PRED}, true_graph_0, false_graph_0, {OPERANDS});  true_graph_0 = false_graph_0 = x = None
            getitem: "f32[4]" = cond[0];  cond = None
            add_1: "f32[4]" = torch.ops.aten.add.Tensor(getitem, add);  getitem = add = None
            return (add_1,)

        class true_graph_0(torch.nn.Module):
            def forward(self, x: "f32[4]"):
                add: "f32[4]" = torch.ops.aten.add.Tensor(x, 1);  x = None
                cos: "f32[4]" = torch.ops.aten.cos.default(add);  add = None
                return (cos,)

        class false_graph_0(torch.nn.Module):
            def forward(self, x: "f32[4]"):
                sin: "f32[4]" = torch.ops.aten.sin.default(x);  x = None
                return (sin,)
'''
COND_SIG = seed_signature([("x", "USER_INPUT", 1, None), ("y", "USER_INPUT", 1, None)], [("add_1", "USER_OUTPUT", 1)])

# torch 2.13 specialises a constant predicate: the taken branch is inlined, names made fresh.
TORCH_INLINED_TRUE = program('''
    class GraphModule(torch.nn.Module):
        def forward(self, x: "f32[4]", y: "f32[4]"):
            add: "f32[4]" = torch.ops.aten.add.Tensor(x, y);  y = None
            add_1: "f32[4]" = torch.ops.aten.add.Tensor(x, 1);  x = None
            cos: "f32[4]" = torch.ops.aten.cos.default(add_1);  add_1 = None
            add_2: "f32[4]" = torch.ops.aten.add.Tensor(cos, add);  cos = add = None
            return (add_2,)
''', "\n    # inputs\n    x: USER_INPUT\n    y: USER_INPUT\n\n    # outputs\n    add_2: USER_OUTPUT")


def test_a_constant_true_cond_is_folded_into_its_true_branch():
    seed = program(COND_OUTER.replace("{PRED}", "True").replace("{OPERANDS}", "[x]"), COND_SIG)
    assert agree(seed, TORCH_INLINED_TRUE)
    folded = fold_constant_conds(parse_program(seed))
    assert folded.folded == 1 and not folded.root.children
    assert named_text(folded) == named_text(parse_program(TORCH_INLINED_TRUE))


def test_folding_takes_the_branch_the_constant_selects():
    seed = program(COND_OUTER.replace("{PRED}", "False").replace("{OPERANDS}", "[x]"), COND_SIG)
    assert not agree(seed, TORCH_INLINED_TRUE)
    inlined_false = TORCH_INLINED_TRUE.replace(
        '            add_1: "f32[4]" = torch.ops.aten.add.Tensor(x, 1);  x = None\n', "").replace(
        "torch.ops.aten.cos.default(add_1)", "torch.ops.aten.sin.default(x)").replace("cos", "sin")
    assert agree(seed, inlined_false)


def test_a_data_dependent_cond_is_kept_and_tuple_operands_equal_list_operands():
    seed = program(COND_OUTER.replace("{PRED}", "x").replace("{OPERANDS}", "[x]"), COND_SIG)
    torch_like = program(COND_OUTER.replace("{PRED}", "x").replace("{OPERANDS}", "(x,)"), COND_SIG)
    assert agree(seed, torch_like)
    assert fold_constant_conds(parse_program(seed)).folded == 0
    assert not agree(seed, TORCH_INLINED_TRUE)


def test_a_nested_cond_inside_the_taken_branch_moves_to_the_outer_graph():
    nested = program('''
        class GraphModule(torch.nn.Module):
            def forward(self, p: "b8[]", x: "f32[2]"):
                true_graph_0 = self.true_graph_0
                false_graph_0 = self.false_graph_0
                cond = torch.ops.higher_order.cond(True, true_graph_0, false_graph_0, [p, x]);  true_graph_0 = false_graph_0 = p = x = None
                getitem: "f32[2]" = cond[0];  cond = None
                return (getitem,)

            class true_graph_0(torch.nn.Module):
                def forward(self, p: "b8[]", x: "f32[2]"):
                    true_graph_0 = self.true_graph_0
                    false_graph_0 = self.false_graph_0
                    cond = torch.ops.higher_order.cond(p, true_graph_0, false_graph_0, [x]);  p = true_graph_0 = false_graph_0 = x = None
                    getitem: "f32[2]" = cond[0];  cond = None
                    return (getitem,)

                class true_graph_0(torch.nn.Module):
                    def forward(self, x: "f32[2]"):
                        cos: "f32[2]" = torch.ops.aten.cos.default(x);  x = None
                        return (cos,)

                class false_graph_0(torch.nn.Module):
                    def forward(self, x: "f32[2]"):
                        sin: "f32[2]" = torch.ops.aten.sin.default(x);  x = None
                        return (sin,)

            class false_graph_0(torch.nn.Module):
                def forward(self, p: "b8[]", x: "f32[2]"):
                    neg: "f32[2]" = torch.ops.aten.neg.default(x);  x = None
                    return (neg,)
    ''', seed_signature([("p", "USER_INPUT", 1, None), ("x", "USER_INPUT", 1, None)],
                        [("getitem", "USER_OUTPUT", 1)]))
    torch_like = program('''
        class GraphModule(torch.nn.Module):
            def forward(self, p: "b8[]", x: "f32[2]"):
                true_graph_1 = self.true_graph_1
                false_graph_1 = self.false_graph_1
                cond = torch.ops.higher_order.cond(p, true_graph_1, false_graph_1, (x,));  p = true_graph_1 = false_graph_1 = x = None
                getitem_1: "f32[2]" = cond[0];  cond = None
                return (getitem_1,)

            class true_graph_1(torch.nn.Module):
                def forward(self, x: "f32[2]"):
                    cos: "f32[2]" = torch.ops.aten.cos.default(x);  x = None
                    return (cos,)

            class false_graph_1(torch.nn.Module):
                def forward(self, x: "f32[2]"):
                    sin: "f32[2]" = torch.ops.aten.sin.default(x);  x = None
                    return (sin,)
    ''', "\n    # inputs\n    p: USER_INPUT\n    x: USER_INPUT\n\n    # outputs\n    getitem_1: USER_OUTPUT")
    assert agree(nested, torch_like)
    swapped = torch_like.replace("aten.cos", "aten.tmp").replace("aten.sin", "aten.cos").replace("aten.tmp", "aten.sin")
    assert not agree(nested, swapped)


@pytest.mark.parametrize("text, message", [
    ("UserError: nope", "ExportedProgram"),
    ("ExportedProgram:\n    class GraphModule(torch.nn.Module):\n        def forward(self, x):\n"
     "            return (x,)\n", "Graph signature"),
    ("ExportedProgram:\n    class GraphModule(torch.nn.Module):\n        def forward(self, x):\n"
     "            y = = 2\n            return (y,)\nGraph signature: \nRange constraints: {}", "line 4"),
])
def test_unreadable_text_raises_a_parse_error(text, message):
    with pytest.raises(ProgramParseError, match=message):
        parse_program(text)


FOLDED_BRANCH = '''
    true_graph_0 = self.true_graph_0
    false_graph_0 = self.false_graph_0
    cond = torch.ops.higher_order.cond(True, true_graph_0, false_graph_0, [x]);  true_graph_0 = false_graph_0 = x = None
    getitem: "f32[4]" = cond[0];  cond = None
    return (getitem,)

class true_graph_0(torch.nn.Module):
    def forward(self, x: "f32[4]"):
        cos: "f32[4]" = torch.ops.aten.cos.default(x)
        mul: "f32[4]" = torch.ops.aten.mul.Tensor(x, 3);  x = None
        relu_: "f32[4]" = torch.ops.aten.relu_.default(mul)
        tanh: "f32[4]" = torch.ops.aten.tanh.default(mul);  mul = None
        return (cos, tanh)

class false_graph_0(torch.nn.Module):
    def forward(self, x: "f32[4]"):
        sin: "f32[4]" = torch.ops.aten.sin.default(x);  x = None
        return (sin, sin)
'''
SPLICED = '''
    cos: "f32[4]" = torch.ops.aten.cos.default(x)
    mul: "f32[4]" = torch.ops.aten.mul.Tensor(x, 3);  x = None
    relu_: "f32[4]" = torch.ops.aten.relu_.default(mul)
    tanh: "f32[4]" = torch.ops.aten.tanh.default(mul);  mul = tanh = None
    return (cos,)
'''


def _in_a_branch(body: str) -> str:
    """``body`` (a forward's statements and nested classes) as the true branch of a cond on ``p``."""
    head = '''class GraphModule(torch.nn.Module):
    def forward(self, p: "b8[]", x: "f32[4]"):
        true_graph_0 = self.true_graph_0
        false_graph_0 = self.false_graph_0
        cond = torch.ops.higher_order.cond(p, true_graph_0, false_graph_0, [x]);  p = true_graph_0 = false_graph_0 = x = None
        getitem: "f32[4]" = cond[0];  cond = None
        return (getitem,)

    class true_graph_0(torch.nn.Module):
        def forward(self, x: "f32[4]"):
'''
    tail = '''
    class false_graph_0(torch.nn.Module):
        def forward(self, x: "f32[4]"):
            return (x,)
'''
    sig = "\n    # inputs\n    p: USER_INPUT\n    x: USER_INPUT\n\n    # outputs\n    getitem: USER_OUTPUT"
    return program(head + textwrap.indent(body.strip("\n"), "        ") + "\n" + tail, sig)


def _at_top(body: str, output: str) -> str:
    head = '''class GraphModule(torch.nn.Module):
    def forward(self, x: "f32[4]"):
'''
    sig = f"\n    # inputs\n    x: USER_INPUT\n\n    # outputs\n    {output}: USER_OUTPUT"
    return program(head + textwrap.indent(body.strip("\n"), "    "), sig)


def test_an_unused_result_of_a_folded_cond_leaves_no_dead_code_in_a_branch():
    """Torch traces only the taken branch and cleans a cond branch's graph of what nothing
    reads; an in-place op on the dead value stays (it is not pure).  Its top graph keeps
    dead code, so there the spliced nodes stay."""
    without_tanh = "\n".join(line for line in SPLICED.splitlines() if "tanh" not in line)
    assert agree(_in_a_branch(FOLDED_BRANCH), _in_a_branch(without_tanh))
    assert not agree(_in_a_branch(FOLDED_BRANCH), _in_a_branch(SPLICED))
    assert not agree(_in_a_branch(FOLDED_BRANCH), _in_a_branch(without_tanh.replace("relu_.default", "relu.default")))
    assert agree(_at_top(FOLDED_BRANCH, "getitem"), _at_top(SPLICED, "cos"))
    assert not agree(_at_top(FOLDED_BRANCH, "getitem"), _at_top(without_tanh, "cos"))


def test_a_cond_spliced_into_the_top_graph_reads_every_result():
    """In a branch, an unused result of a nested cond is not read; once torch inlines the
    branch into its top graph, the top graph's rule holds: every ``cond[i]`` is read."""
    seed = program('''
        class GraphModule(torch.nn.Module):
            def forward(self, p: "b8[]", x: "f32[4]"):
                true_graph_0 = self.true_graph_0
                false_graph_0 = self.false_graph_0
                cond = torch.ops.higher_order.cond(True, true_graph_0, false_graph_0, [p, x]);  true_graph_0 = false_graph_0 = p = x = None
                getitem: "f32[4]" = cond[0];  cond = None
                return (getitem,)

            class true_graph_0(torch.nn.Module):
                def forward(self, p: "b8[]", x: "f32[4]"):
                    true_graph_0 = self.true_graph_0
                    false_graph_0 = self.false_graph_0
                    cond = torch.ops.higher_order.cond(p, true_graph_0, false_graph_0, [x]);  p = true_graph_0 = false_graph_0 = x = None
                    getitem: "f32[4]" = cond[0];  cond = None
                    return (getitem,)

                class true_graph_0(torch.nn.Module):
                    def forward(self, x: "f32[4]"):
                        cos: "f32[4]" = torch.ops.aten.cos.default(x)
                        sin: "f32[4]" = torch.ops.aten.sin.default(x);  x = None
                        return (cos, sin)

                class false_graph_0(torch.nn.Module):
                    def forward(self, x: "f32[4]"):
                        neg: "f32[4]" = torch.ops.aten.neg.default(x);  x = None
                        return (neg, neg)

            class false_graph_0(torch.nn.Module):
                def forward(self, p: "b8[]", x: "f32[4]"):
                    return (x,)
    ''', "\n    # inputs\n    p: USER_INPUT\n    x: USER_INPUT\n\n    # outputs\n    getitem: USER_OUTPUT")
    torch_like = program('''
        class GraphModule(torch.nn.Module):
            def forward(self, p: "b8[]", x: "f32[4]"):
                true_graph_0 = self.true_graph_0
                false_graph_0 = self.false_graph_0
                cond = torch.ops.higher_order.cond(p, true_graph_0, false_graph_0, (x,));  p = true_graph_0 = false_graph_0 = x = None
                getitem: "f32[4]" = cond[0]
                getitem_1: "f32[4]" = cond[1];  cond = getitem_1 = None
                return (getitem,)

            class true_graph_0(torch.nn.Module):
                def forward(self, x: "f32[4]"):
                    cos: "f32[4]" = torch.ops.aten.cos.default(x)
                    sin: "f32[4]" = torch.ops.aten.sin.default(x);  x = None
                    return (cos, sin)

            class false_graph_0(torch.nn.Module):
                def forward(self, x: "f32[4]"):
                    neg: "f32[4]" = torch.ops.aten.neg.default(x);  x = None
                    return (neg, neg)
    ''', "\n    # inputs\n    p: USER_INPUT\n    x: USER_INPUT\n\n    # outputs\n    getitem: USER_OUTPUT")
    assert agree(seed, torch_like)
    unread = "\n".join(line for line in torch_like.splitlines() if "getitem_1" not in line) + "\n"
    assert unread != torch_like and not agree(seed, unread)
