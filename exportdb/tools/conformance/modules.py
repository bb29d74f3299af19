"""``exportdb conformance modules``: torch.nn modules of torch's ``module_db``, both engines.

For each ModuleInfo of ``torch.testing._internal.common_modules.module_db``
(loaded from the installed torch at run time; needs ``expecttest``) and each of
its CPU float32 module inputs, in eval mode and in training mode:

* torch builds the module with a fixed seed, runs it eagerly and exports it
  with ``torch.export.export(..., strict=True)``;
* the builtin front end builds the same module from generated source text
  (``torch.nn.Conv2d(4, 5, 3, padding='same')``), gets the torch module's
  parameter and buffer values, and exports it;
* the two programs are compared structurally, as ``exportdb compare`` does, and
  ``ep.module()`` of the builtin program is checked against eager torch
  (outputs, and in training mode the buffers the forward mutates).

An input *agrees* when torch exports it and the builtin engine exports the same
program computing the same values.  The report ends with::

    modules: A/T agree where torch.export exports (S inputs)

torch's exports are cached by (torch version, source, mode, inputs), so re-runs
only pay for the builtin engine.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import re
import sys
import time
import warnings
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Iterator, Sequence

from exportdb.tools.conformance.module_engines import (
    is_random, reason_of, run_builtin, run_torch, value_difference,
)
from exportdb.tools.conformance.module_source import NotLiteral, case_source, constructor_source
from exportdb.tools.conformance.torch_cache import DEFAULT_DIR, TorchResultCache, cache_key

#: ``ErrorType: path/to/case.py:3: message`` -> ``ErrorType: message`` (the case file is temporary)
_LOCATION = re.compile(r"^(\w+: )\S+:\d+: ")

#: The short CI profile: a few module inputs of the families exportdb covers.
CI_PROFILE = ("nn.Linear", "nn.Conv2d", "nn.BatchNorm2d", "nn.MaxPool2d", "nn.ReflectionPad2d", "nn.Embedding")
CI_INPUTS_PER_MODULE = 1
CLASSES = ("agree", "builtin-fails", "graph-differs", "values-differ", "torch-fails", "harness")


@dataclass
class InputResult:
    """One (module input, mode) pair."""

    module: str
    index: int
    mode: str  # "eval" or "train"
    desc: str
    source: str
    classification: str
    reason: str = ""

    @property
    def torch_exports(self) -> bool:
        return self.classification not in ("torch-fails", "harness")


@dataclass
class ModuleInput:
    module: str
    cls: Any
    index: int
    training: bool
    desc: str
    ctor: tuple[tuple, dict]
    forward: tuple[tuple, dict]
    lazy: bool = False  # a Lazy* module: one eager call materialises its parameters before export


def load_module_db() -> list:
    """torch's ModuleInfo list (imported from the installed torch, never copied)."""
    from torch.testing._internal.common_modules import module_db

    return list(module_db)


def module_inputs(torch: Any, infos: Sequence[Any], limit: int | None = None) -> Iterator[ModuleInput]:
    """Every CPU float32 module input of ``infos``, eval mode then training mode."""
    for info in infos:
        for training in (False, True):
            torch.manual_seed(0)  # module_db draws its example tensors from the global generator
            try:
                inputs = info.module_inputs_func(info, device="cpu", dtype=torch.float32, requires_grad=False,
                                                 training=training)
            except Exception:  # noqa: BLE001 - a ModuleInfo without float32 inputs has none
                inputs = []
            for index, item in enumerate(inputs[:limit] if limit else inputs):
                c, f = item.constructor_input, item.forward_input
                yield ModuleInput(info.name, info.module_cls, index, training, item.desc or "",
                                  (tuple(c.args), dict(c.kwargs)), (tuple(f.args), dict(f.kwargs)),
                                  bool(getattr(info, "is_lazy", False)))


