"""The ``torch`` engine: run a case through the real ``torch.export``.

PyTorch is optional (``pip install 'exportdb[torch]'``).  Importing this module
never imports torch; the first call that needs it does, and without torch the
engine reports itself unavailable::

    >>> TorchEngine().unavailable_reason()      # doctest: +SKIP
    "torch is not installed: pip install 'exportdb[torch]'"

The Result text is ``str(ep)`` with torch's source-location comments removed
(and the blank separator lines that only framed them), every line
right-stripped, or ``ErrorType: first line of the message`` on failure.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import importlib
import io
import logging
import os
import tempfile
import time
import types
import warnings
from pathlib import Path
from typing import Any

from exportdb.engines.protocol import EngineResult, error_text
from exportdb.errors import CaseLoadError, ExportError, SourceLocation
from exportdb.engines.case_module import load_case_module

INSTALL_HINT = "pip install 'exportdb[torch]'"
_SEED = 0


def clean_program_text(text: str) -> str:
    """Remove source comments from ``str(ep)`` and tidy the layout.

    Only the graph part (before ``Graph signature:``) is touched: comment lines
    go, and so do blank lines that separate statements inside a ``forward``
    (torch puts one before every comment group).  Blank lines before a nested
    ``class`` or at the end of the graph part stay.  Trailing whitespace is
    stripped from every line and trailing newlines from the text.
    """
    lines = [line.rstrip() for line in text.splitlines()]
    try:
        split = next(i for i, line in enumerate(lines) if line.startswith("Graph signature:"))
    except StopIteration:
        split = len(lines)
    graph = [line for line in lines[:split] if not line.lstrip().startswith("#")]
    kept: list[str] = []
    for i, line in enumerate(graph):
        if not line:
            following = next((l for l in graph[i + 1:] if l), "")
            if not following or following.lstrip().startswith("class "):
                if kept and kept[-1]:
                    kept.append("")
            continue
        kept.append(line)
    if kept and kept[-1] and split < len(lines):
        kept.append("")
    return "\n".join(kept + lines[split:]).rstrip("\n")


class TorchEngine:
    """Exports cases with ``torch.export.export(..., strict=True)``."""

    name = "torch"

    def __init__(self) -> None:
        self._torch: types.ModuleType | None = None
        self._reason: str | None = None
        self._probed = False

    # -- availability -------------------------------------------------------
    def _probe(self) -> None:
        if self._probed:
            return
        self._probed = True
        try:
            self._torch = importlib.import_module("torch")
        except ModuleNotFoundError as exc:
            if exc.name in (None, "torch"):
                self._reason = f"torch is not installed: {INSTALL_HINT}"
            else:
                self._reason = f"torch cannot be imported (missing module {exc.name!r}): {INSTALL_HINT}"
        except Exception as exc:  # noqa: BLE001 - a broken install is reported, not raised
            self._reason = f"torch cannot be imported ({error_text(exc)}): reinstall with {INSTALL_HINT}"

    def unavailable_reason(self) -> str | None:
        """None when torch imports here, else a one-line explanation with the fix."""
        self._probe()
        return self._reason

    def version(self) -> str:
        """torch's version (``2.13.0+cpu``), or ``unavailable``."""
        self._probe()
        return str(self._torch.__version__) if self._torch is not None else "unavailable"

    # -- running ------------------------------------------------------------
    def run_case(self, path: Path, *, rewrite: bool = False) -> EngineResult:
        """Export the case at ``path`` (or its ``rewrite``) and report the outcome."""
        reason = self.unavailable_reason()
        if reason is not None:
            return EngineResult(self.name, False, f"EngineUnavailable: {reason}", "EngineUnavailable")
        torch = self._torch
        assert torch is not None
        # torch keeps compile caches in TORCHINDUCTOR_CACHE_DIR, which it sets to the temporary
        # directory of the process that first asks (a worker's warm-up); each case must use its own
        # (a case process may write only under its scratch directory, its TMPDIR).
        os.environ["TORCHINDUCTOR_CACHE_DIR"] = os.path.join(tempfile.gettempdir(), "torchinductor")
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(_SEED)
            try:
                module = load_case_module(path, frontend="torch")
                model, args, kwargs, dynamic_shapes = _export_inputs(module, Path(path), rewrite)
            except ExportError as exc:
                return EngineResult(self.name, False, exc.one_line(), type(exc).__name__)
            result, ep = export_model(torch, model, args, kwargs, dynamic_shapes)
            if ep is None:
                return result
            check = eager_check(torch, ep, model, args, kwargs)
        return dataclasses.replace(result, eager_check=check)


