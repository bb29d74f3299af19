"""The ``dyn_`` cases: symbolic shapes exported once, then run at many sizes.

Every SUPPORTED ``dyn_`` case with ``dynamic_shapes`` is exported on its
example inputs; the exported program then runs on inputs whose dynamic
dimensions take several values inside the declared ranges (derived dims follow
their root) and must agree with eager mode.  Sizes outside a range, and inputs
that break the relations between dims, must be rejected with an InputError
naming the input and the dimension.  NOT_SUPPORTED_YET cases must fail with the
expected error in one line, and their rewrites must export and run at every
size.  Known exporter bugs are pinned with ``xfail(strict=True)``.
"""

from __future__ import annotations

import copy
import inspect
import re
from typing import Any

import numpy as np
import pytest

from exporter_helpers import CASES_DIR, Tensor, assert_same_outputs, export_and_lint, torch, write_case

from exportdb import errors
from exportdb.exporter.symbolic.dim_types import DerivedDim, Dim, DimHint
from exportdb.exporter.frontend.modules import SupportLevel
from exportdb.engines.case_module import load_case_module

_LOADED: dict[str, Any] = {}
_EXPORTED: dict[str, Any] = {}
SWEEP = (2, 3, 5, 8)


def case(name: str) -> Any:
    if name not in _LOADED:
        _LOADED[name] = load_case_module(CASES_DIR / f"{name}.py")
    return _LOADED[name]


def exported(name: str) -> Any:
    if name not in _EXPORTED:
        m = case(name)
        _EXPORTED[name] = export_and_lint(m.model, tuple(m.example_args), dynamic_shapes=getattr(m, "dynamic_shapes", None))
    return _EXPORTED[name]


def _names() -> list[str]:
    return sorted(p.stem for p in CASES_DIR.glob("dyn_*.py"))


DYN_CASES = _names()
SUPPORTED = [n for n in DYN_CASES
             if getattr(case(n), "support_level", SupportLevel.SUPPORTED) is SupportLevel.SUPPORTED]
# Cases the generic sweep (tensor arguments, ranges read off the spec) cannot size;
# each has its own sweep below.
SWEPT_BY_HAND = {
    "dyn_auto_guard_refines": "its guard narrows the AUTO range to [5, int_oo]",
    "dyn_spec_by_position": "its first input is a dict of tensors",
    "dyn_dynamic_dims_unify": "its two DYNAMIC dims are unified into one",
    "dyn_auto_unified_sources": "its AUTO dims are unified pairwise",
}
SWEPT = [n for n in SUPPORTED if getattr(case(n), "dynamic_shapes", None) is not None and n not in SWEPT_BY_HAND]
REWRITTEN = [n for n in DYN_CASES if getattr(case(n), "rewrite", None) is not None]

# dyn_dim_auto: the matmul with a (4, 2) weight specialises the AUTO column to 4
# (test_dim_auto_column_is_specialised_by_matmul), so the sweep keeps it at 4.
KEEP_EXAMPLE_SIZE = {("dyn_dim_auto", "x", 1)}


# -- size sweeps ---------------------------------------------------------------
def _specs(module: Any, model: Any) -> dict[str, dict[int, Any]]:
    """Argument name -> {dim: spec} for the case's tensor inputs."""
    names = list(inspect.signature(model.forward).parameters)
    spec = module.dynamic_shapes
    if isinstance(spec, (list, tuple)):
        spec = dict(zip(names, spec))
    out = {}
    for name in names:
        per = spec.get(name)
        if isinstance(per, (list, tuple)):
            per = dict(enumerate(per))
        out[name] = per or {}
    return out


def _roots(specs: dict[str, dict[int, Any]]) -> dict[str, tuple[int, float]]:
    """Root name -> (min, max) over every Dim and AUTO dim of the spec."""
    roots: dict[str, tuple[int, float]] = {}
    for arg, per in specs.items():
        for dim, s in per.items():
            root = s.root if isinstance(s, DerivedDim) else s
            if isinstance(root, Dim):
                roots[root.name] = (root.min or 0, root.max if root.max is not None else float("inf"))
            elif isinstance(root, DimHint) and root.name in ("AUTO", "DYNAMIC"):
                roots[f"{arg}.{dim}"] = (2, float("inf"))
    return roots


