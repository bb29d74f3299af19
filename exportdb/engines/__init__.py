"""Engines run one case file through an exporter and report the Result text.

An engine is anything with the :class:`Engine` shape.  ``builtin`` (exportdb's
own NumPy tracer) is the default; ``torch`` runs the real ``torch.export``.
Engines take the case *file*, not a loaded module, because each engine loads
the case with its own front end (and may run in a worker process).
"""

from __future__ import annotations

import importlib

from exportdb.engines.protocol import PRINT_STYLES, Engine, EngineInfo, EngineResult, error_text

__all__ = ["ENGINE_NAMES", "PRINT_STYLES", "Engine", "EngineInfo", "EngineResult", "describe_engine", "error_text", "get_engine",
           "load_engine"]


def get_engine(name: str) -> Engine:
    """Return the engine called ``name`` (``builtin`` or ``torch``)."""
    if name == "builtin":
        from exportdb.engines.builtin import BuiltinEngine  # imported on demand: it loads NumPy and the front end

        return BuiltinEngine()
    if name == "torch":
        from exportdb.engines.torch_engine import TorchEngine  # imported on demand, like the builtin engine

        return TorchEngine()
    raise ValueError(f"unknown engine {name!r}; expected 'builtin' or 'torch'")


ENGINE_NAMES = ("builtin", "torch")


def load_engine(spec: str) -> Engine:
    """``builtin``/``torch``, or ``package.module:factory`` for an engine of your own."""
    if ":" in spec:
        module_name, _, attr = spec.partition(":")
        return getattr(importlib.import_module(module_name), attr)()
    return get_engine(spec)


def describe_engine(spec: str) -> EngineInfo:
    """Instantiate ``spec`` in this process to learn its version and availability."""
    try:
        engine = load_engine(spec)
    except ImportError as exc:
        return EngineInfo(spec, "", f"engine {spec!r} is not installed ({exc})")
    reason = engine.unavailable_reason()
    return EngineInfo(spec, "" if reason else engine.version(), reason)
