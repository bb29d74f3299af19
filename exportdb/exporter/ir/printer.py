"""Print an ExportedProgram exactly like torch.export does, in one of two styles.

A pure function of the program and a frozen :class:`PrintSettings`.  The
``seed`` style (the default) is the seed documents' layout::

    ExportedProgram:
        class GraphModule(torch.nn.Module):
            def forward(self, x: "f32[3, 2]"):
                add: "f32[3, 2]" = torch.ops.aten.add.Tensor(x, 1);  x = None
                return (add,)

    Graph signature: ExportGraphSignature(input_specs=[...], output_specs=[...])
    Range constraints: {}

Nodes made from different source lines are separated by a blank line (where
torch.export writes its ``# File:`` comments); with ``source_comments`` the
comment lines are printed too.

The ``torch`` style is ``str(ep)`` of torch.export 2.13 with the source comments
removed, as the torch engine shows it: no separator lines, ``cond`` operands as
a tuple, the signature as a ``# inputs`` / ``# outputs`` block, torch's symbol
names (``s27``) and range constraints in torch's order (both given in the
settings by the program, which knows its shape environment)::

        ...
                cond = torch.ops.higher_order.cond(gt, true_graph_0, false_graph_0, (x,));  ...

    Graph signature:
        # inputs
        x: USER_INPUT

        # outputs
        getitem: USER_OUTPUT

    Range constraints: {s27: VR[0, int_oo]}

Every line of a torch-style text is right-stripped (torch indents its blank lines).
"""

from __future__ import annotations

import linecache
from dataclasses import dataclass, field
from typing import Any, Callable

from exportdb.exporter.ir.graph import Graph, Node
from exportdb.exporter.ir.tensor_meta import annotation_of

INDENT = "    "
#: The print styles: the seed documents' layout (the default) and torch.export 2.13's ``str(ep)``.
STYLES = ("seed", "torch")


@dataclass(frozen=True)
class PrintSettings:
    """How to print: ``style`` (one of :data:`STYLES`), with or without source comments.

    For the torch style the program fills in ``sym_text`` (a symbolic size's text under
    torch's symbol names) and ``ranges`` (the range constraints as torch prints them)."""

    source_comments: bool = False
    style: str = "seed"
    sym_text: Callable[[Any], str] | None = None
    ranges: dict | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.style not in STYLES:
            raise ValueError(f"unknown print style {self.style!r} (known: {', '.join(STYLES)})")

    @property
    def torch(self) -> bool:
        return self.style == "torch"


def format_arg(value: Any) -> str:
    """One argument as torch.fx writes it in generated code."""
    if isinstance(value, Node):
        return value.name
    if isinstance(value, list):
        return "[" + ", ".join(format_arg(v) for v in value) + "]"
    if isinstance(value, tuple):
        inner = ", ".join(format_arg(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{format_arg(k)}: {format_arg(v)}" for k, v in value.items()) + "}"
    return repr(value)


def _annotation(val: Any, settings: PrintSettings) -> str | None:
    return annotation_of(val, settings.sym_text if settings.torch else None)


def _call_text(node: Node, settings: PrintSettings) -> str:
    target = node.target
    form = getattr(target, "form", "call")
    if form == "getitem":
        return f"{format_arg(node.args[0])}[{format_arg(node.args[1])}]"
    if form == "infix":
        return f" {target.symbol} ".join(format_arg(a) for a in node.args)
    if form == "prefix":
        return f"{target.symbol}{format_arg(node.args[0])}"
    args = list(node.args)
    index = getattr(target, "tuple_arg", None)
    if settings.torch and index is not None and index < len(args) and isinstance(args[index], list):
        args[index] = tuple(args[index])
    parts = [format_arg(a) for a in args] + [f"{k} = {format_arg(v)}" for k, v in node.kwargs.items()]
    return f"{target.target_text}({', '.join(parts)})"


def _last_uses(graph: Graph) -> dict[Node, list[Node]]:
    """For each node, the values whose last use it is (fx codegen's order)."""
    seen: set[Node] = set()
    result: dict[Node, list[Node]] = {}
    for node in reversed(graph.nodes):
        for inp in node.input_nodes():
            if inp not in seen:
                seen.add(inp)
                result.setdefault(node, []).append(inp)
    return result


def _source_comment(stack: tuple) -> str | None:
    frames = [f for f in stack if not f[0].startswith("<")]
    if not frames:
        return None
    filename, lineno, function = frames[-1]
    code = linecache.getline(filename, lineno).strip()
    return f"# File: {filename}:{lineno} in {function}, code: {code}"


def _body(graph: Graph, settings: PrintSettings) -> list[str]:
    last_uses = _last_uses(graph)
    lines: list[str] = []
    prev_stack: tuple | None = None
    for node in graph.nodes:
        if node.op == "placeholder":
            if node.target != node.name:  # a parameter that shadows a builtin (``input``): fx aliases it
                lines.append(f"{node.name} = {node.target}")
            continue
        if node.op == "output":
            lines.append(f"return {format_arg(node.args[0])}")
            continue
        stack = node.meta.get("stack")
        if stack is not None and stack != prev_stack:
            comment = _source_comment(stack) if settings.source_comments else None
            if lines and (comment or not settings.torch):  # torch's blank lines only frame its comments
                lines.append("")
            if comment:
                lines.append(comment)
            prev_stack = stack
        if node.op == "get_attr":
            text = f"{node.name} = self.{node.target}"
        else:
            ann = _annotation(node.meta.get("val"), settings)
            head = f'{node.name}: "{ann}"' if ann else node.name
            text = f"{head} = {_call_text(node, settings)}"
        dead = list(last_uses.get(node, []))
        if not node.users:
            dead.append(node)
        if dead:
            text += ";  " + " = ".join(n.name for n in dead) + " = None"
        lines.append(text)
    return lines


def _params(graph: Graph, settings: PrintSettings) -> str:
    parts = ["self"]
    for node in graph.placeholders:
        ann = _annotation(node.meta.get("val"), settings)
        parts.append(f'{node.target}: "{ann}"' if ann else node.target)
    return ", ".join(parts)


def format_graph_module(name: str, graph: Graph, depth: int, settings: PrintSettings) -> list[str]:
    """``class <name>(torch.nn.Module):`` with its forward and nested sub-graph classes."""
    pad = INDENT * depth
    out = [f"{pad}class {name}(torch.nn.Module):", f"{pad}{INDENT}def forward({_params(graph, settings)}):"]
    out += [f"{pad}{INDENT * 2}{line}" if line else "" for line in _body(graph, settings)]
    out.append("")
    for sub_name, sub in graph.subgraphs.items():
        out += format_graph_module(sub_name, sub, depth + 1, settings)
    return out


def format_range_constraints(ranges: dict) -> str:
    return "{" + ", ".join(f"{sym}: {rng}" for sym, rng in ranges.items()) + "}"


def format_program(ep: Any, settings: PrintSettings = PrintSettings()) -> str:
    lines = ["ExportedProgram:"]
    lines += format_graph_module("GraphModule", ep.graph, 1, settings)
    if not settings.torch:
        lines.append(f"Graph signature: {ep.graph_signature!r}")
        lines.append(f"Range constraints: {format_range_constraints(ep.range_constraints)}")
        return "\n".join(lines)
    block = str(ep.graph_signature).replace("\n", "\n" + INDENT)
    ranges = ep.range_constraints if settings.ranges is None else settings.ranges
    lines += f"Graph signature: {block}".splitlines()
    lines.append(f"Range constraints: {format_range_constraints(ranges)}")
    return "\n".join(line.rstrip() for line in lines)
