"""Rendering: templates, page layout, atomic write-if-changed, stale pages, docutils-clean output."""

from __future__ import annotations

import io
from pathlib import Path

import docutils.core
import docutils.utils
import pytest
from docutils.parsers.rst import Directive, directives, roles

from exportdb.catalog import tags as taxonomy
from exportdb.engines import EngineResult
from exportdb.catalog.registry import Registry, load_case
from exportdb.execution.case_reader import load_registry
from exportdb.site.page_writer import write_pages
from exportdb.site.render import (
    RenderOptions,
    build_pages,
    code_lines,
    tag_links,
)
from exportdb.engines import EngineInfo
from exportdb.execution.runner import Job, RunRecord, RunReport, run_cases, verify_support
from generator_support import CASES, good_case

PROGRAM = "ExportedProgram:\n    class GraphModule(torch.nn.Module):\n        def forward(self, x):\n            return (x,)\n"


def _report(case_paths: dict[str, Path], results: dict[str, EngineResult]) -> RunReport:
    report = RunReport((EngineInfo("builtin", "0.1.0"),))
    for name, result in results.items():
        rewrite = name.endswith("+rewrite")
        case = name.removesuffix("+rewrite")
        status = "exported" if result.ok else "failed"
        report.add(RunRecord(Job(case, str(case_paths[case]), "builtin", rewrite), result, status))
    return report


@pytest.fixture
def small(tmp_path: Path):
    """A registry of two cases (one with a rewrite) and a report made by hand."""
    cases = tmp_path / "cases"
    first = good_case(cases, "alpha_case", tags='{"python.closure", "torch.cond"}')
    second = good_case(cases, "beta_case", extra='''
        class Better(torch.nn.Module):
            def forward(self, x):
                return x + 1


        rewrite = Better()
        ''')
    registry = Registry(cases, (load_case(first), load_case(second)))
    report = _report({"alpha_case": first, "beta_case": second}, {
        "alpha_case": EngineResult("builtin", True, PROGRAM, seconds=0.25, eager_check="match"),
        "beta_case": EngineResult("builtin", False, "DataDependentControlFlowError: x.py:3: no", "X",
                                  extra={"hint": "express the branch with torch.cond(pred, f, g, [x])"}),
        "beta_case+rewrite": EngineResult("builtin", True, PROGRAM + "# rewritten", seconds=0.5),
    })
    return registry, report


def test_code_lines_indents_and_keeps_blank_lines_empty():
    assert code_lines("a\n\n  b  \n") == "    a\n\n      b\n"
    assert code_lines("a") == "    a\n"


def test_tag_links_follow_the_taxonomy():
    assert tag_links(["python.closure", "torch.cond"], "../") == (
        ":doc:`torch.cond <../torch.cond>`, :doc:`python.closure <../python.closure>`")


def test_tag_page_layout(small):
    registry, report = small
    page = build_pages(registry, report, RenderOptions())["python.closure.rst"]
    lines = page.splitlines()
    assert lines[:4] == ["python.closure", "==================", "alpha_case", "^^^^^^^^^^"]
    assert "    Tags: :doc:`torch.cond <torch.cond>`, :doc:`python.closure <python.closure>`" in lines
    assert "    Support Level: SUPPORTED" in lines
    start = lines.index("Original source code:")
    assert lines[start + 2:start + 4] == [".. code-block:: python", ""]
    call = lines.index("    torch.export.export(model, example_args)")
    assert lines[call - 3:call] == ["    model = Doubler()", "", ""]
    assert lines[call + 1:call + 6] == ["", "Result:", "", ".. code-block::", ""]
    assert "beta_case" in lines and lines[lines.index("beta_case") - 3:lines.index("beta_case")] == ["", "", ""]


def test_tag_descriptions_are_optional(small):
    registry, report = small
    plain = build_pages(registry, report, RenderOptions())["torch.cond.rst"]
    described = build_pages(registry, report, RenderOptions(tag_descriptions=True))["torch.cond.rst"]
    from exportdb.catalog.tags import get_tag

    opening = " ".join(get_tag("torch.cond").description.split()[:6])
    assert opening not in " ".join(plain.split())
    assert described.splitlines()[3].startswith(opening)


