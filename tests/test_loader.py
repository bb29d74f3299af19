"""exportdb.engines.case_module: case files run with torch imports redirected to the front end."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from exporter_helpers import write_case

from exportdb.errors import CaseLoadError, UnsupportedAPIError
from exportdb.exporter.frontend.modules import FrontendModule, resolve
from exportdb.engines.case_module import load_case_module

CASE = """
    import math
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    from torch import nn as nn_again
    from torch.export import Dim
    from torch.utils._pytree import tree_flatten
    from functorch.experimental.control_flow import cond

    class M(nn.Module):
        def forward(self, x):
            return F.relu(x) * math.pi

    example_args = (torch.randn(2),)
    model = M()
"""


def test_imports_resolve_to_the_front_end(tmp_path):
    mod = load_case_module(write_case(tmp_path, CASE))
    assert mod.torch is resolve("torch") and mod.nn is resolve("torch.nn") and mod.nn_again is mod.nn
    assert mod.F is resolve("torch.nn.functional")
    assert mod.cond is resolve("torch").cond
    assert mod.math.pi > 3, "other imports are the real modules"
    assert mod.__file__ == str((tmp_path / "case.py").resolve())


def test_torch_never_enters_sys_modules(tmp_path):
    before = sys.modules.get("torch")
    load_case_module(write_case(tmp_path, CASE))
    assert sys.modules.get("torch") is before
    assert not any(isinstance(m, FrontendModule) for m in list(sys.modules.values()))


def test_real_torch_keeps_working_in_the_same_process(tmp_path):
    real = pytest.importorskip("torch")
    randn = real.randn
    mod = load_case_module(write_case(tmp_path, CASE))
    import torch as again

    assert again is real and again.randn is randn and sys.modules["torch"] is real
    assert mod.torch is not real
    assert isinstance(real.randn(2), real.Tensor)
    torch_mod = load_case_module(write_case(tmp_path, CASE, "torch_case.py"), frontend="torch")
    assert torch_mod.torch is real


def test_fresh_interpreter_loads_without_importing_torch(tmp_path):
    path = write_case(tmp_path, CASE)
    code = textwrap.dedent(f"""
        import sys
        from exportdb.engines.case_module import load_case_module
        mod = load_case_module({str(path)!r})
        assert "torch" not in sys.modules, sorted(m for m in sys.modules if m.startswith("torch"))
        assert "functorch" not in sys.modules
        print("ok")
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_syntax_error_names_file_and_line(tmp_path):
    path = write_case(tmp_path, """
        import torch
        x = 1
        def broken(:
            pass
    """)
    with pytest.raises(CaseLoadError) as info:
        load_case_module(path)
    assert info.value.summary.startswith(f"{path.resolve()}:3: syntax error")
    assert "\n" not in info.value.one_line()


def test_runtime_error_while_loading_names_the_line(tmp_path):
    path = write_case(tmp_path, """
        import torch
        x = 1

        y = x / 0
    """)
    with pytest.raises(CaseLoadError, match=r":4: ZeroDivisionError while loading: division by zero"):
        load_case_module(path)


def test_missing_import_is_a_case_load_error(tmp_path):
    path = write_case(tmp_path, "import torch\nimport no_such_module_for_exportdb\n")
    with pytest.raises(CaseLoadError, match=r":2: import error"):
        load_case_module(path)


def test_unsupported_torch_module_passes_through_as_unsupported_api(tmp_path):
    path = write_case(tmp_path, "import torch\nimport torch.distributions\n")
    with pytest.raises(UnsupportedAPIError) as info:
        load_case_module(path)
    assert info.value.summary.startswith(f"{path.resolve()}:2: module torch.distributions is not provided")


def test_invalid_utf8_is_a_case_load_error(tmp_path):
    path = tmp_path / "bad.py"
    path.write_bytes(b"import torch\nx = '\xff'\n")
    with pytest.raises(CaseLoadError, match=r"bad\.py:2: file is not valid UTF-8"):
        load_case_module(path)


def test_unknown_frontend_is_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown frontend"):
        load_case_module(write_case(tmp_path, CASE), frontend="jax")


def test_failed_load_leaves_no_module_behind(tmp_path):
    path = write_case(tmp_path, "import torch\nraise ValueError('boom')\n")
    with pytest.raises(CaseLoadError, match="ValueError while loading: boom"):
        load_case_module(path)
    assert not any(name.startswith("exportdb_case_case_") and getattr(m, "__file__", None) == str(path.resolve())
                   for name, m in list(sys.modules.items()))
