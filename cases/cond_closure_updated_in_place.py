import torch


class CondClosureUpdatedInPlace(torch.nn.Module):
    """
    Both branches close over tensors instead of taking them as operands, so
    torch.export passes them into the cond itself, after the operand, sorted
    by the name its tracer gives each value, not in the order the code reads
    them. ``mask`` was updated in place (``mask.sub_``) after it was made, yet
    it keeps the name of the op that made it (``abs``), not of the in-place
    op, so it comes before ``scale``, which the tracer names after its
    ``mul``: the cond takes ``[x, sub_, mul]``.
    """

    def forward(self, x, y):
        scale = y * 2
        mask = y.abs()
        mask.sub_(0.5)

        def weighted(t):
            return t * scale + mask

        def plain(t):
            return t - 1

        return torch.cond(x.sum() > 0, weighted, plain, (x,))


example_args = (torch.randn(4), torch.randn(4))
tags = {"torch.cond", "python.closure"}
model = CondClosureUpdatedInPlace()
