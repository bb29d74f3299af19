"""Recorded runs shown on hand-written pages: ``exportdb bench --record`` and ``exportdb compare --record``.

The Performance and Compare pages carry no hand-typed figures: their
``exportdb-bench`` and ``exportdb-compare`` directives name a checked-in run
record (``docs/benchmarks/*.json``), and this module reads it and renders its
figures (``bench.rst.jinja``, ``compare_run.rst.jinja``), stamped with the
run's date, versions, machine and load.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from exportdb.site.op_coverage import rst_cell
from exportdb.site.render import Renderer


class RunRecordError(ValueError):
    """A run record cannot be read or lacks a field; the message names the file."""


def _load(path: Path, kind: str, fields: tuple[str, ...]) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RunRecordError(f"cannot read the run record {path}: {exc}") from None
    if not isinstance(data, dict) or data.get("kind") != kind:
        raise RunRecordError(f"{path} is not a record of `{kind}` (write one with `{kind} --record PATH`)")
    missing = [name for name in fields if name not in data]
    if missing:
        raise RunRecordError(f"{path}: the run record lacks {', '.join(missing)}")
    return data


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:.2f} ms"


def _s(seconds: float) -> str:
    return f"{seconds:.2f} s"


def bench_context(data: dict[str, Any]) -> dict[str, Any]:
    """The template context of a bench record: the stamp and one (measurement, result) row per figure."""
    rows: list[tuple[str, str]] = []
    engines = data.get("engines")
    if engines:
        n = len(engines["cases"])
        failed = [c["case"] for c in engines["cases"] if not (c["builtin_ok"] and c["torch_ok"])]
        rows += [
            (f"Export time per case, built-in engine (median of the {n} ExportDB examples shipped with "
             f"PyTorch; load + export + print; median of {engines['repeats']} runs each)",
             _ms(engines["builtin_median_s"])),
            ("The same with ``torch.export`` (``strict=True``)", _ms(engines["torch_median_s"])),
            (f"All {n} examples once: built-in / torch",
             f"{_ms(engines['builtin_total_s'])} / {_s(engines['torch_total_s'])}"),
            ("``import torch`` (not counted above)", _s(engines["import_torch_s"])),
            *([("Importing the exporter (``exportdb.exporter.trace.export``, a fresh interpreter, median; "
                "target: under 0.3 s)", f"{engines['import_exporter_s']:.3f} s")]
              if engines.get("import_exporter_s") is not None else []),
            ("**Speedup, built-in vs torch** (summed medians)", f"**{engines['speedup']:.1f}x**"),
        ]
        if failed:
            rows.append(("Examples that did not export with both engines", rst_cell(", ".join(failed))))
    generation = data.get("generation")
    if generation:
        for run in generation["runs"]:
            what = {"cold": "cold (empty cache)", "warm": "warm (nothing changed)",
                    "one edit": "one case edited"}.get(run["label"], run["label"])
            rows.append((f"Synthetic registry of {generation['count']:,} cases, {what}: {run['exported']} "
                         f"exports, {run['rendered']} pages rendered, {run['written']} written",
                         f"{_s(run['seconds'])}, {run['peak_mb']:.0f} MB"))
        if generation["problems"]:
            rows.append(("Problems found by the generation checks", rst_cell("; ".join(generation["problems"]))))
    site = data.get("site")
    if site:
        for run in site["runs"]:
            reread = "?" if run["reread"] is None else run["reread"]
            rows.append((f"``exportdb build`` of this site, {run['label']} (generated pages: {run['pages']}; "
                         f"Sphinx read {reread} documents)", f"{_s(run['seconds'])}, {run['peak_mb']:.0f} MB"))
    serve = data.get("serve")
    if serve:
        rows += [("``exportdb serve`` of this site: start to the first page served", _s(serve["first_build_s"])),
                 (f"**Edit to reload** with ``exportdb serve``: from saving an edit of "
                  f"``{serve['edit_case']}`` until its rebuilt page is served", f"**{_s(serve['reload_s'])}**")]
    machine = data["machine"]
    return {
        "date": data["date"],
        "command": data.get("command", "exportdb bench"),
        "machine": (f"{machine['cpu']}, {machine['cores']} cores"
                    + (f", {machine['memory_gib']:.1f} GiB RAM" if machine.get("memory_gib") else "")
                    + f", {machine['system']}"),
        "versions": ", ".join(f"{name} {version}" for name, version in data["versions"].items()),
        "load_start": ", ".join(f"{x:.1f}" for x in data["load_average"]["start"]),
        "load_end": ", ".join(f"{x:.1f}" for x in data["load_average"].get("end", [])) or "?",
        "rows": rows,
    }


def load_bench(path: Path) -> dict[str, Any]:
    """The context of the bench record at ``path``."""
    data = _load(path, "exportdb bench", ("date", "machine", "versions", "load_average"))
    try:
        return bench_context(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise RunRecordError(f"{path}: malformed run record ({type(exc).__name__}: {exc})") from None


def compare_context(data: dict[str, Any]) -> dict[str, Any]:
    """The template context of a compare record: the stamp, counts by classification, one row per case."""
    counts: dict[str, int] = {}
    for case in data["cases"]:
        counts[case["classification"]] = counts.get(case["classification"], 0) + 1
    return {
        "date": data["date"],
        "command": data.get("command", "exportdb compare"),
        "cases_dir": data["cases_dir"],
        "versions": ", ".join(f"{name} {version}" for name, version in data["versions"].items()),
        "summary": data["summary"],
        "agree": data["agree"],
        "total": data["total"],
        "byte_identical": data.get("byte_identical"),
        "structural_agree": data.get("structural_agree"),
        "counts": sorted(counts.items()),
        "cases": [{"name": c["name"], "classification": c["classification"],
                   "verdict": "agree" if c["agrees"] else "differ",
                   "reason": rst_cell(c.get("reason") or c.get("note") or "")} for c in data["cases"]],
    }


def load_compare(path: Path) -> dict[str, Any]:
    """The context of the compare record at ``path``."""
    data = _load(path, "exportdb compare", ("date", "versions", "summary", "agree", "total", "cases", "cases_dir"))
    try:
        return compare_context(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise RunRecordError(f"{path}: malformed run record ({type(exc).__name__}: {exc})") from None


def render_bench(path: Path, templates_dir: Path | None = None) -> str:
    return Renderer(templates_dir).render("bench.rst.jinja", **load_bench(path))


def render_compare(path: Path, templates_dir: Path | None = None, case_prefix: str = "") -> str:
    """The record's table; with ``case_prefix`` (``/generated/cases/``) each case links its page."""
    return Renderer(templates_dir).render("compare_run.rst.jinja", case_prefix=case_prefix, **load_compare(path))
