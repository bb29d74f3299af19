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
#: (torch.masked's reductions), and one no case can call (a private ATen op).
AGREEING = ("add", "mul", "sub", "nn.functional.relu", "cat", "exp", "sigmoid", "transpose", "sum", "mean",
            "amax", "where", "nn.functional.linear")
UNSUPPORTED = "masked.sum"
NOT_EXPRESSIBLE = "_softmax_backward_data"


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
    # a seeded wrapper of a Tensor method is that method; a wrapped op is written as its lambda calls it
    assert callee_of(ops["item"]) == Callee("method", "item")
    assert callee_of(ops["uniform"]) == Callee("method", "uniform_")
    assert callee_of(ops["T"]) == Callee("template", "{0}.T")
    assert callee_of(ops["einsum"]) == Callee("template", "torch.einsum({1}, {0})")
    assert callee_of(ops["slice"]) == Callee("subscript", "slice")
    assert callee_of(ops["masked.sum"]) == Callee("function", "torch.masked.sum")
    assert callee_of(ops["signal.windows.hann"]) == Callee("function", "torch.signal.windows.hann")


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
    assert unsupported["status"] == "not supported" and "torch.masked" in unsupported["reason"]
    assert ops[NOT_EXPRESSIBLE]["status"] == "not expressible"
    assert ops["add"]["aten"] == ["aten.add.Tensor"]
    samples = sum(ops[name]["exported"] for name in (*AGREEING, UNSUPPORTED))
    assert lines[-1] == f"ops: {len(AGREEING)}/{len(AGREEING) + 1} agree where torch.export exports ({samples} samples)"
    assert data["torch_version"].startswith("2.") and data["machine_at_start"]["cpus"] >= 1
    # torch's programs are cached: a second run finds them all
    cached = list((tmp_path / "cache" / "torch-ops").rglob("*.json"))
    assert len(cached) >= samples


# -- spellings of wrapped ops, objects as constructor calls, dtypes ------------------
def test_templates_place_every_argument():
    from exportdb.tools.conformance.op_spelling import SpellingError, fill, slice_subscript

    assert fill("torch.einsum({1}, {0})", ["[t0, t1]", "'i,j->ij'"], []) == "torch.einsum('i,j->ij', [t0, t1])"
    assert fill("torch.normal({1}, {0}{more})", ["1.6", "0.3", "[2, 3]"], [("dtype", "torch.float32")]) == \
        "torch.normal(0.3, 1.6, [2, 3], dtype=torch.float32)"
    with pytest.raises(SpellingError, match="no place"):
        fill("{0}.T", ["t0", "1"], [])
    with pytest.raises(SpellingError, match="needs 2"):
        fill("torch.linalg.pinv({0} @ {1}.mT)", ["t0"], [])
    assert slice_subscript("t0", (1,), {"start": 1, "end": -2}, repr) == "t0[:, 1:-2]"
    assert slice_subscript("t0", (), {"dim": 0, "step": 3}, repr) == "t0[::3]"


@needs_torch
def test_spelled_calls_compute_what_the_opinfo_computes():
    """Each template (and the subscript) run by eager torch gives the OpInfo's own result on its samples."""
    import torch

    from exportdb.tools.conformance.op_source import case_source
    from exportdb.tools.conformance.op_spelling import SUBSCRIPTS, TEMPLATES
    from exportdb.tools.conformance.opinfos import callee_of, float32_samples, ops_by_key

    ops = ops_by_key()
    for key in [*TEMPLATES, *SUBSCRIPTS]:
        op = ops[key]
        for sample in float32_samples(op)[:3]:
            source = case_source(callee_of(op), sample.input, tuple(sample.args), dict(sample.kwargs),
                                 lambda v: isinstance(v, torch.Tensor))
            namespace: dict = {}
            exec(source.text, namespace)  # noqa: S102 - the generated case, with the real torch
            torch.manual_seed(0)
            ours = namespace["model"](*(t.clone() for t in source.leaves))
            torch.manual_seed(0)
            theirs = op(sample.input, *sample.args, **sample.kwargs)
            got = [x for x in torch.utils._pytree.tree_leaves(ours) if isinstance(x, torch.Tensor)]
            want = [x for x in torch.utils._pytree.tree_leaves(theirs) if isinstance(x, torch.Tensor)]
            assert [(x.shape, x.dtype) for x in got] == [(x.shape, x.dtype) for x in want], (key, source.call)
            if key not in ("svd_lowrank", "pca_lowrank", "normal.number_mean"):  # random: shapes only
                for x, y in zip(got, want):
                    torch.testing.assert_close(x, y, equal_nan=True, msg=f"{key}: {source.call}")


