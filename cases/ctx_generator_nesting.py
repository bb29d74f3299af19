import contextlib

import torch


@contextlib.contextmanager
def depth_marker(trail, name):
    trail.append(name)
    try:
        yield len(trail)
    finally:
        trail.pop()


class CtxGeneratorNesting(torch.nn.Module):
    """
    Context managers written as generators with ``contextlib.contextmanager``
    are traced through as well, including when they nest. Each ``with``
    pushes a name on a Python list and yields the nesting depth, and the
    ``finally`` clause pops it again. The depths (1 and 2) are ordinary Python
    integers while tracing, so ``x * (outer + inner)`` is recorded as a
    multiplication by the constant 3, and ``len(trail)`` after the blocks is
    0: only the tensor arithmetic reaches the graph.
    """

    def forward(self, x):
        trail = []
        with depth_marker(trail, "encoder") as outer:
            with depth_marker(trail, "layer") as inner:
                y = x * (outer + inner)
        return y + len(trail)


example_args = (torch.randn(4, 3),)
tags = {"python.context-manager", "python.standard-library"}
model = CtxGeneratorNesting()
