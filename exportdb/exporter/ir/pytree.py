"""Minimal pytrees: flatten nested tuples/lists/dicts into leaves and back.

>>> leaves, spec = tree_flatten({"a": (1, 2), "b": [3]})
>>> leaves
[1, 2, 3]
>>> tree_unflatten([4, 5, 6], spec)
{'a': (4, 5), 'b': [6]}
"""

from __future__ import annotations

import inspect

from dataclasses import dataclass
from typing import Any, Callable, Iterator


@dataclass(frozen=True)
class TreeSpec:
    """The shape of a pytree: a container kind, its keys and its children's specs."""

    kind: str  # "leaf", "none", "tuple", "list", "dict", "namedtuple"
    keys: tuple = ()
    children: tuple["TreeSpec", ...] = ()
    type: Any = None

    @property
    def num_leaves(self) -> int:
        if self.kind == "leaf":
            return 1
        return sum(c.num_leaves for c in self.children)


LEAF = TreeSpec("leaf")


def _is_namedtuple(value: Any) -> bool:
    return isinstance(value, tuple) and hasattr(type(value), "_fields")


def tree_flatten(tree: Any, *, none_is_leaf: bool = False) -> tuple[list[Any], TreeSpec]:
    """Leaves and spec of ``tree``.  ``None`` is an empty node, as in torch's pytree, unless
    ``none_is_leaf`` (torch.export keeps a None in forward's output as a constant output)."""
    leaves: list[Any] = []
    return leaves, _flatten(tree, leaves, none_is_leaf)


def _flatten(tree: Any, leaves: list[Any], none_is_leaf: bool = False) -> TreeSpec:
    if tree is None and not none_is_leaf:
        return TreeSpec("none")

    def children(values: Any) -> tuple[TreeSpec, ...]:
        return tuple(_flatten(v, leaves, none_is_leaf) for v in values)

    if _is_namedtuple(tree):
        return TreeSpec("namedtuple", tuple(tree._fields), children(tree), type(tree))
    if isinstance(tree, tuple):
        return TreeSpec("tuple", tuple(range(len(tree))), children(tree))
    if isinstance(tree, list):
        return TreeSpec("list", tuple(range(len(tree))), children(tree))
    if isinstance(tree, dict):
        return TreeSpec("dict", tuple(tree), children(tree.values()))
    leaves.append(tree)
    return LEAF


def tree_unflatten(leaves: list[Any], spec: TreeSpec) -> Any:
    it = iter(leaves)
    result = _unflatten(it, spec)
    if next(it, _END) is not _END:
        raise ValueError("too many leaves for the tree spec")
    return result


_END = object()


def _unflatten(it: Iterator[Any], spec: TreeSpec) -> Any:
    if spec.kind == "leaf":
        value = next(it, _END)
        if value is _END:
            raise ValueError("too few leaves for the tree spec")
        return value
    if spec.kind == "none":
        return None
    children = [_unflatten(it, c) for c in spec.children]
    if spec.kind == "tuple":
        return tuple(children)
    if spec.kind == "list":
        return children
    if spec.kind == "namedtuple":
        return spec.type(*children)
    return dict(zip(spec.keys, children))


def tree_leaves(tree: Any) -> list[Any]:
    return tree_flatten(tree)[0]


def tree_map(fn: Callable[[Any], Any], tree: Any) -> Any:
    leaves, spec = tree_flatten(tree)
    return tree_unflatten([fn(x) for x in leaves], spec)


def tree_flatten_with_path(tree: Any) -> tuple[list[tuple[tuple, Any]], TreeSpec]:
    """Like tree_flatten, with each leaf's key path (a tuple of keys/indices)."""
    leaves, spec = tree_flatten(tree)
    return list(zip(_paths(spec, ()), leaves)), spec


def _paths(spec: TreeSpec, prefix: tuple) -> Iterator[tuple]:
    if spec.kind == "leaf":
        yield prefix
        return
    for key, child in zip(spec.keys, spec.children):
        yield from _paths(child, prefix + (key,))


def input_order(sig: inspect.Signature, bound: inspect.BoundArguments, kwargs: dict | None) -> list[str]:
    """The bound parameter names in torch.export 2.13's input order: those given positionally,
    in forward's order, then the keyword arguments in the order the caller wrote them."""
    var_keyword = next((p for p, prm in sig.parameters.items() if prm.kind is inspect.Parameter.VAR_KEYWORD), None)
    named: list[str] = []
    for key in kwargs or {}:
        param = sig.parameters.get(key)
        name = key if param is not None and param.kind is not inspect.Parameter.VAR_KEYWORD else var_keyword
        if name is not None and name in bound.arguments and name not in named:
            named.append(name)  # a **kwargs parameter sits where its first key was written
    return [p for p in sig.parameters if p in bound.arguments and p not in named] + named


def flatten_user_inputs(sig: inspect.Signature, bound: inspect.BoundArguments,
                        order: list[str] | None = None) -> list[tuple[str, Any]]:
    """(placeholder name, leaf) for every user input, in ``order`` (default: forward's parameter order)."""
    leaves: list[tuple[str, Any]] = []
    for pname in order if order is not None else list(sig.parameters):
        param = sig.parameters[pname]
        if pname not in bound.arguments:
            continue
        value = bound.arguments[pname]
        if param.kind is inspect.Parameter.VAR_POSITIONAL:
            items = [(f"{pname}_{i}", v) for i, v in enumerate(value)]
        elif param.kind is inspect.Parameter.VAR_KEYWORD:
            items = list(value.items())
        else:
            items = [(pname, value)]
        for base, item in items:
            if item is None:  # torch.export 2.13 keeps a None argument as a (constant) user input
                leaves.append((base, None))
                continue
            for path, leaf in tree_flatten_with_path(item)[0]:
                leaves.append(("_".join([base, *(str(p) for p in path)]), leaf))
    return leaves
