"""The bad-input corpus (tests/bad_cases/) through a real Sphinx build.

A registry made of two good cases and every file of the corpus (plus a few made
here: a symlink out of the cases directory and an oversized file) is built into
a small Sphinx site in a temporary directory, with a short per-case timeout.
The tests then check that each bad case got one line naming its file and line,
that the good cases (and the hostile cases that are valid) still render, that
no directive or HTML from a case reached the site, and that nothing was written
outside the output directories.
"""

from __future__ import annotations

import os
import re
import shutil
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
from sphinx.cmd.build import build_main

from exportdb.catalog.rst_safety import description_problems
from generator_support import good_case

CORPUS = Path(__file__).resolve().parent / "bad_cases"
TIMEOUT = 3  # seconds per case: the two infinite loops cost this much each
SECRET = "SECRET-MARKER-7f3a9c"  # the content of the file the hostile cases try to include
GOOD = ("good_case", "second_good_case")
# Cases made by the fixture rather than kept in the corpus, with what they must give.
MADE = {"linked_outside.py": (1, "is a link to"), "huge_source.py": (1, "bytes (limit")}
# Text from the corpus that must never reach a page unescaped.
UNESCAPED = ("<script>alert(", "<b>bold-desc</b>", "<img src=x")


def _expectations() -> dict[str, tuple[str, int, str]]:
    """``relative path -> (kind, line, text)`` from the first line of each corpus file."""
    found = {}
    for path in sorted(CORPUS.rglob("*.py")):
        head = path.read_bytes().split(b"\n", 1)[0].decode("ascii")
        rel = path.relative_to(CORPUS).as_posix()
        if (m := re.fullmatch(r"# expect-problem: (\d+): (.+)", head)):
            found[rel] = ("problem", int(m.group(1)), m.group(2))
        elif (m := re.fullmatch(r"# expect-result: (.+)", head)):
            found[rel] = ("result", 0, m.group(1))
        elif head == "# expect-renders":
            found[rel] = ("renders", 0, "")
        else:
            raise AssertionError(f"{path}:1: no expect- line")
    return found


EXPECT = _expectations()


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
            full = os.path.join(dirpath, name)
            st = os.lstat(full)
            out[os.path.relpath(full, root)] = (st.st_size, st.st_mtime_ns)
    return out


@dataclass
class Site:
    root: Path
    cases: Path
    generated: Path
    html: Path
    status: int
    warnings: list[str]
    before: dict[str, tuple[int, int]]
    after: dict[str, tuple[int, int]]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    root = tmp_path_factory.mktemp("bad-input")
    work, html = root / "work", root / "work" / "html"
    cases, src = work / "cases", work / "site"
    shutil.copytree(CORPUS, cases)
    good_case(cases, GOOD[0])
    good_case(cases, GOOD[1], tags='{"torch.operator"}')
    (work / "secret.txt").write_text(f"{SECRET}\n")
    (work / "victim.txt").write_text("import_deletes_a_file.py must not delete this\n")
    (cases / "linked_outside.py").symlink_to(good_case(root, "outside_case"))
    (cases / "huge_source.py").write_text("# padding\n" * 30_000)
    src.mkdir()
    (src / "conf.py").write_text(textwrap.dedent(f"""
        extensions = ["exportdb.site.sphinx_extension"]
        exportdb_cases_dir = {str(cases)!r}
        exportdb_jobs = 2
        exportdb_timeout = {TIMEOUT}
        exclude_patterns = ["_build"]
        """))
    (src / "index.rst").write_text("Hostile registry\n================\n\n.. toctree::\n\n   generated/index\n")
    log = root / "warnings.txt"
    before = _snapshot(root)
    cwd = os.getcwd()
    os.chdir(work)  # relative writes by a case would land here
    try:
        status = build_main(["-q", "-w", str(log), str(src), str(html)])
    finally:
        os.chdir(cwd)
    warnings = log.read_text().splitlines() if log.exists() else []
    return Site(root, cases, src / "generated", html, status, warnings, before, _snapshot(root))


def _lines_about(site: Site, path: Path) -> list[str]:
    return [line for line in site.warnings if f"{path}:" in line]


def test_the_corpus_is_large_and_every_kind_is_there():
    kinds = [kind for kind, _, _ in EXPECT.values()]
    assert len(EXPECT) + len(MADE) >= 30
    assert kinds.count("problem") >= 25 and kinds.count("result") >= 5 and kinds.count("renders") >= 2


def test_the_build_succeeds_and_only_exportdb_warns(site: Site):
    assert site.status == 0, "\n".join(site.warnings)
    # A directive or malformed markup leaking from a case would show up here as a
    # docutils/Sphinx warning (unknown directive, include not found, ...).
    stray = [line for line in site.warnings if "WARNING" in line and "exportdb:" not in line]
    assert not stray, "\n".join(stray)


