"""The op table: one :class:`OpDef` per ATen overload, and :func:`register` to add one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from exportdb.exporter.ops import schemas


@dataclass(frozen=True, eq=False)
class OpDef:
    """An operator overload.

    ``qualname`` is ``namespace.name.overload`` (``aten.add.Tensor``);
    ``mutates`` is the index of the argument written in place (the op returns
    that argument); ``multi`` marks ops returning several tensors, which the
    tracer unpacks with ``getitem`` nodes; ``form`` selects how the printer
    writes a call: ``call`` (``torch.ops.aten.add.Tensor(x, 1)``), ``getitem``
    (``cond[0]``) or ``infix`` (``sym_size_int_1 > 4``, the symbol in ``symbol``); ``node_name``
    overrides the candidate node name (torch names assertion nodes
    ``_assert_scalar_default``); ``text`` overrides the printed callee
    (``torch.sym_min``); ``traced``, when given, is the kernel tracing runs instead of ``kernel``, for the
    few ops whose torch.export result has another shape than the eager one (``ep.module()`` runs
    ``kernel``); ``tuple_arg`` is the index of a list argument that torch.export 2.13's own print
    writes as a tuple (``cond``'s operands), where the seed layout writes a list.
    """

    qualname: str
    kernel: Callable[..., Any]
    mutates: int | None = None
    multi: bool = False
    form: str = "call"
    symbol: str = ""
    nondeterministic: bool = False
    node_name: str = ""
    text: str = ""
    traced: Callable[..., Any] | None = None
    tuple_arg: int | None = None

    @property
    def name(self) -> str:
        """The candidate node name: ``add`` for ``aten.add.Tensor`` (or ``node_name``).

        Like torch.fx, a dunder op loses its underscores: ``aten.__and__.Tensor``
        is named ``and`` (which the namespace then turns into ``and_1``, ``and``
        being a keyword), ``aten.__xor__.Tensor`` is ``xor``.
        """
        if self.node_name:
            return self.node_name
        parts = self.qualname.split(".")
        name = parts[1] if len(parts) > 1 else parts[0]
        if len(name) > 4 and name.startswith("__") and name.endswith("__"):
            name = name[2:-2]
        return name

    @property
    def target_text(self) -> str:
        return self.text or f"torch.ops.{self.qualname}"

    def __repr__(self) -> str:
        return self.target_text


OPS: dict[str, OpDef] = {}


def register(qualname: str, kernel: Callable[..., Any], *, check: bool = False, **options: Any) -> OpDef:
    """Add ``qualname`` to the table.  ``check=True`` also looks an ``aten.*`` qualname up in the
    schema table (reading it) and refuses a name torch 2.13 does not have; the test suite checks
    every registered op with :func:`unknown_qualnames` instead, so that importing stays fast."""
    if qualname in OPS:
        raise ValueError(f"op {qualname} registered twice")
    problem = schemas.unknown(qualname) if check else None
    if problem:
        raise ValueError(problem)
    op = OpDef(qualname, kernel, **options)
    OPS[qualname] = op
    return op


def provide(qualname: str, kernel: Callable[..., Any], **options: Any) -> OpDef:
    """Register ``qualname`` unless another op family already did (ops that several
    families need, such as ``aten.contiguous.default``); returns the table's entry."""
    return OPS[qualname] if qualname in OPS else register(qualname, kernel, **options)


def unknown_qualnames() -> list[str]:
    """One message per registered ``aten.*`` op that has no schema in torch 2.13 (a typo)."""
    return [problem for problem in map(schemas.unknown, OPS) if problem]


def aten(name: str) -> OpDef:
    """Look up ``aten.<name>``, e.g. ``aten("add.Tensor")``."""
    return OPS[f"aten.{name}"]


def op(qualname: str) -> OpDef:
    return OPS[qualname]

