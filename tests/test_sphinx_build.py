"""End-to-end Sphinx builds: the extension, the directive, incremental writes, strictness, the real docs."""

from __future__ import annotations

import importlib.util
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest
from sphinx.cmd.build import build_main

from generator_support import good_case

NSY = "from torch._export.db.case import SupportLevel\nsupport_level = SupportLevel.NOT_SUPPORTED_YET"


def make_project(root: Path, conf_extra: str = "") -> Path:
    src = root / "src"
    src.mkdir(parents=True)
    (src / "conf.py").write_text(textwrap.dedent(f"""
        extensions = ["exportdb.site.sphinx_extension"]
        exportdb_cases_dir = {str(root / 'cases')!r}
        exportdb_jobs = 1
        exclude_patterns = ["_build"]
        """) + conf_extra)
    (src / "index.rst").write_text(textwrap.dedent("""
        Test site
        =========

        .. toctree::

           guide
           generated/index
        """))
    (src / "guide.rst").write_text(textwrap.dedent("""
        Guide
        =====

        .. exportdb-case:: good_case

        .. exportdb-tags::
        """))
    good_case(root / "cases")
    return src


def build(src: Path, out: Path, *extra: str) -> int:
    return build_main(["-W", "-n", "-q", "-w", str(out.parent / "warnings.txt"), *extra, str(src), str(out)])


def test_extension_generates_pages_and_renders_the_directive(tmp_path: Path):
    src = make_project(tmp_path)
    out = tmp_path / "html"
    assert build(src, out) == 0, (tmp_path / "warnings.txt").read_text()
    generated = src / "generated"
    assert (generated / "python.closure.rst").is_file() and (generated / "cases" / "good_case.rst").is_file()
    guide = (out / "guide.html").read_text()
    assert "aten" in guide and "mul" in guide  # the live Result of the inline case
    # the tag list: each tag links its page, with its case count
    assert re.search(r'href="generated/python\.closure\.html"[^>]*>.*?python\.closure.*?</a>\s*\(1 case\)', guide, re.S)
    assert (out / "generated" / "python.closure.html").is_file()

    stamps = {p: p.stat().st_mtime_ns for p in generated.rglob("*.rst")}
    assert build(src, out) == 0
    assert {p: p.stat().st_mtime_ns for p in generated.rglob("*.rst")} == stamps  # nothing rewritten


def test_deleted_case_pages_are_removed(tmp_path: Path):
    src = make_project(tmp_path)
    extra = good_case(tmp_path / "cases", "second_case", extra="# second")
    out = tmp_path / "html"
    assert build(src, out) == 0
    assert (src / "generated" / "cases" / "second_case.rst").exists()
    assert (out / "generated" / "cases" / "second_case.html").is_file()
    extra.unlink()
    assert build(src, out) == 0
    assert not (src / "generated" / "cases" / "second_case.rst").exists()
    assert (src / "guide.rst").exists() and (src / "conf.py").exists()
    # ...and so is the page the last build made of it: no stale HTML stays in the site
    assert not (out / "generated" / "cases" / "second_case.html").exists()
    assert not (out / "_sources" / "generated" / "cases" / "second_case.rst.txt").exists()
    assert (out / "generated" / "cases" / "good_case.html").is_file()


def test_support_mismatch_is_a_warning_and_fails_strict_builds(tmp_path: Path):
    src = make_project(tmp_path)
    good_case(tmp_path / "cases", "claims_unsupported", extra=NSY)
    out = tmp_path / "html"
    assert build_main(["-q", str(src), str(out)]) == 0  # a warning only
    assert build(src, out) != 0  # -W turns it into an error
    assert "claims_unsupported [builtin]: unexpected pass" in (tmp_path / "warnings.txt").read_text()
    assert build_main(["-q", "-D", "exportdb_strict=1", str(src), str(out)]) != 0


def test_misspelt_config_value_is_answered_with_did_you_mean(tmp_path: Path):
    src = make_project(tmp_path, conf_extra='exportdb_engine = ["builtin"]\n')
    assert build(src, tmp_path / "html") != 0
    warnings = (tmp_path / "warnings.txt").read_text()
    assert "did you mean 'exportdb_engines'" in warnings
    line = (src / "conf.py").read_text().splitlines().index('exportdb_engine = ["builtin"]') + 1
    assert f"conf.py:{line}: WARNING: exportdb: unknown config value 'exportdb_engine'" in warnings


