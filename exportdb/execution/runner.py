"""Run cases through engines: a result cache and a pool of worker processes.

Each (case, engine, rewrite?) pair is one job.  A job whose cache key (case
file content, engine name and version, exporter fingerprint) is in the cache is
not run again.  The others run in worker processes with a per-job timeout; a
hanging or crashing job becomes an error entry and the run goes on.  Only
outcomes the engine itself reported are cached; timeouts, crashes and engine
bugs are never cached::

    >>> report = run_cases(registry.cases, ["builtin"], cache_dir=".cache")  # doctest: +SKIP
    >>> report.get("nested_function", "builtin").result.ok                   # doctest: +SKIP
    True
"""

from __future__ import annotations

import itertools
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from multiprocessing.connection import wait
from pathlib import Path

from exportdb.engines import EngineInfo, EngineResult, describe_engine  # noqa: F401 - EngineInfo, EngineResult re-exported
from exportdb.errors import DISPLAY_ROOT_ENV, display_path
from exportdb.catalog.registry import Case
from exportdb.execution.result_cache import ResultCache, exporter_fingerprint, user_cache_dir  # noqa: F401
from exportdb.execution.records import (  # noqa: F401 - re-exported: the records of a run
    Job, Prefetch, RunRecord, RunReport, RunStatus, _failure)
from exportdb.execution.support import Mismatch, SupportSummary, verify_support  # noqa: F401 - re-exported
from exportdb.execution import channel
from exportdb.execution import bytecode, isolation
from exportdb.execution.worker import SANDBOXED_ENV, SCRATCH_ENV, WORKER_MEMORY_LIMIT

DEFAULT_TIMEOUT = 120.0
Progress = Callable[[int, int, str], None]


# --------------------------------------------------------------------------- workers


STARTUP_TIMEOUT = 120.0  # a worker that cannot even start within this is reported as crashed
_WORKER_CODE = ("import exportdb.execution.bytecode as b; b.install_from_environment(); "
                "from exportdb.execution.worker import worker_main; worker_main()")
MAX_RESULT_CHARS = 200_000  # a longer Result is reported as an error instead of rendered
_JOB_IDS = itertools.count(1)


CACHE_FLUSH_SECONDS = 20.0  # a long run writes the result cache at least this often
PIPELINE_DEPTH = 4  # jobs queued in a worker's pipe, so it never waits for the parent between jobs


#: Variables a worker inherits; every other one (tokens, passwords, CI secrets) is left behind.
_PASSED_ENV = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "PYTHONDONTWRITEBYTECODE", "PYTHONHASHSEED",
               "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "SOURCE_DATE_EPOCH")


_THREAD_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def default_workers(jobs: int | None = None) -> int:
    """How many workers run ``jobs`` jobs by default: one more than the machine has CPUs (and no
    more than the jobs).  A worker is a fork server: while it forks, reaps and cleans up after
    each case's process, that process is not running, so with one worker per CPU a core idles
    between cases; the extra worker keeps every core busy."""
    size = (os.cpu_count() or 1) + 1
    return max(1, min(size, jobs)) if jobs is not None else size


def worker_environment(scratch: str) -> dict[str, str]:
    """The whole environment of a worker: a few harmless variables, ``sys.path`` and its scratch directory."""
    env = {name: os.environ[name] for name in _PASSED_ENV if name in os.environ}
    for name in _THREAD_ENV:  # one thread per case: the workers already use every core, and
        env.setdefault(name, "1")  # idle BLAS threads spinning in a fork server only take CPU from them
    env["PYTHONPATH"] = os.pathsep.join(os.path.abspath(p) for p in sys.path if p)
    env[SCRATCH_ENV] = env["TMPDIR"] = env["HOME"] = scratch
    # case code runs in its scratch directory: file names in Results stay relative to the build's
    env[DISPLAY_ROOT_ENV] = os.getcwd()
    return env


def _hard_limits() -> None:
    """Run in the worker's process before it starts: cap its address space (soft and hard limit)."""
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = WORKER_MEMORY_LIMIT if hard == resource.RLIM_INFINITY else min(hard, WORKER_MEMORY_LIMIT)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ValueError, OSError):
        pass  # the per-case timeout still applies


