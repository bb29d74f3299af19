"""One generation run: load the registry, run the cases, verify, render, write.

Shared by the CLI (``exportdb generate``/``check``) and the Sphinx extension,
so both produce the same pages from the same settings.  Settings are checked in
one place, :meth:`Settings.checked`, which answers a misspelt engine name with
"did you mean"::

    >>> outcome = generate(Settings(cases_dir=Path("cases"), out_dir=Path("out")))  # doctest: +SKIP
    >>> outcome.summary.lines()[0]                                                  # doctest: +SKIP
    '21 exported as declared, 3 failing as expected, 0 unexpected failures, 0 unexpected passes, 0 broken case files'
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import exportdb
from exportdb.engines import ENGINE_NAMES, PRINT_STYLES, describe_engine
from exportdb.catalog.registry import Case, Problem, Registry, default_frontend
from exportdb.execution.case_reader import load_registry, reader_spec
from exportdb.site.page_writer import PageWriter, WriteStats
from exportdb.site.render import (RenderOptions, Renderer, case_page, case_page_name, page_renderer, plan_pages,
                                  render_failures)
from exportdb.execution.case_cache import CaseCache
from exportdb.execution.result_cache import ResultCache, user_cache_dir
from exportdb.execution.runner import (DEFAULT_TIMEOUT, Prefetch, Progress, RunRecord, RunReport, SupportSummary,
                                       WorkerPool, default_workers, run_cases, verify_support)


class SettingsError(ValueError):
    """A setting has a value exportdb cannot use; the message says which and why."""


def default_cases_dir() -> Path:
    """``./cases`` when it exists, else the ``cases/`` of the source checkout exportdb runs from."""
    here = Path("cases")
    if here.is_dir():
        return here
    checkout = Path(exportdb.__file__).resolve().parent.parent / "cases"
    return checkout if checkout.is_dir() else here


@dataclass(frozen=True)
class Settings:
    """Everything a generation run needs; ``out_dir`` None means run and verify only."""

    cases_dir: Path = field(default_factory=default_cases_dir)
    out_dir: Path | None = None
    engines: tuple[str, ...] = ("builtin",)
    jobs: int | None = None
    timeout: float = DEFAULT_TIMEOUT
    cache_dir: Path | None = None
    use_cache: bool = True
    templates_dir: Path | None = None
    tag_descriptions: bool = False
    strict: bool = False
    frontend: str | None = None
    ops_record: Path | None = None  # a recorded `exportdb conformance ops` run: the Operator coverage page
    modules_record: Path | None = None  # a recorded `exportdb conformance modules` run: the Module coverage page
    print_style: str = "seed"  # the builtin engine's programs as the seed layout or as torch 2.13 prints them

    def checked(self) -> "Settings":
        """Validate and normalise; raise :class:`SettingsError` naming the bad value."""
        engines = tuple(e.strip() for e in self.engines if e.strip())
        if not engines:
            raise SettingsError("no engine given (expected builtin, torch or module:factory)")
        for engine in engines:
            if engine not in ENGINE_NAMES and ":" not in engine:
                close = difflib.get_close_matches(engine, ENGINE_NAMES, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise SettingsError(f"unknown engine {engine!r}{hint} (known: {', '.join(ENGINE_NAMES)})")
        if len(set(engines)) != len(engines):
            raise SettingsError(f"engine listed twice in {','.join(engines)}")
        if self.print_style not in PRINT_STYLES:
            close = difflib.get_close_matches(self.print_style, PRINT_STYLES, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise SettingsError(f"unknown print style {self.print_style!r}{hint} (known: {', '.join(PRINT_STYLES)})")
        if self.jobs is not None and self.jobs < 1:
            raise SettingsError(f"jobs must be at least 1, got {self.jobs}")
        if self.timeout <= 0:
            raise SettingsError(f"timeout must be positive, got {self.timeout}")
        if self.templates_dir is not None and not Path(self.templates_dir).is_dir():
            raise SettingsError(f"templates directory {self.templates_dir} does not exist")
        if self.ops_record is not None and not Path(self.ops_record).is_file():
            raise SettingsError(f"conformance run record {self.ops_record} does not exist "
                                "(write it with `exportdb conformance ops --record PATH`)")
        if self.modules_record is not None and not Path(self.modules_record).is_file():
            raise SettingsError(f"conformance run record {self.modules_record} does not exist "
                                "(write it with `exportdb conformance modules --record PATH`)")
        cache = self.cache_dir
        if cache is None and self.use_cache:
            cache = user_cache_dir()  # one cache: a case checked once is not run again by the build
        return replace(self, engines=engines, cache_dir=cache if self.use_cache else None)


@dataclass
class Outcome:
    """What a run produced: the registry, the results, the verdicts and the write counts."""

    settings: Settings
    registry: Registry
    report: RunReport
    summary: SupportSummary
    written: WriteStats | None = None
    render_problems: tuple[Problem, ...] = ()  # case pages that could not be rendered

    @property
    def problems(self) -> tuple[Problem, ...]:
        return self.registry.problems + self.render_problems

    @property
    def failed(self) -> bool:
        """True when a strict run must fail: bad cases or support levels that do not hold."""
        return bool(self.problems) or not self.summary.ok

    def messages(self) -> list[tuple[str, str]]:
        """``(severity, line)`` pairs: problems are errors; mismatches are errors when strict."""
        level = "error" if self.settings.strict else "warning"
        out = [("error", str(p)) for p in self.problems]
        out += [(level, str(m)) for m in self.summary.unexpected_failures + self.summary.unexpected_passes]
        out += [("info", f"engine {e.name} unavailable: {e.unavailable}") for e in self.report.engines
                if e.unavailable]
        return out


#: Worker pools kept between generation runs, by (size, timeout, engines); None outside
#: :func:`workers_kept_between_runs`.
_KEPT: dict[tuple, WorkerPool] | None = None


@contextmanager
def workers_kept_between_runs() -> Iterator[None]:
    """Within this block, :func:`generate` runs in this process keep their worker processes
    (fork servers with the engines imported and warm) for the next run with the same settings,
    instead of starting new ones: ``exportdb serve`` re-runs an edited case without importing
    torch again.  Each case still runs in a fresh process forked for it."""
    global _KEPT
    if _KEPT is not None:  # already inside such a block
        yield
        return
    _KEPT = {}
    try:
        yield
    finally:
        pools, _KEPT = _KEPT, None
        for pool in pools.values():
            pool.close()


@contextmanager
def _worker_pool(settings: Settings, frontend: str) -> Iterator[WorkerPool]:
    """The pool of a run: a kept one inside :func:`workers_kept_between_runs`, else a new one."""
    size, engines = settings.jobs or default_workers(), (reader_spec(frontend), *settings.engines)
    if _KEPT is None:
        with WorkerPool(size, settings.timeout, engines=engines) as pool:
            yield pool
        return
    key = (size, settings.timeout, engines)
    if key not in _KEPT:
        _KEPT[key] = WorkerPool(size, settings.timeout, engines=engines).__enter__()  # kept until closed
    yield _KEPT[key]


def generate(settings: Settings, progress: Progress | None = None) -> Outcome:
    """Run the whole pipeline with ``settings`` (checked first)."""
    settings = settings.checked()
    case_cache = None
    if settings.cache_dir is not None:
        case_cache = CaseCache(settings.cache_dir, settings.frontend or default_frontend())
    frontend = settings.frontend or default_frontend()
    # One pool reads the changed case files and then exports them: its workers start once, and the
    # process that reads a case also exports it (prefetch), so each case costs one fresh process.
    prefetch = Prefetch.for_engines(settings.engines)
    results = ResultCache(settings.cache_dir) if settings.cache_dir is not None else None
    options = RenderOptions.from_environment(settings.engines, tag_descriptions=settings.tag_descriptions,
                                             templates_dir=settings.templates_dir, cache_dir=settings.cache_dir,
                                             ops_record=settings.ops_record, modules_record=settings.modules_record,
                                             print_style=settings.print_style)
    renderer = page_renderer(options)
    writer = PageWriter(settings.out_dir) if settings.out_dir is not None else None
    stream = _CasePageStream(writer, settings.engines, options, renderer) if writer is not None else None
    with _worker_pool(settings, frontend) as pool:
        if results is not None:  # read while the first worker imports and the changed cases run
            pool.when_started(results.load_in_background)
        registry = load_registry(settings.cases_dir, frontend=frontend, cache=case_cache,
                                 timeout=settings.timeout, jobs=settings.jobs, pool=pool, prefetch=prefetch,
                                 progress=progress, exported=stream.exported if stream is not None else None)
        report = run_cases(registry.cases, settings.engines, cache_dir=results,
                           jobs=settings.jobs, timeout=settings.timeout, progress=progress, pool=pool,
                           prefetched=prefetch)
        if _KEPT is None:
            pool.release()  # the workers shut down while the pages are written
        summary = verify_support(registry.cases, report, [p.path for p in registry.problems])
        outcome = Outcome(settings, registry, report, summary)
        if writer is not None:
            pages = plan_pages(registry, report, options, summary, renderer)
            outcome.written = writer.finish(pages)
            outcome.render_problems = render_failures(pages)
    return outcome


class _CasePageStream:
    """Writes each case's page as soon as the process that read the case has exported it, while the
    other cases still run (the build process mostly waits then); :meth:`PageWriter.finish` later
    skips the pages written so, and writes the rest.  Pages that link operators to a recorded
    conformance run are left to the end (the links come from the whole registry), and so is
    everything after a page could not be written here (the end reports it as usual)."""

    def __init__(self, writer: PageWriter, engines: tuple[str, ...], options: RenderOptions, renderer: Renderer):
        self.writer, self.options, self.renderer = writer, options, renderer
        self.engines = tuple(describe_engine(name) for name in engines)  # as run_cases describes them
        self.on = options.ops_record is None

    def exported(self, case: Case, records: list[RunRecord]) -> None:
        if not self.on:
            return
        report = RunReport(self.engines)
        for record in records:
            report.add(record)
        try:
            self.writer.write(case_page_name(case), case_page(case, report, self.options, self.renderer))
        except Exception:  # noqa: BLE001 - the end writes this page again, and reports what fails
            self.on = False
