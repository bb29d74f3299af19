"""The fuzzing property for the built-in engine: export, lint, print, run, compare with eager.

:func:`check_program` loads a :class:`~exportdb.tools.fuzz.fuzz_program.FuzzProgram`'s
source as a case file, exports it with :func:`exportdb.exporter.trace.export.export`, lints
every graph, checks that the printed program parses back (the normaliser's
reader), then runs ``ep.module()`` and the eager model on fresh inputs at the
example sizes, at both ends of every declared range and at a random size in
between, and compares the output pytrees.  Anything wrong raises
:class:`FuzzFailure`, whose message ends with the program's source.
"""

from __future__ import annotations

import copy
import hashlib
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from exportdb.exporter.ir import pytree
from exportdb.tools.fuzz.fuzz_program import FuzzProgram
from exportdb.engines.builtin import compare_outputs
from exportdb.engines import error_text
from exportdb.engines.case_module import load_case_module
from exportdb.exporter.frontend.tensor import Tensor
from exportdb.exporter.trace.export import export
from exportdb.tools.compare_normalize import ProgramParseError, parse_program


class FuzzFailure(AssertionError):
    """A generated program that the exporter got wrong; ``kind`` names the stage that failed."""

    def __init__(self, kind: str, message: str, program: FuzzProgram):
        self.kind = kind
        self.message = message
        self.program = program
        super().__init__(f"{kind}: {message}\n--- program ---\n{program.source}")

    def signature(self) -> str:
        """A short key that groups failures with the same cause (the stage and the message's first line,
        with node and value names blurred)."""
        import re

        first = self.message.splitlines()[0] if self.message else ""
        first = re.sub(r"\b[a-z_]+_?\d+\b", "#", first)
        first = re.sub(r"\d+", "N", first)
        return f"{self.kind}: {first[:160]}"


@dataclass
class Checked:
    """What a passing check leaves behind (for the torch comparison)."""

    module: Any
    ep: Any
    text: str
    torch_text: str = ""  # the same program in the torch print style (what is compared with torch.export)


def program_seed(program: FuzzProgram) -> int:
    return int(hashlib.sha1(program.source.encode()).hexdigest()[:8], 16)


def write_source(program: FuzzProgram, directory: Path, name: str = "fuzz_case.py") -> Path:
    path = Path(directory) / name
    path.write_text(program.source, encoding="utf-8")
    return path


def frontend_tensor(array: np.ndarray) -> Any:

    return Tensor._make(np.array(array))


def outputs_differ(expected: Any, actual: Any) -> str | None:
    """None when two output pytrees of front-end tensors agree, else why not."""

    want_spec, got_spec = pytree.tree_flatten(expected)[1], pytree.tree_flatten(actual)[1]
    if want_spec != got_spec:
        return f"output structure {got_spec} differs from eager {want_spec}"
    verdict = compare_outputs(expected, actual)
    return None if verdict == "match" else verdict


def check_program(program: FuzzProgram, extra_sizes: int = 1) -> Checked:
    """Run the whole property on one program; raise :class:`FuzzFailure` on the first problem.

    NumPy's overflow and invalid-value warnings are silenced: random programs make infs and NaNs
    (``exp`` of ``exp``), and comparisons treat NaNs in the same places as equal."""
    with np.errstate(all="ignore"):
        return _check(program, extra_sizes)


def _check(program: FuzzProgram, extra_sizes: int) -> Checked:

    with tempfile.TemporaryDirectory(prefix="exportdb-fuzz-") as tmp:
        try:
            module = load_case_module(write_source(program, Path(tmp)))
        except Exception as exc:  # noqa: BLE001 - reported with the program
            raise FuzzFailure("load", error_text(exc), program) from None
        try:
            ep = export(module.model, tuple(module.example_args), dynamic_shapes=getattr(module, "dynamic_shapes", None))
        except Exception as exc:  # noqa: BLE001
            raise FuzzFailure("export", error_text(exc), program) from None
    try:
        ep.graph.lint()
    except AssertionError as exc:
        raise FuzzFailure("lint", str(exc), program) from None
    try:
        text = str(ep)
    except Exception as exc:  # noqa: BLE001
        raise FuzzFailure("print", error_text(exc), program) from None
    try:
        parse_program(text)
    except ProgramParseError as exc:
        raise FuzzFailure("print", f"printed program does not parse back: {exc}", program) from None
    rng = np.random.default_rng(program_seed(program))
    runner = ep.module()
    for binding in program.bindings(rng, extra_sizes):
        inputs = program.inputs(binding, rng, frontend_tensor)
        where = f"at sizes {binding}" if binding else "on fresh inputs"
        try:
            expected = module.model(*copy.deepcopy(inputs))
        except Exception as exc:  # noqa: BLE001 - the generator promised a valid program
            raise FuzzFailure("eager", f"{where}: {error_text(exc)}", program) from None
        try:
            actual = runner(*copy.deepcopy(inputs))
        except Exception as exc:  # noqa: BLE001
            raise FuzzFailure("run", f"{where}: {error_text(exc)}", program) from None
        problem = outputs_differ(expected, actual)
        if problem:
            raise FuzzFailure("mismatch", f"{where}: {problem}", program)
    return Checked(module, ep, text, ep.format(style="torch"))
