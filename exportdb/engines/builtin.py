"""The built-in engine: exportdb's own NumPy tracer."""

from __future__ import annotations

import copy
import dataclasses
import time
import traceback
from pathlib import Path
from typing import Any

from exportdb import __version__
from exportdb.engines.protocol import EngineResult, error_text
from exportdb.errors import ExportError
from exportdb.engines.case_module import load_case_module

#: The random seed each case starts from (the torch engine uses the same).
SEED = 0
#: The longest traceback kept with a failed Result (``exportdb show --traceback``).
_TRACEBACK_CHARS = 20_000


def case_inputs(module: Any, rewrite: bool = False) -> tuple[Any, tuple, dict, Any]:
    """(model, example_args, example_kwargs, dynamic_shapes) of a loaded case (or its rewrite)."""
    args = getattr(module, "example_args", ())
    kwargs = getattr(module, "example_kwargs", None) or {}
    model = module.model
    dynamic_shapes = getattr(module, "dynamic_shapes", None)
    if rewrite:
        model = module.rewrite
        args = getattr(module, "rewrite_example_args", args)
        kwargs = getattr(module, "rewrite_example_kwargs", kwargs)
        dynamic_shapes = getattr(module, "rewrite_dynamic_shapes", dynamic_shapes)
    return model, args, kwargs, dynamic_shapes


def _leaves(value: Any) -> list:
    from exportdb.exporter.ir.pytree import tree_leaves  # lazy: start-up

    return tree_leaves(value)


def compare_outputs(expected: Any, actual: Any) -> str:
    """"match", or "mismatch: <why>" comparing eager and exported outputs."""
    import numpy as np  # lazy: start-up

    from exportdb.exporter.frontend.tensor import Tensor  # lazy: start-up

    want, got = _leaves(expected), _leaves(actual)
    if len(want) != len(got):
        return f"mismatch: eager returned {len(want)} values, the exported program {len(got)}"
    for i, (w, g) in enumerate(zip(want, got)):
        if isinstance(w, Tensor) != isinstance(g, Tensor):
            return f"mismatch: output {i} is a {type(w).__name__} in eager mode, a {type(g).__name__} exported"
        if isinstance(w, Tensor):
            if w.shape != g.shape or w.dtype != g.dtype:
                return f"mismatch: output {i} is {w.dtype.code}{list(w.shape)} eager, {g.dtype.code}{list(g.shape)} exported"
            if not np.allclose(w._value, g._value, rtol=1e-5, atol=1e-6, equal_nan=True):
                return f"mismatch: output {i} values differ (max abs diff {np.max(np.abs(w._value - g._value)):.3g})"
        elif w != g:
            return f"mismatch: output {i} is {w!r} eager, {g!r} exported"
    return "match"


def eager_check(ep: Any, model: Any, args: tuple, kwargs: dict) -> str:
    """Run eager and exported on copies of the inputs and compare."""
    try:
        expected = model(*copy.deepcopy(args), **copy.deepcopy(kwargs))
        actual = ep.module()(*copy.deepcopy(args), **copy.deepcopy(kwargs))
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        return f"mismatch: {error_text(exc)}"
    return compare_outputs(expected, actual)


class BuiltinEngine:
    name = "builtin"

    def version(self) -> str:
        return __version__

    def unavailable_reason(self) -> str | None:
        return None

    def warm_up(self) -> None:
        """Import the tracer, the front end and NumPy, before a worker says it is ready."""
        import numpy  # noqa: F401

        from exportdb.exporter.trace import export as tracer  # noqa: F401
        from exportdb.engines.case_module import _builtins_for  # lazy: start-up

        _builtins_for("builtin")

    def run_case(self, path: Path, *, rewrite: bool = False, check: bool = True) -> EngineResult:
        from exportdb.exporter.ops.creation import manual_seed  # lazy: start-up

        manual_seed(SEED)  # as the torch engine does: a case's random examples never depend on the cases run before
        start = time.perf_counter()
        try:
            module = load_case_module(path)
            model, args, kwargs, dynamic_shapes = case_inputs(module, rewrite)
        except Exception as exc:  # noqa: BLE001 - any failure is the case's Result
            return failure_result(exc, time.perf_counter() - start, path)
        result, ep = export_model(model, args, kwargs, dynamic_shapes, started=start, case_file=path)
        if ep is None or not check:
            return result
        return dataclasses.replace(result, eager_check=eager_check(ep, model, args, kwargs))


def failure_result(exc: BaseException, seconds: float, case_file: Path | None = None) -> EngineResult:
    """The builtin engine's Result of a failure: its hint and whole traceback kept in ``extra``
    (``exportdb show --traceback`` prints the traceback)."""
    text = "".join(traceback.format_exception(exc))
    if len(text) > _TRACEBACK_CHARS:  # kept with the Result: the innermost frames matter most
        text = "...\n" + text[-_TRACEBACK_CHARS:]
    extra = {"traceback": text}
    if isinstance(exc, ExportError) and exc.hint:
        extra["hint"] = exc.hint
    return EngineResult("builtin", False, error_text(exc, case_file), type(exc).__name__, seconds, extra=extra)


def export_model(model: Any, args: tuple, kwargs: dict | None = None, dynamic_shapes: Any = None, *,
                 started: float | None = None, case_file: Path | None = None) -> tuple[EngineResult, Any]:
    """Export a loaded model: its Result (no eager check) and the program, or None on failure.
    The Result's ``text`` is the seed style; ``extra["styles"]["torch"]`` the torch style."""
    from exportdb.exporter.trace.export import export  # lazy: start-up

    start = time.perf_counter() if started is None else started
    try:
        ep = export(model, args, kwargs or {}, dynamic_shapes=dynamic_shapes)
        text = str(ep)
        styles = {"torch": ep.format(style="torch")}
    except Exception as exc:  # noqa: BLE001 - any failure is the case's Result
        return failure_result(exc, time.perf_counter() - start, case_file), None
    return EngineResult("builtin", True, text, None, time.perf_counter() - start, extra={"styles": styles}), ep
