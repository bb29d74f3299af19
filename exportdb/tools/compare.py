"""``exportdb compare``: run every case through both engines and classify the outcomes.

Each case is one of

* ``agree``: both export, and the programs agree structurally (see
  :mod:`exportdb.tools.compare_normalize`, which also folds constant-predicate conds);
* ``both-fail``: neither engine exports it (an agreeing outcome too);
* ``outcome-differs``: one engine exports and the other fails;
* ``graph-differs``: both export different programs (a unified diff shows how).

A case that agrees is also compared byte for byte in the torch print style: the
builtin engine's program printed as torch.export 2.13 prints it
(``exportdb show --style torch``) against the torch engine's text.  The report
says how many of the agreeing cases are ``byte-identical`` and shows a unified
diff (``builtin[torch style]`` against ``torch``) for each one that is not.

Cases listed in the expectations file (``expected_differences.toml`` next to
the cases, one table per case with a ``reason``) are reported as expected.
The exit status is 1 when a case that is not listed fails to agree, or a
listed case now agrees or no longer exists (so the list stays honest), and 2
for usage errors.  The text report ends with ``byte-identical: N/M`` (of the
cases that agree structurally) and ``N/M cases agree``::

    $ exportdb compare --cases cases
    agree            nested_closure
    ...
    byte-identical: 12/12
    12/12 cases agree
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Sequence

from exportdb.tools.compare_expect import Expectation, ExpectationsError, load_expectations
from exportdb.tools.compare_normalize import (
    ProgramParseError, canonical_text, fold_constant_conds, named_text, parse_program,
)
from exportdb.catalog.registry import discover, escape_controls
from exportdb.engines import EngineResult, get_engine
from exportdb.engines import error_text
from exportdb.site.generate import default_cases_dir

CLASSIFICATIONS = ("agree", "both-fail", "outcome-differs", "graph-differs")
AGREEING = ("agree", "both-fail")
EXPECTATIONS_NAME = "expected_differences.toml"


@dataclass
class Comparison:
    """How the two engines' Result texts relate, independent of any expectation."""

    classification: str
    diff: str = ""
    names_agree: bool | None = None
    folded_conds: int = 0
    note: str = ""
    #: agreeing cases only: whether the builtin's torch-style text equals torch's, and how it differs
    byte_identical: bool | None = None
    style_diff: str = ""


@dataclass
class CaseReport:
    """Everything known about one case after running both engines."""

    name: str
    path: str
    classification: str
    status: str  # "ok", "expected", "unexpected" or "stale"
    builtin: EngineResult
    torch: EngineResult
    diff: str = ""
    names_agree: bool | None = None
    folded_conds: int = 0
    note: str = ""
    reason: str | None = None
    byte_identical: bool | None = None
    style_diff: str = ""

    @property
    def agrees(self) -> bool:
        return self.classification in AGREEING


def _diff(a: str, b: str, label: str = "builtin") -> str:
    lines = difflib.unified_diff(a.splitlines(), b.splitlines(), label, "torch", lineterm="", n=2)
    return "\n".join(lines)


def byte_comparison(builtin: EngineResult, torch: EngineResult) -> tuple[bool, str]:
    """Whether the builtin's program in the torch print style is torch's text byte for byte, and
    the unified diff when it is not."""
    ours = builtin.text_in("torch")
    if ours == torch.text:
        return True, ""
    return False, _diff(ours, torch.text, "builtin[torch style]")


def compare_results(builtin: EngineResult, torch: EngineResult) -> Comparison:
    """Classify one case from the two engines' results."""
    if not builtin.ok and not torch.ok:
        return Comparison("both-fail", note=f"builtin: {builtin.error_type}, torch: {torch.error_type}")
    if builtin.ok != torch.ok:
        failed = builtin if not builtin.ok else torch
        return Comparison("outcome-differs", note=f"only {failed.engine} fails: {failed.text}")
    torch_style = builtin.extra.get("styles", {}).get("torch")
    try:
        # The builtin's torch print style specialises constant-predicate conds as torch does (the
        # exporter's doing); a text given only in the seed style (a seed document's Result) has
        # them folded here instead.
        ours = (parse_program(torch_style) if torch_style is not None
                else fold_constant_conds(parse_program(builtin.text)))
    except ProgramParseError as exc:
        return Comparison("graph-differs", _diff(builtin.text, torch.text), note=f"builtin text unreadable: {exc}")
    try:
        theirs = fold_constant_conds(parse_program(torch.text))
    except ProgramParseError as exc:
        return Comparison("graph-differs", _diff(builtin.text, torch.text), note=f"torch text unreadable: {exc}")
    ours_named, theirs_named = named_text(ours), named_text(theirs)
    names_agree = ours_named == theirs_named
    if canonical_text(ours) == canonical_text(theirs):
        identical, style_diff = byte_comparison(builtin, torch)
        note = "" if names_agree else "node names differ"
        return Comparison("agree", names_agree=names_agree, folded_conds=ours.folded, note=note,
                          byte_identical=identical, style_diff=style_diff)
    return Comparison("graph-differs", _diff(ours_named, theirs_named), names_agree, ours.folded)


