"""Parse printed ExportedPrograms and reduce them to a layout-free canonical form.

Two printings of the same program (torch 2.13's ``str(ep)`` and the seed
documents' format) differ in ways that carry no meaning: source comments, blank
lines, dead-value lists (``;  a = b = None``), symbol numbering (``s77`` versus
``s0``), ``[x]`` versus ``(x,)`` operand brackets, the signature's print style and
the order of terms in symbolic expressions.  :func:`parse_program` reads either
printing into a :class:`Program`; :func:`canonical_text` renders it with node
names replaced by positional ids, so two programs agree structurally exactly
when their canonical texts are equal::

    >>> canonical_text(parse_program(torch_text)).splitlines()[:2]   # doctest: +SKIP
    ['graph($x: f32[s0, 2])', '  %0: Sym(s0) = torch.ops.aten.sym_size.int($x, 0)']

:func:`fold_constant_conds` rewrites a cond whose predicate is a Python
constant into the taken branch's body, as torch 2.13 does when it specialises.
"""

from __future__ import annotations

import ast
import copy
import functools
import re
from dataclasses import dataclass, field
from typing import Sequence

from exportdb.exporter.ir.specialise import is_pure_aten

__all__ = [
    "Graph", "Node", "Program", "ProgramParseError", "Spec",
    "canonical_text", "fold_constant_conds", "named_text", "parse_program",
]

_SYMBOL = re.compile(r"\b([su])(\d+)\b")
_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')
_DEAD_LIST = re.compile(r";\s+(?:[A-Za-z_]\w*\s*=\s*)+None\s*$")
_DEAD_LINE = re.compile(r"^(?:[A-Za-z_]\w*\s*=\s*)+None$")
_CLASS = re.compile(r"^class\s+(\w+)\s*(?:\(.*\))?\s*:$")
_ASSIGN = re.compile(r'^(?P<name>[A-Za-z_]\w*)\s*(?::\s*(?P<ann>"[^"]*"|.+?))?\s+=\s+(?P<rhs>.+)$')
_NEW_SPEC = re.compile(r"^(?P<name>\S*): (?P<kind>\w+)(?: target='(?P<target>[^']*)')?(?: persistent=(?P<persistent>\w+))?$")
_OLD_SPEC = re.compile(
    r"(?P<io>Input|Output)Spec\(kind=<\w+\.(?P<kind>\w+): -?\d+>, arg=\w+\(name='(?P<name>[^']*)'.*?\), "
    r"target=(?:None|'(?P<target>[^']*)')(?:, persistent=(?P<persistent>None|True|False))?\)"
)
_SAFE_EXPR = re.compile(r"^[\w\s+\-*/%()<>=!,.]+$")
COND_TARGET = "torch.ops.higher_order.cond"


class ProgramParseError(ValueError):
    """The text is not a printed ExportedProgram this module understands."""

    def __init__(self, message: str, line: int | None = None):
        self.line = line
        super().__init__(f"line {line}: {message}" if line else message)


@dataclass
class Node:
    """One ``name: "annotation" = expression`` statement of a forward body."""

    name: str
    annotation: str | None
    expr: ast.expr


@dataclass
class Graph:
    """One graph module: parameters, nodes, the returned value and nested graphs."""

    name: str
    params: list[tuple[str, str | None]] = field(default_factory=list)
    nodes: list[Node] = field(default_factory=list)
    output: ast.expr | None = None
    children: dict[str, Graph] = field(default_factory=dict)


@dataclass(frozen=True)
class Spec:
    """An input or output of the graph signature: ``x: USER_INPUT``."""

    name: str
    kind: str
    target: str | None = None
    persistent: str | None = None


@dataclass
class Program:
    """A parsed ExportedProgram; symbols are renumbered by first appearance."""

    root: Graph
    inputs: list[Spec]
    outputs: list[Spec]
    ranges: dict[str, str]
    symbols: frozenset[str] = frozenset()
    folded: int = 0


