"""Run OpInfos in worker processes, each sample under a time limit.

Workers are forked from the process that loaded op_db and take one op at a
time; they report each sample as it starts, when torch is done with it, and
when it is classified.  A worker that overruns the time limit is killed, one
that crashes is noticed, and in both cases the sample is recorded (against
torch.export when torch had not finished with it, else against the built-in
engine) and a fresh worker goes on with the next sample.  A worker is also
replaced after :attr:`RunSettings.recycle` ops, which bounds the memory
torch.export's caches grow to.  What this does not guarantee: a sample that
hangs inside C code keeps its worker busy until the time limit.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import deque
from dataclasses import asdict, dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, Callable, Sequence

from exportdb.tools.conformance.op_report import OpResult
from exportdb.tools.conformance.op_sample import SampleOutcome

GENERATION_TIME = 300.0  # seconds an op may take to load and generate its samples


@dataclass(frozen=True)
class RunSettings:
    """Where results go and how samples are run."""

    work_dir: Path  # generated case files live in work_dir/cases
    use_cache: bool = True  # torch.export results under work_dir/torch-ops
    timeout: float = 60.0  # seconds per sample
    jobs: int = 1
    recycle: int = 25
    samples: int | None = None  # at most this many samples per op and dtype (the first ones); None: all
    dtypes: tuple[str, ...] = ("float32",)  # an op without float32 runs its int64 and bool samples instead


def _callee_label(callee: Any) -> str:
    if callee is None:
        return ""
    if callee.kind == "subscript":
        return "Tensor.__getitem__"
    return callee.name if callee.kind in ("function", "template") else f"Tensor.{callee.name}"


def preload() -> None:
    """Import everything a worker runs, in the parent before it forks any.

    Workers then run the code as it was when the run started, even while the
    source tree changes under a long run (a worker importing a newer module
    next to older ones it inherited could not even start).
    """
    import torch
    import torch.export  # noqa: F401

    from exportdb.engines.builtin import BuiltinEngine
    from exportdb.engines import torch_engine  # noqa: F401
    from exportdb.tools.conformance import op_sample  # noqa: F401

    BuiltinEngine().warm_up()


def _worker(conn: Connection, settings: RunSettings) -> None:
    """Worker loop: receive (op key, first sample), report the op's samples, until None."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # torch prints; the parent's stdout may carry --json
    log = os.open(settings.work_dir / "workers.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    os.dup2(log, 2)  # torch's C++ warnings, and why a worker died
    import warnings

    warnings.simplefilter("ignore")
    import torch

    from exportdb.tools.conformance import opinfos
    from exportdb.tools.conformance.op_sample import run_sample
    from exportdb.tools.conformance.torch_cache import TorchResultCache

    torch.set_num_threads(1)
    ops = opinfos.ops_by_key()
    cache = TorchResultCache(settings.work_dir / "torch-ops" if settings.use_cache else None)
    case_dir = settings.work_dir / "cases"
    case_dir.mkdir(parents=True, exist_ok=True)
    while True:
        job = conn.recv()
        if job is None:
            return
        key, start = job
        op = ops[key]
        callee = opinfos.callee_of(op)
        label = _callee_label(callee)
        samples, note = _samples(op, callee, settings)
        conn.send(("op", key, label, len(samples), note))
        tolerances = opinfos.float32_tolerances(op)
        for index in range(start, len(samples)):
            dtype, sample = samples[index]
            conn.send(("start", index))
            torch_done = []
            try:
                outcome = run_sample(torch, op, key, index, sample, callee, tolerances, cache, case_dir,
                                     lambda ok: (torch_done.append(ok), conn.send(("torch", ok))))
            except Exception as exc:  # noqa: BLE001 - recorded against the side that was running
                status = "not supported" if torch_done and torch_done[0] else "torch refuses"
                outcome = SampleOutcome(index, status, f"harness error: {type(exc).__name__}: {exc}"[:300])
            outcome.dtype = dtype
            conn.send(("sample", asdict(outcome)))
        torch._dynamo.reset()
        conn.send(("done", key))


def _samples(op: Any, callee: Any, settings: RunSettings) -> tuple[list[tuple[str, Any]], str]:
    """(dtype, SampleInput) of every sample the op runs (float32 first, so indices stay put), or why none."""
    from exportdb.tools.conformance import opinfos

    if callee is None:
        if opinfos.is_internal(op):
            return [], "a private or internal op (no public spelling a user could write)"
        return [], "no function variant in a public torch namespace and no Tensor method variant"
    dtypes = opinfos.sample_dtypes(op, settings.dtypes)
    if not dtypes:
        wanted = dict.fromkeys([*settings.dtypes, *opinfos.FALLBACK_DTYPES])
        return [], f"the OpInfo supports none of {', '.join(wanted)} on CPU"
    samples: list[tuple[str, Any]] = []
    for dtype in dtypes:
        try:
            samples += [(dtype, s) for s in opinfos.samples_of(op, dtype)[:settings.samples]]
        except Exception as exc:  # noqa: BLE001 - an OpInfo that cannot make samples has none
            return samples, f"{dtype} sample generation raised {type(exc).__name__}"
    return samples, ""


class _Worker:
    def __init__(self, context: Any, settings: RunSettings):
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker, args=(child, settings), daemon=True)
        self.process.start()
        child.close()
        self.job: tuple[str, int] | None = None
        self.sample: int | None = None
        self.torch_done = False
        self.deadline: float | None = None
        self.ops_done = 0

    def assign(self, job: tuple[str, int]) -> None:
        self.job, self.sample, self.torch_done = job, None, False
        self.deadline = time.monotonic() + GENERATION_TIME
        self.conn.send(job)

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except OSError:
            pass
        self.process.join(5)
        self.kill()

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.conn.close()


