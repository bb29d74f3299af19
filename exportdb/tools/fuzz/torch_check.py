"""Compare a generated program's built-in export with the real ``torch.export``.

The same source is loaded with the real PyTorch front end and exported with
``torch.export.export(..., strict=True)``.  The two printed programs must agree
structurally (:func:`exportdb.tools.compare.compare_results`, which normalises layout,
symbol numbering and constant-predicate conds), and running both exported
programs on the same NumPy inputs, at every size the built-in check uses, must
give the same output pytrees, shapes, dtypes and (within float tolerance)
values.  Needs torch; callers check :func:`torch_available` first.
"""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from exportdb.exporter.ir import pytree
from exportdb.tools.fuzz.check import Checked, FuzzFailure, frontend_tensor, program_seed, write_source
from exportdb.tools.fuzz.fuzz_program import FuzzProgram
from exportdb.engines import EngineResult
from exportdb.engines.case_module import load_case_module
from exportdb.engines.torch_engine import TorchEngine
from exportdb.engines import error_text
from exportdb.engines.torch_engine import _quiet, clean_program_text
from exportdb.exporter.frontend.tensor import Tensor
from exportdb.tools.compare import compare_results

RTOL = 1e-4
ATOL = 1e-4


def torch_available() -> bool:

    return TorchEngine().unavailable_reason() is None


def _torch_export(program: FuzzProgram) -> tuple[Any, str]:
    import torch


    with tempfile.TemporaryDirectory(prefix="exportdb-fuzz-torch-") as tmp:
        module = load_case_module(write_source(program, Path(tmp)), frontend="torch")
        try:
            with _quiet():
                ep = torch.export.export(module.model, tuple(module.example_args),
                                         dynamic_shapes=getattr(module, "dynamic_shapes", None), strict=True)
        except Exception as exc:  # noqa: BLE001 - the builtin exported it, so this is a difference
            raise FuzzFailure("torch-outcome", f"only torch fails: {error_text(exc)}", program) from None
    return ep, clean_program_text(str(ep))


def _leaf_problem(ours: Any, theirs: Any) -> str | None:
    import torch


    if isinstance(ours, Tensor) != isinstance(theirs, torch.Tensor):
        return f"{type(ours).__name__} where torch gives {type(theirs).__name__}"
    if not isinstance(ours, Tensor):
        return None if ours == theirs else f"{ours!r} where torch gives {theirs!r}"
    want = theirs.detach().numpy()
    if ours._value.shape != want.shape:
        return f"shape {list(ours._value.shape)} where torch gives {list(want.shape)}"
    if ours._value.dtype != want.dtype:
        return f"dtype {ours._value.dtype} where torch gives {want.dtype}"
    if not np.allclose(ours._value, want, rtol=RTOL, atol=ATOL, equal_nan=True):
        return f"values differ (max abs diff {np.nanmax(np.abs(ours._value.astype(np.float64) - want)):.3g})"
    return None


def compare_with_torch(program: FuzzProgram, checked: Checked, extra_sizes: int = 1) -> None:
    """Raise :class:`FuzzFailure` unless torch.export agrees with the built-in export of ``program``."""
    with np.errstate(all="ignore"):
        _compare(program, checked, extra_sizes)


def _compare(program: FuzzProgram, checked: Checked, extra_sizes: int) -> None:
    import torch


    torch_ep, torch_text = _torch_export(program)
    ours = EngineResult("builtin", True, checked.text, extra={"styles": {"torch": checked.torch_text}})
    comparison = compare_results(ours, EngineResult("torch", True, torch_text))
    if comparison.classification != "agree":
        changed = [line for line in comparison.diff.splitlines()[2:] if line[:1] in "+-"]
        first = changed[0].strip() if changed else comparison.note or "graphs differ"
        raise FuzzFailure("torch-graph", f"graphs differ, first at: {first}\n{comparison.diff}", program)
    rng = np.random.default_rng(program_seed(program) + 1)
    ours_run, theirs_run = checked.ep.module(), torch_ep.module()
    for binding in program.bindings(rng, extra_sizes):
        arrays = program.inputs(binding, rng, lambda a: a)
        where = f"at sizes {binding}" if binding else "on fresh inputs"
        ours = ours_run(*pytree.tree_map(frontend_tensor, copy.deepcopy(arrays)))
        try:
            with _quiet():
                theirs = theirs_run(*pytree.tree_map(lambda a: torch.from_numpy(np.array(a)), arrays))
        except Exception as exc:  # noqa: BLE001
            if "Guard failed" in str(exc):
                # torch's program may refuse sizes inside the declared range (it guards `x[1:]` of a
                # size-B dim against being 1 when it meets cat, say); the builtin's result at this size
                # was already checked against eager, so there is nothing to compare here
                continue
            raise FuzzFailure("torch-run", f"{where}: torch's program raised {error_text(exc)}", program) from None
        ours_leaves, ours_spec = pytree.tree_flatten(ours)
        theirs_leaves = _torch_leaves(theirs)
        if len(ours_leaves) != len(theirs_leaves):
            raise FuzzFailure("torch-numerics", f"{where}: {len(ours_leaves)} outputs, torch gives "
                                                f"{len(theirs_leaves)}", program)
        for i, (a, b) in enumerate(zip(ours_leaves, theirs_leaves)):
            problem = _leaf_problem(a, b)
            if problem:
                raise FuzzFailure("torch-numerics", f"{where}: output {i}: {problem}", program)


def _torch_leaves(value: Any) -> list:
    import importlib

    return importlib.import_module("torch.utils._pytree").tree_flatten(value)[0]
