"""Long fuzzing runs: ``exportdb fuzz --programs 10000``.

Unlike the test suite's profile, a long run does not stop at the first failing
program: every program is checked, failures are counted and grouped by
:meth:`FuzzFailure.signature`, and (with ``--save DIR``) each failing program
is written to ``DIR`` as a case file to reproduce with ``exportdb show``.
When torch is installed, ``programs / --torch-every`` further programs (drawn
``torch_safe``) are also compared with the real ``torch.export``.  The report ends with::

    programs: 10100  failures: 0  distinct: 0  torch comparisons: 100 (0 failed)
    time: 412.3 s  rate: 24.3 programs/s

``--rst FILE`` also writes that figure as a reStructuredText fragment (the
Performance page includes ``docs/_fuzz_results.rst``).
"""

from __future__ import annotations

import argparse
import datetime
import platform
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from exportdb import __version__


@dataclass
class FuzzReport:
    programs: int = 0
    failures: dict[str, list] = field(default_factory=lambda: defaultdict(list))
    torch_runs: int = 0
    torch_failures: int = 0
    seconds: float = 0.0
    seed: int = 0

    @property
    def failure_count(self) -> int:
        return sum(len(v) for v in self.failures.values())

    @property
    def rate(self) -> float:
        return self.programs / self.seconds if self.seconds else 0.0

    def lines(self) -> list[str]:
        out = [f"{len(items):6d}  {sig}" for sig, items in sorted(self.failures.items(), key=lambda kv: -len(kv[1]))]
        out.append(f"programs: {self.programs}  failures: {self.failure_count}  distinct: {len(self.failures)}  "
                   f"torch comparisons: {self.torch_runs} ({self.torch_failures} failed)")
        out.append(f"time: {self.seconds:.1f} s  rate: {self.rate:.1f} programs/s")
        return out

    def rst(self, command: str) -> str:
        import numpy

        date = datetime.date.today().isoformat()
        rows = [("Command", f"``{command}``"), ("Date", date), ("Seed", str(self.seed)),
                ("Programs run", str(self.programs)), ("Failures (distinct causes)",
                                                        f"{self.failure_count} ({len(self.failures)})"),
                ("Compared with torch.export", f"{self.torch_runs} ({self.torch_failures} failed)"),
                ("Wall time", f"{self.seconds:.1f} s"), ("Rate", f"{self.rate:.1f} programs/s"),
                ("Machine", f"{platform.machine()}, Python {platform.python_version()}, NumPy {numpy.__version__}, "
                            f"exportdb {__version__}")]
        width = max(len(k) for k, _ in rows)
        vwidth = max(len(v) for _, v in rows)
        rule = f"{'=' * width}  {'=' * vwidth}"
        body = [f"{k:<{width}}  {v}" for k, v in rows]
        head = ("The long fuzzing profile (see :doc:`fuzzing`) checks random programs with the built-in engine "
                "(export, lint, run at several sizes, compare with eager) and compares a sample with torch.export:")
        return "\n".join([head, "", rule, f"{'Figure':<{width}}  Value", rule, *body, rule, ""])


def run_profile(programs: int, seed: int = 0, torch_every: int = 0, save: Path | None = None,
                progress: TextIO | None = None) -> FuzzReport:
    """Check ``programs`` random programs; never raises for a failing program."""
    from hypothesis import Phase, given, settings
    from hypothesis import seed as hypothesis_seed

    from exportdb.tools.fuzz.check import FuzzFailure, check_program  # lazy: needs hypothesis
    from exportdb.tools.fuzz.strategies import programs as program_strategy  # lazy: needs hypothesis

    report = FuzzReport(seed=seed)
    use_torch = False
    if torch_every:
        from exportdb.tools.fuzz.torch_check import compare_with_torch, torch_available  # lazy: needs hypothesis

        use_torch = torch_available()
    if save is not None:
        save.mkdir(parents=True, exist_ok=True)

    def record(program, failure) -> None:
        report.failures[failure.signature()].append(failure.kind)
        if save is not None:
            path = save / f"fuzz_{report.programs:06d}.py"
            path.write_text(f"# {failure.signature()}\n{program.source}", encoding="utf-8")

    base = settings(settings.get_profile("exportdb-fuzz-long"), phases=[Phase.generate])

    @settings(base, max_examples=programs)
    @hypothesis_seed(seed)
    @given(program_strategy())
    def builtin_run(program) -> None:
        report.programs += 1
        try:
            check_program(program)
        except FuzzFailure as failure:
            record(program, failure)
        if progress is not None and report.programs % 500 == 0:
            elapsed = time.perf_counter() - start
            print(f"{report.programs} programs, {report.failure_count} failures, {elapsed:.0f} s", file=progress,
                  flush=True)

    # the torch sample is drawn torch_safe, steering around differences tracked as xfail tests
    @settings(base, max_examples=max(1, programs // torch_every) if torch_every else 1)
    @hypothesis_seed(seed + 1)
    @given(program_strategy(torch_safe=True))
    def torch_run(program) -> None:
        report.programs += 1
        report.torch_runs += 1
        try:
            compare_with_torch(program, check_program(program))
        except FuzzFailure as failure:
            report.torch_failures += 1
            record(program, failure)

    start = time.perf_counter()
    builtin_run()
    if use_torch:
        torch_run()
    report.seconds = time.perf_counter() - start
    return report


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="exportdb fuzz",
                                     description="Check random programs with the built-in exporter.")
    parser.add_argument("--programs", type=int, default=10000, help="how many programs (default: 10000)")
    parser.add_argument("--seed", type=int, default=0, help="hypothesis seed (default: 0)")
    parser.add_argument("--torch-every", type=int, default=100, metavar="N",
                        help="also compare programs/N programs with torch.export when torch is installed; "
                             "0: never (default: 100)")
    parser.add_argument("--save", type=Path, default=None, help="write failing programs into this directory")
    parser.add_argument("--rst", type=Path, default=None, help="write the final figure as a reST fragment")
    return parser


def main(argv: list[str], out: TextIO | None = None) -> int:
    """Entry point of ``exportdb fuzz``: 0 when no program failed, 1 otherwise, 2 for usage errors."""
    out = out or sys.stdout
    args = build_parser().parse_args(argv)
    if args.programs < 1:
        print("exportdb fuzz: --programs must be at least 1", file=sys.stderr)
        return 2
    try:
        import hypothesis  # noqa: F401
    except ImportError:
        print("exportdb fuzz: needs hypothesis: pip install 'exportdb[test]'", file=sys.stderr)
        return 2
    report = run_profile(args.programs, args.seed, args.torch_every, args.save, progress=sys.stderr)
    for line in report.lines():
        print(line, file=out)
    if args.rst is not None:
        kept = [a for i, a in enumerate(argv) if a != "--rst" and (i == 0 or argv[i - 1] != "--rst")]
        command = " ".join(["exportdb fuzz", *kept])
        args.rst.write_text(report.rst(command), encoding="utf-8")
    return 1 if report.failure_count else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
