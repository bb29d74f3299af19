"""``exportdb bench``: how fast exportdb is, measured (never asserted in tests).

Four parts, each selectable with ``--only``:

``engines``
    Per-case time of the built-in engine and of ``torch.export`` on PyTorch's
    own ExportDB examples (``torch/_export/db/examples``), in one process.  For
    both engines the timed work is the same: load the case file, export its
    model, print the program (or produce the error text).  Each figure is the
    median over ``--repeats`` runs after one warm-up run; ``import torch`` is
    timed on its own and not counted.  The speedup is the ratio of the summed
    medians (the time to export the whole set once).
``generation``
    ``generate`` on a synthetic registry (``bench/make_synthetic_registry.py``):
    cold (empty cache), warm (nothing changed) and after editing one case, with
    wall time and peak memory of the whole process tree; it also checks that
    the warm run exported and wrote nothing and the edit only what it should.
``site``
    ``exportdb build`` of a copy of the project's site, cold and after a
    one-case edit, with the number of documents Sphinx re-read.
``serve``
    ``exportdb serve`` of a copy of the project's site: the time until the
    first page is served, then the edit-to-reload time: from editing one
    case's description until its rebuilt page, carrying the edit, is served
    (the moment the browser is told to reload).

The last line of the output is ``speedup builtin vs torch: N.Nx`` when the
engines part ran.  ``--record PATH`` also writes the whole run as JSON (date,
command, machine, versions, load average at start and end, every figure);
the Performance page is generated from the checked-in record,
``docs/benchmarks/bench.json``.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import exportdb
from exportdb.engines.builtin import BuiltinEngine
from exportdb.engines.torch_engine import TorchEngine
from exportdb.tools import bench_runs
from exportdb.catalog.registry import discover
from exportdb.execution.runner import default_workers

PARTS = ("engines", "generation", "site", "serve")
DEFAULT_SITE_EDIT = "cond_closure_python_constants"


# --------------------------------------------------------------------------- engines


def torch_examples_dir() -> Path | None:
    """``torch/_export/db/examples`` of the installed torch, found without importing torch."""
    spec = importlib.util.find_spec("torch")
    if spec is None or spec.origin is None:
        return None
    directory = Path(spec.origin).parent / "_export" / "db" / "examples"
    return directory if directory.is_dir() else None


def _median_seconds(fn: Callable[[], Any], repeats: int) -> float:
    fn()  # warm-up: first-call caches on both sides are not what a case costs
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def builtin_export_text(path: Path) -> str:
    """Load, export and print one case with the built-in engine (the error text on failure)."""
    return BuiltinEngine().run_case(path, check=False).text


def torch_export_text(path: Path) -> str:
    """Load, export (``strict=True``) and print one case with ``torch.export`` (the error text on failure)."""
    return TorchEngine().run_case(path).text


@dataclass
class EngineTiming:
    case: str
    builtin: float
    torch: float
    builtin_ok: bool
    torch_ok: bool

    @property
    def ratio(self) -> float:
        return self.torch / self.builtin if self.builtin else float("inf")


def run_engines(repeats: int, out: TextIO) -> tuple[float, list[EngineTiming]]:
    """Time both engines on every example; return torch's import time and the per-case medians."""
    examples = torch_examples_dir()
    if examples is None:
        raise RuntimeError("torch is not installed: the engines benchmark needs its ExportDB examples")
    start = time.perf_counter()
    import torch  # noqa: F401 - timed: the import is reported on its own

    import_seconds = time.perf_counter() - start
    rows = []
    for path in discover(examples):
        ours = builtin_export_text(path)
        theirs = torch_export_text(path)
        rows.append(EngineTiming(
            path.stem,
            _median_seconds(lambda: builtin_export_text(path), repeats),
            _median_seconds(lambda: torch_export_text(path), repeats),
            ours.startswith("ExportedProgram"), theirs.startswith("ExportedProgram")))
        print(f"  {path.stem:<36} builtin {rows[-1].builtin * 1e3:8.2f} ms   torch {rows[-1].torch * 1e3:8.1f} ms"
              f"   {rows[-1].ratio:7.1f}x", file=out, flush=True)
    return import_seconds, rows


#: What a case's first export imports: the tracer, the front end and the op table.
EXPORTER_MODULE = "exportdb.exporter.trace.export"


def exporter_import_seconds(repeats: int) -> float:
    """Median wall time of importing the exporter in a fresh interpreter (``.pyc`` files as
    installed), measured inside that interpreter so that its start-up is not counted."""
    code = (f"import time; t = time.perf_counter(); import {EXPORTER_MODULE}; "
            "print(time.perf_counter() - t)")
    times = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                  check=True).stdout) for _ in range(max(3, repeats))]
    return statistics.median(times)


def speedup(rows: list[EngineTiming]) -> float:
    """Summed torch medians over summed builtin medians."""
    return sum(r.torch for r in rows) / sum(r.builtin for r in rows)


