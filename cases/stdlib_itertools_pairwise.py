import itertools

import torch


class StdlibItertoolsPairwise(torch.nn.Module):
    """
    ``itertools.pairwise`` walks a tuple of snapshots two at a time and
    ``itertools.chain`` adds the first snapshot to the list of steps. The
    iterators are consumed while tracing, so the graph holds one ``sub``
    node per consecutive pair, followed by the ``stack``. The number of
    snapshots is part of the input's structure: a program exported with four
    snapshots expects four.
    """

    def forward(self, snapshots):
        steps = [later - earlier for earlier, later in itertools.pairwise(snapshots)]
        return torch.stack(list(itertools.chain([snapshots[0]], steps)))


example_args = ((torch.randn(3), torch.randn(3), torch.randn(3), torch.randn(3)),)
tags = {"python.standard-library", "python.data-structure"}
model = StdlibItertoolsPairwise()
