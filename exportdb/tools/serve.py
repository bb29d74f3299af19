"""``exportdb serve``: build the site, serve it on localhost and rebuild it on every edit.

The watching, serving and browser reloading are sphinx-autobuild's (the
``serve`` extra installs it); this module only says what to watch: the Sphinx
project, the case directory and the templates, but not what the build writes
(the generated pages, the output directory, Sphinx's ``_build``), which would
rebuild the site forever.  Each rebuild is an ordinary incremental Sphinx build
of the project, so only the pages an edit touches are generated and re-read.

sphinx-autobuild starts a new ``sphinx-build`` process for every rebuild; here
each build is an in-process Sphinx build instead (:class:`InProcessBuilder`):
the first in the serve process, each rebuild in the process sphinx-autobuild
forks from it.  Sphinx and exportdb are then imported already, and the case
workers the first build started stay up between builds (warm fork servers:
torch is imported once per serve, not once per edit), so an edit costs the
edited case's own run and Sphinx's work on its pages.  Case code still runs
only in the workers' forked, sandboxed processes.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from exportdb.site.render import builtin_templates_dir

MISSING = ("exportdb serve: sphinx-autobuild is not installed; "
           "install it with: python -m pip install 'exportdb[serve]'")
#: Files editors and exportdb itself write beside the watched ones (swap files, backups, atomic writes).
IGNORED_NAMES = (r"\.sw[a-z]$", r"~$", r"/\.#", r"/\.tmp-[^/]*$", r"/__pycache__/", r"\.pyc$")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--docs", type=Path, default=Path("docs"), help="Sphinx project (default: docs)")
    parser.add_argument("--html", type=Path, default=None, help="output (default: DOCS/_build/html)")
    parser.add_argument("--cases", type=Path, default=None,
                        help="case directory (default: the one docs/conf.py names)")
    parser.add_argument("--host", default="127.0.0.1", help="address to serve on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (default: 8000; 0 picks a free one)")
    parser.add_argument("--open-browser", action="store_true", help="open the site in a browser")


def cases_dir_of(docs: Path, given: Path | None) -> Path:
    """The case directory to watch: ``--cases``, else ``exportdb_cases_dir`` of conf.py's default."""
    if given is not None:
        return given.resolve()
    return (docs / "../cases").resolve()


def autobuild_argv(args: argparse.Namespace) -> list[str]:
    """sphinx-autobuild's command line for ``exportdb serve`` with ``args``."""
    docs = args.docs.resolve()
    html = (args.html or args.docs / "_build" / "html").resolve()
    argv = [str(docs), str(html), "--host", args.host, "--port", str(args.port)]
    watched = [cases_dir_of(docs, args.cases), builtin_templates_dir().resolve()]
    for directory in watched:
        if directory.is_dir() and docs not in (directory, *directory.parents):
            argv += ["--watch", str(directory)]
    # what the build writes must not trigger a build (sphinx-autobuild already skips the output)
    for written in (docs / "generated", docs / "_build"):
        argv += ["--ignore", str(written)]
    for pattern in IGNORED_NAMES:
        argv += ["--re-ignore", pattern]
    if args.cases is not None:
        argv += ["-D", f"exportdb_cases_dir={args.cases.resolve()}"]
    if args.open_browser:
        argv.append("--open-browser")
    return argv


def main(args: argparse.Namespace, out: TextIO) -> int:
    """Run the server until interrupted; 2 when sphinx-autobuild is missing or the project is not there."""
    if importlib.util.find_spec("sphinx_autobuild") is None:
        print(MISSING, file=sys.stderr)
        return 2
    if not (args.docs / "conf.py").is_file():
        print(f"exportdb serve: {args.docs} is not a Sphinx project (no conf.py); name it with --docs",
              file=sys.stderr)
        return 2
    import sphinx_autobuild.__main__ as autobuild  # loads uvicorn and Sphinx: only serve needs them

    from exportdb.site.generate import workers_kept_between_runs

    # sphinx-autobuild's main() makes its builder from this name: builds run in this process
    autobuild.Builder = InProcessBuilder
    argv = autobuild_argv(args)
    print(f"exportdb serve: watching {args.docs}, the cases and the templates; Ctrl+C stops", file=out, flush=True)
    try:
        with workers_kept_between_runs():
            autobuild.main(argv)
    except KeyboardInterrupt:
        pass
    return 0


class InProcessBuilder:
    """Takes the place of sphinx-autobuild's ``Builder`` (same constructor, same call): each build
    runs as an in-process Sphinx build, in the serve process or in the process sphinx-autobuild
    forks from it for a rebuild, rather than in a new ``sphinx-build`` process."""

    def __init__(self, sphinx_args: Sequence[str], *, url_host: str,
                 pre_build_commands: Sequence[Sequence[str]] = (), post_build_commands: Sequence[Sequence[str]] = ()):
        self.sphinx_args = list(sphinx_args)
        self.uri = f"http://{url_host}"

    def __call__(self, *, changed_paths: Sequence[Path] = ()) -> None:
        from sphinx.cmd.build import build_main
        from sphinx_autobuild.utils import show_message

        if changed_paths:
            shown = [p.as_posix() for p in changed_paths[:5] if p.exists()]
            if shown:
                show_message(f"Detected changes ({', '.join(shown)})")
            show_message("Rebuilding...")
        status = build_main(list(self.sphinx_args))
        if status != 0:
            print(f"exportdb serve: the build failed (status {status}); the pages served may not match "
                  "the sources until the error above is fixed (Ctrl+C stops)", flush=True)
        show_message(f"Serving on {self.uri}")
