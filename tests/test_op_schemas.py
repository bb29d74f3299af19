"""exportdb.exporter.ops.schemas: the ATen schema table and the argument layout torch.export records."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from exporter_helpers import body, export_and_lint, torch

from exportdb.exporter.ir import dtypes
from exportdb.exporter.ir.device import CPU
from exportdb.exporter.ops import aten, schemas
from exportdb.exporter.ops.table import OPS, register, unknown_qualnames
from exportdb.exporter.trace.dispatch import OpError, call
from exportdb.tools import dump_op_schemas

nn = torch.nn


class Value:
    """Stands for a tensor or a symbolic size: comparing it with a default would be a bug."""

    def __eq__(self, other: object) -> bool:
        raise AssertionError("a graph value was compared with a default")

    __hash__ = object.__hash__


X = Value()


def norm(qualname: str, *args, **kwargs):
    return schemas.normalize(qualname, args, kwargs)


# -- the layout rule ----------------------------------------------------------------------------
@pytest.mark.parametrize("qualname, args, kwargs, want", [
    # trailing positional defaults are dropped, a default before a given value stays
    ("aten.sum.dim_IntList", (X, [0], False), {"dtype": None}, ((X, [0]), {})),
    ("aten.sum.dim_IntList", (X, [0], True), {}, ((X, [0], True), {})),
    ("aten.clamp.default", (X,), {"max": 0.5}, ((X, None, 0.5), {})),
    ("aten.clamp.default", (X, None, None), {}, ((X,), {})),
    ("aten.slice.Tensor", (X, 0, None, None, 1), {}, ((X,), {})),
    ("aten.slice.Tensor", (X, 0, 0, 5, 1), {}, ((X, 0, 0, 5), {})),
    # keyword-only arguments are name=value, in schema order, dropped when equal to their default
    ("aten.cumsum.default", (X, 1), {"dtype": None}, ((X, 1), {})),
    ("aten.cumsum.default", (X, 1), {"dtype": dtypes.float64}, ((X, 1), {"dtype": dtypes.float64})),
    ("aten.zeros.default", ([2],), {"pin_memory": False, "device": CPU, "dtype": None},
     (([2],), {"device": CPU, "pin_memory": False})),
    ("aten.gelu.default", (X,), {"approximate": "none"}, ((X,), {})),
    ("aten.gelu.default", (X,), {"approximate": "tanh"}, ((X,), {"approximate": "tanh"})),
    # positional parameters given by name go into place
    ("aten.sum.dim_IntList", (X,), {"dim": [1], "keepdim": True}, ((X, [1], True), {})),
    ("aten.div.Tensor_mode", (X, X), {"rounding_mode": None}, ((X, X), {"rounding_mode": None})),
    # a Scalar default compares its kind too: alpha=1.0 is not the default 1
    ("aten.add.Tensor", (X, X), {"alpha": 1}, ((X, X), {})),
    ("aten.add.Tensor", (X, X), {"alpha": 1.0}, ((X, X), {"alpha": 1.0})),
    ("aten.hardtanh.default", (X, -1.0, 1.0), {}, ((X, -1.0, 1.0), {})),
    ("aten.hardtanh.default", (X, -1, 1), {}, ((X,), {})),
    # values take the argument's type: float, list, int[N]
    ("aten.dropout.default", (X, 0, True), {}, ((X, 0.0, True), {})),
    ("aten.pairwise_distance.default", (X, X, 2), {}, ((X, X), {})),
    ("aten.view.default", (X, (4, 4)), {}, ((X, [4, 4]), {})),
    ("aten.sum.dim_IntList", (X, 0), {}, ((X, [0]), {})),
    ("aten.max_pool2d.default", (X, 2, 2, 0), {}, ((X, [2, 2], [2, 2]), {})),
    ("aten.cat.default", ((X, X),), {}, (([X, X],), {})),
    # enum defaults compare by name
    ("aten.randint.default", (10, [3]), {"dtype": dtypes.int64}, ((10, [3]), {})),
    ("aten.randint.default", (10, [3]), {"dtype": dtypes.int32}, ((10, [3]), {"dtype": dtypes.int32})),
])
def test_normalize(qualname, args, kwargs, want):
    assert norm(qualname, *args, **kwargs) == want


def test_bool_and_int_defaults_are_different_values():
    # keepdim=0 is not the default False (torch's parser would refuse it; here it stays visible)
    assert norm("aten.sum.dim_IntList", X, [0], 0) == ((X, [0], 0), {})


def test_normalize_is_idempotent_on_recorded_layouts():
    for qualname, args, kwargs in [("aten.clamp.default", (X, None, 0.5), {}),
                                   ("aten.new_zeros.default", (X, [3]), {"pin_memory": False}),
                                   ("aten.slice.Tensor", (X, 0, 1, 9223372036854775807), {})]:
        assert schemas.normalize(qualname, args, kwargs) == (args, kwargs)


@pytest.mark.parametrize("args, kwargs, message", [
    ((X, X, 1, 2), {}, "takes 2 positional arguments, got 4"),
    ((X,), {}, "missing argument 'other'"),
    ((X, X), {"beta": 2}, "has no argument 'beta'"),
    ((X, X), {"other": X}, "got argument 'other' twice"),
])
def test_bad_calls_raise_type_error(args, kwargs, message):
    with pytest.raises(TypeError, match=message):
        schemas.normalize("aten.add.Tensor", args, kwargs)


def test_ops_without_schema_pass_through():
    args, kwargs = (X, 0), {"anything": 1}
    for qualname in ("getitem", "higher_order.cond", "sym.sym_min", "aten._assert_tensor_metadata.default"):
        assert schemas.normalize(qualname, args, kwargs) == (args, kwargs)


# -- the table ---------------------------------------------------------------------------------------
def test_schema_fields():
    s = schemas.schema("aten.index_put_.default")
    assert [a.name for a in s.args] == ["self", "indices", "values", "accumulate"]
    assert s.args[0].written and not s.args[1].written
    assert s.args[3].default is False and not s.args[0].has_default
    assert s.returns == ("Tensor(a!)",)
    assert str(schemas.schema("aten.cumsum.default")) == \
        "aten::cumsum(Tensor self, int dim, *, ScalarType? dtype=None) -> Tensor"
    assert str(schemas.schema("aten.max.dim")).endswith("bool keepdim=False) -> (Tensor, Tensor)")
    assert schemas.schema("aten.no_such_op.default") is None and schemas.schema("getitem") is None


def test_every_registered_aten_op_has_a_schema():
    assert unknown_qualnames() == []


def test_registered_options_agree_with_the_schemas():
    """``mutates`` names the argument the schema marks written (``Tensor(a!)``), and ``multi`` marks
    exactly the ops returning several tensors or a tensor list."""
    disagree = []
    for qualname, op in OPS.items():
        found = schemas.schema(qualname)
        if found is None:
            continue
        written = [i for i, a in enumerate(found.args) if a.written]
        if (op.mutates is None) != (not written) or (op.mutates is not None and op.mutates not in written):
            disagree.append(f"{qualname}: mutates={op.mutates}, written arguments {written}")
        multi = len(found.returns) > 1 or (len(found.returns) == 1 and found.returns[0].endswith("[]"))
        if multi != op.multi:
            disagree.append(f"{qualname}: multi={op.multi}, returns {found.returns}")
    assert disagree == []


def test_register_check_catches_a_typo():
    with pytest.raises(ValueError, match=r"aten\.cumsun\.default is not an ATen overload .*did you mean aten\.cumsum"):
        register("aten.cumsun.default", lambda a, dim: a, check=True)
    assert "aten.cumsun.default" not in OPS
    assert schemas.unknown("aten.cumsum.default") is None and schemas.unknown("sym.sym_min") is None


def test_the_table_is_read_lazily():
    code = ("import exportdb.exporter.frontend.modules, exportdb.exporter.trace.export\n"
            "from exportdb.exporter.ops import schemas\n"
            "print(schemas._LINES is None)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "True"


def test_data_file_is_sorted_one_op_per_line():
    lines = schemas.DATA_FILE.read_text(encoding="utf-8").splitlines()
    data = json.loads("\n".join(lines))
    assert lines[0].startswith('{"torch": "2.13.0') and len(lines) == len(data["ops"]) + 2
    assert list(data["ops"]) == sorted(data["ops"])
    assert len(schemas.qualnames()) == len(data["ops"]) > 3000


def test_data_file_is_what_the_dump_script_writes():
    real_torch = pytest.importorskip("torch", reason="regenerating the schema table needs torch")
    if not real_torch.__version__.startswith("2.13.0"):
        pytest.skip(f"the table is dumped from torch 2.13.0, not {real_torch.__version__}")
    assert dump_op_schemas.render(dump_op_schemas.dump()) == schemas.DATA_FILE.read_text(encoding="utf-8")


# -- through dispatch.call: the recorded node prints as torch prints it --------------------------------
class Calls(nn.Module):
    def forward(self, x):
        a = call(aten("sum.dim_IntList"), x, dim=(0,), keepdim=False, dtype=None)
        b = call(aten("clamp.default"), x, max=0.5)
        c = call(aten("add.Tensor"), x, a, alpha=1)
        return a, b, c


def test_recorded_nodes_use_the_torch_layout():
    lines = [line.split(";  ")[0] for line in body(export_and_lint(Calls(), (torch.randn(2, 3),)))]
    assert lines[:3] == [
        'sum_1: "f32[3]" = torch.ops.aten.sum.dim_IntList(x, [0])',
        'clamp: "f32[2, 3]" = torch.ops.aten.clamp.default(x, None, 0.5)',
        'add: "f32[2, 3]" = torch.ops.aten.add.Tensor(x, sum_1)',
    ]


def test_a_bad_call_is_an_op_error():
    with pytest.raises(OpError, match="aten.add.Tensor has no argument 'beta'"):
        call(aten("add.Tensor"), torch.ones(2), torch.ones(2), beta=2)
