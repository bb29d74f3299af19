"""The graph IR: :class:`Node` and :class:`Graph`.  Pure data, no NumPy, no tracing.

A graph is an ordered list of nodes.  Each node has an opcode from a small
closed set, a target (an op, a sub-graph name, or nothing) and arguments that
may refer to earlier nodes.  Names come from one :class:`Namespace` per graph
and follow torch.fx (``add``, ``add_1``, ``sum_1``)::

    >>> g = Graph()
    >>> x = g.placeholder("x")
    >>> g.names.create("sum")
    'sum_1'
"""

from __future__ import annotations

import builtins
import itertools
import keyword
import re
from collections import defaultdict
from typing import Any, Callable, Iterator

OPCODES = ("placeholder", "get_attr", "call_function", "output")

# Names fx refuses for values besides keywords and builtins (they would shadow
# names its generated code relies on).
_RESERVED = {"inf", "nan", "NoneType", "torch", "device", "fx_pytree", "pytree", "math", "self"}
_ILLEGAL_CHARS = re.compile(r"[^0-9a-zA-Z_]+")
_SUFFIX = re.compile(r"(.*)_(\d+)$")

#: One clock for every node and symbolic value made in this process: a node's
#: ``seq`` says when it was made, so a value computed earlier but recorded later
#: (a size expression) can be placed where the program computed it.
CLOCK = itertools.count()


class Namespace:
    """Hands out unique, readable names the way torch.fx does."""

    def __init__(self) -> None:
        self._used: set[str] = set()
        self._base_count: dict[str, int] = defaultdict(int)

    @staticmethod
    def _illegal(name: str) -> bool:
        return keyword.iskeyword(name) or name in _RESERVED or hasattr(builtins, name)

    def create(self, candidate: str) -> str:
        candidate = _ILLEGAL_CHARS.sub("_", candidate) or "_unnamed"
        if candidate[0].isdigit():
            candidate = f"_{candidate}"
        match = _SUFFIX.match(candidate)
        if match is None:
            base, num = candidate, None
        else:
            base, num = match.group(1), int(match.group(2))
        candidate = base if num is None else f"{base}_{num}"
        if not num:
            num = self._base_count[base]
        while candidate in self._used or self._illegal(candidate):
            num += 1
            candidate = f"{base}_{num}"
        self._used.add(candidate)
        self._base_count[base] = num
        return candidate


class Node:
    """One value in a graph.

    ``meta`` holds ``val`` (a :class:`~exportdb.exporter.ir.tensor_meta.TensorMeta`, a symbolic
    value or a Python constant) and ``stack`` (the user frames that made it).
    """

    __slots__ = ("graph", "name", "op", "target", "args", "kwargs", "meta", "users", "seq")

    def __init__(self, graph: "Graph", name: str, op: str, target: Any, args: tuple, kwargs: dict, meta: dict):
        if op not in OPCODES:
            raise ValueError(f"unknown opcode {op!r}")
        self.graph = graph
        self.name = name
        self.op = op
        self.target = target
        self.args = args
        self.kwargs = kwargs
        self.meta = meta
        self.users: dict[Node, None] = {}
        self.seq = next(CLOCK)

    def input_nodes(self) -> list["Node"]:
        """Nodes this node reads, in argument order, without repeats."""
        seen: dict[Node, None] = {}
        _collect_nodes(self.args, seen)
        _collect_nodes(self.kwargs, seen)
        return list(seen)

    def __repr__(self) -> str:
        return self.name


def _collect_nodes(value: Any, seen: dict) -> None:
    """Add every Node inside nested tuples/lists/dicts of ``value`` to ``seen``, in order
    (a read-only walk: called for every node made, so it builds no new containers)."""
    if isinstance(value, Node):
        seen[value] = None
    elif isinstance(value, (tuple, list)):
        for item in value:
            _collect_nodes(item, seen)
    elif isinstance(value, dict):
        for item in value.values():
            _collect_nodes(item, seen)


def map_nodes(value: Any, fn: Callable[[Node], Any]) -> Any:
    """Apply ``fn`` to every Node inside nested tuples/lists/dicts of ``value``."""
    if isinstance(value, Node):
        return fn(value)
    if isinstance(value, tuple):
        return tuple(map_nodes(v, fn) for v in value)
    if isinstance(value, list):
        return [map_nodes(v, fn) for v in value]
    if isinstance(value, dict):
        return {k: map_nodes(v, fn) for k, v in value.items()}
    return value


