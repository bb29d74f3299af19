"""Write a synthetic case registry for the generation benchmark.

Run as ``python bench/make_synthetic_registry.py OUT_DIR [--count 2000]``.
Each case is a small, valid case file built from one of a few kinds (an
elementwise chain, a cond with closures, a map, an unrolled loop, a dict
output, a dynamic batch dimension, and a data-dependent ``if`` that is
declared NOT_SUPPORTED_YET and carries a rewrite), with its constants, sizes,
operations and tags varied by the case's index.  The same ``count`` always
gives byte-identical files, so a benchmark run is repeatable.

:func:`edit_case` changes one case the way a person would (its description
and one constant), for the "one edit" measurement.
"""

from __future__ import annotations

import argparse
import random
import textwrap
from pathlib import Path

UNARY = ("cos", "sin", "tanh", "sigmoid", "relu", "abs", "exp", "neg")
BINARY = ("+", "-", "*")

_ELEMENTWISE = '''
import torch


class {cls}(torch.nn.Module):
    """
    Synthetic case {index}: a chain of {n} elementwise operations on a
    {rows}x{cols} input, scaled by {scale}.
    """

    def forward(self, x, y):
{body}
        return out * {scale}


example_args = (torch.randn({rows}, {cols}), torch.randn({rows}, {cols}))
tags = {tags}
model = {cls}()
'''

_COND = '''
import torch
from functorch.experimental.control_flow import cond


class {cls}(torch.nn.Module):
    """
    Synthetic case {index}: both branches of a cond close over a value computed
    in forward and over the Python number {scale}.
    """

    def forward(self, flag, x):
        shift = x.sum() * {scale}

        def on_true(v):
            return v.{op1}() + shift

        def on_false(v):
            return v.{op2}() - shift

        return cond(flag, on_true, on_false, (x,))


example_args = (torch.tensor({flag}), torch.randn({rows}, {cols}))
tags = {tags}
model = {cls}()
'''

_MAP = '''
import torch
from functorch.experimental.control_flow import map


class {cls}(torch.nn.Module):
    """
    Synthetic case {index}: map applies a body to each of the {rows} rows,
    reading a parameter it closes over.
    """

    def __init__(self):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.randn({cols}, {cols}))

    def forward(self, batch):
        def body(row):
            return (self.weight @ row).{op1}()

        return map(body, batch)


example_args = (torch.randn({rows}, {cols}),)
tags = {tags}
model = {cls}()
'''

_LOOP = '''
import torch


class {cls}(torch.nn.Module):
    """
    Synthetic case {index}: a loop of {n} iterations with a constant bound,
    unrolled while tracing.
    """

    def forward(self, x):
        out = x
        for i in range({n}):
            out = out * {scale} + i
        return out.{op1}()


example_args = (torch.randn({rows}, {cols}),)
tags = {tags}
model = {cls}()
'''

_DICT = '''
import torch


class {cls}(torch.nn.Module):
    """
    Synthetic case {index}: the output is a dict of two tensors.
    """

    def forward(self, x):
        return {{"first": x.{op1}() * {scale}, "second": x.sum(dim=0)}}


example_args = (torch.randn({rows}, {cols}),)
tags = {tags}
model = {cls}()
'''

_DYNAMIC = '''
import torch
from torch.export import Dim


class {cls}(torch.nn.Module):
    """
    Synthetic case {index}: the batch dimension is dynamic; the program sums
    over the static one.
    """

    def forward(self, x):
        return (x.{op1}() * {scale}).sum(dim=1)


example_args = (torch.randn({rows}, {cols}),)
dynamic_shapes = {{"x": {{0: Dim("batch")}}}}
tags = {tags}
model = {cls}()
'''

