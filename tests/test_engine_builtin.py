"""exportdb.engines.builtin: Result text, error text and the eager check."""

from __future__ import annotations

from exporter_helpers import torch, write_case

from exportdb.engines import get_engine
from exportdb.engines.builtin import BuiltinEngine, compare_outputs, error_text
from exportdb.errors import CondError

GOOD = """
    import torch

    class M(torch.nn.Module):
        def forward(self, x):
            return x + 1

    example_args = (torch.randn(3, 2),)
    model = M()
"""


def test_get_engine_builtin():
    engine = get_engine("builtin")
    assert isinstance(engine, BuiltinEngine) and engine.name == "builtin"
    assert engine.unavailable_reason() is None and engine.version()


def test_successful_case_prints_the_program_and_checks_eager(tmp_path):
    result = BuiltinEngine().run_case(write_case(tmp_path, GOOD))
    assert result.ok and result.error_type is None
    assert result.text.splitlines()[0] == "ExportedProgram:"
    assert 'add: "f32[3, 2]" = torch.ops.aten.add.Tensor(x, 1);  x = None' in result.text
    assert result.eager_check == "match"
    assert result.seconds > 0
    assert BuiltinEngine().run_case(write_case(tmp_path, GOOD), check=False).eager_check is None


def test_failing_case_gives_one_line_error_naming_the_file(tmp_path):
    path = write_case(tmp_path, """
        import torch

        class M(torch.nn.Module):
            def forward(self, x):
                if x.sum() > 0:
                    return x
                return -x

        example_args = (torch.randn(3),)
        model = M()
    """)
    result = BuiltinEngine().run_case(path)
    assert not result.ok and result.error_type == "DataDependentControlFlowError"
    assert result.text.startswith(f"DataDependentControlFlowError: {path.resolve()}:5: ")
    assert "\n" not in result.text


def test_load_failures_are_results_too(tmp_path):
    result = BuiltinEngine().run_case(write_case(tmp_path, "import torch\nmodel = (\n"))
    assert not result.ok and result.error_type == "CaseLoadError" and "syntax error" in result.text


def test_rewrite_is_exported_when_asked(tmp_path):
    path = write_case(tmp_path, GOOD + """
    class R(torch.nn.Module):
        def forward(self, x):
            return x * 2

    rewrite = R()
    """)
    result = BuiltinEngine().run_case(path, rewrite=True)
    assert result.ok and "torch.ops.aten.mul.Tensor(x, 2)" in result.text


def test_error_text_and_compare_outputs():
    assert error_text(CondError("bad", hint="h")) == "CondError: bad"
    assert error_text(ValueError("first\nsecond")) == "ValueError: first"
    a = torch.ones(2)
    assert compare_outputs((a, 1), (a, 1)) == "match"
    assert compare_outputs((a,), (a, a)).startswith("mismatch: eager returned 1 values")
    assert compare_outputs((a,), (a * 2,)).startswith("mismatch: output 0 values differ")
    assert compare_outputs((a,), (a.long(),)).startswith("mismatch: output 0 is f32[2] eager, i64[2]")
    assert compare_outputs((1,), (2,)) == "mismatch: output 0 is 1 eager, 2 exported"
