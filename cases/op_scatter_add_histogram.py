import torch


class OpScatterAddHistogram(torch.nn.Module):
    """
    A histogram of class ids, the way training code counts labels per batch:
    ``scatter_add`` adds a one for each label into the bin its id names, and
    repeated ids add up rather than overwrite. Dividing by the batch size
    gives each class's frequency. ``zeros`` keeps its ``dtype`` and
    ``device`` in the program, and both the counts and the frequencies are
    outputs.
    """

    def forward(self, labels):
        counts = torch.zeros(5, dtype=torch.int64).scatter_add(0, labels, torch.ones_like(labels))
        return counts, counts / labels.shape[0]


example_args = (torch.tensor([0, 3, 3, 1, 4, 3, 0, 2]),)
tags = {"torch.operator"}
model = OpScatterAddHistogram()
