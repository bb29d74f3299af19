"""Case discovery, fields and validation: one clear line per problem."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from exportdb.catalog import tags as taxonomy
from exportdb.catalog.registry import load_case
from exportdb.execution.case_reader import load_registry
from generator_support import CASES, good_case, write_case

BAD_CASES = {
    # name: (body, expected line, words the message must contain)
    "syntax_broken": ("import torch\n\nmodel = (\n", 3, "syntax error"),
    "import_broken": ("import torch\nimport no_such_module_xyz\n", 2, "no_such_module_xyz"),
    "no_model": ("import torch\nexample_args = (torch.randn(2),)\n", 1, "no `model`"),
    "no_args": (
        'import torch\n\nclass M(torch.nn.Module):\n    """Doc."""\n\n'
        "    def forward(self, x):\n        return x\n\nmodel = M()\n",
        1, "no `example_args`"),
    "args_not_tuple": (
        'import torch\n\nclass M(torch.nn.Module):\n    """Doc."""\n\n'
        "    def forward(self, x):\n        return x\n\nexample_args = [torch.randn(2)]\nmodel = M()\n",
        9, "must be a tuple, got list"),
    "model_is_class": (
        'import torch\n\nclass M(torch.nn.Module):\n    """Doc."""\n\n'
        "    def forward(self, x):\n        return x\n\nexample_args = (torch.randn(2),)\nmodel = M\n",
        10, "not an instance"),
    "unknown_tag": (
        'import torch\n\nclass M(torch.nn.Module):\n    """Doc."""\n\n'
        "    def forward(self, x):\n        return x\n\nexample_args = (torch.randn(2),)\n"
        'tags = {"python.clousre"}\nmodel = M()\n',
        10, "did you mean 'python.closure'"),
    "no_description": (
        "import torch\n\nclass M(torch.nn.Module):\n    def forward(self, x):\n        return x\n\n"
        "example_args = (torch.randn(2),)\nmodel = M()\n",
        3, "no description"),
}


@pytest.mark.parametrize("name", sorted(BAD_CASES))
def test_bad_case_gives_one_line_naming_file_and_line_and_others_still_load(tmp_path: Path, name: str):
    body, line, words = BAD_CASES[name]
    bad = write_case(tmp_path, name, body)
    good_case(tmp_path)
    registry = load_registry(tmp_path)
    assert [case.name for case in registry.cases] == ["good_case"]
    assert len(registry.problems) == 1, registry.problems
    text = str(registry.problems[0])
    assert "\n" not in text
    assert text.startswith(f"{bad}:{line}: "), text
    assert words in text


def test_duplicate_names_in_subdirectories(tmp_path: Path):
    first = good_case(tmp_path / "a", name="twin")
    second = good_case(tmp_path / "b", name="twin")
    registry = load_registry(tmp_path)
    assert [c.path for c in registry.cases] == [first]
    [problem] = registry.problems
    assert str(problem).startswith(f"{second}:1: duplicate case name 'twin'")
    assert str(first) in str(problem)


def test_private_and_hidden_files_are_not_cases(tmp_path: Path):
    good_case(tmp_path)
    write_case(tmp_path, "_helpers", "VALUE = 1\n")
    registry = load_registry(tmp_path)
    assert [c.name for c in registry.cases] == ["good_case"] and not registry.problems


def test_fields_are_read(tmp_path: Path):
    path = write_case(tmp_path, "with_kwargs", '''
        import torch
        from torch._export.db.case import SupportLevel


        class M(torch.nn.Module):
            def forward(self, x, *, y):
                return x + y


        example_args = (torch.randn(2),)
        example_kwargs = {"y": torch.randn(2)}
        tags = ["python.data-structure", "torch.operator", "python.closure"]
        support_level = SupportLevel.NOT_SUPPORTED_YET
        description = """
            Adds a keyword input.
        """
        model = M()
        ''')
    case = load_case(path)
    assert case.tags == ("torch.operator", "python.closure", "python.data-structure")
    assert case.support_level == "NOT_SUPPORTED_YET"
    assert case.description == "Adds a keyword input."
    assert case.export_call == "torch.export.export(model, example_args, example_kwargs)"
    assert case.source == path.read_text()


def test_rewrite_is_split_from_the_source(tmp_path: Path):
    path = good_case(tmp_path, extra='''
        class Fixed(torch.nn.Module):
            def forward(self, x):
                return x + x


        rewrite = Fixed()
        rewrite_example_args = (torch.randn(2),)
        ''')
    case = load_case(path)
    assert case.rewrite_source == (
        "class Fixed(torch.nn.Module):\n    def forward(self, x):\n        return x + x\n")
    assert "Fixed" not in case.source and "rewrite" not in case.source
    assert case.source.endswith("model = Doubler()\n")


def test_tags_follow_the_taxonomy_whatever_the_hash_seed(tmp_path: Path):
    good_case(tmp_path, tags='{"python.object-model", "python.closure", "torch.mutation", "torch.cond"}')
    script = ("from exportdb.execution.case_reader import load_registry; import sys;"
              "print(load_registry(sys.argv[1]).cases[0].tags)")
    outputs = set()
    for seed in ("1", "2", "3"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        run = subprocess.run([sys.executable, "-c", script, str(tmp_path)], env=env,
                             capture_output=True, text=True, check=True)
        outputs.add(run.stdout)
    assert outputs == {"('torch.cond', 'torch.mutation', 'python.closure', 'python.object-model')\n"}


def test_taxonomy_order_and_descriptions():
    names = taxonomy.tag_names()
    assert names[:8] == ("torch.cond", "torch.dynamic-shape", "torch.dynamic-value", "torch.escape-hatch",
                         "torch.map", "torch.mutation", "torch.operator", "torch.nn-model")
    assert all(n.startswith("python.") for n in names[8:]) and len(names) == 16
    assert all(len(tag.description.split()) > 15 for tag in taxonomy.TAXONOMY)
    assert taxonomy.suggest("torch.cnd") == "torch.cond"
    assert taxonomy.suggest("zzzz") is None


def test_the_project_registry_is_clean_and_large_enough():
    registry = load_registry(CASES)
    assert not registry.problems, [str(p) for p in registry.problems]
    assert len(registry.cases) >= 20
    levels = {case.support_level for case in registry.cases}
    assert levels == {"SUPPORTED", "NOT_SUPPORTED_YET"}
    assert all(case.description for case in registry.cases)
