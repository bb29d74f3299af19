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


def test_module_and_options_arguments_are_nested_constructor_calls(tmp_path):
    """TransformerEncoder takes a layer instance, LinearCrossEntropyLoss an options object: both are written
    as the constructor calls a user writes, and the inputs run (and agree) instead of being left out."""
    torch = pytest.importorskip("torch")
    pytest.importorskip("expecttest")
    from exportdb.tools.conformance import modules
    from exportdb.tools.conformance.torch_cache import TorchResultCache

    infos = [i for i in modules.load_module_db() if i.name in ("nn.TransformerEncoder", "nn.LinearCrossEntropyLoss")]
    wanted = {}
    for item in modules.module_inputs(torch, infos):
        if item.module == "nn.LinearCrossEntropyLoss" and item.ctor[1].get("options") is None:
            continue
        wanted.setdefault(item.module, item)
        if len(wanted) == 2:
            break
    cache = TorchResultCache(tmp_path / "cache")
    encoder = modules.check_input(torch, wanted["nn.TransformerEncoder"], cache)
    assert encoder.source.startswith("torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(4, 2, ")
    loss = modules.check_input(torch, wanted["nn.LinearCrossEntropyLoss"], cache)
    assert "options=torch.nn.LinearCrossEntropyOptions(" in loss.source
    assert (encoder.classification, loss.classification) == ("agree", "agree"), (encoder.reason, loss.reason)
