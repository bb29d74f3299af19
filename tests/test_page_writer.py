"""Pages written one at a time while cases run, then the rest (exportdb.site.page_writer)."""

from __future__ import annotations

from pathlib import Path

from exportdb.execution.case_reader import load_registry, reader_spec
from exportdb.execution.runner import Prefetch, RunRecord, WorkerPool
from exportdb.site.generate import Settings, generate
from exportdb.site.page_writer import MANIFEST, PageWriter, _read_manifest
from exportdb.site.render import Page, Renderer
from generator_support import good_case, write_case

BROKEN = '''
    import torch


    class Broken(torch.nn.Module):
        """Has no example inputs."""

        def forward(self, x):
            return x


    model = Broken()
'''

WITH_REWRITE = '''
    import torch


    class Loops(torch.nn.Module):
        """Adds in a loop; the rewrite adds once."""

        def forward(self, x):
            for _ in range(3):
                x = x + 1
            return x


    class Rewrite(torch.nn.Module):
        def forward(self, x):
            return x + 3


    example_args = (torch.randn(2),)
    tags = {"python.control-flow"}
    model = Loops()
    rewrite = Rewrite()
'''


def test_each_valid_case_is_announced_once_with_all_its_exports(tmp_path: Path):
    cases = tmp_path / "cases"
    good_case(cases, "plain")
    write_case(cases, "rewritten", WITH_REWRITE)
    write_case(cases, "broken", BROKEN)
    heard: list[tuple[str, list[RunRecord]]] = []
    prefetch = Prefetch.for_engines(["builtin"])
    with WorkerPool(2, 60, engines=(reader_spec("builtin"), "builtin")) as pool:
        registry = load_registry(cases, jobs=2, pool=pool, prefetch=prefetch,
                                 exported=lambda case, records: heard.append((case.name, records)))
    assert sorted(case.name for case in registry.cases) == ["plain", "rewritten"]
    by_case = dict(heard)
    assert sorted(by_case) == ["plain", "rewritten"] and len(heard) == 2
    assert [(r.job.engine, r.job.rewrite, r.status) for r in by_case["plain"]] == [("builtin", False, "exported")]
    assert [(r.job.rewrite, r.status) for r in by_case["rewritten"]] == [(False, "exported"), (True, "exported")]


def test_pages_written_early_are_not_written_again_and_a_dropped_one_is_removed(tmp_path: Path):
    out = tmp_path / "out"
    writer = PageWriter(out)
    writer.write("cases/a.rst", "A\n")
    writer.write("cases/dropped.rst", "D\n")
    # a run killed here has listed both pages it wrote
    assert set(_read_manifest(out / MANIFEST)) == {"cases/a.rst", "cases/dropped.rst"}
    stats = writer.finish({"cases/a.rst": "A\n", "index.rst": "I\n"})
    assert (stats.written, stats.removed) == (3, 1) and sorted(stats.paths) == ["cases/a.rst", "cases/dropped.rst",
                                                                                  "index.rst"]
    assert not (out / "cases" / "dropped.rst").exists()
    assert sorted(_read_manifest(out / MANIFEST)) == ["cases/a.rst", "index.rst"]


def test_a_cold_build_writes_each_page_once_and_a_warm_one_none(tmp_path: Path):
    cases = tmp_path / "cases"
    for name in ("one", "two", "three"):
        good_case(cases, name, extra=f"# {name}")  # distinct files: identical ones share one cached result
    write_case(cases, "rewritten", WITH_REWRITE)
    settings = Settings(cases_dir=cases, out_dir=tmp_path / "pages", cache_dir=tmp_path / "cache", jobs=2)
    cold = generate(settings)
    assert cold.written is not None and not cold.problems
    pages = sorted(str(p.relative_to(tmp_path / "pages")) for p in (tmp_path / "pages").rglob("*.rst"))
    assert sorted(cold.written.paths) == pages and cold.written.rendered == len(pages)
    assert "cases/rewritten.rst" in pages
    warm = generate(settings)
    assert warm.written is not None and (warm.written.written, warm.written.rendered) == (0, 0)


def test_a_page_whose_early_write_failed_is_written_at_the_end(tmp_path: Path, monkeypatch):
    from exportdb.site import page_writer

    real, failing = page_writer._atomic_write, {"cases/a.rst"}

    def flaky(target: Path, text: str) -> None:
        if str(target.relative_to(tmp_path / "out")) in failing:
            failing.clear()
            raise OSError(30, "Read-only file system")
        real(target, text)

    monkeypatch.setattr(page_writer, "_atomic_write", flaky)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "a.rst.jinja").write_text("A\n")
    renderer = Renderer(tmp_path / "templates")
    writer = PageWriter(tmp_path / "out")
    try:
        writer.write("cases/a.rst", Page(renderer, "a.rst.jinja", {}))
    except OSError:
        pass
    stats = writer.finish({"cases/a.rst": Page(renderer, "a.rst.jinja", {})})
    assert stats.paths == ("cases/a.rst",) and (tmp_path / "out" / "cases" / "a.rst").read_text() == "A\n"
