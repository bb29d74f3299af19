"""ExportedProgram and its graph signature (the same classes and reprs as torch.export)."""

from __future__ import annotations

import enum
import inspect
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from exportdb.exporter.ir.graph import Graph
from exportdb.exporter.ir.pytree import TreeSpec


class InputKind(enum.Enum):
    USER_INPUT = 1
    PARAMETER = 2
    BUFFER = 3
    CONSTANT_TENSOR = 4
    CUSTOM_OBJ = 5
    TOKEN = 6


class OutputKind(enum.Enum):
    USER_OUTPUT = 1
    LOSS_OUTPUT = 2
    BUFFER_MUTATION = 3
    GRADIENT_TO_PARAMETER = 4
    GRADIENT_TO_USER_INPUT = 5
    USER_INPUT_MUTATION = 6
    TOKEN = 7


@dataclass(frozen=True)
class TensorArgument:
    name: str


@dataclass(frozen=True)
class SymIntArgument:
    name: str


@dataclass(frozen=True)
class ConstantArgument:
    name: str
    value: Any


@dataclass(frozen=True)
class InputSpec:
    kind: InputKind
    arg: Any
    target: str | None
    persistent: bool | None = None


@dataclass(frozen=True)
class OutputSpec:
    kind: OutputKind
    arg: Any
    target: str | None


@dataclass(frozen=True)
class ExportGraphSignature:
    input_specs: list[InputSpec]
    output_specs: list[OutputSpec]

    @property
    def user_inputs(self) -> list[str]:
        return [s.arg.name for s in self.input_specs if s.kind is InputKind.USER_INPUT]


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

    def __str__(self) -> str:
        from exportdb.exporter.ir.printer import format_program

        return format_program(self)

    def format(self, *, source_comments: bool = False) -> str:
        """The printed program; ``source_comments`` adds ``# File: ...`` lines."""
        from exportdb.exporter.ir.printer import PrintSettings, format_program

        return format_program(self, PrintSettings(source_comments=source_comments))

    def module(self):
        """A callable running this program with the NumPy interpreter."""
        from exportdb.exporter.interpreter import ExportedModule

        return ExportedModule(self)
