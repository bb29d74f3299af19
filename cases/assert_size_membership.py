import torch


class AssertSizeMembership(torch.nn.Module):
    """
    Assertions about facts that are known while tracing (the number of
    dimensions, whether a size is one of a few allowed values, the dtype)
    are checked once, during export, and leave nothing in the graph: the
    exported program holds only the ``mul`` and ``sum``. With static shapes
    they cannot fail later, because the program only accepts inputs of the
    exported shape. A failing assertion stops the export with the message.
    """

    def forward(self, x):
        assert x.dim() == 2, "expected a batch of feature rows"
        assert x.shape[-1] in (3, 6), "features come in groups of three"
        assert x.shape[0] not in (0, 1), "need at least two rows to compare"
        assert x.dtype == torch.float32
        return (x * x).sum(dim=-1)


example_args = (torch.randn(4, 3),)
tags = {"python.assert", "python.data-structure"}
model = AssertSizeMembership()
