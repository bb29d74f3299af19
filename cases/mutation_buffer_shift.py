import torch


class MutationBufferShift(torch.nn.Module):
    """
    A buffer used as a shift register: every call moves the stored values one
    slot to the right and writes the newest mean into slot 0. Index
    assignments on a buffer are recorded as a view (``slice`` or ``select``)
    followed by an in-place ``copy_`` into it, so the exported program
    updates ``b_history`` as eager mode does. The ``clone`` matters: without
    it the right-hand side would be a view of the same memory being
    overwritten.
    """

    def __init__(self):
        super().__init__()
        self.register_buffer("history", torch.zeros(4))

    def forward(self, x):
        self.history[1:] = self.history[:-1].clone()
        self.history[0] = x.mean()
        return x - self.history.mean()


example_args = (torch.randn(4, 3),)
tags = {"torch.mutation", "python.object-model"}
model = MutationBufferShift()
