"""``exportdb conformance ops``: case source generation, op statuses, and a short profile against torch."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from exportdb.tools.conformance.op_report import OpResult, format_text, reason_group, report_data, summary_line
from exportdb.tools.conformance.op_sample import SampleOutcome, aten_ops, first_difference, tidy_reason

HAVE_TORCH = importlib.util.find_spec("torch") is not None and importlib.util.find_spec("expecttest") is not None
needs_torch = pytest.mark.skipif(not HAVE_TORCH, reason="needs torch and expecttest (pip install 'exportdb[torch]')")

#: The CI profile: the first two samples of ops the built-in engine covers, one it does not
#: (geqrf: a LAPACK factorisation), and one no case can call (einsum's OpInfo wraps it in a lambda).
AGREEING = ("add", "mul", "sub", "nn.functional.relu", "cat", "exp", "sigmoid", "transpose", "sum", "mean",
            "amax", "where", "nn.functional.linear")
UNSUPPORTED = "geqrf"
NOT_EXPRESSIBLE = "einsum"


def outcome(status: str, reason: str = "", index: int = 0) -> SampleOutcome:
    return SampleOutcome(index, status, reason)


# -- statuses (no torch needed) -------------------------------------------------------
def test_op_status_follows_its_samples():
    assert OpResult("a", "torch.a", [outcome("agree"), outcome("torch refuses", "x")]).status == "agrees"
    differs = OpResult("b", "torch.b", [outcome("agree"), outcome("differs", "values differ: output 0")])
    assert (differs.status, differs.reason) == ("differs", "values differ: output 0")
    both = OpResult("c", "torch.c", [outcome("differs", "d"), outcome("not supported", "UnsupportedAPIError: c")])
    assert (both.status, both.reason) == ("not supported", "UnsupportedAPIError: c")
    assert OpResult("d", "torch.d", [outcome("torch refuses", "Unsupported: no")]).status == "torch refuses"
    assert OpResult("e", "", note="no variant").status == "not expressible"
    assert OpResult("f", "torch.f", note="no float32").status == "no samples"
    assert OpResult("g", "torch.g", [outcome("not expressible", "a generator")]).status == "not expressible"


def test_summary_counts_only_ops_torch_exports():
    results = [OpResult("a", "torch.a", [outcome("agree"), outcome("agree", index=1)]),
               OpResult("b", "torch.b", [outcome("agree"), outcome("not supported", "E: b", 1)]),
               OpResult("c", "torch.c", [outcome("torch refuses", "T: c")]),
               OpResult("d", "", note="none")]
    assert summary_line(results) == "ops: 1/2 agree where torch.export exports (4 samples)"
    text = format_text(results).splitlines()
    assert text[-1] == summary_line(results)
    assert text[1].split() == ["not", "supported", "b", "1/2", "E:", "b"]
    data = report_data(results)
    assert (data["agree"], data["total"], data["samples"]) == (1, 2, 4)
    assert data["counts"]["torch refuses"] == 1 and data["groups"][0]["ops"] == ["b"]


def test_reasons_are_tidied_and_grouped():
    assert tidy_reason("UnsupportedAPIError: /x/cases/case_0123456789abcdef.py:6: torch.f is not provided\nhint") \
        == "UnsupportedAPIError: torch.f is not provided"
    assert reason_group("UnsupportedAPIError: torch.f is not provided") == \
        reason_group("UnsupportedAPIError: torch.nn.functional.g is not provided")
    diff = "--- builtin\n+++ torch\n@@\n-add = torch.ops.aten.add.Tensor(t0, t1)\n+add = torch.ops.aten.add.Tensor(t1, t0)"
    reason = first_difference(diff)
    assert reason == "graph differs: builtin `add = torch.ops.aten.add.Tensor(t0, t1)` | " \
                     "torch `add = torch.ops.aten.add.Tensor(t1, t0)`"
    assert reason_group(reason) == "graph differs: same operator, other arguments or annotations"
    assert aten_ops("x = torch.ops.aten.mul.Tensor(a, 2); y = torch.ops.aten.add.Tensor(x, a)") == \
        ["aten.add.Tensor", "aten.mul.Tensor"]


# -- source generation ---------------------------------------------------------------
@needs_torch
def test_case_source_writes_tensors_as_inputs_and_the_rest_as_literals():
    import torch

    from exportdb.tools.conformance.op_source import NotExpressible, case_source
    from exportdb.tools.conformance.opinfos import Callee

    def is_tensor(value: object) -> bool:
        return isinstance(value, torch.Tensor)

    a, b, c = torch.ones(2), torch.zeros(2), torch.ones(1)
    source = case_source(Callee("function", "torch.cat"), [a, b], (0,), {"out": None}, is_tensor)
    assert source.call == "torch.cat([t0, t1], 0, out=None)" and source.leaves == (a, b)
    source = case_source(Callee("function", "torch.nn.functional.pad"), a, ((1, 2), (3,)),
                         {"value": float("nan"), "dtype": torch.float64, "eps": -float("inf"), "flag": True}, is_tensor)
    assert source.call == ("torch.nn.functional.pad(t0, (1, 2), (3,), value=float('nan'), dtype=torch.float64, "
                           "eps=-float('inf'), flag=True)")
    source = case_source(Callee("method", "index_add"), a, (0, c, b), {"alpha": 2}, is_tensor)
    assert source.call == "t0.index_add(0, t1, t2, alpha=2)" and len(source.leaves) == 3
    assert source.text == (
        "import torch\n\n\nclass OneCall(torch.nn.Module):\n    def forward(self, t0, t1, t2):\n"
        "        return t0.index_add(0, t1, t2, alpha=2)\n\n\nmodel = OneCall()\n")
    with pytest.raises(NotExpressible, match="Generator"):
        case_source(Callee("function", "torch.rand_like"), a, (), {"generator": torch.Generator()}, is_tensor)
    with pytest.raises(NotExpressible, match="tensor input"):
        case_source(Callee("method", "add"), 2.0, (a,), {}, is_tensor)


@needs_torch
def test_callee_names_the_public_function_else_the_method():
    from exportdb.tools.conformance.opinfos import Callee, callee_of, ops_by_key

    ops = ops_by_key()
    assert callee_of(ops["add"]) == Callee("function", "torch.add")
    assert callee_of(ops["nn.functional.relu"]) == Callee("function", "torch.nn.functional.relu")
    assert callee_of(ops["nn.functional.dropout"]) == Callee("function", "torch.nn.functional.dropout")
    assert callee_of(ops["__radd__"]) == Callee("method", "__radd__")
    assert callee_of(ops[NOT_EXPRESSIBLE]) is None


# -- the short profile, against torch --------------------------------------------------
@needs_torch
def test_short_profile_statuses(tmp_path: Path):
    from exportdb.tools.conformance.ops import main

    record = tmp_path / "ops.json"
    out = tmp_path / "out.txt"
    with out.open("w") as stream:
        status = main(["--ops", *AGREEING, UNSUPPORTED, NOT_EXPRESSIBLE, "--samples", "2", "--timeout", "120",
                       "--cache-dir", str(tmp_path / "cache"), "--record", str(record)], stream)
    assert status == 0
    lines = out.read_text().splitlines()
    data = json.loads(record.read_text())
    ops = {op["name"]: op for op in data["ops"]}
    for name in AGREEING:
        assert ops[name]["status"] == "agrees", ops[name]
        assert ops[name]["agreed"] == ops[name]["exported"] > 0
    unsupported = ops[UNSUPPORTED]
    assert unsupported["status"] == "not supported" and "torch.geqrf" in unsupported["reason"]
    assert ops[NOT_EXPRESSIBLE]["status"] == "not expressible"
    assert ops["add"]["aten"] == ["aten.add.Tensor"]
    samples = sum(ops[name]["exported"] for name in (*AGREEING, UNSUPPORTED))
    assert lines[-1] == f"ops: {len(AGREEING)}/{len(AGREEING) + 1} agree where torch.export exports ({samples} samples)"
    assert data["torch_version"].startswith("2.") and data["machine_at_start"]["cpus"] >= 1
    # torch's programs are cached: a second run finds them all
    cached = list((tmp_path / "cache" / "torch-ops").rglob("*.json"))
    assert len(cached) >= samples
