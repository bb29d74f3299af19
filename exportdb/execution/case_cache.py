"""Case metadata cached by content hash, so an unchanged registry loads without running its files.

Loading a case (:func:`exportdb.catalog.registry.load_case`) executes the case file
with the front end to read its fields.  For a registry of thousands of cases
that dominates a run in which nothing changed, so :func:`load_registry` can be
given a :class:`CaseCache`: a case file whose path and SHA-256 match the last
run is rebuilt from the stored fields instead.  The cache is one JSON file per
front end, valid only for the exporter fingerprint that wrote it (any change to
exportdb's sources starts it afresh), and only valid cases are stored, so a
broken case is loaded, and reported, every time.

Like the result cache, the key is the case file's own content: a case that
imports a sibling module is not re-read when only the sibling changes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

from exportdb.catalog import tags as taxonomy
from exportdb.catalog.registry import SUPPORT_LEVELS, Case
from exportdb.execution.result_cache import clear_non_file, exporter_fingerprint, warn, write_text_atomic

_FIELDS = tuple(f.name for f in dataclasses.fields(Case))


def case_record(case: Case) -> dict[str, Any] | None:
    """``case`` as JSON data (None when a field is not JSON data)."""
    record: dict[str, Any] = {}
    for name in _FIELDS:
        value = getattr(case, name)
        if isinstance(value, Path):
            value = str(value)
        elif isinstance(value, tuple):
            value = list(value)
        record[name] = value
    try:
        json.dumps(record)
    except (TypeError, ValueError):
        return None  # a field this cache does not know how to store: load the case every time
    return record


_HEX64 = re.compile(r"[0-9a-f]{64}")


def _record_problem(record: Any) -> str | None:
    """What is wrong with a case record read from a cache file or a worker (None: nothing)."""
    if not isinstance(record, dict) or set(record) != set(_FIELDS):
        return "not a case record"
    for name in ("name", "source", "description", "digest", "path"):
        if not isinstance(record[name], str):
            return f"{name} is not text"
    tags = record["tags"]
    if not isinstance(tags, list) or not all(isinstance(tag, str) and taxonomy.is_known(tag) for tag in tags):
        return "tags is not a list of known tags"
    if record["support_level"] not in SUPPORT_LEVELS:
        return "unknown support level"
    if type(record["description_line"]) is not int or record["description_line"] < 1:
        return "description_line is not a line number"
    if type(record["has_kwargs"]) is not bool or type(record["has_dynamic_shapes"]) is not bool:
        return "a flag is not a boolean"
    if not (record["rewrite_source"] is None or isinstance(record["rewrite_source"], str)):
        return "rewrite_source is not text"
    if not _HEX64.fullmatch(record["digest"]):
        return "digest is not a SHA-256"
    return None


def case_from_record(record: Any, path: Path, digest: str | None = None) -> Case | None:
    """The :class:`Case` at ``path`` from its record, or None when the record is malformed.

    Every field's type is checked; the name must be the file's stem.  ``path`` (and
    ``digest``, when given) come from the caller, never from the record.
    """
    if _record_problem(record) is not None or record["name"] != path.stem:
        return None
    values = {name: tuple(v) if isinstance(v, list) else v for name, v in record.items()}
    values["path"] = path
    if digest is not None:
        values["digest"] = digest
    try:
        return Case(**values)
    except (TypeError, ValueError):
        return None


class CaseCache:
    """Validated :class:`Case` records in ``directory/cases-FRONTEND.json``, keyed by path and digest."""

    def __init__(self, directory: str | Path, frontend: str):
        self.file = Path(directory) / f"cases-{frontend}.json"
        self.fingerprint = f"{exporter_fingerprint()}:{frontend}"
        self.entries: dict[str, dict[str, Any]] = {}
        self.seen: set[str] = set()
        self.changed = False
        data: Any = None
        if os.path.lexists(self.file):
            try:
                data = json.loads(self.file.read_text(encoding="utf-8"))
            except (OSError, ValueError, RecursionError) as exc:
                warn(f"case cache {self.file}: it cannot be read ({type(exc).__name__}); discarded, "
                     "the cases are read again")
        if data is None:
            return
        if not isinstance(data, dict) or not isinstance(data.get("cases"), dict):
            warn(f"case cache {self.file}: it is not a case cache; discarded, the cases are read again")
            return
        if data.get("fingerprint") != self.fingerprint:
            return
        good = {key: record for key, record in data["cases"].items() if _record_problem(record) is None}
        if len(good) < len(data["cases"]):
            warn(f"case cache {self.file}: {len(data['cases']) - len(good)} malformed entries; discarded, "
                 "those cases are read again")
            self.changed = True
        self.entries = good

    def likely_misses(self, paths: list[Path]) -> int:
        """How many of ``paths`` will probably not be found: files the cache does not hold, or modified
        since the cache was written.  Only a hint (it looks at modification times, not content), for
        starting work early; :meth:`lookup` decides."""
        try:
            written = os.stat(self.file).st_mtime_ns if self.entries else -1
        except OSError:
            return len(paths)
        misses = 0
        for path in paths:
            try:
                misses += str(path) not in self.entries or os.stat(path).st_mtime_ns >= written
            except OSError:
                misses += 1
        return misses

    def lookup(self, path: Path) -> Case | None:
        """The cached case at ``path`` when its content is unchanged, else None."""
        key = str(path)
        self.seen.add(key)
        record = self.entries.get(key)
        case = None
        if record is not None:
            try:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:
                digest = None
            if digest is not None and record.get("digest") == digest:
                case = case_from_record(record, path, digest)
        return case

    def store(self, case: Case) -> None:
        """Remember a freshly loaded case."""
        record = case_record(case)
        key = str(case.path)
        self.seen.add(key)
        if record is not None and self.entries.get(key) != record:
            self.entries[key] = record
            self.changed = True

    def save(self) -> None:
        """Write the cache when it changed, dropping cases not seen in this run (atomic replace)."""
        stale = set(self.entries) - self.seen
        for key in stale:
            del self.entries[key]
        if not (self.changed or stale):
            return
        # json.dumps, not json.dump: one string from the C encoder instead of many small writes
        clear_non_file(self.file, "the case cache")
        try:
            write_text_atomic(self.file, json.dumps({"fingerprint": self.fingerprint, "cases": self.entries}))
        except OSError as exc:
            warn(f"the case cache {self.file} cannot be written ({exc.strerror or exc}); cases are not kept")
        self.changed = False