ProgressFn = Callable[[int, int, OpResult], None]


def run_ops(keys: Sequence[str], settings: RunSettings, progress: ProgressFn | None = None) -> list[OpResult]:
    """Every op of ``keys`` through both engines; results in the order of ``keys``."""
    context = multiprocessing.get_context("fork")
    settings.work_dir.mkdir(parents=True, exist_ok=True)
    preload()
    results = {key: OpResult(key) for key in keys}
    pending: deque[tuple[str, int]] = deque((key, 0) for key in keys)
    workers: list[_Worker] = []
    finished = 0
    try:
        while pending or any(w.job for w in workers):
            while pending and len(workers) < settings.jobs:
                workers.append(_Worker(context, settings))
            for worker in workers:
                if worker.job is None and pending:
                    worker.assign(pending.popleft())
            busy = [w for w in workers if w.job is not None]
            now = time.monotonic()
            deadlines = [w.deadline for w in busy if w.deadline is not None]
            timeout = max(0.0, min(deadlines) - now) if deadlines else None
            ready = wait([w.conn for w in busy], timeout)
            for worker in list(busy):
                if worker.conn in ready:
                    try:
                        while worker.conn.poll():
                            message = worker.conn.recv()
                            if _handle(worker, message, results, settings):
                                finished += 1
                                if progress:
                                    progress(finished, len(keys), results[message[1]])
                    except (EOFError, OSError):
                        lost = _lost(worker, "crashed", results, pending)
                        workers.remove(worker)
                        if lost:
                            finished += 1
                            if progress:
                                progress(finished, len(keys), results[lost])
                        continue
                    if worker.job is None and worker.ops_done >= settings.recycle:
                        worker.stop()
                        workers.remove(worker)
                elif worker.deadline is not None and time.monotonic() >= worker.deadline:
                    lost = _lost(worker, f"timed out after {settings.timeout:g} s", results, pending)
                    workers.remove(worker)
                    if lost:
                        finished += 1
                        if progress:
                            progress(finished, len(keys), results[lost])
    finally:
        for worker in workers:
            worker.kill()
    return [results[key] for key in keys]


def _handle(worker: _Worker, message: tuple, results: dict[str, OpResult], settings: RunSettings) -> bool:
    """Apply one worker message; True when it finishes an op."""
    kind = message[0]
    result = results[worker.job[0]] if worker.job else None
    if kind == "op" and result is not None:
        _, _, result.call, result.total, result.note = message
    elif kind == "start":
        worker.sample, worker.torch_done = message[1], False
        worker.deadline = time.monotonic() + settings.timeout
    elif kind == "torch":
        worker.torch_done = True
    elif kind == "sample" and result is not None:
        result.samples.append(SampleOutcome(**message[1]))
        worker.sample, worker.deadline = None, time.monotonic() + GENERATION_TIME
    elif kind == "done":
        worker.job, worker.deadline = None, None
        worker.ops_done += 1
        return True
    return False


def _lost(worker: _Worker, what: str, results: dict[str, OpResult], pending: deque) -> str | None:
    """A worker died or overran: record its sample and requeue the rest of its op.

    Returns the op's key when the op is finished for good (lost before any sample ran).
    """
    worker.kill()
    if worker.job is None:
        return None
    key, _ = worker.job
    result = results[key]
    if worker.sample is None:  # lost while loading the op or generating its samples
        result.note = f"the worker {what} while generating the samples"
        return key
    if worker.torch_done:
        result.samples.append(SampleOutcome(worker.sample, "not supported", f"the built-in engine {what}"))
    else:
        result.samples.append(SampleOutcome(worker.sample, "torch refuses", f"torch {what}"))
    pending.appendleft((key, worker.sample + 1))
    return None
