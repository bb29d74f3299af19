"""Render reStructuredText pages from Jinja templates and write them to disk.

All reST comes from the templates in ``templates/`` (shipped inside the wheel
as ``exportdb/templates``); a user templates directory, when given, overrides
them file by file.  Pages are a pure function of the registry, the run report
and :class:`RenderOptions`, so re-runs are byte-identical.  :func:`write_pages`
replaces a file atomically and only when its content changed, and removes the
pages it wrote last time that are no longer produced, never touching anything
outside the output directory::

    >>> pages = build_pages(registry, report, RenderOptions(("builtin",)))  # doctest: +SKIP
    >>> write_pages(pages, "docs/generated")                                # doctest: +SKIP
    WriteStats(written=3, unchanged=41, removed=0)
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

import exportdb
from exportdb import tags as taxonomy
from exportdb.registry import Case, Registry
from exportdb.runner import RunRecord, RunReport, SupportSummary

MANIFEST = ".exportdb-pages"
CASES_SUBDIR = "cases"


def builtin_templates_dir() -> Path:
    """``exportdb/templates`` in an installed wheel, else the source tree's ``templates/``."""
    package = Path(exportdb.__file__).parent
    shipped = package / "templates"
    return shipped if shipped.is_dir() else package.parent / "templates"


def code_lines(text: str, width: int = 4) -> str:
    """Indent ``text`` for a code block; blank lines stay empty, trailing spaces go.

    The text is normalised to end in exactly one newline, which shows as an empty
    last line (the layout of the seed's source blocks).
    """
    lines = text.rstrip("\n").split("\n") + [""]
    pad = " " * width
    return "\n".join(pad + line.rstrip() if line.strip() else "" for line in lines)


def tag_links(names: Iterable[str], prefix: str = "") -> str:
    """``:doc:`` links to tag pages, comma separated, in taxonomy order."""
    return ", ".join(f":doc:`{name} <{prefix}{name}>`" for name in taxonomy.sort_tags(names))


def underline(title: str, char: str, extra: int = 0) -> str:
    return char * (len(title) + extra)


class Renderer:
    """A Jinja environment over the built-in templates, optionally overridden by ``user_dir``."""

    def __init__(self, user_dir: str | Path | None = None):
        search = [str(user_dir)] if user_dir else []
        search.append(str(builtin_templates_dir()))
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(search),
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
            autoescape=False,
        )
        self.env.filters.update(code_lines=code_lines, tag_links=tag_links, underline=underline)

    def render(self, template: str, **context: Any) -> str:
        text = self.env.get_template(template).render(**context)
        return text.rstrip("\n") + "\n"


@dataclass(frozen=True)
class RenderOptions:
    """Choices that shape the pages; the first engine is the primary one."""

    engines: tuple[str, ...] = ("builtin",)
    tag_descriptions: bool = False
    timings: bool = True
    templates_dir: str | Path | None = None

    @classmethod
    def from_environment(cls, engines: Sequence[str], **kwargs: Any) -> "RenderOptions":
        """Options with timings left out when ``SOURCE_DATE_EPOCH`` is set (reproducible builds)."""
        return cls(tuple(engines), timings="SOURCE_DATE_EPOCH" not in os.environ, **kwargs)


@dataclass(frozen=True)
class EngineView:
    """One engine's outcome for one case, as the templates see it."""

    engine: str
    label: str
    text: str
    status: str
    ok: bool
    cached: bool
    seconds: float
    eager_check: str | None


def _view(record: RunRecord | None, engine: str, label: str) -> EngineView:
    if record is None:
        return EngineView(engine, label, "NotRun: this case was not run", "missing", False, False, 0.0, None)
    res = record.result
    return EngineView(engine, label, res.text, record.status, res.ok, record.cached, res.seconds,
                      res.eager_check)


def outcome_label(case: Case, view: EngineView) -> str:
    """A short word for the summary table: ``exports``, ``fails as expected``, ..."""
    if view.status in ("unavailable", "missing"):
        return "not run"
    if view.status in ("timeout", "crashed", "error"):
        return view.status
    if case.support_level == "SUPPORTED":
        return "exports" if view.ok else "**fails unexpectedly**"
    return "**exports unexpectedly**" if view.ok else "fails as expected"


