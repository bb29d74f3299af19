"""The torch engine: lazy import, availability, Result text cleaning, export and eager check."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from exportdb.engines import get_engine
from exportdb.engines.torch_engine import TorchEngine, clean_program_text, error_text
from exportdb.errors import ConstraintViolationError, SourceLocation


@pytest.fixture(scope="module")
def engine() -> TorchEngine:
    """One engine (and one torch import) for the whole module."""
    engine = TorchEngine()
    reason = engine.unavailable_reason()
    if reason:
        pytest.skip(f"torch engine unavailable here: {reason}")
    return engine


@pytest.fixture(scope="module")
def case_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("torch_cases")


def write_case(directory: Path, name: str, source: str) -> Path:
    path = directory / f"{name}.py"
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return path


def test_importing_the_engine_does_not_import_torch():
    code = "import sys, exportdb.engines.torch_engine; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parent.parent)
    assert out.stdout.strip() == "False"


def test_without_torch_the_engine_says_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "torch", None)  # makes ``import torch`` raise ImportError
    engine = get_engine("torch")
    assert engine.name == "torch"
    assert engine.unavailable_reason() == "torch is not installed: pip install 'exportdb[torch]'"
    assert engine.version() == "unavailable"
    result = engine.run_case(write_case(tmp_path, "anything", "model = None\n"))
    assert not result.ok and result.error_type == "EngineUnavailable"
    assert result.text == "EngineUnavailable: torch is not installed: pip install 'exportdb[torch]'"


def test_clean_program_text_drops_comments_and_their_blank_lines():
    raw = (
        "ExportedProgram:\n"
        "    class GraphModule(torch.nn.Module):\n"
        '        def forward(self, x: "f32[2]"):\n'
        "            # No stacktrace found for following nodes\n"
        '            a: "f32[2]" = torch.ops.aten.cos.default(x)\n'
        "    \n"
        "            # File: /tmp/case.py:3 in forward, code: return x.cos().sin()\n"
        '            b: "f32[2]" = torch.ops.aten.sin.default(a);  a = None\n'
        "            return (b,)\n"
        "    \n"
        "        class true_graph_0(torch.nn.Module):\n"
        "            def forward(self):\n"
        "                # File: /tmp/case.py:9 in f, code: pass\n"
        "                return ()\n"
        "    \n"
        "Graph signature: \n"
        "    # inputs\n"
        "    x: USER_INPUT\n"
        "    \n"
        "    # outputs\n"
        "    b: USER_OUTPUT\n"
        "    \n"
        "Range constraints: {}\n"
    )
    assert clean_program_text(raw) == (
        "ExportedProgram:\n"
        "    class GraphModule(torch.nn.Module):\n"
        '        def forward(self, x: "f32[2]"):\n'
        '            a: "f32[2]" = torch.ops.aten.cos.default(x)\n'
        '            b: "f32[2]" = torch.ops.aten.sin.default(a);  a = None\n'
        "            return (b,)\n"
        "\n"
        "        class true_graph_0(torch.nn.Module):\n"
        "            def forward(self):\n"
        "                return ()\n"
        "\n"
        "Graph signature:\n"
        "    # inputs\n"
        "    x: USER_INPUT\n"
        "\n"
        "    # outputs\n"
        "    b: USER_OUTPUT\n"
        "\n"
        "Range constraints: {}"
    )


def test_error_text_is_type_and_first_nonempty_line():
    assert error_text(ValueError("\n  bad thing\nmore detail")) == "ValueError: bad thing"
    assert error_text(KeyError()) == "KeyError"
    err = ConstraintViolationError("shapes [2] and [3] differ", location=SourceLocation("c.py", 4))
    assert error_text(err) == "ConstraintViolationError: c.py:4: shapes [2] and [3] differ"


def test_a_case_exports_to_clean_text_with_a_matching_eager_run(engine, case_dir):
    path = write_case(case_dir, "scale_shift", """
        import torch

        class ScaleShift(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = torch.nn.Linear(3, 2)

            def forward(self, x, *, shift):
                y = self.fc(x)
                return y * 2 + shift

        model = ScaleShift()
        example_args = (torch.randn(4, 3),)
        example_kwargs = {"shift": torch.ones(2)}
    """)
    result = engine.run_case(path)
    assert result.ok, result.text
    assert result.engine == "torch" and result.error_type is None
    assert result.eager_check == "match"
    assert result.seconds > 0
    lines = result.text.splitlines()
    assert lines[0] == "ExportedProgram:" and lines[-1] == "Range constraints: {}"
    assert all(line == line.rstrip() for line in lines)
    assert not any(line.lstrip().startswith("# File") for line in lines)
    body = lines[lines.index('        def forward(self, p_fc_weight: "f32[2, 3]", p_fc_bias: "f32[2]", '
                             'x: "f32[4, 3]", shift: "f32[2]"):') + 1:]
    assert body[0].startswith('            linear: "f32[4, 2]" = torch.ops.aten.linear.default(')
    assert "p_fc_weight: PARAMETER target='fc.weight'" in result.text
    assert engine.run_case(path).text == result.text  # deterministic


def test_dynamic_shapes_reach_torch_export(engine, case_dir):
    path = write_case(case_dir, "dynamic_rows", """
        import torch
        from torch.export import Dim

        class Rows(torch.nn.Module):
            def forward(self, x):
                return x.sum(0) + x.shape[0]

        model = Rows()
        example_args = (torch.randn(5, 2),)
        dynamic_shapes = {"x": {0: Dim("rows", min=2)}}
    """)
    result = engine.run_case(path)
    assert result.ok, result.text
    assert 'x: "f32[s' in result.text and "VR[2, int_oo]" in result.text


def test_an_export_failure_is_one_line(engine, case_dir):
    path = write_case(case_dir, "branch_on_data", """
        import torch

        class BranchOnData(torch.nn.Module):
            def forward(self, x):
                if x.sum() > 0:
                    return x + 1
                return x - 1

        model = BranchOnData()
        example_args = (torch.ones(3),)
    """)
    result = engine.run_case(path)
    assert not result.ok and result.eager_check is None
    assert "\n" not in result.text
    assert result.text.startswith(f"{result.error_type}: ")


def test_rewrite_uses_the_rewrite_model_and_its_inputs(engine, case_dir):
    path = write_case(case_dir, "with_rewrite", """
        import torch

        class Original(torch.nn.Module):
            def forward(self, x):
                return x.cos()

        class Fixed(torch.nn.Module):
            def forward(self, x):
                return x.sin()

        model = Original()
        example_args = (torch.randn(2),)
        rewrite = Fixed()
        rewrite_example_args = (torch.randn(3),)
    """)
    original, fixed = engine.run_case(path), engine.run_case(path, rewrite=True)
    assert "aten.cos.default" in original.text and 'x: "f32[2]"' in original.text
    assert "aten.sin.default" in fixed.text and 'x: "f32[3]"' in fixed.text


def test_missing_fields_and_broken_files_are_case_load_errors(engine, case_dir):
    no_rewrite = write_case(case_dir, "no_rewrite", """
        import torch

        class Id(torch.nn.Module):
            def forward(self, x):
                return x.clone()

        model = Id()
        example_args = (torch.randn(2),)
    """)
    result = engine.run_case(no_rewrite, rewrite=True)
    assert not result.ok and result.error_type == "CaseLoadError"
    assert result.text == f"CaseLoadError: {no_rewrite}:1: case defines no `rewrite`"
    broken = write_case(case_dir, "broken", "import torch\nmodel = (\n")
    result = engine.run_case(broken)
    assert result.text.startswith(f"CaseLoadError: {broken}:") and "syntax error" in result.text


def test_the_eager_check_catches_a_program_that_does_not_reproduce_eager(engine, case_dir):
    path = write_case(case_dir, "fresh_noise", """
        import torch

        class FreshNoise(torch.nn.Module):
            def forward(self, x):
                return x + torch.rand(3)

        model = FreshNoise()
        example_args = (torch.zeros(3),)
    """)
    result = engine.run_case(path)
    assert result.ok
    assert result.eager_check == "mismatch: output 0: values differ"


def test_inputs_mutated_in_place_do_not_leak_between_runs(engine, case_dir):
    path = write_case(case_dir, "doubles_input", """
        import torch

        class DoublesInput(torch.nn.Module):
            def forward(self, x):
                x.mul_(2)
                return x + 1

        model = DoublesInput()
        example_args = (torch.ones(3),)
    """)
    result = engine.run_case(path)
    assert result.ok and result.eager_check == "match"
    assert "torch.ops.aten.mul_.Tensor(x, 2)" in result.text


def test_cond_and_map_cases_export_in_the_case_sandbox(engine: TorchEngine, tmp_path: Path):
    """torch's compile cache directory is fixed by the worker's warm-up; a case process must
    not be refused for writing there (it used to fail every cond and map case on the site)."""
    import shutil

    from exportdb.execution.case_reader import load_registry
    from exportdb.execution.runner import run_cases

    repo_cases = Path(__file__).resolve().parent.parent / "cases"
    cases = tmp_path / "cases"
    cases.mkdir()
    for name in ("cond_nested", "map_plain"):
        shutil.copy(repo_cases / f"{name}.py", cases)
    registry = load_registry(cases)
    report = run_cases(registry.cases, ["torch"], jobs=1)
    outcomes = {r.job.case: (r.status, r.result.text.splitlines()[0]) for r in report.records.values()}
    assert outcomes == {"cond_nested": ("exported", "ExportedProgram:"),
                        "map_plain": ("exported", "ExportedProgram:")}, outcomes