def test_case_page_has_description_once_rewrite_and_eager_check_and_no_timing(small):
    registry, report = small
    pages = build_pages(registry, report, RenderOptions())
    alpha = pages["cases/alpha_case.rst"]
    # the description opens the page; the source below shows the class without that docstring
    assert alpha.count("Doubles its input through a nested function.") == 1
    assert alpha.index("Doubles its input") < alpha.index("Original source code:")
    assert "    class Doubler(torch.nn.Module):\n        def forward(self, x):" in alpha
    # the export time is the timings page's, not the case page's
    assert "Export time" not in alpha and "0.250" not in alpha and "0.25" in pages["timings.rst"]
    # the tag page has no description paragraph: its source keeps the docstring
    assert "Doubles its input through a nested function." in pages["python.closure.rst"]
    assert "Eager check: running the exported program" in alpha
    assert ":doc:`torch.cond <../torch.cond>`" in alpha
    beta = pages["cases/beta_case.rst"]
    assert "You can rewrite the example above to something like the following:" in beta
    assert "    class Better(torch.nn.Module):" in beta and "# rewritten" in beta
    assert "DataDependentControlFlowError" in beta
    # the hint `exportdb show` prints is on the page too, under the failing Result only
    assert ".. hint::\n\n   express the branch with torch\\.cond\\(pred\\, f\\, g\\, \\[x\\]\\)" in beta
    assert beta.count(".. hint::") == 1 and ".. hint::" not in alpha


def _two_engine_report(registry: Registry) -> RunReport:
    """builtin and torch results for every case of ``small`` (torch's text marked as such)."""
    report = RunReport((EngineInfo("builtin", "0.1.0"), EngineInfo("torch", "2.13.0")))
    for case in registry.cases:
        for rewrite in (False, True) if case.has_rewrite else (False,):
            for engine in ("builtin", "torch"):
                text = PROGRAM + f"# by {engine}{' rewrite' if rewrite else ''}"
                result = EngineResult(engine, True, text, seconds=0.125, eager_check="match")
                report.add(RunRecord(Job(case.name, str(case.path), engine, rewrite), result, "exported"))
    return report


def _tab_blocks(page: str) -> list[tuple[str, list[str]]]:
    """``(tab title, body lines)`` of every ``.. tab::`` directive in ``page``, in order."""
    lines = page.splitlines()
    out = []
    for i, line in enumerate(lines):
        if line.startswith(".. tab:: "):
            body = []
            for nxt in lines[i + 1:]:
                if nxt and not nxt.startswith("   "):
                    break
                body.append(nxt)
            out.append((line.removeprefix(".. tab:: "), body))
    return out


def test_single_engine_case_page_has_no_tabs(small):
    registry, report = small
    page = build_pages(registry, report, RenderOptions())["cases/beta_case.rst"]
    assert ".. tab::" not in page
    lines = page.splitlines()
    assert lines[lines.index("Result:") + 1:lines.index("Result:") + 3] == ["", ".. code-block::"]
    assert "Result of the rewrite:" in lines


def test_the_print_style_picks_the_builtin_program_text_on_case_and_tag_pages(small):
    registry, _ = small
    torch_text = PROGRAM + "\nGraph signature:\n    # inputs"
    paths = {case.name: case.path for case in registry.cases}
    report = _report(paths, {"alpha_case": EngineResult("builtin", True, PROGRAM, extra={"styles": {"torch": torch_text}}),
                             "beta_case": EngineResult("builtin", False, "X: x.py:3: no", "X")})
    for style, shown, hidden in (("seed", PROGRAM, "# inputs"), ("torch", torch_text, None)):
        pages = build_pages(registry, report, RenderOptions(print_style=style))
        for page in (pages["cases/alpha_case.rst"], pages["python.closure.rst"]):
            assert code_lines(shown) in page
            assert hidden is None or hidden not in page
        assert "X: x.py:3: no" in pages["cases/beta_case.rst"]  # a failure reads the same in both styles


def test_several_engines_go_in_one_tab_set_each_for_the_case_and_its_rewrite(small):
    registry, _ = small
    pages = build_pages(registry, _two_engine_report(registry), RenderOptions(("builtin", "torch")))
    beta = pages["cases/beta_case.rst"]
    tabs = _tab_blocks(beta)
    assert [title for title, _ in tabs] == ["builtin", "torch.export", "builtin", "torch.export"]
    # The primary engine's tab opens a new set, so the case's and the rewrite's tabs stay apart.
    assert [body[0] == "   :new-set:" for _, body in tabs] == [True, False, True, False]
    first, second, third, fourth = (body for _, body in tabs)
    assert "   Result (builtin 0.1.0):" in first and "       # by builtin" in first
    assert "   Result (torch 2.13.0):" in second and "       # by torch" in second
    assert "   Result of the rewrite (builtin 0.1.0):" in third and "       # by builtin rewrite" in third
    assert "   Result of the rewrite (torch 2.13.0):" in fourth and "       # by torch rewrite" in fourth
    assert not any("Export time" in line for line in fourth)
    assert any(line.startswith("   Eager check: running the exported program") for line in fourth)
    rewrite_intro = beta.index("You can rewrite the example above")
    assert beta.index(".. tab:: torch.export") < rewrite_intro < beta.rindex(".. tab:: builtin")
    # Tag pages keep the seed's layout: the primary engine's Result only, no tabs.
    assert ".. tab::" not in pages["python.closure.rst"] and "# by torch" not in pages["python.closure.rst"]