def _size(s: Any, arg: str, dim: int, values: dict[str, int]) -> int | None:
    if isinstance(s, DerivedDim):
        return s.scale * values[s.root.name] + s.offset
    if isinstance(s, Dim):
        return values[s.name]
    if isinstance(s, DimHint) and s.name in ("AUTO", "DYNAMIC"):
        return values[f"{arg}.{dim}"]
    return None


def inputs_for(name: str, values: dict[str, int], model: Any = None, seed: int = 0) -> tuple:
    """The case's example inputs with the dynamic dims resized to ``values`` (root -> size)."""
    m = case(name)
    model = model or m.model
    rng = np.random.default_rng(seed)
    specs = _specs(m, model)
    out = []
    for arg, example in zip(specs, m.example_args):
        shape = list(example.shape)
        for dim, s in specs[arg].items():
            size = _size(s, arg, dim, values)
            if size is not None and (name, arg, dim) not in KEEP_EXAMPLE_SIZE:
                shape[dim] = size
        value = rng.standard_normal(shape).astype(example._value.dtype)
        out.append(Tensor._make(np.ascontiguousarray(value)))
    return tuple(out)


def sweep(name: str, model: Any = None) -> list[dict[str, int]]:
    """Root assignments inside the declared ranges: every root takes each sweep value in turn."""
    m = case(name)
    roots = _roots(_specs(m, model or m.model))
    points = []
    for i, value in enumerate(SWEEP):
        assignment = {}
        for j, (root, (lo, hi)) in enumerate(sorted(roots.items())):
            v = SWEEP[(i + j) % len(SWEEP)]  # roots take different values at the same point
            assignment[root] = int(min(max(v, lo), hi))
        points.append(assignment)
    # the edges of every range (sizes 0 and 1 left out: export specialises them, and
    # several models, like a max over an empty dim, are not defined there eagerly)
    points.append({r: int(max(lo, 2)) for r, (lo, _) in roots.items()})
    points.append({r: int(min(hi, 12)) for r, (_, hi) in roots.items()})
    return points


def _eager_vs_exported(model: Any, ep: Any, args: tuple) -> None:
    expected = copy.deepcopy(model)(*copy.deepcopy(args))
    actual = ep.module()(*copy.deepcopy(args))
    assert_same_outputs(expected, actual)


def test_there_are_dynamic_cases():
    assert len(DYN_CASES) >= 17 and len(SWEPT) >= 12, DYN_CASES


@pytest.mark.parametrize("name", SWEPT)
def test_exported_program_runs_at_every_size_in_range(name):
    ep = exported(name)
    seen = set()
    for values in sweep(name):
        args = inputs_for(name, values)
        seen.add(tuple(a.shape for a in args))
        _eager_vs_exported(case(name).model, ep, args)
    assert len(seen) >= 3, f"the sweep tried too few shapes: {seen}"


def test_auto_guard_case_runs_where_its_guard_holds():
    name = "dyn_auto_guard_refines"
    ep = exported(name)
    for rows in (5, 6, 9, 30):
        _eager_vs_exported(case(name).model, ep, (torch.randn(rows, 3),))
    _reject(name, (torch.randn(4, 3),), "input x", "dimension 0", "[5, int_oo]")


def test_spec_by_position_case_runs_at_several_batch_sizes():
    name = "dyn_spec_by_position"
    ep = exported(name)
    for batch in (2, 3, 7, 12):
        features = {"dense": torch.randn(batch, 4), "sparse": torch.randn(batch, 4)}
        _eager_vs_exported(case(name).model, ep, (features, torch.randn(4)))
    _reject(name, ({"dense": torch.randn(3, 4), "sparse": torch.randn(4, 4)}, torch.randn(4)), "dimension 0")
    _reject(name, ({"dense": torch.randn(3, 5), "sparse": torch.randn(3, 5)}, torch.randn(5)), "dimension 1")


