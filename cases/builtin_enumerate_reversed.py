import torch


class BuiltinEnumerateReversed(torch.nn.Module):
    """
    ``enumerate``, ``reversed`` and ``range`` over a Python list of tensors
    are evaluated while tracing; the loop is unrolled and the position ``i``
    becomes a constant factor in each ``mul`` node. The result is a weighted
    sum in which the last list element gets weight 1 and the first gets
    weight 3. The list length is part of the input's structure, so the
    exported program accepts exactly three tensors.
    """

    def forward(self, layers):
        total = torch.zeros_like(layers[0])
        for i, layer in enumerate(reversed(layers), start=1):
            total = total + layer * i
        return total


example_args = ([torch.randn(2, 3), torch.randn(2, 3), torch.randn(2, 3)],)
tags = {"python.builtin", "python.data-structure"}
model = BuiltinEnumerateReversed()
