"""The ``exportdb`` command line (also ``python -m exportdb``).

Subcommands: ``build`` (pages + HTML site), ``serve`` (build, serve, rebuild
on edits), ``generate`` (pages only), ``check`` (verify every case), ``list``,
``show CASE``, ``new NAME``, and
``compare`` (builtin vs torch; see :mod:`exportdb.tools.compare`), ``bench``, ``fuzz`` and
``conformance`` (see :mod:`exportdb.tools.conformance`)::

    $ exportdb list --tag python.closure
    nested_closure_counter  python.closure  SUPPORTED
    $ exportdb show nested_closure_counter
    ExportedProgram:
    ...
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TextIO

from exportdb import __version__
from exportdb.catalog import tags as taxonomy
from exportdb.engines import PRINT_STYLES, load_engine
from exportdb.site.generate import Outcome, Settings, SettingsError, default_cases_dir, generate
from exportdb.catalog.registry import CaseSummary, escape_controls
from exportdb.execution.case_reader import load_registry
from exportdb.execution.runner import DEFAULT_TIMEOUT, run_one_case


class ProgressBar:
    """A one-line progress bar on a terminal; silent when ``stream`` is not a TTY."""

    def __init__(self, stream: TextIO = sys.stderr, width: int = 30):
        self.stream = stream
        self.width = width
        self.active = stream.isatty()
        self.drawn = False

    def __call__(self, done: int, total: int, label: str) -> None:
        if not self.active or total == 0:
            return
        filled = self.width * done // total
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r[{bar}] {done}/{total} {label[:40]:<40}")
        self.stream.flush()
        self.drawn = True

    def finish(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()


def _add_run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--cases", type=Path, default=None, help="case directory (default: ./cases)")
    parser.add_argument("--engines", default="builtin",
                        help="comma-separated engines, the first is primary (default: builtin)")
    parser.add_argument("--jobs", "-j", type=int, default=None, help="worker processes (default: CPUs + 1)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds per case")
    parser.add_argument("--cache-dir", type=Path, default=None, help="result cache directory")
    parser.add_argument("--no-cache", action="store_true", help="re-export every case")
    parser.add_argument("--strict", action="store_true",
                        help="support-level mismatches are errors (exit status 1)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="exportdb", description="ExportDB documentation generator.")
    parser.add_argument("--version", action="version", version=f"exportdb {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("build", help="generate the pages and build the HTML site with Sphinx")
    p.add_argument("--docs", type=Path, default=Path("docs"), help="Sphinx project (default: docs)")
    p.add_argument("--html", type=Path, default=None, help="output (default: DOCS/_build/html)")
    _add_run_options(p)
    # unset options leave conf.py's values alone, so that build and sphinx-build make the same site
    p.set_defaults(engines=None, timeout=None)

    p = sub.add_parser("serve", help="build the site, serve it on localhost and rebuild it after every edit "
                       "(needs the serve extra: sphinx-autobuild)")
    from exportdb.tools import serve  # light: the server itself is imported only when serve runs

    serve.add_arguments(p)

    p = sub.add_parser("generate", help="write the reStructuredText pages for every case")
    p.add_argument("--out", type=Path, required=True, help="output directory for the pages")
    p.add_argument("--templates", type=Path, default=None, help="templates that override the built-in ones")
    p.add_argument("--tag-descriptions", action="store_true",
                   help="open each tag page with the tag's description")
    _add_run_options(p)

    p = sub.add_parser("check", help="run every case and verify its declared support level")
    _add_run_options(p)

    p = sub.add_parser("list", help="list the cases")
    p.add_argument("--cases", type=Path, default=None, help="case directory (default: ./cases)")
    p.add_argument("--tag", default=None, help="only cases carrying this tag")
    p.add_argument("--json", action="store_true", help="print a JSON list")

    p = sub.add_parser("show", help="print a case's Result block (the exported program or the error)")
    p.add_argument("case", help="a case name from the registry or a path to a case file")
    p.add_argument("--cases", type=Path, default=None, help="case directory (default: ./cases)")
    p.add_argument("--engine", default="builtin", help="engine to use (default: builtin)")
    p.add_argument("--style", choices=PRINT_STYLES, default="seed",
                   help="print style: the seed documents' layout (default) or torch, exactly as torch.export "
                        "2.13 prints the program (without source comments)")
    p.add_argument("--traceback", action="store_true",
                   help="on failure, also print the whole Python traceback (to stderr)")
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                   help=f"seconds the case may run (default: {DEFAULT_TIMEOUT:g})")
    p.add_argument("--no-isolation", action="store_true",
                   help="run the case in this process, without the sandbox (only for a case you trust, "
                        "to debug it)")

    p = sub.add_parser("new", help="create a new case file from a template")
    p.add_argument("name", help="case name (a Python identifier; the file is NAME.py)")
    p.add_argument("--tags", nargs="+", required=True, help="tags of the case")
    p.add_argument("--cases", type=Path, default=None, help="case directory (default: ./cases)")
    p.add_argument("--not-supported", action="store_true", help="declare NOT_SUPPORTED_YET")

    p = sub.add_parser("compare", help="run cases through builtin and torch and compare the graphs",
                       add_help=False)
    p.add_argument("args", nargs=argparse.REMAINDER, help="arguments of exportdb compare")

    p = sub.add_parser("bench", help="measure export speed, generation and site builds (see docs: Performance)",
                       add_help=False)
    p.add_argument("args", nargs=argparse.REMAINDER, help="arguments of exportdb bench")

    p = sub.add_parser("fuzz", help="check random programs with the built-in exporter (see docs: fuzzing)",
                       add_help=False)
    p.add_argument("args", nargs=argparse.REMAINDER, help="arguments of exportdb fuzz")

    p = sub.add_parser("conformance", help="measure the built-in engine against torch's test databases "
                       "(`conformance ops`: OpInfos; see docs: Operator coverage)", add_help=False)
    p.add_argument("args", nargs=argparse.REMAINDER, help="KIND and its arguments")
    return parser


def _settings(args: argparse.Namespace, **extra: object) -> Settings:
    return Settings(
        cases_dir=args.cases or default_cases_dir(),
        engines=tuple(args.engines.split(",")),
        jobs=args.jobs,
        timeout=args.timeout,
        cache_dir=args.cache_dir,
        use_cache=not args.no_cache,
        strict=args.strict,
        **extra,  # type: ignore[arg-type]
    )


def _report(outcome: Outcome, out: TextIO) -> None:
    for severity, line in outcome.messages():
        print(f"{severity}: {line}", file=sys.stderr)
    for line in outcome.summary.lines():
        print(line, file=out)


def _run(settings: Settings, out: TextIO) -> Outcome:
    bar = ProgressBar()
    try:
        return generate(settings, progress=bar)
    finally:
        bar.finish()


def cmd_generate(args: argparse.Namespace, out: TextIO) -> int:
    settings = _settings(args, out_dir=args.out, templates_dir=args.templates,
                         tag_descriptions=args.tag_descriptions)
    outcome = _run(settings, out)
    _report(outcome, out)
    if outcome.written is not None:
        w = outcome.written
        print(f"{args.out}: {w.written} written, {w.unchanged} unchanged, {w.removed} removed", file=out)
    return 1 if settings.strict and outcome.failed else 0


def cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    args.strict = True  # check is always strict
    outcome = _run(_settings(args), out)
    _report(outcome, out)
    return 1 if outcome.failed else 0


def cmd_build(args: argparse.Namespace, out: TextIO) -> int:
    from sphinx.cmd.build import build_main

    from exportdb.site.staging import build_staged, shown_as_final  # start-up: loads Sphinx, which only build needs

    given = argparse.Namespace(**{**vars(args), "engines": args.engines or "builtin",
                                  "timeout": args.timeout or DEFAULT_TIMEOUT})
    settings = _settings(given).checked()  # report bad options before Sphinx starts
    html = args.html or args.docs / "_build" / "html"
    argv = ["-D", f"exportdb_cases_dir={Path(settings.cases_dir).resolve()}"]
    if args.engines is not None:
        argv += ["-D", f"exportdb_engines={','.join(settings.engines)}"]
    if args.timeout is not None:
        argv += ["-D", f"exportdb_timeout={settings.timeout}"]
    if args.jobs:
        argv += ["-D", f"exportdb_jobs={args.jobs}"]
    if args.strict:
        argv += ["-D", "exportdb_strict=1"]
    if args.no_cache:
        argv += ["-D", "exportdb_use_cache=0"]
    # Sphinx writes into a staging copy of the site, swapped in when the build succeeds
    with shown_as_final(html):
        status = build_staged(html, lambda staging: build_main([str(args.docs), str(staging), *argv]))
    if status == 0:
        print(f"site built: {(html / 'index.html').resolve()}", file=out)
    return status


def cmd_serve(args: argparse.Namespace, out: TextIO) -> int:
    from exportdb.tools import serve

    return serve.main(args, out)


def cmd_list(args: argparse.Namespace, out: TextIO) -> int:
    registry = load_registry(args.cases or default_cases_dir())
    for problem in registry.problems:
        print(f"error: {problem}", file=sys.stderr)
    if args.tag is not None and not taxonomy.is_known(args.tag):
        close = taxonomy.suggest(args.tag)
        print(f"exportdb list: unknown tag {args.tag!r}" + (f"; did you mean {close!r}?" if close else ""),
              file=sys.stderr)
        return 2
    cases = registry.with_tag(args.tag) if args.tag else registry.cases
    summaries = [CaseSummary.of(case) for case in cases]
    if args.json:
        json.dump([asdict(s) for s in summaries], out, indent=2)
        out.write("\n")
    else:
        width = max((len(s.name) for s in summaries), default=0)
        for s in summaries:
            print(f"{s.name:<{width}}  {', '.join(s.tags) or '-'}  {s.support_level}", file=out)
    return 1 if registry.problems else 0


def _resolve_case(spec: str, cases_dir: Path) -> Path | None:
    path = Path(spec)
    if path.suffix == ".py" or path.exists():
        return path if path.is_file() else None
    candidates = sorted(cases_dir.rglob(f"{spec}.py")) if cases_dir.is_dir() else []
    return candidates[0] if candidates else None


def cmd_show(args: argparse.Namespace, out: TextIO) -> int:
    cases_dir = args.cases or default_cases_dir()
    path = _resolve_case(args.case, cases_dir)
    if path is None:
        print(f"exportdb show: no case {args.case!r} (not a file, and not a case in {cases_dir})\n"
              f"hint: run `exportdb list` to see the case names", file=sys.stderr)
        return 2
    engine = load_engine(args.engine)
    reason = engine.unavailable_reason()
    if reason:
        print(f"exportdb show: engine {args.engine!r} is unavailable: {reason}", file=sys.stderr)
        return 2
    if args.no_isolation:  # case code runs in this process, unguarded: for a debugger
        result = engine.run_case(path)
    else:  # as the build runs it, so the Result is the page's
        result = run_one_case(path, args.engine, args.timeout).result
    # what the case made is printed with its control characters escaped: it cannot restyle the terminal
    print(escape_controls(result.text_in(args.style), keep_lines=True), file=out)
    if args.traceback and isinstance(result.extra.get("traceback"), str):
        print(escape_controls(result.extra["traceback"], keep_lines=True), file=sys.stderr, end="")
    if result.extra.get("hint"):  # the Result block is one line; how to fix it goes to stderr
        print(f"hint: {escape_controls(str(result.extra['hint']))}", file=sys.stderr)
    return 0 if result.ok else 1


def cmd_new(args: argparse.Namespace, out: TextIO) -> int:
    from exportdb.tools.scaffold import ScaffoldError, write_case  # start-up: loads Jinja, which only new needs

    try:
        path = write_case(args.name, args.tags, args.cases or default_cases_dir(),
                          supported=not args.not_supported)
    except ScaffoldError as exc:
        print(f"exportdb new: {exc}", file=sys.stderr)
        return 2
    print(f"created {path}", file=out)
    return 0


def cmd_compare(args: argparse.Namespace, out: TextIO) -> int:
    from exportdb.tools import compare  # written separately; imported only when asked for

    return int(compare.main(list(args.args)) or 0)


def cmd_fuzz(args: argparse.Namespace, out: TextIO) -> int:
    from exportdb.tools.fuzz import profile  # needs hypothesis; imported only when asked for

    return profile.main(list(args.args), out)


def cmd_bench(args: argparse.Namespace, out: TextIO) -> int:
    from exportdb.tools import bench  # imported only when asked for

    return bench.main(list(args.args), out)


def cmd_conformance(args: argparse.Namespace, out: TextIO) -> int:
    from exportdb.tools.conformance import command  # the harnesses need torch; imported only when asked for

    return command.main(list(args.args), out)


COMMANDS = {"build": cmd_build, "serve": cmd_serve, "generate": cmd_generate, "check": cmd_check, "list": cmd_list,
            "show": cmd_show, "new": cmd_new, "compare": cmd_compare, "bench": cmd_bench, "fuzz": cmd_fuzz,
            "conformance": cmd_conformance}
PASS_THROUGH = ("compare", "bench", "fuzz", "conformance")  # every later option, --help included, goes to them


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run the CLI with ``argv`` (default ``sys.argv[1:]``); return the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] and argv[0] in PASS_THROUGH:
        return COMMANDS[argv[0]](argparse.Namespace(args=argv[1:]), out or sys.stdout)
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args, out or sys.stdout)
    except SettingsError as exc:
        print(f"exportdb {args.command}: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. `exportdb list | head`: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as exc:  # a read-only or missing output directory, a full disk: one line, no traceback
        print(f"exportdb {args.command}: {os_error_line(exc)}\n"
              "hint: check that the output and cache directories exist and are writable", file=sys.stderr)
        return 2


def os_error_line(exc: OSError) -> str:
    """``PATH: reason`` of a failed file operation, on one line."""
    where = f"{exc.filename}: " if exc.filename else ""
    return escape_controls(f"{where}{exc.strerror or exc}")


if __name__ == "__main__":
    sys.exit(main())
