"""``torch.utils._pytree`` for case files, backed by :mod:`exportdb.exporter.ir.pytree`."""

from __future__ import annotations

from exportdb.exporter.ir import pytree

NAMESPACE = {
    "tree_flatten": pytree.tree_flatten,
    "tree_unflatten": pytree.tree_unflatten,
    "tree_map": pytree.tree_map,
    "tree_leaves": pytree.tree_leaves,
    "tree_flatten_with_path": pytree.tree_flatten_with_path,
    "TreeSpec": pytree.TreeSpec,
}
