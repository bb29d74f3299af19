"""``export(model, args, kwargs)``: trace ``model.forward`` into an ExportedProgram.

Parameters and buffers become ``p_*``/``b_*`` placeholders, tensors the code
reads from module attributes or creates from data become ``c_*`` constants,
and user inputs are flattened (``batch_pair_0``).  The forward runs once on
copies of the example values while a root :class:`GraphBuilder` records
every op.
"""

from __future__ import annotations

import inspect
from typing import Any, Iterator

from exportdb.exporter.trace import context, user_frames
from exportdb.exporter.ir import pytree
from exportdb.exporter.trace.graph_builder import LIFT_KEY, GraphBuilder, rebuild_names
from exportdb.errors import ExportError, InputError
from exportdb.exporter.ir.graph import Node
from exportdb.exporter.ir.tensor_meta import TensorMeta, meta_of
from exportdb.exporter.trace.dead_code import drop_unused_indexing, renamed_outputs
from exportdb.exporter.trace.unbacked_checks import place_item_checks
from exportdb.exporter.trace.grad_regions import split_grad_regions
from exportdb.exporter.trace.model_state import snapshot
from exportdb.exporter.ir.program import ExportedProgram
from exportdb.exporter.ir.signature import (ConstantArgument, ExportGraphSignature, InputKind, InputSpec, OutputKind,
                                            OutputSpec, SymIntArgument, TensorArgument)
from exportdb.exporter.ir.values import ModuleValue, TensorValue
from exportdb.exporter.interpreter import ExportedModule
from exportdb.exporter.symbolic.dynamic_shapes import SymbolAllocator, collect
from exportdb.exporter.symbolic.shape_env import SymInt, SymValue, attach_sizes

_CONSTANT_TYPES = (int, float, bool, str, type(None))


def _call_user(fn: Any, args: tuple, kwargs: dict) -> Any:
    return fn(*args, **kwargs)


user_frames.STOP_CODES.add(_call_user.__code__)


def _replace_leaves(value: Any, replacements: Iterator[Any]) -> Any:
    return pytree.tree_map(lambda _: next(replacements), value)


def _tensor_attribute_paths(model: Any) -> dict[int, str]:
    """id(tensor) -> target name for tensors the forward reads without receiving them:
    plain module attributes (their dotted path) and defaults of forward's parameters
    (named the way torch.export names them)."""
    paths: dict[int, str] = {}
    for i, default in enumerate(getattr(type(model).forward, "__defaults__", None) or ()):
        if isinstance(default, TensorValue):
            paths[id(default)] = f"dict_type_L__self______dict_____forward_____defaults___{i}"
    for prefix, module in model.named_modules():
        for name, value in vars(module).items():
            if isinstance(value, TensorValue) and id(value) not in paths:
                paths[id(value)] = f"{prefix}.{name}" if prefix else name
    return paths


def _state_name(prefix: str, target: str) -> str:
    """Placeholder name of lifted state: ``p_linear_weight`` for parameter ``linear.weight``."""
    return prefix + target.replace(".", "_").lower()


def _state_key(target: str) -> str:
    """The name dynamo gives module state (or a tensor attribute) it reads: ``l__self____export_root_`` + path."""
    return "l__self____export_root_" + target.replace(".", "_")