# --------------------------------------------------------------------------- report


def machine_info() -> dict[str, Any]:
    """CPU, cores, memory and system of this machine, and the versions that matter, as data."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem_kb = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                          if line.startswith("MemTotal")))
        memory: float | None = round(mem_kb / 2**20, 1)
    except (OSError, StopIteration, ValueError):
        memory = None
    versions = {"exportdb": exportdb.__version__, "python": platform.python_version()}
    for name in ("numpy", "jinja2", "sphinx", "sphinx-autobuild", "torch"):
        try:
            from importlib.metadata import version

            versions[name] = version(name)
        except Exception:  # noqa: BLE001 - a missing package is simply not listed
            pass
    return {"machine": {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": memory,
                        "system": f"{platform.system()} {platform.release()}"},
            "versions": versions}


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def machine_lines(info: dict[str, Any] | None = None, load: list[float] | None = None) -> list[str]:
    """CPU, cores, memory and versions, for the report."""
    info = info or machine_info()
    m = info["machine"]
    memory = "unknown" if m["memory_gib"] is None else f"{m['memory_gib']:.1f} GiB"
    versions = ", ".join(f"{name} {v}" for name, v in info["versions"].items())
    return [f"machine: {m['cpu']}, {m['cores']} cores, {memory} RAM, {m['system']}",
            "load average when the benchmark started (1, 5, 15 min): "
            + ", ".join(f"{x:.1f}" for x in (load or load_average())),
            f"versions: {versions}"]


def _mb(measured: Any) -> str:
    return f"{measured.peak_mb:.0f} MB"


def report_generation(runs: list[Any], problems: list[str], out: TextIO) -> None:
    print(f"  {'run':<10} {'wall':>8} {'peak RSS':>9}  {'exported':>8} {'rendered':>8} {'written':>7}", file=out)
    for run in runs:
        f = run.facts
        print(f"  {run.label:<10} {run.measured.seconds:7.2f}s {_mb(run.measured):>9}  {f['jobs_run']:>8} "
              f"{f['rendered']:>8} {len(f['written']):>7}", file=out)
        if run.label == "one edit":
            print(f"    written: {', '.join(f['written'])}", file=out)
    for problem in problems:
        print(f"  PROBLEM: {problem}", file=out)
    if not problems:
        print("  checked: the warm run exported, rendered and wrote nothing; the edit re-exported only "
              "that case and rewrote only its page, its tags' pages and the index/timings", file=out)


def report_site(runs: list[Any], out: TextIO) -> None:
    print(f"  {'run':<10} {'wall':>8} {'peak RSS':>9}  {'re-read':>7}  pages", file=out)
    for run in runs:
        reread = "?" if run.reread is None else str(run.reread)
        print(f"  {run.label:<10} {run.measured.seconds:7.2f}s {_mb(run.measured):>9}  {reread:>7}  "
              f"{run.generated_written}", file=out)


# --------------------------------------------------------------------------- entry point


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="exportdb bench", description="Measure exportdb's speed and memory.")
    parser.add_argument("--only", default=",".join(PARTS),
                        help=f"comma-separated parts to run (default: {','.join(PARTS)})")
    parser.add_argument("--repeats", type=int, default=5, help="timed repeats per case and engine (default 5)")
    parser.add_argument("--count", type=int, default=2000, help="cases in the synthetic registry (default 2000)")
    parser.add_argument("--jobs", "-j", type=int, default=None, help="worker processes (default: one per CPU)")
    parser.add_argument("--site-edit", default=DEFAULT_SITE_EDIT,
                        help=f"project case edited for the site rebuild (default {DEFAULT_SITE_EDIT})")
    parser.add_argument("--record", type=Path, default=None,
                        help="also write the run as JSON (date, machine, versions, load, every figure) to RECORD; "
                             "the Performance page shows docs/benchmarks/bench.json")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="where the synthetic registry and the site copy go (default: a temporary directory)")
    return parser


def recorded_command(command: str, argv: Sequence[str]) -> str:
    """The command line of a recorded run, without where the record went (``--record PATH``)."""
    kept, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--record":
            skip = True
        elif not arg.startswith("--record="):
            kept.append(shlex.quote(arg))
    return " ".join(["exportdb", command, *kept])


def generation_record(runs: list[Any], problems: list[str], count: int, jobs: int | None) -> dict[str, Any]:
    return {"count": count, "jobs": jobs or default_workers(), "problems": problems,
            "runs": [{"label": r.label, "seconds": round(r.measured.seconds, 3),
                      "peak_mb": round(r.measured.peak_mb, 1), "exported": r.facts["jobs_run"],
                      "rendered": r.facts["rendered"], "written": len(r.facts["written"])} for r in runs]}


def site_record(runs: list[Any], edit_case: str) -> dict[str, Any]:
    return {"edit_case": edit_case,
            "runs": [{"label": r.label, "seconds": round(r.measured.seconds, 3),
                      "peak_mb": round(r.measured.peak_mb, 1), "reread": r.reread, "pages": r.generated_written}
                     for r in runs]}


def engines_record(import_seconds: float, rows: list[EngineTiming], repeats: int,
                   exporter_import_s: float | None = None) -> dict[str, Any]:
    return {"repeats": repeats, "import_torch_s": round(import_seconds, 3),
            "import_exporter_s": None if exporter_import_s is None else round(exporter_import_s, 3),
            "builtin_total_s": sum(r.builtin for r in rows), "torch_total_s": sum(r.torch for r in rows),
            "builtin_median_s": statistics.median(r.builtin for r in rows),
            "torch_median_s": statistics.median(r.torch for r in rows),
            "speedup": round(speedup(rows), 2),
            "cases": [{"case": r.case, "builtin_s": r.builtin, "torch_s": r.torch,
                       "builtin_ok": r.builtin_ok, "torch_ok": r.torch_ok} for r in rows]}


def main(argv: list[str], out: TextIO | None = None) -> int:
    """Entry point of ``exportdb bench``; returns the exit status."""
    out = out or sys.stdout
    opts = build_parser().parse_args(argv)
    parts = [p.strip() for p in opts.only.split(",") if p.strip()]
    unknown = [p for p in parts if p not in PARTS]
    if unknown or opts.repeats < 1 or opts.count < 1:
        print(f"exportdb bench: unknown part {', '.join(unknown)} (known: {', '.join(PARTS)})" if unknown
              else "exportdb bench: --repeats and --count must be at least 1", file=sys.stderr)
        return 2
    info = machine_info()
    record: dict[str, Any] = {
        "kind": "exportdb bench",
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "command": recorded_command("bench", argv),
        **info,
        "load_average": {"start": load_average()},
    }
    for line in machine_lines(info, record["load_average"]["start"]):
        print(line, file=out)
    status = 0
    with tempfile.TemporaryDirectory(prefix="exportdb-bench-") as tmp:
        workdir = opts.workdir or Path(tmp)
        if "generation" in parts:
            print(f"\ngeneration of a synthetic registry of {opts.count} cases "
                  f"(jobs: {opts.jobs or default_workers()}):", file=out, flush=True)
            runs, problems = bench_runs.run_generation(workdir / "generation", opts.count, opts.jobs)
            report_generation(runs, problems, out)
            record["generation"] = generation_record(runs, problems, opts.count, opts.jobs)
            status = 1 if problems else status
        if "site" in parts:
            print(f"\nexportdb build of the project's site (edited case: {opts.site_edit}):", file=out, flush=True)
            site_runs = bench_runs.run_site(workdir / "site", opts.site_edit)
            report_site(site_runs, out)
            record["site"] = site_record(site_runs, opts.site_edit)
        if "serve" in parts:
            print(f"\nexportdb serve of the project's site (edited case: {opts.site_edit}):", file=out, flush=True)
            served = bench_runs.run_serve(workdir / "serve", opts.site_edit)
            print(f"  first build served  {served.first_build:7.2f}s", file=out)
            print(f"  edit to reload      {served.reload:7.2f}s", file=out)
            record["serve"] = {"edit_case": opts.site_edit, "first_build_s": round(served.first_build, 3),
                               "reload_s": round(served.reload, 3)}
        if "engines" in parts:
            print(f"\nexport time per case, load + export + print, median of {opts.repeats}:", file=out, flush=True)
            import_seconds, rows = run_engines(opts.repeats, out)
            builtin_total, torch_total = sum(r.builtin for r in rows), sum(r.torch for r in rows)
            failed = [r.case for r in rows if not (r.builtin_ok and r.torch_ok)]
            print(f"  {len(rows)} cases; did not export with both engines: {', '.join(failed) or 'none'}", file=out)
            print(f"import torch: {import_seconds:.2f} s (not counted)", file=out)
            exporter_import = exporter_import_seconds(opts.repeats)
            print(f"import the exporter ({EXPORTER_MODULE}, fresh interpreter, median): "
                  f"{exporter_import:.3f} s (target: under 0.3 s)", file=out)
            print(f"all cases once: builtin {builtin_total * 1e3:.1f} ms, torch {torch_total:.2f} s; "
                  f"median per case: builtin {statistics.median(r.builtin for r in rows) * 1e3:.2f} ms, "
                  f"torch {statistics.median(r.torch for r in rows) * 1e3:.1f} ms", file=out)
            record["engines"] = engines_record(import_seconds, rows, opts.repeats, exporter_import)
    record["load_average"]["end"] = load_average()
    print("load average at the end: " + ", ".join(f"{x:.1f}" for x in record["load_average"]["end"]), file=out)
    if "engines" in record:
        print(f"speedup builtin vs torch: {record['engines']['speedup']:.1f}x", file=out)
    if opts.record is not None:
        opts.record.parent.mkdir(parents=True, exist_ok=True)
        opts.record.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
        print(f"recorded: {opts.record}", file=out)
    return status
