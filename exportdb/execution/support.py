"""Declared against actual support: does each case's outcome match its ``support_level``?

:func:`verify_support` compares a :class:`~exportdb.execution.records.RunReport` with
the cases' declared levels; :class:`SupportSummary` is what ``exportdb check`` and a
build print.  Re-exported by :mod:`exportdb.execution.runner`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from exportdb.catalog.registry import Case, SupportLevel, escape_controls
from exportdb.execution.records import RunReport, RunStatus


@dataclass(frozen=True)
class Mismatch:
    """A case whose outcome contradicts its declared support level."""

    case: str
    engine: str
    kind: str  # "unexpected failure" or "unexpected pass"
    detail: str

    def __str__(self) -> str:
        return escape_controls(f"{self.case} [{self.engine}]: {self.kind}: {self.detail}")


@dataclass
class SupportSummary:
    """Declared vs actual support, per case and available engine."""

    passing: list[str] = field(default_factory=list)
    failing_as_expected: list[str] = field(default_factory=list)
    unexpected_failures: list[Mismatch] = field(default_factory=list)
    unexpected_passes: list[Mismatch] = field(default_factory=list)
    broken_files: list[str] = field(default_factory=list)  # case files that could not be read as cases

    @property
    def ok(self) -> bool:
        return not self.unexpected_failures and not self.unexpected_passes and not self.broken_files

    def lines(self) -> list[str]:
        """The summary printed at the end of a run."""
        out = [f"{len(self.passing)} exported as declared, "
               f"{len(self.failing_as_expected)} failing as expected, "
               f"{len(self.unexpected_failures)} unexpected failures, "
               f"{len(self.unexpected_passes)} unexpected passes, "
               f"{len(self.broken_files)} broken case files"]
        if self.failing_as_expected:
            out.append("failing as expected: " + ", ".join(self.failing_as_expected))
        out += [f"unexpected failure: {m.case} [{m.engine}]: {m.detail}" for m in self.unexpected_failures]
        out += [f"unexpected pass: {m.case} [{m.engine}]: {m.detail}" for m in self.unexpected_passes]
        return [escape_controls(line) for line in out]  # a case's error text must not restyle the terminal


def verify_support(cases: Sequence[Case], report: RunReport, broken_files: Sequence[str] = ()) -> SupportSummary:
    """Compare each case's declared support level with what the primary engine did.

    The support level is a claim about the primary (first) engine; other engines'
    outcomes are shown side by side but not verified.  Nothing is verified when
    the primary engine is unavailable.
    """
    summary = SupportSummary(broken_files=sorted(set(broken_files)))
    primary = report.engines[0].name if report.engines else None
    for case in cases:
        for engine in [e for e in report.available_engines if e == primary]:
            record = report.get(case.name, engine)
            if record is None:
                continue
            label = case.name
            exported = record.status == RunStatus.EXPORTED
            if case.support_level == SupportLevel.SUPPORTED:
                if exported:
                    summary.passing.append(label)
                else:
                    first = record.result.text.splitlines()[0] if record.result.text else record.status
                    hint = record.result.extra.get("hint")
                    summary.unexpected_failures.append(
                        Mismatch(case.name, engine, "unexpected failure",
                                 f"declared SUPPORTED but export failed: {first}"
                                 + (f" (hint: {hint})" if hint else "")))
            elif exported:
                summary.unexpected_passes.append(
                    Mismatch(case.name, engine, "unexpected pass",
                             "declared NOT_SUPPORTED_YET but it exports; "
                             "set support_level = SupportLevel.SUPPORTED"))
            elif record.completed:
                summary.failing_as_expected.append(label)
            else:
                summary.unexpected_failures.append(
                    Mismatch(case.name, engine, "unexpected failure",
                             f"the run did not complete: {record.result.text}"))
            rewrite = report.get(case.name, engine, rewrite=True)
            if rewrite is not None and rewrite.status != RunStatus.EXPORTED:
                first = rewrite.result.text.splitlines()[0] if rewrite.result.text else rewrite.status
                summary.unexpected_failures.append(
                    Mismatch(case.name, engine, "unexpected failure", f"the rewrite does not export: {first}"))
    return summary
