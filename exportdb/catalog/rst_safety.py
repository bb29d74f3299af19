"""Check that a case description is plain, clean reStructuredText before it reaches a page.

A description is pasted into the generated pages as reST, and Sphinx runs
whatever markup it finds there with full rights: ``.. include::`` reads any
file, ``.. raw:: html`` puts HTML straight into the site, ``:download:`` copies
a file into it, and a stray ``foo_`` or an unclosed ``````x`` fails a ``-W``
build.  So a description may only hold paragraphs, lists, block quotes,
literal blocks (``::``) and inline markup (emphasis, inline literals, ``math``,
``sub``/``sup``, and links to ``http(s)`` addresses); anything else is
reported, one problem per description, with the line inside the description::

    >>> description_problems("Adds ``x`` to itself.")
    []
    >>> description_problems("Text.\\n\\n.. raw:: html\\n\\n   <b>hi</b>\\n")
    [(3, 'the description uses the `raw` directive; directives are not allowed in a description')]

The check parses the text with plain docutils, with ``raw`` and file insertion
switched off, so checking never reads a file either.  It runs in the build
process, where Sphinx has added its own roles and directives to docutils' tables
(``:doc:`` and the like, which need a Sphinx environment): while a description
is parsed, those tables hold docutils' own entries only, as in a process
without Sphinx.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

MAX_DESCRIPTION_CHARS = 20_000
#: Elements nested inside one another in a description's document tree (a list six levels
#: deep is about 15): deeper trees overflow the stack of the Sphinx build that pickles them.
MAX_DESCRIPTION_DEPTH = 24

# ``..`` followed by white space, not part of a longer run of dots: the start of
# explicit markup (a directive, comment, target, footnote or substitution).
_EXPLICIT = re.compile(r"(?<!\.)\.\.(?=\s|$)(?!\.)")
_DIRECTIVE = re.compile(r"\.\.\s+(?:\|[^|]*\|\s+)?([^\s:]+(?::[^\s:]+)*)::")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # C0 and C1 controls but tab and newline
_LINE_BREAKS = re.compile(r"\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")

_ALLOWED_NODES = frozenset({
    "document", "paragraph", "Text", "emphasis", "strong", "literal", "title_reference",
    "bullet_list", "enumerated_list", "list_item", "definition_list", "definition_list_item",
    "term", "classifier", "definition", "block_quote", "attribution", "literal_block",
    "doctest_block", "line_block", "line", "math", "subscript", "superscript", "inline",
    "reference",
})
_NODE_NAMES = {
    "section": "a section title", "title": "a section title", "transition": "a transition line",
    "target": "a link target", "substitution_definition": "a substitution definition",
    "substitution_reference": "a substitution reference", "footnote": "a footnote",
    "footnote_reference": "a footnote reference", "citation": "a citation",
    "citation_reference": "a citation reference", "comment": "a comment",
    "field_list": "a field list", "raw": "raw output", "image": "an image", "table": "a table",
}
_LINK_SCHEMES = ("http://", "https://", "mailto:")


def _line_of(text: str, offset: int) -> int:
    return len(_LINE_BREAKS.findall(text, 0, offset)) + 1


def description_problems(text: str) -> list[tuple[int, str]]:
    """``[(line in the description, message)]``: empty when the description is safe to render."""
    if len(text) > MAX_DESCRIPTION_CHARS:
        return [(1, f"the description is {len(text)} characters long (limit {MAX_DESCRIPTION_CHARS})")]
    found = _EXPLICIT.search(text)
    if found is not None:
        directive = _DIRECTIVE.match(text, found.start())
        what = (f"uses the `{directive.group(1)}` directive; directives are" if directive
                else "holds explicit markup (`..`); comments, targets and directives are")
        return [(_line_of(text, found.start()), f"the description {what} not allowed in a description")]
    control = _CONTROL.search(text)
    if control is not None:
        return [(_line_of(text, control.start()), f"the description holds the control character "
                                                  f"U+{ord(control.group()):04X}; only text, tabs and line breaks are allowed")]
    return _parse_problems(text)


_PARSING: tuple[Any, Any, Any] | None = None  # (settings, state machine, inliner): once per process, see _parser


def _parser() -> tuple[Any, Any, Any]:
    """docutils' settings for a description, its reST state machine and inline-markup parser, made
    once per process and reused: building them (docutils' option parser, fifteen states and the
    inline patterns) costs several times what parsing a description does, and the build process
    checks thousands.  The settings never change, so the inliner's patterns are made once."""
    global _PARSING
    if _PARSING is None:
        from docutils.frontend import get_default_settings
        from docutils.parsers.rst import Parser, states

        settings = get_default_settings(Parser)
        for name, value in {"raw_enabled": False, "file_insertion_enabled": False, "report_level": 5,
                            "halt_level": 5, "warning_stream": io.StringIO(),
                            "character_level_inline_markup": False, "pep_references": False,
                            "rfc_references": False}.items():
            setattr(settings, name, value)
        inliner = states.Inliner()
        inliner.init_customizations(settings)
        inliner.init_customizations = lambda settings: None  # the state machine asks again at every run
        _PARSING = settings, states.RSTStateMachine(state_classes=states.state_classes, initial_state="Body"), inliner
    return _PARSING


