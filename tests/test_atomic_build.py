"""A generation or build killed half way leaves the previous pages and the previous site intact."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from exportdb.site import page_writer
from exportdb.site.page_writer import write_pages
from exportdb.site.staging import build_staged, recover, staging_dir
from generator_support import good_case

# A Sphinx extension for the test project: with EXPORTDB_TEST_STALL set, it
# signals (by creating that file) once Sphinx has written one page of the
# site, then stalls, so the test can kill the build in the middle of writing.
STALL_EXTENSION = '''
import os, time

def _stall(app, pagename, templatename, context, doctree):
    marker = os.environ.get("EXPORTDB_TEST_STALL")
    if not marker:
        return
    app._pages_seen = getattr(app, "_pages_seen", 0) + 1
    if app._pages_seen == 2:  # the first page is on disk by now
        open(marker, "w").close()
        time.sleep(120)

def setup(app):
    app.connect("html-page-context", _stall)
    return {"parallel_read_safe": True}
'''


def _snapshot(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _project(tmp_path: Path) -> tuple[Path, Path]:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "stall.py").write_text(STALL_EXTENSION)
    (docs / "conf.py").write_text(textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(docs)!r})
        extensions = ["exportdb.site.sphinx_extension", "stall"]
        exportdb_cases_dir = {str(tmp_path / 'cases')!r}
        exclude_patterns = ["_build"]
        """))
    (docs / "index.rst").write_text("Test site\n=========\n\n.. toctree::\n\n   generated/index\n")
    cases = tmp_path / "cases"
    good_case(cases)
    good_case(cases, "second_case", tags='{"python.builtin"}')
    return docs, cases


def _build_cmd(docs: Path, cases: Path, html: Path) -> list[str]:
    return [sys.executable, "-m", "exportdb", "build", "--docs", str(docs), "--html", str(html),
            "--cases", str(cases), "--jobs", "1"]


def test_build_killed_while_writing_leaves_the_previous_site_complete(tmp_path: Path):
    docs, cases = _project(tmp_path)
    html = tmp_path / "site"
    first = subprocess.run(_build_cmd(docs, cases, html), capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    # Sphinx wrote into the staging copy, but what it printed names the site the user asked for
    assert "The HTML pages are in " in first.stdout and "site.new" not in first.stdout + first.stderr
    assert f"The HTML pages are in {os.path.relpath(html)}." in first.stdout
    before = _snapshot(html)
    assert "index.html" in before and "generated/cases/good_case.html" in before

    good_case(cases, extra='description = "Doubles its input; edited after the first build."')
    marker = tmp_path / "stalled"
    env = dict(os.environ, EXPORTDB_TEST_STALL=str(marker))
    proc = subprocess.Popen(_build_cmd(docs, cases, html), env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 240
        while not marker.exists():
            assert proc.poll() is None, "the build ended before it could be killed"
            assert time.monotonic() < deadline, "the build never started writing pages"
            time.sleep(0.05)
        written = [p for p in staging_dir(html).rglob("*.html")
                   if p.stat().st_mtime > marker.stat().st_mtime - 60]
        assert written, "Sphinx had not written into the staging directory yet"
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()

    assert _snapshot(html) == before  # the previous site: every file present and unchanged

    third = subprocess.run(_build_cmd(docs, cases, html), capture_output=True, text=True, timeout=300)
    assert third.returncode == 0, third.stderr
    assert "edited after the first build" in (html / "generated" / "cases" / "good_case.html").read_text()
    assert not staging_dir(html).exists() and not html.with_name("site.old").exists()


def test_failed_build_keeps_the_site_and_removes_the_staging_copy(tmp_path: Path):
    html = tmp_path / "site"
    html.mkdir()
    (html / "index.html").write_text("old site")

    def failing(out: Path) -> int:
        (out / "index.html").write_text("half")
        return 1

    assert build_staged(html, failing) == 1
    assert (html / "index.html").read_text() == "old site"
    assert not staging_dir(html).exists()

    def good(out: Path) -> int:
        assert (out / "index.html").read_text() == "old site"  # builds start from a copy
        (out / "index.html").write_text("new site")
        return 0

    assert build_staged(html, good) == 0
    assert (html / "index.html").read_text() == "new site"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site", "site.lock"]


def test_a_kill_between_the_two_renames_is_repaired_by_the_next_build(tmp_path: Path):
    html = tmp_path / "site"
    old = tmp_path / "site.old"  # the first rename happened, the second did not
    old.mkdir()
    (old / "index.html").write_text("previous site")
    staging_dir(html).mkdir()
    (staging_dir(html) / "index.html").write_text("new, never swapped in")
    recover(html)
    assert (html / "index.html").read_text() == "previous site"
    assert not old.exists() and not staging_dir(html).exists()


def test_generation_interrupted_mid_write_leaves_every_page_old_or_new(tmp_path: Path, monkeypatch):
    out = tmp_path / "pages"
    old = {f"cases/c{i}.rst": f"old {i}\n" for i in range(6)}
    write_pages(old, out)
    new = {rel: text.replace("old", "new") for rel, text in old.items()}
    new["cases/c6.rst"] = "new 6\n"
    real_replace = os.replace
    calls = []

    def dying_replace(src, dst):
        calls.append(dst)
        if len(calls) == 4:  # killed during the fourth page, its text already in the temporary file
            raise KeyboardInterrupt
        real_replace(src, dst)

    monkeypatch.setattr(page_writer.os, "replace", dying_replace)
    with pytest.raises(KeyboardInterrupt):
        write_pages(new, out)
    monkeypatch.setattr(page_writer.os, "replace", real_replace)

    for rel in old:
        assert (out / rel).read_text() in (old[rel], new[rel])
    assert not [p for p in out.rglob("*") if p.is_file() and p.name.startswith(".tmp-")]
    listed = [line.split("\t")[0] for line in (out / page_writer.MANIFEST).read_text().splitlines()]
    assert "cases/c6.rst" in listed  # a page that may have been written is known, so it can be removed later

    stats = write_pages(new, out)
    assert {rel: (out / rel).read_text() for rel in new} == new
    assert stats.removed == 0 and stats.written + stats.unchanged == len(new)
