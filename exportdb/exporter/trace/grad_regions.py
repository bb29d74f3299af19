"""Grad-mode regions: the ops traced under ``torch.no_grad()`` become a sub-graph called
through ``torch.ops.higher_order.wrap_with_set_grad_enabled(False, submod_1, *inputs)``,
as torch.export 2.13 records them.

The front end notes every change of the grad mode while the root graph records
(:func:`exportdb.exporter.trace.context.note_grad_mode`).  Each change starts a new
region, numbered from 0 like torch's ``split_module`` partitions; after tracing, every
region with grad disabled that computes something is moved into ``submod_<region>``.
Its inputs are the outside values it reads (in order of first use), its outputs the
values read after it.  Regions with grad enabled stay inline.
"""

from __future__ import annotations

from typing import Any

from exportdb.exporter.ir.graph import Graph, Node, map_nodes
from exportdb.exporter.ops.control_ops import GETITEM
from exportdb.exporter.ops.table import provide


def _wrap_kernel(enabled: bool, body: Any, *args: Any) -> tuple:
    return tuple(body(*args))


WRAP = provide("higher_order.wrap_with_set_grad_enabled", _wrap_kernel, multi=True)


def _region_of(node: Node, marks: list[tuple[int, bool]]) -> int:
    return sum(1 for seq, _ in marks if seq < node.seq)


def _replace_uses(old: Node, new: Node) -> None:
    for user in list(old.users):
        user.args = map_nodes(user.args, lambda n: new if n is old else n)
        user.kwargs = map_nodes(user.kwargs, lambda n: new if n is old else n)
        new.users[user] = None
    old.users.clear()


def _move_region(graph: Graph, region: int, nodes: list[Node], attr_name: str) -> bool:
    inside = set(nodes)
    inputs: list[Node] = []
    for node in nodes:
        for inp in node.input_nodes():
            if inp not in inside and inp not in inputs:
                inputs.append(inp)
    outputs = [n for n in nodes if any(u not in inside for u in n.users)]
    if not outputs or any(inp.op == "get_attr" for inp in inputs):
        return False  # nothing read afterwards, or a cond/map inside: traced inline
    sub = Graph()
    mapping: dict[Node, Node] = {}
    for inp in inputs:
        mapping[inp] = sub.placeholder(inp.name, meta=dict(inp.meta))
    for node in nodes:
        mapping[node] = sub.create_node(node.op, node.target, map_nodes(node.args, mapping.__getitem__),
                                        map_nodes(node.kwargs, mapping.__getitem__), name=node.name,
                                        meta=dict(node.meta))
    sub.output(tuple(mapping[n] for n in outputs))
    target = f"submod_{region}"
    graph.subgraphs[target] = sub

    index = graph.nodes.index(nodes[0])
    stack = {"stack": nodes[0].meta["stack"]} if "stack" in nodes[0].meta else {}
    attr = graph.create_node("get_attr", target, name=attr_name, meta=stack, index=index)
    meta = tuple(n.meta.get("val") for n in outputs)
    wrap = graph.create_node("call_function", WRAP, (False, attr, *inputs), name=WRAP.name,
                             meta={"val": meta, **stack}, index=index + 1)
    single = len(outputs) == 1
    items = [graph.create_node("call_function", GETITEM, (wrap, i), name="getitem" if single else "wrap_item",
                               meta={**out.meta, **stack}, index=index + 2 + i) for i, out in enumerate(outputs)]
    for out, item in zip(outputs, items):
        _replace_uses(out, item)
    for node in reversed(nodes):
        for inp in node.input_nodes():
            inp.users.pop(node, None)
        node.users.clear()
        graph.nodes.remove(node)
    # torch names the call after its only result, or names the results after the sub-graph's values
    if single:
        wrap.name = outputs[0].name
    else:
        for out, item in zip(outputs, items):
            item.name = out.name
    return True


def split_grad_regions(graph: Graph, marks: list[tuple[int, bool]]) -> bool:
    """Move every grad-disabled region of ``graph`` into a sub-graph; True when one moved."""
    if not marks:
        return False
    states = [True] + [enabled for _, enabled in marks]
    regions: dict[int, list[Node]] = {}
    for node in graph.nodes:
        if node.op == "call_function":
            region = _region_of(node, marks)
            if not states[region]:
                regions.setdefault(region, []).append(node)
    moved = False
    next_attr = len(marks) + 1
    for region, nodes in regions.items():
        if _move_region(graph, region, nodes, f"submod_{next_attr}"):
            next_attr += 1
            moved = True
    return moved
