"""Shared helpers for the exporter tests: trace -> lint -> run -> compare.

Every test that traces goes through :func:`export_and_lint`, so the graph
validator runs after every trace.  ``torch`` here is exportdb's NumPy front
end (``resolve("torch")``), never the real PyTorch.
"""

from __future__ import annotations

import copy
import textwrap
from pathlib import Path
from typing import Any

import numpy as np

from exportdb.exporter.ir import pytree
from exportdb.exporter.frontend.modules import resolve
from exportdb.engines.case_module import load_case_module
from exportdb.exporter.trace.export import export

torch = resolve("torch")
Tensor = torch.Tensor

#: Where the spec documents live (``../shared/seeds`` next to the repository).
SEEDS_DIR = Path(__file__).resolve().parents[2] / "shared" / "seeds"
CASES_DIR = Path(__file__).resolve().parents[1] / "cases"


class Call(torch.nn.Module):
    """A module whose forward is ``fn(x)``: one call to export."""

    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x)


def export_and_lint(model: Any, args: tuple, kwargs: dict | None = None, **options: Any):
    """Export ``model`` and validate the graph (and every sub-graph) before returning it."""
    ep = export(model, args, kwargs, **options)
    ep.graph.lint()
    return ep


def write_case(tmp_path: Path, source: str, name: str = "case.py") -> Path:
    """Write a dedented case file into ``tmp_path`` and return its path."""
    path = tmp_path / name
    path.write_text(textwrap.dedent(source).lstrip("\n"), encoding="utf-8")
    return path


def load_case(tmp_path: Path, source: str, name: str = "case.py"):
    return load_case_module(write_case(tmp_path, source, name))


def export_case_module(module: Any, **options: Any):
    """Export a loaded case module's ``model`` on its example inputs (and lint)."""
    kwargs = getattr(module, "example_kwargs", None) or {}
    return export_and_lint(module.model, tuple(module.example_args), kwargs, **options)


def body(ep: Any, graph_class: str = "GraphModule") -> list[str]:
    """The stripped, non-empty lines of one printed graph class's ``forward`` body."""
    lines = str(ep).splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == f"class {graph_class}(torch.nn.Module):")
    indent = len(lines[start]) - len(lines[start].lstrip())
    out = []
    for line in lines[start + 2:]:
        if not line.strip():
            continue
        if len(line) - len(line.lstrip()) <= indent + 4:
            break
        out.append(line.strip())
    return out


def call_nodes(graph: Any) -> list[Any]:
    return [n for n in graph.nodes if n.op == "call_function"]


def targets(graph: Any) -> list[str]:
    """Qualified names of the ops a graph calls, in order (``aten.add.Tensor``)."""
    return [n.target.qualname for n in call_nodes(graph)]


def node(graph: Any, name: str) -> Any:
    return next(n for n in graph.nodes if n.name == name)


def leaves(value: Any) -> list[Any]:
    return pytree.tree_leaves(value)


def assert_same_outputs(expected: Any, actual: Any, *, rtol: float = 1e-5, atol: float = 1e-6) -> None:
    """Pytree structure, tensor shapes, dtypes and values all agree."""
    want, got = pytree.tree_flatten(expected), pytree.tree_flatten(actual)
    assert want[1] == got[1], f"output structure differs: {want[1]} vs {got[1]}"
    for i, (w, g) in enumerate(zip(want[0], got[0])):
        if isinstance(w, Tensor):
            assert isinstance(g, Tensor), f"output {i}: expected a tensor, got {type(g).__name__}"
            assert (w.shape, w.dtype) == (g.shape, g.dtype), f"output {i}: {w.dtype}{list(w.shape)} vs {g.dtype}{list(g.shape)}"
            np.testing.assert_allclose(g._value, w._value, rtol=rtol, atol=atol, equal_nan=True,
                                       err_msg=f"output {i} values differ")
        else:
            assert w == g, f"output {i}: {w!r} vs {g!r}"


def run_both(model: Any, ep: Any, args: tuple, kwargs: dict | None = None) -> tuple[Any, Any]:
    """(eager, exported) outputs on copies of the inputs and of the model (cases may mutate both)."""
    kwargs = kwargs or {}
    eager = copy.deepcopy(model)(*copy.deepcopy(args), **copy.deepcopy(kwargs))
    exported = ep.module()(*copy.deepcopy(args), **copy.deepcopy(kwargs))
    return eager, exported


def check_against_eager(model: Any, ep: Any, args: tuple, kwargs: dict | None = None) -> None:
    eager, exported = run_both(model, ep, args, kwargs)
    assert_same_outputs(eager, exported)


def fresh_like(value: Any, rng: np.random.Generator) -> Any:
    """Same pytree, tensors of the same shapes and dtypes with new values.

    Floats get normal samples, bools random bits, integers a shuffle of the
    example's own values (so index tensors stay in range)."""
    def one(leaf: Any) -> Any:
        if not isinstance(leaf, Tensor):
            return leaf
        v = leaf._value
        if v.dtype.kind in "fc":
            new = rng.standard_normal(v.shape).astype(v.dtype)
        elif v.dtype == np.bool_:
            new = rng.random(v.shape) < 0.5
        else:
            new = rng.permutation(v.reshape(-1)).reshape(v.shape)
        return Tensor._make(np.array(new, dtype=v.dtype).reshape(v.shape))
    return pytree.tree_map(one, value)