# -- symbols ----------------------------------------------------------------
class _SymbolRenamer:
    """Renumbers ``s``/``u`` symbols per prefix in order of first appearance."""

    def __init__(self) -> None:
        self.mapping: dict[str, str] = {}
        self._count: dict[str, int] = {}

    def _one(self, match: re.Match) -> str:
        old = match.group(0)
        if old not in self.mapping:
            prefix = match.group(1)
            self.mapping[old] = f"{prefix}{self._count.get(prefix, 0)}"
            self._count[prefix] = self._count.get(prefix, 0) + 1
        return self.mapping[old]

    def quoted(self, line: str) -> str:
        return _QUOTED.sub(lambda m: _SYMBOL.sub(self._one, m.group(0)), line)

    def plain(self, text: str) -> str:
        return _SYMBOL.sub(self._one, text)


@functools.lru_cache(maxsize=4096)
def canonical_expr(text: str) -> str:
    """Order-independent form of a size expression: ``s1*2 + s0`` -> ``s0 + 2*s1``."""
    text = " ".join(text.split())
    if not text or text.isdigit() or _SYMBOL.fullmatch(text) or not _SAFE_EXPR.match(text):
        return text
    try:
        import sympy

        names = {m.group(0) for m in _SYMBOL.finditer(text)}
        local = {n: sympy.Symbol(n, integer=True) for n in names}
        local.update(int_oo=sympy.oo)
        return str(sympy.parse_expr(text, local_dict=local))
    except Exception:  # noqa: BLE001 - an expression sympy cannot read is compared as written
        return text


def _split_top(text: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def canonical_annotation(text: str | None) -> str | None:
    """``f32[s1*2, 3]`` -> ``f32[2*s1, 3]``; ``Sym(s1 + s0)`` -> ``Sym(s0 + s1)``."""
    if text is None:
        return None
    text = text.strip().strip('"')
    sym = re.fullmatch(r"Sym\((.*)\)", text)
    if sym:
        return f"Sym({canonical_expr(sym.group(1))})"
    tensor = re.fullmatch(r"(\w+)\[(.*)\]", text)
    if tensor:
        dims = ", ".join(canonical_expr(d) for d in _split_top(tensor.group(2)))
        return f"{tensor.group(1)}[{dims}]"
    return text


# -- parsing ------------------------------------------------------------------
def _parse_expr(text: str, lineno: int) -> ast.expr:
    try:
        return ast.parse(text.strip(), mode="eval").body
    except SyntaxError as exc:
        raise ProgramParseError(f"cannot read expression {text.strip()!r} ({exc.msg})", lineno) from None


def _parse_params(line: str, lineno: int) -> list[tuple[str, str | None]]:
    try:
        func = ast.parse(line + "\n    pass").body[0]
    except SyntaxError as exc:
        raise ProgramParseError(f"cannot read signature {line!r} ({exc.msg})", lineno) from None
    assert isinstance(func, ast.FunctionDef)
    params = []
    for arg in func.args.posonlyargs + func.args.args + func.args.kwonlyargs:
        if arg.arg == "self":
            continue
        ann = arg.annotation
        text = ann.value if isinstance(ann, ast.Constant) and isinstance(ann.value, str) else (
            ast.unparse(ann) if ann is not None else None)
        params.append((arg.arg, canonical_annotation(text)))
    return params


def _parse_graphs(lines: list[tuple[int, str]]) -> Graph:
    stack: list[tuple[int, Graph]] = []
    root: Graph | None = None
    for lineno, raw in lines:
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        indent = len(raw) - len(raw.lstrip())
        cls = _CLASS.match(line)
        if cls:
            graph = Graph(cls.group(1))
            while stack and stack[-1][0] >= indent:
                stack.pop()
            if stack:
                stack[-1][1].children[graph.name] = graph
            elif root is None:
                root = graph
            else:
                raise ProgramParseError(f"second top-level class {graph.name!r}", lineno)
            stack.append((indent, graph))
            continue
        if not stack:
            raise ProgramParseError(f"statement outside any graph module: {line!r}", lineno)
        graph = stack[-1][1]
        if line.startswith("def "):
            graph.params = _parse_params(line, lineno)
        elif line == "return" or line.startswith(("return ", "return(")):
            graph.output = _parse_expr(line[len("return"):] or "None", lineno)
        elif _DEAD_LINE.match(line):
            continue
        else:
            match = _ASSIGN.match(_DEAD_LIST.sub("", line))
            if not match:
                raise ProgramParseError(f"cannot read statement {line!r}", lineno)
            graph.nodes.append(Node(match.group("name"), canonical_annotation(match.group("ann")),
                                    _parse_expr(match.group("rhs"), lineno)))
    if root is None:
        raise ProgramParseError("no graph module found")
    return root


def _parse_signature(first: str, rest: list[str]) -> tuple[list[Spec], list[Spec]]:
    inputs: list[Spec] = []
    outputs: list[Spec] = []
    if first.startswith("ExportGraphSignature("):
        for m in _OLD_SPEC.finditer(first):
            persistent = m.group("persistent")
            spec = Spec(m.group("name"), m.group("kind"), m.group("target"),
                        None if persistent in (None, "None") else persistent)
            (inputs if m.group("io") == "Input" else outputs).append(spec)
        if first.count("Spec(") != len(inputs) + len(outputs):
            raise ProgramParseError("cannot read every InputSpec/OutputSpec of the graph signature")
        return inputs, outputs
    target = None
    for line in [first] + rest:
        line = line.strip()
        if line in ("# inputs", "# outputs"):
            target = inputs if line == "# inputs" else outputs
        elif line:
            m = _NEW_SPEC.match(line)
            if not m or target is None:
                raise ProgramParseError(f"cannot read graph signature entry {line!r}")
            target.append(Spec(m.group("name"), m.group("kind"), m.group("target"), m.group("persistent")))
    return inputs, outputs


def _parse_ranges(text: str) -> dict[str, str]:
    body = text.strip()
    if not (body.startswith("{") and body.endswith("}")):
        raise ProgramParseError(f"cannot read range constraints {text.strip()!r}")
    ranges = {}
    for item in _split_top(body[1:-1]):
        key, _, value = item.partition(":")
        ranges[key.strip()] = " ".join(value.split())
    return ranges


def parse_program(text: str) -> Program:
    """Read a printed ExportedProgram in torch 2.13's or the seed's style."""
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if line.strip()]
    if not starts or lines[starts[0]].strip() != "ExportedProgram:":
        raise ProgramParseError("text does not start with 'ExportedProgram:'", starts[0] + 1 if starts else None)
    sig = next((i for i, line in enumerate(lines) if line.startswith("Graph signature:")), None)
    rng = next((i for i, line in enumerate(lines) if line.startswith("Range constraints:")), None)
    if sig is None or rng is None or rng < sig:
        raise ProgramParseError("missing 'Graph signature:' or 'Range constraints:' section")
    renamer = _SymbolRenamer()
    graph_lines = [(i + 1, renamer.quoted(lines[i])) for i in range(starts[0] + 1, sig)]
    seen = frozenset(renamer.mapping.values())
    root = _parse_graphs(graph_lines)
    inputs, outputs = _parse_signature(lines[sig][len("Graph signature:"):].strip(), lines[sig + 1:rng])
    ranges_text = renamer.plain(" ".join(l.strip() for l in lines[rng:])[len("Range constraints:"):])
    return Program(root, inputs, outputs, _parse_ranges(ranges_text), seen)


