"""Engines run one case file through an exporter and report the Result text.

An engine is anything with the :class:`Engine` shape.  ``builtin`` (exportdb's
own NumPy tracer) is the default; ``torch`` runs the real ``torch.export``.
Engines take the case *file*, not a loaded module, because each engine loads
the case with its own front end (and may run in a worker process).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol


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


def get_engine(name: str) -> Engine:
    """Return the engine called ``name`` (``builtin`` or ``torch``)."""
    if name == "builtin":
        from exportdb.engines.builtin import BuiltinEngine

        return BuiltinEngine()
    if name == "torch":
        from exportdb.engines.torch_engine import TorchEngine

        return TorchEngine()
    raise ValueError(f"unknown engine {name!r}; expected 'builtin' or 'torch'")


ENGINE_NAMES = ("builtin", "torch")
