import torch


class SliceAndConcat(torch.nn.Module):
    """
    Slicing and concatenation are recorded as ATen ``slice`` and ``cat``
    operators, with the slice bounds spelled out.
    """

    def forward(self, x):
        head = x[:, :2]
        tail = x[:, 2:]
        return torch.cat([tail, head], dim=1)


example_args = (torch.randn(3, 5),)
tags = {"torch.operator"}
model = SliceAndConcat()
