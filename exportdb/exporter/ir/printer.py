"""Print an ExportedProgram exactly like torch.export does (seed layout).

A pure function of the program and a frozen :class:`PrintSettings`::

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
"""

from __future__ import annotations

import linecache
from dataclasses import dataclass
from typing import Any

from exportdb.exporter.ir.graph import Graph, Node
from exportdb.exporter.ir.tensor_meta import annotation_of

INDENT = "    "


@dataclass(frozen=True)
class PrintSettings:
    source_comments: bool = False


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


def _call_text(node: Node) -> str:
    target = node.target
    form = getattr(target, "form", "call")
    if form == "getitem":
        return f"{format_arg(node.args[0])}[{format_arg(node.args[1])}]"
    if form == "infix":
        return f" {target.symbol} ".join(format_arg(a) for a in node.args)
    if form == "prefix":
        return f"{target.symbol}{format_arg(node.args[0])}"
    parts = [format_arg(a) for a in node.args] + [f"{k} = {format_arg(v)}" for k, v in node.kwargs.items()]
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
            if lines:
                lines.append("")
            comment = _source_comment(stack) if settings.source_comments else None
            if comment:
                lines.append(comment)
            prev_stack = stack
        if node.op == "get_attr":
            text = f"{node.name} = self.{node.target}"
        else:
            ann = annotation_of(node.meta.get("val"))
            head = f'{node.name}: "{ann}"' if ann else node.name
            text = f"{head} = {_call_text(node)}"
        dead = list(last_uses.get(node, []))
        if not node.users:
            dead.append(node)
        if dead:
            text += ";  " + " = ".join(n.name for n in dead) + " = None"
        lines.append(text)
    return lines


def _params(graph: Graph) -> str:
    parts = ["self"]
    for node in graph.placeholders:
        ann = annotation_of(node.meta.get("val"))
        parts.append(f'{node.target}: "{ann}"' if ann else node.target)
    return ", ".join(parts)


def format_graph_module(name: str, graph: Graph, depth: int, settings: PrintSettings) -> list[str]:
    """``class <name>(torch.nn.Module):`` with its forward and nested sub-graph classes."""
    pad = INDENT * depth
    out = [f"{pad}class {name}(torch.nn.Module):", f"{pad}{INDENT}def forward({_params(graph)}):"]
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
    lines.append(f"Graph signature: {ep.graph_signature!r}")
    lines.append(f"Range constraints: {format_range_constraints(ep.range_constraints)}")
    return "\n".join(lines)
