"""Rendering one case's page can fail only that page: the exception becomes the case's problem line.

A templates directory whose case page raises for one case stands in for any
exception while rendering (a template bug, a field no template expected): the
other pages, and a Sphinx build of the whole site, go on.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from sphinx.cmd.build import build_main

from exportdb.site.generate import Settings, generate
from generator_support import good_case

# The built-in case page, except that it divides by zero for the case named "fragile".
FRAGILE_TEMPLATE = '''{% if case.name == "fragile" %}{{ 1 // 0 }}{% endif %}{% include "case.rst.jinja" %}'''


def _templates(root: Path) -> Path:
    directory = root / "templates"
    (directory / "builtin").mkdir(parents=True)
    builtin = Path(__file__).resolve().parent.parent / "templates" / "case.rst.jinja"
    # the override is found first; it includes the built-in page under another name
    (directory / "case.rst.jinja").write_text(FRAGILE_TEMPLATE.replace('"case.rst.jinja"', '"builtin_case.rst.jinja"'))
    (directory / "builtin_case.rst.jinja").write_text(builtin.read_text(encoding="utf-8"))
    return directory


def _registry(root: Path) -> Path:
    cases = root / "cases"
    good_case(cases, "fragile")
    good_case(cases, "sturdy")
    return cases


def test_a_case_page_that_raises_becomes_that_cases_problem_and_the_other_pages_render(tmp_path: Path):
    cases, templates = _registry(tmp_path), _templates(tmp_path)
    settings = Settings(cases_dir=cases, out_dir=tmp_path / "pages", cache_dir=tmp_path / "cache",
                        templates_dir=templates)
    for _ in range(2):  # reported again by the next run, not hidden as unchanged
        outcome = generate(settings)
        [problem] = outcome.problems
        assert str(problem).startswith(f"{cases / 'fragile.py'}:1: the case's page could not be rendered "
                                       "(ZeroDivisionError: integer division or modulo by zero)")
        assert outcome.failed
        fragile = (tmp_path / "pages" / "cases" / "fragile.rst").read_text()
        assert fragile.startswith("fragile\n=======\n") and "ZeroDivisionError" in fragile
        sturdy = (tmp_path / "pages" / "cases" / "sturdy.rst").read_text()
        assert "ExportedProgram" in sturdy and "could not be rendered" not in sturdy


def test_the_sphinx_build_succeeds_for_the_other_pages(tmp_path: Path):
    cases, templates = _registry(tmp_path), _templates(tmp_path)
    src, html = tmp_path / "site", tmp_path / "html"
    src.mkdir()
    (src / "conf.py").write_text(textwrap.dedent(f"""
        extensions = ["exportdb.site.sphinx_extension"]
        exportdb_cases_dir = {str(cases)!r}
        exportdb_templates_dir = {str(templates)!r}
        exportdb_use_cache = False
        """))
    (src / "index.rst").write_text("Site\n====\n\n.. toctree::\n\n   generated/index\n")
    log = tmp_path / "warnings.txt"
    assert build_main(["-q", "-w", str(log), str(src), str(html)]) == 0
    warnings = log.read_text()
    assert f"{cases / 'fragile.py'}:1: the case's page could not be rendered" in warnings
    assert "ExportedProgram" in (html / "generated" / "cases" / "sturdy.html").read_text()
    assert "could not be rendered" in (html / "generated" / "cases" / "fragile.html").read_text()
