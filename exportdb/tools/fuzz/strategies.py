"""The :func:`programs` strategy: inputs, a random ``forward`` body, outputs, and the case file's text.

A drawn program reads like a hand-written case::

    import torch
    import torch.nn.functional as F
    from torch.export import Dim


    class FuzzCase(torch.nn.Module):
        def forward(self, x, pair):
            a, b = pair
            v1 = x * b
            def true_fn2(t3):
                v4 = t3.sin()
                return v4
            ...
            return {"out": v9, "aux": (v1,)}


    B = Dim("B", min=2, max=9)
    model = FuzzCase()
    example_args = (torch.randn(4, 3), (torch.randn(4, 3), torch.randn(1, 3)))
    dynamic_shapes = {"x": {0: B}, "pair": ({0: B}, None)}

``settings`` profiles: ``exportdb-fuzz-ci`` (a fixed seed, a few hundred
programs, for the test suite) and ``exportdb-fuzz-long`` (the long profile's
base; the caller sets ``max_examples``).
"""

from __future__ import annotations

from typing import Any, Callable

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from exportdb.tools.fuzz.generator import Scope, Value, Writer
from exportdb.tools.fuzz.fuzz_program import FuzzProgram, InputArg, Leaf
from exportdb.tools.fuzz.shapes import ONE, Shape, Size, symbols

settings.register_profile(
    "exportdb-fuzz-ci", max_examples=300, derandomize=True, deadline=None, database=None, print_blob=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
settings.register_profile(
    "exportdb-fuzz-long", deadline=None, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])

_SECOND_ARGS = {"tensor": "y", "tuple": "pair", "dict": "feats", "list": "xs"}


def _dims(w: Writer) -> list[str]:
    """Declare 0, 1 or 2 dynamic dims (``B`` for dim 0, ``T`` for dim 1) with random ranges and examples."""
    names = w.pick(((), ("B",), ("B", "T")))
    for sym in names:
        lo, hi = w.pick((2, 3)), w.pick((6, 9, 16))
        w.ranges[sym] = (lo, hi)
        w.example[sym] = w.n(max(lo, 3), 5)
    return list(names)


def _x_shape(w: Writer, dyn: list[str]) -> Shape:
    nd = w.n(1, 3)
    shape = []
    for d in range(nd):
        sym = dyn[d] if d < len(dyn) else None
        shape.append(Size(sym, 1, 0) if sym else Size.static(w.n(2, 5)))
    return tuple(shape)


def _companion(w: Writer, x: Shape) -> Shape:
    kind = w.pick(("same", "ones", "suffix", "other"))
    if kind == "same":
        return x
    if kind == "ones":
        return tuple(ONE if w.coin() else s for s in x)
    if kind == "suffix" and len(x) > 1:
        return x[w.n(1, len(x) - 1):]
    return tuple(Size.static(w.n(2, 4)) for _ in range(w.n(1, 2)))


def _inputs(w: Writer, scope: Scope, dyn: list[str]) -> tuple[list[InputArg], list[str]]:
    """forward's parameters (and the prologue lines that unpack containers into names)."""
    x = _x_shape(w, dyn)
    args = [InputArg("x", "tensor", (("", Leaf(x)),))]
    scope.values.append(Value("x", x, "f32", is_input=True))
    kind = w.pick(("none", "tensor", "tuple", "dict", "list"))
    if kind != "none":
        pname = _SECOND_ARGS[kind]
        count = 1 if kind == "tensor" else 2
        leaves = []
        for i, leaf_name in enumerate(("a", "b")[:count]):
            shape = _companion(w, x)
            key = "" if kind == "tensor" else leaf_name if kind == "dict" else str(i)
            leaves.append((key, Leaf(shape)))
            scope.values.append(Value(pname if kind == "tensor" else leaf_name, shape, "f32", is_input=True))
        args.append(InputArg(pname, kind, tuple(leaves)))
        if kind == "tuple":
            scope.emit("a, b = pair")
        elif kind == "dict":
            scope.emit('a = feats["a"]')
            scope.emit('b = feats["b"]')
        elif kind == "list":
            scope.emit("a, b = xs[0], xs[1]")
        if kind != "tensor":
            w.features.add("pytree_input")
    if w.coin() and w.coin():
        args.append(InputArg("flag", "tensor", (("", Leaf((), "b8")),)))
        w.has_flag = True
    return args, [a.name for a in args]


