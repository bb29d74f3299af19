import torch


class BuiltinHelpers(torch.nn.Module):
    """
    Python built-ins (``len``, ``zip``, ``isinstance``, ``sum`` with a start
    value) run on the containers while tracing; the graph keeps the tensor math.
    """

    def forward(self, xs, ys):
        assert isinstance(xs, (list, tuple)) and len(xs) == len(ys)
        products = [a * b for a, b in zip(xs, ys)]
        return sum(products[1:], products[0]) / len(products)


example_args = ([torch.randn(3), torch.randn(3)], [torch.randn(3), torch.randn(3)])
tags = {"python.builtin", "python.data-structure"}
model = BuiltinHelpers()
