"""Render reStructuredText pages from Jinja templates and write them to disk.

All reST comes from the templates in ``templates/`` (shipped inside the wheel
as ``exportdb/templates``); a user templates directory, when given, overrides
them file by file.  Pages are a pure function of the registry, the run report
and :class:`RenderOptions`, so re-runs are byte-identical; they are written by
:mod:`exportdb.site.page_writer`::

    >>> pages = build_pages(registry, report, RenderOptions(("builtin",)))  # doctest: +SKIP
    >>> write_pages(pages, "docs/generated")                                # doctest: +SKIP
    WriteStats(written=3, unchanged=41, removed=0)
"""

from __future__ import annotations

import ast
import hashlib
import inspect
import itertools
import os
import tokenize
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import exportdb
from exportdb.catalog import tags as taxonomy
from exportdb.catalog.registry import Case, Problem, Registry, SupportLevel, escape_controls
from exportdb.execution.result_cache import clear_non_file, warn
from exportdb.execution.runner import RunRecord, RunReport, RunStatus, SupportSummary
from exportdb.site.module_coverage import load_module_coverage
from exportdb.site.navigation import CASES_SUBDIR, cases_by_home_tag
from exportdb.site.op_coverage import Coverage, aten_calls, case_links, link_cases, load_coverage, rst_cell
from exportdb.execution.result_cache import exporter_fingerprint

def builtin_templates_dir() -> Path:
    """``exportdb/templates`` in an installed wheel, else the source tree's ``templates/``."""
    package = Path(exportdb.__file__).parent
    shipped = package / "templates"
    return shipped if shipped.is_dir() else package.parent / "templates"


def code_lines(text: str, width: int = 4) -> str:
    """Indent ``text`` for a code block; blank lines stay empty, trailing spaces go.

    The text is normalised to end in exactly one newline, which shows as an empty
    last line (the layout of the seed's source blocks).  Lines are split wherever
    docutils splits them (``\\r``, ``\\x1c``, ``\\u2028`` and the other Unicode
    line breaks, not only ``\\n``), so no text can leave the block and be read
    as markup.  Control and format characters (``ESC``, ``BEL``, bidirectional
    overrides) are shown escaped (``\\x1b``).
    """
    lines = (text.replace("\r\n", "\n").rstrip("\n").splitlines() or [""]) + [""]
    pad = " " * width
    return "\n".join([pad + escape_controls(stripped) if (stripped := line.rstrip()) else "" for line in lines])


def without_docstring(source: str, description: str, line: int) -> str:
    """``source`` without the class docstring that is ``description`` and starts at ``line`` (the
    page shows it once, as its opening paragraph); the source as is when no string statement
    starting there is the description (``description = "..."`` in the file, for instance).

    Only the statement at ``line`` is tokenized, not the whole file parsed: a build renders
    thousands of case pages."""
    lines = source.splitlines(keepends=True)
    if not 1 <= line <= len(lines) or not lines[line - 1][:1].isspace():  # a class docstring is indented
        return source
    try:
        tokens = [token for token in itertools.islice(
            tokenize.generate_tokens(iter(lines[line - 1:]).__next__), 4) if token.type != tokenize.INDENT]
        string, end = tokens[0], tokens[1]
        if string.type != tokenize.STRING or end.type not in (tokenize.NEWLINE, tokenize.COMMENT):
            return source
        text = ast.literal_eval(string.string)
    except (tokenize.TokenError, SyntaxError, ValueError, IndexError):
        return source
    if not isinstance(text, str) or inspect.cleandoc(text) != description.strip():
        return source
    last = line - 1 + string.end[0]  # the docstring's last line, counted from 1
    if last < len(lines) and not lines[last].strip():  # the blank line after the docstring
        last += 1
    return "".join(lines[:line - 1] + lines[last:])

def rst_text(text: str) -> str:
    """``text`` as inert inline reST: one line, every ASCII punctuation mark backslash-escaped.

    For text that comes from a case (an error message, a value's repr) and is
    placed in running text rather than in a code block.
    """
    flat = " ".join(escape_controls(text).split())
    return "".join("\\" + char if char.isascii() and not char.isalnum() and char != " " else char
                   for char in flat)


