"""Higher-order ops ``cond`` and ``map``: tracing their functions into sub-graphs.

Each branch (or map body) is traced by a :class:`SubgraphBuilder`, whose graph
takes every tensor it uses as an explicit input.  A map body takes the rows of
the mapped tensors, the user's extra arguments, then the tensors it closes over
in order of first use.  Both cond branches end up with the same flat signature,
in torch.export 2.13's order (:func:`cond_operands`); operands no branch uses
are dropped.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from exportdb.exporter.ir import pytree
from exportdb.exporter.trace.context import pop_builder, push_builder
from exportdb.exporter.trace.graph_builder import LIFT_KEY, GraphBuilder, lift_key, rebuild_names
from exportdb.exporter.trace.user_frames import user_location, user_plain_locals
from exportdb.errors import CondError, MapError, SourceLocation
from exportdb.exporter.ir.graph import Node
from exportdb.exporter.ir.tensor_meta import TensorMeta, meta_of
from exportdb.exporter.ops import OpDef
from exportdb.exporter.ops.control_ops import COND, GETITEM, MAP, map_kernel
from exportdb.exporter.trace.dead_code import rename_after_erasing
from exportdb.exporter.symbolic.shape_env import ASSERT_SCALAR, SYM_SIZE, SymBool, SymInt, attach_sizes
from exportdb.exporter.symbolic.shape_rules import same_size
from exportdb.exporter.interpreter import SubgraphCallable
from exportdb.exporter.ir.values import TensorValue

def describe(fn: Any) -> str:
    """``true_fn (case.py:12)``: a branch's name and where it is defined."""
    fn = getattr(fn, "fn", fn) if isinstance(fn, _PackedBody) else fn
    target = getattr(fn, "forward", None) if not hasattr(fn, "__code__") and hasattr(fn, "forward") else fn
    target = getattr(target, "__func__", target)
    code = getattr(target, "__code__", None)
    name = getattr(target, "__qualname__", getattr(fn, "__name__", type(fn).__name__))
    if code is None:
        return name
    return f"{name} ({SourceLocation(code.co_filename, code.co_firstlineno)})"


class SubgraphBuilder(GraphBuilder):
    """Builds a branch/body graph; refuses in-place writes to anything from outside."""

    def __init__(self, parent: GraphBuilder, kind: str, fn: Any):
        super().__init__(parent)
        self.kind = kind
        self.fn = fn
        self.outside_arrays: list[np.ndarray] = []
        #: outer node -> example value of what it stands for (inputs and closures)
        self.values: dict[Node, np.ndarray] = {}
        self.out_spec: pytree.TreeSpec | None = None
        #: outer nodes whose shape the function read (lifted even if no op reads them)
        self.size_read: set[Node] = set()
        #: ids of the outside tensors whose shape the function read (see :meth:`node_of_sym`)
        self.shape_readers: set[int] = set()

    def note_size_read(self, tensor: Any) -> None:
        """Reading the shape of an outside tensor with symbolic sizes (any dim read) lifts it."""
        node = tensor._node
        if node is not None and tensor._sym is not None and not self.owns(node) and self.parent.encloses(node):
            self.shape_readers.add(id(tensor))
            self.node_of(tensor)
            self.size_read.add(self.parent.node_of(tensor))

    def node_of_sym(self, sym: Any, *, counted: bool = True) -> Node:
        """A size the enclosing code read before the branch (``k = x.shape[0]``, closed over) is
        an input of the branch, as dynamo lifts it: the enclosing graph reads it and the branch
        gets a placeholder for it.  A size read inside the branch (``x.shape[0]`` here) is read
        off the lifted tensor instead."""
        node = sym.nodes.get(self.graph)
        if node is None and sym.recipe and sym.recipe[0] is SYM_SIZE and sym.expr.is_Symbol:
            tensor_node = getattr(sym.recipe[1][0], "_node", None)
            if tensor_node is not None and not self.owns(tensor_node) and self.parent.encloses(tensor_node) \
                    and id(sym.recipe[1][0]) not in self.shape_readers:
                node = sym.nodes[self.graph] = self.lift(self.parent.node_of_sym(sym))
                return node
        return super().node_of_sym(sym, counted=counted)

    def node_of(self, tensor: Any) -> Node:
        if self.owns(tensor._node):
            return tensor._node
        self.outside_arrays.append(tensor._value)
        outer = self.parent.node_of(tensor)
        self.values.setdefault(outer, tensor._value)
        return self.lift(outer)

    def check_mutation(self, tensor: Any, op: OpDef) -> None:
        node = tensor._node
        outside = node is None or not self.owns(node) or node.op == "placeholder"
        outside = outside or any(np.shares_memory(tensor._value, a) for a in self.outside_arrays)
        if outside:
            what = f"{node.name}" if node is not None else "a tensor defined outside it"
            error = CondError if self.kind == "cond" else MapError
            raise error(
                f"{self.kind} {describe(self.fn)} mutates {what} in place ({op.qualname}): the function cannot have "
                "in-place mutations on inputs or global variables",
                location=user_location(),
                hint="work on a copy (y = x.clone(); y.add_(1)); in-place ops on tensors created inside are allowed")


