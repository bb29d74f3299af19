"""GraphBuilder: records ops into one graph while tracing.

The root builder owns the exported graph; a sub-builder (a ``cond`` branch, a
``map`` body) owns a sub-graph and lifts every tensor it reads from an
enclosing graph into a placeholder of its own, so sub-graphs have no closures.
"""

from __future__ import annotations

import hashlib
from typing import Any, Callable

import numpy as np

from exportdb.exporter.ir import dtypes
from exportdb.exporter.ir.graph import Graph, Namespace, Node, map_nodes
from exportdb.exporter.ir.tensor_meta import TensorMeta, meta_of
from exportdb.exporter.ir.values import TensorValue
from exportdb.exporter.ops import OpDef, aten
from exportdb.exporter.ops.control_ops import GETITEM  # noqa: F401  (re-exported for the tracer)
from exportdb.exporter.symbolic.shape_env import SYM_OPS, SYM_SIZE, ShapeEnv, SymInt, SymValue, attach_sizes
from exportdb.exporter.symbolic.shape_rules import output_shape
from exportdb.exporter.trace.user_frames import user_stack


#: meta key: the name torch's tracer (dynamo) gives the value a node stands for.  cond orders
#: the values it lifts by it (see :func:`exportdb.exporter.trace.higher_order.cond_operands`).
LIFT_KEY = "lift_key"


def lift_key(node: Node) -> str:
    """The name dynamo gives ``node``'s value: set on inputs and on placeholders standing for
    outer values; a node computed in the graph is named after its op, like ours."""
    return node.meta.get(LIFT_KEY) or node.name


def torch_symbol_id(source: str, taken: set[int]) -> int:
    """The number torch.export 2.13 gives the symbol of an input size named ``source``
    (``L['flat_args'][1].size()[0]``): a hash of the name modulo 100, the next free one on a clash."""
    number = int(hashlib.sha256(source.encode()).hexdigest(), 16) % 100
    while number in taken:
        number += 1
    taken.add(number)
    return number


def rebuild_names(graph: Graph) -> None:
    """After renaming nodes by hand: the graph's namespace holds exactly its nodes' names."""
    names = Namespace()
    for node in graph.nodes:
        names.create(node.name)
    graph.names = names


def _reifiable(expr: Any) -> bool:
    """Sums and products of integers and symbols only."""
    return expr.is_Integer or expr.is_Symbol or ((expr.is_Add or expr.is_Mul) and all(map(_reifiable, expr.args)))


def _is_symbolic(value: Any) -> bool:
    """True when ``value`` holds a tensor with symbolic sizes or a symbolic number."""
    if isinstance(value, (list, tuple)):
        return any(_is_symbolic(v) for v in value)
    if isinstance(value, dict):
        return any(_is_symbolic(v) for v in value.values())
    return getattr(value, "_sym", None) is not None or isinstance(value, SymValue)


def _with_sizes(tensor: TensorValue, shape: Any) -> TensorValue:
    """``tensor`` with the symbolic ``shape`` a shape rule gave it (None: its sizes are static)."""
    return tensor if shape is None else attach_sizes(tensor, shape)


