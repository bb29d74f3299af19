"""The case registry: discover case files, load them, validate their fields.

A case is one Python file; its file name (without ``.py``) is the case name.
Loading runs the file with the built-in front end (PyTorch is not needed) and
reads module attributes: ``model`` and ``example_args`` (required),
``example_kwargs``, ``tags``, ``support_level``, ``dynamic_shapes``,
``extra_inputs``, ``description`` (else the model class's docstring) and an
optional ``rewrite`` model with ``rewrite_example_args``/``rewrite_example_kwargs``.

Case files are executed only in the runner's worker processes, under the
per-case timeout and the worker's sandbox (:mod:`exportdb.execution.sandbox`): a file that
loops forever, crashes the interpreter or writes files while it is imported
becomes a problem, and the process loading the registry never runs case code.
A :class:`~exportdb.execution.case_cache.CaseCache` given to :func:`load_registry` skips
files whose content is unchanged.

Every problem is one :class:`Problem` line naming ``file:line``; a bad case is
reported and left out, every other case still loads::

    >>> reg = load_registry("cases")                          # doctest: +SKIP
    >>> [str(p) for p in reg.problems]                        # doctest: +SKIP
    ["cases/bad.py:3: unknown tag 'python.clousre' (did you mean 'python.closure'?)"]
"""

from __future__ import annotations

import ast
import difflib
import hashlib
import importlib.util
import inspect
import enum
import keyword
import os
import re
import stat
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from exportdb.catalog import tags as taxonomy
from exportdb.errors import ExportError
from exportdb.engines.case_module import load_case_module, read_source
from exportdb.catalog.rst_safety import description_problems



class SupportLevel(str, enum.Enum):
    """A case's declared support level (``support_level = SupportLevel.SUPPORTED`` in the file).

    A ``str`` enum: it compares equal to its name, so templates and cached cases may use the text.
    """

    SUPPORTED = "SUPPORTED"
    NOT_SUPPORTED_YET = "NOT_SUPPORTED_YET"

    __str__ = str.__str__
    __format__ = str.__format__


SUPPORT_LEVELS: tuple[str, ...] = tuple(level.value for level in SupportLevel)
_REWRITE_FIELDS = ("rewrite", "rewrite_example_args", "rewrite_example_kwargs")
#: Every top-level name a case file may define for the generator.
CASE_FIELDS = ("model", "example_args", "example_kwargs", "dynamic_shapes", "extra_inputs", "tags",
               "support_level", "description", *_REWRITE_FIELDS)
MAX_CASE_BYTES = 256 * 1024  # a case file is a short example; anything larger is refused
MAX_TAGS = 32
DEFAULT_LOAD_TIMEOUT = 120.0  # seconds a case file may take to import (the runner's default)
_CASE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
#: What a case name must be; every place that names a case (the registry, ``exportdb new``) uses :func:`case_name_problem`.
CASE_NAME_RULE = "ASCII letters, digits and underscores, starting with a letter and not ending with an underscore"
_SHOWN_CHARS = 80


def escape_controls(text: str, keep_lines: bool = False) -> str:
    """``text`` with line breaks and other control or format characters escaped (``\\n``,
    ``\\x1b``, ``\\u202e``), so a message can neither span lines nor restyle a terminal.
    With ``keep_lines``, ``\\n`` stays: a multi-line text (a Result) keeps its lines."""
    if text.isprintable():  # the common case, checked in C: no control, format or line-break character
        return text
    out = []
    for char in text:
        if char == "\t" or char == " " or (keep_lines and char == "\n") \
                or unicodedata.category(char) not in ("Cc", "Cf", "Zl", "Zp"):
            out.append(char)
        else:
            out.append(char.encode("unicode_escape").decode("ascii"))
    return "".join(out)


