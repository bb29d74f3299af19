"""The expectations file of ``exportdb compare``: intended differences, each with a reason.

A case may differ from torch.export 2.13 only where the seed documents (the spec) decide
against torch, so every entry quotes the seed's sentence that decides it, verbatim.  A TOML
file with one table per case (the case file's stem)::

    [some_case]
    reason = "torch 2.13 specialises the constant predicate; the seed keeps it"
    seed = "the `pred` in IR node will be a constant."   # the deciding sentence, verbatim
    classification = "graph-differs"     # optional: the difference that is expected

:func:`unquoted_seeds` checks the quotes against the seed documents' text.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from exportdb.errors import ExportError, SourceLocation

KEYS = ("reason", "seed", "classification")
DIFFERING = ("outcome-differs", "graph-differs")


class ExpectationsError(ExportError):
    """The expectations file cannot be read or holds an invalid entry."""


@dataclass(frozen=True)
class Expectation:
    """One listed case: why it differs, and optionally how."""

    name: str
    reason: str
    classification: str | None = None
    seed: str = ""


def _did_you_mean(word: str, choices: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, choices, n=1)
    return f"did you mean {close[0]!r}?" if close else f"expected one of: {', '.join(choices)}"


def _line_of(text: str, name: str, key: str | None = None) -> int:
    """Line of the ``[name]`` header, or of ``key = ...`` inside that table when given."""
    match = re.search(rf"^[ \t]*\[[ \t]*[\"']?{re.escape(name)}[\"']?[ \t]*\]", text, re.M)
    start = match.start() if match else 0
    if key is not None:
        inner = re.compile(rf"^[ \t]*[\"']?{re.escape(key)}[\"']?[ \t]*=", re.M).search(text, start)
        start = inner.start() if inner else start
    return text[:start].count("\n") + 1


def load_expectations(path: Path) -> dict[str, Expectation]:
    """Read and validate the expectations file at ``path``."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ExpectationsError(f"cannot read expectations file: {exc.strerror}",
                                location=SourceLocation(str(path), 1), hint="check the --expectations path") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None) or int((re.search(r"line (\d+)", str(exc)) or [0, 1])[1])
        raise ExpectationsError(f"invalid TOML: {str(exc).split(' (at')[0]}",
                                location=SourceLocation(str(path), line), hint="fix the TOML syntax") from None
    result = {}
    for name, entry in data.items():
        where = SourceLocation(str(path), _line_of(text, name))
        if not isinstance(entry, dict):
            raise ExpectationsError(f"{name!r} must be a table with a reason", location=where,
                                    hint=f'write [{name}] followed by reason = "why it differs"')
        for key in entry:
            if key not in KEYS:
                raise ExpectationsError(f"unknown key {key!r} in [{name}]",
                                        location=SourceLocation(str(path), _line_of(text, name, key)),
                                        hint=_did_you_mean(key, KEYS))
        reason = entry.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            raise ExpectationsError(f"[{name}] has no reason", location=where,
                                    hint="every expected difference needs a reason = \"...\" saying why")
        seed = entry.get("seed")
        if not isinstance(seed, str) or not seed.strip():
            raise ExpectationsError(f"[{name}] quotes no seed sentence", location=where,
                                    hint="a difference is allowed only where the seed documents decide against "
                                         'torch: add seed = "<the deciding sentence, verbatim>", or fix the exporter')
        kind = entry.get("classification")
        if kind is not None and kind not in DIFFERING:
            raise ExpectationsError(f"[{name}] has unknown classification {kind!r}",
                                    location=SourceLocation(str(path), _line_of(text, name, "classification")),
                                    hint=_did_you_mean(str(kind), DIFFERING))
        result[name] = Expectation(name, reason.strip(), kind, seed.strip())
    return result


def _words(text: str) -> str:
    return " ".join(text.split())


def unquoted_seeds(expectations: dict[str, Expectation], seed_texts: list[str]) -> list[str]:
    """The names of entries whose ``seed`` quote is in none of ``seed_texts`` (line breaks
    and indentation aside)."""
    documents = [_words(text) for text in seed_texts]
    return sorted(name for name, entry in expectations.items()
                  if not any(_words(entry.seed) in doc for doc in documents))
