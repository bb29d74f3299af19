"""``exportdb conformance ops``: every OpInfo of torch's op_db through both engines.

::

    exportdb conformance ops                     # every op (long: see the Operator coverage page)
    exportdb conformance ops --ops add cumsum    # a few ops, by OpInfo key
    exportdb conformance ops --json              # the report as JSON
    exportdb conformance ops --record docs/conformance/ops.json   # the run record the docs page shows

The text report has one line per op (status, samples agreed/exported, first
reason) and ends with ``ops: A/T agree where torch.export exports (S samples)``.
Exit status: 0 after a run, 2 for usage errors (torch or expecttest missing, an
unknown op).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any, Sequence, TextIO

from exportdb import __version__
from exportdb.tools.conformance.op_pool import RunSettings, run_ops
from exportdb.tools.conformance.op_report import OpResult, format_text, report_data
from exportdb.tools.conformance.torch_cache import DEFAULT_DIR


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="exportdb conformance ops",
        description="Run the CPU float32 samples of torch's OpInfo database (int64 and bool ones for ops "
                    "without float32) through the built-in engine and torch.export, and report per op whether "
                    "they agree.")
    parser.add_argument("--ops", nargs="+", metavar="NAME", default=None,
                        help="only these OpInfos (name or name.variant, as in op_db); default: all")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--record", type=Path, default=None, metavar="PATH",
                        help="also write the run record (report, date, versions, machine load) to PATH")
    parser.add_argument("--samples", type=int, default=None, metavar="N",
                        help="only the first N samples of each op (a quick profile; default: every sample)")
    parser.add_argument("--dtypes", nargs="+", default=["float32"], choices=["float32", "int64", "bool"],
                        help="sample dtypes to run where the OpInfo supports them (default: float32; an op "
                             "without float32 runs its int64 and bool samples)")
    parser.add_argument("--jobs", "-j", type=int, default=1, help="worker processes (default: 1)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per sample (default: 60)")
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_DIR,
                        help=f"torch.export results and generated cases (default: {DEFAULT_DIR})")
    parser.add_argument("--no-cache", action="store_true", help="export every sample with torch again")
    return parser


def machine() -> dict[str, Any]:
    """The machine the figures come from, and how busy it was."""
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    return {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
            "load_average": [round(x, 2) for x in load]}


def record(results: Sequence[OpResult], seconds: float, started: dict[str, Any], torch_version: str,
           jobs: int) -> dict[str, Any]:
    """The run record: the report plus when, with what and on what it ran."""
    return {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "torch_version": torch_version, "exportdb_version": __version__, "seconds": round(seconds, 1),
            "jobs": jobs, "machine_at_start": started, "machine_at_end": machine(), **report_data(results)}


def _progress(stream: TextIO):
    def report(done: int, total: int, result: OpResult) -> None:
        print(f"conformance ops: [{done}/{total}] {result.name}: {result.status}", file=stream, flush=True)

    return report


def main(argv: list[str], out: TextIO | None = None) -> int:
    """Entry point of ``exportdb conformance ops``; returns the exit status."""
    out = out or sys.stdout
    args = build_parser().parse_args(argv)
    try:
        import torch

        from exportdb.tools.conformance.opinfos import ops_by_key

        ops = ops_by_key()
    except (ImportError, RuntimeError) as exc:
        print(f"exportdb conformance ops: {exc}\nhint: pip install 'exportdb[torch]' expecttest", file=sys.stderr)
        return 2
    keys = list(ops)
    if args.ops:
        unknown = [name for name in args.ops if name not in ops]
        if unknown:
            print(f"exportdb conformance ops: no OpInfo named {', '.join(unknown)}\n"
                  "hint: use op_db's names, with the variant after a dot (max.binary)", file=sys.stderr)
            return 2
        keys = list(dict.fromkeys(args.ops))
    settings = RunSettings(work_dir=args.cache_dir.resolve(), use_cache=not args.no_cache,
                           timeout=args.timeout, jobs=max(1, args.jobs), samples=args.samples,
                           dtypes=tuple(dict.fromkeys(args.dtypes)))
    started, start = machine(), time.perf_counter()
    results = run_ops(keys, settings, _progress(sys.stderr))
    seconds = time.perf_counter() - start
    if args.record is not None:
        args.record.parent.mkdir(parents=True, exist_ok=True)
        data = record(results, seconds, started, str(torch.__version__), settings.jobs)
        data["samples_per_op"] = args.samples  # None: every sample
        data["dtypes"] = list(settings.dtypes)
        args.record.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(report_data(results), indent=1) if args.json else format_text(results), file=out)
    return 0
