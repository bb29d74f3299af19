"""The tracing context: the stack of graph builders recording right now.

An op call records a node only while a builder is active; :class:`suspended`
runs code eagerly in the middle of a trace.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from exportdb.exporter.ir.graph import CLOCK

if TYPE_CHECKING:
    from exportdb.exporter.trace.graph_builder import GraphBuilder

_BUILDERS: list["GraphBuilder"] = []
#: Per export being traced: id() of each parameter or buffer the code read off a module, in first-read
#: order, with the attribute path of that first read (None when the module's path is unknown).
_STATE_READS: list[dict[int, str | None]] = []
#: Per export being traced: id() of each module -> the attribute path the code last reached it by.
_MODULE_PATHS: list[dict[int, str]] = []
#: Per export being traced: (clock, enabled) at each change of the grad mode in the root graph.
_GRAD_MARKS: list[list[tuple[int, bool]]] = []


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


def start_state_reads(root: Any = None) -> dict[int, str | None]:
    """Begin noting which parameters and buffers the traced code reads (see :func:`note_state_read`),
    and by which attribute paths from ``root`` it reaches modules (:func:`note_module_access`)."""
    reads: dict[int, str | None] = {}
    _STATE_READS.append(reads)
    _MODULE_PATHS.append({id(root): ""} if root is not None else {})
    return reads


def stop_state_reads(reads: dict[int, str | None]) -> None:
    index = next(i for i, r in enumerate(_STATE_READS) if r is reads)
    del _STATE_READS[index], _MODULE_PATHS[index]


def _path(owner: Any, name: str) -> str | None:
    prefix = _MODULE_PATHS[-1].get(id(owner)) if _MODULE_PATHS else None
    return None if prefix is None else f"{prefix}.{name}" if prefix else name


def note_module_access(owner: Any, name: str, module: Any) -> None:
    """``owner.name`` returned the submodule ``module`` while tracing: it is now reached by that path."""
    if _BUILDERS and _MODULE_PATHS:
        path = _path(owner, name)
        if path is not None:
            _MODULE_PATHS[-1][id(module)] = path


def note_state_read(value: Any, owner: Any = None, name: str = "") -> None:
    """A module attribute that is a parameter or buffer was read while tracing.  torch.export
    2.13 lifts state in first-read order (a read without an op, such as ``w is not None``, counts),
    and names its placeholder after the attribute path of that first read (``owner.name``)."""
    if _BUILDERS and _STATE_READS:
        _STATE_READS[-1].setdefault(id(value), _path(owner, name) if owner is not None else None)


def note_size_read(tensor: Any) -> None:
    """The traced code reads ``tensor``'s shape: a cond branch or map body that reads the shape
    of a tensor from outside with symbolic sizes lifts that tensor as an operand, as torch.export does."""
    if _BUILDERS:
        _BUILDERS[-1].note_size_read(tensor)


def start_grad_marks() -> list[tuple[int, bool]]:
    """Begin noting grad-mode changes (see :func:`note_grad_mode`)."""
    marks: list[tuple[int, bool]] = []
    _GRAD_MARKS.append(marks)
    return marks


def stop_grad_marks(marks: list[tuple[int, bool]]) -> None:
    _GRAD_MARKS.remove(marks)


def note_grad_mode(enabled: bool) -> None:
    """The grad mode changed (``torch.no_grad()`` entered or left) while the root graph records:
    ops recorded from now on belong to a new region (see :mod:`exportdb.exporter.trace.grad_regions`)."""
    if len(_BUILDERS) == 1 and _GRAD_MARKS:
        _GRAD_MARKS[-1].append((next(CLOCK), enabled))
