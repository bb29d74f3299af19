import torch


class KeywordOnlyInputs(torch.nn.Module):
    """
    ``forward`` takes one positional and one keyword input. Keyword inputs are
    passed to the exporter through ``example_kwargs``.
    """

    def forward(self, x, *, shift):
        return x - shift


example_args = (torch.randn(5, 2),)
example_kwargs = {"shift": torch.randn(2)}
tags = {"python.data-structure"}
model = KeywordOnlyInputs()
