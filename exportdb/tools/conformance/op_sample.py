"""One OpInfo sample through both engines: export, compare the programs, check the values.

A sample's status is one of :data:`SAMPLE_STATUSES`:

* ``agree``: torch.export and the built-in engine export programs that agree
  structurally (exactly as ``exportdb compare`` decides), and ``ep.module()`` of
  the built-in program returns what eager torch returns, within the OpInfo's
  float32 tolerances (only shapes and dtypes for random ops);
* ``differs``: the programs differ, or the values do;
* ``not supported``: torch exports the sample, the built-in engine raises;
* ``torch refuses``: eager torch or torch.export fails on it (not counted);
* ``not expressible``: no one-call case can be written for it (not counted).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from exportdb.engines import EngineResult
from exportdb.engines.case_module import CASE_MODULE_PREFIX, load_case_module
from exportdb.tools.compare import compare_results
from exportdb.tools.conformance.op_source import CaseSource, NotExpressible, case_source
from exportdb.tools.conformance.opinfos import Callee
from exportdb.tools.conformance.torch_cache import TorchResultCache, cache_key

SAMPLE_STATUSES = ("agree", "differs", "not supported", "torch refuses", "not expressible")
_CASE_LOCATION = re.compile(r"\S*case_[0-9a-f]{16}\.py:\d+: ")
_ATEN = re.compile(r"torch\.ops\.aten\.(\w+)\.(\w+)")
#: torch.export's result by (case source digest, input metadata), within one process: samples that
#: differ only in their tensors' values export the same program (static shapes), so it is exported once.
_EXPORTED: dict[tuple[str, str], EngineResult] = {}


@dataclass
class SampleOutcome:
    """What became of one sample; ``reason`` is one line (empty when it agrees)."""

    index: int
    status: str
    reason: str = ""
    call: str = ""
    aten: list[str] = field(default_factory=list)  # aten overloads of torch's program: "aten.add.Tensor"
    dtype: str = "float32"  # the sample's dtype (int64 and bool for ops without float32)


def tidy_reason(text: str) -> str:
    """The first line of ``text`` without the generated case file's ``path:line:`` (the same for every sample)."""
    line = text.strip().splitlines()[0] if text.strip() else ""
    return _CASE_LOCATION.sub("", line)


def aten_ops(program_text: str) -> list[str]:
    """The ``aten.X.Y`` overloads a printed program calls, sorted, each once."""
    return sorted({f"aten.{m.group(1)}.{m.group(2)}" for m in _ATEN.finditer(program_text)})


def first_difference(diff: str) -> str:
    """``builtin: <line> | torch: <line>`` from a unified diff of the two programs."""
    ours = next((l[1:].strip() for l in diff.splitlines() if l.startswith("-") and not l.startswith("---")), "")
    theirs = next((l[1:].strip() for l in diff.splitlines() if l.startswith("+") and not l.startswith("+++")), "")
    return f"graph differs: builtin `{ours}` | torch `{theirs}`"


def _is_tensor(torch: Any) -> Callable[[Any], bool]:
    return lambda value: isinstance(value, torch.Tensor)


def _load_model(source: CaseSource, case_dir: Path, frontend: str) -> Any:
    """The case's ``model``, loaded with ``frontend`` by the shared loader from a file named by its digest."""
    path = case_dir / f"case_{source.digest}.py"
    if not path.exists():
        from exportdb.execution.result_cache import write_text_atomic

        write_text_atomic(path, source.text, suffix=".part")
    module = load_case_module(path, frontend=frontend)  # stays in sys.modules until forget_cases()
    return module.model


def forget_cases() -> None:
    """Drop the loaded case modules from ``sys.modules`` (torch.export needs them there while it runs)."""
    for name in [n for n in sys.modules if n.startswith(CASE_MODULE_PREFIX + "case_")]:
        del sys.modules[name]


def _clones(torch: Any, leaves: tuple) -> tuple:
    return tuple(t.detach().clone() for t in leaves)


def _eager(torch: Any, model: Any, leaves: tuple, seed: int) -> Any:
    torch.manual_seed(seed)
    with torch.no_grad():
        return model(*_clones(torch, leaves))


def _flat(torch: Any, value: Any) -> list:
    from torch.utils._pytree import tree_flatten

    return tree_flatten(value)[0]


