"""Sphinx extension: generate the ExportDB pages when a build starts.

Add ``"exportdb.site.sphinx_extension"`` to ``extensions`` in ``conf.py``; plain
``sphinx-build docs docs/_build/html`` then runs every case and writes the
pages into ``exportdb_output_dir`` before Sphinx reads the sources.  Config
values (all optional)::

    exportdb_cases_dir = "../cases"     # relative to conf.py
    exportdb_output_dir = "generated"   # relative to the source dir, inside it
    exportdb_engines = ["builtin"]      # the first is primary; several give one tab each
    exportdb_strict = False             # support-level mismatches fail the build
    exportdb_jobs = 0                   # worker processes, 0 = one per CPU
    exportdb_timeout = 120              # seconds per case
    exportdb_templates_dir = None       # templates overriding the built-in ones
    exportdb_tag_descriptions = False   # open tag pages with the tag's description
    exportdb_print_style = "seed"       # the builtin Results: "seed" layout or "torch" (torch 2.13's str(ep))
    exportdb_use_cache = True
    exportdb_ops_record = None          # a recorded `exportdb conformance ops` run (relative to
                                        # conf.py): adds the Operator coverage page, operators.rst
    exportdb_modules_record = None      # a recorded `exportdb conformance modules` run: modules.rst

Hand-written pages can show a case inline::

    .. exportdb-case:: cond_on_tensor_flag
       :rewrite:

and the figures of a recorded run (the path is relative to the page, or to the
source directory when it starts with ``/``)::

    .. exportdb-bench:: benchmarks/bench.json          (exportdb bench --record)
    .. exportdb-compare:: benchmarks/compare.json      (exportdb compare --record)
       :link-cases:
"""

from __future__ import annotations

import ast
import difflib
import hashlib
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging
from sphinx.util.display import status_iterator
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles

import exportdb
from exportdb.site.generate import Outcome, Settings, SettingsError, generate
from exportdb.catalog import tags as taxonomy
from exportdb.site.navigation import cases_by_home_tag, hidden_toctree
from exportdb.site.render import RenderOptions, Renderer, case_context, tag_counts
from exportdb.site import mathml
from exportdb.site.run_records import RunRecordError, render_bench, render_compare
from exportdb.execution.runner import DEFAULT_TIMEOUT

logger = logging.getLogger(__name__)

#: The types each config value accepts (Sphinx warns about others). A ``-D name=value``
#: override arrives as text: paths, engines and the timeout are read from text too.
_PATH = (str, type(None))
CONFIG_TYPES: dict[str, tuple[type, ...]] = {
    "exportdb_cases_dir": (str,),
    "exportdb_output_dir": (str,),
    "exportdb_engines": (list, tuple, str),
    "exportdb_strict": (bool,),
    "exportdb_jobs": (int,),
    "exportdb_timeout": (int, float, str),
    "exportdb_templates_dir": _PATH,
    "exportdb_tag_descriptions": (bool,),
    "exportdb_use_cache": (bool,),
    "exportdb_ops_record": _PATH,
    "exportdb_modules_record": _PATH,
    "exportdb_print_style": (str,),
}
CONFIG_DEFAULTS: dict[str, Any] = {
    "exportdb_cases_dir": "../cases",
    "exportdb_output_dir": "generated",
    "exportdb_engines": ["builtin"],
    "exportdb_strict": False,
    "exportdb_jobs": 0,
    "exportdb_timeout": str(DEFAULT_TIMEOUT),  # text, so that -D takes 2.5 as well as 120
    "exportdb_templates_dir": None,
    "exportdb_tag_descriptions": False,
    "exportdb_use_cache": True,
    "exportdb_ops_record": None,
    "exportdb_modules_record": None,
    "exportdb_print_style": "seed",
}

# Keyed by the build environment, which directives can reach without the app.
#: The name the ``exportdb-tags`` directive is recorded under among a page's inline uses
#: (not a valid case name, so no case can collide with it).
TAGS_USE = "<tags>"
_OUTCOMES: "weakref.WeakKeyDictionary[Any, Outcome]" = weakref.WeakKeyDictionary()