class _Export:
    """State of one export: the root builder, the specs and the lifted state."""

    def __init__(self, model: Any):
        self.model = model
        self.builder = GraphBuilder()
        self.builder.constant_lifter = self.lift_constant
        self.graph = self.builder.graph
        self.state_specs: list[InputSpec] = []
        self.constant_specs: list[InputSpec] = []
        self.user_specs: list[InputSpec] = []
        self.state: dict[str, Any] = {}
        self.constants: dict[str, Any] = {}
        self.lifted: dict[int, tuple[Any, Node]] = {}
        self.attribute_paths = _tensor_attribute_paths(model)
        self.swapped: list[tuple[Any, Any, Any]] = []

    def lift_state(self) -> None:
        for kind, prefix, items in ((InputKind.PARAMETER, "p_", self.model.named_parameters()),
                                    (InputKind.BUFFER, "b_", self.model.named_buffers())):
            for fqn, tensor in items:
                node = self.graph.placeholder(_state_name(prefix, fqn),
                                              meta={"val": meta_of(tensor._value), LIFT_KEY: _state_key(fqn)})
                persistent = self.model.is_persistent_buffer(fqn) if kind is InputKind.BUFFER else None
                self.state_specs.append(InputSpec(kind, TensorArgument(node.name), fqn, persistent))
                self.state[fqn] = tensor._value.copy()
                self.swapped.append((tensor, tensor._value, tensor._node))
                tensor._value, tensor._node = tensor._value.copy(), node

    def name_state(self, reads: dict[int, str | None]) -> None:
        """Name each parameter or buffer placeholder after the attribute path the forward first
        read it by, as torch.export 2.13 does (``p_second_weight`` for a layer reached as
        ``self.second`` before ``self.first.lin``); the target stays its state_dict name."""
        ids = {fqn: id(tensor) for fqn, tensor in (*self.model.named_parameters(), *self.model.named_buffers())}
        by_name = {n.name: n for n in self.graph.placeholders}
        for i, spec in enumerate(self.state_specs):
            path = reads.get(ids.get(spec.target))
            if path is None or path == spec.target:
                continue
            name = _state_name(spec.arg.name[:2], path)
            if name in by_name:
                continue
            node = by_name.pop(spec.arg.name)
            node.name = node.target = name
            by_name[name] = node
            self.state_specs[i] = InputSpec(spec.kind, TensorArgument(name), spec.target, spec.persistent)
        rebuild_names(self.graph)

    def order_state(self, reads: dict[int, str | None]) -> None:
        """Parameters, then buffers, in the order the forward first read them off the
        module, as torch.export 2.13 lifts them (state never read keeps its place at the end)."""
        ids = {fqn: id(tensor) for fqn, tensor in (*self.model.named_parameters(), *self.model.named_buffers())}
        rank = {key: n for n, key in enumerate(reads)}
        ordered = sorted(self.state_specs, key=lambda spec: (spec.kind is InputKind.BUFFER,
                                                             rank.get(ids.get(spec.target), len(rank))))
        by_name = {n.name: n for n in self.graph.placeholders}
        self.graph.nodes[:len(ordered)] = [by_name[spec.arg.name] for spec in ordered]
        self.state_specs = ordered

    def drop_unused_state(self) -> None:
        """Like torch.export 2.13, keep as inputs only the parameters and buffers the graph
        reads (the program's state_dict still holds them all)."""
        by_name = {n.name: n for n in self.graph.placeholders}
        kept = []
        for spec in self.state_specs:
            node = by_name[spec.arg.name]
            if node.users:
                kept.append(spec)
            else:
                self.graph.erase(node)
        self.state_specs = kept

    def restore_state(self) -> None:
        for tensor, value, node in reversed(self.swapped):
            tensor._value, tensor._node = value, node

    def lift_constant(self, tensor: Any) -> Node:
        """Placeholder for a tensor that does not come from the inputs: ``c_<attr>`` or
        ``c_lifted_tensor_<n>``, placed after parameters and buffers."""
        known = self.lifted.get(id(tensor))
        if known is not None:
            return known[1]
        path = self.attribute_paths.get(id(tensor))
        target = path or f"lifted_tensor_{sum(1 for s in self.constant_specs if s.persistent is None)}"
        index = len(self.state_specs) + len(self.constant_specs)
        meta = {"val": meta_of(tensor._value), LIFT_KEY: _state_key(path) if path else None}
        node = self.graph.placeholder(_state_name("c_", target), meta=meta, index=index)
        self.constant_specs.append(InputSpec(InputKind.CONSTANT_TENSOR, TensorArgument(node.name), target,
                                             True if path else None))
        self.constants[target] = tensor._value.copy()
        self.lifted[id(tensor)] = (tensor, node)
        return node

    def user_inputs(self, leaves: list[tuple[str, Any]], dims: dict[int, dict]) -> list[Any]:
        allocator = None
        traced = []
        for i, (name, leaf) in enumerate(leaves):
            if isinstance(leaf, TensorValue):
                node = self.graph.placeholder(name, meta={"val": meta_of(leaf._value), LIFT_KEY: f"l_flat_args_{i}_"})
                self.user_specs.append(InputSpec(InputKind.USER_INPUT, TensorArgument(node.target), None))
                tensor = TensorValue._make(leaf._value.copy(), node)
                spec = dims.get(id(leaf))
                if spec:
                    allocator = allocator or SymbolAllocator(self.builder.env)
                    shape = list(leaf._value.shape)
                    for d, entry in spec.items():
                        if not -len(shape) <= d < len(shape):
                            raise InputError(f"dynamic_shapes names dim {d} of {name}, which has {len(shape)} dims")
                        expr = allocator.expr_for(entry, shape[d], f"{name}.size()[{d % len(shape)}]")
                        if expr is not None:
                            shape[d] = SymInt(expr, self.builder.env, ())
                    attach_sizes(tensor, shape)
                    self.builder.register_sizes(tensor, leaf=i)
                    node.meta["val"] = TensorMeta(tuple(tensor.shape), tensor.dtype)
                traced.append(tensor)
            elif isinstance(leaf, _CONSTANT_TYPES):
                node = self.graph.placeholder(name, meta={"val": leaf})
                self.user_specs.append(InputSpec(InputKind.USER_INPUT, ConstantArgument(node.name, leaf), None))
                traced.append(leaf)
            else:
                raise InputError(f"example input {name} is a {type(leaf).__name__}; inputs must be tensors, "
                                 "Python numbers, strings or (nested) tuples, lists and dicts of those")
        # One tensor passed as several inputs: torch.export 2.13 reads every use from the last of them.
        last = {id(leaf): t for (_, leaf), t in zip(leaves, traced) if isinstance(leaf, TensorValue)}
        return [last[id(leaf)] if isinstance(leaf, TensorValue) else t for (_, leaf), t in zip(leaves, traced)]

    def outputs(self, result: Any) -> tuple[list[OutputSpec], pytree.TreeSpec]:
        leaves, spec = pytree.tree_flatten(result, none_is_leaf=True)
        values, specs = [], []
        for leaf in leaves:
            if isinstance(leaf, TensorValue):
                node = self.builder.node_of(leaf)
                values.append(node)
                specs.append(OutputSpec(OutputKind.USER_OUTPUT, TensorArgument(node.name), None))
            elif isinstance(leaf, SymValue):
                node = self.builder.node_of_sym(leaf)
                values.append(node)
                specs.append(OutputSpec(OutputKind.USER_OUTPUT, SymIntArgument(node.name), None))
            elif isinstance(leaf, _CONSTANT_TYPES):
                values.append(leaf)
                specs.append(OutputSpec(OutputKind.USER_OUTPUT, ConstantArgument("", leaf), None))
            else:
                raise ExportError(f"forward returned a {type(leaf).__name__}; outputs must be tensors, Python "
                                  "numbers or (nested) tuples, lists and dicts of those",
                                  hint="return tensors (or containers of tensors) from forward")
        self.graph.output(tuple(values))
        return specs, spec