def test_unified_dynamic_dims_run_at_equal_sizes_and_refuse_unequal_ones():
    name = "dyn_dynamic_dims_unify"
    ep = exported(name)
    assert 'x: "f32[s0, 3]", y: "f32[s0, 3]"' in str(ep)
    for rows in (2, 5, 17):
        _eager_vs_exported(case(name).model, ep, (torch.randn(rows, 3), torch.randn(rows, 3)))
    with pytest.raises(errors.InputError):
        ep.module()(torch.randn(3, 3), torch.randn(4, 3))


def test_unified_auto_dims_read_each_size_from_the_input_torch_keeps():
    name = "dyn_auto_unified_sources"
    ep = exported(name)
    reads = {n.name: (n.args[0].name, n.args[1]) for n in ep.graph.nodes if n.name.startswith("sym_size")}
    assert reads == {"sym_size_int_3": ("x", 1), "sym_size_int_4": ("y", 0)}
    for rows, cols in ((2, 3), (5, 8), (9, 2)):
        _eager_vs_exported(case(name).model, ep, (torch.randn(rows, cols), torch.randn(rows, cols)))


def test_dynamic_dim_pinned_to_a_constant_is_a_violation_but_a_bound_refines_it():
    from exportdb.exporter.trace.export import export

    class Pinned(torch.nn.Module):
        def forward(self, x):
            return x + 1 if x.shape[0] == 4 else x - 1

    class Bounded(torch.nn.Module):
        def forward(self, x):
            return x + 1 if x.shape[0] > 5 else x - 1

    with pytest.raises(errors.ConstraintViolationError, match="constant 4"):
        export(Pinned(), (torch.randn(4, 3),), dynamic_shapes={"x": {0: Dim.DYNAMIC}})
    ep = export(Bounded(), (torch.randn(8, 3),), dynamic_shapes={"x": {0: Dim.DYNAMIC}})
    assert ep.range_constraints == {"s0": "VR[6, int_oo]"}


def test_dynamic_dims_with_equal_example_sizes_keep_their_own_symbols():
    from exportdb.exporter.trace.export import export

    class Apart(torch.nn.Module):
        def forward(self, x, y):
            return x * 2, y + 1

    ep = export(Apart(), (torch.randn(4, 3), torch.randn(4, 3)), dynamic_shapes=({0: Dim.DYNAMIC}, {0: Dim.DYNAMIC}))
    assert 'x: "f32[s0, 3]", y: "f32[s1, 3]"' in str(ep)


def test_python_max_min_over_sizes_record_sym_nodes_and_fall_back_elsewhere():
    from exportdb.exporter.symbolic.shape_env import python_max, python_min

    ep = exported("dyn_python_max_min")
    assert [n.name for n in ep.graph.nodes if "sym_m" in n.name] == ["sym_max", "sym_min", "sym_min_1"]
    assert not ep.range_constraints["s0"].startswith("VR[6")  # no guard narrowed a range
    assert python_max(3, 5, 4) == 5 and python_min([3, 5]) == 3 and python_max([], default=7) == 7
    assert python_max("ab", "b") == "b" and python_min([2.5, 1]) == 1
    assert python_max([(1, 2), (3, 0)], key=lambda p: p[1]) == (1, 2)


# -- rejecting inputs ------------------------------------------------------------
def _reject(name: str, args: tuple, *fragments: str) -> str:
    with pytest.raises(errors.InputError) as info:
        exported(name).module()(*args)
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, message
    return message


def test_above_max_is_rejected_naming_the_input_and_dim():
    args = inputs_for("dyn_dim_min_max", {"tokens": 17})
    _reject("dyn_dim_min_max", args, "input queries", "dimension 0", "17", "[3, 16]")


