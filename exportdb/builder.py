"""GraphBuilder: records ops into one graph while tracing.

The root builder owns the exported graph; a sub-builder (a ``cond`` branch, a
``map`` body) owns a sub-graph and lifts every tensor it reads from an
enclosing graph into a placeholder of its own, so sub-graphs have no closures.
"""

from __future__ import annotations

import operator
from typing import Any, Callable

import numpy as np

from exportdb.dispatch import user_stack
from exportdb.graph import Graph, Node
from exportdb.meta import meta_of
from exportdb.ops import OpDef, register

GETITEM = register("getitem", operator.getitem, form="getitem")


class GraphBuilder:
    """Builds one graph.  ``parent`` is the builder of the enclosing graph, if any."""

    def __init__(self, parent: "GraphBuilder | None" = None, *, hop_marker: tuple = ()):
        self.graph = Graph()
        self.parent = parent
        #: outer node -> placeholder in this graph, in order of first use (closures)
        self.lifted: dict[Node, Node] = {}
        #: extra key appended to the stack of nodes made by a higher-order op
        self.hop_marker = hop_marker
        self.constant_lifter: Callable[[Any], Node] | None = None

    @property
    def root(self) -> "GraphBuilder":
        b = self
        while b.parent is not None:
            b = b.parent
        return b

    def owns(self, node: Node | None) -> bool:
        return node is not None and node.graph is self.graph

    def encloses(self, node: Node | None) -> bool:
        """True when ``node`` belongs to this graph or one enclosing it."""
        b: GraphBuilder | None = self
        while b is not None:
            if b.owns(node):
                return True
            b = b.parent
        return False

    # -- values -> nodes --------------------------------------------------
    def node_of(self, tensor: Any) -> Node:
        """The node standing for ``tensor`` in this graph, lifting it if needed."""
        node = tensor._node
        if self.owns(node):
            return node
        if self.parent is None:
            assert self.constant_lifter is not None, "root builder needs a constant lifter"
            return self.constant_lifter(tensor)
        outer = self.parent.node_of(tensor)
        return self.lift(outer)

    def lift(self, outer: Node) -> Node:
        """Placeholder in this graph for the enclosing graph's node ``outer``."""
        inner = self.lifted.get(outer)
        if inner is None:
            inner = self.graph.placeholder(outer.name, meta={"val": outer.meta.get("val")})
            self.lifted[outer] = inner
        return inner

    def map_args(self, value: Any) -> Any:
        from exportdb.frontend.tensor import Tensor

        if isinstance(value, Tensor):
            return self.node_of(value)
        if isinstance(value, list):
            return [self.map_args(v) for v in value]
        if isinstance(value, tuple):
            return tuple(self.map_args(v) for v in value)
        if isinstance(value, dict):
            return {k: self.map_args(v) for k, v in value.items()}
        return value

    # -- recording ----------------------------------------------------------
    def stack(self) -> tuple:
        return user_stack(3) + self.hop_marker

    def create(self, op: Any, args: tuple, kwargs: dict, val: Any, *, name: str | None = None,
               opcode: str = "call_function", stack: tuple | None = None) -> Node:
        meta = {"val": val, "stack": self.stack() if stack is None else stack}
        return self.graph.create_node(opcode, op, args, kwargs, name=name or op.name, meta=meta)

    def record(self, op: OpDef, args: tuple, kwargs: dict, out: Any) -> Any:
        """Add a node for ``op`` applied to ``args``; return the traced result."""
        from exportdb.frontend.tensor import Tensor

        node = self.create(op, self.map_args(args), self.map_args(kwargs), meta_of(out))
        if op.mutates is not None:
            target = args[op.mutates]
            target._node = node
            return target
        if op.multi:
            stack = node.meta["stack"]
            return tuple(
                Tensor._make(o, self.create(GETITEM, (node, i), {}, meta_of(o), stack=stack))
                for i, o in enumerate(out)
            )
        if isinstance(out, np.ndarray):
            return Tensor._make(out, node)
        return out

    def check_mutation(self, tensor: Any, op: OpDef) -> None:
        """Called before an in-place op runs; sub-graph builders refuse writes to
        values from outside their graph."""

