"""What every engine is and reports: the :class:`Engine` protocol, :class:`EngineResult`, :class:`EngineInfo`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from exportdb.errors import ExportError


@dataclass(frozen=True)
class EngineResult:
    """What one engine made of one case.

    ``text`` is exactly what the docs' Result block holds: the printed program
    when ``ok``, else ``ErrorType: one-line message``.
    """

    engine: str
    ok: bool
    text: str
    error_type: str | None = None
    seconds: float = 0.0
    eager_check: str | None = None  # "match", "mismatch: ...", or None when not run
    extra: dict = field(default_factory=dict)


class Engine(Protocol):
    name: str

    def version(self) -> str:
        """Version string that goes into cache keys and the support matrix."""

    def unavailable_reason(self) -> str | None:
        """None when the engine can run here, else a one-line explanation."""

    def run_case(self, path: Path, *, rewrite: bool = False) -> EngineResult:
        """Export the case's ``model`` (or its rewrite) and report the outcome."""


@dataclass(frozen=True)
class EngineInfo:
    """An engine as seen by one run: its version, or why it cannot run here."""

    name: str
    version: str
    unavailable: str | None = None


def error_text(exc: BaseException) -> str:
    """``ErrorType: first non-empty line of the message``: the Result form of a failure, for every engine."""
    if isinstance(exc, ExportError):
        return exc.one_line()
    message = next((line.strip() for line in str(exc).splitlines() if line.strip()), "")
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__
