"""The graph as torch.export 2.13 records it where the exporter keeps the seed's form.

The seed documents keep a ``cond`` whose predicate is a Python constant as a
``cond`` node (``cond(True, true_graph_0, false_graph_0, (x,))``); torch 2.13
specialises it: the taken branch's nodes sit in the enclosing graph, in the
branch's order, and the ``getitem`` reads of the cond's results are gone (a read
of result ``i`` is the branch's ``i``-th output).  :func:`inline_constant_conds`
makes that graph, as a copy; the torch print style prints it.

Names are given again from the first folded cond on, as torch.fx gives them
when the folded nodes never existed: each node takes its op's name with the next
free suffix (``cond_1`` becomes ``cond`` when the first cond was folded, the
branch's ``add_1`` stays ``add_1`` after the operand ``add``), a node the tracer
named otherwise (a size read) keeps its name where it is free; the sub-graphs of
the conds that remain are numbered again (``true_graph_0``), and their
placeholders take the names of the operands they stand for.
"""

from __future__ import annotations

import re
from typing import Any

from exportdb.exporter.ir.graph import Graph, Namespace, Node, map_nodes

_COND = "higher_order.cond"


def _is_cond(node: Node) -> bool:
    return node.op == "call_function" and getattr(node.target, "qualname", None) == _COND


def _constant_cond(node: Node) -> bool:
    return _is_cond(node) and isinstance(node.args[0], (bool, int))


def has_constant_conds(graph: Graph) -> bool:
    """Whether ``graph`` or a sub-graph holds a cond with a constant predicate."""
    return any(_constant_cond(node) for g in graph.walk() for node in g.nodes)


def inline_constant_conds(graph: Graph, root: bool = True) -> tuple[Graph, dict[str, str]]:
    """A copy of ``graph`` with every constant-predicate cond replaced by its taken branch
    (also inside sub-graphs), and the new name of each old node name that changed.  In the
    ``root`` (top) graph, a cond that came in with a branch reads every result, as torch's top
    graph does (a branch reads only the results it uses)."""
    new = Graph()
    renames: dict[str, str] = {}
    values: dict[Node, Any] = {}
    _copy_into(graph, new, values, inlined=False)
    first = next((i for i, node in enumerate(graph.nodes) if _constant_cond(node)), None)
    if first is not None and root:
        _read_every_result(new, graph)
    if first is not None:
        start = next((values[node] for node in graph.nodes[first:] if node in values), None)
        _name_again(new, new.nodes.index(start) if start is not None else len(new.nodes))
        if not root:
            kept = {value for value in values.values() if isinstance(value, Node)}
            _drop_dead_spliced(new, [node for node in new.nodes if node not in kept])
    for old in graph.nodes:
        if old in values and isinstance(values[old], Node) and values[old].name != old.name:
            renames[old.name] = values[old].name
    return new, renames


def is_pure_aten(qualname: str) -> bool:
    """Whether ``qualname`` (``aten.sin.default``) names an ATen op that neither mutates
    (``relu_``) nor asserts: a call of it whose value nobody reads is dead code."""
    parts = qualname.split(".")
    return len(parts) == 3 and parts[0] == "aten" and not parts[1].endswith("_") and not parts[1].startswith("_assert")


def _drop_dead_spliced(graph: Graph, spliced: list[Node]) -> None:
    """Inside a cond branch, torch's graph holds no dead code: what a folded cond's taken branch
    brought in that nobody reads goes (pure ATen calls only, to a fixed point), after naming, as
    torch names the nodes when it traces them and cleans the branch afterwards."""
    candidates = [node for node in spliced
                  if node.op == "call_function" and is_pure_aten(str(getattr(node.target, "qualname", "")))]
    while True:
        dead = [node for node in candidates if not node.users]
        if not dead:
            return
        for node in dead:
            graph.erase(node)
            candidates.remove(node)


