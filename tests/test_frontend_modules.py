"""exportdb.exporter.frontend.modules: the module objects case files see as ``torch`` and friends."""

from __future__ import annotations

import sys

import pytest

from exporter_helpers import export_and_lint, targets, torch

from exportdb.errors import UnsupportedAPIError
from exportdb.exporter.frontend.modules import FrontendModule, SupportLevel, resolve


@pytest.mark.parametrize("name", [
    "torch", "torch.nn", "torch.nn.functional", "torch.export", "torch.utils._pytree", "torch._dynamo",
    "torch._export.db.case", "functorch.experimental.control_flow", "functorch",
])
def test_supported_imports_resolve_to_frontend_modules(name):
    module = resolve(name)
    assert isinstance(module, FrontendModule) and module.__name__ == name
    assert resolve(name) is module, "modules are built once"


def test_modules_are_linked_like_torch():
    assert torch.nn is resolve("torch.nn")
    assert torch.nn.functional is resolve("torch.nn.functional")
    assert torch.export is resolve("torch.export")
    assert resolve("functorch").experimental.control_flow is resolve("functorch.experimental.control_flow")
    assert resolve("functorch.experimental.control_flow").cond is torch.cond
    assert torch.float is torch.float32 and torch.long is torch.int64


def test_frontend_never_enters_sys_modules():
    resolve("torch")
    real = sys.modules.get("torch")
    assert real is None or not isinstance(real, FrontendModule)
    assert not any(isinstance(m, FrontendModule) for m in list(sys.modules.values()))


def test_unknown_module_and_attribute_are_unsupported_api_errors():
    with pytest.raises(UnsupportedAPIError, match="module torch.distributions is not provided by the built-in front end"):
        resolve("torch.distributions")
    with pytest.raises(UnsupportedAPIError, match="torch.nn.functional.grid_magic is not provided"):
        torch.nn.functional.grid_magic
    err = UnsupportedAPIError("x")
    assert isinstance(err, AttributeError), "hasattr/getattr with a default must keep working"
    assert not hasattr(torch, "fft_magic")
    assert getattr(torch.nn, "Conv9d", None) is None


def test_support_level_mirrors_torch():
    assert resolve("torch._export.db.case").SupportLevel is SupportLevel
    assert SupportLevel.SUPPORTED.value == 1 and SupportLevel.NOT_SUPPORTED_YET.value == 0


def test_torch_ops_namespace_calls_the_op_table():
    x = torch.tensor([1.0, 2.0])
    assert torch.ops.aten.add.Tensor(x, 1)._value.tolist() == [2.0, 3.0]
    assert torch.ops.aten.cos(torch.zeros(1))._value.tolist() == [1.0]
    with pytest.raises(UnsupportedAPIError, match="torch.ops.aten.add.NoSuch"):
        torch.ops.aten.add.NoSuch
    with pytest.raises(UnsupportedAPIError, match="torch.ops.aten.frobnicate"):
        torch.ops.aten.frobnicate


def test_torch_ops_are_recorded_when_traced():
    class M(torch.nn.Module):
        def forward(self, x):
            return torch.ops.aten.mul.Tensor(x, 3)

    ep = export_and_lint(M(), (torch.randn(2),))
    assert targets(ep.graph) == ["aten.mul.Tensor"]


def test_torch_level_helpers():
    torch._check(True)
    with pytest.raises(RuntimeError):
        torch._check(False)
    assert torch.sym_min(3, 5) == 3 and torch.sym_max(3, 5) == 5
    assert torch.is_tensor(torch.ones(1)) and not torch.is_tensor(1.0)
    with torch.no_grad():
        pass
    assert not torch.compiler.is_compiling()


def test_is_compiling_is_true_while_exporting():
    seen = []

    class M(torch.nn.Module):
        def forward(self, x):
            seen.append(torch.compiler.is_compiling())
            return x + 1

    export_and_lint(M(), (torch.randn(1),))
    assert seen == [True]


def test_export_api_dims():
    Dim = torch.export.Dim
    batch = Dim("batch", min=2, max=8)
    assert (batch.min, batch.max) == (2, 8)
    with pytest.raises(ValueError, match="below min"):
        Dim("bad", min=5, max=2)
    derived = 2 * batch + 1
    assert (derived.root, derived.scale, derived.offset) == (batch, 2, 1)
    assert [d.name for d in torch.export.dims("a", "b")] == ["a", "b"]


def test_pytree_api_is_the_project_pytree():
    pt = resolve("torch.utils._pytree")
    leaves, spec = pt.tree_flatten({"a": [1, 2]})
    assert leaves == [1, 2] and pt.tree_unflatten([3, 4], spec) == {"a": [3, 4]}


def test_assume_constant_result_runs_eagerly_while_tracing():
    dynamo = resolve("torch._dynamo")

    class M(torch.nn.Module):
        @dynamo.assume_constant_result
        def count(self, x):
            return int(x.sum().item() > -1e9)

        def forward(self, x):
            return x * self.count(x)

    ep = export_and_lint(M(), (torch.randn(3),))
    assert targets(ep.graph) == ["aten.mul.Tensor"]
    assert ep.graph.nodes[-2].args[1] == 1
