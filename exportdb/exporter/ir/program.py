"""ExportedProgram: the graph, its signature and its state (the same repr as torch.export's)."""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from exportdb.exporter.ir.graph import Graph
from exportdb.exporter.ir.printer import PrintSettings, format_program
from exportdb.exporter.ir.pytree import TreeSpec
from exportdb.exporter.ir.specialise import has_constant_conds, inline_constant_conds
from exportdb.exporter.ir.signature import ExportGraphSignature


@dataclass
class ExportedProgram:
    """The result of :func:`exportdb.export`: the graph, its signature and its state.

    ``str(ep)`` prints it exactly as torch.export's ``ExportedProgram`` (in the
    seed documents' layout; ``ep.format(style="torch")`` prints it as torch 2.13's
    ``str(ep)`` does, without source comments); ``ep.module()`` returns a callable that runs the
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
    #: the names torch.export 2.13 gives the input-size symbols (``{"s0": "s27"}``), for the torch style
    symbol_names: dict = field(default_factory=dict)
    #: What :meth:`module` instantiates: the tracer passes the interpreter's ExportedModule
    #: (the IR does not import the interpreter, which sits above it).
    module_class: Any = field(default=None, repr=False, compare=False)

    def __str__(self) -> str:
        return format_program(self)

    def format(self, *, source_comments: bool = False, style: str = "seed") -> str:
        """The printed program in a print style (``seed`` or ``torch``, see
        :mod:`exportdb.exporter.ir.printer`); ``source_comments`` adds ``# File: ...`` lines.
        The torch style prints the graph as torch 2.13 records it (:mod:`exportdb.exporter.ir.specialise`)."""
        settings = self.print_settings(style, source_comments)
        return format_program(self.as_torch_records() if settings.torch else self, settings)

    def as_torch_records(self) -> "ExportedProgram":
        """This program with its constant-predicate conds inlined, as torch 2.13 specialises them
        (itself when it has none)."""
        if not has_constant_conds(self.graph):
            return self
        graph, renames = inline_constant_conds(self.graph)
        outputs = [replace(spec, arg=replace(spec.arg, name=renames.get(spec.arg.name, spec.arg.name)))
                   for spec in self.graph_signature.output_specs]
        return replace(self, graph=graph, graph_signature=replace(self.graph_signature, output_specs=outputs))

    def print_settings(self, style: str = "seed", source_comments: bool = False) -> PrintSettings:
        """The settings printing this program in ``style``: the torch style names symbols as torch does."""
        if style != "torch" or self.shape_env is None:
            return PrintSettings(source_comments=source_comments, style=style)
        return PrintSettings(source_comments=source_comments, style=style,
                             sym_text=self.shape_env.text_with_names(self.symbol_names),
                             ranges=self.shape_env.range_constraints(self.symbol_names))

    def module(self):
        """A callable running this program with the NumPy interpreter."""
        return self.module_class(self)
