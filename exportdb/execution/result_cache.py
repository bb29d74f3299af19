"""Engine results kept on disk between runs, and the one atomic file write exportdb uses.

A result is keyed by the case file's content, the engine and its version, and
the exporter's fingerprint (a hash of exportdb's own sources), so any change to
any of them makes the case run again.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import fields
from pathlib import Path
from typing import Any

import exportdb
from exportdb.engines import EngineInfo, EngineResult
from exportdb.execution.channel import result_from_data


def user_cache_dir() -> Path:
    """The one result cache ``check``, ``generate``, ``show`` and the Sphinx build share by default:
    ``$XDG_CACHE_HOME/exportdb`` or ``~/.cache/exportdb``.  Entries are keyed by the case file's
    content, the engine and the exporter's sources, so every project and run can share it (and
    the workers' compiled modules live there too: :mod:`exportdb.execution.bytecode`)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "exportdb"


STALE_SECONDS = 600.0  # a temporary file this old was left by a killed run (no write takes that long)
_CLEANED: set[str] = set()
_UMASK: int | None = None


def _file_mode() -> int:
    """The mode ``open()`` would give a new file under the process's umask (read once)."""
    global _UMASK
    if _UMASK is None:
        _UMASK = os.umask(0o022)
        os.umask(_UMASK)
    return 0o666 & ~_UMASK


def clean_stale_temporaries(directory: Path) -> None:
    """Delete the ``.tmp-*`` files a killed run left in ``directory`` (once per directory and process)."""
    key = str(directory)
    if key in _CLEANED:
        return
    _CLEANED.add(key)
    cutoff = time.time() - STALE_SECONDS
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith(".tmp-"):
            try:
                if entry.is_file(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_mtime < cutoff:
                    os.unlink(entry.path)
            except OSError:
                pass


def warn(message: str) -> None:
    """One warning line on stderr (control characters escaped)."""
    from exportdb.catalog.registry import escape_controls

    print(f"exportdb: warning: {escape_controls(message)}", file=sys.stderr)


def clear_non_file(path: Path, what: str) -> None:
    """Remove whatever is at ``path`` when it is not a regular file (a directory, a dangling link), with a warning."""
    if os.path.lexists(path) and not (path.is_file() and not path.is_symlink()):
        warn(f"{what} {path} was not a file; it is removed and rebuilt")
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            try:
                path.unlink()
            except OSError:
                pass


def write_text_atomic(target: Path, text: str, suffix: str = "") -> None:
    """Write ``text`` to ``target`` through a temporary file in the same directory and an
    atomic rename: a reader (or a run killed half way) sees the old file or the new one,
    never a part.  ``suffix`` names the temporary file (``.part`` keeps it from looking
    like a page Sphinx would read).  The file gets the mode the umask allows, as with
    ``open()``; temporary files left in the directory by killed runs are deleted."""
    target.parent.mkdir(parents=True, exist_ok=True)
    clean_stale_temporaries(target.parent)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=suffix)
    try:
        os.fchmod(fd, _file_mode())
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


_FINGERPRINT: str | None = None