def shown(value: object) -> str:
    """``repr(value)`` cut to a readable length, for messages about a field's value."""
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 - a case's object with a broken __repr__
        text = f"<{type(value).__name__} object>"
    return text if len(text) <= _SHOWN_CHARS else text[:_SHOWN_CHARS - 3] + "..."


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one case file, printed as a single line."""

    path: str
    line: int
    message: str
    hint: str | None = None

    def __str__(self) -> str:
        hint = f" (hint: {self.hint})" if self.hint else ""
        return escape_controls(f"{self.path}:{self.line}: {self.message}{hint}")


@dataclass(frozen=True)
class Case:
    """A validated case: everything the pages need except the export Result."""

    name: str
    path: Path
    source: str
    tags: tuple[str, ...]
    support_level: SupportLevel
    description: str
    digest: str
    has_kwargs: bool = False
    has_dynamic_shapes: bool = False
    rewrite_source: str | None = None
    description_line: int = 1  # where the description starts in the case file (its problems name this line)

    def __post_init__(self) -> None:
        # A case read back from the case cache holds the level's text: make it the enum again.
        object.__setattr__(self, "support_level", SupportLevel(self.support_level))

    @property
    def export_call(self) -> str:
        """The call shown under the source, e.g. ``torch.export.export(model, example_args)``."""
        extra = ", example_kwargs" if self.has_kwargs else ""
        extra += ", dynamic_shapes=dynamic_shapes" if self.has_dynamic_shapes else ""
        return f"torch.export.export(model, example_args{extra})"

    @property
    def has_rewrite(self) -> bool:
        return self.rewrite_source is not None


@dataclass(frozen=True)
class Registry:
    """The loaded cases of one directory (sorted by name) and the problems found."""

    root: Path
    cases: tuple[Case, ...]
    problems: tuple[Problem, ...] = ()

    def get(self, name: str) -> Case:
        """The case called ``name`` (KeyError when there is none)."""
        for case in self.cases:
            if case.name == name:
                return case
        raise KeyError(name)

    def with_tag(self, tag: str) -> tuple[Case, ...]:
        """Cases carrying ``tag``, in name order."""
        return tuple(case for case in self.cases if tag in case.tags)


class CaseInvalid(Exception):
    """Raised by :func:`load_case` with the problems that disqualify a case."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def default_frontend() -> str:
    """``builtin`` when exportdb's own front end is present, else ``torch`` if installed."""
    if importlib.util.find_spec("exportdb.exporter.frontend.modules") is not None:
        return "builtin"
    if importlib.util.find_spec("torch") is not None:
        return "torch"
    return "builtin"


def discover(root: str | Path) -> list[Path]:
    """Case files under ``root``: ``*.py`` not starting with ``_`` or ``.``, sorted."""
    root = Path(root)
    found = []
    for path in root.rglob("*.py"):
        parts = path.relative_to(root).parts
        if not any(part.startswith(("_", ".")) for part in parts):
            found.append(path)
    return sorted(found, key=lambda p: p.relative_to(root).as_posix())


