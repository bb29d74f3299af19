import torch


class ListInputUnpack(torch.nn.Module):
    """
    A list of tensors comes in and is unpacked with a starred assignment.
    Python's unpacking runs while tracing; each list element is its own input.
    """

    def forward(self, parts):
        first, *rest = parts
        out = first
        for part in rest:
            out = out + part
        return out


example_args = ([torch.randn(2, 2), torch.randn(2, 2), torch.randn(2, 2)],)
tags = {"python.data-structure"}
model = ListInputUnpack()