def tag_links(names: Iterable[str], prefix: str = "") -> str:
    """``:doc:`` links to tag pages, comma separated, in taxonomy order."""
    return ", ".join(f":doc:`{name} <{prefix}{name}>`" for name in taxonomy.sort_tags(names))


def underline(title: str, char: str, extra: int = 0) -> str:
    return char * (len(title) + extra)


class Renderer:
    """A Jinja environment over the built-in templates, optionally overridden by ``user_dir``.

    The environment is made on the first render (a run that renders nothing
    never loads Jinja); with ``bytecode_dir`` compiled templates are kept there
    between runs.
    """

    def __init__(self, user_dir: str | Path | None = None, bytecode_dir: str | Path | None = None):
        search = [str(user_dir)] if user_dir else []
        search.append(str(builtin_templates_dir()))
        self.search = search
        self.bytecode_dir = Path(bytecode_dir) if bytecode_dir is not None else None
        self.failures: list[Problem] = []  # case pages that could not be rendered (see Page.text)
        self._env: Any = None
        self._fingerprint: str | None = None

    @property
    def env(self) -> Any:
        """The ``jinja2.Environment`` (templates are read once per renderer, not checked again)."""
        if self._env is None:
            import jinja2

            cache = None
            if self.bytecode_dir is not None:
                try:
                    self.bytecode_dir.mkdir(parents=True, exist_ok=True)
                    cache = _healing_bytecode_cache(jinja2, self.bytecode_dir)
                except OSError:
                    cache = None  # compile every run: slower, same pages
            env = jinja2.Environment(
                loader=jinja2.FileSystemLoader(self.search),
                undefined=jinja2.StrictUndefined,
                keep_trailing_newline=True,
                trim_blocks=True,
                lstrip_blocks=True,
                autoescape=False,
                auto_reload=False,
                bytecode_cache=cache,
            )
            env.filters.update(code_lines=code_lines, tag_links=tag_links, underline=underline,
                               without_docstring=without_docstring,
                               rst_text=rst_text, rst_cell=rst_cell)
            self._env = env
        return self._env

    def render(self, template: str, **context: Any) -> str:
        text = self.env.get_template(template).render(**context)
        return text.rstrip("\n") + "\n"

    @property
    def fingerprint(self) -> str:
        """A hash of exportdb's code and of every template this renderer can load."""
        if self._fingerprint is None:
            digest = hashlib.sha256(exporter_fingerprint().encode())
            for directory in self.search:
                for path in sorted(Path(directory).rglob("*.jinja")):
                    digest.update(b"\0" + str(path).encode() + b"\0" + path.read_bytes())
            self._fingerprint = digest.hexdigest()
        return self._fingerprint


@dataclass(frozen=True)
class Page:
    """A page not rendered yet: its template and context.

    :meth:`key` hashes everything the text depends on (the code, the templates,
    the ``repr`` of the context, whose values are dataclasses and builtins), so
    :func:`write_pages` can skip rendering a page whose key it wrote last time.
    """

    renderer: Renderer
    template: str
    context: dict[str, Any]
    memo: dict[int, str] = field(default_factory=dict, compare=False, repr=False)
    case: Case | None = field(default=None, compare=False, repr=False)  # the case whose own page this is

    def key(self) -> str:
        digest = hashlib.sha256(f"{self.renderer.fingerprint}\0{self.template}\0".encode())
        digest.update(_context_repr(self.context, self.memo).encode())
        return digest.hexdigest()

    def text(self) -> str:
        """The page; a case's own page that cannot be rendered (whatever the exception) becomes a
        short page saying so, and a problem line of that case in :attr:`Renderer.failures`."""
        try:
            return self.renderer.render(self.template, **self.context)
        except Exception as exc:  # noqa: BLE001 - one case's page fails alone, never the build
            if self.case is None:
                raise
            return failed_page(self.case, exc, self.renderer.failures)


def failed_page(case: Case, exc: BaseException, failures: list[Problem]) -> str:
    """The page of ``case`` when rendering it raised ``exc``: its title and the error, as text only."""
    detail = str(exc).splitlines()[0] if str(exc).strip() else ""
    error = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
    failures.append(Problem(str(case.path), 1, f"the case's page could not be rendered ({error})",
                            "the rest of the site is built; simplify the case's description and fields"))
    return (f"{case.name}\n{underline(case.name, '=')}\n\n"
            "This case's page could not be rendered:\n\n.. code-block:: text\n\n"
            f"{code_lines(error)}")