def _parse_problems(text: str) -> list[tuple[int, str]]:
    global _PARSING
    from docutils import nodes, utils
    from docutils.statemachine import string2lines

    settings, machine, inliner = _parser()
    lines = string2lines(text, tab_width=8, convert_whitespace=True)
    for number, line in enumerate(lines, 1):
        if len(line) > settings.line_length_limit:
            return [(number, f"the description has a line of {len(line)} characters "
                             f"(limit {settings.line_length_limit})")]
    document = utils.new_document("<description>", settings)
    messages: list[nodes.system_message] = []
    document.reporter.attach_observer(messages.append)
    try:
        with _plain_docutils():
            machine.run(lines, document, inliner=inliner)
    except RecursionError:
        _PARSING = None  # a machine stopped half way is not run again
        return [(1, "the description is nested too deeply to be parsed")]
    except BaseException:
        _PARSING = None
        raise
    deepest, depth = _deepest(document)
    if depth > MAX_DESCRIPTION_DEPTH:
        return [(_line_of_node(deepest), f"the description is nested {depth} levels deep "
                                         f"(limit {MAX_DESCRIPTION_DEPTH}); flatten its lists and block quotes")]
    for message in messages:
        if message["level"] >= 2:
            texts = [child.astext() for child in message.children if isinstance(child, nodes.paragraph)]
            detail = texts[0].splitlines()[0] if texts and texts[0] else "invalid markup"
            return [(message.get("line") or 1, f"the description is not valid reStructuredText: {detail}")]
    for node in document.findall(nodes.Element):
        kind = type(node).__name__
        line = node.line or _line_of_node(node)
        if kind not in _ALLOWED_NODES:
            what = _NODE_NAMES.get(kind, f"a `{kind}` element")
            return [(line, f"the description holds {what}, which is not allowed in a description")]
        if kind == "math" and (why := math_problem(node.astext())) is not None:
            return [(line, f"the description's math cannot be shown ({why}); use the LaTeX commands "
                           "of docutils' MathML converter")]
        if kind == "reference" and (node.get("refname") or not str(node.get("refuri", "")).startswith(_LINK_SCHEMES)):
            target = node.get("refuri") or node.get("refname") or node.astext()
            return [(line, f"the description links to {target!r}; only http(s) and mailto addresses are allowed")]
    return []


@contextmanager
def _plain_docutils() -> Iterator[None]:
    """docutils' tables of roles and directives, for the block, without what Sphinx (or any
    other extension) registered in them: a description is parsed as plain docutils parses it."""
    from docutils.parsers.rst import directives, roles

    tables = (roles._roles, directives._directives)  # noqa: SLF001 - the registries docutils looks names up in
    saved = [dict(table) for table in tables]
    for table in tables:
        table.clear()
    try:
        yield
    finally:
        for table, entries in zip(tables, saved):
            table.clear()
            table.update(entries)


def math_problem(latex: str) -> str | None:
    """Why ``latex`` cannot be shown as MathML, which is how the site shows math (None: it can).

    The converter (docutils') knows a fixed set of commands and escapes all text;
    ``\\href`` and other links are not among them.
    """
    from docutils.utils.math import MathError
    from docutils.utils.math.latex2mathml import tex2mathml

    try:
        tex2mathml(latex)
    except MathError as exc:
        return str(exc)
    except RecursionError:
        return "the formula is nested too deeply"
    return None


def _deepest(document) -> tuple[Any, int]:
    """The most deeply nested element of ``document`` and its depth, found without recursion."""
    from docutils import nodes

    deepest, most = document, 1
    stack = [(document, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > most:
            deepest, most = node, depth
        stack.extend((child, depth + 1) for child in node.children if isinstance(child, nodes.Element))
    return deepest, most


def _line_of_node(node) -> int:
    while node is not None:
        if node.line:
            return node.line
        node = node.parent
    return 1
