"""Place the runtime checks of a value read with ``item()`` where torch.export places them.

torch.export turns the checks on a data-dependent value ``u0`` (``torch._check``, the
non-negative check of a size) into ``_assert_scalar`` nodes right after the ``item`` that
made it, in this order: the bounds of ``u0``'s final range (``u0 >= lo``, then ``u0 <= hi``,
each when finite), then the strict and ``!=`` checks the program made, in its order, each
once (a ``<=``/``>=`` check only narrows the range, which the bounds then assert).  So
``torch._check(u0 < 5)`` asserts ``u0 <= 4`` and ``u0 < 5``, and a check written after
other computation still runs right after the ``item``.  While tracing, such checks only
narrow the range and are noted on the root builder (``item_checks``, see
:func:`~exportdb.exporter.symbolic.shape_env.defer_item_check`); after tracing, the tracer
calls :func:`place_item_checks`, which makes their nodes.
"""

from __future__ import annotations

from typing import Any

from exportdb.exporter.ir.graph import Graph, Node
from exportdb.exporter.ops.control_ops import ASSERT_SCALAR, SYM_NOT, SYM_OPS
from exportdb.exporter.symbolic.shape_env import SymBool, SymInt


def place_item_checks(graph: Graph, item_checks: dict[int, tuple[SymInt, list]]) -> None:
    """Make the check nodes of each checked ``item`` value right after its ``item`` node."""
    if not item_checks:
        return  # most programs: sympy (slow to import) is not needed
    import sympy as sp

    for value, strict in item_checks.values():
        item = value.nodes[graph]
        env, symbol = value.env, value.expr
        lo, hi = env.ranges[symbol]
        wanted: list[tuple[Any, str, Any]] = []
        if lo.is_finite:
            wanted.append((sp.Ge(symbol, lo), "ge", int(lo)))
        if hi.is_finite:
            wanted.append((sp.Le(symbol, hi), "le", int(hi)))
        for check in strict:
            name, (_, limit) = check.recipe[0].name, check.recipe[1]
            wanted.append((env.simplify(check.expr), name, limit))
        made, seen = [], set()
        for expr, name, limit in wanted:
            if expr in seen:
                continue
            seen.add(expr)
            made += _check_nodes(graph, item, value, expr, name, limit)
        at = graph.nodes.index(item) + 1
        for node in made:
            graph.nodes.remove(node)
        graph.nodes[at:at] = made
    _renumber_asserts(graph)


def _message_text(expr: Any) -> str:
    """How torch words a checked condition: ``a > b`` as ``b < a`` (and ``>=`` as ``<=``)."""
    import sympy as sp

    if isinstance(expr, sp.StrictGreaterThan):
        return f"{expr.rhs} < {expr.lhs}"
    return str(expr)


def _check_nodes(graph: Graph, item: Node, value: SymInt, expr: Any, name: str, limit: int) -> list[Node]:
    """The comparison (``eq`` + ``torch.sym_not`` for ``!=``, as torch writes it) and its assert."""
    import sympy as sp

    stack = item.meta.get("stack", ())
    op = SYM_OPS["eq" if name == "ne" else name]
    test = sp.Eq(value.expr, limit) if name == "ne" else expr
    cond = graph.create_node("call_function", op, (item, limit), name=op.name,
                             meta={"val": SymBool(test, value.env, (op, (value, limit))), "stack": stack})
    nodes = [cond]
    if name == "ne":
        negated = SymBool(expr, value.env, (SYM_NOT, (cond.meta["val"],)))
        cond = graph.create_node("call_function", SYM_NOT, (cond,), name=SYM_NOT.name,
                                 meta={"val": negated, "stack": stack})
        nodes.append(cond)
    message = f"Runtime assertion failed for expression {_message_text(expr)} on node '{cond.name}'"
    nodes.append(graph.create_node("call_function", ASSERT_SCALAR, (cond, message), name=ASSERT_SCALAR.name,
                                   meta={"val": None, "stack": stack}))
    return nodes


def _renumber_asserts(graph: Graph) -> None:
    """The assertion nodes' names in graph order (``_assert_scalar_default``, ``..._1``, ...),
    as torch names them when it inserts them."""
    asserts = [n for n in graph.nodes if n.target is ASSERT_SCALAR]
    names = sorted((n.name for n in asserts), key=lambda s: (len(s), s))
    for node, name in zip(asserts, names):
        node.name = name
