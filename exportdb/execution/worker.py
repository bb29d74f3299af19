"""The body of a worker process: a fork server that runs each case in a fresh child process.

The runner starts ``python -c "from exportdb.execution.worker import worker_main; worker_main()" ENGINE...``
with the job pipe on fd 0 and the answer pipe on fd 1 (:mod:`exportdb.execution.channel`).
The worker imports the engines once, then, for each job it reads, forks a
child that holds the job already (it is in the child's memory before any case
code runs), whose only open descriptors are ``/dev/null`` on 0, 1 and 2 and
its own result pipe, and whose scratch directory is its own.  The child runs
the case, writes its answer as JSON and exits; nothing it changes (modules,
``sys.modules``, limits, threads, files in scratch) outlives it.  A job with
follow-on steps (reading a case, then exporting it with each engine: see
:func:`~exportdb.execution.channel.follow_on_steps`) runs them all in the same
child, one answer each.  The worker reads at most
:data:`~exportdb.execution.channel.MAX_FRAME_BYTES` per answer and no more
answers than the job has steps, waits for the child, and sends the answers with
the job's id and the child's exit code: a child that dies without answering
(``os._exit``, a signal, the memory cap) is reported for its own job only.
"""

from __future__ import annotations

import gc
import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path
from collections import deque
from collections.abc import Callable
from typing import Any

from exportdb.engines import Engine, EngineResult, load_engine
from exportdb.execution import channel
from exportdb.execution.sandbox import Sandbox

WARM_UP_CASE = Path(__file__).with_name("warm_up_case.py")
SANDBOXED_ENV = "EXPORTDB_IN_SANDBOX"  # set by the runner when the worker runs in its own PID namespace
SCRATCH_ENV = "EXPORTDB_WORKER_SCRATCH"
WORKER_MEMORY_LIMIT = 4 << 30  # bytes of address space per worker


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def worker_main() -> None:
    """Run the jobs framed onto fd 0, answer on fd 1.

    The engines named in ``sys.argv`` are loaded (and their imports done, when
    they have a ``warm_up`` method) before the worker reports ready, so start-up
    does not count against the first case's timeout.  Running exportdb's own
    warm-up case, which fills the engines' first-use caches for every later
    child, is worth its time only when several cases follow: the worker waits
    for its first message, and warms up before saying ready when that message
    is the runner's ``{"warm_up": true}`` (a build that re-exports one edited
    case does not wait for the warm-up).  The job and answer
    pipes are moved to private descriptors and fds 0 and 1 are pointed at
    ``/dev/null``.  Case code runs under a :class:`~exportdb.execution.sandbox.Sandbox`
    with a cap on virtual memory; a refused operation is answered as an error
    naming the case file.
    """
    inbox = os.dup(0)
    answers = os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    sys.stdout = sys.stderr
    engines = _load_engines(sys.argv[1:])
    scratch = os.environ.get(SCRATCH_ENV) or tempfile.mkdtemp(prefix="exportdb-worker-")
    sandbox = Sandbox(scratch)
    _limit_memory()
    sys.dont_write_bytecode = True  # lazy imports during a job must not write .pyc files
    sys.addaudithook(sandbox.audit)  # armed in each child only: the worker itself must fork
    server = _ForkServer(engines, sandbox, scratch, devnull, keep=(inbox, answers))
    inbox_reader = _Inbox(inbox)
    if inbox_reader.warm_up_asked():
        _warm_up(engines)  # many cases to come: every child starts warm
    gc.freeze()  # what start-up made stays shared with the children (no copy-on-write by the collector)
    _write_all(answers, channel.READY)  # the parent starts the first job's clock now
    while True:
        job = inbox_reader.next_job()
        if job is None:
            return
        server.run(job, lambda code, body, job_id=job["id"]: _write_all(
            answers, channel.answer_frame(job_id, code, body)))


