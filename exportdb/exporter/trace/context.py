"""The tracing context: the stack of graph builders recording right now.

An op call records a node only while a builder is active; :class:`suspended`
runs code eagerly in the middle of a trace.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from exportdb.exporter.trace.graph_builder import GraphBuilder

_BUILDERS: list["GraphBuilder"] = []
#: Per export being traced: id() of each parameter or buffer the code read off a module, in first-read order.
_STATE_READS: list[dict[int, None]] = []


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


def start_state_reads() -> dict[int, None]:
    """Begin noting which parameters and buffers the traced code reads (see :func:`note_state_read`)."""
    reads: dict[int, None] = {}
    _STATE_READS.append(reads)
    return reads


def stop_state_reads(reads: dict[int, None]) -> None:
    _STATE_READS.remove(reads)


def note_state_read(value: Any) -> None:
    """A module attribute that is a parameter or buffer was read while tracing.  torch.export
    2.13 lifts state in first-read order (a read without an op, such as ``w is not None``, counts)."""
    if _BUILDERS and _STATE_READS:
        _STATE_READS[-1].setdefault(id(value), None)
