import torch


class BufferUpdate(torch.nn.Module):
    """
    ``forward`` writes to a buffer in place. The exported program returns the
    new buffer value as an extra output marked as a buffer mutation.
    """

    def __init__(self):
        super().__init__()
        self.register_buffer("seen", torch.zeros(2))

    def forward(self, x):
        self.seen.add_(x.sum(dim=0))
        return x + 1


example_args = (torch.randn(4, 2),)
tags = {"torch.mutation"}
model = BufferUpdate()
