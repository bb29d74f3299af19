import torch


class MutationTensorAttribute(torch.nn.Module):
    """
    ``forward`` stores a new tensor in ``self.last``, an ordinary attribute
    (not a registered buffer), and uses it straight away. Within the call the
    value flows as usual (the ``add`` reads the ``mul``), but the
    assignment itself is not part of the program: ``self.last`` is not an
    input or an output, so nothing is kept between calls. To carry a tensor
    from one call to the next, register it as a buffer and update it in
    place with ``copy_``: the buffer is an input of the program, and the
    in-place ``copy_`` into it stays in the graph.
    """

    def __init__(self):
        super().__init__()
        self.last = torch.zeros(4, 3)

    def forward(self, x):
        self.last = x * 2
        return x + self.last


example_args = (torch.randn(4, 3),)
tags = {"torch.mutation", "python.object-model"}
model = MutationTensorAttribute()