# -- the torch export cache -----------------------------------------------------------
def _digest_value(torch: Any, value: Any, h: Any) -> None:
    if isinstance(value, torch.Tensor):
        h.update(f"T{value.dtype}{tuple(value.shape)}".encode())
        h.update(value.detach().cpu().contiguous().numpy().tobytes())
    elif isinstance(value, (list, tuple)):
        h.update(f"{type(value).__name__}{len(value)}(".encode())
        for v in value:
            _digest_value(torch, v, h)
        h.update(b")")
    elif isinstance(value, dict):
        for k, v in value.items():
            h.update(repr(k).encode())
            _digest_value(torch, v, h)
    else:
        h.update(repr(value).encode())


def input_key(torch: Any, source: str, item: ModuleInput) -> str:
    """Cache key of torch.export's outcome: torch version, case source, mode and the input values."""
    h = hashlib.sha256()
    _digest_value(torch, item.forward, h)
    return cache_key(torch.__version__, "modules", source, item.training, h.hexdigest())


# -- one input ---------------------------------------------------------------------
def check_input(torch: Any, item: ModuleInput, cache: TorchResultCache) -> InputResult:
    """Run one module input through both engines and classify it."""
    from exportdb.tools.compare import compare_results

    mode = "train" if item.training else "eval"
    base = dict(module=item.module, index=item.index, mode=mode, desc=item.desc)
    try:
        expression = constructor_source(item.module, *item.ctor)
    except NotLiteral as exc:
        return InputResult(**base, source="", classification="harness",
                           reason=f"constructor takes {exc}, which the harness cannot write as source")
    source = case_source(expression)
    key = input_key(torch, source, item)
    cached = cache.get(key)
    try:
        theirs = run_torch(torch, item.cls, item.ctor, item.forward, item.training, cached, item.lazy)
    except Exception as exc:  # noqa: BLE001 - e.g. the constructor itself fails
        return InputResult(**base, source=expression, classification="harness", reason=f"torch: {reason_of(exc)}")
    if cached is None:
        cache.put(key, theirs.export)
    if not theirs.export.ok:
        return InputResult(**base, source=expression, classification="torch-fails", reason=theirs.export.text)
    compare_values = not is_random(theirs.export.text)
    ours = run_builtin(torch, source, theirs.state, item.forward, item.training, compare_values, item.lazy)
    if not ours.export.ok:
        return InputResult(**base, source=expression, classification="builtin-fails",
                           reason=_LOCATION.sub(r"\1", ours.export.text))
    comparison = compare_results(ours.export, theirs.export)
    if comparison.classification != "agree":
        reason = comparison.note or _order_change(ours.export.text, theirs.export.text) or _first_change(comparison.diff)
        return InputResult(**base, source=expression, classification="graph-differs", reason=reason)
    problem = value_difference(ours, theirs, item.training) if compare_values else ""
    if problem:
        return InputResult(**base, source=expression, classification="values-differ", reason=problem)
    return InputResult(**base, source=expression, classification="agree")


def _order_change(ours: str, theirs: str) -> str:
    """"" unless the programs lift the same parameters/buffers in another order (then: which comes first)."""
    from exportdb.tools.compare_normalize import ProgramParseError, parse_program

    try:
        mine, other = ([n for n, _ in parse_program(t).root.params] for t in (ours, theirs))
    except ProgramParseError:
        return ""
    state_mine = [n for n in mine if n.startswith(("p_", "b_", "c_"))]
    state_other = [n for n in other if n.startswith(("p_", "b_", "c_"))]
    if state_mine == state_other or sorted(state_mine) != sorted(state_other):
        return ""
    first = next(i for i, (a, b) in enumerate(zip(state_mine, state_other)) if a != b)
    return (f"parameters/buffers lifted in another order: torch lifts {state_other[first]} where the builtin lifts "
            f"{state_mine[first]}")


def _first_change(diff: str) -> str:
    """The first removed/added line pair of a unified diff, as a short reason."""
    lines = [l for l in diff.splitlines() if l[:1] in "+-" and not l.startswith(("+++", "---"))]
    shown = [re.sub(r'"[^"]*"', '"..."', line.strip())[:100] for line in lines[:2]]
    return "graph differs: " + " / ".join(shown) if lines else "graph differs"


