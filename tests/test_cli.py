"""The command line: list, show, new, generate (with bad cases and determinism), check, compare."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from exportdb.catalog import tags as taxonomy
from exportdb.tools.cli import ProgressBar, main
from exportdb.engines import get_engine
from exportdb.execution.case_reader import load_registry
from generator_support import CASES, good_case, write_case


def run(argv: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    status = main(argv, out=out)
    return status, out.getvalue()


def test_list_json_has_every_case_with_its_fields():
    status, text = run(["list", "--cases", str(CASES), "--json"])
    assert status == 0
    listed = json.loads(text)
    registry = load_registry(CASES)
    assert [item["name"] for item in listed] == [case.name for case in registry.cases]
    for item in listed:
        assert set(item) >= {"name", "tags", "support_level", "file"}
        assert Path(item["file"]).is_file() and Path(item["file"]).stem == item["name"]
        assert item["support_level"] in ("SUPPORTED", "NOT_SUPPORTED_YET")


def test_list_by_tag_and_unknown_tag(capsys):
    status, text = run(["list", "--cases", str(CASES), "--tag", "torch.cond"])
    assert status == 0 and text and all("torch.cond" in line for line in text.splitlines())
    assert run(["list", "--cases", str(CASES), "--tag", "torch.cnd"])[0] == 2
    assert "did you mean 'torch.cond'" in capsys.readouterr().err


def test_show_prints_exactly_the_builtin_result():
    path = CASES / "closure_scale_factor.py"
    expected = get_engine("builtin").run_case(path).text
    assert run(["show", "closure_scale_factor", "--cases", str(CASES)]) == (0, expected + "\n")
    assert run(["show", str(path)]) == (0, expected + "\n")


def test_show_failing_case_and_unknown_case(capsys):
    status, text = run(["show", "tensor_value_branch", "--cases", str(CASES)])
    assert status == 1 and text.count("\n") == 1 and text.split(":")[0].endswith("Error")
    assert run(["show", "no_such_case", "--cases", str(CASES)])[0] == 2
    assert "no case 'no_such_case'" in capsys.readouterr().err


def test_new_scaffolds_a_valid_case(tmp_path: Path, capsys):
    assert run(["new", "fresh_case", "--tags", "python.closure", "torch.cond", "--cases", str(tmp_path)])[0] == 0
    [problem] = load_registry(tmp_path).problems  # until its author says what the case shows
    assert problem.message == "the description is still a TODO placeholder" and problem.line == 5
    path = tmp_path / "fresh_case.py"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(text[text.index("TODO"):text.index("shows.") + 6], "Adds one."), encoding="utf-8")
    registry = load_registry(tmp_path)
    assert not registry.problems
    [case] = registry.cases
    assert case.name == "fresh_case" and case.tags == ("torch.cond", "python.closure")
    assert run(["new", "fresh_case", "--tags", "python.closure", "--cases", str(tmp_path)])[0] == 2
    assert run(["new", "other", "--tags", "python.clousre", "--cases", str(tmp_path)])[0] == 2

    err = capsys.readouterr().err
    assert "already exists" in err and "did you mean 'python.closure'" in err


def test_new_refuses_a_name_the_registry_would_refuse(tmp_path: Path):
    # One rule for case names: `exportdb new` never writes a file that `exportdb list` rejects.
    for name in ("café", "class", "trailing_", "_private", "9lives"):
        assert run(["new", name, "--tags", "python.closure", "--cases", str(tmp_path)])[0] == 2, name
    assert not list(tmp_path.glob("*.py"))


def test_generate_reports_bad_cases_in_one_line_each_and_renders_the_rest(tmp_path: Path, capsys):
    cases = tmp_path / "cases"
    good_case(cases, "fine_case")
    write_case(cases, "broken_case", "import torch\nmodel = (\n")
    status, text = run(["generate", "--cases", str(cases), "--out", str(tmp_path / "out"), "-j", "1"])
    assert status == 0
    err = [line for line in capsys.readouterr().err.splitlines() if line]
    assert err == [f"error: {cases / 'broken_case.py'}:2: syntax error: '(' was never closed "
                   "(hint: fix the Python syntax of the case file)"]
    assert (tmp_path / "out" / "cases" / "fine_case.rst").is_file()
    assert "fine_case" in (tmp_path / "out" / "python.closure.rst").read_text()
    strict = run(["generate", "--cases", str(cases), "--out", str(tmp_path / "out"), "--strict"])
    assert strict[0] == 1


def test_generate_is_byte_identical_across_runs_and_hash_seeds(tmp_path: Path):
    cases = tmp_path / "cases"
    cases.mkdir()
    for name in ("closure_scale_factor", "cond_closed_over_tensor", "tensor_value_branch",
                 "builtin_helpers", "decorated_helper", "buffer_update"):
        shutil.copy(CASES / f"{name}.py", cases / f"{name}.py")
    trees = []
    for seed in ("1", "7"):
        out = tmp_path / f"out{seed}"
        env = dict(os.environ, PYTHONHASHSEED=seed, SOURCE_DATE_EPOCH="0")
        subprocess.run([sys.executable, "-m", "exportdb", "generate", "--cases", str(cases), "--out", str(out),
                        "--no-cache", "-j", "2"], env=env, check=True, capture_output=True)
        trees.append({p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*.rst"))})
    assert trees[0] == trees[1] and len(trees[0]) == 6 + len(taxonomy.TAXONOMY) + 1


def test_check_passes_on_the_project_cases_and_fails_on_a_wrong_level(tmp_path: Path, capsys):
    status, text = run(["check", "--cases", str(CASES), "--cache-dir", str(tmp_path / "cache"), "-j", "2"])
    assert status == 0, capsys.readouterr().err
    assert "0 unexpected failures, 0 unexpected passes, 0 broken case files" in text
    cases = tmp_path / "cases"
    good_case(cases, "claims_unsupported", extra="""
        from torch._export.db.case import SupportLevel
        support_level = SupportLevel.NOT_SUPPORTED_YET
        """)
    status, text = run(["check", "--cases", str(cases), "--no-cache"])
    assert status == 1 and "1 unexpected passes" in text
    assert "error: claims_unsupported [builtin]: unexpected pass" in capsys.readouterr().err


def test_bad_engine_name_is_answered_with_did_you_mean(tmp_path: Path, capsys):
    assert run(["check", "--cases", str(tmp_path), "--engines", "builtn"])[0] == 2
    assert "did you mean 'builtin'" in capsys.readouterr().err


def test_compare_subcommand_reaches_the_comparison_tool(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["compare", "--help"])
    assert exc.value.code == 0
    assert "--cases" in capsys.readouterr().out


def test_python_dash_m_and_version():
    done = subprocess.run([sys.executable, "-m", "exportdb", "--version"], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.startswith("exportdb ")


class _Stream(io.StringIO):
    def __init__(self, tty: bool):
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def test_progress_bar_only_on_a_terminal():
    quiet, loud = _Stream(False), _Stream(True)
    for stream in (quiet, loud):
        bar = ProgressBar(stream, width=10)
        bar(1, 4, "first")
        bar(4, 4, "last")
        bar.finish()
    assert quiet.getvalue() == ""
    assert "[##########] 4/4 last" in loud.getvalue() and loud.getvalue().endswith("\n")


def test_show_prints_the_hint_of_a_failing_case_on_stderr(tmp_path, capsys):
    from exportdb.tools.cli import main

    case = tmp_path / "specialised.py"
    case.write_text(
        "import torch\nfrom torch.export import Dim\n\n\n"
        "class M(torch.nn.Module):\n    \"\"\"Doc.\"\"\"\n\n"
        "    def __init__(self):\n        super().__init__()\n        self.w = torch.nn.Parameter(torch.randn(4, 2))\n\n"
        "    def forward(self, x):\n        return x @ self.w\n\n\n"
        "example_args = (torch.randn(3, 4),)\ndynamic_shapes = {\"x\": {1: Dim(\"k\")}}\nmodel = M()\n",
        encoding="utf-8")
    assert main(["show", str(case)]) == 1
    captured = capsys.readouterr()
    assert captured.out.count("\n") == 1 and f"{case}:13: " in captured.out
    assert captured.err.startswith("hint: mark the dimension static")


@pytest.mark.parametrize("statement, error", [
    ('return {"a": x}["b"]', "KeyError"),
    ("return undefined_name + x", "NameError"),
    ("return x + object().missing", "AttributeError"),
])
def test_an_error_of_the_case_code_names_its_line_and_traceback_shows_it_all(tmp_path, capsys, statement, error):
    case = write_case(tmp_path, "raises", f'''
        import torch


        class Raises(torch.nn.Module):
            """Its forward fails in plain Python."""

            def forward(self, x):
                {statement}


        example_args = (torch.randn(3),)
        tags = {{"python.closure"}}
        model = Raises()
        ''')
    assert main(["show", str(case)]) == 1
    captured = capsys.readouterr()
    assert captured.out.startswith(f"{error}: {case}:8: ") and captured.out.count("\n") == 1
    assert captured.err == ""
    assert main(["show", str(case), "--traceback"]) == 1
    captured = capsys.readouterr()
    assert captured.err.startswith("Traceback (most recent call last):")
    assert f'File "{case}", line 8, in forward' in captured.err and captured.err.rstrip().splitlines()[-1].startswith(error)


def test_check_counts_broken_files_and_suggests_misspelt_names(tmp_path: Path, capsys):
    good_case(tmp_path)
    doubler = '''
        import torch
        from torch._export.db.case import SupportLevel


        class M(torch.nn.Module):
            """Doubles."""

            def forward(self, x):
                return x * 2


        {args} = (torch.randn(3),)
        tags = {{"python.closure"}}
        model = M()
        {level}
        '''
    write_case(tmp_path, "level_typo", doubler.format(args="example_args",
                                                      level="support_level = SupportLevel.NOT_SUPORTED_YET"))
    write_case(tmp_path, "args_typo", doubler.format(args="example_arg", level=""))
    status, text = run(["check", "--cases", str(tmp_path), "-j", "1", "--no-cache"])
    assert status == 1
    assert "1 exported as declared, 0 failing as expected, 0 unexpected failures, 0 unexpected passes, " \
           "2 broken case files" in text
    err = capsys.readouterr().err
    assert ("level_typo.py:15: AttributeError while loading: NOT_SUPORTED_YET "
            "(hint: did you mean SupportLevel.NOT_SUPPORTED_YET?)") in err
    assert ("args_typo.py:12: no `example_args` defined at module level; `example_arg` is assigned here "
            "(hint: did you mean `example_args`? rename `example_arg` to `example_args`)") in err


def test_build_passes_only_the_options_given_so_it_builds_what_sphinx_build_builds(tmp_path: Path, monkeypatch):
    import sphinx.cmd.build

    from exportdb.site import staging

    seen: list[list[str]] = []
    monkeypatch.setattr(sphinx.cmd.build, "build_main", lambda argv: seen.append(argv) or 0)
    monkeypatch.setattr(staging, "build_staged", lambda html, build: build(tmp_path / "staging"))
    assert main(["build", "--docs", str(tmp_path / "docs"), "--cases", str(CASES)]) == 0
    assert not any(arg.startswith(("exportdb_engines=", "exportdb_timeout=")) for arg in seen[-1])
    assert main(["build", "--docs", str(tmp_path / "docs"), "--cases", str(CASES),
                 "--engines", "builtin", "--timeout", "2.5"]) == 0
    assert "exportdb_engines=builtin" in seen[-1] and "exportdb_timeout=2.5" in seen[-1]


def test_a_relative_case_directory_works_and_results_name_files_relative_to_it(tmp_path: Path, monkeypatch, capsys):
    """Workers run each case in a scratch directory of their own; a relative --cases still works,
    and Result texts still name the case file as the build sees it."""
    monkeypatch.chdir(tmp_path)
    good_case(tmp_path / "cases")
    write_case(tmp_path / "cases", "branchy", '''
        import torch


        class Branchy(torch.nn.Module):
            """Branches on a value."""

            def forward(self, x):
                if x.sum() > 0:
                    return x
                return -x


        example_args = (torch.randn(3),)
        tags = {"python.closure"}
        model = Branchy()
        ''')
    status, text = run(["generate", "--cases", "cases", "--out", "pages", "-j", "1", "--no-cache"])
    assert "1 exported as declared" in text and "1 unexpected failures" in text, capsys.readouterr().err
    page = (tmp_path / "pages" / "cases" / "branchy.rst").read_text(encoding="utf-8")
    assert "DataDependentControlFlowError: cases/branchy.py:8: " in page, [l for l in page.splitlines() if "Error" in l]