class _Inbox:
    """The jobs framed onto the worker's job pipe, read ahead as they arrive; None marks the end."""

    def __init__(self, fd: int):
        self.fd = fd
        self.reader = channel.FrameReader()
        self.jobs: deque[dict[str, Any] | None] = deque()

    def _fill(self) -> None:
        chunk = os.read(self.fd, 1 << 16)
        if not chunk:
            self.jobs.append(None)
        for data in self.reader.feed(chunk):
            self.jobs.append(channel.decode_job(data))

    def warm_up_asked(self) -> bool:
        """Wait for the first message; whether it is the warm-up request (taken off the queue)."""
        while not self.jobs:
            self._fill()
        if self.jobs[0] == {"warm_up": True}:
            self.jobs.popleft()
            return True
        return False

    def next_job(self) -> dict[str, Any] | None:
        while not self.jobs:
            self._fill()
        if self.jobs[0] == {"warm_up": True}:
            self.jobs.popleft()  # only the first message may ask for it
            return self.next_job()
        return self.jobs.popleft() if self.jobs[0] is not None else None


class _ForkServer:
    """Runs each job in a forked child; see the module docstring."""

    def __init__(self, engines: dict[str, Engine], sandbox: Sandbox, scratch: str, devnull: int,
                 keep: tuple[int, ...]):
        self.engines = engines
        self.sandbox = sandbox
        self.scratch = scratch
        self.devnull = devnull
        self.keep = keep

    def run(self, job: dict[str, Any], send: Callable[[int | None, bytes], None]) -> None:
        """Run ``job`` in a forked child; ``send(exit code, body)`` its answers (see :mod:`~exportdb.execution.channel`).

        A job with one step is answered once, after the child has exited:
        ``(None, answer)``, or ``(exit code, b"")`` when it died, even after
        answering.  A job with follow-on steps gets each step's answer as soon as
        the child has written it (the parent times each step), then a closing
        ``(exit code, b"")``.
        """
        directory = os.path.join(self.scratch, f"job-{job['id']}")
        os.mkdir(directory, 0o700)
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            self._child(job, directory, read_end, write_end)
        os.close(write_end)
        reader = channel.FrameReader(channel.MAX_FRAME_BYTES - 1024)
        held: bytes | None = None
        refused = None
        most = 1 + 2 * len(job["then"])  # answers the job may have: its own step and each follow-on
        while refused is None:
            chunk = os.read(read_end, 1 << 16)
            if not chunk:
                break
            bodies, error = reader.feed_until_error(chunk)
            for body in bodies:
                most -= 1
                if most < 0:
                    refused = "ResultRefused: the case's process wrote more answers than its job has steps"
                    break
                if job["then"]:
                    send(None, body)
                else:
                    held = body
            if error is not None and refused is None:
                refused = f"OutputTooLarge: the answer of the case's process exceeds {channel.MAX_FRAME_BYTES} bytes"
        if refused is not None:
            _kill(pid)
        os.close(read_end)
        _, status = os.waitpid(pid, 0)
        if os.environ.get(SANDBOXED_ENV):
            _kill_strays()
        shutil.rmtree(directory, ignore_errors=True)
        _wipe(self.scratch)
        exit_code = os.waitstatus_to_exitcode(status)
        if refused is not None:
            send(None, channel.answer_body(False, refused))
        elif not job["then"]:
            answered = exit_code == 0 and held is not None and not reader.buffer
            send(None, held) if answered and held is not None else send(exit_code, b"")
        if job["then"]:
            send(exit_code, b"")  # the closing answer

    def _child(self, job: dict[str, Any], directory: str, read_end: int, write_end: int) -> None:
        code = 70
        try:
            os.close(read_end)
            for fd in self.keep:
                os.close(fd)
            os.dup2(self.devnull, 2)  # nothing a case writes reaches the build log
            os.closerange(3, write_end)
            os.closerange(write_end + 1, _MAX_FD)
            os.chdir(directory)
            os.environ["TMPDIR"] = os.environ["HOME"] = directory
            tempfile.tempdir = directory
            self.sandbox.scratch = os.path.realpath(directory)
            self.sandbox.arm()
            result, body = run_one(self.engines, self.sandbox, job)
            _write_all(write_end, channel.frame(body))
            for engine, rewrite in channel.follow_on_steps(result, job["then"]):
                _, body = run_one(self.engines, self.sandbox, {**job, "engine": engine, "rewrite": rewrite})
                _write_all(write_end, channel.frame(body))
            self.sandbox.armed = False
            code = 0
        finally:
            os._exit(code)