def run_modules(names: Sequence[str] | None = None, *, limit: int | None = None, cache_dir: Path | None = None,
                progress: Any = None) -> list[InputResult]:
    """Check every module input of ``names`` (default: all of module_db)."""
    import torch

    infos = load_module_db()
    if names:
        wanted = {n if n.startswith("nn.") else f"nn.{n}" for n in names}
        unknown = wanted - {i.name for i in infos}
        if unknown:
            raise ValueError(f"module_db has no {', '.join(sorted(unknown))}")
        infos = [i for i in infos if i.name in wanted]
    cache = TorchResultCache(cache_dir)
    results = []
    with torch.random.fork_rng(devices=[]), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns while building some modules (nested tensors, lazy modules)
        for item in module_inputs(torch, infos, limit):
            results.append(check_input(torch, item, cache))
            if progress:
                progress(results[-1])
    return results


class _Progress:
    """One stderr line per ModuleInfo done: ``conformance modules: nn.Conv2d 8/8``."""

    def __init__(self) -> None:
        self.module, self.agree, self.total = "", 0, 0

    def __call__(self, result: InputResult) -> None:
        if result.module != self.module:
            self.flush()
            self.module, self.agree, self.total = result.module, 0, 0
        self.agree += result.classification == "agree"
        self.total += 1

    def flush(self) -> None:
        if self.module:
            print(f"conformance modules: {self.module} {self.agree}/{self.total}", file=sys.stderr, flush=True)


# -- reports -----------------------------------------------------------------------
def summary_line(results: Sequence[InputResult]) -> str:
    exports = [r for r in results if r.torch_exports]
    agree = sum(r.classification == "agree" for r in exports)
    return f"modules: {agree}/{len(exports)} agree where torch.export exports ({len(results)} inputs)"


def short_reason(result: InputResult) -> str:
    """The failure's reason with input-specific numbers kept short, for grouping."""
    text = result.reason.split(" (max abs")[0]
    return f"{result.classification}: {text[:160]}"


def module_status(results: Sequence[InputResult]) -> tuple[str, str]:
    """(status, reason) of one ModuleInfo from its inputs' results (the reason of the first that does not agree)."""
    exported = [r for r in results if r.torch_exports]
    failing = [r for r in exported if r.classification != "agree"]
    if exported and not failing:
        return "agrees", ""
    if failing:
        first = next((r for r in failing if r.classification == "builtin-fails"), failing[0])
        return ("not supported" if first.classification == "builtin-fails" else "differs"), first.reason
    if any(r.classification == "torch-fails" for r in results):
        return "torch refuses", next(r.reason for r in results if r.classification == "torch-fails")
    return ("not expressible", results[0].reason) if results else ("no inputs", "")


def per_module(results: Sequence[InputResult]) -> dict[str, dict[str, Any]]:
    """ModuleInfo name -> inputs, torch exports, agreeing inputs, status and reason."""
    grouped: dict[str, list[InputResult]] = defaultdict(list)
    for r in results:
        grouped[r.module].append(r)
    table = {}
    for name, rows in grouped.items():
        status, reason = module_status(rows)
        table[name] = {"inputs": len(rows), "torch_exports": sum(r.torch_exports for r in rows),
                       "agree": sum(r.classification == "agree" for r in rows), "status": status, "reason": reason}
    return table


def reason_groups(results: Sequence[InputResult]) -> list[tuple[str, int, list[str]]]:
    """(reason, count, modules) of every input torch exports that does not agree, largest first."""
    counts: Counter = Counter()
    modules: dict[str, set] = defaultdict(set)
    for r in results:
        if r.torch_exports and r.classification != "agree":
            key = short_reason(r)
            counts[key] += 1
            modules[key].add(r.module)
    return [(k, n, sorted(modules[k])) for k, n in counts.most_common()]