def _run(engine: Any, path: Path) -> EngineResult:
    try:
        return engine.run_case(path)
    except Exception as exc:  # noqa: BLE001 - an engine crash is a result, not the end of the report

        return EngineResult(engine.name, False, error_text(exc), type(exc).__name__,
                            extra={"crashed": True})


def _status(comparison: Comparison, expectation: Expectation | None) -> str:
    agrees = comparison.classification in AGREEING
    if expectation is None:
        return "ok" if agrees else "unexpected"
    if agrees:
        return "stale"
    if expectation.classification and expectation.classification != comparison.classification:
        return "unexpected"
    return "expected"


def compare_case(path: Path, engines: tuple[Any, Any], expectation: Expectation | None) -> CaseReport:
    """Run one case file through both engines and classify it."""
    builtin, torch = (_run(engine, path) for engine in engines)
    comparison = compare_results(builtin, torch)
    return CaseReport(
        name=path.stem, path=str(path), classification=comparison.classification,
        status=_status(comparison, expectation), builtin=builtin, torch=torch, diff=comparison.diff,
        names_agree=comparison.names_agree, folded_conds=comparison.folded_conds, note=comparison.note,
        reason=expectation.reason if expectation else None, byte_identical=comparison.byte_identical,
        style_diff=comparison.style_diff,
    )


def run_compare(cases: Sequence[Path], engines: tuple[Any, Any],
                expectations: dict[str, Expectation]) -> list[CaseReport]:
    """Compare every case file; the order of ``cases`` is kept."""
    return [compare_case(path, engines, expectations.get(path.stem)) for path in cases]


def missing_expectations(reports: Sequence[CaseReport], expectations: dict[str, Expectation]) -> list[str]:
    """Expectation entries that name no case that was run."""
    names = {r.name for r in reports}
    return sorted(name for name in expectations if name not in names)


def summary_line(reports: Sequence[CaseReport]) -> str:
    """``N/M cases agree`` (``both-fail`` counts as agreeing)."""
    return f"{sum(r.agrees for r in reports)}/{len(reports)} cases agree"


def byte_counts(reports: Sequence[CaseReport]) -> tuple[int, int]:
    """(byte-identical in the torch style, agreeing structurally) among ``reports``."""
    agreeing = [r for r in reports if r.classification == "agree"]
    return sum(bool(r.byte_identical) for r in agreeing), len(agreeing)


def byte_identical_line(reports: Sequence[CaseReport]) -> str:
    """``byte-identical: N/M``: of the M cases that agree structurally, N print exactly as torch's."""
    same, agreeing = byte_counts(reports)
    return f"byte-identical: {same}/{agreeing}"


def format_text(reports: Sequence[CaseReport], unknown: Sequence[str] = ()) -> str:
    """The human-readable report; it ends with :func:`byte_identical_line` and :func:`summary_line`."""
    out: list[str] = []
    width = max((len(r.name) for r in reports), default=0)
    for r in reports:
        extra = {"expected": f"expected: {r.reason}", "stale": "listed as a difference but agrees now",
                 "unexpected": "UNEXPECTED" + (f" (listed: {r.reason})" if r.reason else "")}.get(r.status, "")
        style = "not byte-identical in the torch style" if r.byte_identical is False else ""
        detail = "; ".join(x for x in (r.note, style, extra) if x)
        out.append((f"{r.classification:<16} {r.name:<{width}}" + (f"  {detail}" if detail else "")).rstrip())
        if r.diff:
            out += ["    " + line for line in r.diff.splitlines()]
        if r.style_diff:
            out += ["    " + line for line in r.style_diff.splitlines()]
    bad = [r.name for r in reports if r.status == "unexpected"]
    stale = [r.name for r in reports if r.status == "stale"] + list(unknown)
    if bad:
        out.append(f"unexpected differences ({len(bad)}): {', '.join(bad)}")
        out.append("hint: fix the exporter, or list the case with its reason in the expectations file")
    if stale:
        out.append(f"stale expectations ({len(stale)}): {', '.join(stale)}")
        out.append("hint: remove these entries from the expectations file")
    out.append(byte_identical_line(reports))
    out.append(summary_line(reports))
    return "\n".join(out)


def report_json(reports: Sequence[CaseReport], engines: tuple[Any, Any], unknown: Sequence[str] = ()) -> str:
    """The full report as JSON: summary, engine versions and one object per case."""
    cases = []
    for r in reports:
        item = asdict(r)
        item["agrees"] = r.agrees
        cases.append(item)
    same, agreeing = byte_counts(reports)
    data = {
        "summary": summary_line(reports),
        "agree": sum(r.agrees for r in reports),
        "total": len(reports),
        "byte_identical": same,
        "structural_agree": agreeing,
        "engines": {e.name: e.version() for e in engines},
        "stale_expectations": list(unknown),
        "cases": cases,
    }
    return json.dumps(data, indent=2)


