"""Both engines on one ``module_db`` input: export, run, and the eager reference.

The torch side builds the module from ``module_db``'s constructor input with a
fixed seed, runs it eagerly (outputs, and the buffers it leaves behind) and
exports it with ``torch.export.export(..., strict=True)``.  The builtin side
loads a generated case file (the constructor call as source text) with the
builtin front end, copies the torch module's parameters and buffers into it
(our initialisation only has to match shapes and dtypes; the value check needs
equal values), exports it and runs ``ep.module()``.
"""

from __future__ import annotations

import copy
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from exportdb.engines import EngineResult
from exportdb.errors import ExportError

SEED = 0
#: Ops whose results are random: their values are not compared.
RANDOM_OPS = ("dropout", "bernoulli", "rand", "fractional_max_pool", "rrelu", "multinomial")


@dataclass
class TorchRun:
    """Eager torch results and the torch.export outcome of one module input."""

    export: EngineResult
    outputs: list = field(default_factory=list)     # flat eager outputs (NumPy arrays or Python values)
    buffers: dict = field(default_factory=dict)     # buffer FQN -> NumPy value after the eager forward
    state: dict = field(default_factory=dict)       # FQN -> NumPy value of the module as constructed
    eager_error: str = ""


@dataclass
class BuiltinRun:
    export: EngineResult
    outputs: list = field(default_factory=list)
    buffers: dict = field(default_factory=dict)
    run_error: str = ""


def reason_of(exc: BaseException) -> str:
    """``ErrorType: message`` without the user location (so equal failures group together)."""
    if isinstance(exc, ExportError):
        return f"{type(exc).__name__}: {exc.message}"
    first = next((line.strip() for line in str(exc).splitlines() if line.strip()), "")
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


def _to_numpy(torch: Any, value: Any) -> Any:
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy().copy()
    return value


def build_torch_module(torch: Any, cls: Any, args: tuple, kwargs: dict, training: bool,
                       materialize: tuple | None = None) -> Any:
    """The module with a fixed seed; a lazy module is first called once on ``materialize`` (args, kwargs)."""
    torch.manual_seed(SEED)
    module = cls(*copy.deepcopy(args), **copy.deepcopy(kwargs))
    if materialize is not None:
        with torch.no_grad():
            module(*copy.deepcopy(materialize[0]), **copy.deepcopy(materialize[1]))
    return module.train(training)


def torch_state(torch: Any, module: Any) -> dict[str, np.ndarray]:
    state = {n: _to_numpy(torch, p) for n, p in module.named_parameters()}
    state.update((n, _to_numpy(torch, b)) for n, b in module.named_buffers())
    return state


def run_torch(torch: Any, cls: Any, ctor: tuple[tuple, dict], forward: tuple[tuple, dict], training: bool,
              cached_export: EngineResult | None, lazy: bool = False) -> TorchRun:
    """Eager run and (unless ``cached_export`` is given) strict torch.export of one input."""
    from torch.utils import _pytree

    from exportdb.engines.torch_engine import _quiet, export_model

    module = build_torch_module(torch, cls, *ctor, training, forward if lazy else None)
    run = TorchRun(EngineResult("torch", False, ""), state=torch_state(torch, module))
    eager = copy.deepcopy(module)
    args, kwargs = forward
    try:
        with _quiet(), torch.no_grad():
            out = eager(*copy.deepcopy(args), **copy.deepcopy(kwargs))
        run.outputs = [_to_numpy(torch, v) for v in _pytree.tree_flatten(out)[0]]
        run.buffers = {n: _to_numpy(torch, b) for n, b in eager.named_buffers()}
    except Exception as exc:  # noqa: BLE001 - reported
        run.eager_error = reason_of(exc)
    if cached_export is not None:
        run.export = cached_export
        return run
    run.export, _ = export_model(torch, copy.deepcopy(module), copy.deepcopy(args), copy.deepcopy(kwargs))
    return run


def _frontend_value(torch: Any, value: Any, memo: dict | None = None) -> Any:
    """``value`` with every torch tensor as a front-end tensor; one tensor passed twice stays one
    (``memo``), as torch.export sees it."""
    from exportdb.exporter.frontend.tensor import Tensor

    memo = {} if memo is None else memo
    if isinstance(value, torch.Tensor):
        if id(value) not in memo:
            memo[id(value)] = Tensor._make(value.detach().cpu().numpy().copy())
        return memo[id(value)]
    if isinstance(value, (list, tuple)):
        return type(value)(_frontend_value(torch, v, memo) for v in value)
    if isinstance(value, dict):
        return {k: _frontend_value(torch, v, memo) for k, v in value.items()}
    return value


