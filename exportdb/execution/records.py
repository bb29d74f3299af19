"""What running cases produces: each job, its record (status and engine result), the report of a run,
and the exports done ahead by the processes that read their cases (:class:`Prefetch`).

Kept apart from the worker pool (:mod:`exportdb.execution.runner`, which re-exports these names)
so that the support-level verdicts (:mod:`exportdb.execution.support`) need no pool.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field

from exportdb.engines import EngineInfo, EngineResult, describe_engine


class RunStatus(str, enum.Enum):
    """How one job ended: what the engine reported (``EXPORTED``, ``FAILED``), or why
    it did not complete normally.  A ``str`` enum: it compares equal to its text."""

    EXPORTED = "exported"
    FAILED = "failed"
    TIMEOUT = "timeout"
    CRASHED = "crashed"
    ERROR = "error"
    UNAVAILABLE = "unavailable"

    __str__ = str.__str__
    __format__ = str.__format__


@dataclass(frozen=True)
class Job:
    """One run of a case file by an engine; with ``then``, the same process goes on to export the case
    with those engines (see :func:`~exportdb.execution.channel.follow_on_steps`), each a record of its own."""

    case: str
    path: str
    engine: str
    rewrite: bool = False
    then: tuple[str, ...] = ()


@dataclass(frozen=True)
class RunRecord:
    """The outcome of one job.

    ``status`` is ``exported`` or ``failed`` (what the engine reported),
    ``timeout``, ``crashed`` or ``error`` (the job did not complete normally),
    or ``unavailable`` (the engine cannot run here).
    """

    job: Job
    result: EngineResult
    status: RunStatus
    cached: bool = False

    @property
    def completed(self) -> bool:
        return self.status in (RunStatus.EXPORTED, RunStatus.FAILED)


@dataclass
class RunReport:
    """Everything one run produced."""

    engines: tuple[EngineInfo, ...]
    records: dict[tuple[str, str, bool], RunRecord] = field(default_factory=dict)

    def get(self, case: str, engine: str, rewrite: bool = False) -> RunRecord | None:
        return self.records.get((case, engine, rewrite))

    def add(self, record: RunRecord) -> None:
        job = record.job
        self.records[(job.case, job.engine, job.rewrite)] = record

    @property
    def available_engines(self) -> tuple[str, ...]:
        return tuple(e.name for e in self.engines if e.unavailable is None)


@dataclass
class Prefetch:
    """Exports run by the process that read their case file (reading jobs with ``then``), kept for
    :func:`run_cases`: one fresh process per case does both, instead of one to read and one to export.

    ``engines`` are the engines that can run here; :meth:`add` keeps each follow-on record,
    :meth:`take` hands it over once, for the job that would otherwise run it again.
    """

    engines: tuple[str, ...]
    records: dict[tuple[str, str, bool], RunRecord] = field(default_factory=dict)

    @classmethod
    def for_engines(cls, engines: Sequence[str]) -> "Prefetch":
        return cls(tuple(name for name in engines if describe_engine(name).unavailable is None))

    def add(self, record: RunRecord) -> None:
        job = record.job
        self.records[(job.path, job.engine, job.rewrite)] = record

    def take(self, job: Job) -> RunRecord | None:
        return self.records.pop((job.path, job.engine, job.rewrite), None)


def _failure(job: Job, status: RunStatus, text: str) -> RunRecord:
    error_type = text.partition(":")[0]
    return RunRecord(job, EngineResult(job.engine, False, text, error_type), status)