def test_below_min_is_rejected():
    _reject("dyn_dim_min_max", inputs_for("dyn_dim_min_max", {"tokens": 2}), "input queries", "dimension 0", "[3, 16]")
    _reject("dyn_slice_symbolic", inputs_for("dyn_slice_symbolic", {"steps": 3}), "input x", "dimension 0")


def test_shared_dim_must_agree_across_inputs():
    q, _ = inputs_for("dyn_dim_min_max", {"tokens": 5})
    _, k = inputs_for("dyn_dim_min_max", {"tokens": 6})
    _reject("dyn_dim_min_max", (q, k), "input keys", "dimension 0")


def test_derived_dims_must_follow_their_root():
    x, pairs, fenced = inputs_for("dyn_derived_dims", {"n": 3})
    bad_pairs = torch.randn(7, 4)
    _reject("dyn_derived_dims", (x, bad_pairs, fenced), "pairs", "dimension 0")
    _reject("dyn_derived_dims", (x, pairs, torch.randn(3, 4)), "fenced", "dimension 0")
    # the root's own range applies through a derived dim too: n = 33 is above max=32
    _reject("dyn_derived_dims", inputs_for("dyn_derived_dims", {"n": 33}), "dimension 0", "32")


def test_static_dims_stay_static():
    _reject("dyn_broadcast", (torch.randn(5, 3), torch.randn(5, 1), torch.randn(4)), "input shift", "dimension 0")
    _reject("dyn_cond_shape_predicate", (torch.randn(5, 2),), "input x", "dimension 1")


def test_guard_that_holds_keeps_its_range_at_run_time():
    # Dim("n", min=3) is what makes the guard x.shape[0] > 2 hold: two rows are refused
    _reject("dyn_guard_holds", (torch.randn(2, 2),), "input x", "dimension 0", "[3, int_oo]")


def test_item_checks_run_again_in_the_exported_program():
    ep = exported("dyn_item_as_size")
    model = case("dyn_item_as_size").model
    for k in (0, 2, 6):
        _eager_vs_exported(model, ep, (torch.randn(6, 3), torch.tensor(k)))
    with pytest.raises(Exception, match=r"u0 <= 6"):
        ep.module()(torch.randn(6, 3), torch.tensor(7))


# -- the seed's DynamicShapeCondPredicate -----------------------------------------
def test_cond_on_shape_prints_symbolic_predicate_and_both_branches():
    text = str(exported("dyn_cond_shape_predicate"))
    assert 'x: "f32[s0, 3]"' in text
    assert re.search(r'gt: "Sym\(s0 > 4\)" = sym_size_int_\d+ > 4', text), text
    assert 'sym_size_int_1: "Sym(s0)" = torch.ops.aten.sym_size.int(x, 0)' in text
    assert "torch.ops.higher_order.cond(gt, true_graph_0, false_graph_0, [x])" in text
    assert "class true_graph_0" in text and "class false_graph_0" in text
    assert "torch.ops.aten.cos.default(x)" in text and "torch.ops.aten.sin.default(x)" in text
    assert "Range constraints: {s0: VR[0, int_oo]}" in text


def test_cond_on_shape_takes_each_branch_by_size():
    ep = exported("dyn_cond_shape_predicate")
    for rows in (2, 3, 4, 5, 6, 9):
        x = torch.randn(rows, 3)
        out = ep.module()(x)
        expected = x.cos() if rows > 4 else x.sin()
        np.testing.assert_allclose(out._value, expected._value, rtol=1e-6)


def test_legacy_dynamic_dim_constraint_gives_the_same_program():
    from exportdb.exporter.symbolic.dim_types import dynamic_dim

    x = torch.randn(6, 3)
    legacy = export_and_lint(case("dyn_cond_shape_predicate").model, (x,), constraints=[dynamic_dim(x, 0)])
    assert str(legacy) == str(exported("dyn_cond_shape_predicate"))


