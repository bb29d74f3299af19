import torch


class RunningTotal(torch.nn.Module):
    """
    A running total of daily amounts and the running peak balance. ``cumsum``
    is one ``cumsum.default`` node along the day dimension, and ``cummax``
    returns a (values, indices) pair: the node holds both results and two
    ``getitem`` nodes take them out. The balance keeps the input's shape, so a
    backend sees a scan, not a loop unrolled over the days.
    """

    def forward(self, amounts):
        balance = torch.cumsum(amounts, dim=1)
        peak, peak_day = balance.cummax(dim=1)
        drawdown = peak - balance
        return balance, drawdown, peak_day


example_args = (torch.tensor([[5.0, -2.0, 3.0, -4.0, 1.0],
                              [1.0, 1.0, -3.0, 2.0, 2.0],
                              [-1.0, 4.0, 0.5, -0.5, 3.0]]),)
tags = {"torch.operator"}
model = RunningTotal()