def test_inline_case_template_puts_engines_in_tabs(small):
    from exportdb.site.render import Renderer, case_context

    registry, _ = small
    report = _two_engine_report(registry)
    renderer = Renderer()
    beta = registry.get("beta_case")
    both = renderer.render("inline_case.rst.jinja", tag_prefix="/generated/", show_source=False,
                           show_result=True, show_rewrite=True,
                           **case_context(beta, report, RenderOptions(("builtin", "torch"))))
    assert [title for title, _ in _tab_blocks(both)] == ["builtin", "torch.export"] * 2
    alone = renderer.render("inline_case.rst.jinja", tag_prefix="/generated/", show_source=False,
                            show_result=True, show_rewrite=False,
                            **case_context(beta, report, RenderOptions(("torch",))))
    assert ".. tab::" not in alone and alone.startswith("Result:\n\n.. code-block::\n\n    ExportedProgram:")


def test_timings_are_left_out_under_source_date_epoch(small, monkeypatch):
    registry, report = small
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    pages = build_pages(registry, report, RenderOptions.from_environment(["builtin"]))
    assert "timings.rst" not in pages
    assert "Export time" not in pages["cases/alpha_case.rst"]
    assert "timings" not in pages["index.rst"]
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert "timings.rst" in build_pages(registry, report, RenderOptions.from_environment(["builtin"]))


def test_index_groups_cases_by_support_level(small):
    registry, report = small
    summary = verify_support(registry.cases, report)
    index = build_pages(registry, report, RenderOptions(), summary)["index.rst"]
    supported = index.index("Supported\n~~~~~~~~~")
    assert index.index(":doc:`alpha_case <cases/alpha_case>`") > supported
    assert "**fails unexpectedly**" in index  # beta_case is declared SUPPORTED but failed
    assert "1 unexpected failures" in index
    assert "   torch.cond\n" in index


def test_user_templates_override_builtin_ones(small, tmp_path: Path):
    registry, report = small
    custom = tmp_path / "mine"
    custom.mkdir()
    (custom / "tag.rst.jinja").write_text("{{ tag.name }}\n{{ tag.name | underline('*') }}\n\nCustom.\n")
    pages = build_pages(registry, report, RenderOptions(templates_dir=custom))
    assert pages["torch.cond.rst"] == "torch.cond\n**********\n\nCustom.\n"
    assert "You can rewrite" in pages["cases/beta_case.rst"]  # other templates unchanged


def test_write_pages_only_writes_changes_and_removes_stale_pages(tmp_path: Path):
    out = tmp_path / "out"
    neighbour = tmp_path / "keep.rst"
    neighbour.write_text("not ours")
    own = out / "handwritten.rst"
    out.mkdir()
    own.write_text("not generated")
    first = write_pages({"a.rst": "A\n", "cases/b.rst": "B\n"}, out)
    assert (first.written, first.unchanged, first.removed) == (2, 0, 0)
    inode = (out / "a.rst").stat().st_ino
    second = write_pages({"a.rst": "A\n", "cases/b.rst": "B2\n"}, out)
    assert (second.written, second.unchanged) == (1, 1)
    assert (out / "a.rst").stat().st_ino == inode  # untouched, not replaced
    third = write_pages({"a.rst": "A\n"}, out)
    assert third.removed == 1 and not (out / "cases" / "b.rst").exists()
    assert neighbour.read_text() == "not ours" and own.read_text() == "not generated"
    assert not [p for p in out.rglob(".tmp-*")]


def test_write_pages_never_leaves_the_output_directory(tmp_path: Path):
    out = tmp_path / "out"
    victim = tmp_path / "victim.rst"
    victim.write_text("precious")
    with pytest.raises(ValueError, match="outside the output directory"):
        write_pages({"../victim.rst": "gone"}, out)
    out.mkdir(exist_ok=True)
    (out / ".exportdb-pages").write_text("../victim.rst\n/etc/passwd\n")
    write_pages({"a.rst": "A\n"}, out)
    assert victim.read_text() == "precious"


class _Toctree(Directive):
    has_content = True
    option_spec = {"maxdepth": int, "caption": directives.unchanged, "hidden": directives.flag}

    def run(self):
        return []


