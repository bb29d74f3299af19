import torch


class NestedContainerOutput(torch.nn.Module):
    """
    The output is a tuple holding a tensor and a dictionary of tensors. The
    graph returns a flat tuple; the nesting is restored around it.
    """

    def forward(self, x):
        low = x.min(dim=1).values
        high = x.max(dim=1).values
        return x.mean(), {"low": low, "high": high}


example_args = (torch.randn(4, 6),)
tags = {"python.data-structure"}
model = NestedContainerOutput()