class _Worker:
    """One worker process, started with the parent's interpreter and ``sys.path``.

    Up to :data:`PIPELINE_DEPTH` jobs are sent ahead; the worker runs them in
    order, so the clock of the first unanswered job (``queue[0]``) starts when
    the answer before it arrives (or when a starting worker says it is ready).
    """

    def __init__(self, engines: Sequence[str], roots: Sequence[str] = ()) -> None:
        self.scratch = tempfile.mkdtemp(prefix="exportdb-worker-")
        self.engines = frozenset(engines)
        self.roots = tuple(roots)
        argv = [sys.executable, "-c", _WORKER_CODE, *engines]
        compiled = bytecode.prepared_dir(user_cache_dir())  # the exporter's modules, compiled once
        extra = {bytecode.BYTECODE_ENV: str(compiled)} if compiled is not None else {}
        if isolation.unavailable_reason() is None:  # under bubblewrap: the scratch is a private tmpfs
            inner_env = {**worker_environment(isolation.INNER_SCRATCH), **extra, SANDBOXED_ENV: "1"}
            argv = isolation.wrap(argv, inner_env, self.roots + ((str(compiled),) if compiled else ()))
            env = {}
        else:
            notice = isolation.fallback_notice()
            if notice:
                print(notice, file=sys.stderr)
            env = {**worker_environment(self.scratch), **extra}
        self.process = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, bufsize=0, start_new_session=True,
            preexec_fn=_hard_limits,
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self.inbox = self.process.stdin
        self.fd = self.process.stdout.fileno()
        self.reader = channel.FrameReader()
        self.eof = False
        self.ready = False
        self.told = False  # whether the worker has had its first message (a job or the warm-up request)
        self.queue: deque[Job] = deque()
        self.ids: deque[int] = deque()  # the id sent with each queued job
        self.answered = 0  # answers of queue[0] received (a job with follow-on steps has several)
        self.follow_ons: list[tuple[str, bool]] = []  # queue[0]'s follow-on steps, known from its first answer
        self.timeout = 0.0
        self.deadline = 0.0

    def _start_clock(self) -> None:
        self.deadline = time.monotonic() + (self.timeout if self.ready else STARTUP_TIMEOUT)

    def _send(self, data: bytes | memoryview) -> None:
        self.told = True
        view = memoryview(data)
        try:
            while view:
                view = view[self.inbox.write(view):]
        except OSError:
            pass  # the worker is gone; the closed pipe reports it as a crash

    def ask_to_warm_up(self) -> None:
        """Ask a worker that has had no job yet to run exportdb's warm-up case before its first job."""
        if not self.told:
            self._send(channel.WARM_UP)

    def assign(self, job: Job, timeout: float) -> None:
        """Send ``job``; its clock starts when the jobs before it are answered."""
        self.queue.append(job)
        job_id = next(_JOB_IDS)
        self.ids.append(job_id)
        self.timeout = timeout
        if len(self.queue) == 1:
            self._start_clock()
        # absolute: the worker runs each case in its own scratch directory
        self._send(channel.encode_job(job_id, job.case, os.path.abspath(job.path), job.engine, job.rewrite, job.then))

    def read(self) -> list[bytes]:
        """Read what the pipe holds (call only when it is readable); return complete frames.

        Raises :class:`~exportdb.execution.channel.ChannelError` for a frame over the size limit."""
        chunk = os.read(self.fd, 1 << 16)
        if not chunk:
            self.eof = True
        return self.reader.feed(chunk)

    def pop(self) -> Job:
        self.ids.popleft()
        self.answered, self.follow_ons = 0, []
        return self.queue.popleft()

    def step(self) -> Job | None:
        """The step of ``queue[0]`` waiting for its answer: the job itself, then each follow-on
        step; None when every step it has is answered."""
        job = self.queue[0]
        if self.answered == 0:
            return job
        if self.answered > len(self.follow_ons):
            return None
        engine, rewrite = self.follow_ons[self.answered - 1]
        return Job(job.case, job.path, engine, rewrite)

    def pop_step(self) -> Job | None:
        """Give up on ``queue[0]``: pop it, and return the step to blame (None: all were answered)."""
        step = self.step()
        self.pop()
        return step

    def exit_code(self) -> int | None:
        try:
            return self.process.wait(5)
        except subprocess.TimeoutExpired:
            return None

    def kill(self) -> None:
        """Kill the worker and the case process it may be running (its process group)."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except OSError:
            self.process.kill()
        self.process.wait()
        self._close()

    def stop(self) -> None:
        self.ask_to_stop()
        self.wait_stopped()

    def ask_to_stop(self) -> None:
        """Tell the worker to exit after its jobs (it takes a while: its interpreter shuts down)."""
        try:
            self.inbox.write(channel.encode({"stop": True}))
            self.inbox.close()
        except OSError:
            pass

    def wait_stopped(self) -> None:
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.kill()
            return
        self._close()

    def _close(self) -> None:
        for stream in (self.inbox, self.process.stdout):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass
        shutil.rmtree(self.scratch, ignore_errors=True)


class WorkerPool:
    """Runs jobs in up to ``size`` worker processes, each job under ``timeout`` seconds.

    Used as a context manager, the pool keeps its workers between :meth:`run`
    calls (reading the cases and exporting them share the same processes) and
    stops them on exit; :meth:`start` launches workers ahead of need, so they
    import while the caller is still busy.  Without ``with``, every
    :meth:`run` stops its workers when it ends.  ``engines`` are loaded by
    every worker at start-up (a job naming another engine loads it when it runs).
    """

    def __init__(self, size: int, timeout: float = DEFAULT_TIMEOUT, engines: Sequence[str] = ()):
        self.size = max(1, size)
        self.timeout = timeout
        self.engines = tuple(engines)
        self.idle: list[_Worker] = []
        self.stopping: list[_Worker] = []
        self.keep = False
        self.on_start: list[Callable[[], None]] = []  # see when_started

    def __enter__(self) -> "WorkerPool":
        self.keep = True
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the idle workers (all at once) and wait for them."""
        self.keep = False
        self.release()
        stopping, self.stopping = self.stopping, []
        for worker in stopping:
            worker.wait_stopped()

    def release(self) -> None:
        """Tell the idle workers to exit, without waiting: :meth:`close` waits for them later.  A worker
        started ahead of need that never had a job is killed at once (it may still be importing)."""
        idle, self.idle = self.idle, []
        for worker in idle:
            if worker.told:
                worker.ask_to_stop()
                self.stopping.append(worker)
            else:
                worker.kill()

    def when_started(self, action: Callable[[], None]) -> None:
        """Call ``action`` once, as soon as a worker process has been launched: work the caller can do
        while the worker imports (a build reads its result cache then) without slowing the launch."""
        self.on_start.append(action)

    def _launched(self) -> None:
        actions, self.on_start = self.on_start, []
        for action in actions:
            action()

    def start(self, count: int = 1, roots: Sequence[str] = ()) -> None:
        """Start workers for ``count`` jobs to come (one each, up to the pool's size) that :meth:`run`
        will use; under bubblewrap they can read the case directories ``roots`` (and what Python
        needs) only.  When more jobs than workers are to come, they warm up at once (see :meth:`run`)."""
        roots = tuple(os.path.realpath(r) for r in roots)
        wanted = min(count, self.size)
        while len(self.idle) < wanted:
            worker = _Worker(self.engines, roots)
            if count > wanted:
                worker.ask_to_warm_up()
            self.idle.append(worker)
            self._launched()

    def run(self, jobs: Sequence[Job], done: Callable[[RunRecord], None]) -> None:
        """Run every job, calling ``done`` with each record as soon as it is known."""
        pending = deque(jobs)
        engines = tuple(dict.fromkeys([*self.engines, *sorted({job.engine for job in jobs})]))
        wanted = min(self.size, len(pending))
        workers: list[_Worker] = []
        paths = {job.path for job in jobs}
        unfit = [w for w in self.idle if not isolation.covers(w.roots, paths)]
        if unfit:  # started for other case directories: they cannot read these cases
            self.idle = [w for w in self.idle if w not in unfit]
            for worker in unfit:
                worker.ask_to_stop()
            self.stopping += unfit
        roots = isolation.covering_dirs(paths)
        warm_up = len(pending) > wanted  # more than one job per worker: every child is worth starting warm
        try:
            while pending or any(w.queue for w in workers):
                while pending and len(workers) < wanted:
                    workers.append(self.idle.pop() if self.idle else _Worker(engines, roots))
                    self._launched()
                    if warm_up:
                        workers[-1].ask_to_warm_up()
                while pending:  # deal jobs out one at a time to the least loaded worker
                    worker = min(workers, key=lambda w: len(w.queue))
                    if len(worker.queue) >= PIPELINE_DEPTH:
                        break
                    worker.assign(pending.popleft(), self.timeout)
                busy = [w for w in workers if w.queue]
                wait_for = max(0.0, min(w.deadline for w in busy) - time.monotonic())
                ready = set(wait([w.fd for w in busy], timeout=wait_for))
                for worker in busy:
                    records, dead = self._collect(worker, worker.fd in ready)
                    if dead:
                        workers.remove(worker)
                        pending.extendleft(reversed(worker.queue))  # not run yet: they go to another worker
                        worker.queue.clear()
                        worker.ids.clear()
                        worker.kill()
                    for record in records:
                        done(record)
        finally:
            for worker in workers:
                if worker.queue:
                    worker.kill()
                else:
                    self.idle.append(worker)
            if not self.keep:
                self.close()

    def _collect(self, worker: _Worker, readable: bool) -> tuple[list[RunRecord], bool]:
        """The records ``worker`` answered, and whether it must be killed (its first job then failed)."""
        records = []
        if readable:
            try:
                frames = worker.read()
            except channel.ChannelError as exc:
                frames, refused = [], str(exc)
            else:
                refused = None
            for data in frames:
                if channel.is_ready(data):
                    worker.ready = True
                    if worker.queue:
                        worker._start_clock()
                    continue
                if not worker.queue:
                    refused = "an answer when no job was running"
                    break
                try:
                    answer = channel.decode_answer(data)
                except channel.ChannelError as exc:
                    refused = str(exc)
                    break
                if answer.job_id != worker.ids[0]:
                    refused = "an answer for another job"
                    break
                if not worker.queue[0].then:
                    records.append(self._record(worker.pop(), answer))
                else:
                    refused = self._step_answer(worker, answer, records)
                    if refused is not None:
                        break
                if worker.queue:
                    worker._start_clock()  # the next job's, or the next step's
            if refused is not None:  # the channel cannot be trusted any more: blame the running job, stop the worker
                step = worker.pop_step() if worker.queue else None
                if step is not None:
                    records.append(_failure(step, RunStatus.ERROR,
                                            f"ResultRefused: the worker's answer was refused: {refused}"))
                return records, True
            if worker.eof:
                step = worker.pop_step() if worker.queue else None
                if step is not None:
                    records.append(_failure(step, RunStatus.CRASHED, "WorkerCrashed: the worker process died (exit "
                                            f"code {worker.exit_code()}) while exporting this case"))
                return records, True
        if worker.queue and time.monotonic() >= worker.deadline:
            job = worker.pop_step()
            if job is None:  # every step answered, but the process running them did not end in time
                return records, True
            if not worker.ready:
                records.append(_failure(job, RunStatus.CRASHED, f"WorkerCrashed: the worker process did not start "
                                        f"within {STARTUP_TIMEOUT:g} s"))
            else:
                records.append(_failure(job, RunStatus.TIMEOUT, f"TimeoutError: export did not finish within "
                                        f"{self.timeout:g} s (per-case timeout)"))
            return records, True
        return records, False

    def _step_answer(self, worker: _Worker, answer: channel.Answer, records: list[RunRecord]) -> str | None:
        """Take one answer of a job with follow-on steps; what is wrong with it, if anything."""
        step = worker.step()
        if answer.result is None and answer.error is None:  # the closing answer: the process has ended
            worker.pop()
            if step is not None:  # it died before answering this step
                records.append(self._record(step, answer))
            return None
        if step is None:
            return "more answers than the job has steps"
        records.append(self._record(step, answer))
        if worker.answered == 0:
            worker.follow_ons = channel.follow_on_steps(answer.result, worker.queue[0].then)
        worker.answered += 1
        return None

    @staticmethod
    def _record(job: Job, answer: channel.Answer) -> RunRecord:
        """The record of one validated answer; a Result too long for a page is that case's error."""
        if answer.result is None and answer.error is None:
            return _failure(job, RunStatus.CRASHED, f"WorkerCrashed: the process running this case died "
                                                    f"(exit code {answer.exit_code}) before it answered")
        if answer.result is None:
            return _failure(job, RunStatus.ERROR, answer.error or "")
        result = answer.result
        if result.ok and len(result.text) > MAX_RESULT_CHARS:
            text = result.text
            return _failure(job, RunStatus.ERROR, f"OutputTooLarge: {job.path}: the Result is "
                                                  f"{text.count(chr(10)) + 1} lines ({len(text)} characters), "
                                                  f"more than a page can show (limit {MAX_RESULT_CHARS} characters)")
        return RunRecord(job, result, RunStatus.EXPORTED if result.ok else RunStatus.FAILED)


