"""Hostile case files for the security suite, and the checks every attack must pass."""

from __future__ import annotations

import textwrap
from pathlib import Path

from exportdb.execution.case_reader import load_registry, reader_spec
from exportdb.execution.runner import Prefetch, RunReport, WorkerPool, run_cases


def hostile_case(directory: Path, name: str, attack: str, *, in_forward: bool = True) -> Path:
    """A valid case whose ``forward`` (or, with ``in_forward=False``, the file itself) runs ``attack``."""
    attack = textwrap.indent(textwrap.dedent(attack).strip("\n"), " " * (8 if in_forward else 0))
    forward_body = attack if in_forward else "        pass"
    top_level = "" if in_forward else attack
    text = (
        "import torch\n\n\n"
        "class Hostile(torch.nn.Module):\n"
        '    """A case that attacks the build."""\n\n'
        "    def forward(self, x):\n"
        f"{forward_body}\n"
        "        return x * 2\n\n\n"
        f"{top_level}\n"
        "example_args = (torch.randn(3, 2),)\n"
        "tags = {'python.closure'}\n"
        "model = Hostile()\n"
    )
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.py"
    path.write_text(text, encoding="utf-8")
    return path


def innocent_case(directory: Path, name: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.py"
    path.write_text(textwrap.dedent('''
        import torch


        class Doubler(torch.nn.Module):
            """Doubles its input."""

            def forward(self, x):
                return x * 2


        example_args = (torch.randn(3, 2),)
        tags = {"python.closure"}
        model = Doubler()
        ''').lstrip(), encoding="utf-8")
    return path


def run_all(cases: Path, cache: Path | None = None, jobs: int = 1, timeout: float = 30,
            combined: bool = True) -> tuple[object, RunReport]:
    """Read and export ``cases`` as a build does: one process per case reads it and exports it
    (``combined``), or, as ``exportdb compare`` and a changed exporter do, one process per job."""
    if not combined:
        registry = load_registry(cases, timeout=timeout, jobs=jobs)
        return registry, run_cases(registry.cases, ["builtin"], cache_dir=cache, jobs=jobs, timeout=timeout)
    prefetch = Prefetch.for_engines(["builtin"])
    with WorkerPool(jobs, timeout, engines=(reader_spec("builtin"), "builtin")) as pool:
        registry = load_registry(cases, timeout=timeout, jobs=jobs, pool=pool, prefetch=prefetch)
        report = run_cases(registry.cases, ["builtin"], cache_dir=cache, jobs=jobs, timeout=timeout, pool=pool,
                           prefetched=prefetch)
    assert not prefetch.records or cache is not None, "every export was run by the process that read its case"
    return registry, report


def assert_innocents_exported(report: RunReport, names: list[str]) -> None:
    for name in names:
        record = report.get(name, "builtin")
        assert record is not None and record.status == "exported", (name, record)
        assert "GraphModule" in record.result.text and "<script>" not in record.result.text
