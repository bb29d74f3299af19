"""The Operator coverage page's data: a recorded ``exportdb conformance ops`` run.

The run record (``docs/conformance/ops.json``, written by ``exportdb
conformance ops --record``) lists every OpInfo with its status and the ATen
overloads of the programs torch.export made for it.  This module reads it and
links ops and cases both ways: a case uses the ATen overloads its built-in
Result calls (``torch.ops.aten.add.Tensor``), and an overload belongs to the
OpInfo named after it (``add``) or, when none is, to every OpInfo whose
programs call it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

_ATEN_CALL = re.compile(r"torch\.ops\.aten\.(\w+)\.(\w+)")
_LABEL_CHARS = re.compile(r"[^a-z0-9]+")


class CoverageRecordError(ValueError):
    """The run record cannot be read; the message names the file."""


@dataclass(frozen=True)
class OpRow:
    """One OpInfo on the page."""

    name: str
    label: str  # the Sphinx label of its row
    status: str
    call: str
    agreed: int
    exported: int
    samples: int
    reason: str
    aten: tuple[str, ...]
    cases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Coverage:
    """The recorded run: its figures and one row per op."""

    summary: str
    agree: int
    total: int
    samples: int
    counts: dict[str, int]
    date: str
    torch_version: str
    exportdb_version: str
    seconds: float
    jobs: int
    load_average: tuple[float, ...]
    cpus: int
    rows: tuple[OpRow, ...] = field(default=())
    groups: tuple[tuple[str, str, tuple[str, ...]], ...] = ()  # (status, reason, ops) of ops that do not agree
    samples_per_op: int | None = None  # the run took only the first N samples of each op (None: every sample)

    @property
    def percent(self) -> str:
        return f"{100.0 * self.agree / self.total:.1f}" if self.total else "0.0"


def op_label(name: str) -> str:
    """The Sphinx label of an op's row: ``opinfo-max-binary`` for ``max.binary``."""
    return "opinfo-" + _LABEL_CHARS.sub("-", name.lower()).strip("-")


def aten_calls(result_text: str) -> list[str]:
    """The ``aten.X.Y`` overloads a printed program calls, sorted, each once."""
    return sorted({f"aten.{m.group(1)}.{m.group(2)}" for m in _ATEN_CALL.finditer(result_text)})


def load_coverage(path: Path) -> Coverage:
    """Read the run record at ``path``."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        machine = data.get("machine_at_start", {})
        labels: set[str] = set()
        rows = []
        for op in data["ops"]:
            label = op_label(op["name"])
            while label in labels:  # names differing only in punctuation
                label += "-x"
            labels.add(label)
            rows.append(OpRow(op["name"], label, op["status"], op.get("call", ""), int(op["agreed"]),
                              int(op["exported"]), int(op["samples"]), op.get("reason", ""),
                              tuple(op.get("aten", ()))))
        return Coverage(data["summary"], int(data["agree"]), int(data["total"]), int(data["samples"]),
                        dict(data["counts"]), data["date"], data["torch_version"], data["exportdb_version"],
                        float(data["seconds"]), int(data.get("jobs", 1)),
                        tuple(machine.get("load_average", ())), int(machine.get("cpus") or 0), tuple(rows),
                        tuple((g["status"], g["reason"], tuple(g["ops"])) for g in data.get("groups", ())),
                        data.get("samples_per_op"))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CoverageRecordError(f"cannot read the conformance run record {path}: {exc}") from None


_NAMESPACES = ("nn.functional.", "linalg.", "special.", "fft.")


def _base_name(op_name: str) -> str:
    """``max`` for ``max.binary``, ``relu`` for ``nn.functional.relu``, ``norm`` for ``linalg.norm``."""
    for prefix in _NAMESPACES:
        if op_name.startswith(prefix):
            op_name = op_name[len(prefix):]
            break
    return op_name.split(".")[0].strip("_")


def owners(rows: Sequence[OpRow]) -> dict[str, list[OpRow]]:
    """aten overload -> the rows it links to: those named after it, else all whose programs call it."""
    calling: dict[str, list[OpRow]] = {}
    for row in rows:
        for overload in row.aten:
            calling.setdefault(overload, []).append(row)
    result = {}
    for overload, found in calling.items():
        name = overload.split(".")[1]
        named = [row for row in found if _base_name(row.name) == name]
        result[overload] = named or found
    return result


def link_cases(coverage: Coverage, case_ops: Iterable[tuple[str, Sequence[str]]]) -> Coverage:
    """The coverage with each row's ``cases``: the cases (name, overloads) whose overloads link to it."""
    table = owners(coverage.rows)
    users: dict[str, set[str]] = {}
    for case, overloads in case_ops:
        for overload in overloads:
            for row in table.get(overload, ()):
                users.setdefault(row.name, set()).add(case)
    rows = tuple(OpRow(**{**row.__dict__, "cases": tuple(sorted(users.get(row.name, ())))})
                 for row in coverage.rows)
    return Coverage(**{**coverage.__dict__, "rows": rows})


def case_links(coverage: Coverage, overloads: Sequence[str]) -> list[tuple[str, list[OpRow]]]:
    """(overload, rows it links to) for each overload a case's program calls."""
    table = owners(coverage.rows)
    return [(overload, table.get(overload, [])) for overload in overloads]


def rst_cell(text: str) -> str:
    """``text`` safe inside a list-table cell: one line, inline markup characters escaped."""
    text = " ".join(text.split())
    return re.sub(r"([\\`*_|<>\[\]])", r"\\\1", text)