def export(model: Any, args: tuple, kwargs: dict | None = None, *, dynamic_shapes: Any = None,
           constraints: Any = None) -> ExportedProgram:
    """Trace ``model.forward(*args, **kwargs)`` into an :class:`ExportedProgram`."""
    if not isinstance(model, ModuleValue):
        raise InputError(f"export() expects a torch.nn.Module, got {type(model).__name__}",
                         hint="pass an instance of your nn.Module subclass")
    if not isinstance(args, tuple):
        raise InputError(f"example_args must be a tuple, got {type(args).__name__}", hint="write (x,) for one input")
    sig = inspect.signature(model.forward)
    try:
        bound = sig.bind(*args, **dict(kwargs or {}))
    except TypeError as exc:
        raise InputError(f"example inputs do not match {type(model).__name__}.forward{sig}: {exc}") from None
    dims = collect(sig, bound, dynamic_shapes, constraints)

    run = _Export(model)
    run.lift_state()
    order = pytree.input_order(sig, bound, kwargs)
    leaves = pytree.flatten_user_inputs(sig, bound, order)
    traced = iter(run.user_inputs(leaves, dims))
    for pname in order:
        if bound.arguments[pname] is None:
            next(traced)  # a None argument is a leaf of its own (see flatten_user_inputs)
            continue
        bound.arguments[pname] = _replace_leaves(bound.arguments[pname], traced)
    reads, marks = context.start_state_reads(model), context.start_grad_marks()
    saved = snapshot(model)
    context.push_builder(run.builder)
    try:
        result = _call_user(model, bound.args, bound.kwargs)
        output_specs, out_spec = run.outputs(result)
        place_item_checks(run.graph, run.builder.item_checks)
        if drop_unused_indexing(run.graph):
            output_specs = renamed_outputs(run.graph, output_specs)
        if split_grad_regions(run.graph, marks):
            output_specs = renamed_outputs(run.graph, output_specs)
        if run.builder.size_sources:
            run.builder.name_reified()
            run.builder.name_size_reads()
            output_specs = renamed_outputs(run.graph, output_specs)
        run.drop_unused_state()
        run.order_state(reads)
        run.name_state(reads)
    finally:
        context.pop_builder(run.builder)
        context.stop_state_reads(reads)
        context.stop_grad_marks(marks)
        run.restore_state()
        saved.restore()
    signature = ExportGraphSignature(run.state_specs + run.constant_specs + run.user_specs, output_specs)
    env = run.builder.root._env
    ranges = env.range_constraints() if env is not None else {}
    return ExportedProgram(run.graph, signature, run.state, run.constants, sig, out_spec, ranges, env,
                           symbol_names=run.builder.torch_symbol_names(), module_class=ExportedModule)
