"""The pipes between the runner and its workers: length-prefixed JSON, checked against a schema.

Nothing crossing a pipe is ever unpickled.  Each message is an 8-byte
little-endian length followed by that many bytes of UTF-8 JSON; the parent
refuses a frame longer than :data:`MAX_FRAME_BYTES` and validates every field
of every message it reads (:func:`decode_answer`).  A worker's answer that
fails validation is reported as that job's error, never raised, and never
reaches a cache.

Messages from parent to worker are jobs (``{"id", "case", "path", "engine",
"rewrite", "then"}``), ``{"warm_up": true}`` (sent first, when many jobs
follow: the worker warms its engines up before saying ready) and ``{"stop": true}``.  Messages from worker to parent are
``{"ready": true}`` and answers: ``{"id": N, "exit": CODE}`` on the first line
of the frame, then the JSON the job produced (``{"completed": true, "result":
{...}}`` or ``{"completed": false, "error": "..."}``), or nothing when the
job's process died before it answered (``exit`` then says how).

A job whose ``then`` names engines has several steps, all run in the same
process: its own, then, when that one's result is ok, the export of the same
case by each engine in ``then`` (and of its rewrite, when the first result's
``extra`` says ``"has_rewrite": true``); :func:`follow_on_steps` is the rule,
shared by both ends.  Each step is answered in order, and the job ends with a
closing answer without a body whose ``exit`` is the process's exit code.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from exportdb.engines import EngineResult

HEADER_BYTES = 8
MAX_FRAME_BYTES = 8 << 20  # a worker's answer longer than this is refused (the Result itself is capped lower)
MAX_EXTRA_DEPTH = 8  # nesting allowed inside a Result's ``extra``


class ChannelError(ValueError):
    """A message that does not follow the protocol (the text says what is wrong)."""


def frame(payload: bytes) -> bytes:
    return len(payload).to_bytes(HEADER_BYTES, "little") + payload


def encode(message: dict[str, Any]) -> bytes:
    """One framed message: ``message`` as JSON (``allow_nan`` off: JSON has no NaN)."""
    return frame(json.dumps(message, allow_nan=False, separators=(",", ":")).encode("utf-8"))


class FrameReader:
    """Splits a byte stream into frames; :meth:`feed` raises :class:`ChannelError` on an oversized one."""

    def __init__(self, limit: int = MAX_FRAME_BYTES):
        self.limit = limit
        self.buffer = bytearray()

    def feed(self, chunk: bytes) -> list[bytes]:
        frames, error = self.feed_until_error(chunk)
        if error is not None:
            raise error
        return frames

    def feed_until_error(self, chunk: bytes) -> tuple[list[bytes], ChannelError | None]:
        """The frames complete so far, and the error that stopped the stream after them (if any)."""
        self.buffer += chunk
        frames = []
        while len(self.buffer) >= HEADER_BYTES:
            size = int.from_bytes(self.buffer[:HEADER_BYTES], "little")
            if size > self.limit:
                return frames, ChannelError(f"a message of {size} bytes (more than the limit of {self.limit})")
            if len(self.buffer) < HEADER_BYTES + size:
                break
            frames.append(bytes(self.buffer[HEADER_BYTES:HEADER_BYTES + size]))
            del self.buffer[:HEADER_BYTES + size]
        return frames, None


def _load(data: bytes) -> Any:
    try:
        return json.loads(data.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ChannelError(f"not JSON ({type(exc).__name__})") from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


# --------------------------------------------------------------------------- jobs (parent -> worker)


def encode_job(job_id: int, case: str, path: str, engine: str, rewrite: bool, then: tuple[str, ...] = ()) -> bytes:
    return encode({"id": job_id, "case": case, "path": path, "engine": engine, "rewrite": rewrite,
                   "then": list(then)})


WARM_UP = encode({"warm_up": True})


def decode_job(data: bytes) -> dict[str, Any] | None:
    """A job as a dict (``{"warm_up": True}`` for the warm-up message), or None for the stop message."""
    message = _load(data)
    if not isinstance(message, dict):
        raise ChannelError("a job must be an object")
    if message.get("stop") is True:
        return None
    if message == {"warm_up": True}:
        return message
    expected = {"id": int, "case": str, "path": str, "engine": str, "rewrite": bool, "then": list}
    _check_fields(message, expected, "job")
    if not all(isinstance(name, str) for name in message["then"]):
        raise ChannelError("a job's 'then' must list engine names")
    return message


def follow_on_steps(first: EngineResult | None, then: list[str] | tuple[str, ...]) -> list[tuple[str, bool]]:
    """The ``(engine, rewrite)`` steps that follow a job's own step, whose result was ``first``."""
    if first is None or not first.ok or not then:
        return []
    rewrites = (False, True) if first.extra.get("has_rewrite") is True else (False,)
    return [(engine, rewrite) for engine in then for rewrite in rewrites]


