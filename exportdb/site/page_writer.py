"""Write generated pages to disk: only what changed, atomically, never outside the output directory.

:class:`PageWriter` replaces a file atomically and only when its content
changed, and removes the pages it wrote last time that are no longer
produced, never touching anything outside the output directory.  A manifest
(:data:`MANIFEST`) records each page's key and file stamp, so a page whose key
and file are as the last run left them is neither rendered nor read again,
and it lists every page a run may have written, so a run killed half way
leaves no page that the next run would not remove.  A build can hand pages
over one at a time as soon as they are known (:meth:`PageWriter.write`: a
case's page while other cases still run), then the whole set
(:meth:`PageWriter.finish`); :func:`write_pages` does both at once::

    >>> write_pages({"index.rst": "Index\\n=====\\n"}, "docs/generated")   # doctest: +SKIP
    WriteStats(written=1, unchanged=0, removed=0)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from exportdb.execution.result_cache import write_text_atomic
from exportdb.site.render import Page

MANIFEST = ".exportdb-pages"


@dataclass(frozen=True)
class WriteStats:
    written: int
    unchanged: int
    removed: int
    rendered: int = field(default=0, compare=False)
    paths: tuple[str, ...] = field(default=(), compare=False, repr=False)  # the pages written


def _inside(path: Path, root: Path, resolved: dict[str, str] | None = None) -> bool:
    """Whether ``path`` (symlinks followed) is under ``root``, which must be resolved already.
    ``resolved`` caches the real path of each directory (a page that is itself a link is
    resolved in full)."""
    if resolved is None or os.path.islink(path):
        real = os.path.realpath(path)
    else:
        directory = os.path.dirname(path)
        if directory not in resolved:
            resolved[directory] = os.path.realpath(directory)
        real = os.path.join(resolved[directory], os.path.basename(path))
    return real == str(root) or real.startswith(str(root).rstrip(os.sep) + os.sep)


def _atomic_write(target: Path, text: str) -> None:
    # not ``.rst``: a temporary file left by a killed run must not become a Sphinx document
    write_text_atomic(target, text, suffix=".part")


def _escapes(rel: str) -> bool:
    """Whether the relative page name ``rel`` is absolute or climbs out with ``..``."""
    if os.sep == "/" and not os.altsep:  # POSIX: the same answer as pathlib's, without building a Path
        return rel.startswith("/") or ".." in rel.split("/")
    path = Path(rel)
    return path.is_absolute() or ".." in path.parts


def _stamp(path: str | Path) -> str | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return f"{st.st_mtime_ns}:{st.st_size}"


def _read_manifest(manifest: Path) -> dict[str, tuple[str, str]]:
    """``{relative path: (page key, file stamp)}`` of the last run; a line holding a path only
    (an old manifest, or a page listed just before it was written) has an empty key."""
    try:
        lines = manifest.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return {}
    entries = {}
    for line in lines:
        rel, _, rest = line.partition("\t")
        key, _, stamp = rest.partition("\t")
        if rel:
            entries[rel] = (key, stamp) if rel not in entries or key else entries[rel]
    return entries


def _manifest_text(entries: Mapping[str, tuple[str, str]]) -> str:
    return "".join(f"{rel}\t{key}\t{stamp}\n" if key else f"{rel}\n"
                   for rel, (key, stamp) in sorted(entries.items()))


class PageWriter:
    """Writes pages under ``out_dir``; see the module docstring for the guarantees."""

    def __init__(self, out_dir: str | Path):
        self.root = Path(out_dir)
        self.root.mkdir(parents=True, exist_ok=True)
        self.real_root = self.root.resolve()
        self.manifest = self.root / MANIFEST
        self.previous = _read_manifest(self.manifest)
        self.entries: dict[str, tuple[str, str]] = {}  # the pages handled this run: (key, stamp) as listed
        self.keys: dict[str, str] = {}  # the key of each page handled this run (also of one that failed)
        self.resolved: dict[str, str] = {}  # the real path of each directory written to
        self.written: list[str] = []
        self.unchanged = 0
        self.rendered = 0

    def _check_name(self, rel: str) -> None:
        if _escapes(rel):  # by name here; symlinks are followed just before a write
            raise ValueError(f"refusing to write {rel!r}: outside the output directory {self.root}")

    def write(self, rel: str, page: str | Page) -> None:
        """Write one page now (when it changed).  A page the manifest does not list yet is added
        to it first (one appended line), so that a run killed afterwards still lists it."""
        self._check_name(rel)
        if rel not in self.previous and rel not in self.entries:
            with open(self.manifest, "a", encoding="utf-8") as listing:
                listing.write(rel + "\n")
        self._write(rel, page)

    def _write(self, rel: str, page: str | Page) -> None:
        key = computed = page.key() if isinstance(page, Page) else ""
        target = os.path.join(self.root, rel)
        if key and self.previous.get(rel) == (key, _stamp(target)):
            self.entries[rel], self.keys[rel] = self.previous[rel], key
            self.unchanged += 1
            return
        if isinstance(page, Page):
            failed = len(page.renderer.failures)
            text = page.text()
            self.rendered += 1
            if len(page.renderer.failures) > failed:
                key = ""  # a page that failed is rendered (and reported) again next run
        else:
            text = page
        path = Path(target)
        try:
            same = path.read_text(encoding="utf-8") == text
        except (OSError, UnicodeDecodeError):
            same = False
        if same:
            self.unchanged += 1
        else:
            if not _inside(path, self.real_root, self.resolved):
                raise ValueError(f"refusing to write {rel!r}: outside the output directory {self.root}")
            _atomic_write(path, text)
            self.written.append(rel)
        self.entries[rel] = (key, _stamp(path) or "") if key else ("", "")
        self.keys[rel] = computed  # only once the page is on disk: finish writes a page that failed here

    def finish(self, pages: Mapping[str, str | Page]) -> WriteStats:
        """Write every page of ``pages`` not written already as it stands, remove the pages of earlier
        runs (and of this one) that ``pages`` no longer holds, and write the manifest."""
        for rel in pages:
            self._check_name(rel)
        if set(pages) - set(self.previous) - set(self.entries):  # list new pages before writing them
            listed = {**self.previous, **{rel: ("", "") for rel in [*self.entries, *pages]}}
            _atomic_write(self.manifest, _manifest_text(listed))
        for rel in sorted(pages):
            page, key = pages[rel], self.keys.get(rel)
            if key and isinstance(page, Page) and page.key() == key:
                continue  # written (or found unchanged, or failed and reported) earlier in this run
            self._write(rel, page)
        removed = 0
        for rel in {*self.previous, *self.entries}:
            target = self.root / rel
            if rel in pages or not rel or Path(rel).is_absolute() or not _inside(target, self.real_root):
                continue
            if target.is_file():
                target.unlink()
                removed += 1
        listing = _manifest_text({rel: self.entries[rel] for rel in pages})
        try:
            current = self.manifest.read_text(encoding="utf-8")
        except OSError:
            current = None
        if current != listing:
            _atomic_write(self.manifest, listing)
        written = tuple(dict.fromkeys(self.written))
        return WriteStats(len(written), self.unchanged, removed, self.rendered, written)


def write_pages(pages: Mapping[str, str | Page], out_dir: str | Path) -> WriteStats:
    """Write ``pages`` under ``out_dir``; see the module docstring for the guarantees.

    A :class:`~exportdb.site.render.Page` whose key and file (modification time and
    size) are those recorded in the manifest last time is neither rendered nor read
    again.  Every file is replaced atomically, so a run killed half way leaves each
    page either old or new, and the manifest lists every page it may have written.
    """
    return PageWriter(out_dir).finish(pages)
