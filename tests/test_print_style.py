"""The torch print style: byte for byte what torch.export 2.13 prints (the torch engine's text),
checked against the real torch at test time; the seed style stays the default."""

from __future__ import annotations

import io
import textwrap
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from exporter_helpers import CASES_DIR, export_and_lint, torch as front_torch

from exportdb.engines import PRINT_STYLES, get_engine
from exportdb.exporter.ir.printer import STYLES, PrintSettings
from exportdb.exporter.ir.signature import (
    ExportGraphSignature, InputKind, InputSpec, OutputKind, OutputSpec, TensorArgument,
)
from exportdb.site.generate import Settings, SettingsError
from exportdb.tools.cli import main

#: cond (closed-over tensor and parameter, nested, constant predicate), map, dynamic shapes (derived
#: dims, sources unified by guards), closures, buffers, unbacked sizes
REGISTRY_CASES = [
    "cond_closed_over_tensor", "cond_nested", "cond_static_predicate", "map_closure", "map_dynamic_batch",
    "dyn_derived_dims", "dyn_auto_unified_sources", "closure_scale_factor", "nonlocal_running_total",
    "buffer_update", "dvalue_tolist_sizes", "dvalue_boolean_mask_select",
]

#: Programs whose constant-predicate conds torch folds before and between other conds and a map:
#: the nodes after them are named as if the folded ones never existed.
FOLDED = {
    "folded_before_cond": '''
        class M(torch.nn.Module):
            """A folded cond, a kept one, and a name used in both."""

            def forward(self, x):
                a = x.sin()
                b = torch.cond(x.shape[0] > 2, lambda t: t.sin() + 1, lambda t: t.cos(), (a,))
                c = torch.cond(x.sum() > 0, lambda t: t.sin(), lambda t: t.cos(), (b,))
                return c + a.sin()


        example_args = (torch.randn(4),)
        ''',
    "folded_inside_branch": '''
        from torch.export import Dim


        class M(torch.nn.Module):
            """A constant predicate inside a branch, with a parameter and dynamic rows."""

            def __init__(self):
                super().__init__()
                self.w = torch.nn.Parameter(torch.ones(3))

            def forward(self, x, y):
                def inner_t(t):
                    return torch.cond(t.shape[1] == 3, lambda u: u.cos() * self.w, lambda u: u.sin(), (t,))

                def inner_f(t):
                    return t + y.sum()

                return torch.cond(x.sum() > 0, inner_t, inner_f, (x,)).relu() + y


        example_args = (torch.randn(4, 3), torch.randn(4, 3))
        dynamic_shapes = {"x": {0: Dim("n")}, "y": {0: Dim("n")}}
        ''',
    "folded_with_unread_results": '''
        class M(torch.nn.Module):
            """A kept cond inside a folded branch reads one of its two results: in the top graph
            torch reads both."""

            def forward(self, p, x):
                def taken(p, x):
                    a, b = torch.cond(p, lambda t: (t.cos(), t.sin()), lambda t: (t.neg(), t.neg()), (x,))
                    return a * 2

                return torch.cond(True, taken, lambda p, x: x.clone(), (p, x))


        example_args = (torch.tensor(True), torch.randn(4))
        ''',
    "folded_in_branch_leaves_dead_code": '''
        class M(torch.nn.Module):
            """Inside a branch, a folded cond's taken branch computes a value nobody reads:
            torch cleans it out of the branch graph (its names stay taken)."""

            def forward(self, p, x):
                def outer(t):
                    u, v = torch.cond(t.shape[0] > 2, lambda s: (s.exp(), s.tanh() * 3), lambda s: (s.neg(), s.cos()), (t,))
                    w = t.log_softmax(dim=0) * 2
                    return u + w.sin()

                return torch.cond(p, outer, lambda t: t.cos(), (x,))


        example_args = (torch.tensor(True), torch.randn(4))
        ''',
    "folded_then_map": '''
        from functorch.experimental.control_flow import map as cmap


        class M(torch.nn.Module):
            """A folded cond, a kept one, then a map."""

            def forward(self, x, y):
                a = torch.cond(True, lambda t: t * 2, lambda t: t * 3, (x,))
                b = torch.cond(y.sum() > 0, lambda t: t.cos(), lambda t: t.sin(), (a,))
                return cmap(lambda r, s: r + s, a * b, y[0])


        example_args = (torch.randn(4, 3), torch.randn(4, 3))
        ''',
}


@pytest.fixture(scope="module")
def engines():
    torch_engine = get_engine("torch")
    reason = torch_engine.unavailable_reason()
    if reason:
        pytest.skip(f"torch engine unavailable here: {reason}")
    return get_engine("builtin"), torch_engine


def assert_prints_as_torch(engines, path: Path) -> None:
    builtin, torch_engine = engines
    ours, theirs = builtin.run_case(path), torch_engine.run_case(path)
    assert ours.ok and theirs.ok, (ours.text, theirs.text)
    assert ours.text_in("torch") == theirs.text
    assert ours.text_in("seed") == ours.text != theirs.text  # the seed style is another layout


@pytest.mark.parametrize("name", REGISTRY_CASES)
def test_registry_case_prints_byte_for_byte_as_torch(engines, name):
    assert_prints_as_torch(engines, CASES_DIR / f"{name}.py")


@pytest.mark.parametrize("name", sorted(FOLDED))
def test_folded_conds_print_byte_for_byte_as_torch(engines, tmp_path, name):
    path = tmp_path / f"{name}.py"
    path.write_text("import torch\n" + textwrap.dedent(FOLDED[name]) + "model = M()\n", encoding="utf-8")
    assert_prints_as_torch(engines, path)


def test_show_prints_the_style_asked_for(engines):
    builtin, torch_engine = engines
    path = CASES_DIR / "cond_closed_over_tensor.py"
    for style, expected in (("torch", torch_engine.run_case(path).text), ("seed", builtin.run_case(path).text)):
        out = io.StringIO()
        with redirect_stdout(out):
            assert main(["show", str(path), "--style", style]) == 0
        assert out.getvalue() == expected + "\n"


# -- without torch ------------------------------------------------------------------
class Scale(front_torch.nn.Module):
    def forward(self, x):
        return x * 2


def test_the_signature_block_and_the_seed_default():
    ep = export_and_lint(Scale(), (front_torch.randn(3),))
    seed = str(ep)
    assert ep.format(style="torch").splitlines()[-8:] == [
        "Graph signature:", "    # inputs", "    x: USER_INPUT", "", "    # outputs", "    mul: USER_OUTPUT", "",
        "Range constraints: {}"]
    assert str(ep) == seed == ep.format() and "ExportGraphSignature(input_specs=[" in seed
    empty = ExportGraphSignature([], [OutputSpec(OutputKind.USER_OUTPUT, TensorArgument("c"), None)])
    assert str(empty) == "\n# inputs\n\n\n# outputs\nc: USER_OUTPUT\n"
    buffer = InputSpec(InputKind.BUFFER, TensorArgument("b_seen"), "seen", False)
    assert str(buffer) == "b_seen: BUFFER target='seen' persistent=False"


def test_style_names_are_checked_everywhere():
    assert PRINT_STYLES == STYLES == ("seed", "torch")
    with pytest.raises(ValueError, match="unknown print style 'tourch'"):
        PrintSettings(style="tourch")
    with pytest.raises(SettingsError, match="unknown print style 'tourch'; did you mean 'torch'"):
        Settings(print_style="tourch").checked()