def _trace(parent: GraphBuilder, kind: str, fn: Any, inputs: list[tuple[Node, np.ndarray, Any]],
           keys: tuple[str, ...] = ()) -> tuple[SubgraphBuilder, list]:
    """Run ``fn`` on fresh tensors standing for ``inputs`` (outer node, example value,
    shape with symbolic sizes or None); return its builder and output leaves.  ``keys``
    overrides the lift keys of the first placeholders (a map body's rows)."""
    sub = SubgraphBuilder(parent, kind, fn)
    args = []
    for i, (outer, value, sym) in enumerate(inputs):
        placeholder = sub.lift(outer)
        if i < len(keys):
            placeholder.meta[LIFT_KEY] = keys[i]
        tensor = TensorValue._make(value, placeholder)
        if sym is not None:
            attach_sizes(tensor, sym)
            sub.register_sizes(tensor)
        placeholder.meta["val"] = TensorMeta(tuple(tensor.shape), tensor.dtype)
        args.append(tensor)
        sub.outside_arrays.append(value)
        sub.values.setdefault(outer, value)
    _check_signature(kind, fn, args)
    push_builder(sub)
    try:
        result = fn(*args)
    finally:
        pop_builder(sub)
    leaves, sub.out_spec = pytree.tree_flatten(result)
    return sub, leaves


def _name_placeholders_first(sub: SubgraphBuilder) -> None:
    """A closure lifted mid-trace may find its outer name taken by a node of the branch
    (``mul`` -> ``mul_1``); swap names so the placeholder keeps the outer name, as when
    every input is named before the body is traced."""
    by_name = {n.name: n for n in sub.graph.nodes}
    for outer, inner in sub.lifted.items():
        clash = by_name.get(outer.name)
        if clash is not None and clash is not inner and clash.op != "placeholder":
            clash.name, inner.name = inner.name, outer.name
            by_name[clash.name], by_name[inner.name] = clash, inner


def _check_signature(kind: str, fn: Any, args: list) -> None:
    """The function must accept exactly the operands (the seed's first branch rule)."""
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):
        return
    try:
        signature.bind(*args)
    except TypeError as exc:
        raise (CondError if kind == "cond" else MapError)(
            f"{kind} {describe(fn)} cannot be called with {len(args)} operand(s): the function signature must "
            f"match with operands ({exc})", location=user_location(),
            hint="give the function one parameter per operand") from None


def _output(sub: SubgraphBuilder, leaves: list, kind: str) -> list[Node]:
    error = CondError if kind == "cond" else MapError
    nodes = []
    for i, leaf in enumerate(leaves):
        if not isinstance(leaf, TensorValue):
            raise error(f"{kind} {describe(sub.fn)} returns {type(leaf).__name__} value as output {i}: the function must "
                        "return tensors", location=user_location(),
                        hint="return a tensor (or a tuple/list/dict of tensors)")
        node = sub.node_of(leaf)
        aliases = node.op == "placeholder" or any(np.shares_memory(leaf._value, a) for a in sub.outside_arrays)
        if aliases:
            raise error(f"{kind} {describe(sub.fn)} returns output {i} aliasing an input ({node.name}): outputs must "
                        "not alias inputs", location=user_location(),
                        hint=f"return {node.name}.clone() instead")
        nodes.append(node)
    sub.graph.output(tuple(nodes))
    return nodes


def _drop_dead_code(sub: SubgraphBuilder) -> None:
    """Erase the sub-graph's side-effect-free nodes whose values nothing reads, as
    torch.export does when it re-traces a branch; the remaining nodes of the erased ops'
    kinds are renumbered as if never shadowed.  In-place ops, assertions and nested
    higher-order calls stay.  Placeholders stay: what only dead code read is still an
    operand (dynamo lifted it before the dead code went)."""
    graph = sub.graph
    erased: list[Node] = []
    for node in reversed(list(graph.nodes)):
        if (node.op == "call_function" and not node.users and node.target.mutates is None
                and node.target not in (ASSERT_SCALAR, COND, MAP)):
            graph.erase(node)
            erased.append(node)
    if erased:
        rename_after_erasing(graph, erased)


