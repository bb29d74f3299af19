"""Property-based fuzzing of the built-in exporter (the CI profile; see docs/fuzzing.rst).

``test_random_programs_export_and_match_eager`` draws a fixed-seed set of
random case programs (:mod:`exportdb.tools.fuzz.strategies`) and checks each with
:func:`exportdb.tools.fuzz.check.check_program`: export, lint, print/parse, run at
several sizes and compare with eager.  On a failure hypothesis shrinks the
program and the assertion message prints its source.  A smaller sample is also
compared with the real torch.export when torch is installed.  The other tests
make sure the generator reaches every feature and that the checker does catch
a wrong exporter.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

pytest.importorskip("hypothesis", reason="the fuzzer needs hypothesis (pip install 'exportdb[test]')")

from hypothesis import Phase, given, settings  # noqa: E402

from exportdb.tools.fuzz.check import FuzzFailure, check_program  # noqa: E402
from exportdb.tools.fuzz.fuzz_program import FEATURES, FuzzProgram, InputArg, Leaf  # noqa: E402
from exportdb.tools.fuzz.shapes import Size, broadcast, factorizations, fits_into, static_shape  # noqa: E402
from exportdb.tools.fuzz.strategies import programs  # noqa: E402

CI = settings.get_profile("exportdb-fuzz-ci")


@settings(CI)
@given(programs())
def test_random_programs_export_and_match_eager(program):
    check_program(program)


# No shrinking here: each torch.export takes about a second, so shrinking a failure would run for many
# minutes; the failure message already prints the whole program.
@settings(CI, max_examples=12, phases=[Phase.explicit, Phase.generate])
@given(programs(max_statements=4, torch_safe=True))
def test_random_programs_agree_with_torch_export(program):
    from exportdb.tools.fuzz.torch_check import compare_with_torch, torch_available

    if not torch_available():
        pytest.skip("torch is not installed: the torch.export comparison needs it")
    compare_with_torch(program, check_program(program))


def test_generator_reaches_every_feature():
    seen: Counter = Counter()

    @settings(CI, max_examples=300)
    @given(programs())
    def collect(program):
        seen.update(program.features)
        compile(program.source, "<fuzz>", "exec")

    collect()
    missing = [f for f in FEATURES if seen[f] < 3]
    assert not missing, f"features drawn fewer than 3 times in 300 programs: {missing} ({dict(seen)})"


# -- the checker catches what it should -----------------------------------------------------
SIMPLE = FuzzProgram(
    source="import torch\n\n\nclass M(torch.nn.Module):\n    def forward(self, x):\n        return x.sin() + 1\n\n\n"
           "model = M()\nexample_args = (torch.randn(3, 2),)\n",
    args=(InputArg("x", "tensor", (("", Leaf(static_shape(3, 2))),)),), ranges={}, example={})


def test_checker_passes_a_correct_program():
    checked = check_program(SIMPLE)
    assert "aten.sin.default" in checked.text


def test_checker_reports_a_wrong_exported_program(monkeypatch):
    from exportdb.exporter import interpreter

    real = interpreter.run_graph

    def off_by_one(graph, inputs):
        return [v + 1 if isinstance(v, np.ndarray) else v for v in real(graph, inputs)]

    monkeypatch.setattr(interpreter, "run_graph", off_by_one)
    with pytest.raises(FuzzFailure) as info:
        check_program(SIMPLE)
    assert info.value.kind == "mismatch"
    assert "return x.sin() + 1" in str(info.value), "the failure message must print the program"


def test_checker_reports_an_export_error():
    broken = FuzzProgram(SIMPLE.source.replace("x.sin()", "x.no_such_method()"), SIMPLE.args, {}, {})
    with pytest.raises(FuzzFailure) as info:
        check_program(broken)
    assert info.value.kind == "export"
    assert info.value.signature().startswith("export: UnsupportedAPIError")


def test_checker_runs_other_sizes_inside_the_range():
    source = SIMPLE.source + 'B = torch.export.Dim("B", min=2, max=7)\ndynamic_shapes = {"x": {0: B}}\n'
    program = FuzzProgram(source, (InputArg("x", "tensor", (("", Leaf((Size("B", 1, 0), Size.static(2)))),)),),
                          {"B": (2, 7)}, {"B": 3})
    sizes = [b["B"] for b in program.bindings(np.random.default_rng(0))]
    assert sizes[:3] == [3, 2, 7] and all(2 <= s <= 7 for s in sizes)
    assert "s0" in check_program(program).text


# -- shape bookkeeping -------------------------------------------------------------------------
def test_broadcast_only_joins_equal_forms_or_static_ones():
    b, one, three = Size("B", 1, 0), Size.static(1), Size.static(3)
    assert broadcast((b, three), (one, three)) == (b, three)
    assert broadcast((three,), (b, one)) == (b, three)
    assert broadcast((b,), (three,)) is None
    assert broadcast((b,), (Size("B", 1, -1),)) is None
    assert fits_into((b, three), (three,)) and not fits_into((three,), (b, three))


def test_sizes_add_as_linear_forms():
    b = Size("B", 1, 0)
    assert b.plus(Size("B", 1, -1)) == Size("B", 2, -1)
    assert b.plus(Size.static(3)).value({"B": 4}) == 7
    assert b.plus(Size("T", 1, 0)) is None
    assert sorted(factorizations(6, 2)) == [(1, 6), (2, 3), (3, 2), (6, 1)]


def test_fuzz_command_reports_counts_and_writes_the_rst_fragment(tmp_path, capsys):
    from exportdb.tools.cli import main

    rst = tmp_path / "results.rst"
    assert main(["fuzz", "--programs", "5", "--torch-every", "0", "--rst", str(rst)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-2].startswith("programs: 5  failures: 0  distinct: 0")
    assert out[-1].startswith("time: ") and out[-1].endswith("programs/s")
    text = rst.read_text()
    assert "``exportdb fuzz --programs 5 --torch-every 0``" in text and "Programs run" in text
    assert "--rst" not in text


def _torch_or_skip():
    from exportdb.tools.fuzz.torch_check import torch_available

    if not torch_available():
        pytest.skip("torch is not installed: the torch.export comparison needs it")


def test_torch_comparison_agrees_on_a_correct_program():
    _torch_or_skip()
    from exportdb.tools.fuzz.torch_check import compare_with_torch

    compare_with_torch(SIMPLE, check_program(SIMPLE))


def test_torch_comparison_reports_a_different_graph():
    _torch_or_skip()
    from dataclasses import replace

    from exportdb.tools.fuzz.torch_check import compare_with_torch

    checked = check_program(SIMPLE)
    wrong = replace(checked, torch_text=checked.torch_text.replace("aten.sin.default", "aten.cos.default"))
    with pytest.raises(FuzzFailure) as info:
        compare_with_torch(SIMPLE, wrong)
    assert info.value.kind == "torch-graph" and "aten.cos.default" in info.value.message


def test_torch_comparison_reports_different_numbers(monkeypatch):
    _torch_or_skip()
    from exportdb.exporter import interpreter
    from exportdb.tools.fuzz.torch_check import compare_with_torch

    checked = check_program(SIMPLE)
    real = interpreter.run_graph
    monkeypatch.setattr(interpreter, "run_graph",
                        lambda graph, inputs: [v * 2 if isinstance(v, np.ndarray) else v for v in real(graph, inputs)])
    with pytest.raises(FuzzFailure) as info:
        compare_with_torch(SIMPLE, checked)
    assert info.value.kind == "torch-numerics" and "values differ" in info.value.message
