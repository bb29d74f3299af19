"""``exportdb conformance KIND ...``: dispatch to the harness of KIND.

Each harness is a module with ``main(argv, out) -> int``, imported only when
asked for (they need torch).  A new harness adds one entry to :data:`HARNESSES`.
"""

from __future__ import annotations

import importlib
import sys
from typing import TextIO

#: kind -> (module, one-line help)
HARNESSES: dict[str, tuple[str, str]] = {
    "ops": ("exportdb.tools.conformance.ops", "torch's OpInfo database (op_db), every CPU float32 sample"),
    "modules": ("exportdb.tools.conformance.modules",
                "torch's ModuleInfo database (module_db), every CPU float32 module input, eval and training mode"),
}


def usage() -> str:
    lines = ["usage: exportdb conformance KIND [options]   (KIND --help for its options)", "", "kinds:"]
    lines += [f"  {kind:<10} {help_text}" for kind, (_, help_text) in HARNESSES.items()]
    return "\n".join(lines)


def main(argv: list[str], out: TextIO | None = None) -> int:
    """Run ``exportdb conformance`` with ``argv`` (the words after ``conformance``)."""
    out = out or sys.stdout
    if not argv or argv[0] in ("-h", "--help"):
        print(usage(), file=out if argv else sys.stderr)
        return 0 if argv else 2
    kind, rest = argv[0], argv[1:]
    if kind not in HARNESSES:
        print(f"exportdb conformance: unknown kind {kind!r}\n{usage()}", file=sys.stderr)
        return 2
    module = importlib.import_module(HARNESSES[kind][0])
    return int(module.main(rest, out) or 0)
