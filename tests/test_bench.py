"""The benchmark machinery (never timed here): incremental generation, memory sampling, report parsing."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from exportdb.tools import bench
from exportdb.tools import bench_runs
from exportdb.site.generate import Settings, generate


@pytest.fixture(scope="module")
def synth():
    return bench_runs.synthetic_module()


def test_synthetic_registry_is_deterministic_and_every_kind_loads(tmp_path: Path, synth):
    paths = synth.make_registry(tmp_path / "a", 9)
    again = synth.make_registry(tmp_path / "b", 9)
    assert [p.read_text() for p in paths] == [p.read_text() for p in again]
    outcome = generate(Settings(cases_dir=tmp_path / "a", jobs=1, use_cache=False))
    assert not outcome.problems and len(outcome.registry.cases) == 9
    assert outcome.summary.ok, outcome.summary.lines()
    assert {c.name: set(c.tags) for c in outcome.registry.cases} == {
        synth.case_name(i): set(synth.case_tags(i)) for i in range(9)}


def test_warm_run_does_no_work_and_one_edit_rewrites_only_that_cases_pages(tmp_path: Path, synth):
    cases, out = tmp_path / "cases", tmp_path / "pages"
    synth.make_registry(cases, 9)
    settings = Settings(cases_dir=cases, out_dir=out, jobs=1)
    cold = generate(settings)
    assert cold.written is not None and cold.written.written == len(list(out.rglob("*.rst")))

    warm = generate(settings)
    assert not [r for r in warm.report.records.values() if not r.cached]
    assert warm.written is not None
    assert (warm.written.written, warm.written.rendered, warm.written.removed) == (0, 0, 0)

    index = 3  # no rewrite: one job
    assert not synth.has_rewrite(index)
    name = synth.case_name(index)
    synth.edit_case(cases / f"{name}.py")
    edit = generate(settings)
    rerun = [r.job.case for r in edit.report.records.values() if not r.cached]
    assert rerun == [name]
    assert edit.written is not None
    written = set(edit.written.paths)
    assert f"cases/{name}.rst" in written
    assert written <= bench_runs.expected_rewrites(name, synth.case_tags(index))
    assert "edited, revision 1" in (out / "cases" / f"{name}.rst").read_text()


def test_peak_memory_counts_child_processes(tmp_path: Path):
    # the parent stays small; its child holds about 80 MB
    child = "import time; block = bytearray(80 << 20); block[::4096] = b'x' * len(block[::4096]); time.sleep(0.5)"
    parent = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {child!r}])"
    measured = bench_runs.measure([sys.executable, "-c", parent])
    assert measured.status == 0
    assert measured.peak_rss > 80 << 20
    assert measured.seconds >= 0.5


def test_reread_count_reads_sphinx_status_lines():
    text = "loading pickled environment... done\nupdating environment: 0 added, 3 changed, 0 removed\n"
    assert bench_runs.reread_count(text) == 3
    assert bench_runs.reread_count("updating environment: [new config] 57 added, 0 changed, 0 removed") == 57
    assert bench_runs.reread_count("no such line") is None


def test_speedup_is_the_ratio_of_summed_medians():
    rows = [bench.EngineTiming("a", 0.001, 0.2, True, True), bench.EngineTiming("b", 0.003, 0.2, True, False)]
    assert bench.speedup(rows) == pytest.approx(0.4 / 0.004)


def test_bench_rejects_unknown_parts(capsys):
    assert bench.main(["--only", "engines,nope"]) == 2
    assert "unknown part nope" in capsys.readouterr().err


@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="torch is not installed")
def test_both_engines_time_the_same_work_on_a_torch_example():
    path = bench.torch_examples_dir() / "nested_function.py"
    ours, theirs = bench.builtin_export_text(path), bench.torch_export_text(path)
    assert ours.startswith("ExportedProgram:") and theirs.startswith("ExportedProgram:")


def test_serve_watches_the_sources_and_not_what_the_build_writes(tmp_path: Path):
    from exportdb.tools import cli, serve
    from exportdb.site.render import builtin_templates_dir

    docs = tmp_path / "docs"
    docs.mkdir()
    (tmp_path / "cases").mkdir()
    args = cli.build_parser().parse_args(["serve", "--docs", str(docs), "--port", "0"])
    argv = serve.autobuild_argv(args)
    watched = {argv[i + 1] for i, a in enumerate(argv) if a == "--watch"}
    ignored = {argv[i + 1] for i, a in enumerate(argv) if a == "--ignore"}
    assert argv[:2] == [str(docs.resolve()), str((docs / "_build" / "html").resolve())]
    assert watched == {str((tmp_path / "cases").resolve()), str(builtin_templates_dir().resolve())}
    assert ignored == {str(docs.resolve() / "generated"), str(docs.resolve() / "_build")}


def test_serve_without_sphinx_autobuild_says_how_to_install_it(monkeypatch, capsys, tmp_path: Path):
    from exportdb.tools import cli, serve

    real = importlib.util.find_spec
    monkeypatch.setattr(serve.importlib.util, "find_spec",
                        lambda name, *a: None if name == "sphinx_autobuild" else real(name, *a))
    assert cli.main(["serve", "--docs", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == serve.MISSING and "pip install 'exportdb[serve]'" in err and "\n" not in err


@pytest.mark.skipif(importlib.util.find_spec("sphinx_autobuild") is None,
                    reason="exportdb serve needs sphinx-autobuild: pip install -e '.[serve]'")
def test_serve_rebuilds_and_serves_an_edited_case(tmp_path: Path):
    from generator_support import good_case

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "conf.py").write_text('extensions = ["exportdb.site.sphinx_extension"]\nexportdb_jobs = 1\n'
                                  'exclude_patterns = ["_build"]\n')
    (docs / "index.rst").write_text("Test\n====\n\n.. toctree::\n\n   generated/index\n")
    good_case(tmp_path / "cases")
    run = bench_runs.time_serve(docs, tmp_path / "cases", tmp_path / "html", "good_case", timeout=600)
    assert run.first_build > 0 and run.reload > 0
    # one rebuild, of the edited case's pages only: the generated output did not trigger another
    assert run.log.count("Detected changes") == 1, run.log
    assert "Detected changes (" in run.log and "good_case.py)" in run.log
    # the builds ran in the serve process (its case workers stay warm between edits), not in a
    # new sphinx-build process each time
    assert "-m sphinx build" not in run.log and run.log.count("build succeeded") == 2, run.log


def test_a_bench_record_holds_every_figure_the_performance_page_shows(tmp_path: Path):
    import json

    from exportdb.site import run_records

    rows = [bench.EngineTiming("a", 0.001, 0.2, True, True), bench.EngineTiming("b", 0.003, 0.2, True, False)]
    record = {"kind": "exportdb bench", "date": "2026-12-02 14:00 UTC", **bench.machine_info(),
              "load_average": {"start": [3.0, 2.0, 1.0], "end": [4.0, 2.0, 1.0]},
              "engines": bench.engines_record(1.5, rows, 3),
              "serve": {"edit_case": "c", "first_build_s": 30.0, "reload_s": 1.5}}
    path = tmp_path / "bench.json"
    path.write_text(json.dumps(record))
    context = run_records.load_bench(path)
    figures = dict(context["rows"])
    assert figures["**Speedup, built-in vs torch** (summed medians)"] == "**100.0x**"
    assert "Examples that did not export with both engines" in figures and figures[
        "Examples that did not export with both engines"] == "b"
    assert "**1.50 s**" in figures.values() and "2.00 ms" in figures.values()  # reload; builtin median
    assert context["load_start"] == "3.0, 2.0, 1.0" and context["load_end"] == "4.0, 2.0, 1.0"
    assert "python" in context["versions"] and "cores" in context["machine"]
    text = run_records.render_bench(path)
    assert "Recorded on 2026-12-02 14:00 UTC" in text and "**100.0x**" in text

    bare = {k: v for k, v in record.items() if k not in ("engines", "serve")}
    path.write_text(json.dumps(bare))
    assert "This record holds no figures" in run_records.render_bench(path)  # no empty table
    path.write_text(json.dumps({**record, "kind": "exportdb compare"}))
    with pytest.raises(run_records.RunRecordError, match="is not a record of `exportdb bench`"):
        run_records.load_bench(path)


def test_a_compare_record_lists_every_case_with_its_verdict():
    from exportdb.engines.protocol import EngineResult
    from exportdb.site import run_records
    from exportdb.site.render import Renderer
    from exportdb.tools import compare

    class Engine:
        def __init__(self, name):
            self.name = name

        def version(self):
            return "9.9"

    ok = EngineResult.__new__(EngineResult)
    reports = [compare.CaseReport("x", "x.py", "agree", "ok", ok, ok, byte_identical=True),
               compare.CaseReport("y", "y.py", "graph-differs", "expected", ok, ok, reason="listed")]
    record = compare.run_record(reports, (Engine("builtin"), Engine("torch")), "cases", ["--record", "r.json"])
    assert record["summary"] == "1/2 cases agree" and record["versions"]["torch"] == "9.9"
    assert record["command"] == "exportdb compare"  # where the record went is not part of the run
    context = run_records.compare_context(record)
    assert [(c["name"], c["verdict"], c["reason"]) for c in context["cases"]] == [
        ("x", "agree", ""), ("y", "differ", "listed")]
    assert context["counts"] == [("agree", 1), ("graph-differs", 1)]
    assert (context["byte_identical"], context["structural_agree"]) == (1, 1)
    page = Renderer().render("compare_run.rst.jinja", case_prefix="", **context)
    assert "Byte-identical in the ``torch`` print style: **1/1** of the cases" in page
    del record["byte_identical"]  # a record made before the torch print style
    assert "Byte-identical" not in Renderer().render("compare_run.rst.jinja", case_prefix="",
                                                     **run_records.compare_context(record))