@needs_torch
def test_objects_are_written_as_constructor_calls_torch_rebuilds():
    import torch

    from exportdb.tools.conformance.module_source import literal
    from exportdb.tools.conformance.object_source import NoSource, object_source

    assert literal(torch.nn.PairwiseDistance()) == "torch.nn.PairwiseDistance()"
    assert literal(torch.nn.PairwiseDistance(p=3.0, keepdim=True)) == \
        "torch.nn.PairwiseDistance(p=3.0, keepdim=True)"
    assert literal(torch.nn.LinearCrossEntropyOptions(allow_retain_graph=True, batch_chunk_size=2)) == \
        "torch.nn.LinearCrossEntropyOptions(allow_retain_graph=True, batch_chunk_size=2)"
    layer = torch.nn.TransformerEncoderLayer(4, 2, 8, 0.0, torch.nn.functional.gelu, bias=False, norm_first=True)
    text = literal(layer)
    assert text == ("torch.nn.TransformerEncoderLayer(4, 2, dim_feedforward=8, dropout=0.0, "
                    "activation=torch.nn.functional.gelu, norm_first=True, bias=False)")
    assert repr(eval(text, {"torch": torch})) == repr(layer)  # noqa: S307
    with pytest.raises(NoSource, match="Linear"):  # Linear keeps no 'bias' flag to read back
        object_source(torch.nn.Linear(2, 3), literal)
    with pytest.raises(NoSource, match="Generator"):
        object_source(torch.Generator(), literal)


@needs_torch
def test_ops_without_float32_run_their_int64_and_bool_samples():
    from exportdb.tools.conformance.opinfos import is_internal, ops_by_key, sample_dtypes

    ops = ops_by_key()
    assert sample_dtypes(ops["add"]) == ["float32"]
    assert sample_dtypes(ops["add"], ("float32", "int64", "bool")) == ["float32", "int64", "bool"]
    assert sample_dtypes(ops["bitwise_and"]) == ["int64", "bool"]
    assert sample_dtypes(ops["gcd"]) == ["int64"]
    assert sample_dtypes(ops["view_as_real"]) == []  # complex only
    assert is_internal(ops["_softmax_backward_data"]) and is_internal(ops["jiterator_unary"])
    assert not is_internal(ops["einsum"])


@needs_torch
def test_the_pool_runs_float32_samples_first_and_int64_bool_for_ops_without_float32(tmp_path: Path):
    from exportdb.tools.conformance.op_pool import RunSettings, _samples
    from exportdb.tools.conformance.opinfos import callee_of, ops_by_key

    ops = ops_by_key()
    settings = RunSettings(work_dir=tmp_path, samples=2)
    samples, note = _samples(ops["bitwise_and"], callee_of(ops["bitwise_and"]), settings)
    assert note == "" and [d for d, _ in samples] == ["int64", "int64", "bool", "bool"]
    assert str(samples[0][1].input.dtype) == "torch.int64" and str(samples[2][1].input.dtype) == "torch.bool"
    wide = RunSettings(work_dir=tmp_path, samples=1, dtypes=("float32", "int64"))
    assert [d for d, _ in _samples(ops["add"], callee_of(ops["add"]), wide)[0]] == ["float32", "int64"]
    assert _samples(ops["view_as_real"], callee_of(ops["view_as_real"]), settings) == \
        ([], "the OpInfo supports none of float32, int64, bool on CPU")
    assert _samples(ops["_chunk_cat"], None, settings)[1].startswith("a private or internal op")