def run_record(reports: Sequence[CaseReport], engines: tuple[Any, Any], cases_label: str, argv: Sequence[str],
               unknown: Sequence[str] = ()) -> dict[str, Any]:
    """The run as a record for the docs (``--record``): when, with what, and each case's classification."""
    import datetime
    import platform

    from exportdb.tools.bench import recorded_command

    same, agreeing = byte_counts(reports)
    return {
        "kind": "exportdb compare",
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "command": recorded_command("compare", argv),
        "cases_dir": cases_label,
        "versions": {"python": platform.python_version(), **{e.name: e.version() for e in engines}},
        "summary": summary_line(reports),
        "agree": sum(r.agrees for r in reports),
        "total": len(reports),
        "byte_identical": same,
        "structural_agree": agreeing,
        "stale_expectations": list(unknown),
        "cases": [{"name": r.name, "classification": r.classification, "agrees": r.agrees, "status": r.status,
                   "reason": r.reason or "", "note": r.note, "byte_identical": r.byte_identical,
                   "style_diff": r.style_diff} for r in reports],
    }


def exit_status(reports: Sequence[CaseReport], unknown: Sequence[str] = ()) -> int:
    """0 when every case agrees or differs as listed, else 1."""
    return 1 if unknown or any(r.status in ("unexpected", "stale") for r in reports) else 0


def _engines() -> tuple[Any, Any] | str:
    try:
        engines = (get_engine("builtin"), get_engine("torch"))
    except ImportError as exc:
        return f"an engine cannot be loaded ({exc})"
    for engine in engines:
        reason = engine.unavailable_reason()
        if reason:
            return f"the {engine.name} engine is unavailable: {reason}"
    return engines


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="exportdb compare",
        description="Run every case through the builtin and torch engines and compare the programs.")
    parser.add_argument("names", nargs="*", help="only these cases (file stems); default: all")
    parser.add_argument("--cases", type=Path, default=None, help="directory of case files (default: ./cases)")
    parser.add_argument("--json", action="store_true", help="print the full report as JSON")
    parser.add_argument("--record", type=Path, default=None,
                        help="also write the run (date, versions, each case's classification) as JSON to RECORD; "
                             "the Compare page shows docs/benchmarks/compare*.json")
    parser.add_argument("--record-label", default=None,
                        help="how the record names the case directory (default: the --cases path as given)")
    parser.add_argument("--expectations", type=Path, default=None,
                        help=f"TOML file of expected differences (default: {EXPECTATIONS_NAME} in the cases dir)")
    return parser


def main(argv: list[str]) -> int:
    """Entry point of ``exportdb compare``; returns the exit status."""
    args = build_parser().parse_args(argv)
    if args.cases is None:

        args.cases = default_cases_dir()
    if not args.cases.is_dir():
        print(f"exportdb compare: {args.cases}: no such directory\nhint: pass --cases DIR", file=sys.stderr)
        return 2
    paths = discover(args.cases)
    if args.names:
        wanted = set(args.names)
        unknown_names = sorted(wanted - {p.stem for p in paths})
        if unknown_names:
            print(f"exportdb compare: {args.cases}: no case named {', '.join(unknown_names)}", file=sys.stderr)
            return 2
        paths = [p for p in paths if p.stem in wanted]
    default_expect = args.cases / EXPECTATIONS_NAME
    try:
        if args.expectations is not None:
            expectations = load_expectations(args.expectations)
        else:
            expectations = load_expectations(default_expect) if default_expect.exists() else {}
    except ExpectationsError as exc:
        print(f"exportdb compare: {exc}", file=sys.stderr)
        return 2
    engines = _engines()
    if isinstance(engines, str):
        print(f"exportdb compare: {engines}", file=sys.stderr)
        return 2
    with contextlib.redirect_stdout(sys.stderr):  # what the cases print is not part of the report
        reports = run_compare(paths, engines, expectations)
    unknown = [] if args.names else missing_expectations(reports, expectations)
    # the texts come from the cases: their control characters are escaped, so they cannot restyle the terminal
    print(report_json(reports, engines, unknown) if args.json else escape_controls(format_text(reports, unknown),
                                                                                   keep_lines=True))
    if args.record is not None:
        label = args.record_label or (str(args.cases) if args.cases != default_cases_dir() else "cases")
        args.record.parent.mkdir(parents=True, exist_ok=True)
        args.record.write_text(json.dumps(run_record(reports, engines, label, argv, unknown), indent=1) + "\n",
                               encoding="utf-8")
    return exit_status(reports, unknown)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