class Graph:
    """An ordered list of nodes plus the sub-graphs its ``get_attr`` nodes name."""

    def __init__(self) -> None:
        self.nodes: list[Node] = []
        self.names = Namespace()
        self.subgraphs: dict[str, Graph] = {}

    # -- building -------------------------------------------------------
    def _insert(self, node: Node, index: int | None) -> Node:
        for inp in node.input_nodes():
            inp.users[node] = None
        if index is None:
            self.nodes.append(node)
        else:
            self.nodes.insert(index, node)
        return node

    def create_node(self, op: str, target: Any, args: tuple = (), kwargs: dict | None = None,
                    name: str | None = None, meta: dict | None = None, index: int | None = None) -> Node:
        """The one place nodes are born.  ``name`` is a candidate, made unique here."""
        name = self.names.create(name or "node")
        return self._insert(Node(self, name, op, target, tuple(args), dict(kwargs or {}), dict(meta or {})), index)

    def placeholder(self, name: str, meta: dict | None = None, index: int | None = None) -> Node:
        if index is None:
            index = sum(1 for n in self.nodes if n.op == "placeholder")
        return self.create_node("placeholder", name, name=name, meta=meta, index=index)

    def position_for(self, seq: int, inputs: list[Node]) -> int:
        """Where a node computed at time ``seq`` goes: before the first later
        non-placeholder node, but after every node it reads."""
        after = max((self.nodes.index(n) + 1 for n in inputs if n.graph is self), default=0)
        for i in range(after, len(self.nodes)):
            node = self.nodes[i]
            if node.op != "placeholder" and node.seq > seq:
                return i
        return len(self.nodes)

    def output(self, values: tuple) -> Node:
        return self.create_node("output", "output", (values,), name="output")

    def add_subgraph(self, prefix: str, graph: "Graph") -> str:
        """Register ``graph`` under the next free ``<prefix>_<n>`` name."""
        n = 0
        while f"{prefix}_{n}" in self.subgraphs:
            n += 1
        name = f"{prefix}_{n}"
        self.subgraphs[name] = graph
        return name

    # -- reading --------------------------------------------------------
    @property
    def placeholders(self) -> list[Node]:
        return [n for n in self.nodes if n.op == "placeholder"]

    @property
    def output_node(self) -> Node:
        return self.nodes[-1]

    def walk(self) -> Iterator["Graph"]:
        """This graph and every nested sub-graph, depth first."""
        yield self
        for sub in self.subgraphs.values():
            yield from sub.walk()

    def erase(self, node: Node) -> None:
        """Remove an unused node."""
        if node.users:
            raise ValueError(f"cannot erase {node.name}: still used by {list(node.users)}")
        for inp in node.input_nodes():
            inp.users.pop(node, None)
        self.nodes.remove(node)

    def lint(self) -> None:
        """Check the invariants every traced graph must keep; raise AssertionError if broken.

        Names are unique; every argument is a node of this graph defined
        earlier; placeholders come first and the single output last; users
        match the arguments; ``get_attr`` targets name registered sub-graphs.
        """
        seen: set[Node] = set()
        names: set[str] = set()
        placeholders_done = False
        for i, node in enumerate(self.nodes):
            assert node.graph is self, f"{node.name} belongs to another graph"
            assert node.op in OPCODES, f"{node.name}: bad opcode {node.op}"
            assert node.name not in names, f"duplicate name {node.name}"
            names.add(node.name)
            if node.op == "placeholder":
                assert not placeholders_done, f"placeholder {node.name} after other nodes"
            else:
                placeholders_done = True
            if node.op == "output":
                assert i == len(self.nodes) - 1, "output is not the last node"
            if node.op == "get_attr":
                assert node.target in self.subgraphs, f"{node.name}: no sub-graph {node.target}"
            for inp in node.input_nodes():
                assert inp in seen, f"{node.name} uses {inp.name} before it is defined (or from another graph)"
                assert node in inp.users, f"{inp.name}.users lacks {node.name}"
            seen.add(node)
        assert self.nodes and self.nodes[-1].op == "output", "graph has no output node"
        for node in self.nodes:
            for user in node.users:
                assert user in seen and node in user.input_nodes(), f"stale user {user.name} of {node.name}"
        for sub in self.subgraphs.values():
            sub.lint()
