import torch


class BufferNormalize(torch.nn.Module):
    """
    Fixed statistics are stored as buffers with ``register_buffer``. Buffers are
    lifted to inputs like parameters, but marked as buffers in the signature.
    """

    def __init__(self):
        super().__init__()
        self.register_buffer("center", torch.zeros(3))
        self.register_buffer("spread", torch.ones(3))

    def forward(self, x):
        return (x - self.center) / self.spread


example_args = (torch.randn(5, 3),)
tags = {"python.object-model"}
model = BufferNormalize()
