import torch
import torch._dynamo


class EscapeAssumeConstantBuffer(torch.nn.Module):
    """
    The number of active features is stored in a buffer and read back with
    ``item()``, a data-dependent value that could not be used as a slice bound
    while tracing. ``torch._dynamo.assume_constant_result`` is an escape
    hatch: the decorated method runs once on the real buffer during export,
    and its result (3) is burnt into the program as a constant, so the slice
    is ``x[:, :3]``. This is only correct if the value never changes
    afterwards; if the buffer is updated, the exported program silently keeps
    the old width. The graph no longer reads the buffer, so it is not an
    input of the exported program.
    """

    def __init__(self):
        super().__init__()
        self.register_buffer("active", torch.tensor([1, 1, 0, 1, 0, 0]))

    @torch._dynamo.assume_constant_result
    def active_width(self):
        return int(self.active.sum().item())

    def forward(self, x):
        return x[:, : self.active_width()].softmax(dim=-1)


example_args = (torch.randn(2, 6),)
tags = {"torch.escape-hatch", "torch.dynamic-value"}
model = EscapeAssumeConstantBuffer()