_DATA_DEPENDENT_IF = '''
import torch
from functorch.experimental.control_flow import cond
from torch._export.db.case import SupportLevel


class {cls}(torch.nn.Module):
    """
    Synthetic case {index}: a Python if tests a tensor's value, which tracing
    refuses; the rewrite keeps both sides with cond.
    """

    def forward(self, x):
        if x.sum() > {scale}:
            return x.{op1}()
        return x.{op2}()


class {cls}Rewrite(torch.nn.Module):
    def forward(self, x):
        def above(v):
            return v.{op1}()

        def below(v):
            return v.{op2}()

        return cond(x.sum() > {scale}, above, below, (x,))


example_args = (torch.rand({rows}, {cols}),)
tags = {tags}
support_level = SupportLevel.NOT_SUPPORTED_YET
model = {cls}()
rewrite = {cls}Rewrite()
'''

KINDS = (
    ("elementwise", _ELEMENTWISE, ("torch.operator",)),
    ("cond", _COND, ("torch.cond", "python.closure")),
    ("map", _MAP, ("torch.map", "python.closure")),
    ("loop", _LOOP, ("python.control-flow",)),
    ("dict", _DICT, ("python.data-structure",)),
    ("dynamic", _DYNAMIC, ("torch.dynamic-shape",)),
    ("if", _DATA_DEPENDENT_IF, ("torch.cond", "python.control-flow")),
)

EXTRA_TAGS = ("python.builtin", "python.object-model", "torch.mutation", "python.standard-library")


def case_name(index: int) -> str:
    kind = KINDS[index % len(KINDS)][0]
    return f"synth_{index:05d}_{kind}"


def _elementwise_body(rng: random.Random, n: int) -> str:
    lines = ["out = x"]
    for _ in range(n):
        if rng.random() < 0.5:
            lines.append(f"out = out.{rng.choice(UNARY)}()")
        else:
            lines.append(f"out = out {rng.choice(BINARY)} y")
    return textwrap.indent("\n".join(lines), " " * 8)


def _fields(index: int) -> dict:
    rng = random.Random(index)
    _, _, base_tags = KINDS[index % len(KINDS)]
    tags = set(base_tags)
    if rng.random() < 0.3:
        tags.add(rng.choice(EXTRA_TAGS))
    n = rng.randint(2, 6)
    return {
        "tag_set": tuple(sorted(tags)),
        "cls": "".join(part.title() for part in case_name(index).split("_")),
        "index": index,
        "n": n,
        "rows": rng.randint(2, 5),
        "cols": rng.randint(2, 5),
        "scale": round(rng.uniform(0.1, 3.0), 2),
        "op1": rng.choice(UNARY),
        "op2": rng.choice(UNARY),
        "flag": rng.choice(("True", "False")),
        "tags": "{" + ", ".join(f'"{t}"' for t in sorted(tags)) + "}",
        "body": _elementwise_body(rng, n),
    }


def case_tags(index: int) -> tuple[str, ...]:
    """The tags of case ``index``."""
    return _fields(index)["tag_set"]


def has_rewrite(index: int) -> bool:
    """Whether case ``index`` carries a rewrite (exported as a second job)."""
    return KINDS[index % len(KINDS)][1] is _DATA_DEPENDENT_IF


def case_source(index: int) -> str:
    """The text of case ``index`` (deterministic)."""
    return KINDS[index % len(KINDS)][1].format(**_fields(index)).lstrip()


def make_registry(out_dir: str | Path, count: int = 2000) -> list[Path]:
    """Write ``count`` case files into ``out_dir`` (created); return their paths."""
    root = Path(out_dir)
    root.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(count):
        path = root / f"{case_name(index)}.py"
        text = case_source(index)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def edit_case(path: str | Path, revision: int = 1) -> None:
    """Edit one case as a person would: reword its description's first line."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    marker = "    Synthetic case "
    start = text.index(marker)
    end = text.index("\n", start)
    path.write_text(text[:start] + f"    Synthetic case (edited, revision {revision}) "
                    + text[start + len(marker):end].split(":", 1)[1].lstrip() + text[end:], encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="directory to write the cases into")
    parser.add_argument("--count", type=int, default=2000, help="number of cases (default 2000)")
    opts = parser.parse_args(argv)
    paths = make_registry(opts.out, opts.count)
    print(f"{len(paths)} cases in {opts.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
