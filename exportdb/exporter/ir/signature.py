"""The graph signature of an exported program: what each placeholder and output is (data only,
the same classes and reprs as torch.export's ``graph_signature``).

``repr`` is the seed documents' form (``ExportGraphSignature(input_specs=[...])``); ``str`` is
torch.export 2.13's block, one spec a line (``b_seen: BUFFER target='seen' persistent=True``)
under ``# inputs`` and ``# outputs``, framed by line breaks."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any


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

    def __str__(self) -> str:
        persistent = "" if self.persistent is None else f" persistent={self.persistent}"
        return _spec_text(self) + persistent


@dataclass(frozen=True)
class OutputSpec:
    kind: OutputKind
    arg: Any
    target: str | None

    def __str__(self) -> str:
        return _spec_text(self)


def _spec_text(spec: InputSpec | OutputSpec) -> str:
    target = "" if spec.target is None else f" target='{spec.target}'"
    return f"{spec.arg.name}: {spec.kind.name}{target}"


@dataclass(frozen=True)
class ExportGraphSignature:
    input_specs: list[InputSpec]
    output_specs: list[OutputSpec]

    def __str__(self) -> str:
        inputs = "\n".join(map(str, self.input_specs))
        outputs = "\n".join(map(str, self.output_specs))
        return f"\n# inputs\n{inputs}\n\n# outputs\n{outputs}\n"

    @property
    def user_inputs(self) -> list[str]:
        return [s.arg.name for s in self.input_specs if s.kind is InputKind.USER_INPUT]