def export_model(torch: types.ModuleType, model: Any, args: tuple, kwargs: dict | None = None,
                 dynamic_shapes: Any = None) -> tuple[EngineResult, Any]:
    """``torch.export.export(..., strict=True)`` of a loaded model, quietly: its Result (no eager
    check) and the ExportedProgram, or None when export fails."""
    start = time.perf_counter()
    try:
        with _quiet():
            ep = torch.export.export(model, args, kwargs or {}, dynamic_shapes=dynamic_shapes, strict=True)
    except Exception as exc:  # noqa: BLE001 - every export failure becomes a Result
        return EngineResult("torch", False, error_text(exc), type(exc).__name__, time.perf_counter() - start), None
    seconds = time.perf_counter() - start
    text = clean_program_text(str(ep))
    return EngineResult("torch", True, text, None, seconds, None, {"torch_version": str(torch.__version__)}), ep


def _export_inputs(module: types.ModuleType, path: Path, rewrite: bool) -> tuple[Any, tuple, dict, Any]:
    """Pick the model, arguments and dynamic shapes a case module defines."""
    fields = vars(module)

    def missing(name: str, hint: str) -> CaseLoadError:
        return CaseLoadError(f"case defines no `{name}`", location=SourceLocation(str(path), 1), hint=hint)

    if "model" not in fields:
        raise missing("model", "assign the nn.Module instance to export to a module attribute `model`")
    if "example_args" not in fields:
        raise missing("example_args", "assign a tuple of example inputs to `example_args`")
    args = fields["example_args"]
    kwargs = fields.get("example_kwargs") or {}
    dynamic_shapes = fields.get("dynamic_shapes")
    model = fields["model"]
    if rewrite:
        if "rewrite" not in fields:
            raise missing("rewrite", "define `rewrite`, a model that shows how to fix the case")
        model = fields["rewrite"]
        args = fields.get("rewrite_example_args", args)
        kwargs = fields.get("rewrite_example_kwargs", kwargs) or {}
        dynamic_shapes = fields.get("rewrite_dynamic_shapes", dynamic_shapes)
    return model, tuple(args) if isinstance(args, list) else args, dict(kwargs), dynamic_shapes


class _quiet:
    """Silence torch's warnings, log records and stray prints while exporting.

    torch prints partial graphs to stdout when dynamo gives up; that must not
    leak into ``exportdb compare --json``.  Everything is restored on exit.
    """

    def __enter__(self) -> None:
        self._stack = contextlib.ExitStack()
        self._stack.enter_context(warnings.catch_warnings())
        warnings.simplefilter("ignore")
        self._stack.enter_context(contextlib.redirect_stdout(io.StringIO()))
        self._stack.enter_context(contextlib.redirect_stderr(io.StringIO()))
        self._previous = logging.root.manager.disable
        logging.disable(logging.CRITICAL)

    def __exit__(self, *exc_info: object) -> None:
        logging.disable(self._previous)
        self._stack.close()


def eager_check(torch: types.ModuleType, ep: Any, model: Any, args: tuple, kwargs: dict) -> str:
    """Run ``ep.module()`` and the eager model on copies of the inputs and compare.

    Returns ``"match"`` or ``"mismatch: <what differs>"``.  Inputs are deep-copied
    for each run, so in-place mutation by one run cannot leak into the other.
    """
    pytree = importlib.import_module("torch.utils._pytree")
    try:
        with _quiet():
            expected = _copy(model)(*copy.deepcopy(args), **copy.deepcopy(kwargs))
    except Exception as exc:  # noqa: BLE001
        return f"mismatch: eager model raised {error_text(exc)}"
    try:
        with _quiet():
            actual = ep.module()(*copy.deepcopy(args), **copy.deepcopy(kwargs))
    except Exception as exc:  # noqa: BLE001
        return f"mismatch: exported program raised {error_text(exc)}"
    want, _ = pytree.tree_flatten(expected)
    got, _ = pytree.tree_flatten(actual)
    if len(want) != len(got):
        return f"mismatch: {len(got)} outputs, eager gives {len(want)}"
    for i, (a, b) in enumerate(zip(got, want)):
        problem = _leaf_difference(torch, a, b)
        if problem:
            return f"mismatch: output {i}: {problem}"
    return "match"


def _copy(model: Any) -> Any:
    try:
        return copy.deepcopy(model)
    except Exception:  # noqa: BLE001 - an uncopyable model runs as is
        return model


def _leaf_difference(torch: types.ModuleType, got: Any, want: Any) -> str | None:
    if isinstance(want, torch.Tensor) != isinstance(got, torch.Tensor):
        return f"{type(got).__name__} where eager gives {type(want).__name__}"
    if not isinstance(want, torch.Tensor):
        return None if got == want else f"{got!r} != {want!r}"
    if got.shape != want.shape or got.dtype != want.dtype:
        return f"{got.dtype}{list(got.shape)} where eager gives {want.dtype}{list(want.shape)}"
    if want.is_floating_point() or want.is_complex():
        same = torch.allclose(got, want, equal_nan=True)
    else:
        same = torch.equal(got, want)
    return None if same else "values differ"
