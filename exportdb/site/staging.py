"""Build a site next to the current one and swap it in only when the build succeeded.

``exportdb build`` must never leave a half-written site behind: killed half way
(Ctrl-C, a crash, an out-of-memory kill), the previous site stays complete.
:func:`build_staged` therefore runs the build into ``HTML.new``, a copy of the
current site, and then swaps directories with two renames::

    HTML -> HTML.old,   HTML.new -> HTML,   then HTML.old is removed

The copy keeps modification times, and Sphinx's doctrees live inside the
output directory, so an incremental build stays incremental: Sphinx sees
exactly the state the last build left.  Each rename is atomic; a build killed
between the two leaves no ``HTML`` but a complete ``HTML.old``, which the next
build (and :func:`recover`) renames back before doing anything else.  A lock
file keeps two builds of the same site from sharing the staging directory.
"""

from __future__ import annotations

import fcntl
import io
import os
import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from pathlib import Path
from typing import TextIO


def _sibling(html: Path, suffix: str) -> Path:
    return html.with_name(html.name + suffix)


def staging_dir(html: str | Path) -> Path:
    """Where the next build of ``html`` is written before it is swapped in."""
    return _sibling(Path(html), ".new")


def recover(html: str | Path) -> None:
    """Repair what a killed build left: restore ``HTML.old`` if ``HTML`` is gone, drop leftovers."""
    html = Path(html)
    old, new = _sibling(html, ".old"), _sibling(html, ".new")
    if not html.exists() and old.is_dir():
        os.rename(old, html)
    shutil.rmtree(old, ignore_errors=True)
    shutil.rmtree(new, ignore_errors=True)


@contextmanager
def _locked(html: Path) -> Iterator[None]:
    html.parent.mkdir(parents=True, exist_ok=True)
    with open(_sibling(html, ".lock"), "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def swap_in(new: Path, html: Path) -> None:
    """Make ``new`` the site at ``html``; the previous site is removed afterwards."""
    old = _sibling(html, ".old")
    shutil.rmtree(old, ignore_errors=True)
    if html.exists():
        os.rename(html, old)
    os.rename(new, html)
    shutil.rmtree(old, ignore_errors=True)


def build_staged(html: str | Path, build: Callable[[Path], int]) -> int:
    """Run ``build(staging_dir)``; swap the result in at ``html`` when it returns 0.

    A failing build (non-zero status or an exception) leaves ``html`` as it was
    and removes the staging directory.
    """
    html = Path(html)
    with _locked(html):
        recover(html)
        new = staging_dir(html)
        if html.is_dir():
            shutil.copytree(html, new, symlinks=True)  # copy2: modification times kept
        try:
            status = build(new)
        except BaseException:
            shutil.rmtree(new, ignore_errors=True)
            raise
        if status != 0:
            shutil.rmtree(new, ignore_errors=True)
            return status
        swap_in(new, html)
        return 0


class _RenamingStream(io.TextIOBase):
    """A text stream that writes to ``stream`` with each ``(old, new)`` of ``renames`` replaced."""

    def __init__(self, stream: TextIO, renames: list[tuple[str, str]]):
        super().__init__()
        self._stream = stream
        self._renames = renames

    def write(self, text: str) -> int:
        shown = text
        for old, new in self._renames:
            shown = shown.replace(old, new)
        self._stream.write(shown)
        return len(text)

    def flush(self) -> None:
        self._stream.flush()

    def isatty(self) -> bool:  # Sphinx colours its output only on a terminal
        return self._stream.isatty()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self._stream, "encoding", "utf-8")


@contextmanager
def shown_as_final(html: str | Path) -> Iterator[None]:
    """While the build writes to the staging directory, what it prints (Sphinx's "The HTML
    pages are in ..." and any warning naming an output file) names the final directory."""
    html = Path(html).resolve()
    staging = staging_dir(html)
    renames = [(str(staging), str(html)), (os.path.relpath(staging), os.path.relpath(html))]
    with redirect_stdout(_RenamingStream(sys.stdout, renames)), \
            redirect_stderr(_RenamingStream(sys.stderr, renames)):
        yield