def _as_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def _as_list(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = value.split(",")
    return tuple(str(v).strip() for v in value if str(v).strip())


def _as_seconds(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise SettingsError(f"exportdb_timeout = {value!r} is not a number of seconds") from None


def conf_py_names(conf_py: Path) -> list[tuple[str, int]]:
    """The names conf.py assigns at its top level, with their lines (read with :mod:`ast`, not run)."""
    try:
        tree = ast.parse(conf_py.read_text(encoding="utf-8"), str(conf_py))
    except (OSError, SyntaxError, ValueError):
        return []  # Sphinx itself reports a conf.py it cannot run
    found = []
    for statement in tree.body:
        targets: list[ast.expr] = []
        if isinstance(statement, ast.Assign):
            targets = list(statement.targets)
        elif isinstance(statement, (ast.AnnAssign, ast.AugAssign)):
            targets = [statement.target]
        for target in targets:
            for node in ast.walk(target):
                if isinstance(node, ast.Name):
                    found.append((node.id, statement.lineno))
    return found


def check_config_names(names: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Warnings (text, line) for ``exportdb_*`` names that are not config values."""
    out = []
    for name, line in names:
        if name.startswith("exportdb_") and name not in CONFIG_DEFAULTS:
            close = difflib.get_close_matches(name, CONFIG_DEFAULTS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            out.append((f"unknown config value {name!r}{hint}", line))
    return out


def settings_from_config(app: Sphinx) -> Settings:
    """Turn the ``exportdb_*`` config values into checked :class:`Settings`."""
    cfg = app.config
    srcdir = Path(app.srcdir).resolve()
    out_dir = (srcdir / cfg.exportdb_output_dir).resolve()
    if out_dir == srcdir or srcdir not in out_dir.parents:
        raise SettingsError(f"exportdb_output_dir = {cfg.exportdb_output_dir!r} must name a "
                            f"subdirectory of the source directory {srcdir}")
    templates = cfg.exportdb_templates_dir
    record = cfg.exportdb_ops_record
    modules_record = cfg.exportdb_modules_record
    return Settings(
        cases_dir=(Path(app.confdir) / cfg.exportdb_cases_dir).resolve(),
        out_dir=out_dir,
        engines=_as_list(cfg.exportdb_engines),
        jobs=int(cfg.exportdb_jobs) or None,
        timeout=_as_seconds(cfg.exportdb_timeout),
        use_cache=_as_bool(cfg.exportdb_use_cache),
        templates_dir=(Path(app.confdir) / templates).resolve() if templates else None,
        tag_descriptions=_as_bool(cfg.exportdb_tag_descriptions),
        strict=_as_bool(cfg.exportdb_strict),
        ops_record=(Path(app.confdir) / record).resolve() if record else None,
        modules_record=(Path(app.confdir) / modules_record).resolve() if modules_record else None,
        print_style=str(cfg.exportdb_print_style).strip(),
    ).checked()


class SphinxProgress:
    """The runner's progress callback shown by Sphinx's own status iterator: ``exportdb: running
    the cases... [ 40%] case_name``, on one line on a terminal, a line per case otherwise."""

    def __init__(self, verbosity: int):
        self._verbosity = verbosity
        self._shown: Iterator[str] | None = None
        self._label = ""
        self._total = 0

    def _labels(self) -> Iterator[str]:
        while True:
            yield self._label

    def __call__(self, done: int, total: int, label: str) -> None:
        if self._shown is not None and total != self._total:  # a new phase (reading, then the other exports)
            self.close()
            self._shown = None
        if self._shown is None:
            self._total = total
            self._shown = status_iterator(self._labels(), "exportdb: running the cases... ", "darkgreen",
                                          total, self._verbosity)
        self._label = label
        next(self._shown)

    def close(self) -> None:
        if self._shown is not None:
            self._shown.close()
            logger.info("")  # what the iterator prints after its last item


def on_builder_inited(app: Sphinx) -> None:
    """Run the cases and write the pages before Sphinx collects the sources."""
    conf_py = Path(app.confdir) / "conf.py"
    for message, line in check_config_names(conf_py_names(conf_py)):
        logger.warning("exportdb: %s", message, type="exportdb", subtype="config", location=f"{conf_py}:{line}")
    try:
        settings = settings_from_config(app)
    except SettingsError as exc:
        raise ExtensionError(f"exportdb: {exc}") from None
    logger.info("exportdb: running the cases in %s", settings.cases_dir)
    progress = SphinxProgress(app.verbosity)
    try:
        outcome = generate(settings, progress=progress)
    except OSError as exc:  # a read-only output directory: one line, not a traceback
        where = f"{exc.filename}: " if exc.filename else ""
        raise ExtensionError(f"exportdb: cannot write the generated pages ({where}{exc.strerror or exc}); "
                             "check that the output and cache directories are writable") from None
    finally:
        progress.close()
    _OUTCOMES[app.env] = outcome
    for severity, line in outcome.messages():
        if severity == "info":
            logger.info("exportdb: %s", line)
        else:
            logger.warning("exportdb: %s", line, type="exportdb", subtype="case")
    for line in outcome.summary.lines():
        logger.info("exportdb: %s", line)
    if outcome.written is not None:
        w = outcome.written
        logger.info("exportdb: pages %d written, %d unchanged, %d removed", w.written, w.unchanged, w.removed)
    if settings.strict and outcome.failed:
        raise ExtensionError("exportdb: strict build, and some cases are broken or do not match "
                             "their declared support level (see the warnings above)")


def outcome_for(env: Any) -> Outcome:
    """The outcome of this build's generation run."""
    try:
        return _OUTCOMES[env]
    except KeyError:
        raise ExtensionError("exportdb: no generation run in this build") from None


def _inline_text(env: Any, name: str, options: dict[str, Any]) -> tuple[str, Path]:
    outcome = outcome_for(env)
    try:
        case = outcome.registry.get(name)
    except KeyError:
        names = [c.name for c in outcome.registry.cases]
        close = difflib.get_close_matches(name, names, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ValueError(f"unknown case {name!r}{hint}") from None
    engines = outcome.settings.engines
    if options.get("engine"):
        engines = (options["engine"],) + tuple(e for e in engines if e != options["engine"])
    render_options = RenderOptions(engines[:1] if "engine" in options else engines, timings=False,
                                   print_style=outcome.settings.print_style)
    context = case_context(case, outcome.report, render_options)
    renderer = Renderer(outcome.settings.templates_dir)
    text = renderer.render("inline_case.rst.jinja", tag_prefix=_tag_prefix(env.srcdir, outcome),
                           show_source="no-source" not in options, show_result="no-result" not in options,
                           show_rewrite="rewrite" in options, **context)
    return text, case.path


def _tag_prefix(srcdir: Any, outcome: Outcome) -> str:
    assert outcome.settings.out_dir is not None
    rel = Path(outcome.settings.out_dir).relative_to(Path(srcdir).resolve())
    return "/" + rel.as_posix() + "/"


class CaseDirective(SphinxDirective):
    """``.. exportdb-case:: NAME`` renders a registry case with its live Result."""

    required_arguments = 1
    has_content = False
    option_spec = {
        "engine": directives.unchanged,
        "no-source": directives.flag,
        "no-result": directives.flag,
        "rewrite": directives.flag,
    }

    def run(self) -> list[nodes.Node]:
        name = self.arguments[0]
        try:
            text, path = _inline_text(self.env, name, self.options)
        except ValueError as exc:
            raise self.error(f"exportdb-case: {exc}") from None
        self.env.note_dependency(str(path))
        used = getattr(self.env, "exportdb_inline_cases", {})
        used.setdefault(self.env.docname, []).append((name, dict(self.options), _digest(text)))
        self.env.exportdb_inline_cases = used
        container = nodes.container(classes=["exportdb-case"])
        nested_parse_with_titles(self.state, StringList(text.splitlines(), source=f"<exportdb-case {name}>"),
                                 container)
        return [container]


def _tags_text(env: Any) -> str:
    outcome = outcome_for(env)
    return Renderer(outcome.settings.templates_dir).render(
        "tag_list.rst.jinja", taxonomy=taxonomy.TAXONOMY, cases=outcome.registry.cases,
        counts=tag_counts(outcome.registry), tag_prefix=_tag_prefix(env.srcdir, outcome))


class TagsDirective(SphinxDirective):
    """``.. exportdb-tags::`` lists the tags, each linking its page, with counts and descriptions
    (the landing page opens on the database with it)."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        text = _tags_text(self.env)
        used = getattr(self.env, "exportdb_inline_cases", {})
        used.setdefault(self.env.docname, []).append((TAGS_USE, {}, _digest(text)))
        self.env.exportdb_inline_cases = used
        container = nodes.container(classes=["exportdb-tags"])
        nested_parse_with_titles(self.state, StringList(text.splitlines(), source="<exportdb-tags>"), container)
        return [container]


class _RecordDirective(SphinxDirective):
    """Base of the directives that show a checked-in run record; the page is re-read when it changes."""

    required_arguments = 1
    has_content = False

    def record_text(self, path: Path) -> str:
        raise NotImplementedError

    def run(self) -> list[nodes.Node]:
        rel, path = self.env.relfn2path(self.arguments[0], self.env.docname)
        try:
            text = self.record_text(Path(path))
        except RunRecordError as exc:
            raise self.error(f"{self.name}: {exc}") from None
        self.env.note_dependency(rel)
        container = nodes.container(classes=[self.name])
        nested_parse_with_titles(self.state, StringList(text.splitlines(), source=f"<{self.name} {rel}>"),
                                 container)
        return [container]


class BenchDirective(_RecordDirective):
    """``.. exportdb-bench:: RECORD`` shows an ``exportdb bench --record`` run: stamp and figures."""

    def record_text(self, path: Path) -> str:
        return render_bench(path, _templates_dir(self.env))


class CompareDirective(_RecordDirective):
    """``.. exportdb-compare:: RECORD`` shows an ``exportdb compare --record`` run: the summary and
    a per-case agree/differ table (``:link-cases:``: case names link to their generated pages)."""

    option_spec = {"link-cases": directives.flag}

    def record_text(self, path: Path) -> str:
        prefix = ""
        if "link-cases" in self.options:
            prefix = _tag_prefix(self.env.srcdir, outcome_for(self.env)) + "cases/"
        return render_compare(path, _templates_dir(self.env), prefix)


def _templates_dir(env: Any) -> Path | None:
    outcome = _OUTCOMES.get(env)
    return outcome.settings.templates_dir if outcome is not None else None


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def remove_outputs(app: Sphinx, docnames: set) -> None:
    """Delete what earlier builds wrote for documents that are gone (a deleted or broken
    case's page): Sphinx forgets them but leaves their HTML in the site."""
    outfile = getattr(app.builder, "get_outfilename", None)
    if outfile is None:  # not an HTML builder
        return
    for docname in docnames:
        Path(outfile(docname)).unlink(missing_ok=True)
        for suffix in app.config.source_suffix:
            Path(app.outdir, "_sources", docname + suffix + ".txt").unlink(missing_ok=True)


def on_env_get_outdated(app: Sphinx, env: Any, added: set, changed: set, removed: set) -> list[str]:
    """Remove the pages of documents that are gone; re-read hand-written pages whose inline
    cases now render differently."""
    remove_outputs(app, removed)
    stale = []
    for docname, uses in sorted(getattr(env, "exportdb_inline_cases", {}).items()):
        for name, options, digest in uses:
            try:
                text = _tags_text(env) if name == TAGS_USE else _inline_text(env, name, options)[0]
            except (ValueError, ExtensionError):
                text = ""
            if _digest(text) != digest:
                stale.append(docname)
                break
    return stale


def on_source_read(app: Sphinx, docname: str, source: list[str]) -> None:
    """Give each generated tag page a hidden toctree of the cases that sit under it, so the
    sidebar groups the cases by tag; the page's file keeps the seed layout (see
    :mod:`exportdb.site.navigation`)."""
    outcome = _OUTCOMES.get(app.env)
    if outcome is None or outcome.settings.out_dir is None:
        return
    prefix = _tag_prefix(app.env.srcdir, outcome)[1:]
    if not docname.startswith(prefix):
        return
    tag = docname[len(prefix):]
    names = cases_by_home_tag(outcome.registry.cases).get(tag) if "/" not in tag else None
    if names:
        source[0] += hidden_toctree(names)


def on_env_purge_doc(app: Sphinx, env: Any, docname: str) -> None:
    getattr(env, "exportdb_inline_cases", {}).pop(docname, None)


def on_env_merge_info(app: Sphinx, env: Any, docnames: set, other: Any) -> None:
    mine = getattr(env, "exportdb_inline_cases", {})
    theirs = getattr(other, "exportdb_inline_cases", {})
    mine.update({doc: uses for doc, uses in theirs.items() if doc in docnames})
    env.exportdb_inline_cases = mine


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the config values, the directive and the event handlers."""
    # Case pages and the directive put the Results of several engines in tabs.
    app.setup_extension("sphinx_inline_tabs")
    mathml.setup(app)  # math as MathML written at build time: no MathJax from a CDN, no script
    for name, default in CONFIG_DEFAULTS.items():
        app.add_config_value(name, default, "env", types=CONFIG_TYPES[name])
    app.add_directive("exportdb-case", CaseDirective)
    app.add_directive("exportdb-tags", TagsDirective)
    app.add_directive("exportdb-bench", BenchDirective)
    app.add_directive("exportdb-compare", CompareDirective)
    app.connect("builder-inited", on_builder_inited)
    app.connect("env-get-outdated", on_env_get_outdated)
    app.connect("source-read", on_source_read)
    app.connect("env-purge-doc", on_env_purge_doc)
    app.connect("env-merge-info", on_env_merge_info)
    return {"version": exportdb.__version__, "env_version": 1,
            "parallel_read_safe": True, "parallel_write_safe": True}