# -- rewriting ------------------------------------------------------------------
class _Substitute(ast.NodeTransformer):
    """Replace names by expressions; fold ``(a, b)[0]`` to ``a``."""

    def __init__(self, env: dict[str, ast.expr]):
        self.env = env

    def visit_Name(self, node: ast.Name) -> ast.expr:
        return copy.deepcopy(self.env[node.id]) if node.id in self.env else node

    def visit_Subscript(self, node: ast.Subscript) -> ast.expr:
        self.generic_visit(node)
        index = node.slice
        if isinstance(node.value, (ast.Tuple, ast.List)) and isinstance(index, ast.Constant) \
                and isinstance(index.value, int) and -len(node.value.elts) <= index.value < len(node.value.elts):
            return node.value.elts[index.value]
        return node


def _substitute(expr: ast.expr, env: dict[str, ast.expr]) -> ast.expr:
    return _Substitute(env).visit(copy.deepcopy(expr)) if env else expr


def _self_attr(expr: ast.expr) -> str | None:
    if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name) and expr.value.id == "self":
        return expr.attr
    return None


class _Namespace:
    """torch.fx's naming rule: a taken ``add`` or ``add_1`` becomes the next free ``add_<n>``."""

    def __init__(self, names: Sequence[str] = ()):
        self.used: set[str] = set()
        self.counts: dict[str, int] = {}
        for name in names:
            self.create(name)

    def create(self, candidate: str) -> str:
        match = re.fullmatch(r"(.*)_(\d+)", candidate)
        base, num = (match.group(1), int(match.group(2))) if match else (candidate, 0)
        if not num:
            num = self.counts.get(base, 0)
        while candidate in self.used:
            num += 1
            candidate = f"{base}_{num}"
        self.used.add(candidate)
        self.counts[base] = num
        return candidate