# --------------------------------------------------------------------------- entry point


def plan_jobs(cases: Iterable[Case], engines: Sequence[str]) -> list[Job]:
    """One job per case and engine, plus one per rewrite, in a stable order."""
    jobs = []
    for case in cases:
        for engine in engines:
            jobs.append(Job(case.name, str(case.path), engine))
            if case.has_rewrite:
                jobs.append(Job(case.name, str(case.path), engine, rewrite=True))
    return jobs


def run_cases(
    cases: Sequence[Case],
    engines: Sequence[str] = ("builtin",),
    *,
    cache_dir: str | Path | ResultCache | None = None,
    jobs: int | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    progress: Progress | None = None,
    pool: WorkerPool | None = None,
    prefetched: Prefetch | None = None,
) -> RunReport:
    """Run every case through every engine; see the module docstring.

    ``cache_dir`` is the result cache's directory, or the cache itself (one the
    caller opened and may have started reading).  ``pool`` (kept open by the
    caller) runs the jobs in workers it may already have started; without it a pool of ``jobs`` workers lives for this call.
    A job whose record is in ``prefetched`` (exported when its case was read)
    is not run again; its record counts as run now (not ``cached``) and is
    cached like one, and ``progress`` counts only the jobs run here.
    """
    infos = tuple(describe_engine(name) for name in engines)
    report = RunReport(infos)
    cache = cache_dir if isinstance(cache_dir, ResultCache) else ResultCache(cache_dir) if cache_dir else None
    by_name = {info.name: info for info in infos}
    todo: list[tuple[Job, str | None]] = []
    ready: list[RunRecord] = []  # run already, in the process that read the case
    digests = {str(case.path): case.digest for case in cases}  # checked against the file when it was loaded
    shown: dict[str, str] = {}

    def shown_dir(path: str) -> str:
        """How Result texts name the case's directory (relative to the working directory, or in full):
        part of the cache key, since the texts name the case file so."""
        directory = os.path.dirname(os.path.abspath(path))
        if directory not in shown:
            shown[directory] = display_path(directory)
        return shown[directory]

    for job in plan_jobs(cases, engines):
        info = by_name[job.engine]
        if info.unavailable:
            report.add(_failure(job, RunStatus.UNAVAILABLE, f"EngineUnavailable: {info.unavailable}"))
            continue
        key = (ResultCache.key_for_digest(digests[job.path], info, job.rewrite, shown_dir(job.path))
               if cache is not None else None)
        hit = cache.get(key) if cache and key else None
        fetched = prefetched.take(job) if prefetched is not None and hit is None else None
        if hit is not None:
            report.add(RunRecord(job, hit, RunStatus.EXPORTED if hit.ok else RunStatus.FAILED, cached=True))
        else:
            todo.append((job, key))
            if fetched is not None:
                ready.append(replace(fetched, job=job))
    total, finished = len(todo) - len(ready), 0  # progress counts the jobs run now
    keys = {job: key for job, key in todo}
    last_flush = time.monotonic()

    def store(record: RunRecord) -> None:
        nonlocal last_flush
        report.add(record)
        key = keys.get(record.job)
        if cache is not None and key and record.completed:
            cache.put(key, record.result)
            if time.monotonic() - last_flush > CACHE_FLUSH_SECONDS:  # a killed run keeps most of its work
                cache.flush()
                last_flush = time.monotonic()

    def done(record: RunRecord) -> None:
        nonlocal finished
        finished += 1
        store(record)
        if progress is not None:
            progress(finished, total, record.job.case)

    try:
        for record in ready:  # shown in the progress of the reading that ran them
            store(record)
        fetched_jobs = {record.job for record in ready}
        run = [job for job, _ in todo if job not in fetched_jobs]
        if run:
            if pool is None:
                size = jobs if jobs else default_workers(len(run))
                WorkerPool(size, timeout).run(run, done)
            else:
                pool.run(run, done)
    finally:
        if cache is not None:
            cache.flush()
    return report


def run_one_case(path: str | Path, engine: str, timeout: float = DEFAULT_TIMEOUT) -> RunRecord:
    """Run one case file through ``engine`` exactly as a build does: in a fresh process of a worker,
    under the same isolation and timeout (``exportdb show``)."""
    path = Path(path)
    records: list[RunRecord] = []
    WorkerPool(1, timeout).run([Job(path.stem, str(path), engine)], records.append)
    return records[0]
