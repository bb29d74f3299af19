import torch
from functorch.experimental.control_flow import cond


class CondDictOutput(torch.nn.Module):
    """
    Each branch returns a dict of tensors. The exporter flattens the dict into
    a tuple in key order for the sub-graph's outputs and rebuilds the dict
    from the ``getitem`` nodes after the cond, so ``forward`` can index it by
    key as it would in eager mode. Both branches must use the same keys.
    """

    def forward(self, flag, x):
        def positive_part(v):
            return {"low": v.clamp(min=0), "high": v.relu() * 2}

        def negative_part(v):
            return {"low": v.clamp(max=0), "high": -v}

        parts = cond(flag, positive_part, negative_part, (x,))
        return parts["high"] - parts["low"]


example_args = (torch.tensor(False), torch.randn(4))
tags = {"torch.cond", "python.data-structure"}
model = CondDictOutput()
