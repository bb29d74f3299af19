"""The registry as a whole (issue 8): coverage of the taxonomy, rewrites that
export, and the exporter gaps that individual cases expose.

``exportdb list --json`` is the interface under test for coverage: it must list
at least 60 cases, every tag of the taxonomy, both support levels, and flag
every NOT_SUPPORTED_YET case as having a rewrite.  Each rewrite is then
exported with the built-in engine.  Exporter gaps found while writing cases
are pinned with ``xfail(strict=True)`` so that a fix shows up as an XPASS.
"""

from __future__ import annotations

import io
import json
from typing import Any

import numpy as np

import pytest

from exporter_helpers import CASES_DIR, export_and_lint

from exportdb.tools import cli
from exportdb.catalog import tags as taxonomy
from exportdb.engines.builtin import case_inputs
from exportdb.engines.case_module import load_case_module


def _listed() -> list[dict[str, Any]]:
    out = io.StringIO()
    status = cli.main(["list", "--json", "--cases", str(CASES_DIR)], out=out)
    assert status == 0
    return json.loads(out.getvalue())


LISTED = _listed()
UNSUPPORTED = sorted(c["name"] for c in LISTED if c["support_level"] == "NOT_SUPPORTED_YET")


def test_list_json_reports_rewrites():
    assert all(isinstance(c["has_rewrite"], bool) for c in LISTED)
    by_name = {c["name"]: c for c in LISTED}
    # a case known to have a rewrite, and one known to have none
    assert by_name["tensor_value_branch"]["has_rewrite"] is True
    assert by_name["cond_nested"]["has_rewrite"] is False


def test_registry_is_large_and_covers_every_tag_and_level():
    assert len(LISTED) >= 60
    per_tag = {name: 0 for name in taxonomy.tag_names()}
    for entry in LISTED:
        for tag in entry["tags"]:
            per_tag[tag] += 1
    assert not [t for t, n in per_tag.items() if n == 0], per_tag
    assert {c["support_level"] for c in LISTED} == {"SUPPORTED", "NOT_SUPPORTED_YET"}


def test_every_tag_has_a_handful_of_cases():
    per_tag = {name: 0 for name in taxonomy.tag_names()}
    for entry in LISTED:
        for tag in entry["tags"]:
            per_tag[tag] += 1
    assert min(per_tag.values()) >= 4, per_tag


def test_every_unsupported_case_has_a_rewrite():
    missing = [c["name"] for c in LISTED if c["support_level"] == "NOT_SUPPORTED_YET" and not c["has_rewrite"]]
    assert missing == []


@pytest.mark.parametrize("name", UNSUPPORTED)
def test_the_rewrite_exports_with_the_builtin_engine(name):
    module = load_case_module(CASES_DIR / f"{name}.py")
    model, args, kwargs, dynamic_shapes = case_inputs(module, rewrite=True)
    ep = export_and_lint(model, tuple(args), kwargs, dynamic_shapes=dynamic_shapes)
    assert "ExportedProgram:" in str(ep)


def _exported_text(name: str) -> str:
    model, args, kwargs, dynamic_shapes = case_inputs(load_case_module(CASES_DIR / f"{name}.py"))
    return str(export_and_lint(model, tuple(args), kwargs, dynamic_shapes=dynamic_shapes))


# -- exporter gaps found while writing cases.  Open ones are strict xfails (and
#    listed in cases/expected_differences.toml); fixed ones stay as regression
#    tests. ------------------------------------------------------------------

def test_unused_parameters_are_not_lifted():
    text = _exported_text("builtin_getattr_submodule")
    assert "p_head_0_weight" in text
    assert "p_head_5_weight" not in text


def test_no_grad_block_is_kept_as_a_grad_mode_subgraph():
    text = _exported_text("ctx_no_grad_block")
    assert "torch.ops.higher_order.wrap_with_set_grad_enabled(False" in text


def test_unused_buffers_are_not_lifted():
    text = _exported_text("escape_assume_constant_buffer")
    assert "b_active" not in text


def test_unbacked_size_is_inferred_non_negative():
    text = _exported_text("dvalue_item_size_implicit")
    assert "u0: VR[0, int_oo]" in text
    assert "Runtime assertion failed for expression u0 >= 0" in text


def test_check_that_unifies_two_dims_leaves_no_assertion():
    text = _exported_text("escape_check_equal_dims")
    assert 'a: "f32[s0, 3]", b: "f32[s0, 3]"' in text
    assert "_assert_scalar" not in text and "Sym(True)" not in text


def test_map_over_a_dynamic_first_dimension_exports():
    text = _exported_text("map_dynamic_batch")
    assert 'rows: "f32[s0, 3]"' in text and "map_impl" in text


def test_python_attribute_mutation_is_frozen_at_export():
    """mutation_python_attribute: the counter's value at export (1) is baked in;
    the model's counter is restored after the export; eager mode keeps counting, the
    exported program does not."""
    module = load_case_module(CASES_DIR / "mutation_python_attribute.py")
    model, args, kwargs, _ = case_inputs(module)
    ep = export_and_lint(model, tuple(args), kwargs)
    assert "torch.ops.aten.mul.Tensor(x, 1)" in str(ep)
    x = args[0]
    first, second = ep.module()(x), ep.module()(x)
    assert np.allclose(first._value, x._value) and np.allclose(second._value, x._value)
    assert model.calls == 0  # export leaves the model as it found it, as torch.export does
    eager_again = model(x)  # the counter is now 1
    assert np.allclose(eager_again._value, x._value) and model.calls == 1
