"""Symbolic sizes: SymInt/SymBool/SymFloat values, the ShapeEnv that owns their symbols, guards.

Sizes of dims declared dynamic are sympy symbols ``s0, s1, ...`` (in input
order); ``item()`` makes unbacked symbols ``u0, ...``.  Every symbol has an
example value (its hint) and an inclusive range.  Python control flow on a
symbolic value evaluates it with the hints and records a guard, which must hold
over the whole declared range or export fails with a ConstraintViolationError.
A true division of sizes is a SymFloat (``IntTrueDiv(s0, 2)``) that ``round()``
turns back into a size (``RoundToInt(...)``), as torch.export records them.
sympy is imported only when an export actually uses dynamic shapes.
"""

from __future__ import annotations

import itertools
from fractions import Fraction
from typing import Any

from exportdb.exporter.trace.context import active_builder
from exportdb.exporter.trace.user_frames import user_location, user_stack
from exportdb.exporter.ir.graph import CLOCK
from exportdb.exporter.ir.values import TensorValue
from exportdb.errors import ConstraintViolationError, DataDependentControlFlowError, UnsupportedAPIError
from exportdb.exporter.ops.control_ops import (  # noqa: F401  (re-exported)
    ASSERT_SCALAR, SYM_MAX, SYM_MIN, SYM_OPS, SYM_ROUND, SYM_SIZE)

_BIG = 10**9


def _sympy():
    import sympy

    return sympy


_FUNCTIONS: dict[str, Any] = {}