@pytest.mark.parametrize("rel", sorted(r for r, e in EXPECT.items() if e[0] == "problem") + sorted(MADE))
def test_each_bad_case_gets_one_line_naming_its_file_and_line(site: Site, rel: str):
    kind, line, text = EXPECT.get(rel) or ("problem", *MADE[rel])
    lines = _lines_about(site, site.cases / rel)
    assert len(lines) == 1, (rel, lines)
    after = lines[0].partition(f"{site.cases / rel}:")[2]
    assert after.startswith(f"{line}: "), lines[0]
    assert text in after, lines[0]
    assert not (site.generated / "cases" / f"{Path(rel).stem}.rst").exists() or rel.startswith("twins/")


@pytest.mark.parametrize("rel", sorted(r for r, e in EXPECT.items() if e[0] == "result"))
def test_cases_failing_at_export_render_with_their_error(site: Site, rel: str):
    name, text = Path(rel).stem, EXPECT[rel][2]
    page = (site.generated / "cases" / f"{name}.rst").read_text()
    assert text in page
    reported = [line for line in site.warnings if f"exportdb: {name} [builtin]" in line]
    assert len(reported) == 1 and text in reported[0], reported
    assert (site.html / "generated" / "cases" / f"{name}.html").is_file()


def test_good_and_inert_hostile_cases_render(site: Site):
    names = list(GOOD) + [Path(r).stem for r, e in EXPECT.items() if e[0] == "renders"]
    for name in names:
        page = site.html / "generated" / "cases" / f"{name}.html"
        assert page.is_file(), name
        assert "ExportedProgram" in page.read_text() or name == "html_everywhere"
    index = (site.html / "generated" / "index.html").read_text()
    assert all(name in index for name in names)


def test_no_case_html_and_no_included_file_reaches_the_site(site: Site):
    pages = {p: p.read_text(errors="replace") for p in site.html.rglob("*") if p.suffix in (".html", ".js", ".txt")}
    assert pages
    for path, text in pages.items():
        assert SECRET not in text, path
        if path.suffix != ".txt":  # _sources/*.txt are the reST sources, served as plain text
            for bad in UNESCAPED:
                assert bad not in text, (path, bad)
    for rst in site.generated.rglob("*.rst"):
        assert SECRET not in rst.read_text()
    # The hostile text is on the pages, but as text: escaped, or inside a code block.
    everywhere = pages[site.html / "generated" / "cases" / "html_everywhere.html"]
    assert "&lt;b&gt;bold-desc&lt;/b&gt;" in everywhere
    assert "&lt;img src=x onerror=alert(" in everywhere  # the error message, escaped
    leaving = pages[site.html / "generated" / "cases" / "source_leaves_code_block.html"]
    assert "escaped-u2028" in leaving and "escaped-nel" in leaving
    assert re.search(r'<div class="highlight[^>]*>(?:(?!</div>).)*escaped-u2028', leaving, re.S)


def test_nothing_is_written_outside_the_output_directories(site: Site):
    allowed = ("work/site/", "work/html/", "warnings.txt")
    changed = {path for path in set(site.before) | set(site.after)
               if site.before.get(path) != site.after.get(path) and not path.startswith(allowed)}
    assert changed == set(), changed
    for name in ("escaped_at_import.txt", "escaped_in_forward.txt", "escaped_by_process.txt"):
        assert not (site.root / "work" / name).exists()
    assert (site.root / "work" / "victim.txt").is_file()


@pytest.mark.parametrize("text, words", [
    ("Plain ``code``, *emphasis*, https://example.com and :math:`x^2`.", None),
    ("Text.\n\n.. raw:: html\n\n   <b>x</b>\n", "`raw` directive"),
    ("- item\n\n  .. include:: /etc/passwd\n", "`include` directive"),
    (".. |name| raw:: html\n", "`raw` directive"),
    (".. comment", "explicit markup"),
    ("Title\n=====\n\nbody", "section title"),
    ("a link_ to nowhere", "links to 'link'"),
    ("`x <https://example.com>`_", "link target"),
    (":doc:`index`", 'Unknown interpreted text role "doc"'),
    ("|substitution|", "substitution reference"),
    ("x" * 30_000, "characters long"),
    pytest.param("Short line.\n\n" + "word " * 2_400 + "end", "a line of 12003 characters", id="long-line"),
])
def test_description_rules(text: str, words: str | None):
    problems = description_problems(text)
    if words is None:
        assert problems == []
    else:
        assert len(problems) == 1 and words in problems[0][1], problems


def test_a_description_is_checked_alone_whatever_was_checked_before():
    """The check reuses one reST state machine: nothing of a description (a title style, an
    unfinished list, a parse stopped by too deep nesting) reaches the next one."""
    title, nested, plain = "Title\n=====\n\nbody", "\n\n".join(" " * (2 * i) + "- x" for i in range(60)), "- a\n- b"
    first = [description_problems(text) for text in (title, nested, plain)]
    again = [description_problems(text) for text in (plain, nested, title, plain)]
    assert first[2] == again[0] == again[3] == []
    assert first[0] == again[2] and "section title" in first[0][0][1]
    assert first[1] == again[1] and "nested" in first[1][0][1]