def _align_placeholders(sub: SubgraphBuilder, operands: list[Node]) -> None:
    """Make ``sub``'s placeholders exactly ``operands`` (outer nodes), in that order."""
    graph = sub.graph
    for outer, inner in list(sub.lifted.items()):
        if outer not in operands:
            graph.erase(inner)
            del sub.lifted[outer]
    ordered = []
    for outer in operands:
        inner = sub.lifted.get(outer) or sub.lift(outer)
        ordered.append(inner)
    graph.nodes = ordered + [n for n in graph.nodes if n.op != "placeholder"]
    _name_placeholders_first(sub)
    _read_sizes_in_order(sub)
    sub.name_reified()


def _read_sizes_in_order(sub: SubgraphBuilder) -> None:
    """Now that the placeholders have their final order, make each read of a placeholder's size
    read the first placeholder carrying that symbol in the order dynamo made them (the branch's
    arguments, then the closures in the order they were lifted) and take the name torch.export
    gives it (:meth:`GraphBuilder.size_read_name` of its place among the final placeholders'
    symbolic sizes)."""
    graph = sub.graph
    places: dict[Any, tuple[Node, int, int]] = {}
    numbers: dict[tuple[Node, int], int] = {}
    for ph in graph.placeholders:
        for d, size in enumerate(getattr(ph.meta.get("val"), "shape", ())):
            if isinstance(size, SymInt):
                numbers[ph, d] = len(numbers) + 1
    for ph in sub.lifted.values():  # dynamo's order: the function's arguments, then closures as lifted
        for d, size in enumerate(getattr(ph.meta.get("val"), "shape", ())):
            if isinstance(size, SymInt) and size.expr.is_Symbol:
                places.setdefault(size.env.simplify(size.expr), (ph, d, numbers[ph, d]))
    taken = {n.name for n in graph.nodes}
    for node in graph.nodes:
        val = node.meta.get("val")
        if node.target is not SYM_SIZE or node.args[0].op != "placeholder" or not isinstance(val, SymInt):
            continue
        place = places.get(val.env.simplify(val.expr))
        if place is None:
            continue
        ph, d, k = place
        if node.args[0] is not ph:
            old = node.args[0]
            node.args = (ph, d)
            del old.users[node]
            ph.users[node] = None
        name = sub.size_read_name(k)
        if name not in taken:
            taken.discard(node.name)
            node.name = name
            taken.add(name)
    rebuild_names(graph)


def _check_operands(operands: Any, kind: str) -> list:
    if not isinstance(operands, (tuple, list)):
        raise CondError(f"{kind} operands must be a tuple or list of tensors, got {type(operands).__name__}",
                        location=user_location(), hint="pass operands as (x,) or [x, y]")
    for i, op in enumerate(operands):
        if not isinstance(op, TensorValue):
            raise CondError(f"{kind} operand {i} is a {type(op).__name__}: the operands must be a tuple of tensors",
                            location=user_location(),
                            hint="pass only tensors as operands; use Python constants from the enclosing scope instead")
    return list(operands)


def _emit(builder: GraphBuilder, op: OpDef, args: tuple, out_metas: list, out_values: list, spec: Any) -> Any:
    """Record a higher-order call plus one getitem per output; return the output tree.

    String arguments name sub-graphs: each becomes a ``get_attr`` node first."""
    stack = builder.stack() + (("<hop>", 0, op.name),)
    args = tuple(builder.graph.create_node("get_attr", a, name=a, meta={"stack": stack}) if isinstance(a, str) else a
                 for a in args)
    call = builder.create(op, args, {}, tuple(out_metas), stack=stack)
    results = [attach_sizes(TensorValue._make(v, builder.create(GETITEM, (call, i), {}, m, stack=stack)), m.shape)
               for i, (m, v) in enumerate(zip(out_metas, out_values))]
    return pytree.tree_unflatten(results, spec)