def render_failures(pages: Mapping[str, Any]) -> tuple[Problem, ...]:
    """The problem lines of the case pages of ``pages`` that could not be rendered so far."""
    renderers = {id(page.renderer): page.renderer for page in pages.values() if isinstance(page, Page)}
    return tuple(problem for renderer in renderers.values() for problem in renderer.failures)


def _builtin_text(ctx: "_PageContext", case: Case) -> str:
    return next((v.text for v in ctx.views(case) if v.engine == "builtin" and v.ok), "")


def _coverage(registry: Registry, ctx: "_PageContext", options: "RenderOptions") -> Coverage | None:
    """The recorded conformance run with each op's cases, or None without a record."""
    if options.ops_record is None:
        return None
    coverage = load_coverage(Path(options.ops_record))
    return link_cases(coverage, [(case.name, aten_calls(_builtin_text(ctx, case))) for case in registry.cases])


def _case_ops(coverage: Coverage | None, ctx: "_PageContext", case: Case) -> list[tuple[str, list[tuple[str, str]]]]:
    """(aten overload, [(op name, row label)]) for each operator the case's built-in program calls."""
    if coverage is None:
        return []
    return [(overload, [(row.name, row.label) for row in rows])
            for overload, rows in case_links(coverage, aten_calls(_builtin_text(ctx, case)))]


@dataclass(frozen=True)
class RenderOptions:
    """Choices that shape the pages; the first engine is the primary one."""

    engines: tuple[str, ...] = ("builtin",)
    tag_descriptions: bool = False
    timings: bool = True
    templates_dir: str | Path | None = None
    cache_dir: str | Path | None = None  # where compiled templates are kept between runs (None: nowhere)
    ops_record: str | Path | None = None  # a recorded `exportdb conformance ops` run: the Operator coverage page
    modules_record: str | Path | None = None  # a recorded `exportdb conformance modules` run: Module coverage
    print_style: str = "seed"  # how the builtin engine's programs print: "seed" or "torch" (PRINT_STYLES)

    @classmethod
    def from_environment(cls, engines: Sequence[str], **kwargs: Any) -> "RenderOptions":
        """Options with timings left out when ``SOURCE_DATE_EPOCH`` is set (reproducible builds)."""
        return cls(tuple(engines), timings="SOURCE_DATE_EPOCH" not in os.environ, **kwargs)


# The name each engine's tab carries on a case page that shows several engines.
ENGINE_TAB_LABELS = {"builtin": "builtin", "torch": "torch.export"}


@dataclass(frozen=True)
class EngineView:
    """One engine's outcome for one case, as the templates see it."""

    engine: str
    label: str
    text: str
    status: str
    ok: bool
    cached: bool = field(repr=False)  # says how this run got it, not what a page shows: not in page keys
    seconds: float
    eager_check: str | None
    hint: str | None = None  # how to fix a failure, as ``exportdb show`` prints it

    @property
    def tab_label(self) -> str:
        """The title of this engine's tab (``builtin``, ``torch.export``)."""
        return ENGINE_TAB_LABELS.get(self.engine, self.engine)


def _view(record: RunRecord | None, engine: str, label: str, style: str = "seed") -> EngineView:
    if record is None:
        return EngineView(engine, label, "NotRun: this case was not run", "missing", False, False, 0.0, None)
    res = record.result
    check = res.eager_check if res.eager_check in (None, "match") else rst_text(res.eager_check)
    hint = res.extra.get("hint") if not res.ok else None
    return EngineView(engine, label, res.text_in(style), record.status, res.ok, record.cached, res.seconds, check,
                      rst_text(hint) if isinstance(hint, str) and hint else None)


def outcome_label(case: Case, view: EngineView) -> str:
    """A short word for the summary table: ``exports``, ``fails as expected``, ..."""
    if view.status in ("unavailable", "missing"):
        return "not run"
    if view.status in (RunStatus.TIMEOUT, RunStatus.CRASHED, RunStatus.ERROR):
        return view.status
    if case.support_level == SupportLevel.SUPPORTED:
        return "exports" if view.ok else "**fails unexpectedly**"
    return "**exports unexpectedly**" if view.ok else "fails as expected"


