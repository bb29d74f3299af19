import torch


class DictInputWeightedSum(torch.nn.Module):
    """
    The input is a dictionary of tensors. The exporter flattens it into one
    graph input per entry, in the dictionary's key order.
    """

    def forward(self, inputs):
        return inputs["signal"] * inputs["weight"] + inputs["bias"]


example_args = (
    {"signal": torch.randn(3, 4), "weight": torch.randn(3, 4), "bias": torch.randn(4)},
)
tags = {"python.data-structure"}
model = DictInputWeightedSum()