def _read_every_result(graph: Graph, original: Graph) -> None:
    """Give each higher-order call (cond, map) of ``graph`` one read per result (``cond[i]``), right after
    the call and in order, reusing the reads it has (a read of ``original``'s is the model)."""
    model = next((n for g in original.walk() for n in g.nodes if getattr(n.target, "form", "") == "getitem"), None)
    if model is None:
        return
    for call in [n for n in graph.nodes if str(getattr(n.target, "qualname", "")).startswith("higher_order.")]:
        metas = call.meta.get("val")
        if not isinstance(metas, tuple):
            continue
        reads = {user.args[1]: user for user in call.users if getattr(user.target, "form", "") == "getitem"}
        if len(reads) == len(metas):
            continue
        for i, meta in enumerate(metas):
            if i not in reads:
                reads[i] = graph.create_node("call_function", model.target, (call, i), name="getitem",
                                             meta={**call.meta, "val": meta})
        block = [reads[i] for i in range(len(metas))]
        rest = [n for n in graph.nodes if n not in block]
        at = rest.index(call) + 1
        graph.nodes = rest[:at] + block + rest[at:]


def _name_again(graph: Graph, start: int) -> None:
    """Give the nodes from ``start`` on the names torch.fx gives them (see the module docstring),
    and each remaining sub-graph's placeholders the names of the operands they stand for."""
    names = Namespace()
    for i, node in enumerate(graph.nodes):
        base = getattr(node.target, "name", None) if node.op == "call_function" else None
        candidate = node.name
        if i >= start and isinstance(base, str) and re.fullmatch(rf"{re.escape(base)}(_\d+)?", node.name):
            candidate = base
        node.name = names.create(candidate)
    graph.names = names
    for node in graph.nodes:
        subs = [arg for arg in node.args if isinstance(arg, Node) and arg.op == "get_attr"]
        operands: list[Node] = []
        map_nodes(node.args[1:] if _is_cond(node) else node.args, operands.append)
        operands = [n for n in operands if n.op != "get_attr"]
        for attr in subs:
            sub = graph.subgraphs[attr.target]
            if len(sub.placeholders) == len(operands) and any(
                    ph.name != op.name for ph, op in zip(sub.placeholders, operands)):
                for ph, op in zip(sub.placeholders, operands):
                    ph.name = ph.target = op.name
                _name_again(sub, len(sub.placeholders))


def _copy_into(graph: Graph, target: Graph, values: dict[Node, Any], inlined: bool = True) -> Any:
    """Copy ``graph``'s nodes into ``target``; ``values`` maps the nodes already stood for
    (a branch's placeholders: the cond's operands).  An ``inlined`` graph's output node is not
    copied: its values are returned."""
    folded = {node for node in graph.nodes if _constant_cond(node)}
    dropped = {arg for node in folded for arg in node.args[1:3]
               if isinstance(arg, Node) and all(user in folded for user in arg.users)}
    results: dict[Node, tuple] = {}
    for node in graph.nodes:
        if node in values or node in dropped:
            continue
        if node.op == "output" and inlined:
            return map_nodes(node.args[0], values.__getitem__)
        if node in folded:
            branch = graph.subgraphs[node.args[1 if node.args[0] else 2].target]
            operands = [values[v] if isinstance(v, Node) else v for v in node.args[3]]
            inner = dict(zip(branch.placeholders, operands))
            results[node] = _copy_into(branch, target, inner)
            continue
        source = node.args[0] if node.args else None
        if getattr(node.target, "form", "") == "getitem" and source in results:
            values[node] = results[source][node.args[1]]
            continue
        values[node] = _copy_node(node, graph, target, values)
    return None


def _copy_node(node: Node, graph: Graph, target: Graph, values: dict[Node, Any]) -> Node:
    args = map_nodes(node.args, values.__getitem__)
    kwargs = map_nodes(node.kwargs, values.__getitem__)
    if node.op == "output":
        return target.output(args[0])
    if node.op == "placeholder":
        return target.create_node("placeholder", node.target, name=node.name, meta=node.meta)
    if node.op == "get_attr":
        sub, _ = inline_constant_conds(graph.subgraphs[node.target], root=False)
        name = target.add_subgraph(re.sub(r"_\d+$", "", node.target), sub)
        return target.create_node("get_attr", name, name=name, meta=node.meta)
    return target.create_node(node.op, node.target, args, kwargs, name=node.name, meta=node.meta)