def test_output_dir_outside_the_source_is_refused(tmp_path: Path):
    src = make_project(tmp_path, conf_extra='exportdb_output_dir = "../elsewhere"\n')
    assert build(src, tmp_path / "html") != 0
    assert not (tmp_path / "elsewhere").exists()


def test_the_project_docs_build_with_warnings_as_errors(project_site):
    # The build is shared with the browser test (tests/conftest.py); -W means no warning at all.
    assert project_site.clean, project_site.warnings
    out = project_site.html
    assert (out / "cond.html").is_file() and (out / "generated" / "torch.cond.html").is_file()
    assert "searchindex.js" in {p.name for p in out.iterdir()}
    # docs/conf.py adds the torch engine, shown in a tab, exactly when torch is importable.
    case_page = (out / "generated" / "cases" / "cond_nested.html").read_text()
    has_torch = importlib.util.find_spec("torch") is not None
    assert ('<label class="tab-label"' in case_page) == has_torch
    assert (">torch.export</label>" in case_page) == has_torch
    # no Result on the site is the sandbox refusing an engine's own doing (the case pages would
    # then show SandboxError where torch.export's program belongs)
    refused = [p.name for p in (out / "generated" / "cases").glob("*.html") if "SandboxError" in p.read_text()]
    assert not refused, refused


@pytest.mark.skipif(importlib.util.find_spec("torch") is None,
                    reason="the torch engine needs PyTorch (pip install torch==2.13.0)")
def test_two_engines_render_as_tabs_on_case_pages_and_in_the_directive(tmp_path: Path):
    src = make_project(tmp_path, conf_extra='exportdb_engines = ["builtin", "torch"]\n')
    out = tmp_path / "html"
    assert build(src, out) == 0, (tmp_path / "warnings.txt").read_text()
    for page in (out / "generated" / "cases" / "good_case.html", out / "guide.html"):
        html = page.read_text()
        assert html.count('class="tab-set') == 1, page
        labels = re.findall(r'<label class="tab-label" for="[^"]+">([^<]*)</label>', html)
        assert labels == ["builtin", "torch.export"], page
        assert "tabs.js" in html and "Result (torch " in html
    # Tag pages keep one Result, the primary engine's, and no tabs.
    assert "tab-set" not in (out / "generated" / "python.closure.html").read_text()


def test_config_values_are_typed_and_a_fractional_timeout_is_taken(tmp_path: Path):
    """``exportdb build --timeout 2.5`` passes ``-D exportdb_timeout=2.5``: taken, with no warning."""
    from exportdb.site import sphinx_extension

    src = make_project(tmp_path)
    assert build(src, tmp_path / "html", "-D", "exportdb_timeout=2.5", "-D", "exportdb_strict=1") == 0, \
        (tmp_path / "warnings.txt").read_text()
    assert set(sphinx_extension.CONFIG_TYPES) == set(sphinx_extension.CONFIG_DEFAULTS)
    assert all(types is not Any for types in sphinx_extension.CONFIG_TYPES.values())
    (src / "conf.py").write_text((src / "conf.py").read_text() + "exportdb_timeout = 'soon'\n")
    assert build(src, tmp_path / "html2") != 0


def test_the_print_style_config_value_picks_the_builtin_results_layout(tmp_path: Path):
    src = make_project(tmp_path, conf_extra='exportdb_print_style = "torch"\n')
    out = tmp_path / "html"
    assert build(src, out) == 0, (tmp_path / "warnings.txt").read_text()
    for page in (out / "generated" / "cases" / "good_case.html", out / "guide.html",
                 out / "generated" / "python.closure.html"):
        html = page.read_text()
        assert "# inputs" in html and "ExportGraphSignature" not in html, page
    seed = tmp_path / "seed"
    assert build(src, seed, "-D", "exportdb_print_style=seed") == 0, (tmp_path / "warnings.txt").read_text()
    assert "ExportGraphSignature" in (seed / "generated" / "cases" / "good_case.html").read_text()
    assert build(src, tmp_path / "bad", "-D", "exportdb_print_style=tourch") != 0


