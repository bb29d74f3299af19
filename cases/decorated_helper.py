import functools

import torch


def doubled_output(fn):
    @functools.wraps(fn)
    def wrapper(*args):
        return fn(*args) * 2

    return wrapper


class DecoratedHelper(torch.nn.Module):
    """
    A method is wrapped by a decorator built with ``functools.wraps``. The
    wrapper is a closure over the original function; both are traced through.
    """

    @doubled_output
    def combine(self, x, y):
        return x - y

    def forward(self, x, y):
        return self.combine(x, y).relu()


example_args = (torch.randn(3, 3), torch.randn(3, 3))
tags = {"python.closure", "python.standard-library"}
model = DecoratedHelper()
