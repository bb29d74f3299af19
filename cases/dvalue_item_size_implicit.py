import torch


class DvalueItemSizeImplicit(torch.nn.Module):
    """
    A number read with ``item()`` is used directly as the size of a new tensor,
    without any ``torch._check``. Sizes cannot be negative, so
    ``torch.export`` 2.13 infers ``u0 >= 0`` from the use itself: the range
    of ``u0`` becomes ``[0, int_oo]`` and a runtime assertion checks it. The
    output's shape is ``f32[u0]``, a size only known when the program runs.
    Nothing else is known about ``u0``: to use it where a bound matters, state
    the facts with ``torch._check`` (see ``dyn_item_as_size``).
    """

    def forward(self, x, count):
        n = count.item()
        return torch.ones(n) * x.mean()


example_args = (torch.randn(5), torch.tensor(3))
tags = {"torch.dynamic-value"}
model = DvalueItemSizeImplicit()
