"""The tracing context: the stack of graph builders recording right now.

An op call records a node only while a builder is active; :class:`suspended`
runs code eagerly in the middle of a trace.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from exportdb.exporter.trace.graph_builder import GraphBuilder

_BUILDERS: list["GraphBuilder"] = []


def active_builder() -> "GraphBuilder | None":
    return _BUILDERS[-1] if _BUILDERS else None


def push_builder(builder: "GraphBuilder") -> None:
    _BUILDERS.append(builder)


def pop_builder(builder: "GraphBuilder") -> None:
    assert _BUILDERS and _BUILDERS[-1] is builder, "builder stack out of order"
    _BUILDERS.pop()


class suspended:
    """Context manager: run code eagerly (no recording) in the middle of a trace."""

    def __enter__(self) -> None:
        self.saved = _BUILDERS[:]
        _BUILDERS.clear()

    def __exit__(self, *exc: Any) -> None:
        _BUILDERS[:] = self.saved
