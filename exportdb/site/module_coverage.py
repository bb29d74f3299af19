"""The Module coverage page's data: a recorded ``exportdb conformance modules`` run.

The run record (``docs/conformance/modules.json``, written by ``exportdb
conformance modules --record``) holds the figures of the run, one entry per
ModuleInfo of torch's ``module_db`` (inputs, how many torch.export exports, how
many agree, a status and the first reason) and the reasons of the inputs that
do not agree, grouped.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

_LABEL_CHARS = re.compile(r"[^a-z0-9]+")


class ModuleRecordError(ValueError):
    """The run record cannot be read; the message names the file."""


@dataclass(frozen=True)
class ModuleRow:
    """One ModuleInfo on the page."""

    name: str
    label: str
    status: str
    agree: int
    exported: int
    inputs: int
    reason: str


@dataclass(frozen=True)
class ModuleCoverage:
    summary: str
    agree: int
    exported: int
    inputs: int
    counts: dict[str, int]
    date: str
    torch_version: str
    exportdb_version: str
    seconds: float
    load_average: tuple[float, ...]
    cpus: int
    rows: tuple[ModuleRow, ...] = field(default=())
    groups: tuple[tuple[str, int, tuple[str, ...]], ...] = ()  # (reason, inputs, modules)

    @property
    def percent(self) -> str:
        return f"{100.0 * self.agree / self.exported:.1f}" if self.exported else "0.0"

    @property
    def statuses(self) -> dict[str, int]:
        """How many ModuleInfos have each status, in the page's order."""
        order = ("agrees", "differs", "not supported", "torch refuses", "not expressible", "no inputs")
        found = {s: sum(r.status == s for r in self.rows) for s in order}
        return {s: n for s, n in found.items() if n}


def module_label(name: str) -> str:
    """The Sphinx label of a module's row: ``moduleinfo-nn-conv2d`` for ``nn.Conv2d``."""
    return "moduleinfo-" + _LABEL_CHARS.sub("-", name.lower()).strip("-")


def load_module_coverage(path: Path) -> ModuleCoverage:
    """Read the run record at ``path``."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        machine = data.get("machine_at_start", {})
        rows = tuple(ModuleRow(name, module_label(name), row["status"], int(row["agree"]), int(row["torch_exports"]),
                               int(row["inputs"]), row.get("reason", ""))
                     for name, row in sorted(data["modules"].items()))
        groups = tuple((g["reason"], int(g["count"]), tuple(g["modules"])) for g in data.get("reasons", ()))
        return ModuleCoverage(data["summary"], int(data["agree"]), int(data["torch_exports"]), int(data["inputs"]),
                              dict(data.get("counts", {})), data["date"], data["torch_version"],
                              data["exportdb_version"], float(data["seconds"]),
                              tuple(machine.get("load_average", ())), int(machine.get("cpus") or 0), rows, groups)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModuleRecordError(f"cannot read the module conformance record {path}: {exc}") from None