def _frontend_inputs(torch: Any, forward: tuple[tuple, dict]) -> tuple[tuple, dict]:
    memo: dict = {}
    return _frontend_value(torch, forward[0], memo), _frontend_value(torch, forward[1], memo)


def load_builtin_module(source: str) -> Any:
    """Execute the generated case file with the builtin front end; return its ``model``."""
    from exportdb.engines.case_module import load_case_module
    from exportdb.exporter.ops.creation import manual_seed

    manual_seed(SEED)
    with tempfile.TemporaryDirectory(prefix="exportdb-modules-") as tmp:
        path = Path(tmp) / "module_case.py"
        path.write_text(source, encoding="utf-8")
        return load_case_module(path).model


def copy_state(model: Any, state: dict[str, np.ndarray]) -> str:
    """Give ``model`` the torch module's parameter and buffer values; "" or why not."""
    ours = dict(model.named_parameters())
    ours.update(model.named_buffers())
    missing = sorted(set(state) - set(ours))
    extra = sorted(set(ours) - set(state))
    if missing or extra:
        return (f"state names differ: builtin lacks {missing}" if missing else "") + \
               (f" builtin has extra {extra}" if extra else "")
    for name, value in state.items():
        tensor = ours[name]
        if tuple(tensor._value.shape) != value.shape or tensor._value.dtype != value.dtype:
            return (f"state {name} is {tensor._value.dtype}{list(tensor._value.shape)} in the builtin module, "
                    f"{value.dtype}{list(value.shape)} in torch")
        tensor._value = value.copy()
    return ""


def run_builtin(torch: Any, source: str, state: dict[str, np.ndarray], forward: tuple[tuple, dict],
                training: bool, compare_values: bool, lazy: bool = False) -> BuiltinRun:
    """Load, export and (when ``compare_values``) run the builtin module on the same inputs."""
    from exportdb.engines.builtin import export_model
    from exportdb.exporter.ir.pytree import tree_leaves

    try:
        model = load_builtin_module(source)
        if lazy:
            args, kwargs = _frontend_inputs(torch, forward)
            model(*args, **kwargs)
        problem = copy_state(model, state)
        if problem:
            return BuiltinRun(EngineResult("builtin", False, f"StateMismatch: {problem}", "StateMismatch"))
        model.train(training)
    except Exception as exc:  # noqa: BLE001 - any failure is the builtin's result
        return BuiltinRun(EngineResult("builtin", False, reason_of(exc), type(exc).__name__))
    result, ep = export_model(model, *_frontend_inputs(torch, forward))
    run = BuiltinRun(result)
    if ep is None or not compare_values:
        return run
    try:
        program = ep.module()
        args, kwargs = _frontend_inputs(torch, forward)
        out = program(*args, **kwargs)
        run.outputs = [getattr(v, "_value", v) for v in tree_leaves(out)]
        run.buffers = {n: v for n, v in program.state.items() if n in dict(model.named_buffers())}
    except Exception as exc:  # noqa: BLE001 - reported as a value difference
        run.run_error = reason_of(exc)
    return run


def _close(got: Any, want: Any) -> str:
    if isinstance(want, np.ndarray) != isinstance(got, np.ndarray):
        return f"{type(got).__name__} where eager torch gives {type(want).__name__}"
    if not isinstance(want, np.ndarray):
        return "" if got == want else f"{got!r} where eager torch gives {want!r}"
    if got.shape != want.shape or got.dtype != want.dtype:
        return f"{got.dtype}{list(got.shape)} where eager torch gives {want.dtype}{list(want.shape)}"
    if want.dtype.kind in "fc":
        ok = np.allclose(got, want, rtol=1e-4, atol=1e-5, equal_nan=True)
    else:
        ok = np.array_equal(got, want)
    return "" if ok else "values differ"


def value_difference(ours: BuiltinRun, theirs: TorchRun, training: bool) -> str:
    """"" when ``ep.module()`` of the builtin program reproduces eager torch, else what differs."""
    if ours.run_error:
        return f"ep.module() raised {ours.run_error}"
    if theirs.eager_error:
        return f"eager torch raised {theirs.eager_error}"
    if len(ours.outputs) != len(theirs.outputs):
        return f"{len(ours.outputs)} outputs where eager torch gives {len(theirs.outputs)}"
    for i, (got, want) in enumerate(zip(ours.outputs, theirs.outputs)):
        problem = _close(got, want)
        if problem:
            return f"output {i}: {problem}"
    if training:
        for name, want in theirs.buffers.items():
            got = ours.buffers.get(name)
            problem = "missing" if got is None else _close(got, want)
            if problem:
                return f"buffer {name} after the forward: {problem}"
    return ""


def is_random(torch_text: str) -> bool:
    """True when the program calls an op with random results (values are then not compared)."""
    return any(f"aten.{name}" in torch_text for name in RANDOM_OPS)
