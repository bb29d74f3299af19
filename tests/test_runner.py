"""The runner: result cache, worker processes, per-case timeout, crash isolation, support levels."""

from __future__ import annotations

from pathlib import Path

from exportdb.engines import EngineResult
from exportdb.catalog.registry import load_case
from exportdb.execution.case_reader import load_registry, reader_spec
from exportdb.execution.runner import (
    EngineInfo,
    Job,
    Prefetch,
    ResultCache,
    RunRecord,
    RunReport,
    WorkerPool,
    run_cases,
    verify_support,
)
from generator_support import good_case, write_case

HANGING = '''
    import torch


    class Hangs(torch.nn.Module):
        """Never returns."""

        def forward(self, x):
            while True:
                pass


    example_args = (torch.randn(2),)
    model = Hangs()
    '''

CRASHING = '''
    import os

    import torch


    class Crashes(torch.nn.Module):
        """Kills the process that traces it."""

        def forward(self, x):
            os._exit(3)


    example_args = (torch.randn(2),)
    model = Crashes()
    '''


def _counter():
    calls: list[str] = []
    return calls, lambda done, total, name: calls.append(name)


def test_unchanged_cases_are_not_exported_again(tmp_path: Path):
    good_case(tmp_path / "cases", "first", extra="# the first")
    second = good_case(tmp_path / "cases", "second", extra="# the second")
    registry = load_registry(tmp_path / "cases")
    cache = tmp_path / "cache"
    calls, progress = _counter()
    run1 = run_cases(registry.cases, ["builtin"], cache_dir=cache, jobs=2, progress=progress)
    assert sorted(calls) == ["first", "second"]
    assert all(not r.cached and r.status == "exported" for r in run1.records.values())

    calls.clear()
    run2 = run_cases(registry.cases, ["builtin"], cache_dir=cache, jobs=2, progress=progress)
    assert calls == []
    assert all(r.cached for r in run2.records.values())
    assert run2.get("first", "builtin").result == run1.get("first", "builtin").result

    second.write_text(second.read_text().replace("t * 2", "t * 3"))
    registry = load_registry(tmp_path / "cases")
    run_cases(registry.cases, ["builtin"], cache_dir=cache, jobs=1, progress=progress)
    assert calls == ["second"]


def test_cache_key_covers_content_engine_version_and_rewrite():
    base = ResultCache.key(b"src", EngineInfo("builtin", "1"), False)
    assert base == ResultCache.key(b"src", EngineInfo("builtin", "1"), False)
    others = {
        ResultCache.key(b"src2", EngineInfo("builtin", "1"), False),
        ResultCache.key(b"src", EngineInfo("torch", "1"), False),
        ResultCache.key(b"src", EngineInfo("builtin", "2"), False),
        ResultCache.key(b"src", EngineInfo("builtin", "1"), True),
    }
    assert base not in others and len(others) == 4


def _result(text: str) -> EngineResult:
    return EngineResult("builtin", True, text, None, 0.5, None, {"styles": {"torch": text}})


def test_the_result_cache_keeps_what_another_run_wrote_meanwhile(tmp_path: Path):
    first, second = ResultCache(tmp_path), ResultCache(tmp_path)
    first.put("a", _result("A"))
    first.flush()
    assert second.get("a") == _result("A")  # read once here; then the first run writes again
    first.put("b", _result("B"))
    first.flush()
    second.put("c", _result("C"))
    second.flush()
    again = ResultCache(tmp_path)
    assert [again.get(key) for key in "abc"] == [_result("A"), _result("B"), _result("C")]
    assert second.get("b") == _result("B")  # merged into what the second run knows too


def test_the_result_cache_read_in_the_background_gives_the_same_entries(tmp_path: Path):
    writer = ResultCache(tmp_path)
    for key in "xyz":
        writer.put(key, _result(key))
    writer.flush()
    reader = ResultCache(tmp_path)
    reader.load_in_background()
    assert [reader.get(key) for key in "xyzw"] == [_result("x"), _result("y"), _result("z"), None]