def _constant_cond(graph: Graph, expr: ast.expr, attrs: dict[str, str]) -> tuple[Graph, list[ast.expr]] | None:
    """The taken branch and the operands when ``expr`` is a cond on a Python constant."""
    if not (isinstance(expr, ast.Call) and ast.unparse(expr.func) == COND_TARGET and len(expr.args) == 4):
        return None
    pred, true_ref, false_ref, operands = expr.args
    if not (isinstance(pred, ast.Constant) and isinstance(pred.value, (bool, int))):
        return None
    ref = true_ref if pred.value else false_ref
    branch = graph.children.get(attrs.get(ref.id, "")) if isinstance(ref, ast.Name) else None
    if branch is None or not isinstance(operands, (ast.List, ast.Tuple)) or len(operands.elts) != len(branch.params):
        return None
    return branch, list(operands.elts)


def _inline(graph: Graph, branch: Graph, operands: list[ast.expr], names: _Namespace) -> tuple[list[Node], ast.expr]:
    env: dict[str, ast.expr] = {name: op for (name, _), op in zip(branch.params, operands)}
    nodes = []
    for node in branch.nodes:
        expr = _substitute(node.expr, env)
        attr = _self_attr(expr)
        if attr is not None and attr in branch.children:
            moved = _Namespace(graph.children).create(attr)
            graph.children[moved] = branch.children[attr]
            expr = ast.Attribute(ast.Name("self", ast.Load()), moved, ast.Load())
        fresh = names.create(node.name)
        env[node.name] = ast.Name(fresh, ast.Load())
        nodes.append(Node(fresh, node.annotation, expr))
    output = _substitute(branch.output, env) if branch.output is not None else ast.Tuple([], ast.Load())
    return nodes, output


def _fold_graph(graph: Graph, root: bool = False) -> tuple[int, dict[str, ast.expr]]:
    count = sum(_fold_graph(child)[0] for child in graph.children.values())
    env: dict[str, ast.expr] = {}
    attrs: dict[str, str] = {}
    names = _Namespace([name for name, _ in graph.params])
    nodes: list[Node] = []
    spliced: set[str] = set()
    local = 0
    for node in graph.nodes:
        expr = _substitute(node.expr, env)
        attr = _self_attr(expr)
        if attr is not None:
            attrs[node.name] = attr
        folded = _constant_cond(graph, expr, attrs)
        if folded is not None:
            inlined, output = _inline(graph, *folded, names)
            local += 1
            nodes.extend(inlined)
            spliced.update(n.name for n in inlined)
            env[node.name] = output
        elif isinstance(node.expr, ast.Subscript) and isinstance(expr, ast.Name):
            env[node.name] = expr  # ``getitem = cond[0]`` of a folded cond is an alias
        else:
            name = names.create(node.name)
            if name != node.name:  # renamed after inlining, as torch.fx would have named it
                env[node.name] = ast.Name(name, ast.Load())
            nodes.append(Node(name, node.annotation, expr))
    count += local
    if local:
        graph.output = _substitute(graph.output, env) if graph.output is not None else None
        if root:
            graph.nodes = _drop_unused_attrs(graph, nodes)
            graph.nodes = _read_every_result(graph, spliced, names)
        else:
            graph.nodes = _drop_unused_attrs(graph, _drop_dead_spliced(graph, nodes, spliced))
    return count, env


def _pure_aten_call(expr: ast.expr) -> bool:
    name = ast.unparse(expr.func) if isinstance(expr, ast.Call) else ""
    return name.startswith("torch.ops.") and is_pure_aten(name[len("torch.ops."):])


def _drop_dead_spliced(graph: Graph, nodes: list[Node], spliced: set[str]) -> list[Node]:
    """Torch traces only the taken branch of a constant cond; inside a cond branch, whose
    graph torch cleans of dead code (its top graph keeps dead code), what of that branch
    nobody reads then goes (a result of the cond the program never used): drop spliced-in
    calls of non-mutating ATen ops whose value is unused, to a fixed point."""
    while True:
        graph.nodes = nodes
        used = _used_names(graph)
        dead = [n for n in nodes if n.name in spliced and n.name not in used and _pure_aten_call(n.expr)]
        if not dead:
            return nodes
        nodes = [n for n in nodes if n not in dead]