#: What makes an engine's Result: the exporter, the engines that run it, the errors they print, and
#: the execution layer that runs them (the sandbox, the workers, the result channel: a fix there can
#: turn a refused run into a program).  Editing the CLI, the site or the tools leaves cached results valid.
_RESULT_SOURCES = ("exporter", "engines", "execution", "errors.py")


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
        self._entries: dict[str, EngineResult] | None = None  # validated when read
        self._raw: dict[str, Any] = {}  # the JSON form of each entry, as written back by flush
        self._stamp: tuple[int, int, int] | None = None  # the file as read: (inode, mtime, size)
        self._new: dict[str, dict[str, Any]] = {}
        self._warned = False
        self._loader: threading.Thread | None = None

    @staticmethod
    def key(case_bytes: bytes, engine: EngineInfo, rewrite: bool) -> str:
        return ResultCache.key_for_digest(hashlib.sha256(case_bytes).hexdigest(), engine, rewrite)

    @staticmethod
    def key_for_digest(case_digest: str, engine: EngineInfo, rewrite: bool, shown_as: str = "") -> str:
        """The key of a case file whose SHA-256 (hex) is ``case_digest`` (a :class:`Case`'s ``digest``),
        whose directory Result texts show as ``shown_as`` (as :func:`~exportdb.errors.display_path`
        gives it: the same file, run from another working directory, is named otherwise in its errors)."""
        digest = hashlib.sha256(case_digest.encode())
        for part in (engine.name, engine.version, exporter_fingerprint(), str(rewrite), shown_as):
            digest.update(b"\0" + part.encode())
        return digest.hexdigest()

    def _file_stamp(self) -> tuple[int, int, int] | None:
        try:
            st = os.stat(self.file)
        except OSError:
            return None
        return st.st_ino, st.st_mtime_ns, st.st_size

    def _read(self) -> tuple[dict[str, EngineResult], dict[str, Any]]:
        """The valid entries of the file, as results and as JSON data; a malformed file or entry is
        dropped with one warning."""
        if not os.path.lexists(self.file):
            return {}, {}
        try:
            data = json.loads(self.file.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError) as exc:
            self._warn(f"it cannot be read ({type(exc).__name__})")
            return {}, {}
        if not isinstance(data, dict) or not isinstance(data.get("results"), dict):
            self._warn("it is not a result cache")
            return {}, {}
        if data.get("fingerprint") != exporter_fingerprint():
            return {}, {}  # results of other code: dropped whole, silently
        results, raw = {}, {}
        for key, entry in data["results"].items():
            try:
                results[key] = result_from_data(entry)
            except ValueError:
                continue
            raw[key] = entry
        if len(results) < len(data["results"]):
            self._warn(f"{len(data['results']) - len(results)} malformed entries")
        return results, raw

    def _warn(self, what: str) -> None:
        if not self._warned:
            self._warned = True
            warn(f"result cache {self.file}: {what}; discarded, the cases concerned run again")

    def load_in_background(self) -> None:
        """Start reading the file in a thread (a build waiting for its first worker reads it meanwhile)."""
        if self._entries is None and self._loader is None:
            self._loader = threading.Thread(target=self._loaded, name="exportdb-result-cache", daemon=True)
            self._loader.start()

    def _loaded(self) -> dict[str, EngineResult]:
        loader = self._loader
        if loader is not None and loader is not threading.current_thread():
            loader.join()
        if self._entries is None:
            stamp = self._file_stamp()
            self._entries, self._raw = self._read()
            self._stamp = stamp
        return self._entries

    def get(self, key: str) -> EngineResult | None:
        return self._loaded().get(key)

    def put(self, key: str, result: EngineResult) -> None:
        """Remember ``result`` (on disk at the next :meth:`flush`)."""
        data = {f.name: getattr(result, f.name) for f in fields(result)}
        try:
            text = json.dumps(data)
        except (TypeError, ValueError):
            return  # an engine put something unserialisable into ``extra``: just don't cache
        if data["extra"]:
            data = json.loads(text)  # as a later run will read it back (tuples become lists)
        self._loaded()[key] = EngineResult(**data)
        self._new[key] = data

    def flush(self) -> None:
        """Write the results put since the last flush, keeping what other runs wrote meanwhile
        (the file is read again only when it changed since this run read it)."""
        if not self._new:
            return
        self._loaded()
        if self._file_stamp() != self._stamp:  # another run wrote meanwhile: keep its results too
            fresh, self._raw = self._read()
            for key, result in fresh.items():
                self._loaded().setdefault(key, result)
        merged = {**self._raw, **self._new}
        clear_non_file(self.file, "the result cache")
        try:
            write_text_atomic(self.file, json.dumps({"fingerprint": exporter_fingerprint(), "results": merged},
                                                    sort_keys=True))
        except OSError as exc:
            warn(f"the result cache {self.file} cannot be written ({exc.strerror or exc}); results are not kept")
        else:
            self._stamp = self._file_stamp()
        self._raw = merged
        self._new = {}
