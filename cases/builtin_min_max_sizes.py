import torch


class BuiltinMinMaxSizes(torch.nn.Module):
    """
    ``min`` and ``max`` over sizes of static inputs are Python integers while
    tracing. Here they pick how much of each input to keep so that the two can
    be added: ``min(a.shape[0], b.shape[0])`` is 3, and the slices in the
    graph carry the number 3 as a constant. With static shapes nothing about
    the computation remains symbolic; compare with ``dyn_sym_min_max``,
    where the same built-ins on dynamic sizes become ``sym_min`` and
    ``sym_max`` nodes.
    """

    def forward(self, a, b):
        n = min(a.shape[0], b.shape[0])
        width = max(a.shape[1], b.shape[1])
        return a[:n] + b[:n], torch.zeros(width)


example_args = (torch.randn(3, 4), torch.randn(5, 4))
tags = {"python.builtin"}
model = BuiltinMinMaxSizes()
