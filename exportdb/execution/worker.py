"""The body of a worker process: read jobs, run each case, answer with JSON.

The runner starts ``python -c "from exportdb.execution.worker import worker_main; worker_main()" ENGINE...``
with the job pipe on fd 0 and the answer pipe on fd 1 (:mod:`exportdb.execution.channel`).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from exportdb.engines import Engine, load_engine
from exportdb.engines.case_module import CASE_MODULE_PREFIX
from exportdb.execution import channel
from exportdb.execution.sandbox import Sandbox

SCRATCH_ENV = "EXPORTDB_WORKER_SCRATCH"
WORKER_MEMORY_LIMIT = 4 << 30  # bytes of address space per worker


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def worker_main() -> None:
    """Run the jobs framed onto fd 0, answer on fd 1.

    The engines named in ``sys.argv`` are loaded (and warmed up, when they
    have a ``warm_up`` method) before the worker reports ready, so start-up
    does not count against the first case's timeout.  The job and answer
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
    sandbox = Sandbox(os.environ.get(SCRATCH_ENV) or tempfile.mkdtemp(prefix="exportdb-worker-"))
    _limit_memory()
    sys.dont_write_bytecode = True  # lazy imports during a job must not write .pyc files
    sys.addaudithook(sandbox.audit)
    sandbox.arm()
    _write_all(answers, channel.READY)
    reader = channel.FrameReader()
    while True:
        chunk = os.read(inbox, 1 << 16)
        if not chunk:
            return
        for data in reader.feed(chunk):
            job = channel.decode_job(data)
            if job is None:
                return
            body = run_one(engines, sandbox, job)
            _write_all(answers, channel.answer_frame(job["id"], None, body))


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


def run_one(engines: dict[str, Engine], sandbox: Sandbox, job: dict[str, Any]) -> bytes:
    """Run one job under the sandbox's watch; the JSON body of its answer."""
    with sandbox.watch(job["path"]) as watch:
        completed, payload = _run_job(engines, job)
    _forget_case_modules()
    if watch.violation is not None:
        completed, payload = False, f"SandboxError: {watch.violation}"
    return channel.answer_body(completed, payload)


def _forget_case_modules() -> None:
    """Drop the case modules a job left in ``sys.modules``, so a worker's memory does not grow per case."""
    for name in [name for name in sys.modules if name.startswith(CASE_MODULE_PREFIX)]:
        del sys.modules[name]


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
        if soft == resource.RLIM_INFINITY or soft > WORKER_MEMORY_LIMIT:
            limit = WORKER_MEMORY_LIMIT if hard == resource.RLIM_INFINITY else min(hard, WORKER_MEMORY_LIMIT)
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, ValueError, OSError):
        pass  # not on this platform: the per-case timeout still applies