_MAX_FD = 1 << 16


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass


def _kill_strays() -> None:
    """In the sandbox's own PID namespace: kill every process but its init and this worker,
    so nothing a case started (bypassing the guard) outlives it and meets a later case."""
    keep = {1, os.getpid()}
    for _ in range(3):
        strays = [int(name) for name in os.listdir("/proc") if name.isdigit() and int(name) not in keep]
        if not strays:
            return
        for pid in strays:
            _kill(pid)
        for pid in strays:
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass


def _wipe(scratch: str) -> None:
    """Empty the worker's scratch directory: a case cannot leave a file there for a later one."""
    try:
        entries = list(os.scandir(scratch))
    except OSError:
        return
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
        else:
            try:
                os.unlink(entry.path)
            except OSError:
                pass


def _load_engines(names: list[str]) -> dict[str, Engine]:
    engines: dict[str, Engine] = {}
    for name in names:
        try:
            engines[name] = load_engine(name)
            if engines[name].unavailable_reason() is None:
                warm_up = getattr(engines[name], "warm_up", None)
                if callable(warm_up):
                    warm_up()  # the engine's heavy imports, done before the first case's clock starts
        except Exception:  # noqa: BLE001 - reported when a job needs the engine
            engines.pop(name, None)
    return engines


def _warm_up(engines: dict[str, Engine]) -> None:
    """Run exportdb's warm-up case through each engine in the worker, so its children start warm."""
    for engine in engines.values():
        try:
            if engine.unavailable_reason() is None:
                engine.run_case(WARM_UP_CASE)  # first-use caches filled here, once, not in every child
        except Exception:  # noqa: BLE001 - a warm-up is an optimisation only
            pass


def run_one(engines: dict[str, Engine], sandbox: Sandbox, job: dict[str, Any]) -> tuple[EngineResult | None, bytes]:
    """Run one job (one step) under the sandbox's watch; its result, when it completed, and the JSON body of its answer."""
    with sandbox.watch(job["path"]) as watch:
        completed, payload = _run_job(engines, job)
    if watch.violation is not None:
        completed, payload = False, f"SandboxError: {watch.violation}"
    return (payload if completed else None), channel.answer_body(completed, payload)


def _run_job(engines: dict[str, Engine], job: dict[str, Any]) -> tuple[bool, Any]:
    name = job["engine"]
    try:
        engine = engines.get(name) or engines.setdefault(name, load_engine(name))
        return True, engine.run_case(Path(job["path"]), rewrite=job["rewrite"])
    except Exception as exc:  # noqa: BLE001 - an engine bug becomes an error entry
        line = str(exc).splitlines()[0] if str(exc) else ""
        return False, f"{type(exc).__name__}: engine {name!r} raised: {line}"


def _limit_memory() -> None:
    """Cap the worker's address space, so a case allocating a huge tensor gets a MemoryError."""
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard == resource.RLIM_INFINITY or hard > WORKER_MEMORY_LIMIT:
            resource.setrlimit(resource.RLIMIT_AS, (WORKER_MEMORY_LIMIT, WORKER_MEMORY_LIMIT))
    except (ImportError, ValueError, OSError):
        pass  # not on this platform: the per-case timeout still applies
