"""The Module coverage page: reading a recorded `exportdb conformance modules` run and rendering it."""

from __future__ import annotations

import json

import pytest

from exportdb.site.module_coverage import ModuleRecordError, load_module_coverage, module_label
from exportdb.site.render import Renderer

RECORD = {
    "date": "2026-12-02 11:10 UTC", "torch_version": "2.13.0+cpu", "exportdb_version": "0.1.0", "seconds": 12.5,
    "machine_at_start": {"cpus": 2, "load_average": [1.0, 0.5, 0.2]},
    "summary": "modules: 3/4 agree where torch.export exports (6 inputs)", "agree": 3, "torch_exports": 4,
    "inputs": 6, "counts": {"agree": 3, "builtin-fails": 1, "torch-fails": 2},
    "modules": {
        "nn.Conv2d": {"inputs": 2, "torch_exports": 2, "agree": 2, "status": "agrees", "reason": ""},
        "nn.CTCLoss": {"inputs": 2, "torch_exports": 2, "agree": 1, "status": "not supported",
                       "reason": "UnsupportedAPIError: torch.nn.CTCLoss is not provided"},
        "nn.FractionalMaxPool2d": {"inputs": 2, "torch_exports": 0, "agree": 0, "status": "torch refuses",
                                   "reason": "TorchRuntimeError: fake tensor call"},
    },
    "reasons": [{"reason": "builtin-fails: UnsupportedAPIError: torch.nn.CTCLoss is not provided", "count": 1,
                 "modules": ["nn.CTCLoss"]}],
    "results": [],
}


def test_record_is_read_into_rows_and_groups(tmp_path):
    path = tmp_path / "modules.json"
    path.write_text(json.dumps(RECORD))
    coverage = load_module_coverage(path)
    assert coverage.percent == "75.0" and coverage.exported == 4 and coverage.inputs == 6
    assert [r.name for r in coverage.rows] == ["nn.CTCLoss", "nn.Conv2d", "nn.FractionalMaxPool2d"]
    assert coverage.statuses == {"agrees": 1, "not supported": 1, "torch refuses": 1}
    assert coverage.groups[0][1:] == (1, ("nn.CTCLoss",))
    assert module_label("nn.Conv2d") == "moduleinfo-nn-conv2d"


def test_bad_record_names_the_file(tmp_path):
    path = tmp_path / "modules.json"
    path.write_text("{}")
    with pytest.raises(ModuleRecordError, match="modules.json"):
        load_module_coverage(path)


def test_page_renders_figures_groups_and_rows(tmp_path):
    path = tmp_path / "modules.json"
    path.write_text(json.dumps(RECORD))
    coverage = load_module_coverage(path)
    text = Renderer().render("modules.rst.jinja", coverage=coverage,
                             labels={r.name: r.label for r in coverage.rows})
    assert text.startswith("Module coverage\n===============\n")
    assert "**modules: 3/4 agree where torch.export exports (6 inputs)**" in text
    assert ":ref:`nn.CTCLoss <moduleinfo-nn-ctcloss>`" in text
    assert ".. _moduleinfo-nn-fractionalmaxpool2d:" in text and "2/2 (2)" in text
