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
from pathlib import Path
from typing import Any

from exportdb.catalog.registry import Case
from exportdb.execution.result_cache import exporter_fingerprint, write_text_atomic

_FIELDS = tuple(f.name for f in dataclasses.fields(Case))


def _encode(case: Case) -> dict[str, Any] | None:
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
    except TypeError:
        return None  # a field this cache does not know how to store: load the case every time
    return record


def _decode(record: dict[str, Any], path: Path) -> Case | None:
    if set(record) != set(_FIELDS):
        return None
    values = {name: tuple(v) if isinstance(v, list) else v for name, v in record.items()}
    values["path"] = path
    try:
        return Case(**values)
    except (TypeError, ValueError):  # a field missing, or a support level this version does not know
        return None


class CaseCache:
    """Validated :class:`Case` records in ``directory/cases-FRONTEND.json``, keyed by path and digest."""

    def __init__(self, directory: str | Path, frontend: str):
        self.file = Path(directory) / f"cases-{frontend}.json"
        self.fingerprint = f"{exporter_fingerprint()}:{frontend}"
        self.entries: dict[str, dict[str, Any]] = {}
        self.seen: set[str] = set()
        self.changed = False
        try:
            data = json.loads(self.file.read_text(encoding="utf-8"))
            if data.get("fingerprint") == self.fingerprint and isinstance(data.get("cases"), dict):
                self.entries = data["cases"]
        except (OSError, ValueError, AttributeError):
            pass

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
                case = _decode(record, path)
        return case

    def store(self, case: Case) -> None:
        """Remember a freshly loaded case."""
        record = _encode(case)
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
        write_text_atomic(self.file, json.dumps({"fingerprint": self.fingerprint, "cases": self.entries}))
        self.changed = False
