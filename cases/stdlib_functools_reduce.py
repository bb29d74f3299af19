import functools
import operator

import torch


class StdlibFunctoolsReduce(torch.nn.Module):
    """
    ``functools.reduce`` with ``operator.mul`` folds a list of gates into one
    product, and ``functools.partial`` fixes the ``dim`` argument of
    ``torch.softmax`` ahead of time. Both are plain Python helpers: they run
    while tracing and simply call the tensor operations they wrap, so the
    graph is a chain of ``sigmoid`` and ``mul`` nodes followed by a
    ``softmax`` over the last dimension.
    """

    def forward(self, gates, scores):
        normalise = functools.partial(torch.softmax, dim=-1)
        combined = functools.reduce(operator.mul, [g.sigmoid() for g in gates])
        return normalise(scores * combined)


example_args = ([torch.randn(2, 4), torch.randn(2, 4), torch.randn(2, 4)], torch.randn(2, 4))
tags = {"python.standard-library", "python.closure"}
model = StdlibFunctoolsReduce()
