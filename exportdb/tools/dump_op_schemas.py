"""Dump the schema of every ``aten`` operator overload from the installed torch.

Run ``python -m exportdb.tools.dump_op_schemas`` (torch 2.13.0 installed) to
rewrite ``exportdb/exporter/ops/aten_schemas.json``, which
:mod:`exportdb.exporter.ops.schemas` reads.  Only facts are dumped: each
overload's argument names, types (schema syntax, alias annotations kept, so
``Tensor(a!)`` marks an argument written in place), defaults and the ``*``
marker before keyword-only arguments, and its return types.  The output is
sorted and has no timestamps, so a re-run on the same torch gives the same
bytes; ``--check`` compares instead of writing.

The file holds ``{"torch": VERSION, "ops": {"cumsum.default": [ARGS, RETURNS]}}``;
an argument is ``[name, type]`` or ``[name, type, default]``, the string
``"*"`` starts the keyword-only arguments, and enum defaults are names
(``"int64"``, ``"contiguous_format"``, ``"strided"``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

OUTPUT = Path(__file__).resolve().parents[1] / "exporter" / "ops" / "aten_schemas.json"

#: c10 enum values that occur as defaults, by name (a new one fails the dump loudly).
_SCALAR_TYPES = {4: "int64", 6: "float32", 7: "float64", 11: "bool"}
_MEMORY_FORMATS = {0: "contiguous_format", 1: "preserve_format", 2: "channels_last", 3: "channels_last_3d"}
_LAYOUTS = {0: "strided"}
_ENUMS = {"ScalarType": _SCALAR_TYPES, "MemoryFormat": _MEMORY_FORMATS, "Layout": _LAYOUTS}


def split_top_level(text: str, sep: str = ",") -> list[str]:
    """Split ``text`` at ``sep`` outside brackets, parentheses and quotes."""
    parts, depth, quote, start, i = [], 0, "", 0, 0
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == sep and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
        i += 1
    tail = text[start:].strip()
    return parts + [tail] if tail else parts


def _type_text(arg_text: str) -> str:
    """``SymInt[1]? dim=None`` -> ``SymInt[1]?`` (the part before the name)."""
    decl = split_top_level(arg_text, "=")[0]
    return decl.rsplit(" ", 1)[0].strip()


def _default(arg: Any, type_text: str) -> Any:
    value = arg.default_value
    base = type_text.rstrip("?")
    if value is None or base not in _ENUMS:
        return value
    names = _ENUMS[base]
    if value not in names:
        raise SystemExit(f"unknown {base} default {value!r} in argument {arg.name}: extend _ENUMS")
    return names[value]


def entry(schema: Any) -> list:
    """``[args, returns]`` of one ``torch._C.FunctionSchema``."""
    text = str(schema)
    params, _, returns = text[text.index("(") + 1:].rpartition(") -> ")
    texts = [t for t in split_top_level(params) if t != "*"]
    if len(texts) != len(schema.arguments):
        raise SystemExit(f"cannot split the arguments of {text}")
    args: list = []
    for arg, arg_text in zip(schema.arguments, texts):
        if arg.kwarg_only and "*" not in args:
            args.append("*")
        type_text = _type_text(arg_text)
        item = [arg.name, type_text]
        if arg.has_default_value():
            item.append(_default(arg, type_text))
        args.append(item)
    if returns.startswith("(") and returns.endswith(")"):
        returns = returns[1:-1]
    rets = [r if " " not in r or r.endswith(")") else r.rsplit(" ", 1)[0] for r in split_top_level(returns)]
    return [args, rets]


def dump() -> dict:
    """Every overload the dispatcher registers in the ``aten`` namespace."""
    import torch

    ops: dict = {}
    for qualified in torch._C._dispatch_get_all_op_names():
        if not qualified.startswith("aten::"):
            continue
        name, _, overload = qualified[len("aten::"):].partition(".")
        schema = torch._C._get_schema(f"aten::{name}", overload)
        ops[f"{name}.{overload or 'default'}"] = entry(schema)
    return {"torch": torch.__version__, "ops": dict(sorted(ops.items()))}


def render(data: dict) -> str:
    """One op per line: small diffs when torch changes, stable bytes."""
    lines = [f"{json.dumps(k)}: {json.dumps(v, separators=(',', ':'), allow_nan=False)}"
             for k, v in data["ops"].items()]
    return '{"torch": ' + json.dumps(data["torch"]) + ', "ops": {\n' + ",\n".join(lines) + "\n}}\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m exportdb.tools.dump_op_schemas",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--check", action="store_true", help="exit 1 when the file differs from a fresh dump")
    options = parser.parse_args(argv)
    text = render(dump())
    if options.check:
        same = options.output.exists() and options.output.read_text(encoding="utf-8") == text
        print(f"{options.output}: {'up to date' if same else 'differs from the installed torch'}")
        return 0 if same else 1
    options.output.write_text(text, encoding="utf-8")
    print(f"wrote {options.output} ({len(text.encode())} bytes, {text.count(chr(10)) - 1} overloads)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
