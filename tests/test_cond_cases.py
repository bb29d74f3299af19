"""The cond/map cases of the registry: every branch taken, every restriction refused.

Each SUPPORTED case is exported once on its example inputs; the exported
program then runs on inputs built so that every predicate takes each value,
and must agree with eager mode.  While it runs, the test records which
sub-graphs executed and requires every branch (and map body) of the program
to have run at least once.  Each NOT_SUPPORTED_YET case must fail with the
expected error type and a one-line message naming the rule, and its rewrite
must export and agree with eager mode for every branch.
"""

from __future__ import annotations

import itertools
from typing import Any, Callable

import numpy as np
import pytest

from exportdb import errors
from exportdb.exporter.ir.graph import Graph
from exportdb.exporter.interpreter import SubgraphCallable
from exportdb.engines.case_module import load_case_module
from exporter_helpers import CASES_DIR, Tensor, check_against_eager, export_and_lint, torch

_LOADED: dict[str, Any] = {}


def case(name: str) -> Any:
    """The loaded case module (loaded once per session)."""
    if name not in _LOADED:
        _LOADED[name] = load_case_module(CASES_DIR / f"{name}.py")
    return _LOADED[name]


def _is_flag(value: Any) -> bool:
    return isinstance(value, Tensor) and value.dtype == torch.bool and value.numel() == 1


def flag_variants(args: tuple) -> list[tuple]:
    """``args`` with every combination of values for its one-element bool tensors."""
    slots = [i for i, a in enumerate(args) if _is_flag(a)]
    out = []
    for values in itertools.product((True, False), repeat=len(slots)):
        new = list(args)
        for i, v in zip(slots, values):
            new[i] = torch.tensor(v).reshape(args[i].shape)
        out.append(tuple(new))
    return out


def _positive(x: Tensor) -> Tensor:
    return x.abs() + 0.5


# Predicates computed from data: inputs picked by hand so that each branch runs.
CUSTOM_VARIANTS: dict[str, Callable[[tuple], list[tuple]]] = {
    "cond_pred_numeric_matrix": lambda a: [a, (torch.zeros(3, 4),)],  # sum == 0 -> false
    "cond_pred_int_counter": lambda a: [a, (torch.tensor([0]), a[1])],
    "cond_branch_lambdas": lambda a: [(a[0] + 5,), (a[0].clamp(max=0.5),)],
    "cond_multi_element_predicate": lambda a: [(_positive(a[0]),), (-_positive(a[0]),)],  # rewrite
    "cond_python_if_on_tensor": lambda a: [(_positive(a[0]),), (-_positive(a[0]) * 0.5,)],  # rewrite
    "map_plain": lambda a: [a, (a[0] * 3 - 1,)],
    "map_extra_args": lambda a: [a, (a[0], a[1] + 1, a[2] * 2)],
    "map_closure": lambda a: [a, (a[0].sin(),)],
}

SUPPORTED = [
    "cond_pred_bool_scalar", "cond_pred_numeric_matrix", "cond_pred_int_counter",
    "cond_branch_free_functions", "cond_branch_nested_functions", "cond_branch_lambdas",
    "cond_branch_bound_methods", "cond_branch_submodules",
    "cond_closure_forward_tensors", "cond_closure_module_state", "cond_closure_python_constants",
    "cond_unused_operand", "cond_nested_closures", "cond_tuple_output", "cond_dict_output",
    "map_plain", "map_extra_args", "map_closure",
]

_RULE_MUTATION = "the function cannot have in-place mutations on inputs or global variables"
_RULE_METADATA = "the function must return a tensor with the same metadata"

#: case -> (error type, substrings the one-line message must contain)
NOT_SUPPORTED: dict[str, tuple[type, tuple[str, ...]]] = {
    "cond_signature_mismatch": (errors.CondError, ("first_only", "the function signature must match with operands")),
    "cond_output_shape_mismatch": (errors.CondError, ("output 0", '"f32[2, 4]"', '"f32[2, 1]"', _RULE_METADATA)),
    "cond_output_dtype_mismatch": (errors.CondError, ("output 0", '"f32[5]"', '"b8[5]"', _RULE_METADATA)),
    "cond_mutates_operand": (errors.CondError, ("bounded", "clamp_", _RULE_MUTATION)),
    "cond_mutates_closure": (errors.CondError, ("accumulate", "sum_1", _RULE_MUTATION)),
    "cond_mutates_buffer": (errors.CondError, ("counted", "b_calls", _RULE_MUTATION)),
    "cond_mutates_global": (errors.CondError, ("record", "copy_", _RULE_MUTATION)),
    "cond_returns_input_alias": (errors.CondError, ("unchanged", "outputs must not alias inputs")),
    "cond_non_tensor_operand": (errors.CondError, ("operand 1 is a float", "the operands must be a tuple of tensors")),
    "cond_pytree_operands": (errors.CondError, ("operand 0 is a dict", "the operands must be a tuple of tensors")),
    "cond_multi_element_predicate": (errors.CondError, ("3 elements", "a tensor with only one element")),
    "cond_python_if_on_tensor": (errors.DataDependentControlFlowError, ("depends on a tensor's value",)),
}