#: ATen ops whose values depend on the random generator: only shapes and dtypes can agree.
RANDOM_ATEN = frozenset({
    "bernoulli", "rand", "rand_like", "randn", "randn_like", "randint", "randint_like", "randperm", "normal",
    "uniform", "exponential", "geometric", "log_normal", "cauchy", "multinomial", "native_dropout", "dropout",
    "feature_dropout", "alpha_dropout", "feature_alpha_dropout", "rrelu_with_noise", "poisson", "binomial",
    "_standard_gamma", "empty", "empty_like", "empty_strided", "new_empty", "new_empty_strided",
    "empty_permuted"})


def _is_random(torch: Any, op: Any, first: Any, second: Any, program: str = "") -> bool:
    """Whether the sample's values are random: declared so, a random (or uninitialised) ATen op in the
    program, or two eager runs with different seeds that differ."""
    if getattr(op, "has_nondeterministic_output", False):
        return True
    if any(name.split(".")[1].rstrip("_") in RANDOM_ATEN for name in aten_ops(program)):
        return True
    a, b = _flat(torch, first), _flat(torch, second)
    for x, y in zip(a, b):
        if isinstance(x, torch.Tensor) and isinstance(y, torch.Tensor) and x.shape == y.shape and x.dtype == y.dtype:
            try:
                if not torch.equal(x.nan_to_num(), y.nan_to_num()):
                    return True
            except (RuntimeError, NotImplementedError, TypeError):  # complex32, sparse: values stay compared
                continue
    return False


def torch_side(torch: Any, op_name: str, index: int, source: CaseSource, cache: TorchResultCache,
               case_dir: Path) -> EngineResult:
    """torch.export's Result for the sample: from the cache, else exported (and cached)."""
    from exportdb.engines.torch_engine import error_text, export_model

    metas = [(str(t.dtype), tuple(t.shape), t.stride()) for t in source.leaves]
    key = cache_key(torch.__version__, op_name, index, source.digest, metas)
    cached = cache.get(key)
    if cached is not None:
        return cached
    same = _EXPORTED.get((source.digest, str(metas)))  # another sample of the op with the same program
    if same is not None:
        cache.put(key, same)
        return same
    try:
        model = _load_model(source, case_dir, "torch")
        torch.manual_seed(0)
        result, _ = export_model(torch, model, _clones(torch, source.leaves))
    except Exception as exc:  # noqa: BLE001 - a failure is the sample's result
        result = EngineResult("torch", False, error_text(exc), type(exc).__name__)
    cache.put(key, result)
    if len(_EXPORTED) > 4096:
        _EXPORTED.clear()
    _EXPORTED[(source.digest, str(metas))] = result
    return result


def _builtin_inputs(torch: Any, leaves: tuple) -> tuple:
    from exportdb.exporter.frontend.functions import from_numpy

    return tuple(from_numpy(t.detach().resolve_conj().resolve_neg().numpy().copy()) for t in leaves)


def builtin_side(torch: Any, source: CaseSource, case_dir: Path) -> tuple[EngineResult, Any]:
    """The built-in engine's Result and program (None when it fails)."""
    from exportdb.engines.builtin import export_model, failure_result
    from exportdb.exporter.ops.creation import manual_seed

    manual_seed(0)
    try:
        model = _load_model(source, case_dir, "builtin")
        inputs = _builtin_inputs(torch, source.leaves)
    except Exception as exc:  # noqa: BLE001 - a failure is the sample's result
        return failure_result(exc, 0.0), None
    return export_model(model, inputs)


def _numpy(torch: Any, value: Any) -> Any:
    if value.dtype == torch.bfloat16:
        value = value.float()
    return value.detach().resolve_conj().resolve_neg().numpy()