BENCH_RECORD = {
    "kind": "exportdb bench", "date": "2026-12-02 14:00 UTC", "command": "exportdb bench --only serve",
    "machine": {"cpu": "Test CPU", "cores": 2, "memory_gib": 4.0, "system": "Linux 6"},
    "versions": {"exportdb": "0.1.0", "sphinx": "9"}, "load_average": {"start": [1.25, 1, 1], "end": [2, 1, 1]},
    "serve": {"edit_case": "good_case", "first_build_s": 12.5, "reload_s": 1.375},
}


def test_recorded_runs_fill_the_pages_that_name_them(tmp_path: Path):
    import json

    src = make_project(tmp_path)
    (src / "benchmarks").mkdir()
    (src / "benchmarks" / "bench.json").write_text(json.dumps(BENCH_RECORD))
    compare = {"kind": "exportdb compare", "date": "2026-12-02 14:05 UTC", "command": "exportdb compare",
               "cases_dir": "cases", "versions": {"builtin": "0.1.0", "torch": "2.13.0"},
               "summary": "1/2 cases agree", "agree": 1, "total": 2,
               "cases": [{"name": "good_case", "classification": "agree", "agrees": True, "status": "ok",
                          "reason": "", "note": ""},
                         {"name": "other_case", "classification": "graph-differs", "agrees": False,
                          "status": "expected", "reason": "torch inlines *it*", "note": ""}]}
    (src / "benchmarks" / "compare.json").write_text(json.dumps(compare))
    (src / "guide.rst").write_text((src / "guide.rst").read_text() + textwrap.dedent("""
        .. exportdb-bench:: benchmarks/bench.json

        .. exportdb-compare:: /benchmarks/compare.json
        """))
    out = tmp_path / "html"
    assert build(src, out) == 0, (tmp_path / "warnings.txt").read_text()
    guide = re.sub(r"<[^>]+>", "", (out / "guide.html").read_text())
    assert "Recorded on 2026-12-02 14:00 UTC" in guide and "Test CPU, 2 cores, 4.0 GiB RAM" in guide
    assert "1.2, 1.0, 1.0 when the run started and 2.0, 1.0, 1.0 at its end" in guide
    assert "1.38 s" in guide and "12.50 s" in guide  # edit to reload, first build
    assert "1/2 cases agree" in guide and "graph-differs" in guide and "torch inlines *it*" in guide

    # a new record is shown by the next build (the page depends on it); a broken one is an error naming it
    BENCH_RECORD["serve"]["reload_s"] = 0.75
    (src / "benchmarks" / "bench.json").write_text(json.dumps(BENCH_RECORD))
    assert build(src, out) == 0, (tmp_path / "warnings.txt").read_text()
    assert "0.75 s" in (out / "guide.html").read_text()
    (src / "benchmarks" / "bench.json").write_text('{"kind": "exportdb bench"}')
    assert build(src, out) != 0
    assert "bench.json: the run record lacks date, machine" in (tmp_path / "warnings.txt").read_text()


def test_progress_while_the_cases_run_uses_sphinx_status_lines(tmp_path: Path, capsys: pytest.CaptureFixture):
    src = make_project(tmp_path)
    good_case(tmp_path / "cases", "second_case", tags='{"python.builtin"}')
    assert build_main(["-D", "exportdb_use_cache=0", str(src), str(tmp_path / "html")]) == 0
    # Sphinx colours its output where the environment asks for it (FORCE_COLOR, as CI may set):
    # the text is read without the escape sequences, the status updates split at line ends or \r
    out = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", capsys.readouterr().out)
    # one status update per case, as Sphinx's own "reading sources... [ 50%] doc"
    assert "exportdb: running the cases... [ 50%] " in out
    assert "exportdb: running the cases... [100%] " in out
    shown = re.findall(r"running the cases\.\.\. \[\s*\d+%\] (\w+)", out)
    assert sorted(shown) == ["good_case", "second_case"]
