"""Benchmark: pure tracing time of small cases with the built-in exporter.

Run as ``python bench/bench_trace.py [--repeats N]``.  Loading a case file
(compiling it and running its module body) is timed separately from tracing
(``exportdb.exporter.trace.export.export`` on the already-loaded model), and printing the
program is timed on its own too.  Each figure is the median of many repeats
measured with ``time.perf_counter``.  This is a benchmark, never a test.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import textwrap
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from exportdb.engines.case_module import load_case_module  # noqa: E402
from exportdb.exporter.trace.export import export  # noqa: E402

CASES = {
    "closure_nonlocal": """
        import torch

        class ClosureNonlocal(torch.nn.Module):
            def forward(self, a, b):
                x = a + b
                z = a - b

                def bump(y):
                    nonlocal x
                    x += 1
                    return x * y + z

                return bump(x)

        example_args = (torch.randn(3, 2), torch.randn(2))
        model = ClosureNonlocal()
    """,
    "linear_relu": """
        import torch

        class LinearRelu(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.linear = torch.nn.Linear(8, 4)
                self.act = torch.nn.ReLU()

            def forward(self, x):
                return self.act(self.linear(x))

        example_args = (torch.randn(2, 8),)
        model = LinearRelu()
    """,
    "cond_closure": """
        import torch
        from functorch.experimental.control_flow import cond

        class CondClosure(torch.nn.Module):
            def forward(self, pred, x):
                offset = x.sum()

                def on_true(v):
                    return v.cos() + offset

                def on_false(v):
                    return v.sin() - offset

                return cond(pred, on_true, on_false, (x,))

        example_args = (torch.tensor(True), torch.randn(3, 2))
        model = CondClosure()
    """,
}


def _median_us(fn, repeats: int) -> float:
    fn()  # warm-up (first-call imports and caches)
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2000, help="timed repeats per figure (default 2000)")
    opts = parser.parse_args(argv)

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, source in CASES.items():
            path = Path(tmp) / f"{name}.py"
            path.write_text(textwrap.dedent(source).lstrip(), encoding="utf-8")
            module = load_case_module(path)
            args = tuple(module.example_args)
            ep = export(module.model, args)
            load_us = _median_us(lambda: load_case_module(path), max(opts.repeats // 10, 50))
            trace_us = _median_us(lambda: export(module.model, args), opts.repeats)
            print_us = _median_us(lambda: str(ep), opts.repeats)
            nodes = sum(len(g.nodes) for g in ep.graph.walk())
            rows.append((name, nodes, load_us, trace_us, print_us))

    header = f"{'case':<18} {'nodes':>5} {'load (us)':>10} {'trace (us)':>11} {'print (us)':>11}"
    print(header)
    print("-" * len(header))
    for name, nodes, load_us, trace_us, print_us in rows:
        print(f"{name:<18} {nodes:>5} {load_us:>10.1f} {trace_us:>11.1f} {print_us:>11.1f}")
    overall = statistics.median(r[3] for r in rows)
    print(f"\nmedian trace time (small cases): {overall:.0f} us")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