def case_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a case name (see :data:`CASE_NAME_RULE`), or None when it can.

    >>> case_name_problem("café") is not None
    True
    """
    if _CASE_NAME.fullmatch(name) and not name.endswith("_") and not keyword.iskeyword(name):
        return None
    return f"case name {name!r} is not a plain identifier ({CASE_NAME_RULE}, not a Python keyword)"


def file_problem(real_root: str, path: Path, real_dirs: dict[Path, str]) -> Problem | None:
    """What is wrong with a case file before it is even read: its name, place or size.

    ``real_dirs`` caches the resolved directories, so only files that are links
    themselves cost a full path resolution.
    """
    shown_path, name = str(path), path.stem
    bad_name = case_name_problem(name)
    if bad_name:
        return Problem(shown_path, 1, bad_name, "name the file like my_case.py")
    try:
        status = os.lstat(path)
        link = stat.S_ISLNK(status.st_mode)
        size = os.stat(path).st_size if link else status.st_size
    except OSError as exc:
        return Problem(shown_path, 1, f"cannot read the case file: {exc.strerror}")
    parent = real_dirs.get(path.parent)
    if parent is None:
        parent = real_dirs[path.parent] = os.path.realpath(path.parent)
    real = os.path.realpath(path) if link else os.path.join(parent, path.name)
    if not real.startswith(real_root + os.sep):
        return Problem(shown_path, 1, f"the case file is a link to {real}, outside the cases directory",
                       "copy the file into the cases directory instead of linking to it")
    if size > MAX_CASE_BYTES:
        return Problem(shown_path, 1, f"the case file is {size} bytes (limit {MAX_CASE_BYTES})",
                       "a case is a short example; move data out of the file")
    return None


def load_case(path: str | Path, frontend: str | None = None, *, check_markup: bool = True) -> Case:
    """Load and validate one case file; raise :class:`CaseInvalid` when it is bad.

    ``check_markup=False`` leaves out the reST check of the description
    (:func:`description_problem`): the worker process that reads a case leaves
    it to the build process, which must not trust a check made where case
    code ran, and which parses a description in a fraction of what it costs a
    freshly forked process."""
    path = Path(path)
    shown = str(path)
    name = path.stem
    try:
        source = read_source(path)
        tree = ast.parse(source, filename=shown)
    except SyntaxError as exc:
        raise CaseInvalid([Problem(shown, exc.lineno or 1, f"syntax error: {exc.msg}",
                                   "fix the Python syntax of the case file")]) from None
    except ExportError as exc:
        raise CaseInvalid([_from_export_error(shown, exc)]) from None
    except ValueError as exc:  # null bytes in the source
        raise CaseInvalid([Problem(shown, 1, f"the file cannot be parsed: {exc}",
                                   "save the case as a plain UTF-8 text file")]) from None
    except (RecursionError, MemoryError):
        raise CaseInvalid([Problem(shown, 1, "the file is nested too deeply to parse",
                                   "flatten the deeply nested expression")]) from None
    bad_name = case_name_problem(name)
    if bad_name:
        raise CaseInvalid([Problem(shown, 1, bad_name, "name the file like my_case.py")])
    try:
        module = load_case_module(path, frontend=frontend or default_frontend())
    except ExportError as exc:
        raise CaseInvalid([_from_export_error(shown, exc)]) from None
    return _validate(path, name, source, tree, vars(module), check_markup)



def _from_export_error(shown: str, exc: ExportError) -> Problem:
    line = exc.location.lineno if exc.location else 1
    return Problem(shown, line, exc.message, exc.hint)


def _assignment_lines(tree: ast.Module) -> dict[str, int]:
    """Line of the last top-level assignment of each name."""
    lines: dict[str, int] = {}
    for node in tree.body:
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            targets = [node.target]
        for target in targets:
            for sub in ast.walk(target):
                if isinstance(sub, ast.Name):
                    lines[sub.id] = node.lineno
    return lines


def _class_nodes(tree: ast.Module) -> dict[str, ast.ClassDef]:
    return {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}


class _Checker:
    """Collects problems for one case file, each with the line of the field at fault."""

    def __init__(self, shown: str, tree: ast.Module, namespace: dict[str, Any]):
        self.shown = shown
        self.lines = _assignment_lines(tree)
        self.ns = namespace
        self.problems: list[Problem] = []

    def line(self, name: str) -> int:
        return self.lines.get(name, 1)

    def fail(self, name: str, message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(self.shown, self.line(name), message, hint))

    def missing(self, name: str, hint: str | None) -> None:
        """A required field is not defined: point at a top-level name that looks like a
        misspelling of it (``example_arg``), else at line 1."""
        others = [n for n in self.lines if n not in CASE_FIELDS]
        close = difflib.get_close_matches(name, others, n=1, cutoff=0.75)
        if close:
            self.problems.append(Problem(self.shown, self.lines[close[0]],
                                         f"no `{name}` defined at module level; `{close[0]}` is assigned here",
                                         f"did you mean `{name}`? rename `{close[0]}` to `{name}`"))
        else:
            self.fail(name, f"no `{name}` defined at module level", hint)

    def module(self, name: str, *, required: bool) -> Any:
        if name not in self.ns:
            if required:
                self.missing(name, f"assign the model instance to `{name}`")
            return None
        value = self.ns[name]
        if isinstance(value, type):
            self.fail(name, f"`{name}` is the class {value.__name__}, not an instance",
                      f"write `{name} = {value.__name__}()`")
        elif not callable(getattr(value, "forward", None)):
            self.fail(name, f"`{name}` must be an nn.Module instance, got {shown(type(value).__name__)}")
        else:
            return value
        return None

    def typed(self, name: str, kinds: tuple[type, ...], default: Any, *, required: bool = False,
              hint: str | None = None) -> Any:
        if name not in self.ns:
            if required:
                self.missing(name, hint)
            return default
        value = self.ns[name]
        if not isinstance(value, kinds):
            expected = " or ".join(k.__name__ for k in kinds)
            self.fail(name, f"`{name}` must be a {expected}, got {type(value).__name__}", hint)
            return default
        if isinstance(value, dict) and not all(isinstance(k, str) for k in value):
            self.fail(name, f"the keys of `{name}` must be strings")
        return value


def _validate(path: Path, name: str, source: str, tree: ast.Module, ns: dict[str, Any],
              check_markup: bool = True) -> Case:
    check = _Checker(str(path), tree, ns)
    model = check.module("model", required=True)
    check.typed("example_args", (tuple,), (), required=True,
                hint="example_args is a tuple of inputs, e.g. (torch.randn(3),)")
    kwargs = check.typed("example_kwargs", (dict,), {})
    dynamic_shapes = check.typed("dynamic_shapes", (dict, tuple, list, type(None)), None)
    check.typed("extra_inputs", (tuple, list, dict, type(None)), None)
    tags = _check_tags(check)
    level = _check_support_level(check)
    description, description_line = _check_description(check, tree, model)
    if check_markup and description:
        problem = _markup_problem(check.shown, description_line, description)
        if problem is not None:
            check.problems.append(problem)
    rewrite_source = _check_rewrite(check, tree, source)
    if check.problems:
        raise CaseInvalid(check.problems)
    return Case(
        name=name,
        path=path,
        source=_strip_rewrite(source, tree, ns) if rewrite_source else source,
        tags=tags,
        support_level=level,
        description=description,
        digest=hashlib.sha256(path.read_bytes()).hexdigest(),
        has_kwargs=bool(kwargs),
        has_dynamic_shapes=dynamic_shapes is not None,
        rewrite_source=rewrite_source,
        description_line=description_line,
    )


def _check_tags(check: _Checker) -> tuple[str, ...]:
    raw = check.typed("tags", (set, frozenset, list, tuple), (),
                      hint='write tags = {"python.closure"}')
    if len(raw) > MAX_TAGS:
        check.fail("tags", f"`tags` holds {len(raw)} entries (limit {MAX_TAGS})",
                   "tag a case with the few tags that describe it")
        return ()
    good = []
    for tag in raw:
        if not isinstance(tag, str):
            check.fail("tags", f"tag {shown(tag)} is not a string")
        elif not taxonomy.is_known(tag):
            close = taxonomy.suggest(tag) if len(tag) <= _SHOWN_CHARS else None
            hint = f"did you mean {close!r}?" if close else "see exportdb/tags.py for the known tags"
            check.fail("tags", f"unknown tag {shown(tag)}", hint)
        else:
            good.append(tag)
    return taxonomy.sort_tags(good)


def _check_support_level(check: _Checker) -> SupportLevel:
    if "support_level" not in check.ns:
        return SupportLevel.SUPPORTED
    level = getattr(check.ns["support_level"], "name", None)
    if level not in SUPPORT_LEVELS:
        check.fail("support_level", f"support_level must be SupportLevel.SUPPORTED or "
                   f"SupportLevel.NOT_SUPPORTED_YET, got {shown(check.ns['support_level'])}",
                   "from torch._export.db.case import SupportLevel")
        return SupportLevel.SUPPORTED
    return SupportLevel(level)


def _check_description(check: _Checker, tree: ast.Module, model: Any) -> tuple[str, int]:
    """The description and the line of the file where it starts ("" when it is missing or a placeholder)."""
    if "description" in check.ns:
        text = check.ns["description"]
        line = check.line("description")
        if isinstance(text, str) and text.strip():
            return _written_description(check, line, inspect.cleandoc(text)), line
        check.fail("description", "`description` must be a non-empty string")
        return "", line
    doc = type(model).__dict__.get("__doc__") if model is not None else None
    node = _class_nodes(tree).get(type(model).__name__) if model is not None else None
    if isinstance(doc, str) and doc.strip():
        line = node.body[0].lineno if node is not None and node.body else check.line("model")
        return _written_description(check, line, inspect.cleandoc(doc)), line
    line = (node.lineno if node else check.line("model")) if model is not None else 1
    if model is not None:
        check.problems.append(Problem(check.shown, line, "the case has no description",
                                      "add a docstring to the model class or set description = '...'"))
    return "", line


def _written_description(check: _Checker, line: int, text: str) -> str:
    """``text``, unless it is still the placeholder `exportdb new` writes (then a problem)."""
    if text.upper().startswith("TODO"):
        check.problems.append(Problem(check.shown, line, "the description is still a TODO placeholder",
                                      "replace it with one or two sentences saying what this case shows"))
        return ""
    return text


def _markup_problem(shown: str, line: int, text: str) -> Problem | None:
    """The problem with the description ``text`` (starting at ``line`` of the file shown as ``shown``)
    when it is not plain reST that cannot run directives or inject HTML (see :mod:`~exportdb.catalog.rst_safety`)."""
    for offset, message in description_problems(text):
        where = f" (line {offset} of the description)" if offset > 1 else ""
        return Problem(shown, line, message + where, "write the description as paragraphs, lists and inline markup")
    return None


def description_problem(case: Case) -> Problem | None:
    """The problem with ``case``'s description as reST (None: it is safe to paste into a page).

    :func:`load_case` runs this check unless told not to; the build process runs it on every case
    a worker read (a worker's own check could have been tampered with by the case it read)."""
    return _markup_problem(str(case.path), case.description_line, case.description)


def _check_rewrite(check: _Checker, tree: ast.Module, source: str) -> str | None:
    present = [f for f in _REWRITE_FIELDS if f in check.ns]
    if not present:
        return None
    if "rewrite" not in check.ns:
        check.fail(present[0], f"`{present[0]}` is set but there is no `rewrite` model")
        return None
    rewrite = check.module("rewrite", required=True)
    check.typed("rewrite_example_args", (tuple,), ())
    check.typed("rewrite_example_kwargs", (dict,), {})
    if rewrite is None:
        return None
    node = _class_nodes(tree).get(type(rewrite).__name__)
    if node is None:
        check.fail("rewrite", f"the class of `rewrite` ({type(rewrite).__name__}) must be "
                   "defined in the case file")
        return None
    lines = source.split("\n")
    return "\n".join(lines[_first_line(node) - 1:node.end_lineno]) + "\n"


def _first_line(node: ast.ClassDef) -> int:
    return min([node.lineno] + [d.lineno for d in node.decorator_list])


def _rewrite_spans(tree: ast.Module, ns: dict[str, Any]) -> Iterator[tuple[int, int]]:
    """Line spans (1-based, inclusive) of the rewrite class and the rewrite_* assignments."""
    rewrite_class = type(ns["rewrite"]).__name__
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == rewrite_class:
            yield _first_line(node), node.end_lineno or node.lineno
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = {t.id for t in targets if isinstance(t, ast.Name)}
            if names & set(_REWRITE_FIELDS):
                yield node.lineno, node.end_lineno or node.lineno


def _strip_rewrite(source: str, tree: ast.Module, ns: dict[str, Any]) -> str:
    """The case source without its rewrite, which the page shows on its own."""
    drop: set[int] = set()
    for first, last in _rewrite_spans(tree, ns):
        drop.update(range(first, last + 1))
    kept = [line for i, line in enumerate(source.split("\n"), start=1) if i not in drop]
    text = "\n".join(kept)
    text = re.sub(r"\n{4,}", "\n\n\n", text)
    return text.rstrip("\n") + "\n"


@dataclass(frozen=True)
class CaseSummary:
    """The JSON-friendly view of a case that ``exportdb list --json`` prints."""

    name: str
    tags: list[str]
    support_level: str
    file: str
    description: str = field(default="")
    has_rewrite: bool = False

    @classmethod
    def of(cls, case: Case) -> "CaseSummary":
        return cls(case.name, list(case.tags), case.support_level, str(case.path),
                   case.description.split("\n\n")[0].replace("\n", " "), case.has_rewrite)