def trace_cond(builder: GraphBuilder, pred: Any, true_fn: Any, false_fn: Any, operands: Any) -> Any:
    """Record ``torch.ops.higher_order.cond(pred, true_graph_n, false_graph_n, [operands])``."""
    operands = _check_operands(operands, "cond")
    if isinstance(pred, TensorValue):
        if pred._value.size != 1:
            raise CondError(f"cond predicate has {pred.numel()} elements: it must be a tensor with only one element "
                            "or a boolean expression", location=user_location(),
                            hint="reduce the predicate first, e.g. x.sum() > 0 or (x > 0).all()")
        pred_arg: Any = builder.node_of(pred)
        taken = bool(pred._value.reshape(()))
    elif isinstance(pred, (bool, np.bool_)):
        pred_arg = taken = bool(pred)
    elif isinstance(pred, SymBool):
        pred_arg, taken = builder.node_of_sym(pred), pred.hint
    else:
        _bad_pred(pred)
    outer = [(builder.node_of(t), t._value.copy(), t._sym) for t in operands]
    t_sub, t_leaves = _trace(builder, "cond", true_fn, [(n, v.copy(), sh) for n, v, sh in outer])
    f_sub, f_leaves = _trace(builder, "cond", false_fn, [(n, v.copy(), sh) for n, v, sh in outer])
    t_nodes = _output(t_sub, t_leaves, "cond")
    f_nodes = _output(f_sub, f_leaves, "cond")
    _check_same_outputs(true_fn, false_fn, t_sub, f_sub, t_nodes, f_nodes)
    operand_nodes = cond_operands(t_sub, f_sub, _stored_names(builder))
    for sub in (t_sub, f_sub):
        _drop_dead_code(sub)
    for sub in (t_sub, f_sub):
        _align_placeholders(sub, operand_nodes)
    t_name = builder.graph.add_subgraph("true_graph", t_sub.graph)
    f_name = builder.graph.add_subgraph("false_graph", f_sub.graph)
    metas = [n.meta["val"] for n in t_nodes]
    values = [leaf._value for leaf in (t_leaves if taken else f_leaves)]
    return _emit(builder, COND, (pred_arg, t_name, f_name, operand_nodes), metas, values, t_sub.out_spec)


def _bad_pred(pred: Any) -> Any:
    raise CondError(f"cond predicate is a {type(pred).__name__}: it must be a tensor with only one element or a "
                    "boolean expression", location=user_location(),
                    hint="pass a bool, a one-element tensor, or a comparison such as x.shape[0] > 4")


def _stored_names(builder: GraphBuilder) -> dict[Node, str]:
    """Nodes of ``builder``'s graph whose tensors the user's code keeps in a plain local
    variable: dynamo renames a node after the first such variable (a variable a nested
    function closes over does not rename it, nor does any variable rename an input)."""
    names: dict[Node, str] = {}
    for name, value in user_plain_locals(2):
        node = getattr(value, "_node", None) if isinstance(value, TensorValue) else None
        if builder.owns(node) and node.op != "placeholder":
            names.setdefault(node, name)
    return names


def cond_operands(t_sub: SubgraphBuilder, f_sub: SubgraphBuilder, stored: dict[Node, str]) -> list[Node]:
    """The outer values a cond passes to its branches, in torch.export 2.13's order: user
    operands and closed-over values alike, those both branches read, then those only the
    true branch reads, then those only the false branch reads; within each group sorted by
    the name dynamo gives the value (:func:`lift_key`: inputs ``l_flat_args_<i>_``, module
    state ``l__self____export_root_<path>``, a computed value its op's name, a map body's
    row ``child``, a computed value the plain local variable the user stored it in, see
    :func:`_stored_names`, else its op's name), so state sorts before inputs and ``abs_1``
    before both.  A value only
    dead code reads still counts (dynamo lifted it before the dead code was dropped)."""
    t_used = [outer for outer, inner in t_sub.lifted.items() if inner.users or outer in t_sub.size_read]
    f_used = [outer for outer, inner in f_sub.lifted.items() if inner.users or outer in f_sub.size_read]
    shared = [n for n in t_used if n in f_used]
    groups = (shared, [n for n in t_used if n not in shared], [n for n in f_used if n not in shared])
    key = {outer: stored.get(outer) or _dynamo_name(outer, inner)
           for sub in (t_sub, f_sub) for outer, inner in sub.lifted.items()}
    return [n for group in groups for n in sorted(group, key=key.__getitem__)]


def _dynamo_name(outer: Node, inner: Node) -> str:
    """The name dynamo gives a lifted value: an in-place op's result is the tensor it wrote,
    so ``v.neg_()`` after ``v = t.abs()`` is still named ``abs_1`` (the node that made it)."""
    node = outer
    while node.op == "call_function" and getattr(node.target, "mutates", None) is not None \
            and isinstance(node.args[node.target.mutates], Node):
        node = node.args[node.target.mutates]
    return lift_key(inner) if node is outer else lift_key(node)


