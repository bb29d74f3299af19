"""Read case files in the runner's worker processes, never in the process loading the registry.

:func:`load_registry` hands the files it has no cached
metadata for to :func:`load_in_workers`, which runs :class:`MetadataReader` in
the runner's :class:`~exportdb.execution.runner.WorkerPool` like an engine: each file is
executed under the per-case timeout and the worker's sandbox, and comes back as
a validated :class:`~exportdb.catalog.registry.Case` or as its problems.  A file that
hangs, kills its process or trips the sandbox while it is imported becomes one
problem line; the other files load as usual.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import exportdb
from exportdb.engines.case_module import _builtins_for
from exportdb.engines import EngineResult
from exportdb.catalog.registry import (DEFAULT_LOAD_TIMEOUT, Case, CaseInvalid, Problem, Registry, default_frontend,
                                       description_problem, discover, file_problem, load_case)

from exportdb.execution.case_cache import case_from_record, case_record
from exportdb.execution.runner import Job, Prefetch, Progress, RunRecord, RunStatus, WorkerPool, default_workers


class MetadataReader:
    """Loads and validates one case file; the runner's workers run it like an engine.

    ``run_case`` answers with an :class:`EngineResult` whose ``extra`` holds the
    :class:`Case` (``ok``) or the list of :class:`Problem` (not ``ok``).
    """

    def __init__(self, frontend: str):
        self.frontend = frontend
        self.name = reader_spec(frontend)

    def version(self) -> str:
        return exportdb.__version__

    def unavailable_reason(self) -> str | None:
        return None

    def warm_up(self) -> None:
        """Import what reading a case needs (the front end), before the worker is ready."""
        _builtins_for(self.frontend)

    def run_case(self, path: Path, *, rewrite: bool = False) -> EngineResult:
        try:  # the description's reST is checked by the build process: see load_in_workers
            case = load_case(path, self.frontend, check_markup=False)
        except CaseInvalid as exc:
            problems = [{"path": p.path, "line": p.line, "message": p.message, "hint": p.hint} for p in exc.problems]
            return EngineResult(self.name, False, "\n".join(map(str, exc.problems)), "CaseInvalid",
                                extra={"problems": problems})
        record = case_record(case)
        if record is None:
            raise TypeError("the case's fields are not JSON data")
        return EngineResult(self.name, True, "", extra={"case": record, "has_rewrite": case.has_rewrite})


def reader_spec(frontend: str) -> str:
    """The runner's engine spec of the metadata reader for ``frontend``."""
    return f"exportdb.execution.case_reader:{frontend}_reader"


def builtin_reader() -> MetadataReader:
    return MetadataReader("builtin")


def torch_reader() -> MetadataReader:
    return MetadataReader("torch")


_WHERE = re.compile(r"^(\w+): (.*?):(\d+): (.*)$", re.S)


Exported = Callable[[Case, list[RunRecord]], None]


def load_in_workers(paths: list[Path], frontend: str, timeout: float, jobs: int | None,
                    pool: WorkerPool | None = None, prefetch: Prefetch | None = None,
                    progress: Progress | None = None, exported: Exported | None = None,
                    ) -> dict[Path, Case | list[Problem]]:
    """Run the metadata reader on ``paths`` in the runner's worker pool (``pool`` when given).

    With ``prefetch``, the process that reads a valid case goes on to export it with
    ``prefetch.engines``, and those records are kept in ``prefetch`` for :func:`run_cases`.
    The description of each case read is checked here, in this process
    (:func:`~exportdb.catalog.registry.description_problem`): a check made in the
    process that ran the case could have been tampered with by it.
    ``progress(done, total, name)`` is called as each file is read (and exported);
    ``exported(case, records)``, as soon as every export of a valid case read here has
    come back (a build writes that case's page then, while other cases still run).
    """
    if not paths:
        return {}

    then = prefetch.engines if prefetch is not None else ()
    by_job: dict[Job, Path] = {Job(p.stem, str(p), reader_spec(frontend), then=then): p for p in paths}
    digests = {p: _digest(p) for p in paths}  # the parent's own reading: a worker cannot choose a cache key
    found: dict[Path, Case | list[Problem]] = {}
    awaited: dict[str, tuple[Case, list[tuple[str, str, bool]]]] = {}  # a case read: the exports still to come

    def done(record: RunRecord) -> None:
        path = by_job.get(record.job)
        if path is None:  # a follow-on export of a case read in the same process
            if prefetch is not None:
                prefetch.add(record)
                _step_done(record)
            return
        if progress is not None:
            progress(len(found) + 1, len(paths), path.stem)
        result = record.result
        outcome: Case | list[Problem] | None = None
        if record.status == RunStatus.EXPORTED and digests[path] is not None:
            outcome = case_from_record(result.extra.get("case"), path, digests[path])
            problem = description_problem(outcome) if outcome is not None else None
            if problem is not None:
                outcome = [problem]
        elif record.status == RunStatus.FAILED:
            outcome = _problems_from_data(result.extra.get("problems"), path)
        else:
            outcome = [_run_problem(path, record.status, result.text, timeout)]
        found[path] = outcome if outcome is not None else [Problem(
            str(path), 1, "the worker reading this case answered with a malformed case record",
            "a case file must not tamper with exportdb's own modules")]
        if exported is not None and isinstance(outcome, Case) and then:
            rewrites = (False, True) if outcome.has_rewrite else (False,)
            awaited[str(path)] = (outcome, [(str(path), engine, rewrite) for engine in then for rewrite in rewrites])

    def _step_done(record: RunRecord) -> None:
        entry = awaited.get(record.job.path)
        if entry is None or exported is None or prefetch is None:
            return
        case, steps = entry
        if all(step in prefetch.records for step in steps):
            del awaited[record.job.path]
            exported(case, [prefetch.records[step] for step in steps])

    if pool is None:
        pool = WorkerPool(jobs or default_workers(len(paths)), timeout)
    pool.run(list(by_job), done)
    return found


