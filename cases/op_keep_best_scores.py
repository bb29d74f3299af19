import torch


class KeepBestScores(torch.nn.Module):
    """
    Keep the three best scores of each row and the columns they came from,
    then rank every score within its row. ``topk`` records one
    ``topk.default`` node whose two results (values, indices) are taken out
    with ``getitem``; ``argsort`` with ``descending=True`` records
    ``argsort.default`` with the flag as a positional argument. ``k`` is a
    Python int, so it is a constant of the graph.
    """

    def __init__(self, k=3):
        super().__init__()
        self.k = k

    def forward(self, scores):
        best, columns = scores.topk(self.k, dim=1)
        ranking = scores.argsort(dim=1, descending=True)
        return best, columns, ranking


example_args = (torch.tensor([[0.2, 0.9, 0.4, 0.7, 0.1, 0.6],
                              [0.8, 0.3, 0.5, 0.05, 0.95, 0.25]]),)
tags = {"torch.operator"}
model = KeepBestScores()
