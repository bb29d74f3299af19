import torch


class ObjectOptionalMask(torch.nn.Module):
    """
    ``mask`` is an optional input that defaults to ``None``, and here the
    example call leaves it out. ``if mask is not None`` is a Python test on
    the input's structure, decided while tracing, so the program is
    specialised to "no mask": it has a single input ``x`` and only the
    ``softmax`` path. Exporting with a mask tensor in ``example_kwargs``
    would give a second program with ``mask`` as an input and a
    ``masked_fill`` in the graph; one exported program never covers both.
    """

    def forward(self, x, mask=None):
        if mask is not None:
            x = x.masked_fill(mask, float("-inf"))
        return x.softmax(dim=-1)


example_args = (torch.randn(2, 5),)
tags = {"python.object-model", "python.data-structure"}
model = ObjectOptionalMask()