# --------------------------------------------------------------------------- answers (worker -> parent)


@dataclass(frozen=True)
class Answer:
    """One validated answer: for job ``job_id``, the ``result`` (completed) or an ``error`` line."""

    job_id: int
    exit_code: int | None  # of the job's process, when it ended without answering
    result: EngineResult | None = None
    error: str | None = None


READY = encode({"ready": True})


def answer_body(completed: bool, payload: Any) -> bytes:
    """What a job's process writes: its result (an :class:`EngineResult`) or its error line, as JSON."""
    if completed:
        result = payload
        body = {"completed": True, "result": {
            "engine": result.engine, "ok": result.ok, "text": result.text, "error_type": result.error_type,
            "seconds": result.seconds, "eager_check": result.eager_check, "extra": result.extra}}
    else:
        body = {"completed": False, "error": str(payload)}
    try:
        return json.dumps(body, allow_nan=False, separators=(",", ":")).encode("utf-8")
    except (TypeError, ValueError) as exc:
        error = f"ResultNotData: the engine's Result holds something that is not JSON data ({exc})"
        return json.dumps({"completed": False, "error": error}).encode("utf-8")


def answer_frame(job_id: int, exit_code: int | None, body: bytes) -> bytes:
    """The frame a worker sends for one job: a JSON header line, then the body its process wrote."""
    header = json.dumps({"id": job_id, "exit": exit_code}).encode("utf-8")
    return frame(header + b"\n" + body)


def is_ready(data: bytes) -> bool:
    return data == READY[HEADER_BYTES:]


def decode_answer(data: bytes) -> Answer:
    """Validate one answer frame; :class:`ChannelError` says what is wrong with it."""
    head, newline, body = data.partition(b"\n")
    if not newline:
        raise ChannelError("an answer without its header line")
    header = _load(head)
    if not isinstance(header, dict) or set(header) != {"id", "exit"} or type(header["id"]) is not int \
            or not (header["exit"] is None or type(header["exit"]) is int):
        raise ChannelError("a malformed answer header")
    job_id, exit_code = header["id"], header["exit"]
    if not body:
        return Answer(job_id, exit_code)
    message = _load(body)
    if not isinstance(message, dict) or type(message.get("completed")) is not bool:
        raise ChannelError("an answer must be an object with a boolean 'completed'")
    if not message["completed"]:
        _check_fields(message, {"completed": bool, "error": str}, "error answer")
        return Answer(job_id, exit_code, error=message["error"])
    _check_fields(message, {"completed": bool, "result": dict}, "answer")
    return Answer(job_id, exit_code, result=result_from_data(message["result"]))


_RESULT_FIELDS: dict[str, Any] = {"engine": str, "ok": bool, "text": str, "error_type": (str, type(None)),
                                  "seconds": (int, float), "eager_check": (str, type(None)), "extra": dict}


def result_from_data(data: Any) -> EngineResult:
    """An :class:`EngineResult` from its JSON form, every field checked (``extra``: JSON data, bounded depth)."""
    if not isinstance(data, dict):
        raise ChannelError("a result must be an object")
    _check_fields(data, _RESULT_FIELDS, "result")
    if isinstance(data["seconds"], bool) or not math.isfinite(data["seconds"]) or data["seconds"] < 0:
        raise ChannelError("a result's 'seconds' must be a finite number of seconds")
    if any(not isinstance(key, str) for key in data["extra"]):
        raise ChannelError("a result's 'extra' must have string keys")
    _check_depth(data["extra"], MAX_EXTRA_DEPTH)
    return EngineResult(**data)


def _check_fields(message: dict[str, Any], expected: dict[str, Any], what: str) -> None:
    if set(message) != set(expected):
        missing, unknown = sorted(set(expected) - set(message)), sorted(set(message) - set(expected))
        raise ChannelError(f"a {what} with missing fields {missing} or unknown fields {unknown}")
    for name, kind in expected.items():
        value = message[name]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if (type(value) is bool and bool not in kinds) or not isinstance(value, kinds):
            raise ChannelError(f"a {what}'s {name!r} is a {type(value).__name__}")


def _check_depth(value: Any, depth: int) -> None:
    if isinstance(value, (dict, list)):
        if depth <= 0:
            raise ChannelError("a result's 'extra' is nested too deeply")
        for item in (value.values() if isinstance(value, dict) else value):
            _check_depth(item, depth - 1)
