"""What every engine is and reports: the :class:`Engine` protocol, :class:`EngineResult`, :class:`EngineInfo`."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from exportdb.errors import ExportError, SourceLocation


#: The print styles of a Result (see :mod:`exportdb.exporter.ir.printer`, whose ``STYLES`` these are):
#: the seed documents' layout, the default, and torch.export 2.13's own ``str(ep)``.
PRINT_STYLES = ("seed", "torch")


@dataclass(frozen=True)
class EngineResult:
    """What one engine made of one case.

    ``text`` is exactly what the docs' Result block holds: the printed program
    when ``ok``, else ``ErrorType: one-line message``.  An engine that prints a
    program in several styles keeps the others in ``extra["styles"]``
    (``{"torch": ...}``); :meth:`text_in` picks one.
    """

    engine: str
    ok: bool
    text: str
    error_type: str | None = None
    seconds: float = 0.0
    eager_check: str | None = None  # "match", "mismatch: ...", or None when not run
    extra: dict = field(default_factory=dict)

    def text_in(self, style: str) -> str:
        """The Result in print style ``style``: the program as the engine printed it in that style,
        else ``text`` (a failure, or an engine with one layout only, such as torch's own)."""
        return self.extra.get("styles", {}).get(style, self.text)


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


def case_location(exc: BaseException, case_file: Path | str) -> SourceLocation | None:
    """The innermost frame of ``exc``'s traceback that runs in ``case_file``, if any."""
    wanted = os.path.realpath(case_file)
    found = None
    tb = exc.__traceback__
    while tb is not None:
        if os.path.realpath(tb.tb_frame.f_code.co_filename) == wanted:
            found = SourceLocation(tb.tb_frame.f_code.co_filename, tb.tb_lineno, tb.tb_frame.f_code.co_name)
        tb = tb.tb_next
    return found


def error_text(exc: BaseException, case_file: Path | str | None = None) -> str:
    """``ErrorType: first non-empty line of the message``: the Result form of a failure, for every engine.

    An exception the case's own code raised (``KeyError`` in ``forward``) is not an
    :class:`ExportError` and knows no location; given ``case_file``, its text names the
    innermost line of that file it passed through, as exporter errors do:
    ``KeyError: case.py:11: 'b'``.
    """
    if isinstance(exc, ExportError):
        return exc.one_line()
    message = next((line.strip() for line in str(exc).splitlines() if line.strip()), "")
    where = case_location(exc, case_file) if case_file is not None else None
    if where is not None:
        message = f"{where}: {message}" if message else str(where)
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__
