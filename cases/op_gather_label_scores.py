import torch


class OpGatherLabelScores(torch.nn.Module):
    """
    Picking each row's score for its label, as a negative log-likelihood
    does: ``gather`` along dim 1 with the labels as a column of indices reads
    one entry per row, so the index must have the shape of the result
    (``labels.unsqueeze(1)``, then ``squeeze(1)`` to drop the column). The
    program records ``gather`` with the dim as a plain integer argument.
    """

    def forward(self, logits, labels):
        log_probs = logits.log_softmax(dim=1)
        picked = log_probs.gather(1, labels.unsqueeze(1)).squeeze(1)
        return -picked.mean()


example_args = (torch.randn(4, 5), torch.tensor([1, 0, 4, 2]))
tags = {"torch.operator"}
model = OpGatherLabelScores()
