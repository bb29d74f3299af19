"""``exportdb compare``: classification, report, exit status, and runs against real torch."""

from __future__ import annotations

import contextlib
import io
import json
import re
import textwrap
from pathlib import Path

import pytest

from exportdb.catalog.registry import discover

from exportdb.tools import compare
from exportdb.tools.bench import torch_examples_dir
from exportdb.tools.compare_normalize import canonical_text, named_text, parse_program
from exportdb.engines import EngineResult
from exportdb.engines.torch_engine import TorchEngine, clean_program_text

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"

PROGRAM = textwrap.dedent('''\
    ExportedProgram:
        class GraphModule(torch.nn.Module):
            def forward(self, x: "f32[2]"):
                {NAME}: "f32[2]" = torch.ops.aten.{OP}.default(x);  x = None
                return ({NAME},)

    Graph signature:
        # inputs
        x: USER_INPUT

        # outputs
        {NAME}: USER_OUTPUT

    Range constraints: {}''')


def prog(op: str, name: str | None = None) -> str:
    return PROGRAM.replace("{OP}", op).replace("{NAME}", name or op)


def ok(engine: str, text: str) -> EngineResult:
    return EngineResult(engine, True, text)


def fail(engine: str, kind: str) -> EngineResult:
    return EngineResult(engine, False, f"{kind}: it broke", kind)


class FakeEngine:
    """Answers from a table keyed by case name; raises for names it maps to an exception."""

    def __init__(self, name: str, results: dict[str, object]):
        self.name = name
        self.results = results

    def version(self) -> str:
        return "0-test"

    def unavailable_reason(self) -> str | None:
        return None

    def run_case(self, path: Path, *, rewrite: bool = False) -> EngineResult:
        answer = self.results[path.stem]
        if isinstance(answer, Exception):
            raise answer
        return ok(self.name, answer) if isinstance(answer, str) and answer.startswith("Exported") \
            else fail(self.name, str(answer))


# -- classification ---------------------------------------------------------
def test_same_program_agrees_even_with_other_node_names():
    result = compare.compare_results(ok("builtin", prog("cos")), ok("torch", prog("cos", "cos_1")))
    assert result.classification == "agree"
    assert result.names_agree is False and result.note == "node names differ"
    same = compare.compare_results(ok("builtin", prog("cos")), ok("torch", prog("cos")))
    assert same.classification == "agree" and same.names_agree and not same.diff


def test_agreeing_programs_are_also_compared_byte_for_byte_in_the_torch_style():
    renamed = compare.compare_results(ok("builtin", prog("cos")), ok("torch", prog("cos", "cos_1")))
    assert renamed.byte_identical is False
    lines = renamed.style_diff.splitlines()
    assert lines[:2] == ["--- builtin[torch style]", "+++ torch"]
    assert '+            cos_1: "f32[2]" = torch.ops.aten.cos.default(x);  x = None' in lines
    # the builtin's torch-style text is the one compared, not its seed-style Result
    styled = EngineResult("builtin", True, prog("cos").replace("\n            return", "\n\n            return"),
                          extra={"styles": {"torch": prog("cos")}})
    same = compare.compare_results(styled, ok("torch", prog("cos")))
    assert same.classification == "agree" and same.byte_identical is True and same.style_diff == ""
    differs = compare.compare_results(ok("builtin", prog("cos")), ok("torch", prog("sin")))
    assert differs.byte_identical is None and differs.style_diff == ""


def test_different_programs_get_a_readable_diff():
    result = compare.compare_results(ok("builtin", prog("cos")), ok("torch", prog("sin")))
    assert result.classification == "graph-differs"
    lines = result.diff.splitlines()
    assert lines[:2] == ["--- builtin", "+++ torch"]
    assert '-        cos: "f32[2]" = torch.ops.aten.cos.default(x)' in lines
    assert '+        sin: "f32[2]" = torch.ops.aten.sin.default(x)' in lines


def test_outcomes_both_fail_and_unreadable_text():
    assert compare.compare_results(fail("builtin", "A"), fail("torch", "B")).classification == "both-fail"
    one = compare.compare_results(ok("builtin", prog("cos")), fail("torch", "UserError"))
    assert one.classification == "outcome-differs" and one.note == "only torch fails: UserError: it broke"
    bad = compare.compare_results(ok("builtin", "ExportedProgram:\n  nonsense"), ok("torch", prog("cos")))
    assert bad.classification == "graph-differs" and bad.note.startswith("builtin text unreadable")


