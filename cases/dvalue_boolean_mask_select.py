import torch


class DvalueBooleanMaskSelect(torch.nn.Module):
    """
    Selecting with a boolean mask, ``x[x > 0]``, returns as many elements as
    the mask has ``True`` values, which depends on the data. The exporter
    cannot know that number, so the result's size is a new unbacked symbol
    ``u0``. torch.export records what it does know as run-time assertions
    on that size: it is at least 0 and at most the number of elements of
    ``x`` (12), which is also the range printed under *Range constraints*.
    Code after the selection can keep using the result, here to sum it.
    """

    def forward(self, x):
        positive = x[x > 0]
        return positive, positive.sum()


example_args = (torch.randn(3, 4),)
tags = {"torch.dynamic-value", "torch.operator"}
model = DvalueBooleanMaskSelect()