def size_functions() -> dict[str, Any]:
    """``FloorDiv`` and ``Mod``: Python's ``//`` and ``%`` on sizes as sympy functions.

    sympy's own ``floor(a / b)`` and ``Mod`` rewrite their arguments eagerly and print
    differently from torch.export, so sizes use these two, which fold only exact cases
    and print as torch does: ``(s0//4)`` and ``Mod(s0, 4)``, both binding looser than
    ``+`` (hence ``4 - (Mod(s0, 4))``).
    """
    if _FUNCTIONS:
        return _FUNCTIONS
    sp = _sympy()
    from sympy.printing.precedence import PRECEDENCE

    class FloorDiv(sp.Function):
        nargs = (2,)
        precedence = 35
        is_integer = True

        @classmethod
        def eval(cls, a: Any, b: Any) -> Any:
            if b == 1:
                return a
            if a == 0:
                return sp.S.Zero
            if a == b:
                return sp.S.One
            if a.is_Integer and b.is_Integer:
                return sp.Integer(int(a) // int(b))
            if isinstance(a, FloorDiv):  # (x // c) // b == x // (c * b)
                return FloorDiv(a.args[0], a.args[1] * b)
            if b.is_Integer:  # terms that are whole multiples of b come out of the floor
                whole = [t for t in sp.Add.make_args(a) if t.as_coeff_Mul()[0].is_Integer
                         and t.as_coeff_Mul()[0] % b == 0]
                if whole:
                    rest = sp.Add(*[t for t in sp.Add.make_args(a) if t not in whole])
                    return sp.Add(*[t / b for t in whole]) + FloorDiv(rest, b)
            return None

        def _sympystr(self, printer: Any) -> str:
            a, b = (printer.parenthesize(arg, PRECEDENCE["Atom"] - 0.5) for arg in self.args)
            return f"({a}//{b})"

    class Mod(sp.Function):
        nargs = (2,)
        precedence = 35
        is_integer = True
        is_nonnegative = True

        @classmethod
        def eval(cls, a: Any, b: Any) -> Any:
            if a.is_Integer and b.is_Integer:
                return sp.Integer(int(a) % int(b))
            if b == 1 or a == 0 or a == b:
                return sp.S.Zero
            return None

    class IntTrueDiv(sp.Function):  # ``a / b`` of two integers: a float
        nargs = (2,)

        @classmethod
        def eval(cls, a: Any, b: Any) -> Any:
            return sp.Rational(a, b) if a.is_Integer and b.is_Integer and b != 0 else None

    class RoundToInt(sp.Function):  # Python's ``round(x)``: halves go to the even neighbour
        nargs = (1,)
        is_integer = True

        @classmethod
        def eval(cls, x: Any) -> Any:
            return sp.Integer(round(Fraction(int(x.p), int(x.q)))) if x.is_Rational else None

    _FUNCTIONS.update(FloorDiv=FloorDiv, Mod=Mod, IntTrueDiv=IntTrueDiv, RoundToInt=RoundToInt)
    return _FUNCTIONS


class ShapeEnv:
    """Symbols of one export: their hints, ranges, where they come from, and the guards."""

    def __init__(self) -> None:
        self.hints: dict[Any, int] = {}
        self.ranges: dict[Any, tuple[Any, Any]] = {}
        self.sources: dict[Any, str] = {}
        self.guards: list[tuple[Any, str]] = []
        self.input_dims: list[Any] = []
        #: symbols of ``Dim.AUTO`` and ``Dim.DYNAMIC`` dims: guards on them refine them instead of failing
        self.auto: set[Any] = set()
        #: symbols of ``Dim.DYNAMIC`` dims: unlike AUTO, a guard pinning one to a constant is a violation
        self.no_constant: set[Any] = set()
        #: symbols a guard pinned to an expression (``s1 -> 4``, ``s2 -> s0``)
        self.replacements: dict[Any, Any] = {}
        self._backed = 0
        self._unbacked = 0

    def new_symbol(self, hint: int, lo: int, hi: Any, source: str) -> Any:
        sp = _sympy()
        sym = sp.Symbol(f"s{self._backed}", integer=True, nonnegative=True)
        self._backed += 1
        self.hints[sym], self.ranges[sym], self.sources[sym] = hint, (lo, hi), source
        return sym

    def new_unbacked(self, hint: int) -> Any:
        sp = _sympy()
        sym = sp.Symbol(f"u{self._unbacked}", integer=True)
        self._unbacked += 1
        self.hints[sym], self.ranges[sym], self.sources[sym] = hint, (-sp.oo, sp.oo), "a data-dependent value"
        return sym

    # -- evaluation ------------------------------------------------------------------
    def simplify(self, expr: Any) -> Any:
        """``expr`` with the specialised symbols replaced."""
        return expr.xreplace(self.replacements) if self.replacements and hasattr(expr, "xreplace") else expr

    def hint(self, expr: Any) -> Any:
        sp = _sympy()
        value = sp.sympify(expr.xreplace(self.hints))
        return bool(value) if value.is_Relational or value in (sp.true, sp.false) else int(value)

    def _points(self, sym: Any) -> list[int]:
        sp = _sympy()
        lo, hi = self.ranges[sym]
        lo = -_BIG if lo == -sp.oo else int(lo)
        hi = _BIG if hi == sp.oo else int(hi)
        candidates = {lo, min(lo + 1, hi), max(hi - 1, lo), hi, self.hints[sym]}
        return sorted(p for p in candidates if lo <= p <= hi) or [lo]

    def known(self, expr: Any) -> bool | None:
        """True/False when ``expr`` has that value over all symbol ranges, else None."""
        sp = _sympy()
        symbols = sorted(expr.free_symbols, key=str)
        if not symbols:
            return bool(expr)
        functions = size_functions()
        if expr.has(functions["IntTrueDiv"], functions["RoundToInt"]):
            return self._known_by_ranges(expr)
        seen = set()
        points = [self._points(s) for s in symbols]
        if isinstance(expr, (sp.Eq, sp.Ne)) and len(symbols) == 1:  # u0 != 3 fails only at 3
            lo, hi = self.ranges[symbols[0]]
            points[0] += [int(n) for n in expr.atoms(sp.Integer) if lo <= n <= hi]
        for combo in itertools.islice(itertools.product(*points), 256):
            value = sp.sympify(expr.xreplace(dict(zip(symbols, combo))))
            seen.add(bool(value == sp.true) if value in (sp.true, sp.false) else bool(value))
            if len(seen) > 1:
                return None
        return seen.pop()

    def _known_by_ranges(self, expr: Any) -> bool | None:
        """As torch decides a relation over ``round(s0 / 2)``: from the value ranges of its two
        sides alone (each side taken at the bounds of its symbols), so ``round(s0 / 2) <= s0``
        is not known and becomes a guard."""
        sp = _sympy()
        if not isinstance(expr, (sp.Ge, sp.Gt, sp.Le, sp.Lt, sp.Eq, sp.Ne)):
            return None

        def interval(side: Any) -> tuple[float, float]:
            ends = []
            for pick in (0, 1):
                bound = {s: (-_BIG, _BIG)[pick] if self.ranges[s][pick] in (-sp.oo, sp.oo) else self.ranges[s][pick]
                         for s in side.free_symbols}
                value = sp.sympify(side.xreplace(bound))
                ends.append(float(value) if value.is_number else (-_BIG, _BIG)[pick])
            return min(ends), max(ends)

        (a_lo, a_hi), (b_lo, b_hi) = interval(expr.lhs), interval(expr.rhs)
        if isinstance(expr, (sp.Eq, sp.Ne)):
            apart = a_hi < b_lo or b_hi < a_lo
            if not apart and not a_lo == a_hi == b_lo == b_hi:
                return None  # the ranges overlap without both being one same value
            return apart if isinstance(expr, sp.Ne) else not apart
        if isinstance(expr, (sp.Gt, sp.Lt)):
            a_lo, a_hi, b_lo, b_hi = (a_lo, a_hi, b_lo, b_hi) if isinstance(expr, sp.Gt) else (b_lo, b_hi, a_lo, a_hi)
            return True if a_lo > b_hi else False if a_hi <= b_lo else None
        a_lo, a_hi, b_lo, b_hi = (a_lo, a_hi, b_lo, b_hi) if isinstance(expr, sp.Ge) else (b_lo, b_hi, a_lo, a_hi)
        return True if a_lo >= b_hi else False if a_hi < b_lo else None

    def guard(self, expr: Any, what: str) -> bool:
        """Evaluate a symbolic condition the Python code branches on; keep it as a guard."""
        sp = _sympy()
        expr = self.simplify(expr)
        known = self.known(expr)
        if known is not None:
            return known
        if _has_unbacked(expr):
            raise DataDependentControlFlowError(
                f"{what} depends on the data-dependent value {expr} (could not guard on it)",
                location=user_location(),
                hint="bound it first with torch._check(...) / torch._check_is_size(...), or branch with torch.cond")
        value = self.hint(expr)
        guard = expr if value else sp.Not(expr)
        if not self._refine(guard):
            self.violation(guard)
        return value

    def _refine(self, guard: Any) -> bool:
        """Apply a guard that does not hold over the declared ranges to the ``Dim.AUTO``
        symbols it is about, as torch.export does: an equality specialises a symbol
        (to a constant or to another symbol), a bound narrows its range, anything else
        is kept and checked when the program runs.  False when it cannot."""
        if self.specialise(guard):
            return True
        pins = isinstance(guard, _sympy().Eq) and guard.free_symbols & self.no_constant
        if not guard.free_symbols <= self.auto or pins:
            return False
        before = {s: self.ranges[s] for s in guard.free_symbols}
        self.narrow(guard)
        if all(self.ranges[s] == r for s, r in before.items()):
            self.guards.append((guard, str(user_location() or "")))
        return True

    def specialise(self, guard: Any) -> bool:
        """For ``Eq(s1, 4)`` or ``Eq(s0, s1)`` with a ``Dim.AUTO`` symbol on one side:
        replace that symbol (the newest, when both are AUTO) and return True.  A
        ``Dim.DYNAMIC`` symbol is unified with another symbol the same way, but never
        pinned to a constant (False: the guard is a violation)."""
        sp = _sympy()
        if not isinstance(guard, sp.Eq):
            return False
        sides = sorted([(guard.lhs, guard.rhs), (guard.rhs, guard.lhs)], key=lambda pair: -_index(pair[0]))
        for side, other in sides:
            if side in self.no_constant and other.is_number:
                return False
            if side in self.auto and side not in other.free_symbols:
                self._replace(side, other)
                return True
        return False

    def _replace(self, sym: Any, value: Any) -> None:
        sp = _sympy()
        self.replacements = {k: v.xreplace({sym: value}) for k, v in self.replacements.items()}
        self.replacements[sym] = value
        if value.is_Symbol:  # two sizes unified: the survivor gets both ranges
            (lo1, hi1), (lo2, hi2) = self.ranges[sym], self.ranges[value]
            self.ranges[value] = (sp.Max(lo1, lo2), sp.Min(hi1, hi2))

    def violation(self, guard: Any) -> None:
        """Raise ConstraintViolationError: ``guard`` does not hold over the declared ranges."""
        sp = _sympy()
        sym = sorted(guard.free_symbols, key=str)[0]
        lo, hi = self.ranges[sym]
        hi_text = "int_oo" if hi == sp.oo else hi
        if isinstance(guard, sp.Eq) and guard.rhs.is_Symbol and guard.lhs.is_Symbol:
            a, b = sorted((guard.lhs, guard.rhs), key=_index)
            raise ConstraintViolationError(
                f"Constraints violated: the values of {self.sources[b]} ({b}) and {self.sources[a]} ({a}) must "
                f"always be equal (guard {guard})", location=user_location(),
                hint="declare both dimensions with the same Dim object")
        if isinstance(guard, sp.Eq) and {guard.lhs, guard.rhs} == {sym, guard.rhs if guard.rhs.is_number else guard.lhs}:
            value = guard.rhs if guard.rhs.is_number else guard.lhs
            raise ConstraintViolationError(
                f"Constraints violated: {self.sources[sym]} ({sym}) is marked dynamic with the range [{lo}, "
                f"{hi_text}] but the code specializes it to the constant {value} (guard {guard})",
                location=user_location(),
                hint=f"mark the dimension static (None or {value} in dynamic_shapes) or use Dim.AUTO")
        raise ConstraintViolationError(
            f"Constraints violated: not all values of {self.sources[sym]} ({sym}) in the specified range "
            f"[{lo}, {hi_text}] satisfy the generated guard {guard}",
            location=user_location(),
            hint="narrow the dimension's range in Dim(..., min=, max=) so the guard always holds, mark it static, "
                 "or express the branch with torch.cond")

    def narrow(self, expr: Any) -> None:
        """Tighten a symbol's range from a checked relation such as ``u0 <= 5``."""
        sp = _sympy()
        bounds = (sp.LessThan, sp.StrictLessThan, sp.GreaterThan, sp.StrictGreaterThan)
        if not isinstance(expr, bounds) or len(expr.free_symbols) != 1:
            return
        sym = next(iter(expr.free_symbols))
        lhs = expr.lhs - expr.rhs
        coeff = lhs.coeff(sym)
        if coeff not in (1, -1) or (lhs - coeff * sym).free_symbols:
            return
        const = -(lhs - coeff * sym)  # coeff*sym REL const
        lo, hi = self.ranges[sym]
        rel = type(expr)
        flip = coeff == -1
        bound = -const if flip else const
        upper = rel in (sp.LessThan, sp.StrictLessThan)
        if flip:
            upper = not upper
        strict = rel in (sp.StrictLessThan, sp.StrictGreaterThan)
        if upper:
            hi = sp.Min(hi, bound - 1 if strict else bound)
        else:
            lo = sp.Max(lo, bound + 1 if strict else bound)
        self.ranges[sym] = (lo, hi)

    def range_constraints(self, names: dict[str, str] | None = None) -> dict[str, str]:
        """``{s0: VR[2, int_oo]}`` entries: symbols and derived input sizes, sorted by text.

        With ``names`` (torch.export's names of the symbols, ``{"s0": "s27"}``) the symbols are
        renamed and the entries come in torch's order: the input sizes in input order, then the
        other symbols in the order they were made, then a copy of each unbacked symbol (``u2`` for
        ``u0`` when there are two), which torch's second trace of the program makes and lists."""
        sp = _sympy()
        subs = self.renaming(names or {})
        order = [e for e in map(self.simplify, self.input_dims) if e.free_symbols] if names is not None else []
        order += [sym for sym in self.ranges if sym not in self.replacements]
        order += [e for e in map(self.simplify, self.input_dims) if not e.is_Symbol and e.free_symbols]
        out: dict[str, str] = {}
        for expr in order:
            key = str(expr.xreplace(subs))
            if key in out:
                continue
            if expr.is_Symbol:
                out[key] = _vr(*self.ranges[expr])
                continue
            lo = expr.xreplace({s: self.ranges[s][0] for s in expr.free_symbols})
            hi = expr.xreplace({s: self.ranges[s][1] for s in expr.free_symbols})
            out[key] = _vr(lo, hi if hi.is_finite else sp.oo)
        if names is None:
            return dict(sorted(out.items()))
        unbacked = [sym for sym in self.ranges if _has_unbacked(sym) and sym not in self.replacements]
        for i, sym in enumerate(unbacked):  # torch traces twice: its second trace's copies are listed too
            out[f"u{self._unbacked + i}"] = _vr(*self.ranges[sym])
        return out

    def renaming(self, names: dict[str, str]) -> dict[Any, Any]:
        """The substitution giving this export's symbols the names in ``names`` (``{"s0": "s27"}``)."""
        sp = _sympy()
        return {sym: sp.Symbol(names[str(sym)], integer=True, nonnegative=True) for sym in self.ranges
                if str(sym) in names}

    def text_with_names(self, names: dict[str, str]) -> Any:
        """A function writing a symbolic value (or size) with the symbols renamed as in ``names``."""
        subs = self.renaming(names)
        return lambda value: str(self.simplify(value.expr if isinstance(value, SymValue) else _expr(value))
                                 .xreplace(subs))


def _has_unbacked(expr: Any) -> bool:
    """Whether ``expr`` mentions a data-dependent symbol (``u0``, made by ``item()``)."""
    return any(str(s).startswith("u") for s in expr.free_symbols)


def _index(expr: Any) -> int:
    """``s3`` -> 3; -1 for anything that is not a backed symbol."""
    name = str(expr)
    return int(name[1:]) if getattr(expr, "is_Symbol", False) and name[:1] == "s" else -1


def _computed_at() -> tuple | None:
    """The user frames computing a symbolic value, when a trace is recording."""
    builder = active_builder()
    return user_stack(3) + builder.hop_marker if builder is not None else None


def _vr(lo: Any, hi: Any) -> str:
    sp = _sympy()
    lo_text = "-int_oo" if lo == -sp.oo else str(lo)
    hi_text = "int_oo" if hi == sp.oo else str(hi)
    return f"VR[{lo_text}, {hi_text}]"


def _expr(value: Any) -> Any:
    if isinstance(value, (SymInt, SymBool)):
        return value.expr
    return _sympy().Integer(value) if isinstance(value, int) else value


class SymValue:
    """A value known only symbolically (with an example value, its ``hint``).  ``recipe``
    says how to compute it in a graph: an op and its arguments (tensors, SymInts, ints);
    ``nodes`` caches the node computing it, per graph; ``seq`` and ``stack`` say when
    and where the program computed it, so that node lands there; ``name``, when set,
    is the name its node takes instead of the op's."""

    __slots__ = ("expr", "env", "recipe", "nodes", "seq", "stack", "name")

    def __init__(self, expr: Any, env: ShapeEnv, recipe: tuple, stack: tuple | None = None):
        self.expr, self.env, self.recipe, self.nodes = expr, env, recipe, {}
        self.seq = next(CLOCK)
        self.stack = stack
        self.name: str | None = None

    @property
    def hint(self) -> Any:
        return self.env.hint(self.expr)

    @property
    def constant(self) -> int | None:
        """The value, when a guard has specialised every symbol in it; else None."""
        expr = self.env.simplify(self.expr)
        return int(expr) if expr.is_number else None

    def annotation(self) -> str:
        return f"Sym({self.env.simplify(self.expr)})"

    def __repr__(self) -> str:
        return str(self.env.simplify(self.expr))


class SymInt(SymValue):
    """An integer size known only symbolically (``s0 + 1``)."""

    __slots__ = ()

    def _binary(self, name: str, other: Any, reverse: bool = False) -> Any:
        if not isinstance(other, (int, SymInt)) or isinstance(other, bool):
            return NotImplemented
        a, b = (other, self) if reverse else (self, other)
        if name == "floordiv":
            expr = size_functions()["FloorDiv"](_expr(a), _expr(b))
        elif name == "mod":
            expr = size_functions()["Mod"](_expr(a), _expr(b))
        else:
            expr = SYM_OPS[name].kernel(_expr(a), _expr(b))
        cls = SymBool if name in ("gt", "ge", "lt", "le", "eq", "ne") else SymInt
        if name == "eq":
            expr = _sympy().Eq(_expr(a), _expr(b))
        elif name == "ne":
            expr = _sympy().Ne(_expr(a), _expr(b))
        return cls(expr, self.env, (SYM_OPS[name], (a, b)), _computed_at())

    def __add__(self, o): return self._binary("add", o)
    def __radd__(self, o): return self._binary("add", o, True)
    def __sub__(self, o): return self._binary("sub", o)
    def __rsub__(self, o): return self._binary("sub", o, True)
    def __mul__(self, o): return self._binary("mul", o)
    def __rmul__(self, o): return self._binary("mul", o, True)
    def __floordiv__(self, o): return self._binary("floordiv", o)
    def __rfloordiv__(self, o): return self._binary("floordiv", o, True)
    def __mod__(self, o): return self._binary("mod", o)
    def __gt__(self, o): return self._binary("gt", o)
    def __ge__(self, o): return self._binary("ge", o)
    def __lt__(self, o): return self._binary("lt", o)
    def __le__(self, o): return self._binary("le", o)
    def __eq__(self, o): return self._binary("eq", o)  # type: ignore[override]
    def __ne__(self, o): return self._binary("ne", o)  # type: ignore[override]

    __hash__ = None  # type: ignore[assignment]

    def __truediv__(self, other: Any) -> Any:
        return self._true_division(other)

    def __rtruediv__(self, other: Any) -> Any:
        return self._true_division(other, reverse=True)

    def _true_division(self, other: Any, reverse: bool = False) -> Any:
        """``s0 / 2``: a symbolic float ``IntTrueDiv(s0, 2)``, as torch.export records it."""
        if not isinstance(other, (int, SymInt)) or isinstance(other, bool):
            return NotImplemented
        a, b = (other, self) if reverse else (self, other)
        expr = size_functions()["IntTrueDiv"](_expr(a), _expr(b))
        return SymFloat(expr, self.env, (SYM_OPS["truediv"], (a, b)), _computed_at())

    def __round__(self, ndigits: Any = None) -> Any:
        return self  # an integer rounds to itself

    def _specialize(self, what: str) -> int:
        value = self.hint
        self.env.guard(_sympy().Eq(self.expr, value), what)
        return value

    def __int__(self) -> int:
        return self._specialize(f"int({self.expr})")

    def __index__(self) -> int:
        return self._specialize(f"using {self.expr} as a Python int")

    def __bool__(self) -> bool:
        return self.env.guard(_sympy().Ne(self.expr, 0), f"bool({self.expr})")

    def __neg__(self) -> Any:
        return self._binary("mul", -1)


class SymFloat(SymValue):
    """A float computed from sizes (``s0 / 2``).  Only ``round()`` brings it back to a size."""

    __slots__ = ()

    @property
    def hint(self) -> Any:
        return float(_sympy().sympify(self.expr.xreplace(self.env.hints)))

    def __round__(self, ndigits: Any = None) -> Any:
        if ndigits is not None:
            self._refuse(f"round({self.expr}, {ndigits!r})")
        expr = size_functions()["RoundToInt"](self.expr)
        return SymInt(expr, self.env, (SYM_ROUND, (self, None)), _computed_at())

    def _refuse(self, what: str, *_: Any) -> Any:
        raise UnsupportedAPIError(f"{what} on the symbolic float {self.expr} is not supported by the built-in "
                                  "exporter", location=user_location(),
                                  hint="round() it back to a size, or use integer arithmetic on sizes (//, %)")

    def __int__(self) -> int: return self._refuse("int()")
    def __float__(self) -> float: return self._refuse("float()")
    def __bool__(self) -> bool: return self._refuse("bool()")
    def __floor__(self) -> int: return self._refuse("math.floor()")
    def __ceil__(self) -> int: return self._refuse("math.ceil()")
    def __add__(self, o): return self._refuse("+")
    __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = __rtruediv__ = __add__
    __lt__ = __le__ = __gt__ = __ge__ = __add__


class SymBool(SymValue):
    """A symbolic condition over sizes (``s0 > 4``)."""

    __slots__ = ()

    def __bool__(self) -> bool:
        return self.env.guard(self.expr, f"Python control flow on {self.expr}")


def assert_at_run_time(condition: SymBool, skip_name: bool = False, after: Any = None) -> None:
    """Narrow the ranges by ``condition`` and record ``_assert_scalar`` on it, so the
    exported program checks it when it runs.  ``skip_name`` uses up the condition's
    plain node name first (``ge_1`` rather than ``ge``), as torch._check's nodes are named.
    ``after``: a value whose node the check goes right after (with the checks already there)."""
    env = condition.env
    env.narrow(env.simplify(condition.expr))
    builder = active_builder()
    if builder is not None:
        if skip_name:
            builder.graph.names.create(condition.recipe[0].name)
        anchor = after.nodes.get(builder.graph) if after is not None else None
        if anchor is not None:
            condition.seq = anchor.seq  # node_of_sym places it right after the anchor
        node = builder.node_of_sym(condition)
        message = f"Runtime assertion failed for expression {condition!r} on node '{node.name}'"
        index = builder.graph.position_for(anchor.seq, [node]) if anchor is not None else None
        check = builder.create(ASSERT_SCALAR, (node, message), {}, None, index=index)
        if anchor is not None:
            check.seq = anchor.seq


def defer_item_check(condition: SymBool, record: bool = True) -> bool:
    """A check comparing an ``item()`` read of the root graph with an integer: narrow the
    range and leave the nodes to the pass after tracing, which places them as torch.export
    does (the bounds of the range, then the strict and ``!=`` checks).  False for any other.
    ``record=False``: a check that already holds, which leaves nothing to check."""
    builder = active_builder()
    op, args = condition.recipe if condition.recipe else (None, ())
    value = args[0] if len(args) == 2 else None
    if builder is None or builder.parent is not None or not isinstance(value, SymInt) \
            or not isinstance(args[1], int) or not value.expr.is_Symbol or not value.recipe \
            or value.recipe[0].name != "item" or value.nodes.get(builder.graph) is None:
        return False
    env = condition.env
    env.narrow(env.simplify(condition.expr))
    checks = builder.item_checks.setdefault(id(value), (value, []))[1]
    if record and op.name in ("gt", "lt", "ne"):
        checks.append(condition)
    return True


def check_size(value: Any) -> None:
    """A data-dependent value used as a size must not be negative: assert it, as torch does."""
    if isinstance(value, SymInt) and _has_unbacked(value.expr):
        if value.env.known(value.env.simplify(value.expr) >= 0) is not True:
            # torch checks a data-dependent value right where it is made (after its item())
            condition = value >= 0
            if not defer_item_check(condition):
                assert_at_run_time(condition)


def sym_min(a: Any, b: Any) -> Any:
    if not isinstance(a, SymInt) and not isinstance(b, SymInt):
        return min(a, b)
    env = (a if isinstance(a, SymInt) else b).env
    return SymInt(_sympy().Min(_expr(a), _expr(b)), env, (SYM_MIN, (a, b)), _computed_at())


def sym_max(a: Any, b: Any) -> Any:
    if not isinstance(a, SymInt) and not isinstance(b, SymInt):
        return max(a, b)
    env = (a if isinstance(a, SymInt) else b).env
    return SymInt(_sympy().Max(_expr(a), _expr(b)), env, (SYM_MAX, (a, b)), _computed_at())


def _python_extreme(builtin: Any, fold: Any, args: tuple, kwargs: dict) -> Any:
    values = list(args[0]) if len(args) == 1 and not isinstance(args[0], SymValue) else list(args)
    if kwargs or not values or not any(isinstance(v, SymInt) for v in values) \
            or not all(isinstance(v, (int, SymInt)) and not isinstance(v, bool) for v in values):
        return builtin(*args, **kwargs)
    result = values[0]
    for value in values[1:]:
        result = fold(result, value)
    return result


def python_max(*args: Any, **kwargs: Any) -> Any:
    """Python's ``max`` as dynamo traces it: over sizes, a chain of ``torch.sym_max`` nodes
    (``max(a, b, 3)`` is ``sym_max(sym_max(a, b), 3)``) instead of guards."""
    return _python_extreme(max, sym_max, args, kwargs)


def python_min(*args: Any, **kwargs: Any) -> Any:
    """Python's ``min`` as dynamo traces it (see :func:`python_max`)."""
    return _python_extreme(min, sym_min, args, kwargs)


def attach_sizes(tensor: TensorValue, dims: Any) -> TensorValue:
    """Give ``tensor`` the sizes ``dims``; each symbolic one reads as ``sym_size.int(tensor, i)`` in a graph."""
    out, symbolic = [], False
    for i, d in enumerate(dims):
        if isinstance(d, SymInt) and not d.expr.is_number:
            out.append(SymInt(d.expr, d.env, (SYM_SIZE, (tensor, i)), ()))  # no user frame, as in torch
            symbolic = True
        else:
            out.append(int(d.expr) if isinstance(d, SymInt) else int(d))
    tensor._sym = tuple(out) if symbolic else None
    return tensor