@dataclass
class _PageContext:
    registry: Registry
    report: RunReport
    options: RenderOptions
    summary: SupportSummary | None
    labels: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for info in self.report.engines:
            self.labels[info.name] = f"{info.name} {info.version}".strip()

    def views(self, case: Case, rewrite: bool = False) -> list[EngineView]:
        return [_view(self.report.get(case.name, e, rewrite), e, self.labels.get(e, e))
                for e in self.options.engines]


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


def build_pages(
    registry: Registry,
    report: RunReport,
    options: RenderOptions,
    summary: SupportSummary | None = None,
) -> dict[str, str]:
    """Every generated page, as ``{relative path: reST text}``."""
    renderer = Renderer(options.templates_dir)
    ctx = _PageContext(registry, report, options, summary)
    pages: dict[str, str] = {}
    for tag in taxonomy.TAXONOMY:
        entries = [{"case": case, "result_text": ctx.views(case)[0].text}
                   for case in registry.with_tag(tag.name)]
        pages[f"{tag.name}.rst"] = renderer.render(
            "tag.rst.jinja", tag=tag, entries=entries, tag_description=options.tag_descriptions)
    for case in registry.cases:
        context = case_context(case, report, options)
        pages[f"{CASES_SUBDIR}/{case.name}.rst"] = renderer.render(
            "case.rst.jinja", tag_prefix="../", **context)
    rows = {level: [(case, [outcome_label(case, v) for v in ctx.views(case)])
                    for case in registry.cases if case.support_level == level]
            for level in ("SUPPORTED", "NOT_SUPPORTED_YET")}
    pages["index.rst"] = renderer.render(
        "index.rst.jinja",
        taxonomy=taxonomy.TAXONOMY,
        cases=registry.cases,
        rows=rows,
        engines=[ctx.labels.get(e, e) for e in options.engines],
        counts={tag.name: len(registry.with_tag(tag.name)) for tag in taxonomy.TAXONOMY},
        summary=summary,
        show_timings=options.timings,
        problems=registry.problems,
    )
    if options.timings:
        timing_rows = sorted(
            ((v.seconds, case.name, v.label, v.cached) for case in registry.cases for v in ctx.views(case)
             if v.status in ("exported", "failed")),
            key=lambda row: (-row[0], row[1], row[2]))
        pages["timings.rst"] = renderer.render("timings.rst.jinja", rows=timing_rows)
    return pages


@dataclass(frozen=True)
class WriteStats:
    written: int
    unchanged: int
    removed: int


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


def _atomic_write(target: Path, text: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".rst")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_pages(pages: Mapping[str, str], out_dir: str | Path) -> WriteStats:
    """Write ``pages`` under ``out_dir``; see the module docstring for the guarantees."""
    root = Path(out_dir)
    root.mkdir(parents=True, exist_ok=True)
    written = unchanged = removed = 0
    for rel in sorted(pages):
        target = root / rel
        if Path(rel).is_absolute() or not _inside(target, root):
            raise ValueError(f"refusing to write {rel!r}: outside the output directory {root}")
        text = pages[rel]
        try:
            if target.read_text(encoding="utf-8") == text:
                unchanged += 1
                continue
        except (OSError, UnicodeDecodeError):
            pass
        _atomic_write(target, text)
        written += 1
    manifest = root / MANIFEST
    previous = manifest.read_text(encoding="utf-8").splitlines() if manifest.exists() else []
    for rel in previous:
        target = root / rel
        if rel in pages or not rel or Path(rel).is_absolute() or not _inside(target, root):
            continue
        if target.is_file():
            target.unlink()
            removed += 1
    listing = "".join(f"{rel}\n" for rel in sorted(pages))
    if not manifest.exists() or manifest.read_text(encoding="utf-8") != listing:
        _atomic_write(manifest, listing)
    return WriteStats(written, unchanged, removed)
