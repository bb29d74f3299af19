"""Hypothesis strategies drawing random case programs (see :func:`programs`).

A program is an ``nn.Module`` whose ``forward`` unpacks pytree inputs, runs a
random sequence of statements and returns a random pytree of results.  A
statement is an op on earlier values (pointwise, broadcasting binary, scalar,
reduction, view, join, matmul, cast), an in-place op on an intermediate, a
static ``for`` loop over a carried value, or a ``torch.cond`` whose branches
are nested functions closing over outer tensors and Python numbers (and may
hold conds of their own).  Shapes and dtypes are tracked while drawing, so every
program is valid for every size inside its ``Dim`` ranges.

In-place ops only touch a fresh intermediate of the function being written
that has no views (so aliasing never depends on how a front end lays out
memory), and never a cond operand or a closed-over value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from hypothesis import strategies as st

from exportdb.tools.fuzz.shapes import (ONE, Shape, Size, broadcast, factorizations, fits_into, is_float,
                                  numel, promote, promote_scalar, symbols)

CONSTANTS = (2, 0.5, -1.5, 3, 1, 0.25)
FLOAT_UNARY = ("torch.relu({a})", "{a}.sin()", "torch.tanh({a})", "{a}.abs()", "-{a}", "torch.sigmoid({a})",
               "{a}.exp()", "{a}.cos()", "{a}.square()", "{a}.clamp(min=-1.0, max=1.0)", "F.gelu({a})",
               "{a}.floor()", "F.relu({a})")
INT_UNARY = ("{a}.abs()", "-{a}", "{a}.clamp(min=0)", "{a} * 2")
SCALAR_OPS = ("{a} + {c}", "{a} * {c}", "{a} - {c}", "{c} - {a}", "{c} * {a}", "{a} / {c}", "{a} ** 2", "{c} + {a}")
BINARY_OPS = ("{a} + {b}", "{a} * {b}", "{a} - {b}", "torch.maximum({a}, {b})", "torch.minimum({a}, {b})",
              "torch.where({a} > {b}, {a}, {b})", "{a} / ({b}.abs() + 1)")
MAX_DEPTH = 2


@dataclass
class Value:
    name: str
    shape: Shape
    dtype: str
    mutable: bool = False  # a fresh intermediate of its function, no views taken: in-place ops allowed
    is_input: bool = False
    base: "Value | None" = None  # the value this one is a view of


@dataclass
class Scalar:
    name: str
    is_float: bool
    symbolic: bool = False
    sym: str | None = None  # the dim symbol a size read holds


@dataclass
class Scope:
    """A function body being written: ``forward``, a cond branch, or (sharing forward's names) a loop body."""

    parent: "Scope | None"
    indent: int
    lines: list[str] = field(default_factory=list)
    values: list[Value] = field(default_factory=list)
    scalars: list[Scalar] = field(default_factory=list)
    depth: int = 0  # cond nesting
    params: list[Value] = field(default_factory=list)  # a branch's operands (never written in place)
    function: bool = True  # False for a loop body, which shares its function's names

    def visible(self) -> list[Value]:
        return (self.parent.visible() if self.parent else []) + self.values

    def visible_scalars(self) -> list[Scalar]:
        return (self.parent.visible_scalars() if self.parent else []) + self.scalars

    def emit(self, line: str) -> None:
        self.lines.append(" " * self.indent + line)

    def owns(self, value: Value) -> bool:
        return value in self.values


@dataclass
class Expr:
    text: str
    shape: Shape
    dtype: str
    view_of: Value | None = None
    feature: str = ""


class Writer:
    """Draws one program, statement by statement; ``draw`` is hypothesis's."""

    def __init__(self, draw: Callable[[Any], Any], max_statements: int, torch_safe: bool = False):
        self.draw = draw
        self.torch_safe = torch_safe
        self.max_statements = max_statements
        self.counter = 0
        self.params: list[tuple[str, tuple[int, ...], bool]] = []  # (name, shape, is matmul weight)
        self.features: set[str] = set()
        self.ranges: dict[str, tuple[int, int]] = {}
        self.example: dict[str, int] = {}
        self.has_flag = False
        self.shared_syms: set[str] = set()  # dims that more than one input carries

    # -- drawing helpers ---------------------------------------------------------
    def pick(self, items: Any) -> Any:
        return self.draw(st.sampled_from(list(items)))

    def n(self, lo: int, hi: int) -> int:
        return self.draw(st.integers(lo, hi))

    def coin(self) -> bool:
        return self.draw(st.booleans())

    def name(self, prefix: str = "v") -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def pick_value(self, candidates: list[Value]) -> Value | None:
        return self.pick(candidates) if candidates else None

    def constant(self, scope: Scope, float_ok: bool = True) -> tuple[str, bool]:
        """(text, is float) of a Python number: a literal or a scalar variable in scope."""
        scalars = [s for s in scope.visible_scalars() if float_ok or not s.is_float]
        if scalars and self.coin():
            s = self.pick(scalars)
            if s.symbolic:
                self.features.add("symint_scalar")
            if scope.function and scope.parent is not None and s not in scope.scalars:
                self.features.add("scalar_closure")
            return s.name, s.is_float
        c = self.pick([c for c in CONSTANTS if float_ok or isinstance(c, int)])
        return repr(c), isinstance(c, float)

    def low(self, size: Size) -> int:
        return size.low(self.ranges)

    # -- expressions -----------------------------------------------------------
    def unary(self, scope: Scope, a: Value) -> Expr:
        template = self.pick(FLOAT_UNARY if is_float(a.dtype) else INT_UNARY)
        return Expr(template.format(a=a.name), a.shape, a.dtype)

    def scalar_op(self, scope: Scope, a: Value) -> Expr:
        template = self.pick(SCALAR_OPS if is_float(a.dtype) else [t for t in SCALAR_OPS if "/" not in t])
        c, c_float = self.constant(scope, float_ok=is_float(a.dtype))
        dtype = a.dtype if "**" in template else promote_scalar(a.dtype, c_float)
        return Expr(template.format(a=a.name, c=c), a.shape, dtype)

    def binary(self, scope: Scope, a: Value, preserve: bool = False) -> Expr | None:
        def ok(b: Value) -> bool:
            if preserve:
                return fits_into(a.shape, b.shape) and promote(a.dtype, b.dtype) == a.dtype
            return broadcast(a.shape, b.shape) is not None
        b = self.pick_value([v for v in self.pool(scope) if ok(v)])
        if b is None:
            return None
        template = self.pick(BINARY_OPS if is_float(a.dtype) or not preserve else BINARY_OPS[:6])
        dtype = promote(a.dtype, b.dtype)
        if "/" in template and not is_float(dtype):
            dtype = "f32"
        if scope.function and scope.parent is not None and b not in scope.values:
            self.features.add("closure")
        return Expr(template.format(a=a.name, b=b.name), broadcast(a.shape, b.shape), dtype)

    def reduction(self, scope: Scope, a: Value) -> Expr | None:
        if not a.shape:
            return None
        nd = len(a.shape)
        d = self.n(-nd, nd - 1)
        rest = a.shape[:d % nd] + a.shape[d % nd + 1:]
        kept = a.shape[:d % nd] + (ONE,) + a.shape[d % nd + 1:]
        options = [("{a}.sum(dim={d})", rest, a.dtype), ("{a}.sum(dim={d}, keepdim=True)", kept, a.dtype),
                   ("{a}.amax(dim={d})", rest, a.dtype), ("{a}.sum()", (), a.dtype),
                   ("{a}.max(dim={d}).values", rest, a.dtype), ("{a}.argmax(dim={d})", rest, "i64"),
                   ("({a} > 0).sum(dim={d})", rest, "i64")]
        if is_float(a.dtype):
            options += [("{a}.mean(dim={d})", rest, a.dtype), ("{a}.mean(dim={d}, keepdim=True)", kept, a.dtype)]
        if nd >= 2:
            options.append(("{a}.sum(dim=(0, -1))", a.shape[1:-1], a.dtype))
        template, shape, dtype = self.pick(options)
        return Expr(template.format(a=a.name, d=d), shape, dtype, feature="reduction")

    def reshaping(self, scope: Scope, a: Value) -> Expr | None:
        shape, nd = a.shape, len(a.shape)
        options: list[tuple[str, Shape]] = []
        if nd >= 2:
            i, j = self.n(0, nd - 1), self.n(0, nd - 1)
            swapped = list(shape)
            swapped[i], swapped[j] = shape[j], shape[i]
            options.append((f"{{a}}.transpose({i}, {j})", tuple(swapped)))
            perm = self.draw(st.permutations(range(nd)))
            options.append((f"{{a}}.permute({', '.join(map(str, perm))})", tuple(shape[p] for p in perm)))
            if len(symbols(shape)) <= 1:
                size = shape[0]
                sym = next((s for s in shape if not s.is_static), None)
                factor = 1
                for s in shape:
                    factor *= s.offset if s.is_static else 1
                flat = Size(sym.sym, sym.scale * factor, sym.offset * factor) if sym and sym.offset == 0 else None
                if sym is None:
                    flat = Size.static(factor)
                if flat is not None:
                    options.append(("{a}.flatten()", (flat,)))
                if all(s.is_static for s in shape[1:]):
                    options.append(("{a}.reshape({a}.shape[0], -1)", (size, Size.static(numel(shape[1:])))))
        if nd == 2:
            options.append(("{a}.t()", (shape[1], shape[0])))
        if nd <= 2:
            d = self.n(0, nd)
            options.append((f"{{a}}.unsqueeze({d})", shape[:d] + (ONE,) + shape[d:]))
        if nd >= 1:
            count = numel(shape)
            if count is not None and 1 <= count <= 64:
                parts = self.pick(factorizations(count, self.n(1, 3)))
                options.append((f"{{a}}.reshape({', '.join(map(str, parts))})", tuple(Size.static(p) for p in parts)))
            if self.low(shape[0]) >= 2:
                head = shape[0]
                options.append(("{a}[1:]", (Size(head.sym, head.scale, head.offset - 1),) + shape[1:]))
                options.append(("{a}[0]", shape[1:]))
            last = shape[-1]
            if last.is_static and last.offset >= 2:
                k = self.n(1, last.offset - 1)
                options.append((f"{{a}}[..., :{k}]", shape[:-1] + (Size.static(k),)))
                options.append((f"{{a}}.narrow({nd - 1}, {last.offset - k}, {k})", shape[:-1] + (Size.static(k),)))
            if shape[0].is_static and shape[0].offset >= 2:
                options.append(("{a}[::2]", (Size.static((shape[0].offset + 1) // 2),) + shape[1:]))
            ones = [i for i, s in enumerate(shape) if s == ONE]
            if ones:
                i = self.pick(ones)
                options.append((f"{{a}}.squeeze({i})", shape[:i] + shape[i + 1:]))
                k = self.n(2, 4)
                sizes = ["-1"] * nd
                sizes[i] = str(k)
                options.append((f"{{a}}.expand({', '.join(sizes)})", shape[:i] + (Size.static(k),) + shape[i + 1:]))
        if not options:
            return None
        template, new_shape = self.pick(options)
        return Expr(template.format(a=a.name), new_shape, a.dtype, view_of=a, feature="view")

    def join(self, scope: Scope, a: Value) -> Expr | None:
        nd = len(a.shape)
        if nd == 0:
            return None
        stack = self.coin()
        partners = []
        for b in scope.visible():
            if len(b.shape) != nd:
                continue
            if stack:
                if b.shape == a.shape:
                    partners.append((b, None))
                continue
            for d in range(nd):
                if all(x == y for k, (x, y) in enumerate(zip(a.shape, b.shape)) if k != d):
                    joined = a.shape[d].plus(b.shape[d])
                    if joined is not None:
                        partners.append((b, d))
        if not partners:
            return None
        b, d = self.pick(partners)
        dtype = promote(a.dtype, b.dtype)
        if stack:
            d = self.n(0, nd)
            return Expr(f"torch.stack([{a.name}, {b.name}], dim={d})", a.shape[:d] + (Size.static(2),) + a.shape[d:],
                        dtype, feature="cat")
        shape = a.shape[:d] + (a.shape[d].plus(b.shape[d]),) + a.shape[d + 1:]
        return Expr(f"torch.cat([{a.name}, {b.name}], dim={d})", shape, dtype, feature="cat")

    def matmul(self, scope: Scope, a: Value) -> Expr | None:
        if a.dtype != "f32" or not 1 <= len(a.shape) <= 3 or not a.shape[-1].is_static:
            return None
        k = a.shape[-1]
        weights = [b for b in scope.visible() if len(b.shape) == 2 and b.shape[0] == k and b.dtype == "f32"]
        if weights and self.coin():
            b = self.pick(weights)
            return Expr(f"{a.name} @ {b.name}", a.shape[:-1] + b.shape[1:], "f32", feature="matmul")
        n = self.n(2, 4)
        if self.coin():
            w = self.parameter((k.offset, n))
            return Expr(f"{a.name} @ self.{w}", a.shape[:-1] + (Size.static(n),), "f32", feature="matmul")
        w, bias = self.parameter((n, k.offset)), self.parameter((n,))
        return Expr(f"F.linear({a.name}, self.{w}, self.{bias})", a.shape[:-1] + (Size.static(n),), "f32",
                    feature="matmul")

    def parameter(self, shape: tuple[int, ...]) -> str:
        name = f"w{len(self.params)}"
        self.params.append((name, shape, True))
        self.features.add("parameter")
        return name

    def normalizing(self, scope: Scope, a: Value) -> Expr | None:
        if not is_float(a.dtype) or not a.shape:
            return None
        d = self.n(0, len(a.shape) - 1)
        template = self.pick(("torch.softmax({a}, dim={d})", "{a} - {a}.mean(dim={d}, keepdim=True)",
                              "{a}.log_softmax(dim={d})"))
        return Expr(template.format(a=a.name, d=d), a.shape, a.dtype)

    def cast(self, scope: Scope, a: Value) -> Expr:
        template, dtype = self.pick((("{a}.float()", "f32"), ("{a}.double()", "f64"), ("({a} > 0).float()", "f32"),
                                     ("{a}.to(torch.float64)", "f64"), ("{a}.clone()", a.dtype)))
        if "clone" in template or ">" in template:
            return Expr(template.format(a=a.name), a.shape, dtype, feature="cast" if ">" in template else "")
        # .float() of a float32 tensor is the tensor itself: treat every such cast as an alias
        return Expr(template.format(a=a.name), a.shape, dtype, view_of=a, feature="cast")

    # -- shape- and dtype-preserving steps (cond branches, loop bodies) -----------
    def preserving(self, scope: Scope, a: Value) -> Expr:
        kind = self.pick(("unary", "scalar", "binary", "normalizing"))
        expr = None
        if kind == "binary":
            expr = self.binary(scope, a, preserve=True)
        elif kind == "normalizing":
            expr = self.normalizing(scope, a)
        elif kind == "scalar":
            expr = self.scalar_op(scope, a)
            if expr.dtype != a.dtype:
                expr = None
        return expr or self.unary(scope, a)

    # -- statements ------------------------------------------------------------------
    def assign(self, scope: Scope, expr: Expr, target: str | None = None) -> Value:
        name = target or self.name()
        scope.emit(f"{name} = {expr.text}")
        value = Value(name, expr.shape, expr.dtype, mutable=expr.view_of is None, base=expr.view_of)
        if expr.view_of is not None:
            base = expr.view_of
            while base is not None:
                base.mutable = False
                base = base.base
        if expr.feature:
            self.features.add(expr.feature)
        scope.values.append(value)
        return value

    def statement(self, scope: Scope) -> None:
        kinds = ("unary", "binary", "scalar_op", "reduction", "reshaping", "inplace", "cond", "loop", "join",
                 "matmul", "normalizing", "cast", "scalar_def")
        for _ in range(4):
            kind = self.pick(kinds)
            if kind == "inplace" and self.inplace(scope):
                return
            if kind == "cond" and self.cond(scope) is not None:
                return
            if kind == "loop" and self.loop(scope):
                return
            if kind == "scalar_def" and self.scalar_def(scope):
                return
            if kind in ("inplace", "cond", "loop", "scalar_def"):
                continue
            a = self.pick(scope.visible())
            expr = getattr(self, kind)(scope, a)
            if expr is not None:
                self.assign(scope, expr)
                return
        self.assign(scope, self.unary(scope, self.pick(scope.visible())))

    def pool(self, scope: Scope) -> list[Value]:
        """Tensors a step may read.  torch_safe keeps every cond branch to its own operands and values
        (Python numbers may still be closed over), steering around two tracked bugs: torch orders the
        operands it lifts from closures differently (tests/test_fuzz_regressions.py::
        test_cond_operand_order_matches_torch) and refuses a closure that aliases an
        operand (::test_cond_operand_aliasing_a_closure_is_refused)."""
        if self.torch_safe and scope.depth >= 1:
            return list(scope.values)
        return scope.visible()

    def shape_readable(self, scope: Scope) -> list[Value]:
        """Values whose ``.shape`` a statement may read.  torch_safe steers around two tracked bugs:
        a dim several inputs share (tests/test_fuzz_regressions.py::
        test_shared_dim_is_read_from_the_last_input_carrying_it) and a branch reading the shape of a
        closed-over dynamic tensor (::test_branch_reading_a_closures_dynamic_shape_lifts_it)."""
        values = scope.visible()
        if not self.torch_safe:
            return values
        local = scope.values if scope.depth >= 1 else values
        return [v for v in values if not set(symbols(v.shape)) & self.shared_syms
                and (v in local or not symbols(v.shape))]

    def scalar_def(self, scope: Scope) -> bool:
        name = self.name("k")
        sized = [(v, d) for v in self.shape_readable(scope) for d in range(len(v.shape))]
        if self.torch_safe:
            # torch 2.13 crashes ("duplicate argument 'sym_size_int_2'") on a cond whose branches
            # close over two Python numbers read from the same dynamic size: read each size once
            held = {s.sym for s in scope.visible_scalars() if s.sym is not None}
            sized = [(v, d) for v, d in sized if v.shape[d].is_static or v.shape[d].sym not in held]
        if sized and self.coin():
            v, d = self.pick(sized)
            scope.emit(f"{name} = {v.name}.shape[{d}]")
            size = v.shape[d]
            scope.scalars.append(Scalar(name, False, symbolic=not size.is_static,
                                        sym=None if size.is_static else size.sym))
        else:
            c = self.pick((0.75, 2, -0.5, 1.25, 4))
            scope.emit(f"{name} = {c!r}")
            scope.scalars.append(Scalar(name, isinstance(c, float)))
        return True

    def inplace(self, scope: Scope, target: Value | None = None) -> bool:
        targets = [v for v in scope.values if v.mutable] if target is None else [target]
        if not targets:
            return False
        t = self.pick(targets)
        floaty = is_float(t.dtype)
        options = ["{t}.mul_({c})", "{t}.add_({c})", "{t}.neg_()", "{t}.zero_()", "{t}.fill_({c})"]
        if floaty:
            options += ["{t}.relu_()", "{t}.sin_()", "{t}.tanh_()", "{t}.sigmoid_()", "{t}.clamp_(min=-1.0, max=1.0)",
                        "{t}.div_({c})"]
        others = [v for v in self.pool(scope) if fits_into(t.shape, v.shape)]
        same_kind = [v for v in others if promote(t.dtype, v.dtype) == t.dtype or (floaty and is_float(v.dtype))]
        if same_kind:
            options += ["{t}.add_({b})", "{t}.sub_({b})", "{t}.mul_({b})"]
        if others:
            options.append("{t}.copy_({b})")
        template = self.pick(options)
        b = self.pick(others if "copy_" in template else same_kind) if "{b}" in template else None
        c, _ = self.constant(scope, float_ok=floaty) if "{c}" in template else ("", False)
        text = template.format(t=t.name, b=b.name if b else "", c=c)
        if self.coin():
            scope.emit(text)
        else:
            self.assign(scope, Expr(text, t.shape, t.dtype, view_of=t))
            t.mutable = True  # the new name is the same object; the original stays writable
        self.features.add("inplace")
        return True

    def loop(self, scope: Scope) -> bool:
        a = self.pick(scope.visible())
        carry = self.name()
        steps = self.n(1, 2)
        scope.emit(f"{carry} = {a.name}")
        scope.emit(f"for i in range({self.n(1, 3)}):")
        body = Scope(scope, scope.indent + 4, depth=scope.depth, function=False)
        body.scalars.append(Scalar("i", False))
        current = Value(carry, a.shape, a.dtype)
        body.values.append(current)
        for step in range(steps):
            expr = self.preserving(body, current)
            body.emit(f"{carry} = {expr.text}")
            current.mutable = True
            if self.coin():
                self.inplace(body, current)
        scope.lines += body.lines
        scope.values.append(Value(carry, a.shape, a.dtype, mutable=True))
        self.features.add("loop")
        return True

    def predicate(self, scope: Scope) -> str:
        options = ["sum"]
        readable = self.shape_readable(scope)
        sized = [(v, d) for v in readable for d in range(len(v.shape)) if not v.shape[d].is_static]
        if sized:
            options.append("shape")
        if self.has_flag and not (self.torch_safe and scope.depth >= 1):  # a closure too: see pool()
            options.append("flag")
        options.append("static")
        kind = self.pick(options)
        if kind == "shape":
            v, d = self.pick(sized)
            lo, hi = self.ranges[v.shape[d].sym]
            size = v.shape[d]
            low, high = size.scale * lo + size.offset, size.scale * hi + size.offset
            self.features.add("symbolic_pred")
            return f"{v.name}.shape[{d}] > {self.n(low, max(low, high - 1))}"
        if kind == "flag":
            return "flag"
        if kind == "static":
            statics = [(v, d) for v in readable for d in range(len(v.shape)) if v.shape[d].is_static]
            if statics:
                v, d = self.pick(statics)
                return f"{v.name}.shape[{d}] > {self.n(1, 4)}"
        v = self.pick(self.pool(scope))
        reduce = self.pick(("sum", "mean", "amax") if is_float(v.dtype) else ("sum", "amax"))
        return f"{v.name}.{reduce}() > {self.pick((0, 0.5, -1))}"

    def cond(self, scope: Scope, first: Value | None = None) -> list[Value] | None:
        """Emit the branch functions and the ``torch.cond`` call; return its results.

        ``first`` (a float value) is the first operand and the shape of the first result."""
        if scope.depth >= MAX_DEPTH:
            return None
        floats = [v for v in self.pool(scope) if is_float(v.dtype)]
        if first is None and not floats:
            return None
        ops = [first or self.pick(floats)]
        # torch_safe: one operand only, used first in both branches, steers around the operand order
        # bug pinned by tests/test_fuzz_regressions.py::test_cond_operand_order_matches_torch
        if not self.torch_safe and self.coin():
            ops.append(self.pick(self.pool(scope)))
        pred = self.predicate(scope)
        n_out = self.n(1, 2)
        as_tuple = n_out == 1 and self.coin()
        tag = self.name("")
        branches = []
        for side in ("true", "false"):
            fn = f"{side}_fn{tag}"
            params = [self.name("t") for _ in ops]
            scope.emit(f"def {fn}({', '.join(params)}):")
            body = Scope(scope, scope.indent + 4, depth=scope.depth + 1)
            body.values = [Value(p, o.shape, o.dtype) for p, o in zip(params, ops)]
            body.params = list(body.values)
            outs = [self.chain(body, body.values[j % len(ops)]) for j in range(n_out)]
            body.emit(f"return {', '.join(v.name for v in outs)}" + ("," if as_tuple else ""))
            scope.lines += body.lines
            branches.append(fn)
        results = [self.name() for _ in range(n_out)]
        operands = ", ".join(o.name for o in ops)
        operands = f"[{operands}]" if self.coin() else f"({operands}{',' if len(ops) == 1 else ''})"
        lhs = f"({results[0]},)" if as_tuple else ", ".join(results)
        scope.emit(f"{lhs} = torch.cond({pred}, {branches[0]}, {branches[1]}, {operands})")
        made = []
        for j, name in enumerate(results):
            src = ops[j % len(ops)]
            made.append(Value(name, src.shape, src.dtype, mutable=True))
        scope.values += made
        self.features.add("nested_cond" if scope.depth >= 1 else "cond")
        return made

    def chain(self, body: Scope, start: Value) -> Value:
        """1-3 shape- and dtype-preserving steps from ``start``; the last is a fresh value."""
        current = start
        for step in range(self.n(1, 3)):
            if step > 0 and is_float(current.dtype) and self.coin():
                made = self.cond(body, first=current)
                if made:
                    current = made[0]
                    continue
            current = self.assign(body, self.preserving(body, current))
            if self.coin():
                self.inplace(body, current)
        return current
