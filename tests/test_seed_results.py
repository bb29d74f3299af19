"""Conformance with the seed documents: each seed case's Result block, line for line.

The seed documents are read from ``../shared/seeds/`` at test time; their code is
never copied into the repository.  Each case's source block is written to a
temporary case file (without the trailing ``torch.export.export(...)`` call),
run through the built-in engine, and compared with the seed's Result block,
leading and trailing whitespace of each line aside (the seeds' indentation is an
artefact of stripped comments).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from exporter_helpers import SEEDS_DIR

from exportdb.engines.builtin import BuiltinEngine

_HEADING = re.compile(r"^(\S[^\n]*)\n(\^+)\s*$", re.M)


@dataclass
class SeedCase:
    document: str
    name: str
    source: str
    result: list[str]


def _block_after(lines: list[str], start: int, marker: str) -> tuple[list[str], int]:
    """The indented body of the first ``.. code-block::`` after line ``start`` whose label is ``marker``."""
    i = next(j for j in range(start, len(lines)) if lines[j].strip() == marker)
    i = next(j for j in range(i, len(lines)) if lines[j].strip().startswith(".. code-block::")) + 1
    block = []
    while i < len(lines) and (not lines[i].strip() or lines[i].startswith("    ")):
        block.append(lines[i][4:] if lines[i].startswith("    ") else "")
        i += 1
    while block and not block[-1].strip():
        block.pop()
    while block and not block[0].strip():
        block.pop(0)
    return block, i


def seed_cases(directory: Path) -> list[SeedCase]:
    cases = []
    for doc in sorted(directory.glob("*.txt")):
        text = doc.read_text(encoding="utf-8")
        if "Original source code:" not in text:
            continue
        lines = text.splitlines()
        headings = [(m.group(1).strip(), text[:m.start()].count("\n")) for m in _HEADING.finditer(text)]
        for name, line_no in headings:
            if "Original source code:" not in "\n".join(lines[line_no:line_no + 20]):
                continue
            source, end = _block_after(lines, line_no, "Original source code:")
            result, _ = _block_after(lines, end, "Result:")
            code = [line for line in source if not line.strip().startswith("torch.export.export(")]
            cases.append(SeedCase(doc.name, name, "\n".join(code) + "\n", result))
    return cases


SEED_CASES = seed_cases(SEEDS_DIR) if SEEDS_DIR.is_dir() else []


def test_seed_documents_are_present_and_parsed():
    if not SEEDS_DIR.is_dir():
        pytest.skip(f"seed documents not found at {SEEDS_DIR} (the ../shared checkout is absent)")
    names = {c.name for c in SEED_CASES}
    assert {"cond_closed_over_variable", "nested_function"} <= names
    for case in SEED_CASES:
        assert "model = " in case.source and "example_args" in case.source
        assert case.result[0].strip() == "ExportedProgram:" and case.result[-1].strip().startswith("Range constraints")


@pytest.mark.skipif(not SEED_CASES, reason=f"seed documents not found at {SEEDS_DIR} (../shared is absent)")
@pytest.mark.parametrize("case", SEED_CASES, ids=lambda c: c.name)
def test_builtin_engine_reproduces_seed_result(case, tmp_path):
    path = tmp_path / f"{case.name}.py"
    path.write_text(case.source, encoding="utf-8")
    result = BuiltinEngine().run_case(path)
    assert result.ok, result.text
    got = [line.strip() for line in result.text.strip().splitlines()]
    want = [line.strip() for line in case.result]
    assert got == want
    assert result.eager_check == "match"
