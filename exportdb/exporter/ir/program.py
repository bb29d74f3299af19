"""ExportedProgram: the graph, its signature and its state (the same repr as torch.export's)."""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from exportdb.exporter.ir.graph import Graph
from exportdb.exporter.ir.printer import PrintSettings, format_program
from exportdb.exporter.ir.pytree import TreeSpec
from exportdb.exporter.ir.signature import ExportGraphSignature


@dataclass
class ExportedProgram:
    """The result of :func:`exportdb.export`: the graph, its signature and its state.

    ``str(ep)`` prints it exactly as torch.export's ``ExportedProgram`` (in the
    seed documents' layout); ``ep.module()`` returns a callable that runs the
    graph on NumPy.
    """

    graph: Graph
    graph_signature: ExportGraphSignature
    state_dict: dict[str, np.ndarray]
    constants: dict[str, np.ndarray]
    forward_signature: inspect.Signature
    out_spec: TreeSpec
    range_constraints: dict = field(default_factory=dict)
    shape_env: Any = None
    #: What :meth:`module` instantiates: the tracer passes the interpreter's ExportedModule
    #: (the IR does not import the interpreter, which sits above it).
    module_class: Any = field(default=None, repr=False, compare=False)

    def __str__(self) -> str:
        return format_program(self)

    def format(self, *, source_comments: bool = False) -> str:
        """The printed program; ``source_comments`` adds ``# File: ...`` lines."""
        return format_program(self, PrintSettings(source_comments=source_comments))

    def module(self):
        """A callable running this program with the NumPy interpreter."""
        return self.module_class(self)