@dataclass
class _PageContext:
    registry: Registry
    report: RunReport
    options: RenderOptions
    summary: SupportSummary | None
    labels: dict[str, str] = field(default_factory=dict)
    memo: dict[tuple[str, bool], list[EngineView]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for info in self.report.engines:
            self.labels[info.name] = f"{info.name} {info.version}".strip()

    def views(self, case: Case, rewrite: bool = False) -> list[EngineView]:
        key = (case.name, rewrite)
        found = self.memo.get(key)
        if found is None:
            found = self.memo[key] = [_view(self.report.get(case.name, e, rewrite), e, self.labels.get(e, e),
                                            self.options.print_style) for e in self.options.engines]
        return list(found)


def case_context(case: Case, report: RunReport, options: RenderOptions) -> dict[str, Any]:
    """Template context of one case (shared by case pages and the Sphinx directive)."""
    ctx = _PageContext(Registry(Path("."), (case,)), report, options, None)
    results = ctx.views(case)
    return {
        "case": case,
        "results": results,
        "primary": results[0],
        "rewrite_results": ctx.views(case, rewrite=True) if case.has_rewrite else [],
        "show_timings": options.timings,
        "tag_descriptions": [taxonomy.get_tag(t) for t in case.tags],
    }


_ATOMS = frozenset({str, int, float, bool, type(None)})


def _context_repr(value: Any, memo: dict[int, str]) -> str:
    """``repr(value)``, with each :class:`Case`, :class:`EngineView` and tag as the SHA-256 of its repr.

    A case appears on its own page, its tags' pages and the index; its repr
    (which holds the source) is the costly part of every key, and so is the
    repr of a Result.  Each is computed once per plan: the memo is keyed by
    ``id`` and serves the pages of one plan, whose contexts keep every object
    it names alive.
    """
    kind = type(value)
    if kind in _ATOMS:
        return repr(value)
    if kind is Case or kind is EngineView or kind is taxonomy.Tag:
        text = memo.get(id(value))
        if text is None:  # a digest: a page key then hashes each case's source once, not once per page
            text = memo[id(value)] = f"<{hashlib.sha256(repr(value).encode()).hexdigest()}>"
        return text
    if kind is dict:
        return "{" + ", ".join([f"{k!r}: {_context_repr(v, memo)}" for k, v in sorted(value.items())]) + "}"
    if kind is list or kind is tuple:
        return f"{kind.__name__}(" + ", ".join([_context_repr(v, memo) for v in value]) + ")"
    if isinstance(value, (Case, EngineView, taxonomy.Tag, dict, list, tuple)):  # subclasses: the slow path
        if isinstance(value, dict):
            return "{" + ", ".join(f"{k!r}: {_context_repr(v, memo)}" for k, v in sorted(value.items())) + "}"
        if isinstance(value, (list, tuple)):
            return f"{type(value).__name__}(" + ", ".join(_context_repr(v, memo) for v in value) + ")"
    return repr(value)


def build_pages(
    registry: Registry,
    report: RunReport,
    options: RenderOptions,
    summary: SupportSummary | None = None,
) -> dict[str, str]:
    """Every generated page, as ``{relative path: reST text}``."""
    return {rel: page.text() for rel, page in plan_pages(registry, report, options, summary).items()}


def tag_counts(registry: Registry) -> dict[str, int]:
    """How many cases carry each tag of the taxonomy."""
    return {tag.name: len(registry.with_tag(tag.name)) for tag in taxonomy.TAXONOMY}


def page_renderer(options: RenderOptions) -> Renderer:
    """The renderer of a run's pages (templates compiled once, kept in the cache directory)."""
    return Renderer(options.templates_dir,
                    Path(options.cache_dir) / "templates" if options.cache_dir is not None else None)


def case_page_name(case: Case) -> str:
    return f"{CASES_SUBDIR}/{case.name}.rst"


def case_page(case: Case, report: RunReport, options: RenderOptions, renderer: Renderer,
              coverage: Coverage | None = None, memo: dict[int, str] | None = None) -> Page:
    """The page of ``case`` (see :func:`case_context`), with the operators of the recorded ``coverage``
    its program calls; a build writes it as soon as the case has run (see :func:`plan_pages`)."""
    ctx = _PageContext(Registry(Path("."), (case,)), report, options, None)
    context = case_context(case, report, options)
    return Page(renderer, "case.rst.jinja", dict(tag_prefix="../", ops=_case_ops(coverage, ctx, case), **context),
                {} if memo is None else memo, case)


def plan_pages(
    registry: Registry,
    report: RunReport,
    options: RenderOptions,
    summary: SupportSummary | None = None,
    renderer: Renderer | None = None,
) -> dict[str, Page]:
    """Every generated page, as ``{relative path: Page}``, rendered only when asked (by ``renderer``,
    when given: the one that rendered the case pages written earlier in the run)."""
    renderer = renderer or page_renderer(options)
    ctx = _PageContext(registry, report, options, summary)
    memo: dict[int, str] = {}
    pages: dict[str, Page] = {}
    for tag in taxonomy.TAXONOMY:
        entries = [{"case": case, "result_text": ctx.views(case)[0].text}
                   for case in registry.with_tag(tag.name)]
        pages[f"{tag.name}.rst"] = Page(renderer, "tag.rst.jinja", dict(
            tag=tag, entries=entries, tag_description=options.tag_descriptions), memo)
    coverage = _coverage(registry, ctx, options)
    for case in registry.cases:
        pages[case_page_name(case)] = case_page(case, report, options, renderer, coverage, memo)
    if coverage is not None:
        pages["operators.rst"] = Page(renderer, "operators.rst.jinja", dict(
            coverage=coverage, labels={row.name: row.label for row in coverage.rows}), memo)
    if options.modules_record is not None:
        modules = load_module_coverage(Path(options.modules_record))
        pages["modules.rst"] = Page(renderer, "modules.rst.jinja", dict(
            coverage=modules, labels={row.name: row.label for row in modules.rows}), memo)
    rows = {level: [(case, [outcome_label(case, v) for v in ctx.views(case)])
                    for case in registry.cases if case.support_level == level]
            for level in SupportLevel}
    pages["index.rst"] = Page(renderer, "index.rst.jinja", dict(
        taxonomy=taxonomy.TAXONOMY,
        cases=registry.cases,
        index_cases=cases_by_home_tag(registry.cases).get(None, []),  # the others sit under their tag page
        rows=rows,
        engines=[ctx.labels.get(e, e) for e in options.engines],
        counts=tag_counts(registry),
        tag_prefix="",
        summary=summary,
        show_timings=options.timings,
        problems=registry.problems,
    ), memo)
    if options.timings:
        timing_rows = sorted(
            ((v.seconds, case.name, v.label) for case in registry.cases for v in ctx.views(case)
             if v.status in (RunStatus.EXPORTED, RunStatus.FAILED)),
            key=lambda row: (-row[0], row[1], row[2]))
        pages["timings.rst"] = Page(renderer, "timings.rst.jinja", dict(rows=timing_rows), memo)
    return pages


def _healing_bytecode_cache(jinja2: Any, directory: Path) -> Any:
    """Jinja's on-disk template cache, except that an unreadable entry (a truncated file, a
    directory in its place) is deleted with one warning and the template compiled again."""

    class HealingBytecodeCache(jinja2.FileSystemBytecodeCache):
        warned = False

        def load_bytecode(self, bucket: Any) -> None:
            path = Path(self._get_cache_filename(bucket))
            try:
                super().load_bytecode(bucket)
            except Exception as exc:  # noqa: BLE001 - any damage: compile again
                bucket.reset()
                if not self.warned:  # one line for the whole cache
                    self.warned = True
                    warn(f"template cache {path.parent}: an entry cannot be read ({type(exc).__name__}); "
                         "the damaged entries are discarded and rebuilt")
                try:
                    path.unlink()
                except OSError:
                    pass

        def dump_bytecode(self, bucket: Any) -> None:
            path = Path(self._get_cache_filename(bucket))
            clear_non_file(path, "the template cache entry")
            try:
                super().dump_bytecode(bucket)
            except OSError:
                pass  # not kept: compiled again next run

    return HealingBytecodeCache(str(directory))