def format_text(results: Sequence[InputResult]) -> str:
    out = []
    table = per_module(results)
    width = max((len(n) for n in table), default=0)
    for name, row in table.items():
        out.append(f"{name:<{width}}  {row['agree']:3d}/{row['torch_exports']:<3d} agree  ({row['inputs']} inputs)"
                   f"  {row['status']}")
    groups = reason_groups(results)
    if groups:
        out.append("not agreeing, by reason:")
        for reason, count, modules in groups:
            out.append(f"  {count:4d}  {reason}  [{', '.join(modules[:6])}{', ...' if len(modules) > 6 else ''}]")
    out.append(summary_line(results))
    return "\n".join(out)


def report_data(results: Sequence[InputResult], *, all_results: bool = True) -> dict:
    """The report as JSON data; ``all_results=False`` lists only the inputs torch.export exports that do not
    agree (the others are summed up per ModuleInfo: status and first reason)."""
    exports = [r for r in results if r.torch_exports]
    return {
        "summary": summary_line(results),
        "agree": sum(r.classification == "agree" for r in exports),
        "torch_exports": len(exports),
        "inputs": len(results),
        "counts": dict(Counter(r.classification for r in results)),
        "modules": per_module(results),
        "reasons": [{"reason": r, "count": n, "modules": m} for r, n, m in reason_groups(results)],
        "results": [asdict(r) for r in results
                    if all_results or (r.torch_exports and r.classification != "agree")],
    }


def run_record(results: Sequence[InputResult], seconds: float, started: dict[str, Any]) -> dict:
    """What ``--record`` writes: the report (only the inputs that do not agree listed one by one), date,
    versions and machine load."""
    import torch

    from exportdb import __version__
    from exportdb.tools.conformance.ops import machine

    return {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "torch_version": str(torch.__version__), "exportdb_version": __version__, "seconds": round(seconds, 1),
            "machine_at_start": started, "machine_at_end": machine(), **report_data(results, all_results=False)}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="exportdb conformance modules",
                                     description="torch.nn modules of torch's module_db through both engines.")
    parser.add_argument("--modules", default="", help="comma-separated ModuleInfo names (nn.Conv2d or Conv2d)")
    parser.add_argument("--ci", action="store_true", help=f"the short profile: {', '.join(CI_PROFILE)}")
    parser.add_argument("--limit", type=int, default=None, help="at most this many inputs per module and mode")
    parser.add_argument("--json", action="store_true", help="print the full report as JSON")
    parser.add_argument("--record", type=Path, default=None, help="also write the JSON report to this file")
    parser.add_argument("--cache-dir", type=Path, default=None,
                        help=f"torch result cache (default: {DEFAULT_DIR / 'modules'})")
    parser.add_argument("--no-cache", action="store_true", help="export every input with torch again")
    return parser


def main(argv: list[str], out: Any = None) -> int:
    out = out or sys.stdout
    args = build_parser().parse_args(argv)
    names = [n.strip() for n in args.modules.split(",") if n.strip()]
    limit = args.limit
    if args.ci:
        names, limit = names or list(CI_PROFILE), limit or CI_INPUTS_PER_MODULE
    try:
        import expecttest  # noqa: F401  (module_db needs it)
        import torch  # noqa: F401
    except ModuleNotFoundError as exc:
        print(f"exportdb conformance modules: needs torch and expecttest ({exc.name} is missing)", file=sys.stderr)
        return 2
    cache_dir = None if args.no_cache else (args.cache_dir or DEFAULT_DIR / "modules")
    from exportdb.tools.conformance.ops import machine

    started, start = machine(), time.perf_counter()
    try:
        progress = _Progress()
        results = run_modules(names, limit=limit, cache_dir=cache_dir, progress=progress)
        progress.flush()
    except ValueError as exc:
        print(f"exportdb conformance modules: {exc}", file=sys.stderr)
        return 2
    if args.record:
        args.record.parent.mkdir(parents=True, exist_ok=True)
        data = run_record(results, time.perf_counter() - start, started)
        args.record.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(report_data(results), indent=1) if args.json else format_text(results), file=out)
    return 0