def value_difference(torch: Any, got: Any, want: Any, rtol: float, atol: float, random: bool) -> str | None:
    """None when the built-in program's outputs match eager torch's, else what differs."""
    import numpy as np

    from exportdb.exporter.ir.pytree import tree_leaves

    ours, theirs = tree_leaves(got), _flat(torch, want)
    if len(ours) != len(theirs):
        return f"values differ: {len(ours)} outputs, eager torch gives {len(theirs)}"
    for i, (g, w) in enumerate(zip(ours, theirs)):
        array = getattr(g, "_value", None)
        if isinstance(w, torch.Tensor) != isinstance(array, np.ndarray):
            return f"values differ: output {i} is a {type(g).__name__}, eager torch gives a {type(w).__name__}"
        if not isinstance(w, torch.Tensor):
            if g != w and not (isinstance(w, float) and abs(g - w) <= atol + rtol * abs(w)):
                return f"values differ: output {i} is {g!r}, eager torch gives {w!r}"
            continue
        dtype = str(w.dtype).removeprefix("torch.")
        if tuple(array.shape) != tuple(w.shape) or g.dtype.name != dtype:
            return (f"values differ: output {i} is {g.dtype.name}{list(array.shape)}, "
                    f"eager torch gives {dtype}{list(w.shape)}")
        if random:
            continue
        expected = _numpy(torch, w)
        if expected.dtype.kind in "fc":
            same = np.allclose(array, expected, rtol=rtol, atol=atol, equal_nan=True)
        else:
            same = np.array_equal(array, expected)
        if not same:
            worst = np.nanmax(np.abs(array.astype(np.float64) - expected.astype(np.float64))) if array.size else 0
            return f"values differ: output {i} max abs diff {worst:.3g} (rtol {rtol:g}, atol {atol:g})"
    return None


def run_sample(torch: Any, op: Any, op_name: str, index: int, sample: Any, callee: Callee,
               tolerances: tuple[float, float], cache: TorchResultCache, case_dir: Path,
               torch_done: Callable[[bool], None] = lambda ok: None) -> SampleOutcome:
    """Run one sample through both engines and classify it (``torch_done`` is told torch's outcome)."""
    try:
        outcome = _run_sample(torch, op, op_name, index, sample, callee, tolerances, cache, case_dir, torch_done)
        outcome.reason = tidy_reason(outcome.reason)
        return outcome
    finally:
        forget_cases()


def _run_sample(torch: Any, op: Any, op_name: str, index: int, sample: Any, callee: Callee,
                tolerances: tuple[float, float], cache: TorchResultCache, case_dir: Path,
                torch_done: Callable[[bool], None]) -> SampleOutcome:
    from exportdb.engines.builtin import error_text

    try:
        source = case_source(callee, sample.input, tuple(sample.args), dict(sample.kwargs), _is_tensor(torch))
    except NotExpressible as exc:
        return SampleOutcome(index, "not expressible", str(exc))
    out = SampleOutcome(index, "torch refuses", call=source.call)
    try:
        model = _load_model(source, case_dir, "torch")
        expected = _eager(torch, model, source.leaves, 0)
        differently_seeded = _eager(torch, model, source.leaves, 1)
    except Exception as exc:  # noqa: BLE001 - torch cannot run the sample: not counted
        out.reason = f"eager torch raised {error_text(exc)}"
        torch_done(False)
        return out
    theirs = torch_side(torch, op_name, index, source, cache, case_dir)
    torch_done(theirs.ok)
    if not theirs.ok:
        out.reason = theirs.text
        return out
    out.aten = aten_ops(theirs.text)
    random = _is_random(torch, op, expected, differently_seeded, theirs.text)
    ours, ep = builtin_side(torch, source, case_dir)
    if ep is None:
        out.status, out.reason = "not supported", ours.text
        return out
    comparison = compare_results(ours, theirs)
    if comparison.classification != "agree":
        out.status = "differs"
        out.reason = first_difference(comparison.diff) if comparison.diff else comparison.note
        return out
    try:
        from exportdb.exporter.ops.creation import manual_seed

        manual_seed(0)
        got = ep.module()(*_builtin_inputs(torch, source.leaves))
    except Exception as exc:  # noqa: BLE001 - the program cannot run: its values differ
        out.status, out.reason = "differs", f"ep.module() raised {error_text(exc)}"
        return out
    try:
        problem = value_difference(torch, got, expected, *tolerances, random)
    except Exception as exc:  # noqa: BLE001 - e.g. an output dtype NumPy has no twin for
        problem = f"values cannot be compared: {error_text(exc)}"
    out.status, out.reason = ("differs", problem) if problem else ("agree", "")
    return out
