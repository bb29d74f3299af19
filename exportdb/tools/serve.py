"""``exportdb serve``: build the site, serve it on localhost and rebuild it on every edit.

The watching, serving and browser reloading are sphinx-autobuild's (the
``serve`` extra installs it); this module only says what to watch: the Sphinx
project, the case directory and the templates, but not what the build writes
(the generated pages, the output directory, Sphinx's ``_build``), which would
rebuild the site forever.  Each rebuild is an ordinary ``sphinx-build`` of the
project, so only the pages an edit touches are generated and re-read.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
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
    from sphinx_autobuild.__main__ import main as autobuild  # loads uvicorn and Sphinx: only serve needs them

    argv = autobuild_argv(args)
    print(f"exportdb serve: watching {args.docs}, the cases and the templates; Ctrl+C stops", file=out, flush=True)
    try:
        autobuild(argv)
    except KeyboardInterrupt:
        pass
    return 0