def _parse_clean(text: str, source: str, docs: set[str], refs: list[str]) -> list[str]:
    def doc_role(name, rawtext, text, lineno, inliner, options=None, content=None):
        target = text.split("<")[-1].rstrip(">").strip()
        refs.append(target)
        return [docutils.nodes.Text(text)], []

    roles.register_local_role("doc", doc_role)
    directives.register_directive("toctree", _Toctree)
    stream = io.StringIO()
    docutils.core.publish_doctree(text, source_path=source, settings_overrides={
        "report_level": 2, "halt_level": 5, "warning_stream": stream, "syntax_highlight": "none"})
    return [line for line in stream.getvalue().splitlines() if line.strip()]


def test_every_generated_page_parses_with_docutils_without_warnings(tmp_path: Path):
    registry = load_registry(CASES)
    report = run_cases(registry.cases, ["builtin"], cache_dir=tmp_path / "cache", jobs=2)
    pages = build_pages(registry, report, RenderOptions(), verify_support(registry.cases, report))
    names = {rel.removesuffix(".rst") for rel in pages}
    assert len(pages) == len(registry.cases) + len(taxonomy.TAXONOMY) + 2
    for rel, text in sorted(pages.items()):
        refs: list[str] = []
        warnings = _parse_clean(text, rel, names, refs)
        assert warnings == [], (rel, warnings)
        base = Path(rel).parent
        for ref in refs:  # every :doc: link points at a generated page
            assert (base / ref).as_posix().replace("cases/../", "") in names, (rel, ref)


def test_a_regular_install_ships_the_templates(tmp_path: Path):
    """Build a wheel from a copy of the project, install it elsewhere, and render from there."""
    import shutil
    import subprocess
    import sys

    from generator_support import REPO

    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy(REPO / name, src / name)
    for name in ("exportdb", "templates"):
        shutil.copytree(REPO / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
    site = tmp_path / "site"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run(pip + ["wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp_path / "dist"), str(src)],
                   check=True, capture_output=True)
    [wheel] = (tmp_path / "dist").glob("*.whl")
    subprocess.run(pip + ["install", "--no-deps", "--target", str(site), str(wheel)], check=True,
                   capture_output=True)
    probe = ("import exportdb.site.render as r; from exportdb.catalog.registry import Case;"
             "print(r.builtin_templates_dir());"
             "print(r.Renderer().render('timings.rst.jinja', rows=[]).splitlines()[0])")
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True,
                          env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    where, title = done.stdout.splitlines()
    assert Path(where) == site / "exportdb" / "templates"
    assert title == "Export timings"


def test_without_docstring_removes_only_the_class_docstring_that_is_the_description():
    from exportdb.site.render import without_docstring

    source = ('"""Module docstring."""\nimport torch\n\n\nclass M(torch.nn.Module):\n    """\n    Adds one.\n'
              '    Really.\n    """\n\n    def forward(self, x):\n        return x + 1\n')
    assert without_docstring(source, "Adds one.\nReally.", 6) == (
        '"""Module docstring."""\nimport torch\n\n\nclass M(torch.nn.Module):\n    def forward(self, x):\n'
        '        return x + 1\n')
    assert without_docstring(source, "Something else.", 6) == source  # e.g. description = "..." in the file
    assert without_docstring(source, "Module docstring.", 1) == source  # not a class docstring
    assert without_docstring(source, "Adds one.\nReally.", 11) == source  # not the docstring's line
    assert without_docstring("class M(:\n", "x", 1) == "class M(:\n"
    assert without_docstring("class M:\n    'x'  # note\n    y = 1\n", "x", 2) == "class M:\n    y = 1\n"


def test_the_navigation_puts_each_case_under_its_first_tag_and_untagged_ones_under_the_index(tmp_path: Path):
    from exportdb.site.navigation import cases_by_home_tag, hidden_toctree

    good_case(tmp_path, "closure_only")
    good_case(tmp_path, "cond_and_closure", tags='{"python.closure", "torch.cond"}')
    good_case(tmp_path, "untagged", tags="set()")
    registry = load_registry(tmp_path)
    groups = cases_by_home_tag(registry.cases)
    # torch.cond comes before python.closure in the taxonomy, whatever order the case lists them
    assert groups == {"python.closure": ["closure_only"], "torch.cond": ["cond_and_closure"], None: ["untagged"]}
    assert hidden_toctree(groups["torch.cond"]) == "\n\n.. toctree::\n   :hidden:\n\n   cases/cond_and_closure\n"
    assert hidden_toctree([]) == ""
