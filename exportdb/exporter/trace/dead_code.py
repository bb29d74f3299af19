"""Drop what torch.export drops: ``tensor[key]`` reads whose result nobody uses.

Dynamo deletes unused ``getitem`` calls from the graph it captures before the
ATen graph is traced, so ``x[1:]`` written and never used leaves no
``slice`` node (and the next ``slice`` is named ``slice``, not ``slice_1``).
The front end tags the ops of each indexing read (``meta["indexing"]`` on its
result node, see ``Tensor.__getitem__``); after tracing, the tracer calls
:func:`drop_unused_indexing` on the root graph.  Only the root graph: cond
branches follow other rules.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from exportdb.exporter.ir.graph import Graph, Namespace, Node
from exportdb.exporter.ir.signature import SymIntArgument, TensorArgument

_SUFFIX = re.compile(r"^(.*?)(?:_(\d+))?$")


def _base(name: str) -> str:
    return _SUFFIX.match(name).group(1)


def drop_unused_indexing(graph: Graph) -> bool:
    """Erase unused indexing reads (latest first, so chains of reads go too) and give the
    remaining nodes of the same ops the names torch would; True when anything was erased."""
    erased: list = []
    for node in reversed(list(graph.nodes)):
        made = node.meta.get("indexing")
        if made is None or node.users or node in erased:
            continue
        for part in reversed(made):
            if not part.users and part not in erased:
                graph.erase(part)
                erased.append(part)
    if erased:
        _rename(graph, {_base(n.name) for n in erased})
    return bool(erased)


def rename_after_erasing(graph: Graph, erased: list) -> None:
    """Renumber the call nodes of the erased nodes' kinds, as if those had never been named."""
    _rename(graph, {_base(n.name) for n in erased})


def _rename(graph: Graph, bases: set[str]) -> None:
    """Re-number the call nodes whose names come from ``bases``, in graph order, as if the
    erased nodes had never been named."""
    def renamed(node: Any) -> bool:
        return node.op == "call_function" and _base(node.name) in bases and node.target.name in bases
    names = Namespace()
    for node in graph.nodes:
        if not renamed(node):
            names.create(node.name)
    for node in graph.nodes:
        if renamed(node):
            node.name = names.create(node.target.name)
    graph.names = names


def renamed_outputs(graph: Graph, specs: list) -> list:
    """The output specs again, with the (possibly renamed) names of the output node's values."""
    values = graph.output_node.args[0]
    out = []
    for spec, value in zip(specs, values):
        if isinstance(value, Node) and isinstance(spec.arg, (TensorArgument, SymIntArgument)):
            spec = replace(spec, arg=type(spec.arg)(value.name))
        out.append(spec)
    return out