def _meta(out: Any, shape: Any) -> Any:
    """meta['val'] for a kernel result, using the symbolic ``shape`` when there is one."""
    if shape is None:
        return meta_of(out)
    if isinstance(out, np.ndarray):
        return TensorMeta(tuple(shape), dtypes.from_numpy(out.dtype))
    return tuple(_meta(o, s) for o, s in zip(out, shape))


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
        self._env: Any = None
        #: sizes of this graph's placeholders that are one symbol each, in placeholder order
        #: (see :meth:`register_sizes`), and how many symbolic placeholder sizes there are
        self.size_sources: list[SymInt] = []
        self._symbolic_dims = 0
        #: id(source) -> the source's place among the placeholders' symbolic sizes (1-based)
        self.size_places: dict[int, int] = {}
        #: the distinct sizes this graph read off tensors (ids of the SymInts read)
        self.size_reads: dict[int, None] = {}
        #: id(source) -> the name torch.export 2.13 gives the input size's own symbol (see
        #: :func:`torch_symbol_id`), and the ids handed out so far
        self.torch_names: dict[int, str] = {}
        self._torch_ids: set[int] = set()
        #: arithmetic nodes that compute a size from the placeholders' symbols (see
        #: :meth:`_reify`); torch.export names them after every other node of the graph
        self.reified: list[Node] = []
        #: id(size) -> the placeholder it is a size of (see :meth:`register_sizes`): the size is
        #: read off the placeholder even when the tensor's value moved on (``x.float()`` is ``x``)
        self.size_owner: dict[int, Node] = {}
        #: id(item value) -> (the value, its strict checks): the runtime checks of an ``item()``
        #: read, placed after tracing (see :mod:`exportdb.exporter.trace.unbacked_checks`)
        self.item_checks: dict[int, tuple[SymInt, list]] = {}

    @property
    def env(self) -> Any:
        """The ShapeEnv of this export (owned by the root builder), created on first need."""
        root = self.root
        if root._env is None:
            root._env = ShapeEnv()
        return root._env

    @property
    def has_symbols(self) -> bool:
        return self.root._env is not None

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
            inner = self.graph.placeholder(outer.name, meta={"val": outer.meta.get("val"), LIFT_KEY: lift_key(outer)})
            self.lifted[outer] = inner
        return inner

    def register_sizes(self, tensor: TensorValue, leaf: int | None = None) -> None:
        """``tensor`` is a placeholder of this graph: its sizes that are one symbol each become
        where this graph reads that symbol from.  torch.export names each such read after the
        size's place among all symbolic placeholder sizes (``sym_size_int_2`` for the second).
        ``leaf``: the input's index among the flat example inputs (exported graph only)."""
        for i, d in enumerate(tensor._sym or ()):
            if isinstance(d, SymInt):
                self._symbolic_dims += 1
                if d.expr.is_Symbol:
                    if tensor._node is not None:
                        self.size_owner[id(d)] = tensor._node
                    d.name = f"sym_size_int_{self._symbolic_dims}"
                    self.size_sources.append(d)
                    self.size_places[id(d)] = self._symbolic_dims
                    if leaf is not None:
                        number = torch_symbol_id(f"L['flat_args'][{leaf}].size()[{i}]", self._torch_ids)
                        self.torch_names[id(d)] = f"s{number}"

    def torch_symbol_names(self) -> dict[str, str]:
        """Our name of each input-size symbol -> the name torch.export 2.13 prints for it: of the
        input sizes that are the symbol, the one whose torch name sorts first as a string (see
        :meth:`size_source`).  Exported graph only; empty without symbols."""
        if not self.has_symbols:
            return {}
        env = self.env
        names: dict[str, str] = {}
        for source in self.size_sources:
            expr = env.simplify(source.expr)
            torch_name = self.torch_names.get(id(source))
            if torch_name is not None and expr.is_Symbol:
                names[str(expr)] = min(names.get(str(expr), torch_name), torch_name)
        return names

    def size_source(self, sym: SymInt) -> SymInt | None:
        """The placeholder size this graph reads the symbol ``sym`` from, as torch.export does.
        In the exported graph every input size has a symbol of its own in torch, and when
        guards (or a shared ``Dim``) make several equal, the one whose name sorts first as a
        string survives (``s27`` over ``s6``): the size is read from the input it belongs to.
        In a sub-graph: the first placeholder carrying it.  None when no placeholder carries it."""
        env = sym.env
        want = env.simplify(sym.expr)
        found = [s for s in self.size_sources if env.simplify(s.expr) == want]
        if not found:
            return None
        if self.parent is None and all(id(s) in self.torch_names for s in found):
            return min(found, key=lambda s: self.torch_names[id(s)])
        return found[0]

    def node_of_sym(self, sym: Any, *, counted: bool = True) -> Node:
        """The node computing the symbolic value ``sym`` in this graph.  It is made on
        first use but placed where the program computed the value, as torch does.  A size
        of a tensor of this graph that is one input symbol reads that symbol where the graph's
        placeholders carry it (:meth:`size_source`), as torch does, not off the tensor; one
        that is an expression of input symbols is computed from them (:meth:`_reify`).  Each
        such size counts as a read of the program (:meth:`size_read_name`) unless ``counted``
        is False (the reads this method makes itself)."""
        node = sym.nodes.get(self.graph)
        if node is None and sym.recipe and sym.recipe[0] is SYM_SIZE \
                and self.owns(getattr(sym.recipe[1][0], "_node", None)):
            read = sym
            if sym.expr.is_Symbol:
                source = self.size_source(sym)
                read = sym if source is None else source
                if source is not None and source is not sym:
                    node = sym.nodes[self.graph] = self.node_of_sym(source, counted=False)
            else:
                node = self._reify(sym)
            if counted:
                self.size_reads[id(read)] = None
        if node is None:
            op, args = sym.recipe
            owner = self.size_owner.get(id(sym)) if op is SYM_SIZE else None
            args = (owner, args[1]) if owner is not None else self.map_args(args)
            inputs: list[Node] = []
            map_nodes(args, inputs.append)
            index = self.graph.position_for(sym.seq, inputs)
            stack = sym.stack
            node = self.create(op, args, {}, sym, index=index, stack=stack, name=sym.name)
            node.seq = sym.seq  # later values computed after it go after it
            sym.nodes[self.graph] = node
        return node

    def _reify(self, sym: SymInt) -> Node | None:
        """A size of a tensor of this graph that is an expression of input symbols (``2*s0``,
        ``s0 - 1``): computed from the placeholders' sizes by arithmetic nodes, as torch.export
        does (``mul_1 = 2 * sym_size_int_1``), where the program first uses it.  None when a symbol
        has no placeholder size to read, or the expression is not sums and products."""
        env = sym.env
        expr = env.simplify(sym.expr)
        sources: dict[Any, Node] = {}
        for s in expr.free_symbols:
            source = self.size_source(SymInt(s, env, ()))
            if source is None or not _reifiable(expr):
                return None
            sources[s] = self.node_of_sym(source, counted=False)
        def build(e: Any) -> Any:
            if e.is_Integer:
                return int(e)
            if e.is_Symbol:
                return sources[e]
            op = SYM_OPS["add" if e.is_Add else "mul"]
            acc = build(e.args[0])
            for i, term in enumerate(e.args[1:], 2):
                partial = e.func(*e.args[:i])
                acc = self.create(op, (acc, build(term)), {}, SymInt(partial, env, ()), name="reified", stack=())
                self.reified.append(acc)
            return acc

        node = build(expr)
        sym.nodes[self.graph] = node
        node.meta["val"] = sym
        return node

    def name_reified(self) -> None:
        """The graph is complete: the size arithmetic of :meth:`_reify` takes its names now,
        after every other node, in graph order (``mul_1`` when the program has a ``mul``)."""
        live = [n for n in self.graph.nodes if n in set(self.reified)]
        for node in live:
            node.name = self.graph.names.create(node.target.name)
        self.reified = []

    def size_read_name(self, place: int) -> str:
        """torch.export's name for the read of the placeholder size at ``place``: its reads of
        the n distinct sizes the program asked for come first (``sym_size_int`` ... ``_<n-1>``),
        then one read per symbolic placeholder size, of which the unused ones go."""
        return f"sym_size_int_{place + max(len(self.size_reads), 1) - 1}"

    def name_size_reads(self) -> None:
        """The exported graph is complete: name its reads of input sizes (:meth:`size_read_name`)."""
        renames = {}
        for source in self.size_sources:
            node = source.nodes.get(self.graph)
            tensor, dim = source.recipe[1]
            if node is not None and node.args == (tensor._node, dim):
                renames[node] = self.size_read_name(self.size_places[id(source)])
        if any(node.name != name for node, name in renames.items()):
            for node, name in renames.items():
                node.name = name
            rebuild_names(self.graph)

    def map_args(self, value: Any) -> Any:
        if isinstance(value, TensorValue):
            return self.node_of(value)
        if isinstance(value, SymValue):  # a SymInt/SymBool: a guard may have made it a constant
            constant = value.constant
            return constant if constant is not None else self.node_of_sym(value)
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
               opcode: str = "call_function", stack: tuple | None = None, index: int | None = None) -> Node:
        meta = {"val": val, "stack": self.stack() if stack is None else stack}
        return self.graph.create_node(opcode, op, args, kwargs, name=name or op.name, meta=meta, index=index)

    def record(self, op: OpDef, args: tuple, kwargs: dict, out: Any) -> Any:
        """Add a node for ``op`` applied to ``args``; return the traced result."""
        shapes = self._symbolic_shapes(op, args, kwargs, out)
        node = self.create(op, self.map_args(args), self.map_args(kwargs), _meta(out, shapes))
        if op.mutates is not None:
            target = args[op.mutates]
            target._node = node
            return target
        if op.multi:
            stack = node.meta["stack"]
            shapes = shapes or [None] * len(out)
            return tuple(
                _with_sizes(TensorValue._make(o, self.create(GETITEM, (node, i), {}, _meta(o, sh), stack=stack)), sh)
                for i, (o, sh) in enumerate(zip(out, shapes))
            )
        if isinstance(out, np.ndarray):
            return _with_sizes(TensorValue._make(out, node), shapes)
        return out

    def _symbolic_shapes(self, op: OpDef, args: tuple, kwargs: dict, out: Any) -> Any:
        """Output shape(s) with symbolic sizes, or None when everything is static."""
        if not self.has_symbols or not isinstance(out, (np.ndarray, tuple, list)) or not _is_symbolic((args, kwargs)):
            return None
        if op.mutates is not None:
            return tuple(args[op.mutates].shape)
        shapes = output_shape(op, args, kwargs)
        for got, want in zip(shapes if op.multi else [shapes], out if op.multi else [out]):
            hints = tuple(d.hint if hasattr(d, "hint") else d for d in got)
            assert hints == want.shape, f"shape rule of {op.qualname} gave {got} (= {hints}) for {want.shape}"
        return shapes

    def unbacked_item(self, tensor: Any) -> Any:
        """``tensor.item()`` while tracing: a new unbacked symbol ``u<n>``."""
        hint = int(tensor._value.reshape(()).item())
        sym = SymInt(self.env.new_unbacked(hint), self.env, (aten("item.default"), (tensor,)))
        self.node_of_sym(sym)
        return sym

    def note_size_read(self, tensor: Any) -> None:
        """The code read ``tensor``'s shape (see :func:`exportdb.exporter.trace.context.note_size_read`)."""

    def check_mutation(self, tensor: Any, op: OpDef) -> None:
        """Called before an in-place op runs; sub-graph builders refuse writes to
        values from outside their graph."""

