"""The Operator coverage page: reading a conformance run record, linking ops and cases, rendering."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from exportdb.site.op_coverage import (CoverageRecordError, aten_calls, case_links, link_cases, load_coverage,
                                       op_label)
from exportdb.site.render import Renderer

RECORD = {
    "date": "2026-12-02 11:00 UTC", "torch_version": "2.13.0+cpu", "exportdb_version": "0.1.0", "seconds": 12.5,
    "jobs": 2, "machine_at_start": {"cpus": 2, "load_average": [1.0, 1.5, 2.0]},
    "summary": "ops: 1/2 agree where torch.export exports (5 samples)", "agree": 1, "total": 2, "samples": 5,
    "counts": {"agrees": 1, "differs": 0, "not supported": 1, "torch refuses": 0, "not expressible": 1,
               "no samples": 0},
    "groups": [{"status": "not supported", "reason": "UnsupportedAPIError: _ is not provided", "ops": ["max.binary"]}],
    "ops": [
        {"name": "add", "status": "agrees", "call": "torch.add", "agreed": 3, "exported": 3, "samples": 3,
         "reason": "", "aten": ["aten.add.Tensor"]},
        {"name": "max.binary", "status": "not supported", "call": "torch.max", "agreed": 0, "exported": 2,
         "samples": 2, "reason": "UnsupportedAPIError: torch.max is not provided `*here*`", "aten": ["aten.max.other"]},
        {"name": "nn.functional.conv1d", "status": "agrees", "call": "torch.nn.functional.conv1d", "agreed": 1,
         "exported": 1, "samples": 1, "reason": "", "aten": ["aten.conv1d.default", "aten.add.Tensor"]},
        {"name": "T", "status": "not expressible", "call": "", "agreed": 0, "exported": 0, "samples": 0,
         "reason": "no function variant", "aten": []},
    ],
}
PROGRAM = ('add: "f32[2]" = torch.ops.aten.add.Tensor(x, 1);  x = None\n'
           'conv1d: "f32[1, 2, 3]" = torch.ops.aten.conv1d.default(add, w)')


def write_record(tmp_path: Path) -> Path:
    path = tmp_path / "ops.json"
    path.write_text(json.dumps(RECORD))
    return path


def test_labels_and_aten_calls():
    assert op_label("max.binary") == "opinfo-max-binary"
    assert op_label("__radd__") == "opinfo-radd"
    assert aten_calls(PROGRAM) == ["aten.add.Tensor", "aten.conv1d.default"]


def test_ops_and_cases_link_both_ways(tmp_path: Path):
    coverage = link_cases(load_coverage(write_record(tmp_path)), [("my_case", aten_calls(PROGRAM))])
    rows = {row.name: row for row in coverage.rows}
    # aten.add.Tensor belongs to the op named after it, not to every op whose program calls it
    assert rows["add"].cases == ("my_case",) and rows["nn.functional.conv1d"].cases == ("my_case",)
    assert rows["max.binary"].cases == ()
    links = case_links(coverage, aten_calls(PROGRAM))
    assert [(overload, [r.name for r in found]) for overload, found in links] == [
        ("aten.add.Tensor", ["add"]), ("aten.conv1d.default", ["nn.functional.conv1d"])]


def test_operators_page_renders_the_record(tmp_path: Path):
    coverage = link_cases(load_coverage(write_record(tmp_path)), [("my_case", ["aten.add.Tensor"])])
    text = Renderer().render("operators.rst.jinja", coverage=coverage,
                             labels={row.name: row.label for row in coverage.rows})
    assert "**ops: 1/2 agree where torch.export exports (5 samples)**" in text
    assert ".. _opinfo-max-binary:" in text and ":doc:`my_case <cases/my_case>`" in text
    assert "\\`\\*here\\*\\`" in text  # reasons are escaped for reST
    assert ":ref:`max.binary <opinfo-max-binary>`" in text  # the reason groups link the rows
    assert _docutils_warnings(text) == []


def _docutils_warnings(text: str) -> list[str]:
    """What docutils says about the page, with Sphinx's :doc: and :ref: roles read as plain text."""
    import io

    import docutils.core
    import docutils.nodes
    from docutils.parsers.rst import roles

    def plain(name, rawtext, text, lineno, inliner, options=None, content=None):
        return [docutils.nodes.Text(text)], []

    for role in ("doc", "ref"):
        roles.register_local_role(role, plain)
    stream = io.StringIO()
    docutils.core.publish_doctree(text, settings_overrides={"report_level": 2, "halt_level": 5,
                                                            "warning_stream": stream})
    return [line for line in stream.getvalue().splitlines() if line.strip()]


def test_a_broken_record_is_a_clear_error(tmp_path: Path):
    path = tmp_path / "ops.json"
    path.write_text("{}")
    with pytest.raises(CoverageRecordError, match="ops.json"):
        load_coverage(path)