def test_hanging_and_crashing_cases_become_error_entries_and_the_run_goes_on(tmp_path: Path):
    cases = tmp_path / "cases"
    write_case(cases, "hangs", HANGING)
    write_case(cases, "crashes", CRASHING)
    good_case(cases, "fine")
    registry = load_registry(cases)
    assert not registry.problems
    cache = tmp_path / "cache"
    report = run_cases(registry.cases, ["builtin"], cache_dir=cache, jobs=2, timeout=2)
    hang = report.get("hangs", "builtin")
    crash = report.get("crashes", "builtin")
    assert hang.status == "timeout" and hang.result.text.startswith("TimeoutError: ")
    assert crash.status == "crashed" and "exit code 3" in crash.result.text
    assert report.get("fine", "builtin").status == "exported"

    # Neither failure was cached: a second run tries them again; the good case comes from the cache.
    calls, progress = _counter()
    again = run_cases(registry.cases, ["builtin"], cache_dir=cache, jobs=2, timeout=2, progress=progress)
    assert sorted(calls) == ["crashes", "hangs"]
    assert again.get("fine", "builtin").cached

    summary = verify_support(registry.cases, report)
    assert {m.case for m in summary.unexpected_failures} == {"hangs", "crashes"}


def test_unavailable_engine_is_reported_not_run(tmp_path: Path):
    registry = load_registry(good_case(tmp_path).parent)
    report = run_cases(registry.cases, ["no_such_module_xyz:Engine"], jobs=1)
    record = report.get("good_case", "no_such_module_xyz:Engine")
    assert record.status == "unavailable" and "not installed" in record.result.text
    assert verify_support(registry.cases, report).passing == []


def test_declared_and_actual_support_levels_are_compared(tmp_path: Path):
    cases = tmp_path / "cases"
    nsy = "from torch._export.db.case import SupportLevel\nsupport_level = SupportLevel.NOT_SUPPORTED_YET"
    names = {"ok_supported": "", "bad_supported": "", "ok_unsupported": nsy, "bad_unsupported": nsy}
    loaded = [load_case(good_case(cases, name, extra=extra)) for name, extra in names.items()]
    report = RunReport((EngineInfo("builtin", "1"),))
    for case in loaded:
        ok = case.name in ("ok_supported", "bad_unsupported")
        text = "ExportedProgram: ..." if ok else "SomeError: nope"
        report.add(RunRecord(Job(case.name, str(case.path), "builtin"), EngineResult("builtin", ok, text),
                             "exported" if ok else "failed"))
    summary = verify_support(loaded, report)
    assert summary.passing == ["ok_supported"]
    assert summary.failing_as_expected == ["ok_unsupported"]
    assert [m.case for m in summary.unexpected_failures] == ["bad_supported"]
    assert [m.case for m in summary.unexpected_passes] == ["bad_unsupported"]
    assert not summary.ok
    lines = summary.lines()
    assert lines[0] == ("1 exported as declared, 1 failing as expected, 1 unexpected failures, "
                        "1 unexpected passes, 0 broken case files")
    assert any(line.startswith("unexpected pass: bad_unsupported") for line in lines)


def test_rewrites_run_and_must_export(tmp_path: Path):
    path = write_case(tmp_path / "cases", "with_rewrite", '''
        import torch
        from torch._export.db.case import SupportLevel


        class Branchy(torch.nn.Module):
            """Branches on data."""

            def forward(self, x):
                if x.sum() > 0:
                    return x
                return -x


        class Fixed(torch.nn.Module):
            def forward(self, x):
                return x.abs()


        example_args = (torch.randn(3),)
        support_level = SupportLevel.NOT_SUPPORTED_YET
        model = Branchy()
        rewrite = Fixed()
        ''')
    case = load_case(path)
    report = run_cases([case], ["builtin"], jobs=1)
    assert report.get("with_rewrite", "builtin").status == "failed"
    rewrite = report.get("with_rewrite", "builtin", rewrite=True)
    assert rewrite.status == "exported" and "aten.abs.default" in rewrite.result.text
    summary = verify_support([case], report)
    assert summary.ok and summary.failing_as_expected == ["with_rewrite"]


COUNTS_IMPORTS = '''
    import builtins

    import torch
    from torch._export.db.case import SupportLevel

    builtins.imports_here = getattr(builtins, "imports_here", 0) + 1  # loads of this file in this process


    class Scaled(torch.nn.Module):
        """Scales by how often this process loaded the file."""

        def forward(self, x):
            if x.sum() > 0:
                return x
            return x * builtins.imports_here


    class Fixed(torch.nn.Module):
        def forward(self, x):
            return x * builtins.imports_here


    example_args = (torch.randn(3),)
    support_level = SupportLevel.NOT_SUPPORTED_YET
    model = Scaled()
    rewrite = Fixed()
    '''