class _SubgraphRecorder:
    """Records the sub-graphs the interpreter runs (patched onto SubgraphCallable)."""

    def __init__(self) -> None:
        self.ran: set[int] = set()

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        original = SubgraphCallable.__call__
        recorder = self

        def call(self: SubgraphCallable, *inputs: Any) -> tuple:
            recorder.ran.add(id(self.graph))
            return original(self, *inputs)

        monkeypatch.setattr(SubgraphCallable, "__call__", call)


def all_subgraphs(graph: Graph) -> list[Graph]:
    """Every branch and body graph of ``graph``, at every nesting level."""
    found = []
    for sub in graph.subgraphs.values():
        found += [sub, *all_subgraphs(sub)]
    return found


def variants(name: str, args: tuple) -> list[tuple]:
    custom = CUSTOM_VARIANTS.get(name)
    return custom(args) if custom else flag_variants(args)


def check_every_branch(name: str, model: Any, args: tuple, monkeypatch: pytest.MonkeyPatch) -> None:
    ep = export_and_lint(model, args)
    recorder = _SubgraphRecorder()
    recorder.install(monkeypatch)
    for inputs in variants(name, args):
        check_against_eager(model, ep, inputs)
    subgraphs = all_subgraphs(ep.graph)
    assert subgraphs, f"{name}: the exported program has no cond/map sub-graph"
    missed = [g for g in subgraphs if id(g) not in recorder.ran]
    assert not missed, f"{name}: {len(missed)} of {len(subgraphs)} sub-graphs never ran"


@pytest.mark.parametrize("name", SUPPORTED)
def test_supported_case_every_branch(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    module = case(name)
    assert getattr(module, "support_level", None) is None or module.support_level.name == "SUPPORTED"
    check_every_branch(name, module.model, tuple(module.example_args), monkeypatch)


# Constant predicates cannot be flipped through the inputs: the value is fixed
# while tracing (a module attribute, or a test on static sizes) and stays a
# constant in the cond node, so one exported program only ever runs one
# branch.  Each branch is covered by exporting again with another constant.
def test_python_bool_predicate_both_values() -> None:
    module = case("cond_pred_python_bool")
    (x,) = module.example_args
    for flag in (True, False):
        model = type(module.model)(normalize=flag)
        ep = export_and_lint(model, (x,))
        cond = next(n for n in ep.graph.nodes if n.name == "cond")
        assert cond.args[0] is flag
        check_against_eager(model, ep, (x,))


def test_static_shape_predicate_both_values() -> None:
    module = case("cond_pred_static_shape")
    for shape, expected in (((2, 5), True), ((2, 3), False)):
        x = torch.randn(*shape)
        ep = export_and_lint(module.model, (x,))
        cond = next(n for n in ep.graph.nodes if n.name == "cond")
        assert cond.args[0] is expected
        check_against_eager(module.model, ep, (x,))


@pytest.mark.parametrize("name", sorted(NOT_SUPPORTED))
def test_unsupported_case_names_the_rule(name: str) -> None:
    module = case(name)
    assert module.support_level.name == "NOT_SUPPORTED_YET"
    error_type, fragments = NOT_SUPPORTED[name]
    with pytest.raises(errors.ExportError) as info:
        export_and_lint(module.model, tuple(module.example_args))
    assert type(info.value) is error_type
    line = info.value.one_line()
    assert "\n" not in line
    assert line.startswith(f"{error_type.__name__}: ")
    assert f"{name}.py:" in line.split(": ")[1], "the message must start with the user's file:line"
    for fragment in fragments:
        assert fragment in line, f"{fragment!r} missing from: {line}"


@pytest.mark.parametrize("name", sorted(NOT_SUPPORTED))
def test_rewrite_exports_every_branch(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    module = case(name)
    args = tuple(getattr(module, "rewrite_example_args", module.example_args))
    check_every_branch(name, module.rewrite, args, monkeypatch)


def test_every_case_of_this_file_exists_and_is_tagged() -> None:
    names = SUPPORTED + sorted(NOT_SUPPORTED) + ["cond_pred_python_bool", "cond_pred_static_shape"]
    for name in names:
        tags = case(name).tags
        assert ("torch.map" if name.startswith("map_") else "torch.cond") in tags, name


def test_flag_variants_cover_every_combination() -> None:
    args = (torch.tensor(True), torch.tensor([[False]]), torch.randn(2))
    combos = {tuple(bool(a._value.reshape(())) for a in v[:2]) for v in flag_variants(args)}
    assert combos == {(True, True), (True, False), (False, True), (False, False)}
    assert all(v[1].shape == (1, 1) for v in flag_variants(args))
    assert np.array_equal(flag_variants(args)[0][2]._value, args[2]._value)
