import torch


class NonlocalRunningTotal(torch.nn.Module):
    """
    An inner function rebinds a variable of the enclosing function through
    ``nonlocal``. Each call is traced once, in order, so the graph shows the
    additions one after the other.
    """

    def forward(self, a, b, c):
        total = a

        def accumulate(t):
            nonlocal total
            total = total + t

        accumulate(b)
        accumulate(c)
        return total


example_args = (torch.randn(2, 5), torch.randn(2, 5), torch.randn(2, 5))
tags = {"python.closure"}
model = NonlocalRunningTotal()
