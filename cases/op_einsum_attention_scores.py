import torch


class OpEinsumAttentionScores(torch.nn.Module):
    """
    Batched attention scores written with ``einsum``: ``"bqd,bkd->bqk"``
    multiplies every query with every key of the same batch entry and sums
    over the feature dimension. torch.export keeps the call as one
    ``einsum`` node with the equation as a string and the operands as a
    list, rather than decomposing it into matrix products.
    """

    def forward(self, queries, keys):
        scores = torch.einsum("bqd,bkd->bqk", queries, keys) / queries.shape[-1] ** 0.5
        return scores.softmax(dim=-1)


example_args = (torch.randn(2, 3, 4), torch.randn(2, 5, 4))
tags = {"torch.operator"}
model = OpEinsumAttentionScores()