def _outputs(w: Writer, scope: Scope) -> str:
    made = [v for v in scope.values if not v.is_input]
    last = made[-1]
    others = w.draw(st.lists(st.sampled_from(made[:-1]), unique_by=lambda v: v.name, max_size=2)) if made[:-1] else []
    chosen = [v.name for v in [*others, last]]
    kinds = ["single", "tuple", "dict"] + (["nested", "list"] if len(chosen) >= 2 else [])
    kind = w.pick(kinds)
    if kind != "single":
        w.features.add("pytree_output")
    if kind == "single":
        return chosen[-1]
    if kind == "tuple":
        return ", ".join(chosen) + ("," if len(chosen) == 1 else "")
    if kind == "list":
        return f"[{', '.join(chosen)}]"
    if kind == "dict":
        return "{" + ", ".join(f'"out{i}": {n}' for i, n in enumerate(chosen)) + "}"
    return f'{{"main": {chosen[-1]}, "extra": ({chosen[0]}, [{", ".join(chosen[1:-1])}])}}'


def _shape_text(shape: Shape, example: dict[str, int]) -> str:
    return ", ".join(str(s.value(example)) for s in shape)


def _arg_text(arg: InputArg, leaf_text: Callable[[Leaf], str]) -> str:
    """``arg`` written as Python: a leaf, or a dict/tuple/list of leaves, each by ``leaf_text``."""
    texts = [(key, leaf_text(leaf)) for key, leaf in arg.leaves]
    if arg.kind == "tensor":
        return texts[0][1]
    if arg.kind == "dict":
        return "{" + ", ".join(f'"{k}": {t}' for k, t in texts) + "}"
    body = ", ".join(t for _, t in texts)
    return f"({body})" if arg.kind == "tuple" else f"[{body}]"


def _example_text(arg: InputArg, example: dict[str, int]) -> str:
    def leaf_text(leaf: Leaf) -> str:
        return "torch.tensor(True)" if leaf.dtype == "b8" else f"torch.randn({_shape_text(leaf.shape, example)})"
    return _arg_text(arg, leaf_text)


def _dynamic_text(arg: InputArg) -> str:
    def leaf_text(leaf: Leaf) -> str:
        dims = [f"{i}: {s.sym}" for i, s in enumerate(leaf.shape) if s.sym is not None]
        return "{" + ", ".join(dims) + "}" if dims else "None"
    return _arg_text(arg, leaf_text)


def _parameter_text(shape: tuple[int, ...]) -> str:
    count = 1
    for s in shape:
        count *= s
    data = f"torch.arange({count}, dtype=torch.float32)"
    if len(shape) > 1:
        data += f".reshape({', '.join(map(str, shape))})"
    return f"torch.nn.Parameter({data} / {count} - 0.5)"


def render(w: Writer, forward: Scope, params: list[str], result: str, args: list[InputArg]) -> str:
    lines = ["import torch", "import torch.nn.functional as F", "from torch.export import Dim", "", "",
             "class FuzzCase(torch.nn.Module):", '    """A program drawn by exportdb.tools.fuzz."""', ""]
    if w.params:
        lines += ["    def __init__(self):", "        super().__init__()"]
        lines += [f"        self.{name} = {_parameter_text(shape)}" for name, shape, _ in w.params]
        lines.append("")
    lines.append(f"    def forward(self, {', '.join(params)}):")
    lines += forward.lines
    lines += [f"        return {result}", "", ""]
    lines += [f'{sym} = Dim("{sym}", min={lo}, max={hi})' for sym, (lo, hi) in w.ranges.items()]
    lines.append("model = FuzzCase()")
    examples = [_example_text(a, w.example) for a in args]
    lines.append(f"example_args = ({', '.join(examples)}{',' if len(examples) == 1 else ''})")
    if w.ranges:
        specs = ", ".join(f'"{a.name}": {_dynamic_text(a)}' for a in args)
        lines.append(f"dynamic_shapes = {{{specs}}}")
    return "\n".join(lines) + "\n"


@st.composite
def programs(draw: Any, max_statements: int = 6, torch_safe: bool = False) -> FuzzProgram:
    """A random case program (see the module docstring for what one looks like).

    ``torch_safe`` steers around known, tracked differences from torch.export (see
    :class:`~exportdb.tools.fuzz.generator.Writer`); the torch comparisons use it."""
    w = Writer(draw, max_statements, torch_safe)
    forward = Scope(None, 8)
    dyn = _dims(w)
    if dyn:
        w.features.add("dynamic")
    args, params = _inputs(w, forward, dyn)
    carriers = [sym for arg in args for _, leaf in arg.leaves for sym in set(symbols(leaf.shape))]
    w.shared_syms = {sym for sym in carriers if carriers.count(sym) > 1}
    for _ in range(w.n(0, 2)):  # Python numbers (constants or sizes) the code and its branches may read
        w.scalar_def(forward)
    for _ in range(w.n(1, max_statements)):
        w.statement(forward)
    if not any(not v.is_input for v in forward.values):
        w.assign(forward, w.unary(forward, forward.values[0]))
    result = _outputs(w, forward)
    source = render(w, forward, params, result, args)
    return FuzzProgram(source, tuple(args), dict(w.ranges), dict(w.example), frozenset(w.features))