def _check_same_outputs(true_fn: Any, false_fn: Any, t_sub: SubgraphBuilder, f_sub: SubgraphBuilder,
                        t_nodes: list[Node], f_nodes: list[Node]) -> None:
    if t_sub.out_spec != f_sub.out_spec:
        raise CondError(
            f"cond branches return different structures: {describe(true_fn)} returns {_spec_text(t_sub.out_spec)}, "
            f"{describe(false_fn)} returns {_spec_text(f_sub.out_spec)}; the function must return a tensor with the "
            "same metadata, e.g. shape, dtype, etc.", location=user_location(),
            hint="make both branches return the same number and nesting of tensors")
    for i, (a, b) in enumerate(zip(t_nodes, f_nodes)):
        ma, mb = a.meta["val"], b.meta["val"]
        if _meta_text(ma) != _meta_text(mb):
            raise CondError(
                f"cond branches disagree on output {i}: {describe(true_fn)} returns {_meta_text(ma)}, "
                f"{describe(false_fn)} returns {_meta_text(mb)}; the function must return a tensor with the same "
                "metadata, e.g. shape, dtype, etc.", location=user_location(),
                hint="make both branches produce the same shape and dtype (pad, reshape or cast one of them)")


def _meta_text(meta: Any) -> str:
    return f'"{meta.annotation()}"' if isinstance(meta, TensorMeta) else repr(meta)


def _spec_text(spec: pytree.TreeSpec) -> str:
    if spec.kind == "leaf":
        return "a tensor"
    return f"a {spec.kind} of {spec.num_leaves}"


def trace_map(builder: GraphBuilder, body: Any, xs: Any, args: tuple) -> Any:
    """Record ``torch.ops.higher_order.map_impl(body_graph_n, [xs], [args])``."""
    packed = isinstance(xs, (tuple, list))
    mapped = list(xs) if packed else [xs]
    for t in mapped + list(args):
        if not isinstance(t, TensorValue):
            raise MapError(f"map operands must be tensors, got {type(t).__name__}", location=user_location(),
                           hint="pass tensors to map; close over Python constants instead")
    leads = [t.shape[0] if t.ndim else None for t in mapped]
    if None in leads or not all(same_size(leads[0], d) for d in leads[1:]):
        raise MapError("map needs mapped tensors with the same, non-zero leading dimension",
                       location=user_location(), hint="map iterates over dimension 0 of xs")
    xs_nodes = [builder.node_of(t) for t in mapped]
    arg_nodes = [builder.node_of(t) for t in args]
    inputs = [(n, t._value[0].copy(), t._sym[1:] if t._sym else None) for n, t in zip(xs_nodes, mapped)] + \
             [(n, t._value.copy(), t._sym) for n, t in zip(arg_nodes, args)]
    if packed:  # the body takes the row of every mapped tensor as one tuple
        n_xs, inner_body = len(mapped), body
        body = _PackedBody(inner_body, n_xs, type(xs))
    rows = tuple("child" if i == 0 else f"child_{i}" for i in range(len(mapped)))  # dynamo's names for the rows
    sub, leaves = _trace(builder, "map", body, inputs, rows)
    out_nodes = _output(sub, leaves, "map")
    closures = [n for n in sub.lifted if n not in xs_nodes and n not in arg_nodes]  # dead reads count too
    _drop_dead_code(sub)
    extra = [n for n in arg_nodes if n not in xs_nodes] + closures
    _align_placeholders(sub, xs_nodes + extra)
    name = builder.graph.add_subgraph("body_graph", sub.graph)
    values = list(map_kernel(SubgraphCallable(sub.graph, name), [t._value for t in mapped],
                              [sub.values[n] for n in extra]))
    metas = [meta_of(v) for v in values]
    if builder.has_symbols:  # stack the body's (possibly symbolic) row shapes on the leading size
        metas = [TensorMeta((leads[0],) + tuple(node.meta["val"].shape), m.dtype) for node, m in zip(out_nodes, metas)]
    return _emit(builder, MAP, (name, xs_nodes, extra), metas, values, sub.out_spec)


class _PackedBody:
    """Adapts ``body(rows_tuple, *args)`` to the flat calling convention of map's sub-graph."""

    def __init__(self, fn: Any, n: int, container: type):
        self.fn, self.n, self.container = fn, n, container

    def __call__(self, *args: Any) -> Any:
        return self.fn(self.container(args[: self.n]), *args[self.n:])