MAX_PROBLEMS = 100  # problems one case file may report


def _digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _problems_from_data(data: Any, path: Path) -> list[Problem] | None:
    """The problems a worker reported for ``path``, checked; they name ``path``, whatever the worker said."""
    if not isinstance(data, list) or not data or len(data) > MAX_PROBLEMS:
        return None
    problems = []
    for item in data:
        if not isinstance(item, dict) or set(item) != {"path", "line", "message", "hint"} \
                or type(item["line"]) is not int or not isinstance(item["message"], str) \
                or not (item["hint"] is None or isinstance(item["hint"], str)):
            return None
        problems.append(Problem(str(path), max(0, item["line"]), item["message"], item["hint"]))
    return problems


def _run_problem(path: Path, status: RunStatus, text: str, timeout: float) -> Problem:
    """The problem for a case whose loading did not complete (timeout, crash, sandbox)."""
    if status == RunStatus.TIMEOUT:
        return Problem(str(path), 1, f"loading the case did not finish within {timeout:g} s (per-case timeout)",
                       "a case file must not loop or wait while it is imported")
    if status == RunStatus.CRASHED:
        code = re.search(r"exit code (-?\d+|None)", text)
        how = f" (exit code {code.group(1)})" if code else ""
        return Problem(str(path), 1, f"the process loading the case died{how}",
                       "look for os._exit, unbounded recursion or memory use at import time")
    match = _WHERE.match(text)
    if match and match.group(1) == "SandboxError":
        return Problem(str(path), int(match.group(3)), match.group(4),
                       "a case must not write files, start processes or print while it is imported")
    return Problem(str(path), 1, text)


def load_registry(
    root: str | Path,
    frontend: str | None = None,
    cache: Any = None,
    *,
    timeout: float = DEFAULT_LOAD_TIMEOUT,
    jobs: int | None = None,
    pool: Any = None,
    prefetch: Prefetch | None = None,
    progress: Progress | None = None,
    exported: Exported | None = None,
) -> Registry:
    """Load every case under ``root``; bad cases become :class:`Problem` entries.

    Files are checked by name and size here; the rest (running the file and
    validating its fields) happens in worker processes, each case under
    ``timeout`` seconds.  ``cache`` (a :class:`~exportdb.execution.case_cache.CaseCache`)
    supplies unchanged cases without running them and learns the new ones.
    ``pool`` (an open :class:`~exportdb.execution.runner.WorkerPool`) runs the files; its
    first worker is started as soon as the cache's modification times suggest a file
    will need it (or one does), while the files are still being checked.  ``prefetch`` (see :func:`load_in_workers`) keeps the exports
    of the cases read, done by the processes that read them, and ``exported`` hears of each
    case whose exports are all in (see :func:`load_in_workers`); ``progress`` follows the files read.
    """
    root = Path(root)
    frontend = frontend or default_frontend()
    if not root.is_dir():
        problem = Problem(str(root), 0, "cases directory does not exist", "pass --cases DIR")
        return Registry(root, (), (problem,))
    paths = discover(root)
    misses = cache.likely_misses(paths) if cache is not None else len(paths)
    if pool is not None and misses:
        pool.start(misses, roots=[str(root)])  # their imports (and warm-up) overlap the checks below
    real_root = os.path.realpath(root)
    real_dirs: dict[Path, str] = {}
    outcomes: dict[Path, Case | list[Problem]] = {}
    todo: list[Path] = []  # files to run in workers
    for path in paths:
        problem = file_problem(real_root, path, real_dirs)
        cached = cache.lookup(path) if cache is not None and problem is None else None
        if problem is not None:
            outcomes[path] = [problem]
        elif cached is not None:
            outcomes[path] = cached
        else:
            if not todo and pool is not None:
                pool.start(roots=[str(root)])  # a no-op when it was started above
            todo.append(path)
    loaded: set[Path] = set(todo)
    if todo:
        outcomes.update(load_in_workers(todo, frontend, timeout, jobs, pool, prefetch, progress, exported))
    cases: dict[str, Case] = {}
    problems: list[Problem] = []
    for path in paths:
        outcome = outcomes[path]
        if isinstance(outcome, list):
            problems.extend(outcome)
            continue
        clash = cases.get(outcome.name.lower())
        if clash is not None:
            problems.append(Problem(str(path), 1, f"duplicate case name {outcome.name!r}: "
                                    f"also defined in {clash.path}", "rename one of the files"))
            continue
        cases[outcome.name.lower()] = outcome
        if cache is not None and path in loaded:
            cache.store(outcome)
    if cache is not None:
        cache.save()
    ordered = tuple(sorted(cases.values(), key=lambda c: c.name))
    return Registry(root, ordered, tuple(problems))