def _read_every_result(graph: Graph, spliced: set[str], names: _Namespace) -> list[Node]:
    """A cond spliced into the root graph reads every result (``cond[i]``) right after the
    call, as torch.export keeps them in its top graph; a branch drops the unused ones."""
    attrs = {n.name: _self_attr(n.expr) for n in graph.nodes if _self_attr(n.expr)}
    nodes = list(graph.nodes)
    for call in [n for n in nodes if n.name in spliced and isinstance(n.expr, ast.Call)
                 and ast.unparse(n.expr.func) == COND_TARGET and len(n.expr.args) == 4]:
        ref = call.expr.args[1]
        branch = graph.children.get(attrs.get(ref.id, "")) if isinstance(ref, ast.Name) else None
        if branch is None or not isinstance(branch.output, (ast.Tuple, ast.List)):
            continue
        reads = {n.expr.slice.value: n for n in nodes if isinstance(n.expr, ast.Subscript)
                 and isinstance(n.expr.value, ast.Name) and n.expr.value.id == call.name
                 and isinstance(n.expr.slice, ast.Constant)}
        known = {name: ann for name, ann in branch.params} | {n.name: n.annotation for n in branch.nodes}
        block = []
        for i, out in enumerate(branch.output.elts):
            if i not in reads:
                annotation = known.get(out.id) if isinstance(out, ast.Name) else None
                index = ast.Subscript(ast.Name(call.name, ast.Load()), ast.Constant(i), ast.Load())
                reads[i] = Node(names.create("getitem"), annotation, index)
            block.append(reads[i])
        nodes = [n for n in nodes if n not in block]
        at = nodes.index(call) + 1
        nodes[at:at] = block
    return nodes


def _used_names(graph: Graph) -> set[str]:
    exprs = [n.expr for n in graph.nodes] + ([graph.output] if graph.output else [])
    return {n.id for e in exprs for n in ast.walk(e) if isinstance(n, ast.Name)}


def _drop_unused_attrs(graph: Graph, nodes: list[Node]) -> list[Node]:
    """Remove subgraph ``get_attr`` nodes and nested graphs nothing refers to any more."""
    graph.nodes = nodes
    used = _used_names(graph)
    kept = [n for n in nodes if not (_self_attr(n.expr) in graph.children and n.name not in used)]
    referenced = {_self_attr(n.expr) for n in kept}
    graph.children = {k: v for k, v in graph.children.items() if k in referenced}
    return kept


def fold_constant_conds(program: Program) -> Program:
    """A copy of ``program`` with every constant-predicate cond replaced by its taken branch.

    ``cond(True, true_graph_0, false_graph_0, [x])`` becomes ``true_graph_0``'s
    body applied to ``x``: nodes keep their names unless taken in the outer
    graph (then ``_1``, ``_2`` are appended, as torch.fx does), ``cond[i]``
    aliases resolve to the branch's outputs, and the signature follows.
    """
    result = copy.deepcopy(program)
    count, env = _fold_graph(result.root, root=True)
    result.folded = count
    if count:
        outputs = []
        for spec in result.outputs:
            alias = env.get(spec.name)
            name = alias.id if isinstance(alias, ast.Name) else spec.name
            outputs.append(Spec(name, spec.kind, spec.target, spec.persistent))
        result.outputs = outputs
    return result


# -- rendering ------------------------------------------------------------------
class _Render(ast.NodeTransformer):
    """Lists for tuples, tokens for names, ``@k`` for nested graphs."""

    def __init__(self, tokens: dict[str, str], graphs: dict[str, str] | None = None):
        self.tokens = tokens
        self.graphs = graphs

    def visit_Name(self, node: ast.Name) -> ast.expr:
        return ast.Name(self.tokens.get(node.id, node.id), ast.Load())

    def visit_Tuple(self, node: ast.Tuple) -> ast.expr:
        return ast.List([self.visit(e) for e in node.elts], ast.Load())

    def visit_Attribute(self, node: ast.Attribute) -> ast.expr:
        attr = _self_attr(node)
        if attr is not None and self.graphs is not None and attr in self.graphs:
            return ast.Name(self.graphs[attr], ast.Load())
        return self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> ast.expr:
        if isinstance(node.value, str) and self.tokens:
            text = re.sub(r"'(\w+)'", lambda m: f"'{self.tokens.get(m.group(1), m.group(1))}'", node.value)
            return ast.Constant(text)
        return node


