"""Attack class: a case forging the record of its own metadata in the process that reads it.

The reader runs in the same process as the case file it reads, so a case can
rewrite what the reader answers: a description with raw HTML, tags that are
not tags.  The build process checks the description's markup and the tags
itself, so neither reaches a page; the case is reported at its own file, and
the other cases load as usual.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from attack_support import hostile_case, innocent_case, run_all

FORGE = '''
import sys
reader = sys.modules["exportdb.execution.case_reader"]
honest = reader.case_record
def forged(case):
    record = honest(case)
    record.update(FIELDS)
    return record
reader.case_record = forged
'''

RAW_HTML = '{"description": "Looks fine.\\n\\n.. raw:: html\\n\\n   <script>alert(1)</script>\\n"}'
FORGED_TAG = '{"tags": ["python.closure", "x <x>`_\\n\\n.. raw:: html\\n\\n   <script>alert(1)</script>"]}'


@pytest.mark.parametrize("fields", [RAW_HTML, FORGED_TAG], ids=["raw-html-description", "forged-tag"])
@pytest.mark.parametrize("combined", [True, False], ids=["read-and-export-in-one-process", "one-process-per-job"])
def test_a_forged_case_record_is_checked_by_the_build_process(tmp_path: Path, fields: str, combined: bool):
    cases = tmp_path / "cases"
    forger = hostile_case(cases, "a_forger", f"FIELDS = {fields}\n{FORGE}", in_forward=False)
    names = [innocent_case(cases, f"b_innocent_{i}").stem for i in range(2)]
    registry, _ = run_all(cases, tmp_path / "cache", jobs=1, combined=combined)
    assert sorted(case.name for case in registry.cases) == names
    assert all("<script>" not in case.description and all("<" not in tag for tag in case.tags)
               for case in registry.cases)
    [problem] = registry.problems
    assert problem.path == str(forger)
    if fields is RAW_HTML:
        assert "the `raw` directive" in problem.message and problem.line == 5  # the class docstring's line
    else:
        assert "malformed case record" in problem.message
