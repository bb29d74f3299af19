"""Typed errors.  Every failure a user can cause is an :class:`ExportError`.

An error carries a one-line ``summary`` that names the rule that was broken and
the user's ``file:line``, plus an optional ``hint`` saying how to fix it::

    DataDependentControlFlowError: case.py:12: Python `if` on a tensor's value cannot be traced
    hint: express the branch with torch.cond(pred, true_fn, false_fn, operands)
"""

from __future__ import annotations

import os
from dataclasses import dataclass


#: The directory file names are shown relative to, when not the working directory: the
#: worker pool runs case code in scratch directories and names the build's directory here.
DISPLAY_ROOT_ENV = "EXPORTDB_DISPLAY_ROOT"


def display_path(filename: str) -> str:
    """``filename`` relative to the working directory (or ``$EXPORTDB_DISPLAY_ROOT``) when it
    lies below it (so Result texts do not depend on where the project is checked out), else
    unchanged."""
    try:
        rel = os.path.relpath(filename, os.environ.get(DISPLAY_ROOT_ENV) or os.curdir)
    except ValueError:
        return filename
    return filename if rel.startswith("..") else rel


@dataclass(frozen=True)
class SourceLocation:
    """A position in user code."""

    filename: str
    lineno: int
    function: str = ""

    def __str__(self) -> str:
        return f"{display_path(self.filename)}:{self.lineno}"


class ExportError(Exception):
    """Base class of every error that user code can trigger while exporting."""

    def __init__(self, message: str, *, location: SourceLocation | None = None, hint: str | None = None):
        self.message = message
        self.location = location
        self.hint = hint
        super().__init__(self.summary + (f"\nhint: {hint}" if hint else ""))

    @property
    def summary(self) -> str:
        """One line: ``file:line: message`` (the location part only when known)."""
        where = f"{self.location}: " if self.location else ""
        return f"{where}{self.message}"

    def one_line(self) -> str:
        """``ErrorType: summary``, the form shown in a Result block."""
        return f"{type(self).__name__}: {self.summary}"


class UnsupportedAPIError(ExportError, AttributeError):
    """The case uses a torch API that the built-in front end does not provide.

    It is also an AttributeError, so ``hasattr(torch, "x")`` and
    ``getattr(torch, "x", default)`` behave as with the real torch.
    """


class DataDependentControlFlowError(ExportError):
    """Python control flow (``if``, ``while``, ``bool()``) depends on tensor data."""


class DataDependentValueError(ExportError):
    """A tensor's value is needed as a Python number while tracing."""


class CondError(ExportError):
    """A ``cond`` call breaks one of the rules of the cond operator."""


class MapError(ExportError):
    """A ``map`` call breaks one of the rules of the map operator."""


class ConstraintViolationError(ExportError):
    """A guard on a dynamic dimension does not hold over its whole declared range."""


class InputError(ExportError):
    """Inputs given to an exported program do not match what it was traced with."""


class CaseLoadError(ExportError):
    """A case file cannot be loaded: syntax error, failing import, bad field."""