def _render(expr: ast.expr, tokens: dict[str, str], graphs: dict[str, str] | None = None) -> str:
    return ast.unparse(_Render(tokens, graphs).visit(copy.deepcopy(expr)))


def _canonical_graph(graph: Graph, root: bool, out: list[str], depth: int) -> dict[str, str]:
    pad = "  " * depth
    tokens = {name: (f"${name}" if root else f"%a{i}") for i, (name, _) in enumerate(graph.params)}
    out.append(pad + "graph(" + ", ".join(f"{tokens[n]}: {a}" if a else tokens[n] for n, a in graph.params) + ")")
    order: dict[str, str] = {}
    for node in graph.nodes:
        attr = _self_attr(node.expr)
        if attr in graph.children and attr not in order:
            order[attr] = f"@{len(order)}"
    for i, node in enumerate(graph.nodes):
        ann = f": {node.annotation}" if node.annotation else ""
        out.append(f"{pad}  %{i}{ann} = {_render(node.expr, tokens, order)}")
        tokens[node.name] = f"%{i}"
    if graph.output is not None:
        out.append(f"{pad}  return {_render(graph.output, tokens, order)}")
    for attr, label in order.items():
        out.append(f"{pad}  {label}:")
        _canonical_graph(graph.children[attr], False, out, depth + 2)
    return tokens


def _range_lines(program: Program, label: str) -> list[str]:
    kept = {k: v for k, v in program.ranges.items() if k in program.symbols}
    return [label + " {" + ", ".join(f"{k}: {v}" for k, v in sorted(kept.items())) + "}"]


def canonical_text(program: Program) -> str:
    """Rendering with positional node ids: equal exactly when programs agree structurally.

    Root placeholders keep their names (they are the program's interface);
    other nodes become ``%0``, ``%1``, ... and nested graphs ``@0``, ``@1`` in
    order of use.  Symbols only the range constraints mention are left out.
    """
    out: list[str] = []
    tokens = _canonical_graph(program.root, True, out, 0)
    out.append("inputs:")
    out += [f"  {s.name}: {s.kind} target={s.target} persistent={s.persistent}" for s in program.inputs]
    out.append("outputs:")
    out += [f"  {tokens.get(s.name, s.name)}: {s.kind} target={s.target}" for s in program.outputs]
    return "\n".join(out + _range_lines(program, "ranges:"))


def _named_graph(graph: Graph, out: list[str], depth: int) -> None:
    pad = "    " * depth
    params = ", ".join([f'{n}: "{a}"' if a else n for n, a in graph.params])
    out += [f"{pad}class {graph.name}:", f"{pad}    def forward(self{', ' if params else ''}{params}):"]
    for node in graph.nodes:
        ann = f': "{node.annotation}"' if node.annotation else ""
        out.append(f"{pad}        {node.name}{ann} = {_render(node.expr, {})}")
    if graph.output is not None:
        text = _render(graph.output, {})
        if isinstance(graph.output, (ast.Tuple, ast.List)):
            text = "(" + text[1:-1] + ("," if len(graph.output.elts) == 1 else "") + ")"
        out.append(f"{pad}        return {text}")
    for child in graph.children.values():
        _named_graph(child, out, depth + 1)


def named_text(program: Program) -> str:
    """Layout-normalised rendering that keeps node names: what a readable diff compares."""
    out: list[str] = []
    _named_graph(program.root, out, 0)
    out += ["Graph signature:", "    # inputs"]
    out += [f"    {s.name}: {s.kind}" + (f" target='{s.target}'" if s.target else "")
            + (f" persistent={s.persistent}" if s.persistent else "") for s in program.inputs]
    out.append("    # outputs")
    out += [f"    {s.name}: {s.kind}" + (f" target='{s.target}'" if s.target else "") for s in program.outputs]
    return "\n".join(out + _range_lines(program, "Range constraints:"))