def test_a_build_reads_and_exports_each_case_in_one_fresh_process(tmp_path: Path):
    cases = tmp_path / "cases"
    write_case(cases, "counts", COUNTS_IMPORTS)
    write_case(cases, "hangs", HANGING)
    write_case(cases, "crashes", CRASHING)
    good_case(cases, "fine")
    prefetch = Prefetch.for_engines(["builtin"])
    read, read_progress = _counter()
    with WorkerPool(2, timeout=3, engines=(reader_spec("builtin"), "builtin")) as pool:
        registry = load_registry(cases, timeout=3, pool=pool, prefetch=prefetch, progress=read_progress)
        assert not registry.problems and len(registry.cases) == 4
        assert sorted(read) == ["counts", "crashes", "fine", "hangs"]  # progress follows the reading
        assert len(prefetch.records) == 5  # every case's export, and the rewrite, came with its reading
        cache = tmp_path / "cache"
        calls, progress = _counter()
        report = run_cases(registry.cases, ["builtin"], cache_dir=cache, timeout=3, pool=pool, prefetched=prefetch,
                           progress=progress)
    assert not prefetch.records and calls == []  # nothing left to run
    # the exports ran in the process that had read the file, which loaded it three times: to read it, to
    # export it, to export its rewrite (a fresh process: no more)
    rewrite = report.get("counts", "builtin", rewrite=True)
    assert rewrite.status == "exported" and "aten.mul.Tensor(x, 3)" in rewrite.result.text, rewrite
    assert report.get("counts", "builtin").status == "failed"
    # a hang or a crash while exporting is that export's own failure; the reading stood
    assert report.get("hangs", "builtin").result.text.startswith("TimeoutError: export did not finish within 3 s")
    assert report.get("crashes", "builtin").status == "crashed"
    assert "exit code 3" in report.get("crashes", "builtin").result.text
    assert not any(record.cached for record in report.records.values())
    again = run_cases(registry.cases, ["builtin"], cache_dir=cache, jobs=1, timeout=3)
    assert again.get("counts", "builtin", rewrite=True).cached and again.get("fine", "builtin").cached


def test_the_case_cache_says_when_files_may_be_missing_from_it(tmp_path: Path):
    import os

    from exportdb.execution.case_cache import CaseCache

    cases = tmp_path / "cases"
    first, second = good_case(cases, "first"), good_case(cases, "second")
    assert CaseCache(tmp_path / "cache", "builtin").likely_misses([first, second]) == 2  # an empty cache
    load_registry(cases, cache=CaseCache(tmp_path / "cache", "builtin"), jobs=1)
    cache = CaseCache(tmp_path / "cache", "builtin")
    assert cache.likely_misses([first, second]) == 0
    later = os.stat(cache.file).st_mtime_ns + 10**9
    os.utime(second, ns=(later, later))  # edited after the cache was written
    assert cache.likely_misses([first, second]) == 1 and cache.likely_misses([first]) == 0


def test_a_worker_started_ahead_of_need_is_stopped_at_once_when_no_job_comes(tmp_path: Path):
    import time

    pool = WorkerPool(1, 30)
    pool.start(roots=[str(tmp_path)])
    [worker] = pool.idle
    started = time.monotonic()
    pool.close()
    assert worker.process.poll() is not None and time.monotonic() - started < 2


def test_a_cached_result_names_its_case_file_as_a_run_from_this_directory_would(tmp_path: Path, monkeypatch):
    cases = tmp_path / "project" / "cases"
    write_case(cases, "breaks", '''
        import torch


        class Breaks(torch.nn.Module):
            """Calls an operator that does not exist."""

            def forward(self, x):
                return torch.no_such_operator(x)


        example_args = (torch.randn(2),)
        tags = {"python.closure"}
        model = Breaks()
        ''')
    cache = tmp_path / "cache"

    def error_text() -> str:
        registry = load_registry(cases, jobs=1)
        return run_cases(registry.cases, ["builtin"], cache_dir=cache, jobs=1).get("breaks", "builtin").result.text

    monkeypatch.chdir(tmp_path / "project")
    assert "cases/breaks.py:" in error_text() and str(tmp_path) not in error_text()  # the second from the cache
    monkeypatch.chdir(tmp_path)
    assert "project/cases/breaks.py:" in error_text()
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")  # the case is not below it: its path is shown in full
    assert str(cases / "breaks.py") in error_text()
