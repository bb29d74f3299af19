"""Attack classes: one case tampering with the cases after it (a fresh process per case).

Monkeypatching exportdb through ``sys.modules``, state kept in a module,
stealing jobs from the worker's stdin, killing the process from a background
thread after the case returned, lifting the memory cap: each attack may spoil
only the attacking case's own result.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from attack_support import assert_innocents_exported, hostile_case, innocent_case, run_all

MONKEYPATCH = '''
import sys
from exportdb.engines import EngineResult
def forged(*args, **kwargs):
    return EngineResult("builtin", True, "<script>alert(1)</script>")
for name, module in list(sys.modules.items()):
    if name.startswith("exportdb") and hasattr(module, "run_case"):
        module.run_case = forged
    for attr in ("BuiltinEngine", "MetadataReader"):
        if hasattr(module, attr):
            setattr(getattr(module, attr), "run_case", forged)
'''


@pytest.mark.parametrize("combined", [True, False], ids=["read-and-export-in-one-process", "one-process-per-job"])
def test_monkeypatching_exportdb_reaches_no_later_case(tmp_path: Path, combined: bool):
    cases = tmp_path / "cases"
    hostile_case(cases, "a_patcher", MONKEYPATCH)
    hostile_case(cases, "b_patcher_at_import", MONKEYPATCH, in_forward=False)
    names = [innocent_case(cases, f"c_innocent_{i}").stem for i in range(4)]
    registry, report = run_all(cases, tmp_path / "cache", jobs=1, combined=combined)
    assert {case.name for case in registry.cases} >= set(names)
    assert_innocents_exported(report, names)
    # and the cache holds no forged entry for them: a second run reads the same results
    _, again = run_all(cases, tmp_path / "cache", jobs=1, combined=combined)
    assert_innocents_exported(again, names)


STATEFUL = '''
import builtins
count = getattr(builtins, "_exportdb_test_counter", 0) + 1
builtins._exportdb_test_counter = count
if count > 1:
    raise RuntimeError(f"saw {count - 1} earlier cases")
'''


def test_state_kept_across_cases_does_not_exist_so_pages_match_between_j1_and_j2(tmp_path: Path):
    cases = tmp_path / "cases"
    for i in range(4):
        hostile_case(cases, f"counter_{i}", STATEFUL)
    results = []
    for jobs in (1, 2):
        _, report = run_all(cases, None, jobs=jobs)
        results.append({key: record.result.text for key, record in report.records.items()})
        assert all(record.status == "exported" for record in report.records.values()), report.records
    assert results[0] == results[1]


STEAL_JOBS = '''
import os
for fd in range(0, 64):
    try:
        os.set_blocking(fd, False)
        while os.read(fd, 1 << 16):
            pass
    except OSError:
        pass
'''


def test_reading_the_job_stream_steals_no_job(tmp_path: Path):
    cases = tmp_path / "cases"
    hostile_case(cases, "a_thief", STEAL_JOBS)
    names = [innocent_case(cases, f"b_innocent_{i}").stem for i in range(6)]
    _, report = run_all(cases, jobs=1)
    assert_innocents_exported(report, names)


LATE_EXIT = '''
import os, threading, time
def later():
    time.sleep(0.3)
    os._exit(9)
threading.Thread(target=later, daemon=True).start()
'''


def test_a_delayed_exit_from_a_thread_blames_the_case_that_started_it(tmp_path: Path):
    cases = tmp_path / "cases"
    hostile_case(cases, "a_late_exit", LATE_EXIT)
    slow = '''
        import time
        time.sleep(0.5)
        '''
    names = []
    for i in range(3):
        names.append(hostile_case(cases, f"b_slow_{i}", slow).stem)
    _, report = run_all(cases, jobs=1)
    for name in names:
        assert report.get(name, "builtin").status == "exported", report.get(name, "builtin")


EXIT_NOW = '''
import os
os._exit(4)
'''


def test_os_exit_blames_only_that_case_and_the_worker_goes_on(tmp_path: Path):
    cases = tmp_path / "cases"
    hostile_case(cases, "a_exit", EXIT_NOW)
    names = [innocent_case(cases, f"b_innocent_{i}").stem for i in range(3)]
    _, report = run_all(cases, jobs=1)
    record = report.get("a_exit", "builtin")
    assert record.status == "crashed" and "exit code 4" in record.result.text
    assert_innocents_exported(report, names)


LIFT_LIMIT = '''
import resource
soft, hard = resource.getrlimit(resource.RLIMIT_AS)
try:
    resource.setrlimit(resource.RLIMIT_AS, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
except (ValueError, OSError):
    pass
'''

CHECK_LIMIT = '''
import resource
soft, hard = resource.getrlimit(resource.RLIMIT_AS)
if soft == resource.RLIM_INFINITY:
    raise RuntimeError("the memory cap was lifted by an earlier case")
'''


def test_lifting_the_memory_cap_is_refused_and_does_not_outlive_the_case(tmp_path: Path):
    cases = tmp_path / "cases"
    hostile_case(cases, "a_lifter", LIFT_LIMIT)
    hostile_case(cases, "b_checker", CHECK_LIMIT)
    _, report = run_all(cases, jobs=1)
    lifter = report.get("a_lifter", "builtin")
    assert lifter.status == "error" and "resource limits" in lifter.result.text
    assert report.get("b_checker", "builtin").status == "exported"
