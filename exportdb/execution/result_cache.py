"""Engine results kept on disk between runs, and the one atomic file write exportdb uses.

A result is keyed by the case file's content, the engine and its version, and
the exporter's fingerprint (a hash of exportdb's own sources), so any change to
any of them makes the case run again.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import fields
from pathlib import Path
from typing import Any

import exportdb
from exportdb.engines import EngineInfo, EngineResult


def write_text_atomic(target: Path, text: str, suffix: str = "") -> None:
    """Write ``text`` to ``target`` through a temporary file in the same directory and an
    atomic rename: a reader (or a run killed half way) sees the old file or the new one,
    never a part.  ``suffix`` names the temporary file (``.part`` keeps it from looking
    like a page Sphinx would read)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=suffix)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


_FINGERPRINT: str | None = None


#: What makes an engine's Result: the exporter, the engines that run it, and the errors they print.
#: Editing the CLI, the site or the tools leaves cached results valid.
_RESULT_SOURCES = ("exporter", "engines", "errors.py")


def exporter_fingerprint() -> str:
    """exportdb's version plus a hash of the sources that make a Result (see ``_RESULT_SOURCES``)."""
    global _FINGERPRINT
    if _FINGERPRINT is None:
        root = Path(exportdb.__file__).parent
        digest = hashlib.sha256()
        paths = [path for part in _RESULT_SOURCES
                 for path in ([root / part] if part.endswith(".py") else (root / part).rglob("*.py"))]
        for path in sorted(paths):
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
        _FINGERPRINT = f"{exportdb.__version__}+{digest.hexdigest()[:16]}"
    return _FINGERPRINT


class ResultCache:
    """Engine results on disk: one JSON file, ``results.json``, mapping cache keys to results.

    One file rather than one per key: creating thousands of small files costs far
    more than writing one (on some file systems half a millisecond of CPU each).
    The file is read on first use and written by :meth:`flush` (atomic replace,
    merged with what another run may have written meanwhile); it is valid for
    one exporter fingerprint only, so results of older code are dropped whole.
    """

    FILE = "results.json"

    def __init__(self, directory: str | Path):
        self.directory = Path(directory)
        self.file = self.directory / self.FILE
        self._entries: dict[str, dict[str, Any]] | None = None
        self._new: dict[str, dict[str, Any]] = {}

    @staticmethod
    def key(case_bytes: bytes, engine: EngineInfo, rewrite: bool) -> str:
        return ResultCache.key_for_digest(hashlib.sha256(case_bytes).hexdigest(), engine, rewrite)

    @staticmethod
    def key_for_digest(case_digest: str, engine: EngineInfo, rewrite: bool) -> str:
        """The key of a case file whose SHA-256 (hex) is ``case_digest`` (a :class:`Case`'s ``digest``)."""
        digest = hashlib.sha256(case_digest.encode())
        for part in (engine.name, engine.version, exporter_fingerprint(), str(rewrite)):
            digest.update(b"\0" + part.encode())
        return digest.hexdigest()

    def _read(self) -> dict[str, dict[str, Any]]:
        try:
            data = json.loads(self.file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict) or data.get("fingerprint") != exporter_fingerprint():
            return {}
        results = data.get("results")
        return results if isinstance(results, dict) else {}

    def _loaded(self) -> dict[str, dict[str, Any]]:
        if self._entries is None:
            self._entries = self._read()
        return self._entries

    def get(self, key: str) -> EngineResult | None:
        data = self._loaded().get(key)
        if not isinstance(data, dict):
            return None
        try:
            return EngineResult(**data)
        except TypeError:
            return None

    def put(self, key: str, result: EngineResult) -> None:
        """Remember ``result`` (on disk at the next :meth:`flush`)."""
        data = {f.name: getattr(result, f.name) for f in fields(result)}
        try:
            text = json.dumps(data)
        except (TypeError, ValueError):
            return  # an engine put something unserialisable into ``extra``: just don't cache
        if data["extra"]:
            data = json.loads(text)  # as a later run will read it back (tuples become lists)
        self._loaded()[key] = data
        self._new[key] = data

    def flush(self) -> None:
        """Write the results put since the last flush, keeping what other runs wrote meanwhile."""
        if not self._new:
            return
        merged = {**self._read(), **self._new}
        write_text_atomic(self.file, json.dumps({"fingerprint": exporter_fingerprint(), "results": merged},
                                                sort_keys=True))
        self._entries = merged
        self._new = {}
