"""exportdb conformance modules: constructor source text, and the short CI profile against torch's module_db."""

from __future__ import annotations

import io
import json

import pytest

from exportdb.tools.conformance.module_source import NotLiteral, constructor_source, literal


def test_constructor_source_is_a_literal_call():
    assert constructor_source("nn.Conv2d", (4, 5, 3), {"padding": "same"}) == \
        "torch.nn.Conv2d(4, 5, 3, padding='same')"
    assert literal((3, None)) == "(3, None)" and literal((2,)) == "(2,)" and literal(float("inf")) == "float('inf')"
    with pytest.raises(NotLiteral):
        literal(object())


def test_ci_profile_agrees_with_torch(tmp_path):
    pytest.importorskip("torch")
    pytest.importorskip("expecttest")
    from exportdb.tools.conformance import modules

    out = io.StringIO()
    record = tmp_path / "modules.json"
    assert modules.main(["--ci", "--cache-dir", str(tmp_path / "cache"), "--record", str(record)], out) == 0
    last = out.getvalue().strip().splitlines()[-1]
    data = json.loads(record.read_text())
    assert last == data["summary"] == f"modules: {data['torch_exports']}/{data['torch_exports']} agree where " \
                                      f"torch.export exports ({data['inputs']} inputs)"
    assert data["inputs"] == 2 * len(modules.CI_PROFILE)
    assert data["results"] == []  # the record lists only the inputs that do not agree
    assert all(row["status"] == "agrees" for row in data["modules"].values())
    assert {r["mode"] for r in modules.report_data(modules.run_modules(["Linear"], limit=1))["results"]} == \
        {"eval", "train"}