# -- NOT_SUPPORTED_YET cases and their rewrites -------------------------------------
FAILURES = {
    "dyn_guard_violated": (errors.ConstraintViolationError, ["n = x.size()[0]", "[0, int_oo]", "s0 > 4"]),
    "dyn_size_one_broadcast": (errors.ConstraintViolationError, ["[4, int_oo]", "Eq((s0//4), 1)"]),
    "dyn_item_branch": (errors.DataDependentControlFlowError, ["u0 > 0", "data-dependent"]),
}


def test_every_unsupported_dyn_case_is_listed():
    unsupported = {n for n in DYN_CASES if n not in SUPPORTED}
    assert unsupported == set(FAILURES)


@pytest.mark.parametrize("name", sorted(FAILURES))
def test_unsupported_case_fails_in_one_line(name):
    m = case(name)
    kind, fragments = FAILURES[name]
    with pytest.raises(kind) as info:
        export_and_lint(m.model, tuple(m.example_args), dynamic_shapes=getattr(m, "dynamic_shapes", None))
    line = info.value.one_line()
    assert "\n" not in line and re.search(rf"{name}\.py:\d+: ", line), line
    for fragment in fragments:
        assert fragment in line, line


@pytest.mark.parametrize("name", REWRITTEN)
def test_rewrite_exports_and_runs_at_every_size(name):
    m = case(name)
    spec = getattr(m, "dynamic_shapes", None)
    ep = export_and_lint(m.rewrite, tuple(m.example_args), dynamic_shapes=spec)
    if spec is None:
        _eager_vs_exported(m.rewrite, ep, tuple(m.example_args))
        return
    for values in sweep(name, m.rewrite):
        _eager_vs_exported(m.rewrite, ep, inputs_for(name, values, m.rewrite))


def test_guard_violation_hint_suggests_the_fixes():
    m = case("dyn_guard_violated")
    with pytest.raises(errors.ConstraintViolationError) as info:
        export_and_lint(m.model, tuple(m.example_args), dynamic_shapes=getattr(m, "dynamic_shapes", None))
    assert "min=" in str(info.value.hint) and "torch.cond" in str(info.value.hint)


def test_item_branch_rewrite_takes_both_branches():
    m = case("dyn_item_branch")
    ep = export_and_lint(m.rewrite, tuple(m.example_args))
    for t in (-2, 0, 3):
        _eager_vs_exported(m.rewrite, ep, (torch.randn(3, 2), torch.tensor(t)))


# -- specialisation and guards -------------------------------------------------------------
def test_dim_auto_column_is_specialised_by_matmul():
    ep = exported("dyn_dim_auto")
    text = str(ep)
    assert 'x: "f32[s0, 4]"' in text and "s1" not in text
    with pytest.raises(errors.InputError, match="dimension 1 must be 4"):
        ep.module()(torch.randn(5, 3))


def test_size_one_broadcast_is_refused_in_either_operand_order():
    from exportdb.exporter.trace.export import export

    class Swapped(torch.nn.Module):
        def forward(self, x):
            return x - x[: x.shape[0] // 4]

    with pytest.raises(errors.ConstraintViolationError):
        export(Swapped(), (torch.randn(4, 3),), dynamic_shapes={"x": {0: Dim("n", min=4)}})


def test_builtin_engine_reads_rewrite_dynamic_shapes(tmp_path):
    from exportdb.engines.builtin import BuiltinEngine

    path = write_case(tmp_path, '''
        import torch
        from torch.export import Dim
        from torch._export.db.case import SupportLevel


        class Branchy(torch.nn.Module):
            """A Python if on a dynamic size."""

            def forward(self, x):
                if x.shape[0] > 4:
                    return x.exp()
                return x.neg()


        example_args = (torch.randn(6, 2),)
        dynamic_shapes = {"x": {0: Dim("n")}}
        support_level = SupportLevel.NOT_SUPPORTED_YET
        model = Branchy()
        rewrite = Branchy()
        rewrite_dynamic_shapes = {"x": {0: Dim("n", min=5)}}
    ''', name="narrowed.py")
    result = BuiltinEngine().run_case(path, rewrite=True)
    assert result.ok, result.text
