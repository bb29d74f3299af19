"""Per-op statuses of a conformance run, and its text, JSON and record forms.

An op's status (:data:`OP_STATUSES`), from its samples' statuses:

* ``agrees``: torch.export exports at least one sample, and every sample it
  exports agrees;
* ``not supported``: the built-in engine raises on some sample torch exports;
* ``differs``: otherwise, some exported sample's program or values differ;
* ``torch refuses``: torch fails on every sample that can be written;
* ``not expressible``: no sample can be written as a one-call case (no public
  function or method variant, or arguments without a literal form);
* ``no samples``: the OpInfo has no CPU samples of the dtypes run (float32 by
  default; int64 and bool for an op without float32).

T counts the ops torch.export exports (the first three statuses), A the ops
that agree, S the samples of those T ops that torch exports.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any, Sequence

from exportdb.tools.conformance.op_sample import SampleOutcome

OP_STATUSES = ("agrees", "differs", "not supported", "torch refuses", "not expressible", "no samples")
EXPORTED = ("agree", "differs", "not supported")
MAX_FAILURES = 20  # failing samples kept per op in the JSON


@dataclass
class OpResult:
    """Every sample outcome of one OpInfo (``note`` explains an op with no samples run)."""

    name: str
    call: str = ""  # "torch.add", "Tensor.add", or "" when neither variant can be named
    samples: list[SampleOutcome] = field(default_factory=list)
    note: str = ""
    total: int = 0  # samples the OpInfo yields

    def count(self, status: str) -> int:
        return sum(1 for s in self.samples if s.status == status)

    @property
    def exported(self) -> int:
        return sum(1 for s in self.samples if s.status in EXPORTED)

    @property
    def status(self) -> str:
        if not self.samples:
            return "not expressible" if not self.call else "no samples"
        if self.exported == 0:
            return "torch refuses" if self.count("torch refuses") else "not expressible"
        for status, label in (("not supported", "not supported"), ("differs", "differs")):
            if self.count(status):
                return label
        return "agrees"

    @property
    def reason(self) -> str:
        """The first reason of a sample with the op's status ("" when the op agrees)."""
        wanted = {"agrees": None, "no samples": None, "not expressible": "not expressible",
                  "torch refuses": "torch refuses"}.get(self.status, self.status)
        if wanted is None:
            return self.note
        return next((s.reason for s in self.samples if s.status == wanted), self.note)

    @property
    def aten(self) -> list[str]:
        """The aten overloads of every program torch exported for the op."""
        return sorted({name for s in self.samples for name in s.aten})


def totals(results: Sequence[OpResult]) -> tuple[int, int, int]:
    """(A, T, S): ops that agree, ops torch exports, samples torch exports of those ops."""
    exported = [r for r in results if r.exported]
    agree = sum(1 for r in exported if r.status == "agrees")
    return agree, len(exported), sum(r.exported for r in exported)


def summary_line(results: Sequence[OpResult]) -> str:
    agree, total, samples = totals(results)
    return f"ops: {agree}/{total} agree where torch.export exports ({samples} samples)"


def format_text(results: Sequence[OpResult]) -> str:
    """One line per op (status, samples agreed/exported, first reason), the ops torch exports that
    do not agree grouped by reason, then the summary line."""
    width = max((len(r.name) for r in results), default=0)
    lines = []
    for r in results:
        counts = f"{r.count('agree')}/{r.exported}"
        lines.append(f"{r.status:<15} {r.name:<{width}}  {counts:>7}  {r.reason}".rstrip())
    found = groups(results)
    if found:
        lines.append("not agreeing, by reason:")
        lines += [f"  {status} ({len(names)}): {reason}: {', '.join(names)}" for status, reason, names in found]
    return "\n".join([*lines, summary_line(results)])


_VARIABLE = re.compile(r"`[^`]*`|'[^']*'|\"[^\"]*\"|\b(?:torch|aten|Tensor)(?:\.\w+)+|\b\d[\w.]*|\[[^\]]*\]")


_TARGET = re.compile(r"torch\.ops\.(\w+\.\w+\.\w+)")


def reason_group(reason: str) -> str:
    """The kind of a reason, so like failures group together: names, numbers and quoted text blanked,
    and a graph difference reduced to whether the operators or only their arguments differ."""
    if reason.startswith("graph differs:"):
        ours, _, theirs = reason.partition(" | torch ")
        a, b = _TARGET.findall(ours), _TARGET.findall(theirs)
        if a and a == b:
            return "graph differs: same operator, other arguments or annotations"
        return "graph differs: other operators or nodes"
    return _VARIABLE.sub("_", reason)[:160]


def groups(results: Sequence[OpResult]) -> list[tuple[str, str, list[str]]]:
    """(status, reason group, op names) for the ops torch exports that do not agree, largest first."""
    found: dict[tuple[str, str], list[str]] = {}
    for r in results:
        if r.exported and r.status != "agrees":
            found.setdefault((r.status, reason_group(r.reason)), []).append(r.name)
    return sorted(((s, g, names) for (s, g), names in found.items()), key=lambda item: (-len(item[2]), item[0]))


def op_data(r: OpResult) -> dict[str, Any]:
    failing = [asdict(s) for s in r.samples if s.status != "agree"][:MAX_FAILURES]
    for item in failing:
        item.pop("aten", None)
    return {"name": r.name, "status": r.status, "call": r.call, "agreed": r.count("agree"),
            "exported": r.exported, "samples": r.total, "reason": r.reason, "aten": r.aten,
            "dtypes": sorted({s.dtype for s in r.samples}),
            "counts": {s: r.count(s) for s in ("agree", "differs", "not supported", "torch refuses",
                                               "not expressible") if r.count(s)},
            "failures": failing}


def report_data(results: Sequence[OpResult]) -> dict[str, Any]:
    agree, total, samples = totals(results)
    counts = Counter(r.status for r in results)
    return {"summary": summary_line(results), "agree": agree, "total": total, "samples": samples,
            "counts": {s: counts.get(s, 0) for s in OP_STATUSES},
            "groups": [{"status": s, "reason": g, "ops": names} for s, g, names in groups(results)],
            "ops": [op_data(r) for r in results]}


def report_json(results: Sequence[OpResult]) -> str:
    return json.dumps(report_data(results), indent=1)