# -- the command ------------------------------------------------------------
@pytest.fixture
def cases(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A case directory whose engines are fakes: same, renamed, differs, fails, crashes."""
    names = ["same", "renamed", "differs", "fails_both", "only_torch"]
    for name in names + ["_helper"]:
        (tmp_path / f"{name}.py").write_text("# case\n", encoding="utf-8")
    builtin = {"same": prog("cos"), "renamed": prog("cos"), "differs": prog("cos"),
               "fails_both": "UnsupportedAPIError", "only_torch": RuntimeError("engine bug")}
    torch = {"same": prog("cos"), "renamed": prog("cos", "cos_1"), "differs": prog("sin"),
             "fails_both": "UserError", "only_torch": prog("cos")}
    engines = (FakeEngine("builtin", builtin), FakeEngine("torch", torch))
    monkeypatch.setattr(compare, "_engines", lambda: engines)
    return tmp_path


def run_main(argv: list[str], capsys: pytest.CaptureFixture) -> tuple[int, str, str]:
    status = compare.main(argv)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_unlisted_differences_fail_and_the_last_line_counts_agreement(cases, capsys):
    status, out, _ = run_main(["--cases", str(cases)], capsys)
    lines = out.splitlines()
    assert status == 1
    assert lines[-2:] == ["byte-identical: 1/2", "3/5 cases agree"]
    assert re.search(r"^agree +renamed +node names differ; not byte-identical in the torch style$", out, re.M)
    assert "    +++ torch" in out and '    +            cos_1: "f32[2]"' in out
    assert "unexpected differences (2): differs, only_torch" in out
    assert re.search(r"^outcome-differs +only_torch +only builtin fails: RuntimeError: engine bug", out, re.M)
    assert re.search(r"^both-fail +fails_both +builtin: UnsupportedAPIError, torch: UserError$", out, re.M)
    assert "_helper" not in out


def test_listed_differences_pass_and_stale_entries_fail(cases, capsys):
    (cases / "expected_differences.toml").write_text(textwrap.dedent('''\
        [differs]
        reason = "the builtin prints cos on purpose"
        seed = "Print cos."
        classification = "graph-differs"

        [only_torch]
        reason = "builtin crashes here for now"
        seed = "Crash."
    '''), encoding="utf-8")
    status, out, _ = run_main(["--cases", str(cases)], capsys)
    assert status == 0, out
    assert "expected: the builtin prints cos on purpose" in out
    extra = cases / "more.toml"
    extra.write_text('[same]\nreason = "thought it differed"\nseed = "s"\n[gone]\nreason = "case deleted"\nseed = "s"\n',
                     encoding="utf-8")
    status, out, _ = run_main(["--cases", str(cases), "--expectations", str(extra)], capsys)
    assert status == 1
    assert "stale expectations (2): same, gone" in out


def test_an_expectation_for_another_kind_of_difference_does_not_hide_this_one(cases, capsys):
    expect = cases / "e.toml"
    expect.write_text('[differs]\nreason = "x"\nseed = "s"\nclassification = "outcome-differs"\n'
                      '[only_torch]\nreason = "y"\nseed = "s"\n', encoding="utf-8")
    status, out, _ = run_main(["--cases", str(cases), "--expectations", str(expect)], capsys)
    assert status == 1 and "UNEXPECTED (listed: x)" in out


def test_json_report_holds_every_case(cases, capsys):
    status, out, _ = run_main(["--cases", str(cases), "--json"], capsys)
    data = json.loads(out)
    assert status == 1
    assert data["summary"] == "3/5 cases agree" and (data["agree"], data["total"]) == (3, 5)
    assert data["engines"] == {"builtin": "0-test", "torch": "0-test"}
    by_name = {c["name"]: c for c in data["cases"]}
    assert set(by_name) == {"same", "renamed", "differs", "fails_both", "only_torch"}
    differs = by_name["differs"]
    assert differs["classification"] == "graph-differs" and differs["status"] == "unexpected"
    assert differs["builtin"]["text"] == prog("cos") and differs["torch"]["text"] == prog("sin")
    assert "+++ torch" in differs["diff"]
    assert by_name["renamed"]["names_agree"] is False and by_name["renamed"]["agrees"] is True
    assert (data["byte_identical"], data["structural_agree"]) == (1, 2)
    assert by_name["same"]["byte_identical"] is True and by_name["renamed"]["byte_identical"] is False
    assert "+++ torch" in by_name["renamed"]["style_diff"] and by_name["differs"]["byte_identical"] is None


def test_the_record_keeps_the_byte_identical_figures(cases, capsys, tmp_path):
    record = tmp_path / "run.json"
    run_main(["--cases", str(cases), "--record", str(record)], capsys)
    data = json.loads(record.read_text(encoding="utf-8"))
    assert (data["byte_identical"], data["structural_agree"]) == (1, 2)
    by_name = {c["name"]: c for c in data["cases"]}
    assert by_name["renamed"]["byte_identical"] is False and "+++ torch" in by_name["renamed"]["style_diff"]


def test_selected_names_and_usage_errors(cases, capsys):
    status, out, _ = run_main(["--cases", str(cases), "same", "renamed"], capsys)
    assert status == 0 and out.splitlines()[-1] == "2/2 cases agree"
    status, _, err = run_main(["--cases", str(cases), "nope"], capsys)
    assert status == 2 and "no case named nope" in err
    status, _, err = run_main(["--cases", str(cases / "missing")], capsys)
    assert status == 2 and "no such directory" in err
    (cases / "bad.toml").write_text('[differs]\nwhy = "x"\n', encoding="utf-8")
    status, _, err = run_main(["--cases", str(cases), "--expectations", str(cases / "bad.toml")], capsys)
    assert status == 2 and f"{cases / 'bad.toml'}:2: unknown key 'why' in [differs]" in err


def test_an_unavailable_engine_stops_the_run_with_its_reason(tmp_path, monkeypatch, capsys):
    class Missing(FakeEngine):
        def unavailable_reason(self) -> str | None:
            return "torch is not installed: pip install 'exportdb[torch]'"

    monkeypatch.setattr(compare, "get_engine", lambda name: Missing(name, {}))
    status, _, err = run_main(["--cases", str(tmp_path)], capsys)
    assert status == 2
    assert err.strip() == ("exportdb compare: the builtin engine is unavailable: "
                           "torch is not installed: pip install 'exportdb[torch]'")


# -- against the real torch.export ----------------------------------------------
@pytest.fixture(scope="module")
def torch():
    reason = TorchEngine().unavailable_reason()
    if reason:
        pytest.skip(f"torch engine unavailable here: {reason}")
    import torch

    return torch


def seed_style(ep) -> str:
    """Print ``ep`` the way the builtin engine does, with builtin-like numbering and brackets."""
    graph = ep.graph_module.print_readable(print_output=False, include_stride=False, include_device=False,
                                           colored=False)
    lines = ["    " + line for line in graph.splitlines() if line.strip() and not line.strip().startswith("#")]
    text = "\n".join(["ExportedProgram:", *lines, f"Graph signature: {ep.graph_signature!r}",
                      f"Range constraints: {ep.range_constraints}"])
    text = re.sub(r"\b([su])(\d+)\b", lambda m: f"{m.group(1)}{999 - int(m.group(2))}", text)
    text = re.sub(r"(higher_order\.cond\(.*), \(([^()]*?),?\)\)", r"\1, [\2])", text)
    for node in ep.graph.nodes:
        if node.op == "call_function":
            text = re.sub(rf"(?<![\w.]){re.escape(node.name)}\b(?!\.)", f"{node.name}_v", text)
    return text


@pytest.mark.filterwarnings("ignore::UserWarning")  # torch's notes on constant predicates and side effects
def test_torch_examples_printed_in_both_styles_agree(torch):
    from torch._export.db.examples import all_examples

    checked = 0
    for name, case in sorted(all_examples().items()):
        try:
            ep = torch.export.export(case.model, case.example_args, case.example_kwargs,
                                     dynamic_shapes=case.dynamic_shapes, strict=True)
        except Exception:  # noqa: BLE001 - cases torch itself cannot export are not about printing
            continue
        ours, theirs = parse_program(seed_style(ep)), parse_program(clean_program_text(str(ep)))
        assert canonical_text(ours) == canonical_text(theirs), name
        assert (named_text(ours) == named_text(theirs)) == (not any(
            n.op == "call_function" for n in ep.graph.nodes)), name
        checked += 1
    assert checked >= 30


@pytest.mark.parametrize("case", ["cond_closed_over_variable", "nested_function"])
def test_torch_engine_on_torch_examples_agrees_with_the_seed_documents(torch, case):
    seed = SEEDS / "000_66645cfb5e7c41e8.txt"
    if not seed.exists():
        pytest.skip(f"seed documents not found at {SEEDS}")
    text = seed.read_text(encoding="utf-8")
    section = text[text.index(f"\n{case}\n"):]
    block = re.search(r"Result:\n\n\.\. code-block::\n\n(.*?)(?=\n\S|\Z)", section, re.S).group(1)
    path = torch_examples_dir() / f"{case}.py"
    result = TorchEngine().run_case(path)
    comparison = compare.compare_results(ok("builtin", textwrap.dedent(block)), result)
    assert comparison.classification == "agree", comparison.diff
    assert comparison.names_agree


@pytest.fixture(scope="module")
def project_comparison(torch) -> dict:
    """``exportdb compare --json`` over ``cases/``, run once for the per-case tests below."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = compare.main(["--cases", str(ROOT / "cases"), "--json"])
    data = json.loads(out.getvalue())
    data["status"] = status
    return data


@pytest.mark.parametrize("name", [path.stem for path in discover(ROOT / "cases")])
def test_project_case_agrees_with_torch_or_is_listed(project_comparison, name):
    """The CI gate: each case of ``cases/`` agrees, or differs as ``cases/expected_differences.toml`` says.
    A failure names the one case and shows its difference."""
    [report] = [case for case in project_comparison["cases"] if case["name"] == name]
    assert report["status"] in ("ok", "expected"), (
        f"{name}: {report['classification']}"
        + (f" ({report['note']})" if report["note"] else "")
        + ("; listed as a difference but agrees now: remove its entry from cases/expected_differences.toml"
           if report["status"] == "stale" else "")
        + (f"\n{report['diff']}" if report["diff"] else ""))


def test_agreeing_project_cases_print_byte_identical_in_the_torch_style(project_comparison):
    """Every case that agrees structurally prints exactly as torch 2.13 does in the torch style."""
    differ = [case for case in project_comparison["cases"] if case["byte_identical"] is False]
    assert not differ, "\n".join(f"{case['name']}:\n{case['style_diff']}" for case in differ)
    assert project_comparison["byte_identical"] == project_comparison["structural_agree"] > 100


def test_expected_differences_name_only_existing_cases(project_comparison):
    assert project_comparison["stale_expectations"] == [], (
        "cases/expected_differences.toml lists cases that do not exist")


def test_builtin_agrees_with_torch_on_torch_own_examples(torch, capsys):
    """The conformance target: every ExportDB example shipped inside torch agrees (loaded in place)."""
    examples = torch_examples_dir()
    status = compare.main(["--cases", str(examples)])
    out = capsys.readouterr().out
    total = len(discover(examples))
    assert out.splitlines()[-1] == f"{total}/{total} cases agree", out
    agreeing = sum(1 for line in out.splitlines() if line.startswith("agree "))
    assert out.splitlines()[-2] == f"byte-identical: {agreeing}/{agreeing}", out
    assert status == 0


def test_json_report_stays_json_when_a_case_prints(cases, capsys, monkeypatch):
    class Chatty(FakeEngine):
        def run_case(self, path: Path, *, rewrite: bool = False) -> EngineResult:
            print(f"loading {path.stem}")  # as a case file's top level or forward may
            return super().run_case(path, rewrite=rewrite)

    builtin, torch_ = compare._engines()
    monkeypatch.setattr(compare, "_engines", lambda: (Chatty("builtin", builtin.results),
                                                      Chatty("torch", torch_.results)))
    status, out, err = run_main(["--cases", str(cases), "--json"], capsys)
    assert json.loads(out)["total"] == 5 and "loading same" in err
